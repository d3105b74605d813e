// /healthz: the process is alive. /readyz: it can serve (database answers, not shutting down);
// a load balancer stops sending traffic as soon as shutdown begins.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (app.shuttingDown) return reply.status(503).send({ status: 'shutting_down' });
    try {
      await sql`SELECT 1`.execute(app.deps.database.db);
      return { status: 'ready' };
    } catch (error) {
      app.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'database_unavailable' });
    }
  });
}
