// /admin/outbox: messages the platform sent or kept, and one message with its body.
import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../http/render.ts';
import { adminFrame, dbOf, idParam, PAGE_SIZE, paginationLinks, parseQuery, scopeOf } from './admin-http.ts';
import { outboxQuery } from './admin.schemas.ts';
import { listOutbox, readOutboxMessage } from './outbox.service.ts';
import { OutboxMessagePage, OutboxPage } from './outbox.views.tsx';

export function registerOutboxAdminRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/outbox', async (request, reply) => {
    const query = parseQuery(outboxQuery, request.query);
    const list = await listOutbox(dbOf(request), {
      ...scopeOf(request),
      channel: query.channel,
      status: query.status,
      page: query.page ?? 1,
      pageSize: PAGE_SIZE,
    });
    const filters = { channel: query.channel, status: query.status };
    return sendPage(reply, OutboxPage, {
      frame: adminFrame(request),
      model: { list, filters, pagination: paginationLinks(request, '/admin/outbox', filters, list.page, list.pageCount) },
    });
  });

  app.get('/:locale/admin/outbox/:messageId', async (request, reply) => {
    const message = await readOutboxMessage(dbOf(request), { ...scopeOf(request), messageId: idParam(request, 'messageId') });
    return sendPage(reply, OutboxMessagePage, { frame: adminFrame(request), message });
  });
}
