// People pages: /admin/users (search, pagination) and /admin/users/:userId (roles, status).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../auth/policies.ts';
import { emptyForm as emptyState, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { adminFrame, dbOf, idParam, PAGE_SIZE, paginationLinks, parseQuery, scopeOf } from './admin-http.ts';
import { accountStatusForm, emptyForm, grantRoleForm, usersQuery } from './admin.schemas.ts';
import { getUserDetail, grantRole, listUsers, revokeRole, setAccountStatus } from './users.service.ts';
import { UserPage, UsersListPage, type UserPageModel } from './users.views.tsx';

async function renderUserPage(
  request: FastifyRequest,
  reply: FastifyReply,
  state: FormState,
  status: number,
  failedForm?: UserPageModel['failedForm'],
) {
  const userId = idParam(request, 'userId');
  const detail = await getUserDetail(dbOf(request), { ...scopeOf(request), userId });
  const mayReadAudit = can(request.actor, 'audit.view', { municipalityId: request.municipality.id });
  return sendPage(reply, UserPage, { frame: adminFrame(request), model: { detail, mayReadAudit, failedForm }, state }, status);
}

export function registerUserAdminRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/users', async (request, reply) => {
    const query = parseQuery(usersQuery, request.query);
    const list = await listUsers(dbOf(request), {
      ...scopeOf(request),
      text: query.q,
      role: query.role,
      page: query.page ?? 1,
      pageSize: PAGE_SIZE,
    });
    const filters = { q: query.q, role: query.role };
    return sendPage(reply, UsersListPage, {
      frame: adminFrame(request),
      model: { list, filters, pagination: paginationLinks(request, '/admin/users', filters, list.page, list.pageCount) },
    });
  });

  app.get('/:locale/admin/users/:userId', async (request, reply) => renderUserPage(request, reply, emptyState, 200));

  postForm(app, '/:locale/admin/users/:userId/roles', {
    schema: grantRoleForm,
    render: (request, reply, state, status) => renderUserPage(request, reply, state, status, 'grant'),
    async handle(request, reply, input) {
      const userId = idParam(request, 'userId');
      await grantRole(dbOf(request), { ...scopeOf(request), userId, role: input.role, departmentId: input.department_id });
      setFlash(reply, 'admin.flash.role_granted');
      return redirectTo(request, reply, `/admin/users/${userId}`);
    },
  });

  postForm(app, '/:locale/admin/users/:userId/roles/:grantId/revoke', {
    schema: emptyForm,
    render: (request, reply, state, status) => renderUserPage(request, reply, { values: {}, errors: state.errors }, status, 'revoke'),
    async handle(request, reply) {
      const userId = idParam(request, 'userId');
      await revokeRole(dbOf(request), { ...scopeOf(request), userId, grantId: idParam(request, 'grantId') });
      setFlash(reply, 'admin.flash.role_revoked');
      // Someone who gave up one of their own roles may no longer open this page.
      return redirectTo(request, reply, userId === request.actor?.userId ? '/' : `/admin/users/${userId}`);
    },
  });

  postForm(app, '/:locale/admin/users/:userId/status', {
    schema: accountStatusForm,
    render: (request, reply, state, status) => renderUserPage(request, reply, { values: {}, errors: state.errors }, status, 'status'),
    async handle(request, reply, input) {
      const userId = idParam(request, 'userId');
      await setAccountStatus(dbOf(request), { ...scopeOf(request), userId, version: input.version, status: input.status });
      setFlash(reply, input.status === 'disabled' ? 'admin.flash.account_disabled' : 'admin.flash.account_enabled');
      return redirectTo(request, reply, `/admin/users/${userId}`);
    },
  });
}
