// Voting: the online ballot, the counter, receipts, fraud signals and annulments.
//
// Online, step by step, every step a plain form (no JavaScript needed):
//   GET  /:locale/budget/:slug/vote            who may vote, what to bring, the phone form
//   POST /:locale/budget/:slug/vote/phone      startPhoneCheck → the check id in a signed cookie
//   GET/POST /:locale/budget/:slug/vote/code   confirmPhoneCheck → the ballot token in a cookie
//   GET  /:locale/budget/:slug/vote/residence  the neighbourhood (a GET form)
//   GET/POST /:locale/budget/:slug/vote/ballot loadBallotForm / castOnlineBallot
//   GET  /:locale/budget/:slug/vote/done       the receipt (its code in a signed cookie, not the URL)
//   GET/POST /:locale/budget/:slug/receipt     check a receipt code (posted: never in a URL)
// The ballot token is never in a URL: it lives in an HttpOnly, SameSite=Lax cookie whose path is
// the vote's own (one per language prefix, so switching language keeps it).
//
// Back office (voting-admin.routes.ts): the counter, fraud signals, annulments.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LOCALES, type Locale } from '../../../config.ts';
import { type FormState, emptyForm, formErrorsOf, formValues, postForm } from '../../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../../http/render.ts';
import { localName } from '../../../i18n/i18n.ts';
import { AppError, type FieldErrors, isAppError } from '../../../lib/errors.ts';
import { nowIso } from '../../../lib/time.ts';
import { phaseAt } from '../budget.ts';
import type { PbCycleRow } from '../budget.table.ts';
import { findCycleBySlug } from '../cycles.repository.ts';
import { confirmPhoneCheck, startPhoneCheck } from './phone-check.service.ts';
import { registerVotingAdminRoutes } from './voting-admin.routes.ts';
import {
  ballotInput,
  ballotModelOf,
  ballotProblemsOf,
  ballotScriptHref,
  cycleInfo,
  neighbourhoodGroups,
  neighbourhoodIdOf,
  receiptViewOf,
} from './voting-pages.ts';
import { castOnlineBallot, findReceipt, loadBallotForm } from './voting.service.ts';
import {
  type ClosedModel,
  type CyclePageInfo,
  ReceiptCheckPage,
  VoteBallotPage,
  VoteClosedPage,
  VoteCodePage,
  VoteIntroPage,
  VoteReceiptPage,
  VoteResidencePage,
} from './voting.views.tsx';

const CHECK_COOKIE = 'twiza_pb_check';
const TOKEN_COOKIE = 'twiza_pb_ballot';
const RECEIPT_COOKIE = 'twiza_pb_receipt';
/** As long as a ballot token works (phone-check.service.ts). */
const TOKEN_MAX_AGE = 30 * 60;
/** SMS codes cost money and reach people's phones: a few per minute per address is plenty. */
const SMS_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };

const phoneSchema = z.object({ phone: z.string().trim().min(1, 'validation.required').max(30) });
const codeSchema = z.object({ code: z.string().trim().min(1, 'validation.required').max(10) });

