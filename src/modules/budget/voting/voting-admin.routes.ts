// The vote in the back office:
//   /:locale/admin/budget/:cycleId/counter      staff checked an ID card: the citizen's ballot
//                                               (castCounterBallot) or a paper ballot handed out
//                                               (registerPaperVoter); then a printable receipt
//   /:locale/admin/budget/:cycleId/signals      the fraud signals report (fraudSignals)
//   /:locale/admin/budget/:cycleId/annulments   past annulments; POST proposes, confirms and
//                                               annuls (annulParticipations)
// Every service call authorizes; these routes only shape pages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormState, emptyForm, formErrorsOf, formValues } from '../../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../../http/render.ts';
import { localName } from '../../../i18n/i18n.ts';
import { AppError, type FieldErrors, isAppError } from '../../../lib/errors.ts';
import { nowIso } from '../../../lib/time.ts';
import { adminFrame, idParam } from '../../admin/admin-http.ts';
import { phaseAt } from '../budget.ts';
import type { PbCycleRow } from '../budget.table.ts';
import { loadCounterPage } from './counter.service.ts';
import { registerSignalsRoutes } from './signals.routes.ts';
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
import { castCounterBallot, findReceipt, registerPaperVoter } from './voting.service.ts';
import { CounterPage, CounterReceiptPage } from './voting-admin.views.tsx';

const COUNTER_RECEIPT_COOKIE = 'twiza_pb_counter_receipt';

export function registerVotingAdminRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const config = app.deps.config;

  async function renderCounter(request: FastifyRequest, reply: FastifyReply, neighbourhoodRaw: unknown, state: FormState, status = 200) {
    const cycleId = idParam(request, 'cycleId');
    const { groups, all } = await neighbourhoodGroups(db, request);
    const neighbourhoodId = neighbourhoodIdOf(neighbourhoodRaw, all);
    const { cycle, form } = await loadCounterPage(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId, neighbourhoodId });
    const neighbourhood = all.find((n) => n.id === neighbourhoodId);
    return sendPage(
      reply,
      CounterPage,
      {
        frame: adminFrame(request),
        state,
        model: {
          cycleId: cycle.id,
          cycleTitle: cycleInfo(cycle, request.locale).title,
          open: phaseAt(cycle, nowIso()) === 'voting',
          counter: cycle.counter_voting === 1,
          paper: cycle.paper_voting === 1,
          neighbourhoods: groups,
          neighbourhoodId,
          neighbourhoodName: neighbourhood ? localName(neighbourhood, request.locale) : '',
          ballot: form ? ballotModelOf(form, request.locale) : null,
          meterScript: ballotScriptHref(),
        },
      },
      status,
    );
  }

  app.get('/:locale/admin/budget/:cycleId/counter', (request, reply) =>
    renderCounter(request, reply, (request.query as Record<string, unknown>).neighbourhood, emptyForm),
  );

  // Parsed by hand like the online ballot (fields depend on the projects); a CSRF failure, a
  // mistake or "already voted" re-render the form with everything the staff member typed.
  app.post('/:locale/admin/budget/:cycleId/counter', { config: { csrfHandledByForm: true } }, async (request, reply) => {
    const values = formValues(request.body);
    if (!request.csrfOk) return renderCounter(request, reply, values.neighbourhood, { values, errors: { _form: 'errors.csrf_invalid' } }, 403);
    const cycleId = idParam(request, 'cycleId');
    const { all } = await neighbourhoodGroups(db, request);
    const neighbourhoodId = neighbourhoodIdOf(values.neighbourhood, all);
    const scope = { actor: request.actor, municipalityId: request.municipality.id, cycleId };
    try {
      const { cycle, form } = await loadCounterPage(db, { ...scope, neighbourhoodId });
      if (!form || neighbourhoodId === null) throw new AppError('validation', { fields: { neighbourhoodId: 'budget.vote.problem.neighbourhood' } });
      const input = ballotInput(values);
      const paper = values.intent === 'paper';
      const errors: FieldErrors = { ...input.errors, ...(paper ? {} : await ballotProblemsOf(db, request, form, input.choices)) };
      if (Object.keys(errors).length > 0) return await renderCounter(request, reply, values.neighbourhood, { values, errors }, 400);
      const voter = {
        secretKey: app.secretKey,
        actor: request.actor!,
        municipalityId: request.municipality.id,
        cycleId,
        idNumber: input.idNumber,
        residence: { neighbourhoodId },
        ageGroup: input.ageGroup,
        gender: input.gender,
      };
      if (paper) {
        await registerPaperVoter(db, voter);
        setFlash(reply, 'budget.counter.paper_done');
        return redirectTo(request, reply, `/admin/budget/${cycle.id}/counter?neighbourhood=${neighbourhoodId}`);
      }
      const { receipt } = await castCounterBallot(db, { ...voter, choices: input.choices });
      reply.setCookie(COUNTER_RECEIPT_COOKIE, `${cycle.id}:${receipt}`, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        signed: true,
        maxAge: 15 * 60,
      });
      return redirectTo(request, reply, `/admin/budget/${cycle.id}/counter/receipt`);
    } catch (error) {
      if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated' && error.code !== 'not_found') {
        return renderCounter(request, reply, values.neighbourhood, { values, errors: formErrorsOf(error) }, error.status);
      }
      throw error;
    }
  });

  app.get('/:locale/admin/budget/:cycleId/counter/receipt', async (request, reply) => {
    const cycleId = idParam(request, 'cycleId');
    const { cycle } = await loadCounterPage(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId, neighbourhoodId: null });
    const raw = request.cookies[COUNTER_RECEIPT_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    const [forCycle, code] = unsigned?.valid && unsigned.value ? unsigned.value.split(':') : [];
    const found = Number(forCycle) === cycle.id && code ? await findReceipt(db, { municipalityId: request.municipality.id, cycleId: cycle.id, receipt: code }) : null;
    if (!found) return redirectTo(request, reply, `/admin/budget/${cycle.id}/counter`);
    return sendPage(reply, CounterReceiptPage, {
      frame: adminFrame(request),
      cycleId: cycle.id,
      cycle: cycleInfo(cycle, request.locale),
      receipt: await receiptViewOf(db, request, cycle as PbCycleRow, found),
      printView: (request.query as Record<string, unknown>).print === '1',
      script: ballotScriptHref(),
    });
  });

  registerSignalsRoutes(app);
}
