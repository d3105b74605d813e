// /:locale/admin/api-keys: administrators create, list and revoke the keys Open311 clients file
// complaints with. A new key is shown in the answer to the form itself rather than after a
// redirect: it exists nowhere else (only its hash is stored), so there is nothing a following
// page could read it from.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { adminFrame, dbOf, idParam, scopeOf } from '../admin/admin-http.ts';
import { API_KEY_NAME_MAX_LENGTH, createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts';
import { ApiKeyCreatedPage, ApiKeysPage } from './api-keys.views.tsx';

const createApiKeyForm = z.object({ name: z.string().trim().min(1).max(API_KEY_NAME_MAX_LENGTH) });

async function renderApiKeysPage(request: FastifyRequest, reply: FastifyReply, state: FormState, status: number) {
  const keys = await listApiKeys(dbOf(request), scopeOf(request));
  const origin = request.server.deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
  return sendPage(reply, ApiKeysPage, { frame: adminFrame(request), model: { keys, endpoint: `${origin}/open311/v2/discovery.xml` }, state }, status);
}

export function registerApiKeyAdminRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/api-keys', async (request, reply) => renderApiKeysPage(request, reply, emptyForm, 200));

  postForm(app, '/:locale/admin/api-keys', {
    schema: createApiKeyForm,
    render: renderApiKeysPage,
    async handle(request, reply, input) {
      const created = await createApiKey(dbOf(request), { ...scopeOf(request), name: input.name });
      return sendPage(reply, ApiKeyCreatedPage, { frame: adminFrame(request), apiKey: created.apiKey, secret: created.key }, 201);
    },
  });

  postForm(app, '/:locale/admin/api-keys/:keyId/revoke', {
    schema: z.object({}),
    render: (request, reply, state, status) => renderApiKeysPage(request, reply, { values: {}, errors: state.errors }, status),
    async handle(request, reply) {
      await revokeApiKey(dbOf(request), { ...scopeOf(request), apiKeyId: idParam(request, 'keyId') });
      setFlash(reply, 'api_keys.flash.revoked');
      return redirectTo(request, reply, '/admin/api-keys');
    },
  });
}
