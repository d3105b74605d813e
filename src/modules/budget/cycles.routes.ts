// Cycles: the public budget pages (cycle, projects, follow-up) and the back office cycle settings.
import type { FastifyInstance } from 'fastify';

export function registerBudgetCycleRoutes(app: FastifyInstance): void {
  void app;
}
