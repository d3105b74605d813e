import type { FastifyInstance } from 'fastify';

export function registerComplaintPublicRoutes(_app: FastifyInstance): void {}
