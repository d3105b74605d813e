// Cycles: the public budget pages (cycles, a cycle, its projects, a project with its follow-up
// and comments, follow-up photos) and the back office (cycles, a cycle's settings and envelopes,
// the cycle's hub linking every area's page, a project's follow-up).
//
// The follow-up form carries photos, so it is multipart: @fastify/multipart is registered in a
// scope of its own, the body is read in the handler, and the CSRF token is checked there (the
// route says csrfHandledByForm), a failure re-rendering the form with what was typed.
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { z } from 'zod';
import { type Action, type Actor, can } from '../../auth/policies.ts';
import { CSRF_COOKIE, isValidCsrfToken } from '../../http/csrf.ts';
import { emptyForm, type FormState, type FormValues, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../http/render.ts';
import { AppError, type FieldErrors, isAppError } from '../../lib/errors.ts';
import { CSRF_FIELD } from '../../ui/forms.tsx';
import { adminFrame, dbOf, idParam, scopeOf } from '../admin/admin-http.ts';
import { photoFilePath, processPhoto, type ProcessedPhoto, removeStoredPhotos, storePhoto, type StoredPhoto, thumbnailKeyOf } from '../complaints/photos.ts';
import { ballotRulesFrozen, defaultRule } from './budget.ts';
import type { EnvelopeScope, ImplementationStatus, PbCycleRow, PbEnvelopeRow } from './budget.table.ts';
import { CycleFormPage, CycleHubPage, CyclesAdminPage, EnvelopeFormPage, FollowUpAdminPage, type HubLink } from './cycles.admin-views.tsx';
import { findCycleById, findEnvelope, findProjectOrigin, listProjects } from './cycles.repository.ts';
import {
  createCycle,
  createEnvelope,
  type CycleInput,
  deleteEnvelope,
  FROZEN_FORM_FIELDS,
  getCycleHub,
  isoToLocalInput,
  listAreas,
  listCyclesForStaff,
  localInputToIso,
  millimesToInput,
  parseTnd,
  updateCycle,
  updateEnvelope,
} from './cycles.service.ts';
import { CycleListPage, CyclePage } from './cycles.views.tsx';
import { getFollowUp, MAX_UPDATE_PHOTOS, postProjectUpdate } from './follow-up.service.ts';
import { commentOnProject, COMMENT_MAX_LENGTH, getPublicCycle, getPublicProject, hideProjectComment, listPublicCycles, listPublicProjects } from './projects.service.ts';
import { ProjectPage, ProjectsPage } from './projects.views.tsx';

const ADMIN = '/admin/budget';
const LANGS = ['ar', 'fr', 'en'] as const;

// ---------------------------------------------------------------------------------------------
// Cycle form

const text = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v ?? '').trim());
const whole = (required: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) {
        if (required) ctx.addIssue({ code: 'custom', message: 'validation.required' });
        return null;
      }
      if (!/^\d{1,6}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'validation.invalid_number' });
        return null;
      }
      return Number(v);
    });
const checkbox = z
  .literal('yes')
  .optional()
  .transform((v) => v === 'yes');
const localTime = (required: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) {
        if (required) ctx.addIssue({ code: 'custom', message: 'validation.required' });
        return null;
      }
      const iso = localInputToIso(v);
      if (!iso) ctx.addIssue({ code: 'custom', message: 'budget.cycle.error.date' });
      return iso;
    });

