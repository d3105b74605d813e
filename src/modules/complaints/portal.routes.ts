import type { FastifyInstance } from 'fastify';

export function registerComplaintPortalRoutes(_app: FastifyInstance): void {}
