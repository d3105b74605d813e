// Sign-up: the form, the code page bound to this browser's sign-up, and "send a new code".
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../http/render.ts';
import { AppError } from '../../lib/errors.ts';
import { emptySchema, signupSchema, verifySchema } from './accounts.schemas.ts';
import { RATE_LIMITED, signInAndRedirect } from './accounts.http.ts';
import { clearSignupCookie, readSignupCookie, setSignupCookie } from './pending-cookies.ts';
import { findSignupCode, resendSignupCode, startSignup, verifySignup } from './signup.service.ts';
import { SignupPage, SignupVerifyPage } from './signup.views.tsx';

export function registerSignupRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const countryCode = app.deps.config.sms.countryCode;

  const renderSignup = (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) =>
    sendPage(reply, SignupPage, { ctx: viewContext(request), state }, status);

  /** The code page for this browser's sign-up, or back to the form when there is none any more. */
  async function renderVerify(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
    const codeId = readSignupCookie(request);
    const row = codeId === null ? undefined : await findSignupCode(db, { municipalityId: request.municipality.id, codeId });
    if (!row) {
      setFlash(reply, 'accounts.verify.start_again');
      return redirectTo(request, reply, '/signup');
    }
    return sendPage(reply, SignupVerifyPage, { ctx: viewContext(request), state, model: { contact: { channel: row.channel, target: row.target } } }, status);
  }

  app.get('/:locale/signup', async (request, reply) => {
    if (request.currentUser) return redirectTo(request, reply, '/account');
    return renderSignup(request, reply, emptyForm);
  });

  postForm(
    app,
    '/:locale/signup',
    {
      schema: signupSchema(countryCode),
      render: renderSignup,
      async handle(request, reply, input) {
        const { codeId } = await startSignup(db, {
          municipality: request.municipality,
          contact: input.identifier,
          displayName: input.display_name,
          password: input.password,
          locale: request.locale,
          secretKey: app.secretKey,
        });
        setSignupCookie(reply, codeId);
        return redirectTo(request, reply, '/signup/verify');
      },
    },
    RATE_LIMITED,
  );

  app.get('/:locale/signup/verify', async (request, reply) => renderVerify(request, reply, emptyForm));

  postForm(
    app,
    '/:locale/signup/verify',
    {
      schema: verifySchema,
      render: renderVerify,
      async handle(request, reply, input) {
        const codeId = readSignupCookie(request);
        if (codeId === null) throw new AppError('invalid_code', { fields: { _form: 'accounts.verify.start_again' } });
        const { userId } = await verifySignup(db, { municipalityId: request.municipality.id, codeId, code: input.code, secretKey: app.secretKey });
        clearSignupCookie(reply);
        return signInAndRedirect(request, reply, { userId, to: `/${request.locale}/account`, flash: 'accounts.signup.welcome' });
      },
    },
    RATE_LIMITED,
  );

  postForm(
    app,
    '/:locale/signup/resend',
    {
      schema: emptySchema,
      render: renderVerify,
      async handle(request, reply) {
        const codeId = readSignupCookie(request);
        if (codeId === null) throw new AppError('invalid_code', { fields: { _form: 'accounts.verify.start_again' } });
        const renewed = await resendSignupCode(db, { municipality: request.municipality, codeId, locale: request.locale, secretKey: app.secretKey });
        setSignupCookie(reply, renewed.codeId);
        setFlash(reply, 'accounts.verify.resent');
        return redirectTo(request, reply, '/signup/verify');
      },
    },
    RATE_LIMITED,
  );
}
