// Proposals over HTTP: the public list, the form (multipart with photos), a proposal's page with
// comments and support, its photos; in the back office, moderation and merging
// (/admin/budget/:cycleId/proposals) and the technical review (/admin/budget/:cycleId/review).
//
// The proposal form is multipart: @fastify/multipart is registered in this plugin's scope only,
// the body is read in the handler, so the CSRF token is checked here too (csrfHandledByForm) and
// a failure re-renders the form with what was typed. Photos are processed and written before
// the transaction; submitProposal removes them when the proposal is not saved.
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { z } from 'zod';
import { can } from '../../auth/policies.ts';
import { CSRF_COOKIE, isValidCsrfToken } from '../../http/csrf.ts';
import { emptyForm, type FormState, type FormValues, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../http/render.ts';
import { localName } from '../../i18n/i18n.ts';
import { mapSettingsFor } from '../../http/map-settings.ts';
import { AppError, type FieldErrors, isAppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { adminFrame, dbOf, idParam, pageNumber, paginationLinks, parseQuery } from '../admin/admin-http.ts';
import { photoFilePath } from '../complaints/photos.ts';
import { listDepartments, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { phaseAt, PROPOSAL_CATEGORIES } from './budget.ts';
import type { PbCycleRow, ProposalStatus } from './budget.table.ts';
import { listEnvelopes } from './cycles.repository.ts';
import {
  processProposalPhotos,
  PROPOSAL_MULTIPART_LIMITS,
  proposalPhotoKey,
  proposalPhotoPath,
  readProposalSubmission,
} from './pb-photos.ts';
import { photoErrorOf, storePhotos } from '../complaints/photos.ts';
import { AdminProposalListPage, AdminProposalPage, type AdminProposalModel } from './proposals.admin-views.tsx';
import { findProposalById } from './proposals.repository.ts';
import {
  addProposalComment,
  checkProposalInput,
  CITY_AREA,
  COMMENT_MAX_LENGTH,
  cycleByIdOrThrow,
  cycleBySlugOrThrow,
  getPublicProposal,
  listCommentsForModeration,
  listProposalsForModeration,
  listPublicProposals,
  mergeProposal,
  PROPOSAL_STATUSES,
  type ProposalInput,
  publicProposalPhotoKeys,
  REASON_MAX_LENGTH,
  setProposalCommentVisibility,
  setProposalVisibility,
  submitProposal,
  supportProposal,
  withdrawProposal,
} from './proposals.service.ts';
import { NewProposalPage, type NewProposalModel, ProposalListPage, ProposalPage } from './proposals.views.tsx';
import { assignReviewDepartment, decideReview, listReviewQueue, loadReviewWorkspace, putProposalOnBallot, takeProposalOffBallot } from './review.service.ts';
import { ReviewPage, type ReviewPageModel, ReviewQueuePage } from './review.views.tsx';

/** Proposing, commenting and supporting need an account; this keeps one address from flooding them. */
const CITIZEN_LIMIT = { rateLimit: { max: 20, timeWindow: '1 minute' } };

function cycleTitle(cycle: PbCycleRow, locale: 'ar' | 'fr' | 'en'): string {
  return cycle[`title_${locale}`] || cycle.title_fr || cycle.title_ar;
}

function numberParam(request: FastifyRequest): number {
  const raw = (request.params as { number?: string }).number ?? '';
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new AppError('not_found');
  return Number(raw);
}

function text(values: FormValues, name: string): string {
  const value = values[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

const versionField = z.string().regex(/^\d{1,9}$/, 'validation.invalid').transform(Number);

export function registerBudgetProposalRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const config = app.deps.config;
  const mapSettings = (request: FastifyRequest) => mapSettingsFor(config, request.municipality);

  // ------------------------------------------------------------------------------------------
  // Public pages

  async function categoryOptions(request: FastifyRequest) {
    const t = viewContext(request).t;
    return PROPOSAL_CATEGORIES.map((c) => ({ value: c, label: t(`budget.proposals.category.${c}`) }));
  }

  async function renderNewProposal(request: FastifyRequest, reply: FastifyReply, cycle: PbCycleRow, state: FormState, status = 200, photosDropped = false) {
    const ctx = viewContext(request);
    const open = phaseAt(cycle, nowIso()) === 'proposals';
    const mode: NewProposalModel['mode'] = !open ? 'closed' : request.currentUser ? 'form' : 'sign_in';
    const [envelopes, neighbourhoods] = await Promise.all([listEnvelopes(db, request.municipality.id, cycle.id), listNeighbourhoods(db, request.municipality.id)]);
    const areas = [
      ...(envelopes.some((e) => e.scope === 'city') ? [{ value: CITY_AREA, label: ctx.t('budget.proposals.area.city') }] : []),
      ...neighbourhoods.map((n) => ({ value: String(n.id), label: localName(n, request.locale) })),
    ];
    return sendPage(
      reply,
      NewProposalPage,
      { ctx, state, model: { cycle: { slug: cycle.slug, title: cycleTitle(cycle, request.locale) }, mode, categories: await categoryOptions(request), areas, photosDropped, map: mapSettings(request) } },
      status,
    );
  }

  async function renderProposal(request: FastifyRequest, reply: FastifyReply, commentState: FormState = emptyForm, status = 200) {
    const { slug } = request.params as { slug: string };
    const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
    const number = numberParam(request);
    const view = await getPublicProposal(db, { municipalityId: request.municipality.id, cycleId: cycle.id, number, viewer: request.actor });
    let areaName: string | null = null;
    if (!view.hidden && view.proposal.neighbourhoodId !== null) {
      const neighbourhood = (await listNeighbourhoods(db, request.municipality.id)).find((n) => n.id === view.proposal.neighbourhoodId);
      areaName = neighbourhood ? localName(neighbourhood, request.locale) : null;
    }
    const photoUrls = view.hidden
      ? []
      : view.photos.map((p) => ({
          url: proposalPhotoPath(view.proposal.id, p.storageKey),
          thumbnailUrl: proposalPhotoPath(view.proposal.id, p.storageKey.replace(/\.jpg$/, '.thumb.jpg')),
          width: p.width,
          height: p.height,
        }));
    return sendPage(
      reply,
      ProposalPage,
      {
        ctx: viewContext(request),
        model: {
          cycle: { slug: cycle.slug, title: cycleTitle(cycle, request.locale) },
          view,
          areaName,
          photoUrls,
          map: mapSettings(request),
          hasSupport: cycle.support_open_at !== null,
          canWithdraw: !view.hidden && view.viewerIsAuthor && view.proposal.status === 'submitted' && phaseAt(cycle, nowIso()) === 'proposals',
          supportOpen: phaseAt(cycle, nowIso()) === 'support',
          signedIn: request.currentUser !== null,
          commentState,
        },
      },
      status,
    );
  }

  const listQuery = z.object({
    q: z.string().trim().max(100).optional(),
    category: z.enum(PROPOSAL_CATEGORIES).optional(),
    neighbourhood: z.string().regex(/^[1-9]\d{0,8}$/).transform(Number).optional(),
    status: z.enum(PROPOSAL_STATUSES as [ProposalStatus, ...ProposalStatus[]]).optional(),
    sort: z.enum(['newest', 'supported']).optional(),
    page: pageNumber,
  });

  app.get('/:locale/budget/:slug/proposals', async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
    const query = parseQuery(listQuery, request.query);
    const page = query.page ?? 1;
    const list = await listPublicProposals(db, {
      municipalityId: request.municipality.id,
      cycleId: cycle.id,
      filters: { q: query.q, category: query.category, neighbourhoodId: query.neighbourhood, status: query.status, sort: query.sort },
      page,
    });
    const ctx = viewContext(request);
    const neighbourhoods = await listNeighbourhoods(db, request.municipality.id);
    const filters = { q: query.q ?? '', category: query.category ?? '', neighbourhood: query.neighbourhood ? String(query.neighbourhood) : '', status: query.status ?? '', sort: query.sort ?? '' };
    const links = paginationLinks(request, `/budget/${cycle.slug}/proposals`, filters, page, list.pageCount);
    return sendPage(reply, ProposalListPage, {
      ctx,
      model: {
        cycle: { slug: cycle.slug, title: cycleTitle(cycle, request.locale) },
        canPropose: phaseAt(cycle, nowIso()) === 'proposals',
        items: list.items,
        total: list.total,
        filters,
        categories: await categoryOptions(request),
        neighbourhoods: neighbourhoods.map((n) => ({ value: String(n.id), label: localName(n, request.locale) })),
        neighbourhoodNames: new Map(neighbourhoods.map((n) => [n.id, localName(n, request.locale)])),
        statuses: PROPOSAL_STATUSES.map((s) => ({ value: s, label: ctx.t(`budget.proposals.status.${s}`) })),
        previousHref: links.previousHref,
        nextHref: links.nextHref,
        page,
        pageCount: list.pageCount,
      },
    });
  });

  app.get('/:locale/budget/:slug/proposals/new', async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
    return renderNewProposal(request, reply, cycle, { values: { authorKind: 'citizen' }, errors: {} });
  });

  app.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: PROPOSAL_MULTIPART_LIMITS, throwFileSizeLimit: false });

    scope.post('/:locale/budget/:slug/proposals/new', { config: { csrfHandledByForm: true, ...CITIZEN_LIMIT } }, async (request, reply) => {
      const { slug } = request.params as { slug: string };
      const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
      const submission = await readProposalSubmission(request);
      const { values } = submission;
      const photosChosen = submission.photoCount > 0;
      if (!isValidCsrfToken(app.secretKey, request.cookies[CSRF_COOKIE], submission.csrfToken)) {
        return renderNewProposal(request, reply, cycle, { values, errors: { _form: 'errors.csrf_invalid' } }, 403, photosChosen);
      }
      if (!request.currentUser) return renderNewProposal(request, reply, cycle, { values, errors: {} }, 401);
      const errors: FieldErrors = { ...submission.errors };
      let processed: Awaited<ReturnType<typeof processProposalPhotos>> = [];
      if (!errors.photos) {
        try {
          processed = await processProposalPhotos(submission.uploads);
        } catch (error) {
          const photoError = photoErrorOf(error);
          if (!photoError) throw error;
          errors.photos = photoError;
        }
      }
      const input: ProposalInput = {
        title: text(values, 'title'),
        description: text(values, 'description'),
        category: text(values, 'category'),
        authorKind: text(values, 'authorKind'),
        associationName: text(values, 'associationName'),
        area: text(values, 'area'),
        lat: text(values, 'lat'),
        lng: text(values, 'lng'),
        locationText: text(values, 'locationText'),
        estimatedCost: text(values, 'estimatedCost'),
      };
      if (Object.keys(errors).length > 0) {
        // Other fields are checked too, so that every problem shows at once.
        try {
          await checkProposalInput(db, request.municipality.id, cycle.id, input);
        } catch (error) {
          if (!isAppError(error, 'validation')) throw error;
          for (const [field, e] of Object.entries(error.fields)) errors[field] ??= e;
        }
        return renderNewProposal(request, reply, cycle, { values, errors }, 400, photosChosen);
      }
      const photos = await storePhotos({ dataDir: config.dataDir, municipalityId: request.municipality.id, photos: processed });
      let proposal;
      try {
        proposal = await submitProposal(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId: cycle.id, locale: request.locale, input, photos });
      } catch (error) {
        if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated') {
          const fields = Object.keys(error.fields).length > 0 ? error.fields : { _form: `errors.${error.code}` };
          return renderNewProposal(request, reply, cycle, { values, errors: fields }, error.status, photos.length > 0);
        }
        throw error;
      }
      setFlash(reply, 'budget.proposals.new.done');
      return redirectTo(request, reply, `/budget/${cycle.slug}/proposals/${proposal.number}`);
    });
  });

  app.get('/:locale/budget/:slug/proposals/:number', async (request, reply) => renderProposal(request, reply));

  postForm(
    app,
    '/:locale/budget/:slug/proposals/:number/comments',
    {
      schema: z.object({ body: z.string().max(COMMENT_MAX_LENGTH).optional().default('') }),
      render: (request, reply, state, status) => renderProposal(request, reply, state, status),
      async handle(request, reply, input) {
        const { slug } = request.params as { slug: string };
        const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
        const number = numberParam(request);
        if (!request.actor) return redirectTo(request, reply, `/login?next=${encodeURIComponent(`/${request.locale}/budget/${slug}/proposals/${number}`)}`);
        await addProposalComment(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId: cycle.id, number, body: input.body });
        setFlash(reply, 'budget.proposals.comments.done');
        return redirectTo(request, reply, `/budget/${cycle.slug}/proposals/${number}#comments-title`);
      },
    },
    { config: CITIZEN_LIMIT },
  );

  postForm(
    app,
    '/:locale/budget/:slug/proposals/:number/support',
    {
      schema: z.object({}),
      render: (request, reply, state, status) => renderProposal(request, reply, state, status),
      async handle(request, reply) {
        const { slug } = request.params as { slug: string };
        const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
        const number = numberParam(request);
        if (!request.actor) return redirectTo(request, reply, `/login?next=${encodeURIComponent(`/${request.locale}/budget/${slug}/proposals/${number}`)}`);
        try {
          const { added } = await supportProposal(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId: cycle.id, number });
          setFlash(reply, added ? 'budget.proposals.support.done' : 'budget.proposals.support.already');
        } catch (error) {
          const key = isAppError(error, 'validation') ? error.fields._form : undefined;
          if (typeof key !== 'string') throw error;
          setFlash(reply, key);
        }
        return redirectTo(request, reply, `/budget/${cycle.slug}/proposals/${number}#support-title`);
      },
    },
    { config: CITIZEN_LIMIT },
  );

  postForm(
    app,
    '/:locale/budget/:slug/proposals/:number/withdraw',
    {
      schema: z.object({}),
      render: (request, reply, state, status) => renderProposal(request, reply, state, status),
      async handle(request, reply) {
        const { slug } = request.params as { slug: string };
        const cycle = await cycleBySlugOrThrow(db, request.municipality.id, slug);
        const number = numberParam(request);
        await withdrawProposal(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId: cycle.id, number });
        setFlash(reply, 'budget.proposals.withdraw.done');
        return redirectTo(request, reply, `/budget/${cycle.slug}/proposals/${number}`);
      },
    },
    { config: CITIZEN_LIMIT },
  );

  app.get('/media/budget/proposals/:proposalId/:file', async (request, reply) => {
    const { proposalId, file } = request.params as { proposalId: string; file: string };
    if (!/^[1-9]\d{0,11}$/.test(proposalId) || Number(proposalId) > 2_147_483_647) throw new AppError('not_found');
    // Only photos of a visible proposal of this municipality.
    const keys = await publicProposalPhotoKeys(db, request.municipality.id, Number(proposalId));
    const key = proposalPhotoKey(keys, file);
    if (!key) throw new AppError('not_found');
    const filePath = photoFilePath(config.dataDir, key);
    if (!fs.existsSync(filePath)) throw new AppError('not_found');
    // Short-lived: moderators may hide the proposal later.
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=600').send(fs.createReadStream(filePath));
  });

  // ------------------------------------------------------------------------------------------
  // Back office

  app.register(async (admin) => {
    // As the back office's own guard (src/modules/admin/admin.routes.ts): anonymous visitors to
    // the login page and back, people without any staff role a 403. Services authorise the rest.
    admin.addHook('preHandler', async (request, reply) => {
      if (!request.actor) {
        const next = request.method === 'GET' ? request.url : `/${request.locale}/admin`;
        return reply.redirect(`/${request.locale}/login?next=${encodeURIComponent(next)}`, 303);
      }
      if (!can(request.actor, 'admin.access', { municipalityId: request.municipality.id })) throw new AppError('forbidden');
      return undefined;
    });
    registerModerationRoutes(admin);
    registerReviewRoutes(admin);
  });
}