const cycleForm = z.object({
  year: whole(true),
  slug: z.string().trim().toLowerCase().min(1, 'validation.required').max(40),
  'title.ar': text(200),
  'title.fr': text(200),
  'title.en': text(200),
  'description.ar': text(4000),
  'description.fr': text(4000),
  'description.en': text(4000),
  informationStartsAt: localTime(true),
  proposalsOpenAt: localTime(true),
  proposalsCloseAt: localTime(true),
  reviewCloseAt: localTime(true),
  supportOpenAt: localTime(false),
  supportCloseAt: localTime(false),
  votingOpenAt: localTime(true),
  votingCloseAt: localTime(true),
  ballotType: z.enum(['approval', 'knapsack', 'cumulative', 'ranking']),
  minChoices: whole(true),
  maxChoices: whole(false),
  totalPoints: whole(false),
  maxPointsPerProject: whole(false),
  rule: z.string().trim().min(1, 'validation.required').max(60),
  tieBreaking: z.enum(['project_id', 'equalshares']),
  lotSeed: text(100),
  minAge: whole(true),
  maxVotersPerPhone: whole(true),
  residenceRequired: checkbox,
  onlineVoting: checkbox,
  counterVoting: checkbox,
  paperVoting: checkbox,
  version: z.string().regex(/^\d{1,9}$/).optional(),
});

type CycleForm = z.output<typeof cycleForm>;

function cycleInputOf(form: CycleForm): CycleInput {
  return {
    year: form.year!,
    slug: form.slug,
    title: { ar: form['title.ar'], fr: form['title.fr'], en: form['title.en'] },
    description: { ar: form['description.ar'], fr: form['description.fr'], en: form['description.en'] },
    informationStartsAt: form.informationStartsAt!,
    proposalsOpenAt: form.proposalsOpenAt!,
    proposalsCloseAt: form.proposalsCloseAt!,
    reviewCloseAt: form.reviewCloseAt!,
    supportOpenAt: form.supportOpenAt,
    supportCloseAt: form.supportCloseAt,
    votingOpenAt: form.votingOpenAt!,
    votingCloseAt: form.votingCloseAt!,
    ballotType: form.ballotType,
    minChoices: form.minChoices!,
    maxChoices: form.maxChoices,
    totalPoints: form.totalPoints,
    maxPointsPerProject: form.maxPointsPerProject,
    rule: form.rule,
    tieBreaking: form.tieBreaking,
    lotSeed: form.lotSeed || null,
    minAge: form.minAge!,
    residenceRequired: form.residenceRequired,
    maxVotersPerPhone: form.maxVotersPerPhone!,
    onlineVoting: form.onlineVoting,
    counterVoting: form.counterVoting,
    paperVoting: form.paperVoting,
  };
}

function cycleValues(cycle: PbCycleRow): FormValues {
  const values: FormValues = {
    year: String(cycle.year),
    slug: cycle.slug,
    informationStartsAt: isoToLocalInput(cycle.information_starts_at),
    proposalsOpenAt: isoToLocalInput(cycle.proposals_open_at),
    proposalsCloseAt: isoToLocalInput(cycle.proposals_close_at),
    reviewCloseAt: isoToLocalInput(cycle.review_close_at),
    supportOpenAt: isoToLocalInput(cycle.support_open_at),
    supportCloseAt: isoToLocalInput(cycle.support_close_at),
    votingOpenAt: isoToLocalInput(cycle.voting_open_at),
    votingCloseAt: isoToLocalInput(cycle.voting_close_at),
    ballotType: cycle.ballot_type,
    minChoices: String(cycle.min_choices),
    maxChoices: cycle.max_choices === null ? '' : String(cycle.max_choices),
    totalPoints: cycle.total_points === null ? '' : String(cycle.total_points),
    maxPointsPerProject: cycle.max_points_per_project === null ? '' : String(cycle.max_points_per_project),
    rule: cycle.rule,
    tieBreaking: cycle.tie_breaking,
    lotSeed: cycle.lot_seed ?? '',
    minAge: String(cycle.min_age),
    maxVotersPerPhone: String(cycle.max_voters_per_phone),
    version: String(cycle.version),
  };
  for (const lang of LANGS) {
    values[`title.${lang}`] = cycle[`title_${lang}`];
    values[`description.${lang}`] = cycle[`description_${lang}`] ?? '';
  }
  if (cycle.residence_required) values.residenceRequired = 'yes';
  if (cycle.online_voting) values.onlineVoting = 'yes';
  if (cycle.counter_voting) values.counterVoting = 'yes';
  if (cycle.paper_voting) values.paperVoting = 'yes';
  return values;
}

