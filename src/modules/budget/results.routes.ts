// Results: computing, publishing and showing the outcome per envelope; downloads.
import type { FastifyInstance } from 'fastify';

export function registerBudgetResultsRoutes(app: FastifyInstance): void {
  void app;
}
