// Fraud signals and annulments in the back office (see voting-admin.routes.ts):
//   GET  /:locale/admin/budget/:cycleId/signals     the report (budget.view_signals)
//   GET  /:locale/admin/budget/:cycleId/annulments  past annulments
//   POST /:locale/admin/budget/:cycleId/annulments  "propose annulment" from a signal: first the
//        confirm step (the reason, required and public), then annulParticipations (budget.annul)
//   POST /:locale/admin/budget/:cycleId/annulments/by-card  a citizen whose card "has already
//        voted" without them: the card's participation, then the same confirm step
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormState, formErrorsOf, formValues } from '../../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../../http/render.ts';
import { isAppError } from '../../../lib/errors.ts';
import { translate } from '../../../i18n/i18n.ts';
import { can } from '../../../auth/policies.ts';
import { adminFrame, idParam } from '../../admin/admin-http.ts';
import { annulParticipations, findParticipationByCard } from './annulments.service.ts';
import { listAnnulmentsForStaff } from './annulments-page.service.ts';
import { type FraudSignals, fraudSignals } from './signals.service.ts';
import { cycleInfo } from './voting-pages.ts';
import { normaliseIdNumber } from './voters.ts';
import { AnnulConfirmPage, AnnulmentsPage, type SignalSection, SignalsPage } from './voting-admin.views.tsx';

/** 'YYYY-MM-DDTHH' (a local hour) as the tables write it. */
function hourText(localHour: string): string {
  return `${localHour.slice(0, 10)} ${localHour.slice(11, 13)}:00`;
}

export function signalSections(report: FraudSignals): SignalSection[] {
  return [
    {
      key: 'bursts',
      rows: report.burstHours.map((h) => ({ label: hourText(h.localHour), when: null, count: h.count, participationIds: h.participationIds })),
    },
    {
      key: 'ip_bursts',
      rows: report.ipBursts.map((b) => ({ label: b.ip, when: hourText(b.localHour), count: b.count, participationIds: b.participationIds })),
    },
    {
      // A family sharing a phone is normal: only phones at the threshold are listed, the others counted.
      key: 'many_voters',
      rows: report.sharedPhones.filter((p) => p.flagged).map((p) => ({ label: p.phone, when: null, count: p.count, participationIds: p.participationIds, flagged: true })),
      belowCount: report.sharedPhones.filter((p) => !p.flagged).length,
    },
    {
      key: 'night',
      rows: report.nightByDay
        .filter((d) => d.night > 0)
        .map((d) => ({ label: d.day, when: null, count: d.night, participationIds: d.participationIds, share: d.share })),
    },
    {
      key: 'failed_checks',
      rows: report.failedChecksByIp.filter((f) => f.flagged).map((f) => ({ label: f.ip, when: null, count: f.failed, participationIds: [], flagged: true })),
      belowCount: report.failedChecksByIp.filter((f) => !f.flagged).length,
    },
  ];
}

/** Participation ids as posted: "12 15 16" (the signal's hidden field). */
function idsOf(raw: unknown): number[] {
  const text = typeof raw === 'string' ? raw : '';
  return text
    .split(/[\s,]+/)
    .filter((x) => /^[1-9]\d{0,11}$/.test(x))
    .map(Number)
    .slice(0, 100_000);
}

