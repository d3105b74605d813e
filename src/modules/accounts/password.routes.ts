// Forgotten password: ask for a code, then type it with a new password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, viewContext } from '../../http/render.ts';
import { parseContact } from './accounts.ts';
import { codeRequestSchema, resetSchema } from './accounts.schemas.ts';
import { RATE_LIMITED, signInAndRedirect } from './accounts.http.ts';
import { requestPasswordReset, resetPassword } from './password-reset.service.ts';
import { ForgotPasswordPage, ResetPasswordPage } from './password.views.tsx';
import { forgetIdentifier, rememberedIdentifier, rememberIdentifier } from './pending-cookies.ts';

export function registerPasswordRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const countryCode = app.deps.config.sms.countryCode;

  const renderForgot = (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) =>
    sendPage(reply, ForgotPasswordPage, { ctx: viewContext(request), state }, status);
  const renderReset = (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) =>
    sendPage(reply, ResetPasswordPage, { ctx: viewContext(request), state, identifier: rememberedIdentifier(request) ?? undefined }, status);

  app.get('/:locale/password/forgot', async (request, reply) => renderForgot(request, reply, emptyForm));

  postForm(
    app,
    '/:locale/password/forgot',
    {
      schema: codeRequestSchema(countryCode),
      render: renderForgot,
      async handle(request, reply, input) {
        // The same answer whether or not an account uses the address.
        await requestPasswordReset(db, { municipality: request.municipality, contact: input.identifier, secretKey: app.secretKey });
        rememberIdentifier(reply, input.identifier.target);
        return redirectTo(request, reply, '/password/reset');
      },
    },
    RATE_LIMITED,
  );

  app.get('/:locale/password/reset', async (request, reply) => renderReset(request, reply, emptyForm));

  postForm(
    app,
    '/:locale/password/reset',
    {
      schema: resetSchema,
      render: renderReset,
      async handle(request, reply, input) {
        const user = await resetPassword(db, {
          municipality: request.municipality,
          contact: parseContact(input.identifier, countryCode),
          code: input.code,
          newPassword: input.new_password,
          secretKey: app.secretKey,
        });
        forgetIdentifier(reply);
        return signInAndRedirect(request, reply, { userId: user.id, to: `/${request.locale}/account`, flash: 'accounts.reset.done' });
      },
    },
    RATE_LIMITED,
  );
}
