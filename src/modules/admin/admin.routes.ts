// The back office under /:locale/admin, staff only. One scoped hook guards every page: anonymous
// visitors are sent to the login page (and back afterwards), signed-in people without a staff
// role get a translated 403. Each page then asks its service, which authorises the precise
// action, so a hidden link is never the only protection.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../auth/policies.ts';
import { sendPage } from '../../http/render.ts';
import { AppError } from '../../lib/errors.ts';
import { adminFrame, dbOf, scopeOf } from './admin-http.ts';
import { DashboardPage } from './admin.views.tsx';
import { registerAuditAdminRoutes } from './audit.admin-routes.ts';
import { registerApiKeyAdminRoutes } from '../complaints/api-keys.admin-routes.ts';
import { registerComplaintCellRoutes } from '../complaints/cell.routes.ts';
import { loadDashboard } from './dashboard.service.ts';
import { registerOutboxAdminRoutes } from './outbox.admin-routes.ts';
import { registerReferenceAdminRoutes } from './reference.admin-routes.ts';
import { registerSettingsAdminRoutes } from './settings.admin-routes.ts';
import { registerUserAdminRoutes } from './users.admin-routes.ts';

async function requireStaff(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!request.actor) {
    // After logging in, come back to the page asked for; a form post cannot be replayed, so
    // after one the back office's front page is the place to return to.
    const next = request.method === 'GET' ? request.url : `/${request.locale}/admin`;
    return reply.redirect(`/${request.locale}/login?next=${encodeURIComponent(next)}`, 303);
  }
  if (!can(request.actor, 'admin.access', { municipalityId: request.municipality.id })) throw new AppError('forbidden');
  return undefined;
}

export function registerAdminRoutes(app: FastifyInstance): void {
  app.register(async (admin) => {
    admin.addHook('preHandler', requireStaff);

    admin.get('/:locale/admin', async (request, reply) => {
      const model = await loadDashboard(dbOf(request), scopeOf(request));
      return sendPage(reply, DashboardPage, { frame: adminFrame(request), model });
    });
    admin.get('/:locale/admin/', async (request, reply) => reply.redirect(`/${request.locale}/admin`, 301));

    registerUserAdminRoutes(admin);
    registerReferenceAdminRoutes(admin);
    registerSettingsAdminRoutes(admin);
    registerOutboxAdminRoutes(admin);
    registerAuditAdminRoutes(admin);
    registerApiKeyAdminRoutes(admin);
    registerComplaintCellRoutes(admin);
  });
}
