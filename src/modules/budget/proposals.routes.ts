// Proposals: submission, comments, support, moderation, merging, technical review.
import type { FastifyInstance } from 'fastify';

export function registerBudgetProposalRoutes(app: FastifyInstance): void {
  void app;
}
