// The citizens' complaint pages (see portal.views.tsx): filing (category, details with photos,
// "already reported?"), the receipt, tracking by number, a complaint's public page with "me
// too" and feedback, its public photos, and "my complaints".
//
// The form with photos is multipart: @fastify/multipart is registered in this plugin's scope
// only, and the body is read in the handler, so the CSRF token is checked here too (the route
// says csrfHandledByForm) and a failure re-renders the form with what was typed.
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { CSRF_COOKIE, isValidCsrfToken } from '../../http/csrf.ts';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../http/render.ts';
import { localName, translate } from '../../i18n/i18n.ts';
import { AppError, type FieldErrors, isAppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import type { Contact } from '../accounts/accounts.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { type Category, getCategory, listCategories } from './categories.service.ts';
import { FEEDBACK_COMMENT_MAX_LENGTH, isOpen, MAX_PHOTOS, normalizeTrackingNumber } from './complaints.ts';
import { recordFeedback } from './feedback.service.ts';
import { followComplaint } from './following.service.ts';
import { reachableAddress, reporterContact, type Recipient } from './notifications.ts';
import { canDecodeHeic, photoFilePath, type StoredPhoto } from './photos.ts';
import { checkComplaintDraft } from './portal-checks.ts';
import { answersOf, formFieldErrors, idOf, KEPT_PHOTOS_FIELD, MULTIPART_LIMITS, readSubmission, textOf } from './portal-form.ts';
import { findSimilarOpenComplaints } from './portal-nearby.ts';
import {
  countKeptPhotos,
  discardKeptPhotos,
  keptPhotosToken,
  type KeptPhotosScope,
  photoErrorOf,
  PORTAL_PHOTO_LIMITS,
  processUploads,
  publicPhotoKey,
  publicPhotoPath,
  readKeptPhotos,
  storePhotos,
} from './portal-photos.ts';
import {
  type CategoryGroup,
  ComplaintPage,
  type ComplaintPageModel,
  ComplaintsHomePage,
  type DetailsModel,
  MyComplaintsPage,
  NewComplaintCategoryPage,
  NewComplaintDetailsPage,
  ReceiptPage,
  SimilarComplaintsPage,
  TrackPage,
} from './portal.views.tsx';
import { getPublicComplaint, listComplaintsForReporter, type PublicComplaintView } from './reading.service.ts';
import { submitComplaint } from './submission.service.ts';
import { LEAFLET_DIR, mapSettingsFor } from '../../http/map-settings.ts';

const RECEIPT_COOKIE = 'twiza_receipt';
/** Filing is open to anyone; this keeps one address from flooding the cell. */
const FILING_LIMIT = { rateLimit: { max: 20, timeWindow: '1 minute' } };

function photoAccept(): string {
  return ['image/jpeg', 'image/png', 'image/webp', 'image/avif', ...(canDecodeHeic() ? ['image/heic', 'image/heif'] : [])].join(',');
}

const feedbackSchema = z.object({
  resolved: z.enum(['yes', 'no'], { message: 'complaints.portal.feedback.resolved_required' }),
  satisfaction: z.enum(['', '1', '2', '3', '4', '5'], { message: 'complaints.feedback.satisfaction_invalid' }).optional(),
  comment: z.string().max(FEEDBACK_COMMENT_MAX_LENGTH).optional(),
  contact: z.string().trim().max(254).optional(),
});

const followSchema = z.object({
  contact: z.string().trim().max(254).optional(),
  [KEPT_PHOTOS_FIELD]: z.string().max(4000).optional(),
});

export function registerComplaintPortalRoutes(app: FastifyInstance): void {
  const db = app.deps.database.db;
  const config = app.deps.config;
  const countryCode = config.sms.countryCode;
  const accept = photoAccept();

  // ------------------------------------------------------------------------------------------
  // Helpers shared by the pages

  const mapSettings = (request: FastifyRequest) => mapSettingsFor(config, request.municipality);

  function keptScope(request: FastifyRequest): KeptPhotosScope {
    return { secretKey: app.secretKey, browserSecret: request.csrfSecret, municipalityId: request.municipality.id, dataDir: config.dataDir };
  }

  async function categoryGroups(request: FastifyRequest): Promise<CategoryGroup[]> {
    const locale = request.locale;
    const groups = new Map<string, CategoryGroup>();
    for (const category of await listCategories(db, { municipalityId: request.municipality.id })) {
      const code = category.groupCode ?? '';
      let group = groups.get(code);
      if (!group) {
        const key = code ? `complaints.group.${code}` : 'complaints.portal.new.other_group';
        const label = translate(locale, key);
        group = { label: label === key ? code : label, options: [] };
        groups.set(code, group);
      }
      group.options.push({ value: String(category.id), label: category.name[locale] });
    }
    // Categories without a group come last.
    return [...groups.entries()].sort(([a], [b]) => Number(a === '') - Number(b === '')).map(([, group]) => group);
  }

  async function findActiveCategory(request: FastifyRequest, id: number | null): Promise<Category | undefined> {
    if (id === null) return undefined;
    const category = await getCategory(db, { municipalityId: request.municipality.id, categoryId: id });
    return category?.active ? category : undefined;
  }

  function accountContact(request: FastifyRequest): Contact | null {
    const user = request.currentUser?.user;
    const recipient = user ? reachableAddress(user) : null;
    return recipient ? { channel: recipient.channel, target: recipient.address } : null;
  }

  function renderCategoryStep(request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) {
    return categoryGroups(request).then((groups) => sendPage(reply, NewComplaintCategoryPage, { ctx: viewContext(request), state, groups }, status));
  }

  async function renderDetails(
    request: FastifyRequest,
    reply: FastifyReply,
    category: Category,
    state: FormState,
    options: { status?: number; keptToken?: string; photosDropped?: boolean } = {},
  ) {
    const locale = request.locale;
    const neighbourhoods = await listNeighbourhoods(db, request.municipality.id);
    const keptCount = countKeptPhotos(keptScope(request), options.keptToken);
    const model: DetailsModel = {
      category: {
        id: category.id,
        name: category.name[locale],
        description: category.description?.[locale] || null,
        sensitive: category.sensitive,
        questions: category.questions.map((q) => ({
          code: q.code,
          kind: q.kind,
          label: q.label[locale],
          required: q.required,
          options: q.options.map((o) => ({ value: o.value, label: o.label[locale] })),
        })),
      },
      neighbourhoods: neighbourhoods.map((n) => ({ value: String(n.id), label: localName(n, locale) })),
      map: mapSettings(request),
      accountContact: accountContact(request),
      signedIn: request.currentUser !== null,
      keptPhotos: keptCount > 0 && options.keptToken ? { token: options.keptToken, count: keptCount } : null,
      photosDropped: options.photosDropped ?? false,
      accept,
      maxPhotoMegabytes: Math.floor(PORTAL_PHOTO_LIMITS.maxBytes / (1024 * 1024)),
    };
    return sendPage(reply, NewComplaintDetailsPage, { ctx: viewContext(request), state, model }, options.status ?? 200);
  }

  function setReceiptCookie(reply: FastifyReply, trackingNumber: string, sentTo: Recipient | null): void {
    const value = JSON.stringify({ n: trackingNumber, c: sentTo?.channel ?? null, a: sentTo?.address ?? null });
    reply.setCookie(RECEIPT_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 3600, secure: config.secureCookies });
  }

  /** Where this browser's confirmation went: only the browser that filed the complaint knows. */
  function receiptSentTo(request: FastifyRequest, trackingNumber: string): Contact | null | undefined {
    const raw = request.cookies[RECEIPT_COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return undefined;
    try {
      const data = JSON.parse(unsigned.value) as { n?: string; c?: string | null; a?: string | null };
      if (data.n !== trackingNumber) return undefined;
      return (data.c === 'sms' || data.c === 'email') && data.a ? { channel: data.c, target: data.a } : null;
    } catch {
      return undefined;
    }
  }

  async function loadPublicComplaint(request: FastifyRequest, tracking: string): Promise<PublicComplaintView> {
    return getPublicComplaint(db, { municipalityId: request.municipality.id, trackingNumber: tracking });
  }

  async function renderComplaint(
    request: FastifyRequest,
    reply: FastifyReply,
    tracking: string,
    active: ComplaintPageModel['active'] = null,
    status = 200,
  ) {
    const view = await loadPublicComplaint(request, tracking);
    const locale = request.locale;
    const ctx = viewContext(request);
    const answers = view.answers.map((a) => {
      let value: string;
      if (a.choices.length > 0) value = a.choices.map((c) => c[locale]).join(locale === 'ar' ? '، ' : ', ');
      else if (typeof a.value === 'number') value = ctx.format.formatNumber(a.value);
      else if (a.kind === 'date' && typeof a.value === 'string') value = ctx.format.formatDate(`${a.value}T12:00:00Z`);
      else value = Array.isArray(a.value) ? a.value.join(', ') : String(a.value);
      return { label: a.label[locale], value };
    });
    const kept = active?.state.values[KEPT_PHOTOS_FIELD];
    const model: ComplaintPageModel = {
      trackingNumber: view.trackingNumber,
      status: view.status,
      categoryName: view.category.name[locale],
      departmentName: view.department?.name[locale] ?? null,
      description: view.description,
      createdAt: view.createdAt,
      deadline: view.deadline,
      resolvedAt: view.resolvedAt,
      statusReason: view.statusReason,
      forwardedTo: view.forwardedTo,
      duplicateOf: view.duplicateOf,
      location: {
        neighbourhood: view.location.neighbourhood?.name[locale] ?? null,
        address: view.location.address,
        point: view.location.point,
        approximate: view.location.approximate,
      },
      answers,
      photos: view.photos.map((p) => ({
        url: publicPhotoPath(view.trackingNumber, p.storageKey),
        thumbnailUrl: publicPhotoPath(view.trackingNumber, p.thumbnailKey),
        width: p.width,
        height: p.height,
      })),
      followerCount: view.followerCount,
      timeline: view.timeline,
      feedback: view.feedback,
      map: mapSettings(request),
      now: nowIso(),
      signedIn: request.currentUser !== null,
      canFollow: isOpen(view.status) || view.status === 'resolved',
      canGiveFeedback: view.status === 'resolved' && view.feedback === null,
      active,
      keptPhotosToken: typeof kept === 'string' && kept ? kept : null,
    };
    return sendPage(reply, ComplaintPage, { ctx, model }, status);
  }

  // ------------------------------------------------------------------------------------------
  // Landing page, tracking, my complaints

  app.get('/:locale/complaints', async (request, reply) =>
    sendPage(reply, ComplaintsHomePage, { ctx: viewContext(request), signedIn: request.currentUser !== null }),
  );

  app.get('/:locale/complaints/track', async (request, reply) => {
    const query = request.query as { number?: unknown };
    const typed = typeof query.number === 'string' ? query.number.slice(0, 60) : undefined;
    if (typed === undefined) return sendPage(reply, TrackPage, { ctx: viewContext(request), state: emptyForm });
    const values = { number: typed };
    if (typed.trim() === '') return sendPage(reply, TrackPage, { ctx: viewContext(request), state: { values, errors: { number: 'validation.required' } } }, 400);
    const tracking = normalizeTrackingNumber(typed);
    if (!tracking) {
      return sendPage(reply, TrackPage, { ctx: viewContext(request), state: { values, errors: { number: 'complaints.portal.track.invalid' } } }, 400);
    }
    try {
      await loadPublicComplaint(request, tracking);
    } catch (error) {
      if (!isAppError(error, 'not_found')) throw error;
      return sendPage(reply, TrackPage, { ctx: viewContext(request), state: { values, errors: { number: 'complaints.portal.track.not_found' } } }, 404);
    }
    return redirectTo(request, reply, `/complaints/${tracking}`);
  });

  app.get('/:locale/account/complaints', async (request, reply) => {
    if (!request.currentUser) return reply.redirect(`/${request.locale}/login?next=${encodeURIComponent(`/${request.locale}/account/complaints`)}`, 303);
    const locale = request.locale;
    const summaries = await listComplaintsForReporter(db, { actor: request.actor, municipalityId: request.municipality.id });
    const items = summaries.map((s) => ({
      trackingNumber: s.trackingNumber,
      status: s.status,
      categoryName: s.category.name[locale],
      description: s.description,
      createdAt: s.createdAt,
      reportedByMe: s.reportedByMe,
    }));
    return sendPage(reply, MyComplaintsPage, { ctx: viewContext(request), items });
  });

  // ------------------------------------------------------------------------------------------
  // Filing

  app.get('/:locale/complaints/new', async (request, reply) => {
    const query = request.query as { category?: unknown };
    // "Next" without a choice comes back with the error, as a posted form would.
    if (query.category === undefined) return renderCategoryStep(request, reply, emptyForm);
    const values = { category: String(query.category) };
    const category = await findActiveCategory(request, idOf(values, 'category'));
    if (!category) return renderCategoryStep(request, reply, { values, errors: { category: 'complaints.category.unknown' } }, 400);
    return renderDetails(request, reply, category, { values, errors: {} });
  });

  app.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: false });
    // Leaflet's files, for the map on the form and on a complaint's page (loaded by the map
    // script only when JavaScript runs and tiles are configured).
    await scope.register(fastifyStatic, { root: LEAFLET_DIR, prefix: '/static/leaflet/', decorateReply: false, maxAge: '365d', immutable: true });

    scope.post('/:locale/complaints/new', { config: { csrfHandledByForm: true, ...FILING_LIMIT } }, async (request, reply) => {
      const submission = await readSubmission(request);
      const { values } = submission;
      const category = await findActiveCategory(request, idOf(values, 'category'));
      if (!category) return renderCategoryStep(request, reply, { values, errors: { category: 'complaints.category.unknown' } }, 400);
      const kept = keptScope(request);
      let keptToken = textOf(values, KEPT_PHOTOS_FIELD) || undefined;
      const photosChosen = submission.photoCount > 0;

      if (!isValidCsrfToken(app.secretKey, request.cookies[CSRF_COOKIE], submission.csrfToken)) {
        return renderDetails(request, reply, category, { values, errors: { _form: 'errors.csrf_invalid' } }, { status: 403, keptToken, photosDropped: photosChosen });
      }
      // "Change my complaint" on the similar-complaints page: back to the form, photos kept.
      if (textOf(values, 'step') === 'edit') return renderDetails(request, reply, category, { values, errors: {} }, { keptToken });
      if (textOf(values, 'drop_photos') === 'yes') {
        await discardKeptPhotos(db, kept, keptToken);
        keptToken = undefined;
      }

      const errors: FieldErrors = { ...submission.errors };
      let keptPhotos: StoredPhoto[] = [];
      if (keptToken) {
        try {
          keptPhotos = await readKeptPhotos(db, kept, keptToken);
        } catch (error) {
          const photoError = photoErrorOf(error);
          if (!photoError) throw error;
          errors.photos ??= photoError;
          keptToken = undefined;
        }
      }
      if (keptPhotos.length + submission.photoCount > MAX_PHOTOS) errors.photos = { key: 'complaints.photo.too_many', values: { max: MAX_PHOTOS } };
      const { draft, errors: draftErrors } = await checkComplaintDraft(db, { municipality: request.municipality, category, values, countryCode });
      for (const [field, error] of Object.entries(draftErrors)) errors[field] ??= error;
      let processed: Awaited<ReturnType<typeof processUploads>> = [];
      if (!errors.photos) {
        try {
          processed = await processUploads(submission.uploads);
        } catch (error) {
          const photoError = photoErrorOf(error);
          if (!photoError) throw error;
          errors.photos = photoError;
        }
      }
      if (Object.keys(errors).length > 0) {
        return renderDetails(request, reply, category, { values, errors }, { status: 400, keptToken, photosDropped: photosChosen });
      }

      // Already reported nearby? Shown once, before anything is filed.
      if (textOf(values, 'similar_seen') !== 'yes') {
        const similar = await findSimilarOpenComplaints(db, {
          municipalityId: request.municipality.id,
          categoryId: category.id,
          point: draft.point,
          neighbourhoodId: draft.neighbourhoodId,
        });
        if (similar.length > 0) {
          const stored = await storePhotos({ dataDir: config.dataDir, municipalityId: request.municipality.id, photos: processed });
          const photos = [...keptPhotos, ...stored];
          const token = photos.length > 0 ? keptPhotosToken(kept, photos) : null;
          const typedContact = draft.phone || draft.email;
          return sendPage(reply, SimilarComplaintsPage, {
            ctx: viewContext(request),
            model: {
              categoryName: category.name[request.locale],
              similar,
              values,
              keptPhotos: token ? { token, count: photos.length } : null,
              followContact: request.currentUser ? null : typedContact || null,
              signedIn: request.currentUser !== null,
            },
          });
        }
      }

      const stored = await storePhotos({ dataDir: config.dataDir, municipalityId: request.municipality.id, photos: processed });
      const photos = [...keptPhotos, ...stored];
      let result;
      try {
        // submitComplaint removes the photo files itself when the complaint is not saved.
        result = await submitComplaint(db, {
          municipality: request.municipality,
          channel: 'web',
          locale: request.locale,
          reporter: request.actor,
          contact: { name: draft.name || null, phone: draft.phone || null, email: draft.email || null },
          categoryId: category.id,
          description: draft.description,
          answers: answersOf(values),
          location: { lat: draft.point?.lat ?? null, lng: draft.point?.lng ?? null, neighbourhoodId: draft.neighbourhoodId, address: draft.address || null },
          photos,
          publicUrl: config.publicUrl,
          countryCode,
        });
      } catch (error) {
        if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated') {
          const fields = Object.keys(error.fields).length > 0 ? formFieldErrors(error.fields) : { _form: `errors.${error.code}` };
          return renderDetails(request, reply, category, { values, errors: fields }, { status: error.status, photosDropped: photos.length > 0 });
        }
        throw error;
      }
      const sentTo = reporterContact(result.complaint) ?? (request.currentUser ? reachableAddress(request.currentUser.user) : null);
      setReceiptCookie(reply, result.trackingNumber, sentTo);
      return redirectTo(request, reply, `/complaints/receipt/${result.trackingNumber}`);
    });
  });

  app.get('/:locale/complaints/receipt/:tracking', async (request, reply) => {
    const { tracking } = request.params as { tracking: string };
    const view = await loadPublicComplaint(request, tracking);
    return sendPage(reply, ReceiptPage, {
      ctx: viewContext(request),
      model: {
        trackingNumber: view.trackingNumber,
        categoryName: view.category.name[request.locale],
        ackDueAt: view.ackDueAt,
        resolveDueAt: view.resolveDueAt,
        sentTo: receiptSentTo(request, view.trackingNumber),
        signedIn: request.currentUser !== null,
      },
    });
  });

  // ------------------------------------------------------------------------------------------
  // A complaint's page, "me too", feedback, photos

  app.get('/:locale/complaints/:tracking', async (request, reply) => {
    const { tracking } = request.params as { tracking: string };
    const canonical = normalizeTrackingNumber(tracking);
    if (!canonical) throw new AppError('not_found');
    // Numbers typed by hand in the address bar ("kef-2026-123") land on the one address.
    if (canonical !== tracking) return reply.redirect(`/${request.locale}/complaints/${canonical}`, 301);
    return renderComplaint(request, reply, canonical);
  });

  postForm(
    app,
    '/:locale/complaints/:tracking/follow',
    {
      schema: followSchema,
      render: (request, reply, state, status) => renderComplaint(request, reply, (request.params as { tracking: string }).tracking, { form: 'follow', state }, status),
      async handle(request, reply, input) {
        const { tracking } = request.params as { tracking: string };
        if (!request.actor && !input.contact) throw new AppError('validation', { fields: { contact: 'validation.required' } });
        const result = await followComplaint(db, {
          municipalityId: request.municipality.id,
          complaint: { trackingNumber: tracking },
          actor: request.actor ?? undefined,
          contact: request.actor ? null : input.contact,
          locale: request.locale,
          countryCode,
        });
        // They follow an existing complaint instead of filing theirs: its photos are not needed.
        await discardKeptPhotos(db, keptScope(request), input[KEPT_PHOTOS_FIELD]);
        setFlash(reply, result.followed ? 'complaints.portal.follow.done' : 'complaints.portal.follow.already');
        return redirectTo(request, reply, `/complaints/${result.trackingNumber}`);
      },
    },
    { config: FILING_LIMIT },
  );

  postForm(
    app,
    '/:locale/complaints/:tracking/feedback',
    {
      schema: feedbackSchema,
      render: (request, reply, state, status) => renderComplaint(request, reply, (request.params as { tracking: string }).tracking, { form: 'feedback', state }, status),
      async handle(request, reply, input) {
        const { tracking } = request.params as { tracking: string };
        if (!request.actor && !input.contact) throw new AppError('validation', { fields: { contact: 'validation.required' } });
        let outcome;
        try {
          outcome = await recordFeedback(db, {
            municipalityId: request.municipality.id,
            complaint: { trackingNumber: tracking },
            actor: request.actor ?? undefined,
            contact: request.actor ? null : input.contact,
            resolved: input.resolved === 'yes',
            satisfaction: input.satisfaction ? Number(input.satisfaction) : null,
            comment: input.comment ?? null,
            countryCode,
            publicUrl: config.publicUrl,
          });
        } catch (error) {
          // "Only the reporter or a follower": a message next to the form, not an error page.
          if (isAppError(error, 'forbidden') && error.fields._form) throw new AppError('validation', { fields: { [request.actor ? '_form' : 'contact']: error.fields._form } });
          throw error;
        }
        setFlash(reply, outcome.reopened ? 'complaints.portal.feedback.reopened' : 'complaints.portal.feedback.thanks');
        return redirectTo(request, reply, `/complaints/${normalizeTrackingNumber(tracking) ?? tracking}`);
      },
    },
    { config: FILING_LIMIT },
  );

  app.get('/media/complaints/:tracking/:file', async (request, reply) => {
    const { tracking, file } = request.params as { tracking: string; file: string };
    // Only photos marked public, of a complaint of this municipality (none for sensitive categories).
    const view = await loadPublicComplaint(request, tracking);
    const key = publicPhotoKey(view.photos, file);
    if (!key) throw new AppError('not_found');
    const filePath = photoFilePath(config.dataDir, key);
    if (!fs.existsSync(filePath)) throw new AppError('not_found');
    // Short-lived: staff may hide a photo later.
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=600').send(fs.createReadStream(filePath));
  });
}
