// The citizens' complaint pages: the landing page, the form (category, then details), "is it
// already reported?", the receipt, the tracking form, a complaint's public page with "me too"
// and feedback, and "my complaints". Plain view-models in, HTML out; every form works without
// JavaScript, and the map (client/complaint-map.ts) only adds a way to place the point.
import type { ComponentChildren } from 'preact';
import type { FormState, FormValues } from '../../http/forms.ts';
import { ErrorSummary, errorText, Form, type Option, SelectField, SubmitButton, TextArea, TextField, RadioGroup } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { MapBlock, type MapSettings } from '../../ui/map.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { ContactText, richText } from '../accounts/account-ui.tsx';
import type { Contact } from '../accounts/accounts.ts';
import {
  ADDRESS_MAX_LENGTH,
  type ComplaintStatus,
  CONTACT_NAME_MAX_LENGTH,
  daysUntil,
  DESCRIPTION_MAX_LENGTH,
  FEEDBACK_COMMENT_MAX_LENGTH,
  MAX_PHOTOS,
  TEXT_ANSWER_MAX_LENGTH,
} from './complaints.ts';
import type { QuestionKind } from './complaints.table.ts';
import type { PublicTimelineEntry } from './reading.service.ts';
import type { SimilarComplaint } from './portal-nearby.ts';
import { KEPT_PHOTOS_FIELD, PHOTOS_FIELD, QUESTION_PREFIX } from './portal-form.ts';

const P = 'complaints.portal';

// ---------------------------------------------------------------------------------------------
// Shared pieces

export function TrackingNumber(props: { value: string; large?: boolean }) {
  return (
    <bdi dir="ltr" class={props.large ? 'tracking-number tracking-number--large' : 'tracking-number'}>
      {props.value}
    </bdi>
  );
}

export function StatusBadge(props: { ctx: ViewContext; status: ComplaintStatus }) {
  return <span class={`status-badge status-badge--${props.status}`}>{props.ctx.t(`complaints.status.${props.status}`)}</span>;
}

/** Text people typed, kept on its lines and isolated from the page's direction. */
function Typed(props: { children: string; block?: boolean }) {
  // A block <bdi> (not <p dir="auto"><bdi>…</bdi></p>: "auto" skips the <bdi> inside and
  // would align Arabic text to the left).
  return props.block ? <bdi class="typed-text">{props.children}</bdi> : <bdi>{props.children}</bdi>;
}

/** Hidden fields carrying what the citizen typed to the next step. */
function HiddenValues(props: { values: FormValues; skip: string[] }) {
  return (
    <>
      {Object.entries(props.values)
        .filter(([name]) => !props.skip.includes(name))
        .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => <input type="hidden" name={name} value={v} />))}
    </>
  );
}