// ---------------------------------------------------------------------------------------------
// Moderation

const adminListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  status: z.enum(PROPOSAL_STATUSES as [ProposalStatus, ...ProposalStatus[]]).optional(),
  visibility: z.enum(['visible', 'hidden']).optional(),
  category: z.enum(PROPOSAL_CATEGORIES).optional(),
  page: pageNumber,
});

function registerModerationRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/budget/:cycleId/proposals', async (request, reply) => {
    const db = dbOf(request);
    const cycleId = idParam(request, 'cycleId');
    const query = parseQuery(adminListQuery, request.query);
    const page = query.page ?? 1;
    const list = await listProposalsForModeration(db, {
      actor: request.actor,
      municipalityId: request.municipality.id,
      cycleId,
      filters: { q: query.q, status: query.status, visibility: query.visibility, category: query.category },
      page,
    });
    const cycle = await cycleByIdOrThrow(db, request.municipality.id, cycleId);
    const frame = adminFrame(request);
    const filters = { q: query.q, status: query.status, visibility: query.visibility, category: query.category };
    return sendPage(reply, AdminProposalListPage, {
      frame,
      model: {
        cycleId,
        cycleSlug: cycle.slug,
        cycleTitle: cycleTitle(cycle, request.locale),
        items: list.items,
        total: list.total,
        filters,
        statuses: PROPOSAL_STATUSES.map((s) => ({ value: s, label: frame.ctx.t(`budget.proposals.status.${s}`) })),
        categories: PROPOSAL_CATEGORIES.map((c) => ({ value: c, label: frame.ctx.t(`budget.proposals.category.${c}`) })),
        links: paginationLinks(request, `/admin/budget/${cycleId}/proposals`, filters, page, list.pageCount),
      },
    });
  });

  async function renderAdminProposal(request: FastifyRequest, reply: FastifyReply, active: AdminProposalModel['active'] = null, status = 200) {
    const db = dbOf(request);
    const cycleId = idParam(request, 'cycleId');
    const proposalId = idParam(request, 'proposalId');
    const comments = await listCommentsForModeration(db, { actor: request.actor, municipalityId: request.municipality.id, proposalId });
    const cycle = await cycleByIdOrThrow(db, request.municipality.id, cycleId);
    const proposal = await findProposalById(db, request.municipality.id, proposalId);
    if (!proposal || proposal.cycle_id !== cycle.id) throw new AppError('not_found');
    const into = proposal.merged_into_id ? await findProposalById(db, request.municipality.id, proposal.merged_into_id) : undefined;
    return sendPage(
      reply,
      AdminProposalPage,
      {
        frame: adminFrame(request),
        model: {
          cycleId,
          cycleSlug: cycle.slug,
          proposal,
          mergedIntoNumber: into?.number ?? null,
          comments: comments.map((c) => ({ id: c.id, body: c.body, visibility: c.visibility, hiddenReason: c.hidden_reason, authorName: c.author_name, createdAt: c.created_at })),
          active,
        },
      },
      status,
    );
  }

  app.get('/:locale/admin/budget/:cycleId/proposals/:proposalId', async (request, reply) => renderAdminProposal(request, reply));

  const back = (request: FastifyRequest) => `/admin/budget/${idParam(request, 'cycleId')}/proposals/${idParam(request, 'proposalId')}`;
  const reason = z.string().max(REASON_MAX_LENGTH).optional().default('');

  for (const action of ['hide', 'show'] as const) {
    postForm(app, `/:locale/admin/budget/:cycleId/proposals/:proposalId/${action}`, {
      schema: z.object({ version: versionField, reason }),
      render: (request, reply, state, status) => renderAdminProposal(request, reply, { form: 'visibility', state }, status),
      async handle(request, reply, input) {
        await setProposalVisibility(dbOf(request), {
          actor: request.actor,
          municipalityId: request.municipality.id,
          cycleId: idParam(request, 'cycleId'),
          proposalId: idParam(request, 'proposalId'),
          version: input.version,
          hidden: action === 'hide',
          reason: input.reason,
        });
        setFlash(reply, action === 'hide' ? 'budget.proposals.admin.hidden_done' : 'budget.proposals.admin.shown_done');
        return redirectTo(request, reply, back(request));
      },
    });
    postForm(app, `/:locale/admin/budget/:cycleId/proposals/:proposalId/comments/:commentId/${action}`, {
      schema: z.object({ reason }),
      render: (request, reply, state, status) => renderAdminProposal(request, reply, { form: `comment-${idParam(request, 'commentId')}`, state }, status),
      async handle(request, reply, input) {
        await setProposalCommentVisibility(dbOf(request), {
          actor: request.actor,
          municipalityId: request.municipality.id,
          cycleId: idParam(request, 'cycleId'),
          proposalId: idParam(request, 'proposalId'),
          commentId: idParam(request, 'commentId'),
          hidden: action === 'hide',
          reason: input.reason,
        });
        setFlash(reply, 'budget.proposals.admin.comment_done');
        return redirectTo(request, reply, back(request));
      },
    });
  }

  postForm(app, '/:locale/admin/budget/:cycleId/proposals/:proposalId/merge', {
    schema: z.object({ version: versionField, into: z.string().trim().min(1, 'validation.required').regex(/^\d{1,9}$/, 'validation.invalid_number').transform(Number) }),
    render: (request, reply, state, status) => renderAdminProposal(request, reply, { form: 'merge', state }, status),
    async handle(request, reply, input) {
      await mergeProposal(dbOf(request), {
        actor: request.actor,
        municipalityId: request.municipality.id,
        cycleId: idParam(request, 'cycleId'),
        proposalId: idParam(request, 'proposalId'),
        version: input.version,
        intoNumber: input.into,
      });
      setFlash(reply, 'budget.proposals.admin.merged_done');
      return redirectTo(request, reply, back(request));
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Technical review

function registerReviewRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/budget/:cycleId/review', async (request, reply) => {
    const db = dbOf(request);
    const cycleId = idParam(request, 'cycleId');
    const items = await listReviewQueue(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId });
    const cycle = await cycleByIdOrThrow(db, request.municipality.id, cycleId);
    const departments = await listDepartments(db, request.municipality.id);
    return sendPage(reply, ReviewQueuePage, {
      frame: adminFrame(request),
      model: { cycleId, cycleTitle: cycleTitle(cycle, request.locale), items, departmentNames: new Map(departments.map((d) => [d.id, localName(d, request.locale)])) },
    });
  });

  async function renderReview(request: FastifyRequest, reply: FastifyReply, active: ReviewPageModel['active'] = null, status = 200) {
    const db = dbOf(request);
    const cycleId = idParam(request, 'cycleId');
    const workspace = await loadReviewWorkspace(db, { actor: request.actor, municipalityId: request.municipality.id, cycleId, proposalId: idParam(request, 'proposalId') });
    const cycle = await cycleByIdOrThrow(db, request.municipality.id, cycleId);
    return sendPage(reply, ReviewPage, { frame: adminFrame(request), model: { cycleId, cycleSlug: cycle.slug, workspace, active } }, status);
  }

  app.get('/:locale/admin/budget/:cycleId/review/:proposalId', async (request, reply) => renderReview(request, reply));

  const back = (request: FastifyRequest) => `/admin/budget/${idParam(request, 'cycleId')}/review/${idParam(request, 'proposalId')}`;
  const optionalVersion = z
    .string()
    .regex(/^\d{0,9}$/)
    .optional()
    .transform((v) => (v ? Number(v) : null));

  postForm(app, '/:locale/admin/budget/:cycleId/review/:proposalId/assign', {
    schema: z.object({ reviewVersion: optionalVersion, departmentId: z.string().trim().min(1, 'validation.required').regex(/^\d{1,9}$/, 'validation.invalid_choice').transform(Number) }),
    render: (request, reply, state, status) => renderReview(request, reply, { form: 'assign', state }, status),
    async handle(request, reply, input) {
      await assignReviewDepartment(dbOf(request), {
        actor: request.actor,
        municipalityId: request.municipality.id,
        cycleId: idParam(request, 'cycleId'),
        proposalId: idParam(request, 'proposalId'),
        departmentId: input.departmentId,
        reviewVersion: input.reviewVersion,
      });
      setFlash(reply, 'budget.review.assign.done');
      return redirectTo(request, reply, back(request));
    },
  });

  const textField = z.string().max(4000).optional().default('');
  postForm(app, '/:locale/admin/budget/:cycleId/review/:proposalId/decide', {
    schema: z.object({
      reviewVersion: versionField,
      proposalVersion: versionField,
      feasible: z.string().max(10).optional().default(''),
      publicReason: textField,
      costEstimate: z.string().max(30).optional().default(''),
      costExplanation: textField,
      internalNotes: textField,
    }),
    render: (request, reply, state, status) => renderReview(request, reply, { form: 'decide', state }, status),
    async handle(request, reply, input) {
      await decideReview(dbOf(request), {
        actor: request.actor,
        municipalityId: request.municipality.id,
        cycleId: idParam(request, 'cycleId'),
        proposalId: idParam(request, 'proposalId'),
        reviewVersion: input.reviewVersion,
        proposalVersion: input.proposalVersion,
        input: {
          feasible: input.feasible,
          publicReason: input.publicReason,
          costEstimate: input.costEstimate,
          costExplanation: input.costExplanation,
          internalNotes: input.internalNotes,
        },
      });
      setFlash(reply, 'budget.review.decide.done');
      return redirectTo(request, reply, back(request));
    },
  });

  postForm(app, '/:locale/admin/budget/:cycleId/review/:proposalId/ballot', {
    schema: z.object({ proposalVersion: versionField }),
    render: (request, reply, state, status) => renderReview(request, reply, { form: 'ballot', state }, status),
    async handle(request, reply, input) {
      await putProposalOnBallot(dbOf(request), { actor: request.actor, municipalityId: request.municipality.id, cycleId: idParam(request, 'cycleId'), proposalId: idParam(request, 'proposalId'), proposalVersion: input.proposalVersion });
      setFlash(reply, 'budget.review.ballot.put_done');
      return redirectTo(request, reply, back(request));
    },
  });

  postForm(app, '/:locale/admin/budget/:cycleId/review/:proposalId/ballot/remove', {
    schema: z.object({ proposalVersion: versionField }),
    render: (request, reply, state, status) => renderReview(request, reply, { form: 'ballot', state }, status),
    async handle(request, reply, input) {
      await takeProposalOffBallot(dbOf(request), { actor: request.actor, municipalityId: request.municipality.id, cycleId: idParam(request, 'cycleId'), proposalId: idParam(request, 'proposalId'), proposalVersion: input.proposalVersion });
      setFlash(reply, 'budget.review.ballot.off_done');
      return redirectTo(request, reply, back(request));
    },
  });
}
