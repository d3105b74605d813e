// Fraud signals and annulments in the back office (see voting-admin.routes.ts).
import type { FastifyInstance } from 'fastify';

export function registerSignalsRoutes(app: FastifyInstance): void {
  void app;
}