export function registerSignalsRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;

  app.get('/:locale/admin/budget/:cycleId/signals', async (request, reply) => {
    const cycleId = idParam(request, 'cycleId');
    const report = await fraudSignals(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId });
    const { cycle } = await listAnnulmentsForStaff(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId });
    return sendPage(reply, SignalsPage, {
      frame: adminFrame(request),
      model: {
        cycleId,
        cycleTitle: cycleInfo(cycle, request.locale).title,
        total: report.participations,
        median: report.medianHourly,
        perHour: report.hourly.map((h) => ({ hour: hourText(h.localHour), count: h.count })),
        sections: signalSections(report),
        canAnnul: can(request.actor, 'budget.annul', { municipalityId: request.municipality.id }),
      },
    });
  });

  async function renderAnnulments(request: FastifyRequest, reply: FastifyReply, cardState: FormState = { values: {}, errors: {} }, status = 200) {
    const cycleId = idParam(request, 'cycleId');
    const { cycle, annulments } = await listAnnulmentsForStaff(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId });
    const canAnnul = can(request.actor, 'budget.annul', { municipalityId: request.municipality.id });
    return sendPage(
      reply,
      AnnulmentsPage,
      { frame: adminFrame(request), cycleId, cycleTitle: cycleInfo(cycle, request.locale).title, rows: annulments, canAnnul, cardState },
      status,
    );
  }

  app.get('/:locale/admin/budget/:cycleId/annulments', (request, reply) => renderAnnulments(request, reply));

  // The card number is typed, looked up by its keyed hash, and never kept or shown again (the
  // confirm step names only its last two digits).
  app.post('/:locale/admin/budget/:cycleId/annulments/by-card', { config: { csrfHandledByForm: true } }, async (request, reply) => {
    const values = formValues(request.body);
    const typed = typeof values.idNumber === 'string' ? values.idNumber : '';
    if (!request.csrfOk) return renderAnnulments(request, reply, { values, errors: { _form: 'errors.csrf_invalid' } }, 403);
    let found: Awaited<ReturnType<typeof findParticipationByCard>>;
    try {
      found = await findParticipationByCard(db, {
        secretKey: app.secretKey,
        actor: request.actor,
        municipalityId: request.municipality.id,
        cycleId: idParam(request, 'cycleId'),
        idNumber: typed,
      });
    } catch (error) {
      if (isAppError(error, 'validation')) return renderAnnulments(request, reply, { values, errors: formErrorsOf(error) }, 400);
      throw error;
    }
    if (!found) return renderAnnulments(request, reply, { values, errors: { idNumber: 'budget.annul.card_not_found' } }, 404);
    const last = (normaliseIdNumber(typed) ?? '').slice(-2);
    const about = translate(request.locale, 'budget.annul.card_about', { last });
    return renderConfirm(request, reply, [found.id], about, { values: {}, errors: {} });
  });

  async function renderConfirm(request: FastifyRequest, reply: FastifyReply, ids: number[], about: string, state: FormState, status = 200) {
    const cycleId = idParam(request, 'cycleId');
    const { cycle } = await listAnnulmentsForStaff(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId, toAnnul: true });
    return sendPage(reply, AnnulConfirmPage, { frame: adminFrame(request), cycleId, cycleTitle: cycleInfo(cycle, request.locale).title, ids, about, state }, status);
  }

  // One route for both steps, so the signal's "propose" button needs no JavaScript: without
  // confirm=yes it shows the confirm step; with it, the annulment is made (or the step comes
  // back with the reason kept and the problem said).
  app.post('/:locale/admin/budget/:cycleId/annulments', { config: { csrfHandledByForm: true } }, async (request, reply) => {
    const values = formValues(request.body);
    const ids = idsOf(values.participations);
    const about = typeof values.about === 'string' ? values.about.slice(0, 100) : '';
    const cycleId = idParam(request, 'cycleId');
    if (!request.csrfOk) return renderConfirm(request, reply, ids, about, { values, errors: { _form: 'errors.csrf_invalid' } }, 403);
    if (values.confirm !== 'yes') return renderConfirm(request, reply, ids, about, { values: {}, errors: {} });
    try {
      await annulParticipations(db, {
        secretKey: app.secretKey,
        actor: request.actor,
        municipalityId: request.municipality.id,
        cycleId,
        participationIds: ids,
        reason: typeof values.reason === 'string' ? values.reason : '',
      });
    } catch (error) {
      if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated' && error.code !== 'not_found') {
        return renderConfirm(request, reply, ids, about, { values, errors: formErrorsOf(error) }, error.status);
      }
      throw error;
    }
    setFlash(reply, 'budget.annul.done');
    return redirectTo(request, reply, `/admin/budget/${cycleId}/annulments`);
  });
}