function newCycleValues(): FormValues {
  const year = new Date().getUTCFullYear() + 1;
  return {
    year: String(year),
    slug: String(year),
    ballotType: 'approval',
    minChoices: '1',
    maxChoices: '3',
    rule: defaultRule('approval'),
    tieBreaking: 'project_id',
    minAge: '18',
    maxVotersPerPhone: '3',
    residenceRequired: 'yes',
    onlineVoting: 'yes',
    counterVoting: 'yes',
    paperVoting: 'yes',
  };
}

// ---------------------------------------------------------------------------------------------
// Envelope form

const envelopeForm = z.object({
  area: z.string().regex(/^(city|a:\d{1,12}|n:\d{1,12})$/, 'validation.invalid_choice'),
  'name.ar': text(200),
  'name.fr': text(200),
  'name.en': text(200),
  budget: z
    .string()
    .trim()
    .min(1, 'validation.required')
    .max(30)
    .transform((v, ctx) => {
      const millimes = parseTnd(v);
      if (millimes === null) ctx.addIssue({ code: 'custom', message: 'budget.envelope.error.budget' });
      return millimes ?? 0;
    }),
  sortOrder: z.string().trim().regex(/^\d{1,4}$/, 'validation.invalid_number').transform(Number),
  version: z.string().max(40).optional(),
});

function areaOf(value: string): { scope: EnvelopeScope; areaId: number | null } {
  if (value.startsWith('a:')) return { scope: 'arrondissement', areaId: Number(value.slice(2)) };
  if (value.startsWith('n:')) return { scope: 'neighbourhood', areaId: Number(value.slice(2)) };
  return { scope: 'city', areaId: null };
}

function envelopeValues(envelope: PbEnvelopeRow, locale: string): FormValues {
  const area = envelope.scope === 'arrondissement' ? `a:${envelope.arrondissement_id}` : envelope.scope === 'neighbourhood' ? `n:${envelope.neighbourhood_id}` : 'city';
  return {
    area,
    'name.ar': envelope.name_ar,
    'name.fr': envelope.name_fr,
    'name.en': envelope.name_en,
    budget: millimesToInput(envelope.budget_millimes, locale),
    sortOrder: String(envelope.sort_order),
    version: envelope.updated_at,
  };
}

// ---------------------------------------------------------------------------------------------
// Hub links: which other areas' pages this person may open (URL map of the brief)

/** True when the actor may do `action` on some resource of the municipality (any of their departments). */
function canSomewhere(actor: Actor, action: Action, municipalityId: number): boolean {
  if (can(actor, action, { municipalityId })) return true;
  return (actor?.roles ?? []).some((grant) => grant.departmentId !== null && can(actor, action, { municipalityId, departmentId: grant.departmentId }));
}

const HUB_LINKS: { key: string; path: string; anyOf: Action[] }[] = [
  { key: 'proposals', path: '/proposals', anyOf: ['budget.moderate'] },
  { key: 'review', path: '/review', anyOf: ['budget.review'] },
  { key: 'counter', path: '/counter', anyOf: ['budget.verify_voters'] },
  { key: 'paper', path: '/paper', anyOf: ['budget.key_paper', 'budget.accept_paper'] },
  { key: 'signals', path: '/signals', anyOf: ['budget.view_signals'] },
  { key: 'annulments', path: '/annulments', anyOf: ['budget.annul'] },
  { key: 'results', path: '/results', anyOf: ['budget.publish_results'] },
];

export function hubLinksFor(actor: Actor, municipalityId: number, cycleId: number): HubLink[] {
  return HUB_LINKS.filter((link) => link.anyOf.some((action) => canSomewhere(actor, action, municipalityId))).map((link) => ({
    key: link.key,
    path: `${ADMIN}/${cycleId}${link.path}`,
  }));
}

