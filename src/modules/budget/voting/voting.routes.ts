// Voting: the online ballot, the counter, receipts, fraud signals and annulments.
import type { FastifyInstance } from 'fastify';

export function registerBudgetVotingRoutes(app: FastifyInstance): void {
  void app;
}
