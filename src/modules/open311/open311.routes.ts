import type { FastifyInstance } from 'fastify';

export function registerOpen311Routes(_app: FastifyInstance): void {}