// ---------------------------------------------------------------------------------------------
// Follow-up form (multipart)

type FollowUpSubmission = { values: FormValues; csrfToken: string | undefined; uploads: Buffer[]; errors: FieldErrors };

async function readFollowUp(request: FastifyRequest): Promise<FollowUpSubmission> {
  const values: FormValues = {};
  const uploads: Buffer[] = [];
  const errors: FieldErrors = {};
  let csrfToken: string | undefined;
  let files = 0;
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string' && key !== CSRF_FIELD) values[key] = value;
    return { values, csrfToken: typeof body[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined, uploads, errors };
  }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        const data = Buffer.concat(chunks);
        if (part.fieldname !== 'photos' || (!part.filename && data.length === 0)) continue;
        files += 1;
        if (part.file.truncated) errors.photos ??= 'budget.follow_up.error.photo_too_big';
        else if (files <= MAX_UPDATE_PHOTOS) uploads.push(data);
      } else if (part.fieldname === CSRF_FIELD) {
        csrfToken = String(part.value);
      } else {
        values[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') files = MAX_UPDATE_PHOTOS + 1;
    else if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION') errors._form = 'errors.payload_too_large';
    else throw error;
  }
  if (files > MAX_UPDATE_PHOTOS) errors.photos = { key: 'budget.follow_up.error.too_many_photos', values: { max: MAX_UPDATE_PHOTOS } };
  return { values, csrfToken, uploads, errors };
}

const STATUSES: readonly ImplementationStatus[] = ['not_started', 'study', 'procurement', 'works', 'completed', 'cancelled'];

