// Logging in (password, or a code sent to the phone or e-mail) and out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { sendPage, setFlash, viewContext } from '../../http/render.ts';
import { parseContact, safeNextPath } from './accounts.ts';
import { codeRequestSchema, loginCodeSchema, loginSchema } from './accounts.schemas.ts';
import { RATE_LIMITED, signInAndRedirect } from './accounts.http.ts';
import { loginWithCode, loginWithPassword, requestLoginCode } from './login.service.ts';
import { LoginCodeRequestPage, LoginCodeVerifyPage, LoginPage } from './login.views.tsx';
import { forgetIdentifier, rememberedIdentifier, rememberIdentifier } from './pending-cookies.ts';
import { endSession } from './sessions.service.ts';
import { clearSessionCookie, SESSION_COOKIE } from './session-cookie.ts';

/** The page to return to after logging in, from the form or the query; only a safe one is kept. */
function nextOf(request: FastifyRequest, state?: FormState): string | undefined {
  const posted = state?.values.next;
  const candidate = typeof posted === 'string' ? posted : (request.query as { next?: unknown } | undefined)?.next;
  const safe = safeNextPath(candidate, request.locale);
  return safe === candidate ? safe : undefined;
}

export function registerLoginRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const countryCode = app.deps.config.sms.countryCode;

  const alreadySignedIn = (request: FastifyRequest, reply: FastifyReply) =>
    reply.redirect(safeNextPath(nextOf(request), request.locale), 303);

  const renderLogin = (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) =>
    sendPage(reply, LoginPage, { ctx: viewContext(request), state, next: nextOf(request, state) }, status);
  const renderCodeRequest = (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) =>
    sendPage(reply, LoginCodeRequestPage, { ctx: viewContext(request), state, next: nextOf(request, state) }, status);
  const renderCodeVerify = (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) =>
    sendPage(
      reply,
      LoginCodeVerifyPage,
      { ctx: viewContext(request), state, next: nextOf(request, state), identifier: rememberedIdentifier(request) ?? undefined },
      status,
    );

  app.get('/:locale/login', async (request, reply) => (request.currentUser ? alreadySignedIn(request, reply) : renderLogin(request, reply, emptyForm)));

  postForm(
    app,
    '/:locale/login',
    {
      schema: loginSchema,
      render: renderLogin,
      async handle(request, reply, input) {
        const user = await loginWithPassword(db, {
          municipalityId: request.municipality.id,
          contact: parseContact(input.identifier, countryCode),
          password: input.password,
        });
        return signInAndRedirect(request, reply, { userId: user.id, to: safeNextPath(input.next, request.locale), flash: 'accounts.login.done' });
      },
    },
    RATE_LIMITED,
  );

  app.get('/:locale/login/code', async (request, reply) =>
    request.currentUser ? alreadySignedIn(request, reply) : renderCodeRequest(request, reply, emptyForm),
  );

  postForm(
    app,
    '/:locale/login/code',
    {
      schema: codeRequestSchema(countryCode),
      render: renderCodeRequest,
      async handle(request, reply, input) {
        await requestLoginCode(db, { municipality: request.municipality, contact: input.identifier, secretKey: app.secretKey });
        rememberIdentifier(reply, input.identifier.target);
        const next = nextOf(request, { values: { next: input.next ?? '' }, errors: {} });
        return reply.redirect(`/${request.locale}/login/code/verify${next ? `?next=${encodeURIComponent(next)}` : ''}`, 303);
      },
    },
    RATE_LIMITED,
  );

  app.get('/:locale/login/code/verify', async (request, reply) =>
    request.currentUser ? alreadySignedIn(request, reply) : renderCodeVerify(request, reply, emptyForm),
  );

  postForm(
    app,
    '/:locale/login/code/verify',
    {
      schema: loginCodeSchema,
      render: renderCodeVerify,
      async handle(request, reply, input) {
        const user = await loginWithCode(db, {
          municipalityId: request.municipality.id,
          contact: parseContact(input.identifier, countryCode),
          code: input.code,
          secretKey: app.secretKey,
        });
        forgetIdentifier(reply);
        return signInAndRedirect(request, reply, { userId: user.id, to: safeNextPath(input.next, request.locale), flash: 'accounts.login.done' });
      },
    },
    RATE_LIMITED,
  );

  // A plain POST: the global hook answers a bad CSRF token with a 403 page, and there is no
  // form to re-render.
  app.post('/:locale/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(db, token);
    clearSessionCookie(reply);
    setFlash(reply, 'accounts.logout.done');
    return reply.redirect(`/${request.locale}/`, 303);
  });
}