function valueOf(values: FormValues, name: string): string {
  const value = values[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

// ---------------------------------------------------------------------------------------------
// Landing page

export function ComplaintsHomePage(props: { ctx: ViewContext; signedIn: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t(`${P}.home.title`)}>
      <h1>{t(`${P}.home.title`)}</h1>
      <p class="lead">{t(`${P}.home.intro`)}</p>
      <p class="actions">
        <a class="button" href={href(ctx, '/complaints/new')}>
          {t(`${P}.home.file`)}
        </a>
      </p>
      <section class="panel" aria-labelledby="track-title">
        <h2 id="track-title">{t(`${P}.home.track_title`)}</h2>
        <TrackForm ctx={ctx} state={{ values: {}, errors: {} }} />
        {props.signedIn && (
          <p>
            <a href={href(ctx, '/account/complaints')}>{t(`${P}.mine.title`)}</a>
          </p>
        )}
      </section>
      <nav class="panel" aria-labelledby="public-pages-title">
        <h2 id="public-pages-title">{t('complaints.public.nav.label')}</h2>
        <ul class="plain-list">
          <li>
            <a href={href(ctx, '/complaints/list')}>{t('complaints.public.list.title')}</a>
          </li>
          <li>
            <a href={href(ctx, '/complaints/map')}>{t('complaints.public.map.title')}</a>
          </li>
          <li>
            <a href={href(ctx, '/complaints/statistics')}>{t('complaints.public.stats.title')}</a>
          </li>
        </ul>
      </nav>
      <section aria-labelledby="how-title">
        <h2 id="how-title">{t(`${P}.home.how_title`)}</h2>
        <ol class="plain-list">
          <li>{t(`${P}.home.how_1`)}</li>
          <li>{t(`${P}.home.how_2`)}</li>
          <li>{t(`${P}.home.how_3`)}</li>
          <li>{t(`${P}.home.how_4`)}</li>
        </ol>
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Step 1: the category

export type CategoryGroup = { label: string; options: Option[] };

export function NewComplaintCategoryPage(props: { ctx: ViewContext; state: FormState; groups: CategoryGroup[] }) {
  const { ctx, state } = props;
  const { t } = ctx;
  const error = errorText(ctx, state.errors.category);
  const selected = valueOf(state.values, 'category');
  return (
    <Layout ctx={ctx} title={t(`${P}.new.title`)}>
      <h1>{t(`${P}.new.title`)}</h1>
      <p class="lead">{t(`${P}.new.intro`)}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ category: t(`${P}.field.category`) }} />
      {/* A GET form: choosing a category changes nothing, and the next page can be bookmarked. */}
      <form method="get" action={href(ctx, '/complaints/new')} class="form" noValidate>
        <div class={error ? 'field field--error' : 'field'}>
          <label class="field__label" for="field-category">
            {t(`${P}.field.category`)}
          </label>
          <p class="field__hint" id="hint-category">
            {t(`${P}.field.category_hint`)}
          </p>
          {error && (
            <p class="field__error" id="error-category">
              {error}
            </p>
          )}
          <select
            class="field__input"
            id="field-category"
            name="category"
            required
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'hint-category error-category' : 'hint-category'}
          >
            <option value="">{t('form.choose')}</option>
            {props.groups.map((group) => (
              <optgroup label={group.label}>
                {group.options.map((o) => (
                  <option value={o.value} selected={o.value === selected}>
                    {o.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div class="actions">
          <SubmitButton>{t('form.next')}</SubmitButton>
        </div>
      </form>
      <p class="muted portal-note">{t(`${P}.new.utilities`)}</p>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Step 2: the details

export type QuestionView = { code: string; kind: QuestionKind; label: string; required: boolean; options: Option[] };

export type DetailsModel = {
  category: { id: number; name: string; description: string | null; sensitive: boolean; questions: QuestionView[] };
  neighbourhoods: Option[];
  map: MapSettings | null;
  /** The signed-in citizen's own address, used unless they give another. */
  accountContact: Contact | null;
  signedIn: boolean;
  /** Photos already sent and kept on the server for this form. */
  keptPhotos: { token: string; count: number } | null;
  /** Photos were chosen but are not kept: the citizen must choose them again. */
  photosDropped: boolean;
  /** What the file input accepts. */
  accept: string;
  maxPhotoMegabytes: number;
};

function QuestionField(props: { ctx: ViewContext; state: FormState; question: QuestionView }) {
  const { ctx, state, question } = props;
  const name = `${QUESTION_PREFIX}${question.code}`;
  const common = { ctx, state, name, label: question.label, required: question.required };
  switch (question.kind) {
    case 'text':
      return <TextField {...common} maxLength={TEXT_ANSWER_MAX_LENGTH} dir="auto" />;
    case 'number':
      return <TextField {...common} inputMode="numeric" dir="ltr" maxLength={20} />;
    case 'date':
      return <TextField {...common} type="date" dir="ltr" />;
    case 'single':
      return <SelectField {...common} options={question.options} />;
    case 'multiple':
      return <CheckboxGroup {...common} options={question.options} />;
  }
}

function CheckboxGroup(props: { ctx: ViewContext; state: FormState; name: string; label: string; required: boolean; options: Option[] }) {
  const { ctx, state, name } = props;
  const error = errorText(ctx, state.errors[name]);
  const raw = state.values[name];
  const selected = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return (
    <fieldset class={error ? 'field fieldset field--error' : 'field fieldset'} id={`field-${name}`} aria-describedby={error ? `error-${name}` : undefined}>
      <legend class="field__label">
        {props.label}
        {!props.required && <span class="field__optional"> {ctx.t('form.optional')}</span>}
      </legend>
      {error && (
        <p class="field__error" id={`error-${name}`}>
          {error}
        </p>
      )}
      {props.options.map((o) => (
        <div class="choice">
          <input type="checkbox" id={`field-${name}-${o.value}`} name={name} value={o.value} checked={selected.includes(o.value)} />
          <label for={`field-${name}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

function PhotosField(props: { ctx: ViewContext; state: FormState; model: DetailsModel }) {
  const { ctx, state, model } = props;
  const { t } = ctx;
  const error = errorText(ctx, state.errors[PHOTOS_FIELD]);
  const kept = model.keptPhotos;
  const remaining = MAX_PHOTOS - (kept?.count ?? 0);
  const ids = ['hint-photos', error ? 'error-photos' : '', model.photosDropped ? 'notice-photos' : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field field--error' : 'field'}>
      <label class="field__label" for="field-photos">
        {t(`${P}.field.photos`)}
        <span class="field__optional"> {t('form.optional')}</span>
      </label>
      <p class="field__hint" id="hint-photos">
        {t(`${P}.field.photos_hint`, { max: MAX_PHOTOS, megabytes: model.maxPhotoMegabytes })}{' '}
        {t(model.category.sensitive ? `${P}.field.photos_private` : `${P}.field.photos_public`)}
      </p>
      {error && (
        <p class="field__error" id="error-photos">
          {error}
        </p>
      )}
      {model.photosDropped && (
        <p class="notice" id="notice-photos">
          {t(`${P}.field.photos_again`)}
        </p>
      )}
      {kept && (
        <div class="notice">
          <p>{t(`${P}.field.photos_kept`, { count: kept.count })}</p>
          <input type="hidden" name={KEPT_PHOTOS_FIELD} value={kept.token} />
          <div class="choice">
            <input type="checkbox" id="field-drop_photos" name="drop_photos" value="yes" />
            <label for="field-drop_photos">{t(`${P}.field.photos_drop`)}</label>
          </div>
        </div>
      )}
      {remaining > 0 && (
        <input
          class="field__input field__input--file"
          id="field-photos"
          name={PHOTOS_FIELD}
          type="file"
          accept={model.accept}
          multiple
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={ids}
        />
      )}
    </div>
  );
}

export function NewComplaintDetailsPage(props: { ctx: ViewContext; state: FormState; model: DetailsModel }) {
  const { ctx, state, model } = props;
  const { t } = ctx;
  const { category } = model;
  const labels: Record<string, string> = {
    category: t(`${P}.field.category`),
    description: t(`${P}.field.description`),
    location: t(`${P}.field.location`),
    neighbourhood: t(`${P}.field.neighbourhood`),
    address: t(`${P}.field.address`),
    photos: t(`${P}.field.photos`),
    phone: t(`${P}.field.phone`),
    email: t(`${P}.field.email`),
    name: t(`${P}.field.name`),
  };
  for (const q of category.questions) labels[`${QUESTION_PREFIX}${q.code}`] = q.label;
  const locationError = errorText(ctx, state.errors.location);
  return (
    <Layout ctx={ctx} title={t(`${P}.details.title`)}>
      <h1>{t(`${P}.details.title`)}</h1>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <div class="category-summary">
        <p>
          <span class="muted">{t(`${P}.details.category_is`)}</span>{' '}
          <strong>{category.name}</strong> <a href={href(ctx, '/complaints/new')}>{t(`${P}.details.change_category`)}</a>
        </p>
        {category.description && <p class="muted">{category.description}</p>}
      </div>
      <Form ctx={ctx} action={href(ctx, '/complaints/new')} enctype="multipart/form-data" class="form complaint-form">
        <input type="hidden" name="category" value={String(category.id)} />
        <TextArea
          ctx={ctx}
          state={state}
          name="description"
          label={labels.description!}
          hint={t(`${P}.field.description_hint`)}
          rows={6}
          maxLength={DESCRIPTION_MAX_LENGTH}
          required
        />
        {category.questions.map((question) => (
          <QuestionField ctx={ctx} state={state} question={question} />
        ))}
        <fieldset class={locationError ? 'field fieldset field--error' : 'field fieldset'} id="field-location" aria-describedby={locationError ? 'hint-location error-location' : 'hint-location'}>
          <legend class="field__label">{labels.location}</legend>
          <p class="field__hint" id="hint-location">
            {t(`${P}.field.location_hint`)}
          </p>
          {category.sensitive && <p class="field__hint">{t(`${P}.field.location_sensitive`)}</p>}
          {locationError && (
            <p class="field__error" id="error-location">
              {locationError}
            </p>
          )}
          {model.map && <MapBlock ctx={ctx} map={model.map} messages={P} mode="pick" />}
          <input type="hidden" name="lat" value={valueOf(state.values, 'lat')} />
          <input type="hidden" name="lng" value={valueOf(state.values, 'lng')} />
          <SelectField ctx={ctx} state={state} name="neighbourhood" label={labels.neighbourhood!} options={model.neighbourhoods} />
          <TextField
            ctx={ctx}
            state={state}
            name="address"
            label={labels.address!}
            hint={t(`${P}.field.address_hint`)}
            maxLength={ADDRESS_MAX_LENGTH}
            dir="auto"
            autocomplete="off"
          />
        </fieldset>
        <PhotosField ctx={ctx} state={state} model={model} />
        <fieldset class="field fieldset">
          <legend class="field__label">{t(`${P}.field.contact`)}</legend>
          {model.accountContact ? (
            <p class="field__hint">
              {richText(ctx, `${P}.field.contact_account`, {}, { contact: <ContactText contact={model.accountContact} /> })}
            </p>
          ) : (
            <p class="field__hint">{t(model.signedIn ? `${P}.field.contact_hint_signed_in` : `${P}.field.contact_hint`)}</p>
          )}
          <TextField ctx={ctx} state={state} name="phone" type="tel" label={labels.phone!} hint={t(`${P}.field.phone_hint`)} autocomplete="tel" inputMode="tel" dir="ltr" maxLength={30} />
          <TextField ctx={ctx} state={state} name="email" type="email" label={labels.email!} autocomplete="email" inputMode="email" dir="ltr" maxLength={254} />
          <TextField ctx={ctx} state={state} name="name" label={labels.name!} hint={t(`${P}.field.name_hint`)} autocomplete="name" dir="auto" maxLength={CONTACT_NAME_MAX_LENGTH} />
        </fieldset>
        <p class="muted">{t(`${P}.details.privacy`)}</p>
        <div class="actions">
          <SubmitButton>{t(`${P}.details.submit`)}</SubmitButton>
        </div>
      </Form>
      {!model.signedIn && (
        <p class="muted">
          {t(`${P}.details.account`)} <a href={href(ctx, `/login?next=${encodeURIComponent(`/${ctx.locale}/complaints/new?category=${category.id}`)}`)}>{t('layout.login')}</a>
        </p>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Step 3 (only when similar complaints exist): "is it already reported?"

export type SimilarModel = {
  categoryName: string;
  similar: SimilarComplaint[];
  /** Everything typed, carried to "send mine anyway" and "change my complaint". */
  values: FormValues;
  keptPhotos: { token: string; count: number } | null;
  /** The address "me too" uses: typed in the form, or the account's; null asks for one. */
  followContact: string | null;
  signedIn: boolean;
};

function SimilarItem(props: { ctx: ViewContext; item: SimilarComplaint; model: SimilarModel }) {
  const { ctx, item, model } = props;
  const { t, format } = ctx;
  const id = `similar-${item.trackingNumber}`;
  return (
    <li class="similar" aria-labelledby={id}>
      <h3 id={id}>
        <a href={href(ctx, `/complaints/${item.trackingNumber}`)}>
          <TrackingNumber value={item.trackingNumber} />
        </a>{' '}
        <StatusBadge ctx={ctx} status={item.status} />
      </h3>
      <Typed block>{item.description.length > 300 ? `${item.description.slice(0, 300)}…` : item.description}</Typed>
      <p class="muted">
        {t(`${P}.similar.filed_on`, { date: format.formatDate(item.createdAt) })}
        {item.distanceMeters !== null && <> · {t(item.approximate ? `${P}.similar.distance_about` : `${P}.similar.distance`, { meters: item.distanceMeters })}</>}
        {' · '}
        {t(`${P}.page.followers`, { count: item.followerCount })}
      </p>
      <Form ctx={ctx} action={href(ctx, `/complaints/${item.trackingNumber}/follow`)} class="form similar__follow">
        {model.keptPhotos && <input type="hidden" name={KEPT_PHOTOS_FIELD} value={model.keptPhotos.token} />}
        {model.followContact !== null ? (
          <input type="hidden" name="contact" value={model.followContact} />
        ) : (
          !model.signedIn && (
            // One form per complaint: the field is named "contact" in each, with its own id.
            <div class="field">
              <label class="field__label" for={`${id}-contact`}>
                {t(`${P}.follow.contact`)}
              </label>
              <p class="field__hint" id={`${id}-contact-hint`}>
                {t(`${P}.follow.contact_hint`)}
              </p>
              <input class="field__input" id={`${id}-contact`} name="contact" type="text" dir="ltr" maxLength={254} required aria-describedby={`${id}-contact-hint`} />
            </div>
          )
        )}
        <SubmitButton secondary>{t(`${P}.similar.follow`)}</SubmitButton>
      </Form>
    </li>
  );
}

export function SimilarComplaintsPage(props: { ctx: ViewContext; model: SimilarModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t(`${P}.similar.title`)}>
      <h1>{t(`${P}.similar.title`)}</h1>
      <p class="lead">{t(`${P}.similar.intro`, { count: model.similar.length, category: model.categoryName })}</p>
      <ul class="similar-list">
        {model.similar.map((item) => (
          <SimilarItem ctx={ctx} item={item} model={model} />
        ))}
      </ul>
      <section class="panel" aria-labelledby="mine-title">
        <h2 id="mine-title">{t(`${P}.similar.none_title`)}</h2>
        <p>{t(`${P}.similar.none_text`)}</p>
        {model.keptPhotos && <p class="muted">{t(`${P}.similar.photos_kept`, { count: model.keptPhotos.count })}</p>}
        <Form ctx={ctx} action={href(ctx, '/complaints/new')}>
          <HiddenValues values={model.values} skip={['_csrf', KEPT_PHOTOS_FIELD, 'similar_seen', 'step', 'drop_photos']} />
          {model.keptPhotos && <input type="hidden" name={KEPT_PHOTOS_FIELD} value={model.keptPhotos.token} />}
          <input type="hidden" name="similar_seen" value="yes" />
          <div class="actions">
            <SubmitButton>{t(`${P}.similar.send`)}</SubmitButton>
            <SubmitButton secondary name="step" value="edit">
              {t(`${P}.similar.edit`)}
            </SubmitButton>
          </div>
        </Form>
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Receipt

export type ReceiptModel = {
  trackingNumber: string;
  categoryName: string;
  ackDueAt: string;
  resolveDueAt: string;
  /** Where the confirmation went; null when nowhere; undefined when this browser did not file it. */
  sentTo: Contact | null | undefined;
  signedIn: boolean;
};

export function ReceiptPage(props: { ctx: ViewContext; model: ReceiptModel }) {
  const { ctx, model } = props;
  const { t, format } = ctx;
  return (
    <Layout ctx={ctx} title={t(`${P}.receipt.title`)}>
      <div class="receipt">
        <h1>{t(`${P}.receipt.title`)}</h1>
        <p class="receipt__label" id="tracking-label">
          {t(`${P}.receipt.number`)}
        </p>
        <p class="receipt__number" aria-labelledby="tracking-label">
          <TrackingNumber value={model.trackingNumber} large />
        </p>
        <p>{t(`${P}.receipt.keep`)}</p>
        {model.sentTo ? (
          <p>
            {richText(ctx, model.sentTo.channel === 'sms' ? `${P}.receipt.sent_sms` : `${P}.receipt.sent_email`, {}, { contact: <ContactText contact={model.sentTo} /> })}
          </p>
        ) : model.sentTo === null ? (
          <p class="notice">{t(model.signedIn ? `${P}.receipt.not_sent_account` : `${P}.receipt.not_sent`)}</p>
        ) : null}
      </div>
      <section aria-labelledby="next-title">
        <h2 id="next-title">{t(`${P}.receipt.next_title`)}</h2>
        <ol class="plain-list steps-list">
          <li>{t(`${P}.receipt.next_ack`, { date: format.formatDate(model.ackDueAt) })}</li>
          <li>{t(`${P}.receipt.next_resolve`, { date: format.formatDate(model.resolveDueAt) })}</li>
          <li>{t(model.sentTo ? `${P}.receipt.next_updates` : `${P}.receipt.next_updates_page`)}</li>
          <li>{t(`${P}.receipt.next_feedback`)}</li>
        </ol>
      </section>
      <p class="actions">
        <a class="button" href={href(ctx, `/complaints/${model.trackingNumber}`)}>
          {t(`${P}.receipt.follow`)}
        </a>
        <a class="button button--secondary" href={href(ctx, '/complaints/new')}>
          {t(`${P}.receipt.another`)}
        </a>
        {model.signedIn && <a href={href(ctx, '/account/complaints')}>{t(`${P}.mine.title`)}</a>}
      </p>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Tracking

function TrackForm(props: { ctx: ViewContext; state: FormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <form method="get" action={href(ctx, '/complaints/track')} class="form track-form" noValidate>
      <TextField
        ctx={ctx}
        state={state}
        name="number"
        label={t(`${P}.track.number`)}
        hint={t(`${P}.track.number_hint`)}
        dir="ltr"
        autocomplete="off"
        maxLength={40}
        required
      />
      <div class="actions">
        <SubmitButton>{t(`${P}.track.submit`)}</SubmitButton>
      </div>
    </form>
  );
}

export function TrackPage(props: { ctx: ViewContext; state: FormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t(`${P}.track.title`)}>
      <h1>{t(`${P}.track.title`)}</h1>
      <p class="lead">{t(`${P}.track.intro`)}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ number: t(`${P}.track.number`) }} />
      <TrackForm ctx={ctx} state={state} />
      {ctx.user && (
        <p>
          <a href={href(ctx, '/account/complaints')}>{t(`${P}.mine.title`)}</a>
        </p>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// A complaint's public page

export type ComplaintPageModel = {
  trackingNumber: string;
  status: ComplaintStatus;
  categoryName: string;
  departmentName: string | null;
  description: string;
  createdAt: string;
  deadline: { kind: 'acknowledge' | 'resolve'; dueAt: string } | null;
  resolvedAt: string | null;
  statusReason: string | null;
  forwardedTo: string | null;
  duplicateOf: string | null;
  location: { neighbourhood: string | null; address: string | null; point: { lat: number; lng: number } | null; approximate: boolean };
  answers: { label: string; value: string }[];
  photos: { url: string; thumbnailUrl: string; width: number; height: number }[];
  followerCount: number;
  timeline: PublicTimelineEntry[];
  feedback: { resolved: boolean; satisfaction: number | null } | null;
  map: MapSettings | null;
  now: string;
  signedIn: boolean;
  canFollow: boolean;
  canGiveFeedback: boolean;
  /** The form that was just sent with a problem, shown with what was typed. */
  active: { form: 'follow' | 'feedback'; state: FormState } | null;
  /** Photos kept from an abandoned form, removed when the citizen follows instead. */
  keptPhotosToken: string | null;
};

function DeadlineText(props: { ctx: ViewContext; deadline: NonNullable<ComplaintPageModel['deadline']>; now: string }) {
  const { ctx, deadline } = props;
  const { t, format } = ctx;
  const days = daysUntil(deadline.dueAt, props.now);
  const what = t(`complaints.deadline.${deadline.kind}`);
  return days >= 0 ? (
    <p>{t(`${P}.page.due`, { deadline: what, date: format.formatDate(deadline.dueAt) })}</p>
  ) : (
    <p class="notice notice--late">{t(`${P}.page.late`, { deadline: what, days: -days })}</p>
  );
}

function TimelineEntry(props: { ctx: ViewContext; entry: PublicTimelineEntry }) {
  const { ctx, entry } = props;
  const { t, format } = ctx;
  let text: ComponentChildren = null;
  if (entry.kind === 'status' && entry.toStatus) {
    text = entry.reopened ? t(`${P}.timeline.reopened`, { status: t(`complaints.status.${entry.toStatus}`) }) : t(`${P}.timeline.status`, { status: t(`complaints.status.${entry.toStatus}`) });
  } else if (entry.kind === 'reply') {
    text = t(`${P}.timeline.reply`);
  } else if (entry.kind === 'feedback' && entry.feedback) {
    text = entry.feedback.satisfaction !== null
      ? t(entry.feedback.resolved ? `${P}.timeline.feedback_yes_rated` : `${P}.timeline.feedback_no_rated`, { satisfaction: entry.feedback.satisfaction })
      : t(entry.feedback.resolved ? `${P}.timeline.feedback_yes` : `${P}.timeline.feedback_no`);
  } else {
    text = t(`${P}.timeline.update`);
  }
  return (
    <li class="timeline__entry">
      <p class="timeline__date muted">
        <time dateTime={entry.createdAt}>{format.formatDateTime(entry.createdAt)}</time>
      </p>
      <p class="timeline__text">{text}</p>
      {entry.utility && <p>{t(`${P}.timeline.forwarded`, { utility: t(`complaints.utility.${entry.utility}`) })}</p>}
      {entry.duplicateOf && (
        <p>
          {t(`${P}.timeline.duplicate`)}{' '}
          <a href={href(ctx, `/complaints/${entry.duplicateOf}`)}>
            <TrackingNumber value={entry.duplicateOf} />
          </a>
        </p>
      )}
      {entry.body && (
        <blockquote class="timeline__body">
          <Typed block>{entry.body}</Typed>
        </blockquote>
      )}
    </li>
  );
}

function FollowSection(props: { ctx: ViewContext; model: ComplaintPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const state = model.active?.form === 'follow' ? model.active.state : { values: {}, errors: {} };
  return (
    <section class="panel" aria-labelledby="follow-title">
      <h2 id="follow-title">{t(`${P}.follow.title`)}</h2>
      <p>{t(`${P}.follow.text`)}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ contact: t(`${P}.follow.contact`) }} />
      <Form ctx={ctx} action={href(ctx, `/complaints/${model.trackingNumber}/follow`)}>
        {model.keptPhotosToken && <input type="hidden" name={KEPT_PHOTOS_FIELD} value={model.keptPhotosToken} />}
        {!model.signedIn && (
          <TextField ctx={ctx} state={state} name="contact" label={t(`${P}.follow.contact`)} hint={t(`${P}.follow.contact_hint`)} dir="ltr" maxLength={254} autocomplete="tel" required />
        )}
        <div class="actions">
          <SubmitButton secondary>{t(`${P}.follow.submit`)}</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function FeedbackSection(props: { ctx: ViewContext; model: ComplaintPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const state = model.active?.form === 'feedback' ? model.active.state : { values: {}, errors: {} };
  const labels = {
    resolved: t(`${P}.feedback.resolved`),
    satisfaction: t(`${P}.feedback.satisfaction`),
    comment: t(`${P}.feedback.comment`),
    contact: t(`${P}.feedback.contact`),
  };
  return (
    <section class="panel" aria-labelledby="feedback-title">
      <h2 id="feedback-title">{t(`${P}.feedback.title`)}</h2>
      <p>{t(`${P}.feedback.text`)}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, `/complaints/${model.trackingNumber}/feedback`)}>
        <RadioGroup
          ctx={ctx}
          state={state}
          name="resolved"
          label={labels.resolved}
          options={[
            { value: 'yes', label: t('form.yes') },
            { value: 'no', label: t('form.no') },
          ]}
          required
        />
        <RadioGroup
          ctx={ctx}
          state={state}
          name="satisfaction"
          label={labels.satisfaction}
          hint={t(`${P}.feedback.satisfaction_hint`)}
          options={[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t(`${P}.feedback.level_${n}`) }))}
        />
        <TextArea ctx={ctx} state={state} name="comment" label={labels.comment} rows={3} maxLength={FEEDBACK_COMMENT_MAX_LENGTH} />
        {!model.signedIn && (
          <TextField ctx={ctx} state={state} name="contact" label={labels.contact} hint={t(`${P}.feedback.contact_hint`)} dir="ltr" maxLength={254} required />
        )}
        <div class="actions">
          <SubmitButton>{t(`${P}.feedback.submit`)}</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

export function ComplaintPage(props: { ctx: ViewContext; model: ComplaintPageModel }) {
  const { ctx, model } = props;
  const { t, format } = ctx;
  const { location } = model;
  return (
    <Layout ctx={ctx} title={t(`${P}.page.title`, { number: model.trackingNumber })}>
      <h1>
        {t(`${P}.page.heading`)} <TrackingNumber value={model.trackingNumber} />
      </h1>
      <p class="complaint-status">
        <StatusBadge ctx={ctx} status={model.status} /> <span>{t(`${P}.status_help.${model.status}`)}</span>
      </p>
      {model.deadline && <DeadlineText ctx={ctx} deadline={model.deadline} now={model.now} />}
      {model.statusReason && (
        <div class="notice">
          <p>{t(`${P}.page.reason`)}</p>
          <Typed block>{model.statusReason}</Typed>
        </div>
      )}
      {model.forwardedTo && <p>{t(`${P}.timeline.forwarded`, { utility: t(`complaints.utility.${model.forwardedTo}`) })}</p>}
      {model.duplicateOf && (
        <p>
          {t(`${P}.timeline.duplicate`)}{' '}
          <a href={href(ctx, `/complaints/${model.duplicateOf}`)}>
            <TrackingNumber value={model.duplicateOf} />
          </a>
        </p>
      )}
      <dl class="facts">
        <dt>{t(`${P}.field.category`)}</dt>
        <dd>{model.categoryName}</dd>
        {model.departmentName && (
          <>
            <dt>{t(`${P}.page.department`)}</dt>
            <dd>{model.departmentName}</dd>
          </>
        )}
        <dt>{t(`${P}.page.filed_on`)}</dt>
        <dd>
          <time dateTime={model.createdAt}>{format.formatDate(model.createdAt)}</time>
        </dd>
        {location.neighbourhood && (
          <>
            <dt>{t(`${P}.field.neighbourhood`)}</dt>
            <dd>{location.neighbourhood}</dd>
          </>
        )}
        {location.address && (
          <>
            <dt>{t(`${P}.field.address`)}</dt>
            <dd>
              <Typed>{location.address}</Typed>
            </dd>
          </>
        )}
        {model.answers.map((a) => (
          <>
            <dt>{a.label}</dt>
            <dd>
              <Typed>{a.value}</Typed>
            </dd>
          </>
        ))}
        <dt>{t(`${P}.page.followers_label`)}</dt>
        <dd>{t(`${P}.page.followers`, { count: model.followerCount })}</dd>
      </dl>
      <h2>{t(`${P}.field.description`)}</h2>
      <Typed block>{model.description}</Typed>
      {location.point && location.approximate && <p class="muted">{t(`${P}.page.approximate`)}</p>}
      {location.point && model.map && <MapBlock ctx={ctx} map={model.map} messages={P} mode="show" point={location.point} approximate={location.approximate} />}
      {model.photos.length > 0 && (
        <section aria-labelledby="photos-title">
          <h2 id="photos-title">{t(`${P}.page.photos`)}</h2>
          <ul class="photo-grid">
            {model.photos.map((photo, i) => {
              const scale = Math.min(1, 400 / Math.max(photo.width, photo.height));
              return (
                <li>
                  <a href={photo.url}>
                    <img
                      src={photo.thumbnailUrl}
                      alt={t(`${P}.page.photo_alt`, { number: i + 1, count: model.photos.length })}
                      width={Math.round(photo.width * scale)}
                      height={Math.round(photo.height * scale)}
                      loading="lazy"
                    />
                  </a>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {model.canGiveFeedback && <FeedbackSection ctx={ctx} model={model} />}
      {model.feedback && (
        <p class="notice">
          {t(model.feedback.resolved ? `${P}.timeline.feedback_yes` : `${P}.timeline.feedback_no`)}
        </p>
      )}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t(`${P}.page.timeline`)}</h2>
        <ol class="timeline">
          {model.timeline.map((entry) => (
            <TimelineEntry ctx={ctx} entry={entry} />
          ))}
        </ol>
      </section>
      {model.canFollow && <FollowSection ctx={ctx} model={model} />}
      <p>
        <a href={href(ctx, '/complaints/track')}>{t(`${P}.page.track_another`)}</a>
      </p>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// My complaints

export type MyComplaintItem = {
  trackingNumber: string;
  status: ComplaintStatus;
  categoryName: string;
  description: string;
  createdAt: string;
  reportedByMe: boolean;
};

export function MyComplaintsPage(props: { ctx: ViewContext; items: MyComplaintItem[] }) {
  const { ctx, items } = props;
  const { t, format } = ctx;
  return (
    <Layout ctx={ctx} title={t(`${P}.mine.title`)}>
      <h1>{t(`${P}.mine.title`)}</h1>
      <p class="lead">{t(`${P}.mine.intro`, { count: items.length })}</p>
      <p class="actions">
        <a class="button" href={href(ctx, '/complaints/new')}>
          {t(`${P}.home.file`)}
        </a>
      </p>
      {items.length > 0 && (
        <ul class="complaint-list">
          {items.map((item) => (
            <li class="complaint-list__item">
              <p class="complaint-list__head">
                <a href={href(ctx, `/complaints/${item.trackingNumber}`)}>
                  <TrackingNumber value={item.trackingNumber} />
                </a>{' '}
                <StatusBadge ctx={ctx} status={item.status} />
                {!item.reportedByMe && <span class="badge">{t(`${P}.mine.followed`)}</span>}
              </p>
              <p>
                <strong>{item.categoryName}</strong> · <span class="muted">{format.formatDate(item.createdAt)}</span>
              </p>
              <p class="complaint-list__text">
                <bdi>{item.description.length > 160 ? `${item.description.slice(0, 160)}…` : item.description}</bdi>
              </p>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
