// The account page and its forms, the data export, confirming a new address, and erasure.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../http/render.ts';
import { localName } from '../../i18n/i18n.ts';
import { decodeDisability } from './accounts.ts';
import {
  changePasswordSchema,
  consentSchema,
  contactSchema,
  disabilitySchema,
  emptySchema,
  eraseSchema,
  profileSchema,
  sessionSchema,
  verifySchema,
} from './accounts.schemas.ts';
import { ownAccountTarget, RATE_LIMITED, redirectToLogin, requireUser } from './accounts.http.ts';
import { type AccountForm, AccountPage, ContactVerifyPage, ErasePage } from './account.views.tsx';
import { describeErasure, eraseAccount, exportAccountData, requestErasureCode } from './data-rights.service.ts';
import {
  changePassword,
  confirmContactChange,
  endOtherSessionsOfAccount,
  getAccountOverview,
  pendingContactChange,
  requestContactChange,
  revokeSession,
  saveDisability,
  updateProfile,
  withdrawConsent,
} from './profile.service.ts';
import { clearSessionCookie } from './session-cookie.ts';
import { describeDevice } from './user-agent.ts';

export function registerAccountPageRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const countryCode = app.deps.config.sms.countryCode;

  async function renderAccount(request: FastifyRequest, reply: FastifyReply, active: { form: AccountForm; state: FormState } | null, status = 200) {
    const current = requireUser(request);
    const overview = await getAccountOverview(db, ownAccountTarget(request));
    const { user } = overview;
    const disabilityConsented = overview.consents.some((c) => c.purpose === 'disability_data' && c.withdrawn_at === null);
    return sendPage(
      reply,
      AccountPage,
      {
        ctx: viewContext(request),
        model: {
          displayName: user.display_name,
          email: user.email,
          emailVerified: user.email_verified_at !== null,
          phone: user.phone,
          phoneVerified: user.phone_verified_at !== null,
          hasPassword: user.password_hash !== null,
          saved: {
            profile: {
              display_name: user.display_name ?? '',
              locale: user.locale,
              gender: user.gender ?? '',
              age_group: user.age_group ?? '',
              neighbourhood: user.neighbourhood_id === null ? '' : String(user.neighbourhood_id),
            },
            disability: { disability: decodeDisability(user.disability), disability_consent: disabilityConsented ? 'yes' : '' },
          },
          disabilityConsented,
          neighbourhoods: overview.neighbourhoods.map((n) => ({ value: String(n.id), label: localName(n, request.locale) })),
          sessions: overview.sessions.map((s) => ({
            id: s.id,
            ...describeDevice(s.user_agent),
            createdAt: s.created_at,
            lastSeenAt: s.last_seen_at,
            current: s.id === current.session.id,
          })),
          consents: overview.consents.map((c) => ({ purpose: c.purpose, version: c.text_version, grantedAt: c.granted_at, withdrawnAt: c.withdrawn_at })),
          active,
        },
      },
      status,
    );
  }

  /** A form of the account page: errors re-render the whole page with that form's input. */
  function accountForm<S extends Parameters<typeof postForm>[2]['schema']>(
    path: string,
    form: AccountForm,
    schema: S,
    handle: Parameters<typeof postForm<S>>[2]['handle'],
    options = {},
  ) {
    postForm(
      app,
      `/:locale/account${path}`,
      { schema, render: (request, reply, state, status) => renderAccount(request, reply, { form, state }, status), handle },
      options,
    );
  }

  app.get('/:locale/account', async (request, reply) => {
    if (!request.currentUser) return redirectToLogin(request, reply);
    return renderAccount(request, reply, null);
  });

  accountForm('/profile', 'profile', profileSchema, async (request, reply, input) => {
    await updateProfile(db, {
      ...ownAccountTarget(request),
      displayName: input.display_name,
      locale: input.locale,
      gender: input.gender,
      ageGroup: input.age_group,
      neighbourhoodId: input.neighbourhood,
    });
    setFlash(reply, 'accounts.profile.saved');
    return redirectTo(request, reply, '/account#profile-title');
  });

  accountForm('/disability', 'disability', disabilitySchema, async (request, reply, input) => {
    await saveDisability(db, {
      ...ownAccountTarget(request),
      consent: input.disability_consent,
      answers: input.disability as Parameters<typeof saveDisability>[1]['answers'],
    });
    setFlash(reply, 'accounts.disability.saved');
    return redirectTo(request, reply, '/account#disability-title');
  });

  accountForm('/password', 'password', changePasswordSchema, async (request, reply, input) => {
    await changePassword(db, {
      ...ownAccountTarget(request),
      municipality: request.municipality,
      currentPassword: input.current_password,
      newPassword: input.new_password,
      currentSessionId: requireUser(request).session.id,
    });
    setFlash(reply, 'accounts.password.changed');
    return redirectTo(request, reply, '/account#password-title');
  });

  accountForm('/sessions/revoke', 'sessions', sessionSchema, async (request, reply, input) => {
    await revokeSession(db, { ...ownAccountTarget(request), sessionId: input.session });
    setFlash(reply, 'accounts.sessions.revoked');
    return redirectTo(request, reply, '/account#sessions-title');
  });

  accountForm('/sessions/end-others', 'sessions', emptySchema, async (request, reply) => {
    await endOtherSessionsOfAccount(db, { ...ownAccountTarget(request), currentSessionId: requireUser(request).session.id });
    setFlash(reply, 'accounts.sessions.ended_others');
    return redirectTo(request, reply, '/account#sessions-title');
  });

  accountForm('/consents/withdraw', 'consents', consentSchema, async (request, reply, input) => {
    await withdrawConsent(db, { ...ownAccountTarget(request), purpose: input.purpose });
    setFlash(reply, 'accounts.consents.withdrawn');
    return redirectTo(request, reply, '/account#consents-title');
  });

  accountForm(
    '/contact',
    'contact',
    contactSchema(countryCode),
    async (request, reply, input) => {
      await requestContactChange(db, { ...ownAccountTarget(request), municipality: request.municipality, contact: input.identifier, secretKey: app.secretKey });
      return redirectTo(request, reply, '/account/contact/verify');
    },
    RATE_LIMITED,
  );

  async function renderContactVerify(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
    const contact = await pendingContactChange(db, ownAccountTarget(request));
    if (!contact) {
      setFlash(reply, 'accounts.contact.expired');
      return redirectTo(request, reply, '/account#contact-title');
    }
    return sendPage(reply, ContactVerifyPage, { ctx: viewContext(request), state, contact }, status);
  }

  app.get('/:locale/account/contact/verify', async (request, reply) => {
    if (!request.currentUser) return redirectToLogin(request, reply);
    return renderContactVerify(request, reply, emptyForm);
  });

  postForm(
    app,
    '/:locale/account/contact/verify',
    {
      schema: verifySchema,
      render: renderContactVerify,
      async handle(request, reply, input) {
        await confirmContactChange(db, { ...ownAccountTarget(request), code: input.code, secretKey: app.secretKey });
        setFlash(reply, 'accounts.contact.changed');
        return redirectTo(request, reply, '/account#contact-title');
      },
    },
    RATE_LIMITED,
  );

  app.get('/:locale/account/export', async (request, reply) => {
    if (!request.currentUser) return redirectToLogin(request, reply);
    const data = await exportAccountData(db, {
      ...ownAccountTarget(request),
      municipality: request.municipality,
      currentSessionId: request.currentUser.session.id,
    });
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="twiza-account-${request.municipality.slug}-${data.account.id}.json"`)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(data, null, 2));
  });

  async function renderErase(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
    const model = await describeErasure(db, ownAccountTarget(request));
    return sendPage(reply, ErasePage, { ctx: viewContext(request), state, model }, status);
  }

  app.get('/:locale/account/erase', async (request, reply) => {
    if (!request.currentUser) return redirectToLogin(request, reply);
    return renderErase(request, reply, emptyForm);
  });

  postForm(
    app,
    '/:locale/account/erase',
    {
      schema: eraseSchema,
      render: renderErase,
      async handle(request, reply, input) {
        await eraseAccount(db, { ...ownAccountTarget(request), password: input.password, code: input.code, secretKey: app.secretKey });
        clearSessionCookie(reply);
        setFlash(reply, 'accounts.erase.done');
        return reply.redirect(`/${request.locale}/`, 303);
      },
    },
    RATE_LIMITED,
  );

  postForm(
    app,
    '/:locale/account/erase/code',
    {
      schema: emptySchema,
      render: renderErase,
      async handle(request, reply) {
        await requestErasureCode(db, { ...ownAccountTarget(request), municipality: request.municipality, secretKey: app.secretKey });
        setFlash(reply, 'accounts.erase.code_sent');
        return redirectTo(request, reply, '/account/erase');
      },
    },
    RATE_LIMITED,
  );
}
