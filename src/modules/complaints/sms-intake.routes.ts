import type { FastifyInstance } from 'fastify';

export function registerSmsIntakeRoutes(_app: FastifyInstance): void {}