export function registerBudgetVotingRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const config = app.deps.config;
  const meterScript = ballotScriptHref();

  // ------------------------------------------------------------------------------------------
  // Helpers

  async function cycleOf(request: FastifyRequest): Promise<PbCycleRow> {
    const slug = (request.params as { slug?: string }).slug ?? '';
    const cycle = await findCycleBySlug(db, request.municipality.id, slug);
    if (!cycle || phaseAt(cycle, nowIso()) === 'draft') throw new AppError('not_found');
    return cycle;
  }

  const votePath = (cycle: PbCycleRow) => `/budget/${cycle.slug}/vote`;

  function cookieOptions(locale: Locale, cycle: PbCycleRow, maxAge: number) {
    return { path: `/${locale}/budget/${cycle.slug}/vote`, httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies, maxAge };
  }

  /** Sets a cookie under each language's vote path, so switching language mid-vote keeps it. */
  function setVoteCookie(reply: FastifyReply, cycle: PbCycleRow, name: string, value: string, maxAge: number, signed: boolean): void {
    for (const locale of LOCALES) reply.setCookie(name, value, { ...cookieOptions(locale, cycle, maxAge), signed });
  }

  function clearVoteCookie(reply: FastifyReply, cycle: PbCycleRow, name: string): void {
    for (const locale of LOCALES) reply.clearCookie(name, { path: `/${locale}/budget/${cycle.slug}/vote` });
  }

  function signedCookie(request: FastifyRequest, name: string): string | null {
    const raw = request.cookies[name];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid ? unsigned.value : null;
  }

  /** Outside the voting phase every step shows when voting opens or closed; null while open. */
  function closedModel(cycle: PbCycleRow, info: CyclePageInfo): ClosedModel | null {
    const phase = phaseAt(cycle, nowIso());
    if (phase === 'voting') return null;
    const state = phase === 'results' ? 'results' : phase === 'counting' ? 'closed' : 'not_yet';
    return { cycle: info, state, opensAt: cycle.voting_open_at, closesAt: cycle.voting_close_at, counter: cycle.counter_voting === 1 };
  }

  async function renderIntro(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const closed = closedModel(cycle, info);
    if (closed) return sendPage(reply, VoteClosedPage, { ctx: viewContext(request), model: closed }, status);
    return sendPage(
      reply,
      VoteIntroPage,
      {
        ctx: viewContext(request),
        state,
        model: {
          cycle: info,
          municipalityName: localName(request.municipality, request.locale),
          minAge: cycle.min_age,
          maxVotersPerPhone: cycle.max_voters_per_phone,
          online: cycle.online_voting === 1,
          counter: cycle.counter_voting === 1,
          paper: cycle.paper_voting === 1,
          closesAt: cycle.voting_close_at,
        },
      },
      status,
    );
  }

  async function renderCode(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const closed = closedModel(cycle, info);
    if (closed) return sendPage(reply, VoteClosedPage, { ctx: viewContext(request), model: closed });
    return sendPage(reply, VoteCodePage, { ctx: viewContext(request), cycle: info, state }, status);
  }

  async function renderBallot(request: FastifyRequest, reply: FastifyReply, cycle: PbCycleRow, neighbourhoodId: number, state: FormState, status = 200) {
    const info = cycleInfo(cycle, request.locale);
    const form = await loadBallotForm(db, { municipalityId: request.municipality.id, cycleId: cycle.id, neighbourhoodId });
    const { all } = await neighbourhoodGroups(db, request);
    const neighbourhood = all.find((n) => n.id === neighbourhoodId);
    return sendPage(
      reply,
      VoteBallotPage,
      {
        ctx: viewContext(request),
        state,
        model: {
          cycle: info,
          neighbourhoodId,
          neighbourhoodName: neighbourhood ? localName(neighbourhood, request.locale) : '',
          municipalityName: localName(request.municipality, request.locale),
          minAge: cycle.min_age,
          ballot: ballotModelOf(form, request.locale),
          meterScript,
        },
      },
      status,
    );
  }

  /** Without a ballot token the ballot cannot be cast: back to the start, saying why. */
  function restart(request: FastifyRequest, reply: FastifyReply, cycle: PbCycleRow) {
    setFlash(reply, 'budget.vote.session_expired');
    return redirectTo(request, reply, votePath(cycle));
  }

  // ------------------------------------------------------------------------------------------
  // The online vote

  app.get('/:locale/budget/:slug/vote', (request, reply) => renderIntro(request, reply, emptyForm));

  postForm(
    app,
    '/:locale/budget/:slug/vote/phone',
    {
      schema: phoneSchema,
      render: (request, reply, state, status) => renderIntro(request, reply, state, status),
      async handle(request, reply, input) {
        const cycle = await cycleOf(request);
        const { checkId } = await startPhoneCheck(db, {
          secretKey: app.secretKey,
          municipality: request.municipality,
          cycleId: cycle.id,
          phone: input.phone,
          ip: request.ip,
          locale: request.locale,
        });
        setVoteCookie(reply, cycle, CHECK_COOKIE, `${cycle.id}:${checkId}`, TOKEN_MAX_AGE, true);
        return redirectTo(request, reply, `${votePath(cycle)}/code`);
      },
    },
    { config: SMS_LIMIT },
  );

  app.get('/:locale/budget/:slug/vote/code', async (request, reply) => {
    const cycle = await cycleOf(request);
    if (!signedCookie(request, CHECK_COOKIE)) {
      setFlash(reply, 'budget.vote.code.no_check');
      return redirectTo(request, reply, votePath(cycle));
    }
    return renderCode(request, reply, emptyForm);
  });

  postForm(app, '/:locale/budget/:slug/vote/code', {
    schema: codeSchema,
    render: (request, reply, state, status) => renderCode(request, reply, state, status),
    async handle(request, reply, input) {
      const cycle = await cycleOf(request);
      const [cycleId, checkId] = (signedCookie(request, CHECK_COOKIE) ?? '').split(':').map(Number);
      if (cycleId !== cycle.id || !checkId) throw new AppError('validation', { fields: { _form: 'budget.vote.code.no_check' } });
      const { token } = await confirmPhoneCheck(db, { secretKey: app.secretKey, municipalityId: request.municipality.id, cycleId: cycle.id, checkId, code: input.code });
      clearVoteCookie(reply, cycle, CHECK_COOKIE);
      setVoteCookie(reply, cycle, TOKEN_COOKIE, token, TOKEN_MAX_AGE, false);
      return redirectTo(request, reply, `${votePath(cycle)}/residence`);
    },
  });

  app.get('/:locale/budget/:slug/vote/residence', async (request, reply) => {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const closed = closedModel(cycle, info);
    if (closed) return sendPage(reply, VoteClosedPage, { ctx: viewContext(request), model: closed });
    if (!request.cookies[TOKEN_COOKIE]) return restart(request, reply, cycle);
    const { groups } = await neighbourhoodGroups(db, request);
    const selected = (request.query as Record<string, unknown>).neighbourhood;
    return sendPage(reply, VoteResidencePage, {
      ctx: viewContext(request),
      cycle: info,
      neighbourhoods: groups,
      selected: typeof selected === 'string' ? selected : '',
      error: false,
    });
  });

  app.get('/:locale/budget/:slug/vote/ballot', async (request, reply) => {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const closed = closedModel(cycle, info);
    if (closed) return sendPage(reply, VoteClosedPage, { ctx: viewContext(request), model: closed });
    if (!request.cookies[TOKEN_COOKIE]) return restart(request, reply, cycle);
    const { groups, all } = await neighbourhoodGroups(db, request);
    const neighbourhoodId = neighbourhoodIdOf((request.query as Record<string, unknown>).neighbourhood, all);
    if (neighbourhoodId === null) {
      return sendPage(reply, VoteResidencePage, { ctx: viewContext(request), cycle: info, neighbourhoods: groups, selected: '', error: true }, 400);
    }
    return renderBallot(request, reply, cycle, neighbourhoodId, emptyForm);
  });

  // The ballot is parsed by hand (its fields depend on the projects), so it does not go through
  // postForm's schema; the CSRF failure re-renders it with every choice kept all the same.
  app.post('/:locale/budget/:slug/vote/ballot', { config: { csrfHandledByForm: true } }, async (request, reply) => {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const closed = closedModel(cycle, info);
    if (closed) return sendPage(reply, VoteClosedPage, { ctx: viewContext(request), model: closed }, 409);
    const values = formValues(request.body);
    const { groups, all } = await neighbourhoodGroups(db, request);
    const neighbourhoodId = neighbourhoodIdOf(values.neighbourhood, all);
    if (neighbourhoodId === null) {
      return sendPage(reply, VoteResidencePage, { ctx: viewContext(request), cycle: info, neighbourhoods: groups, selected: '', error: true }, 400);
    }
    if (!request.csrfOk) return renderBallot(request, reply, cycle, neighbourhoodId, { values, errors: { _form: 'errors.csrf_invalid' } }, 403);
    const token = request.cookies[TOKEN_COOKIE];
    if (!token) return restart(request, reply, cycle);
    const input = ballotInput(values);
    try {
      const form = await loadBallotForm(db, { municipalityId: request.municipality.id, cycleId: cycle.id, neighbourhoodId });
      const errors: FieldErrors = { ...input.errors, ...(await ballotProblemsOf(db, request, form, input.choices)) };
      if (!input.declaredEligible) errors.declaredEligible = 'budget.vote.problem.declared';
      if (Object.keys(errors).length > 0) return renderBallot(request, reply, cycle, neighbourhoodId, { values, errors }, 400);
      const { receipt } = await castOnlineBallot(db, {
        secretKey: app.secretKey,
        municipalityId: request.municipality.id,
        cycleId: cycle.id,
        token,
        idNumber: input.idNumber,
        residence: { neighbourhoodId },
        ageGroup: input.ageGroup,
        gender: input.gender,
        declaredEligible: input.declaredEligible,
        choices: input.choices,
        ip: request.ip,
      });
      clearVoteCookie(reply, cycle, TOKEN_COOKIE);
      // Short-lived: on a shared computer the next person should not find the choices.
      setVoteCookie(reply, cycle, RECEIPT_COOKIE, receipt, 15 * 60, true);
      return redirectTo(request, reply, `${votePath(cycle)}/done`);
    } catch (error) {
      if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated') {
        const errors = formErrorsOf(error);
        // A used or expired token cannot be fixed on this page: start again from the phone.
        if (errors._form === 'budget.vote.error.token_invalid' || errors._form === 'budget.vote.error.token_used') {
          clearVoteCookie(reply, cycle, TOKEN_COOKIE);
        }
        return renderBallot(request, reply, cycle, neighbourhoodId, { values, errors }, error.status);
      }
      throw error;
    }
  });

  app.get('/:locale/budget/:slug/vote/done', async (request, reply) => {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const code = signedCookie(request, RECEIPT_COOKIE);
    const found = code ? await findReceipt(db, { municipalityId: request.municipality.id, cycleId: cycle.id, receipt: code }) : null;
    if (!found) {
      setFlash(reply, 'budget.vote.receipt.gone');
      return redirectTo(request, reply, `/budget/${cycle.slug}/receipt`);
    }
    const receipt = await receiptViewOf(db, request, cycle, found);
    const printView = (request.query as Record<string, unknown>).print === '1';
    return sendPage(reply, VoteReceiptPage, { ctx: viewContext(request), cycle: info, receipt, printView, script: meterScript });
  });

  // ------------------------------------------------------------------------------------------
  // Checking a receipt

  // The code is the ballot's id, published with its choices: a request log line would tie it to
  // the visitor's address and the time. The form posts it (so it is in no URL); links with
  // ?code= still work, and this route is not logged below warnings.
  async function renderReceiptCheck(request: FastifyRequest, reply: FastifyReply, raw: unknown) {
    const cycle = await cycleOf(request);
    const info = cycleInfo(cycle, request.locale);
    const query = typeof raw === 'string' ? raw.trim().slice(0, 40) : '';
    const published = phaseAt(cycle, nowIso()) === 'results';
    if (query === '') return sendPage(reply, ReceiptCheckPage, { ctx: viewContext(request), model: { cycle: info, query, found: undefined, invalid: false, published } });
    const invalid = !/^[0-9A-Za-z\s-]{12,20}$/.test(query) || query.replace(/[\s-]/g, '').length !== 12;
    const found = invalid ? null : await findReceipt(db, { municipalityId: request.municipality.id, cycleId: cycle.id, receipt: query });
    const view = found ? await receiptViewOf(db, request, cycle, found) : null;
    return sendPage(reply, ReceiptCheckPage, { ctx: viewContext(request), model: { cycle: info, query, found: view, invalid, published } }, invalid ? 400 : 200);
  }

  app.get('/:locale/budget/:slug/receipt', { logLevel: 'warn' }, (request, reply) =>
    renderReceiptCheck(request, reply, (request.query as Record<string, unknown>).code),
  );

  app.post('/:locale/budget/:slug/receipt', { logLevel: 'warn', config: { csrfHandledByForm: true } }, async (request, reply) => {
    const code = formValues(request.body).code;
    if (!request.csrfOk) {
      // Nothing is looked up; the form comes back with the code kept.
      const cycle = await cycleOf(request);
      const model = { cycle: cycleInfo(cycle, request.locale), query: typeof code === 'string' ? code.slice(0, 40) : '', found: undefined, invalid: false, published: phaseAt(cycle, nowIso()) === 'results' };
      return sendPage(reply, ReceiptCheckPage, { ctx: viewContext(request), model }, 403);
    }
    return renderReceiptCheck(request, reply, code);
  });

  registerVotingAdminRoutes(app);
}

