// Paper ballots: batches keyed twice, compared, accepted (back office).
//
//   /:locale/admin/budget/:cycleId/paper                            batches; POST opens one
//   /:locale/admin/budget/:cycleId/paper/:batchId                   a batch: passes, comparison, decision
//   /:locale/admin/budget/:cycleId/paper/:batchId/pass/:pass/:pos   keys (or corrects) one ballot
//   POST …/:batchId/accept, …/:batchId/reject                       the budget team's decision
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formErrorsOf, type FormState, formValues, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import { toLatinDigits } from '../../lib/phone.ts';
import { adminFrame, dbOf, idParam, scopeOf } from '../admin/admin-http.ts';
import {
  acceptPaperBatch,
  createPaperBatch,
  keyPaperEntry,
  loadPaperBatch,
  loadPaperBatches,
  loadPaperEntryForm,
  type PaperEntryInput,
  rejectPaperBatch,
} from './paper.service.ts';
import { entryFormValues, entryPath, PaperBatchesPage, PaperBatchPage, PaperEntryPage, paperPath } from './paper.views.tsx';

const BASE = '/:locale/admin/budget/:cycleId/paper';

const digits = (max: number) =>
  z
    .string()
    .transform((v) => toLatinDigits(v).trim())
    .pipe(z.string().min(1, 'validation.required').regex(new RegExp(`^\\d{1,${max}}$`), 'validation.invalid_number'))
    .transform(Number);

const batchForm = z.object({
  batchNumber: z.string().trim().min(1, 'validation.required').max(20),
  station: z.string().max(120).optional(),
  sheet: z.string().regex(/^(city|\d{1,12})$/, 'budget.paper.error.sheet_required'),
  declaredCount: digits(4),
});

const versionField = z.string().regex(/^\d{1,9}$/).transform(Number);
const acceptForm = z.object({ version: versionField });
const rejectForm = z.object({ version: versionField, reason: z.string().trim().min(1, 'budget.paper.error.reason_required').max(500) });
const entryForm = z.object({ state: z.enum(['marked', 'blank', 'spoilt']) });

const cycleIdOf = (request: FastifyRequest) => idParam(request, 'cycleId');

async function renderBatches(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
  const model = await loadPaperBatches(dbOf(request), { ...scopeOf(request), cycleId: cycleIdOf(request) });
  return sendPage(reply, PaperBatchesPage, { frame: adminFrame(request), model, state }, status);
}

async function renderBatch(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
  const model = await loadPaperBatch(dbOf(request), { ...scopeOf(request), cycleId: cycleIdOf(request), batchId: idParam(request, 'batchId') });
  return sendPage(reply, PaperBatchPage, { frame: adminFrame(request), model, state }, status);
}

function positionParams(request: FastifyRequest): { pass: number; position: number } {
  const params = request.params as { pass?: string; position?: string };
  if (!/^[12]$/.test(params.pass ?? '') || !/^[1-9]\d{0,3}$/.test(params.position ?? '')) throw new AppError('not_found');
  return { pass: Number(params.pass), position: Number(params.position) };
}

async function renderEntry(request: FastifyRequest, reply: FastifyReply, state: FormState | null, status = 200) {
  const { pass, position } = positionParams(request);
  let model;
  try {
    model = await loadPaperEntryForm(dbOf(request), { ...scopeOf(request), cycleId: cycleIdOf(request), batchId: idParam(request, 'batchId'), pass, position });
  } catch (error) {
    // Not this person's pass, a closed batch or cycle: the batch page says why.
    if (isAppError(error, 'conflict')) return renderBatch(request, reply, { values: {}, errors: formErrorsOf(error) }, 409);
    throw error;
  }
  return sendPage(reply, PaperEntryPage, { frame: adminFrame(request), model, state: state ?? { values: entryFormValues(model), errors: {} } }, status);
}

/** What the keying form posted for each project: `project_<id>` fields. */
function entryInput(body: unknown, state: PaperEntryInput['state']): PaperEntryInput {
  const values: Record<number, string> = {};
  for (const [name, value] of Object.entries(formValues(body))) {
    const match = /^project_(\d{1,12})$/.exec(name);
    if (match) values[Number(match[1])] = Array.isArray(value) ? (value[0] ?? '') : value;
  }
  return { state, values };
}

export function registerBudgetPaperRoutes(app: FastifyInstance): void {
  app.get(BASE, (request, reply) => renderBatches(request, reply, { values: {}, errors: {} }));

  postForm(app, BASE, {
    schema: batchForm,
    render: (request, reply, state, status) => renderBatches(request, reply, state, status),
    async handle(request, reply, form) {
      const cycleId = cycleIdOf(request);
      const { batchId } = await createPaperBatch(dbOf(request), {
        ...scopeOf(request),
        cycleId,
        batchNumber: form.batchNumber,
        station: form.station ?? null,
        sheetEnvelopeId: form.sheet === 'city' ? null : Number(form.sheet),
        declaredCount: form.declaredCount,
      });
      setFlash(reply, 'budget.paper.flash.batch_created');
      return redirectTo(request, reply, paperPath(cycleId, batchId));
    },
  });

  app.get(`${BASE}/:batchId`, (request, reply) => renderBatch(request, reply, { values: {}, errors: {} }));

  postForm(app, `${BASE}/:batchId/accept`, {
    schema: acceptForm,
    render: (request, reply, state, status) => renderBatch(request, reply, { values: {}, errors: state.errors }, status),
    async handle(request, reply, form) {
      const cycleId = cycleIdOf(request);
      const batchId = idParam(request, 'batchId');
      await acceptPaperBatch(dbOf(request), { ...scopeOf(request), cycleId, batchId, version: form.version });
      setFlash(reply, 'budget.paper.flash.batch_accepted');
      return redirectTo(request, reply, paperPath(cycleId, batchId));
    },
  });

  postForm(app, `${BASE}/:batchId/reject`, {
    schema: rejectForm,
    render: (request, reply, state, status) => renderBatch(request, reply, state, status),
    async handle(request, reply, form) {
      const cycleId = cycleIdOf(request);
      const batchId = idParam(request, 'batchId');
      await rejectPaperBatch(dbOf(request), { ...scopeOf(request), cycleId, batchId, version: form.version, reason: form.reason });
      setFlash(reply, 'budget.paper.flash.batch_rejected');
      return redirectTo(request, reply, paperPath(cycleId, batchId));
    },
  });

  const ENTRY = `${BASE}/:batchId/pass/:pass/:position`;
  app.get(ENTRY, (request, reply) => renderEntry(request, reply, null));

  postForm(app, ENTRY, {
    schema: entryForm,
    render: (request, reply, state, status) => renderEntry(request, reply, state, status),
    async handle(request, reply, form) {
      const cycleId = cycleIdOf(request);
      const batchId = idParam(request, 'batchId');
      const { pass, position } = positionParams(request);
      const { nextPosition, corrected } = await keyPaperEntry(dbOf(request), {
        ...scopeOf(request),
        cycleId,
        batchId,
        pass,
        position,
        input: entryInput(request.body, form.state),
      });
      if (corrected) {
        setFlash(reply, 'budget.paper.flash.entry_corrected');
        return redirectTo(request, reply, paperPath(cycleId, batchId));
      }
      if (nextPosition === null) {
        setFlash(reply, 'budget.paper.flash.pass_complete');
        return redirectTo(request, reply, paperPath(cycleId, batchId));
      }
      setFlash(reply, 'budget.paper.flash.entry_saved');
      return redirectTo(request, reply, entryPath(cycleId, batchId, pass, nextPosition));
    },
  });
}
