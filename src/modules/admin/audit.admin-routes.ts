// /admin/audit: the audit log, newest first, with filters; /admin/audit/verify checks the chain.
import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../http/render.ts';
import { adminFrame, dbOf, parseQuery, queryString, scopeOf } from './admin-http.ts';
import { auditQuery } from './admin.schemas.ts';
import { browseAuditLog, verifyMunicipalityAuditChain } from './audit-log.service.ts';
import { AuditLogPageView, AuditVerifyPage } from './audit.views.tsx';

const AUDIT_PAGE_SIZE = 50;

export function registerAuditAdminRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/audit', async (request, reply) => {
    const query = parseQuery(auditQuery, request.query);
    const filters = { actor: query.actor, type: query.type, entity: query.entity, action: query.action, from: query.from, to: query.to };
    const page = await browseAuditLog(dbOf(request), {
      ...scopeOf(request),
      filter: {
        actorUserId: query.actor,
        entityType: query.type,
        entityId: query.entity,
        action: query.action,
        fromDate: query.from,
        toDate: query.to,
      },
      beforeSeq: query.before,
      pageSize: AUDIT_PAGE_SIZE,
    });
    const base = `/${request.locale}/admin/audit`;
    return sendPage(reply, AuditLogPageView, {
      frame: adminFrame(request),
      model: {
        page,
        filters,
        olderHref: page.olderThanSeq === null ? null : `${base}${queryString({ ...filters, before: page.olderThanSeq })}`,
        newestHref: query.before === undefined ? null : `${base}${queryString(filters)}`,
      },
    });
  });

  app.get('/:locale/admin/audit/verify', async (request, reply) => {
    const result = await verifyMunicipalityAuditChain(dbOf(request), scopeOf(request));
    return sendPage(reply, AuditVerifyPage, { frame: adminFrame(request), result });
  });
}