export function registerBudgetCycleRoutes(app: FastifyInstance): void {
  // ------------------------------------------------------------------------------------------
  // Public pages

  app.get('/:locale/budget', async (request, reply) => {
    const cycles = await listPublicCycles(dbOf(request), { municipalityId: request.municipality.id });
    return sendPage(reply, CycleListPage, { ctx: viewContext(request), model: { cycles } });
  });

  const slugOf = (request: FastifyRequest) => {
    const slug = (request.params as { slug?: string }).slug ?? '';
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(slug)) throw new AppError('not_found');
    return slug;
  };

  app.get('/:locale/budget/:slug', async (request, reply) => {
    const model = await getPublicCycle(dbOf(request), { municipalityId: request.municipality.id, slug: slugOf(request) });
    return sendPage(reply, CyclePage, { ctx: viewContext(request), model });
  });

  app.get('/:locale/budget/:slug/projects', async (request, reply) => {
    const model = await listPublicProjects(dbOf(request), { municipalityId: request.municipality.id, slug: slugOf(request) });
    const raw = (request.query as { envelope?: unknown }).envelope;
    const envelopeId = typeof raw === 'string' && /^\d{1,12}$/.test(raw) && model.envelopes.some((e) => e.id === Number(raw)) ? Number(raw) : null;
    return sendPage(reply, ProjectsPage, { ctx: viewContext(request), model: { ...model, envelopeId } });
  });

  const renderProject = async (
    request: FastifyRequest,
    reply: FastifyReply,
    forms: { comment?: FormState; hide?: FormState & { commentId: number | null } } = {},
    status = 200,
  ) => {
    const code = (request.params as { code?: string }).code ?? '';
    if (code.length > 40) throw new AppError('not_found');
    const project = await getPublicProject(dbOf(request), { actor: request.actor, municipalityId: request.municipality.id, slug: slugOf(request), code });
    return sendPage(
      reply,
      ProjectPage,
      {
        ctx: viewContext(request),
        model: {
          ...project,
          signedIn: request.currentUser !== null,
          commentForm: forms.comment ?? emptyForm,
          hideForm: forms.hide ?? { ...emptyForm, commentId: null },
        },
      },
      status,
    );
  };

  app.get('/:locale/budget/:slug/projects/:code', (request, reply) => renderProject(request, reply));

  postForm(app, '/:locale/budget/:slug/projects/:code/comments', {
    schema: z.object({ body: z.string().max(COMMENT_MAX_LENGTH + 100) }),
    render: (request, reply, state, status) => renderProject(request, reply, { comment: state }, status),
    async handle(request, reply, input) {
      const db = dbOf(request);
      const { code, slug } = request.params as { code: string; slug: string };
      const project = await getPublicProject(db, { actor: request.actor, municipalityId: request.municipality.id, slug, code });
      await commentOnProject(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId: project.cycle.id, projectId: project.project.id, body: input.body });
      setFlash(reply, 'budget.flash.comment_posted');
      return redirectTo(request, reply, `/budget/${slug}/projects/${encodeURIComponent(code)}#pb-comments`);
    },
  });

  postForm(app, '/:locale/budget/:slug/projects/:code/comments/:commentId/hide', {
    schema: z.object({ reason: z.string().trim().min(1, 'validation.required').max(300) }),
    render: (request, reply, state, status) => renderProject(request, reply, { hide: { ...state, commentId: idParam(request, 'commentId') } }, status),
    async handle(request, reply, input) {
      const db = dbOf(request);
      const { code, slug } = request.params as { code: string; slug: string };
      const project = await getPublicProject(db, { actor: request.actor, municipalityId: request.municipality.id, slug, code });
      await hideProjectComment(db, { ...scopeOf(request), projectId: project.project.id, commentId: idParam(request, 'commentId'), reason: input.reason });
      setFlash(reply, 'budget.flash.comment_hidden');
      return redirectTo(request, reply, `/budget/${slug}/projects/${encodeURIComponent(code)}#pb-comments`);
    },
  });

  // Photos of implementation updates: public, like the updates themselves.
  const sendPhoto = async (request: FastifyRequest, reply: FastifyReply, thumbnail: boolean) => {
    const photoId = idParam(request, 'photoId');
    const photo = await dbOf(request)
      .selectFrom('pb_photos')
      .select(['storage_key', 'update_id'])
      .where('municipality_id', '=', request.municipality.id)
      .where('id', '=', photoId)
      .executeTakeFirst();
    // Proposal photos are served by the proposals pages, with their moderation.
    if (!photo || photo.update_id === null) throw new AppError('not_found');
    const file = photoFilePath(app.deps.config.dataDir, thumbnail ? thumbnailKeyOf(photo.storage_key) : photo.storage_key);
    const stream = fs.createReadStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', () => reject(new AppError('not_found')));
    });
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=86400').send(stream);
  };
  app.get('/:locale/budget/photos/:photoId', (request, reply) => sendPhoto(request, reply, false));
  app.get('/:locale/budget/photos/:photoId/thumb', (request, reply) => sendPhoto(request, reply, true));

  // ------------------------------------------------------------------------------------------
  // Back office: cycles

  app.get(`/:locale${ADMIN}`, async (request, reply) => {
    const cycles = await listCyclesForStaff(dbOf(request), scopeOf(request));
    return sendPage(reply, CyclesAdminPage, { frame: adminFrame(request), cycles, canManage: can(request.actor, 'budget.manage_cycles', { municipalityId: request.municipality.id }) });
  });

  const guardManage = (request: FastifyRequest) => {
    if (!can(request.actor, 'budget.manage_cycles', { municipalityId: request.municipality.id })) throw new AppError(request.actor ? 'forbidden' : 'unauthenticated');
  };

  app.get(`/:locale${ADMIN}/new`, async (request, reply) => {
    guardManage(request);
    return sendPage(reply, CycleFormPage, { frame: adminFrame(request), cycle: null, frozen: false, state: { values: newCycleValues(), errors: {} } });
  });

  postForm(app, `/:locale${ADMIN}/new`, {
    schema: cycleForm,
    render: (request, reply, state, status) => {
      guardManage(request);
      return sendPage(reply, CycleFormPage, { frame: adminFrame(request), cycle: null, frozen: false, state }, status);
    },
    async handle(request, reply, input) {
      const cycle = await createCycle(dbOf(request), { ...scopeOf(request), input: cycleInputOf(input) });
      setFlash(reply, 'budget.flash.cycle_created');
      return redirectTo(request, reply, `${ADMIN}/${cycle.id}`);
    },
  });

  const loadCycle = async (request: FastifyRequest): Promise<PbCycleRow> => {
    const cycle = await findCycleById(dbOf(request), request.municipality.id, idParam(request, 'cycleId'));
    if (!cycle) throw new AppError('not_found');
    return cycle;
  };

  app.get(`/:locale${ADMIN}/:cycleId`, async (request, reply) => {
    const db = dbOf(request);
    const hub = await getCycleHub(db, { ...scopeOf(request), cycleId: idParam(request, 'cycleId') });
    const projects = await listProjects(db, request.municipality.id, hub.cycle.id);
    const followUpProjectIds: number[] = [];
    for (const project of projects.filter((p) => p.selected === 1)) {
      const origin = project.proposal_id === null ? undefined : await findProjectOrigin(db, request.municipality.id, project.proposal_id);
      if (can(request.actor, 'budget.follow_up', { municipalityId: request.municipality.id, departmentId: origin?.departmentId ?? null })) followUpProjectIds.push(project.id);
    }
    return sendPage(reply, CycleHubPage, {
      frame: adminFrame(request),
      model: { ...hub, projects, links: hubLinksFor(request.actor, request.municipality.id, hub.cycle.id), followUpProjectIds },
    });
  });

  const renderCycleForm = async (request: FastifyRequest, reply: FastifyReply, state: FormState | null, status = 200) => {
    guardManage(request);
    const cycle = await loadCycle(request);
    const frozen = ballotRulesFrozen(cycle, new Date().toISOString());
    let shown = state ?? { values: cycleValues(cycle), errors: {} };
    // Someone else saved in between: what this person typed stays, now at the current version.
    if (shown.errors._form === 'errors.stale') shown = { values: { ...shown.values, version: String(cycle.version) }, errors: { _form: 'budget.admin.stale' } };
    const saved = cycleValues(cycle);
    const locked: FormValues = {};
    if (frozen) for (const field of FROZEN_FORM_FIELDS) if (saved[field] !== undefined) locked[field] = saved[field]!;
    return sendPage(reply, CycleFormPage, { frame: adminFrame(request), cycle, frozen, state: shown, locked }, status);
  };

  app.get(`/:locale${ADMIN}/:cycleId/edit`, (request, reply) => renderCycleForm(request, reply, null));

  postForm(app, `/:locale${ADMIN}/:cycleId/edit`, {
    schema: cycleForm,
    render: (request, reply, state, status) => renderCycleForm(request, reply, state, status),
    async handle(request, reply, input) {
      const cycleId = idParam(request, 'cycleId');
      await updateCycle(dbOf(request), { ...scopeOf(request), cycleId, version: Number(input.version ?? 0), input: cycleInputOf(input) });
      setFlash(reply, 'budget.flash.cycle_saved');
      return redirectTo(request, reply, `${ADMIN}/${cycleId}`);
    },
  });

  // ------------------------------------------------------------------------------------------
  // Back office: envelopes

  const areaOptions = async (request: FastifyRequest) => {
    const areas = await listAreas(dbOf(request), request.municipality.id);
    const t = viewContext(request).t;
    const locale = request.locale;
    return [
      { value: 'city', label: t('budget.scope.city') },
      ...areas.arrondissements.map((a) => ({ value: `a:${a.id}`, label: `${t('budget.scope.arrondissement')}: ${a.name[locale]}` })),
      ...areas.neighbourhoods.map((n) => ({ value: `n:${n.id}`, label: `${t('budget.scope.neighbourhood')}: ${n.name[locale]}` })),
    ];
  };

  const renderEnvelopeForm = async (request: FastifyRequest, reply: FastifyReply, state: FormState | null, status = 200) => {
    guardManage(request);
    const cycle = await loadCycle(request);
    const params = request.params as { envelopeId?: string };
    let envelope: PbEnvelopeRow | null = null;
    if (params.envelopeId !== undefined) {
      envelope = (await findEnvelope(dbOf(request), request.municipality.id, cycle.id, idParam(request, 'envelopeId'))) ?? null;
      if (!envelope) throw new AppError('not_found');
    }
    let shown = state ?? { values: envelope ? envelopeValues(envelope, request.locale) : { area: 'city', sortOrder: '0' }, errors: {} };
    if (envelope && shown.errors._form === 'errors.stale') shown = { values: { ...shown.values, version: envelope.updated_at }, errors: { _form: 'budget.admin.stale' } };
    if (!state && ballotRulesFrozen(cycle, new Date().toISOString())) shown = { ...shown, errors: { _form: 'budget.cycle.error.frozen' } };
    return sendPage(reply, EnvelopeFormPage, { frame: adminFrame(request), cycle, envelope, areaOptions: await areaOptions(request), state: shown }, status);
  };

  app.get(`/:locale${ADMIN}/:cycleId/envelopes/new`, (request, reply) => renderEnvelopeForm(request, reply, null));
  app.get(`/:locale${ADMIN}/:cycleId/envelopes/:envelopeId`, (request, reply) => renderEnvelopeForm(request, reply, null));

  const envelopeInputOf = (input: z.output<typeof envelopeForm>) => ({
    ...areaOf(input.area),
    name: { ar: input['name.ar'], fr: input['name.fr'], en: input['name.en'] },
    budgetMillimes: input.budget,
    sortOrder: input.sortOrder,
  });

  postForm(app, `/:locale${ADMIN}/:cycleId/envelopes/new`, {
    schema: envelopeForm,
    render: (request, reply, state, status) => renderEnvelopeForm(request, reply, state, status),
    async handle(request, reply, input) {
      const cycleId = idParam(request, 'cycleId');
      await createEnvelope(dbOf(request), { ...scopeOf(request), cycleId, input: envelopeInputOf(input) });
      setFlash(reply, 'budget.flash.envelope_saved');
      return redirectTo(request, reply, `${ADMIN}/${cycleId}#pb-hub-envelopes`);
    },
  });

  postForm(app, `/:locale${ADMIN}/:cycleId/envelopes/:envelopeId`, {
    schema: envelopeForm,
    render: (request, reply, state, status) => renderEnvelopeForm(request, reply, state, status),
    async handle(request, reply, input) {
      const cycleId = idParam(request, 'cycleId');
      await updateEnvelope(dbOf(request), { ...scopeOf(request), cycleId, envelopeId: idParam(request, 'envelopeId'), version: input.version ?? '', input: envelopeInputOf(input) });
      setFlash(reply, 'budget.flash.envelope_saved');
      return redirectTo(request, reply, `${ADMIN}/${cycleId}#pb-hub-envelopes`);
    },
  });

  postForm(app, `/:locale${ADMIN}/:cycleId/envelopes/:envelopeId/delete`, {
    schema: z.object({ version: z.string().max(40).optional() }),
    render: (request, reply, state, status) => renderEnvelopeForm(request, reply, { values: {}, errors: state.errors }, status),
    async handle(request, reply, input) {
      const cycleId = idParam(request, 'cycleId');
      await deleteEnvelope(dbOf(request), { ...scopeOf(request), cycleId, envelopeId: idParam(request, 'envelopeId'), version: input.version ?? '' });
      setFlash(reply, 'budget.flash.envelope_deleted');
      return redirectTo(request, reply, `${ADMIN}/${cycleId}#pb-hub-envelopes`);
    },
  });

  // ------------------------------------------------------------------------------------------
  // Back office: implementation follow-up

  const renderFollowUp = async (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) => {
    const page = await getFollowUp(dbOf(request), { ...scopeOf(request), cycleId: idParam(request, 'cycleId'), projectId: idParam(request, 'projectId') });
    const shown = Object.keys(state.values).length > 0 ? state : { values: { status: page.project.implementation_status, progress: String(page.project.progress_percent) }, errors: state.errors };
    return sendPage(reply, FollowUpAdminPage, { frame: adminFrame(request), ...page, state: shown }, status);
  };

  app.get(`/:locale${ADMIN}/:cycleId/projects/:projectId/follow-up`, (request, reply) => renderFollowUp(request, reply, emptyForm));

  app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: 8 * 1024 * 1024, files: MAX_UPDATE_PHOTOS + 3, fieldSize: 16 * 1024, fields: 20, parts: 30, headerPairs: 100 },
      throwFileSizeLimit: false,
    });
    scope.post(`/:locale${ADMIN}/:cycleId/projects/:projectId/follow-up`, { config: { csrfHandledByForm: true } }, async (request, reply) => {
      // Who may post is checked before any photo is decoded: resizing uploads costs CPU and disk,
      // which an anonymous visitor must not be able to spend.
      await getFollowUp(dbOf(request), { ...scopeOf(request), cycleId: idParam(request, 'cycleId'), projectId: idParam(request, 'projectId') });
      const submission = await readFollowUp(request);
      const { values } = submission;
      if (!isValidCsrfToken(app.secretKey, request.cookies[CSRF_COOKIE], submission.csrfToken)) {
        return renderFollowUp(request, reply, { values, errors: { _form: 'errors.csrf_invalid' } }, 403);
      }
      const errors: FieldErrors = { ...submission.errors };
      const status = values.status as ImplementationStatus;
      if (!STATUSES.includes(status)) errors.status = values.status ? 'validation.invalid_choice' : 'validation.required';
      const progressText = String(values.progress ?? '').trim();
      if (!/^\d{1,3}$/.test(progressText)) errors.progress = progressText ? 'budget.follow_up.error.progress' : 'validation.required';
      let processed: ProcessedPhoto[] = [];
      if (Object.keys(errors).length === 0) {
        try {
          for (const upload of submission.uploads) processed.push(await processPhoto(upload, { maxBytes: 8 * 1024 * 1024 }));
        } catch (error) {
          if (!isAppError(error, 'validation')) throw error;
          errors.photos = error.fields.photos ?? 'budget.follow_up.error.photo_unreadable';
          processed = [];
        }
      }
      if (Object.keys(errors).length > 0) return renderFollowUp(request, reply, { values, errors }, 400);
      const stored: StoredPhoto[] = [];
      try {
        for (const photo of processed) stored.push(await storePhoto({ dataDir: app.deps.config.dataDir, municipalityId: request.municipality.id, photo }));
      } catch (error) {
        await removeStoredPhotos(stored);
        throw error;
      }
      const cycleId = idParam(request, 'cycleId');
      try {
        // postProjectUpdate removes the stored files itself when the update is refused.
        await postProjectUpdate(dbOf(request), {
          ...scopeOf(request),
          cycleId,
          projectId: idParam(request, 'projectId'),
          status,
          progressPercent: Number(progressText),
          body: String(values.body ?? ''),
          photos: stored,
        });
      } catch (error) {
        if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated') {
          const fields = Object.keys(error.fields).length > 0 ? error.fields : { _form: `errors.${error.code}` };
          return renderFollowUp(request, reply, { values, errors: fields }, error.status);
        }
        throw error;
      }
      setFlash(reply, 'budget.flash.update_posted');
      return redirectTo(request, reply, `${ADMIN}/${cycleId}/projects/${idParam(request, 'projectId')}/follow-up`);
    });
  });
}
