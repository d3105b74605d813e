// Small helpers every back-office route uses: the actor and municipality a service acts for,
// ids from the URL, query-string filters that never fail, and the frame's navigation.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { viewContext } from '../../http/render.ts';
import { AppError } from '../../lib/errors.ts';
import type { ViewContext } from '../../ui/view-context.ts';
import { adminNavFor, type AdminNavLink } from './admin-nav.ts';

export const PAGE_SIZE = 25;

export type AdminFrame = { ctx: ViewContext; nav: AdminNavLink[] };

export function adminFrame(request: FastifyRequest): AdminFrame {
  return { ctx: viewContext(request), nav: adminNavFor(request.actor, request.municipality.id) };
}

export function scopeOf(request: FastifyRequest) {
  return { actor: request.actor, municipalityId: request.municipality.id };
}

export function dbOf(request: FastifyRequest): Db {
  return request.server.deps.database.db;
}

/** A numeric id from the URL; anything else is a page that does not exist. */
export function idParam(request: FastifyRequest, name: string): number {
  const raw = (request.params as Record<string, string | undefined>)[name] ?? '';
  // Ids are 32-bit integer columns: PostgreSQL refuses a larger value with an error (a 500).
  if (!/^[1-9]\d{0,11}$/.test(raw) || Number(raw) > 2_147_483_647) throw new AppError('not_found');
  return Number(raw);
}

/**
 * Parses a page's query string. Filters come from links and bookmarks: a value that does not
 * make sense is dropped (the list shows unfiltered) rather than answered with an error page.
 */
export function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.output<S> {
  const input = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const output: Record<string, unknown> = {};
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    const result = (fieldSchema as z.ZodType).safeParse(typeof input[key] === 'string' ? input[key] : undefined);
    output[key] = result.success ? result.data : undefined;
  }
  return output as z.output<S>;
}

/** A query string from the filters that are set, for pagination links. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export type PaginationLinks = { page: number; pageCount: number; previousHref: string | null; nextHref: string | null };

/** Links to the neighbouring pages of a list, keeping its filters. */
export function paginationLinks(
  request: FastifyRequest,
  path: string,
  filters: Record<string, string | number | undefined | null>,
  page: number,
  pageCount: number,
): PaginationLinks {
  const link = (n: number) => `/${request.locale}${path}${queryString({ ...filters, page: n > 1 ? n : undefined })}`;
  return { page, pageCount, previousHref: page > 1 ? link(page - 1) : null, nextHref: page < pageCount ? link(page + 1) : null };
}

export const pageNumber = z.string().regex(/^[1-9]\d{0,5}$/).transform(Number).optional();
