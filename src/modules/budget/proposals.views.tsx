// The public pages of citizens' proposals: the list with its filters, the form, a proposal's
// page (review outcome, merge, photos, support, comments). Plain view-models in, HTML out;
// every form works without JavaScript.
import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, errorText, Form, type Option, RadioGroup, SelectField, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { MapBlock, type MapSettings } from '../../ui/map.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { ProposalStatus } from './budget.table.ts';
import { formatTnd } from './cycles.views.tsx';
import { PHOTOS_FIELD, PROPOSAL_MAX_PHOTOS } from './pb-photos.ts';
import type { ProposalSummary, PublicProposal } from './proposals.service.ts';
import { ASSOCIATION_MAX_LENGTH, COMMENT_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, LOCATION_TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from './proposals.service.ts';

const P = 'budget.proposals';

// Amounts are shown as on every budget page (cycles.views.tsx).
export { formatTnd };

export function StatusBadge(props: { ctx: ViewContext; status: ProposalStatus }) {
  return <span class={`badge pb-status pb-status--${props.status}`}>{props.ctx.t(`${P}.status.${props.status}`)}</span>;
}

export type CycleHeading = { slug: string; title: string };

// ---------------------------------------------------------------------------------------------
// The list

export type ProposalListModel = {
  cycle: CycleHeading;
  canPropose: boolean;
  items: ProposalSummary[];
  total: number;
  filters: { q: string; category: string; neighbourhood: string; status: string; sort: string };
  categories: Option[];
  neighbourhoods: Option[];
  neighbourhoodNames: Map<number, string>;
  statuses: Option[];
  previousHref: string | null;
  nextHref: string | null;
  page: number;
  pageCount: number;
};

export function ProposalListPage(props: { ctx: ViewContext; model: ProposalListModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const base = `/budget/${model.cycle.slug}`;
  const filtersSet = Boolean(model.filters.q || model.filters.category || model.filters.neighbourhood || model.filters.status || model.filters.sort);
  return (
    <Layout ctx={ctx} title={`${t(`${P}.title`)} — ${model.cycle.title}`}>
      <p>
        <a href={href(ctx, base)}>{t(`${P}.back_to_cycle`)}</a>
      </p>
      <h1>{t(`${P}.title`)}</h1>
      <p class="lead">
        <bdi>{model.cycle.title}</bdi> — {t(`${P}.intro`)}
      </p>
      {model.canPropose && (
        <p>
          <a class="button" href={href(ctx, `${base}/proposals/new`)}>
            {t(`${P}.new_link`)}
          </a>
        </p>
      )}
      <details class="filters public-filters" open={filtersSet}>
        <summary class="public-filters__summary">{t(`${P}.filters`)}</summary>
        <form method="get" action={href(ctx, `${base}/proposals`)}>
          <div class="field">
            <label class="field__label" for="filter-q">
              {t(`${P}.filter.q`)}
            </label>
            <input class="field__input" id="filter-q" name="q" type="search" value={model.filters.q} maxLength={100} />
          </div>
          <FilterSelect name="category" label={t(`${P}.filter.category`)} anyLabel={t(`${P}.filter.any`)} value={model.filters.category} options={model.categories} />
          <FilterSelect name="neighbourhood" label={t(`${P}.filter.neighbourhood`)} anyLabel={t(`${P}.filter.any`)} value={model.filters.neighbourhood} options={model.neighbourhoods} />
          <FilterSelect name="status" label={t(`${P}.filter.status`)} anyLabel={t(`${P}.filter.any`)} value={model.filters.status} options={model.statuses} />
          <FilterSelect
            name="sort"
            label={t(`${P}.filter.sort`)}
            value={model.filters.sort}
            options={[
              { value: 'supported', label: t(`${P}.sort.supported`) },
            ]}
            anyLabel={t(`${P}.sort.newest`)}
          />
          <div class="field public-filters__actions">
            <button type="submit" class="button">
              {t('form.filter')}
            </button>
          </div>
        </form>
      </details>
      <p class="muted" aria-live="polite">
        {t(`${P}.count`, { count: model.total })}
      </p>
      {model.items.length === 0 ? (
        <p>{t(`${P}.empty`)}</p>
      ) : (
        <ol class="public-complaints pb-proposals">
          {model.items.map((item) => (
            <li class="public-complaint pb-proposal">
              <p class="public-complaint__head">
                <span class="muted">{t(`${P}.number`, { number: item.number })}</span>
                <StatusBadge ctx={ctx} status={item.status} />
              </p>
              <p class="public-complaint__category">
                <a href={href(ctx, `${base}/proposals/${item.number}`)}>
                  <bdi>{item.title}</bdi>
                </a>
              </p>
              <p class="public-complaint__meta">
                <span>{t(`${P}.category.${item.category}`)}</span>
                {item.neighbourhoodId !== null && model.neighbourhoodNames.has(item.neighbourhoodId) && <span>{model.neighbourhoodNames.get(item.neighbourhoodId)}</span>}
                <span>{t(`${P}.supports`, { count: item.supportCount })}</span>
                <span>{t(`${P}.comments_count`, { count: item.commentCount })}</span>
              </p>
            </li>
          ))}
        </ol>
      )}
      {model.pageCount > 1 && (
        <nav class="actions pager" aria-label={t('admin.pagination.label')}>
          {model.previousHref && (
            <a href={model.previousHref} rel="prev">
              {t('form.previous')}
            </a>
          )}
          <span class="muted">{t('admin.pagination.page_of', { page: model.page, count: model.pageCount })}</span>
          {model.nextHref && (
            <a href={model.nextHref} rel="next">
              {t('form.next')}
            </a>
          )}
        </nav>
      )}
    </Layout>
  );
}

function FilterSelect(props: { name: string; label: string; value: string; anyLabel: string; options: Option[] }) {
  return (
    <div class="field">
      <label for={`filter-${props.name}`} class="field__label">
        {props.label}
      </label>
      <select class="field__input" id={`filter-${props.name}`} name={props.name}>
        <option value="">{props.anyLabel}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// The form

export type NewProposalModel = {
  cycle: CycleHeading;
  /** 'form' for a signed-in person during the proposals phase. */
  mode: 'form' | 'sign_in' | 'closed';
  categories: Option[];
  areas: Option[];
  photosDropped: boolean;
  map: MapSettings | null;
};

export function NewProposalPage(props: { ctx: ViewContext; state: FormState; model: NewProposalModel }) {
  const { ctx, state, model } = props;
  const { t } = ctx;
  const base = `/budget/${model.cycle.slug}`;
  const labels: Record<string, string> = {
    title: t(`${P}.field.title`),
    description: t(`${P}.field.description`),
    category: t(`${P}.field.category`),
    authorKind: t(`${P}.field.author_kind`),
    associationName: t(`${P}.field.association_name`),
    area: t(`${P}.field.area`),
    locationText: t(`${P}.field.location_text`),
    lat: t(`${P}.field.point`),
    estimatedCost: t(`${P}.field.cost`),
    photos: t(`${P}.field.photos`),
  };
  const photoError = errorText(ctx, state.errors.photos);
  const pointError = errorText(ctx, state.errors.lat);
  const value = (name: string) => {
    const v = state.values[name];
    return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  };
  return (
    <Layout ctx={ctx} title={`${t(`${P}.new.title`)} — ${model.cycle.title}`}>
      <p>
        <a href={href(ctx, `${base}/proposals`)}>{t(`${P}.back_to_list`)}</a>
      </p>
      <h1>{t(`${P}.new.title`)}</h1>
      <p class="lead">
        <bdi>{model.cycle.title}</bdi>
      </p>
      {model.mode === 'closed' && <p class="panel">{t(`${P}.new.closed`)}</p>}
      {model.mode === 'sign_in' && (
        <div class="panel">
          <p>{t(`${P}.new.sign_in`)}</p>
          <p>
            <a class="button" href={href(ctx, `/login?next=${encodeURIComponent(`/${ctx.locale}${base}/proposals/new`)}`)}>
              {t(`${P}.new.sign_in_link`)}
            </a>
          </p>
        </div>
      )}
      {model.mode === 'form' && (
        <>
          <p>{t(`${P}.new.intro`)}</p>
          <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
          <Form ctx={ctx} action={href(ctx, `${base}/proposals/new`)} enctype="multipart/form-data">
            <TextField ctx={ctx} state={state} name="title" label={labels.title!} required maxLength={TITLE_MAX_LENGTH} />
            <TextArea ctx={ctx} state={state} name="description" label={labels.description!} hint={t(`${P}.field.description_hint`)} required rows={7} maxLength={DESCRIPTION_MAX_LENGTH} />
            <SelectField ctx={ctx} state={state} name="category" label={labels.category!} required options={model.categories} />
            <RadioGroup
              ctx={ctx}
              state={state}
              name="authorKind"
              label={labels.authorKind!}
              required
              value={value('authorKind') || 'citizen'}
              options={[
                { value: 'citizen', label: t(`${P}.field.author_kind.citizen`) },
                { value: 'association', label: t(`${P}.field.author_kind.association`) },
              ]}
            />
            <TextField ctx={ctx} state={state} name="associationName" label={labels.associationName!} maxLength={ASSOCIATION_MAX_LENGTH} />
            <SelectField ctx={ctx} state={state} name="area" label={labels.area!} hint={t(`${P}.field.area_hint`)} required options={model.areas} />
            <TextField ctx={ctx} state={state} name="locationText" label={labels.locationText!} hint={t(`${P}.field.location_hint`)} maxLength={LOCATION_TEXT_MAX_LENGTH} />
            <fieldset class={pointError ? 'field fieldset field--error' : 'field fieldset'} id="field-lat" aria-describedby="hint-point">
              <legend class="field__label">
                {labels.lat} <span class="field__optional">{t('form.optional')}</span>
              </legend>
              <p class="field__hint" id="hint-point">
                {t(`${P}.field.point_hint`)}
              </p>
              {pointError && <p class="field__error">{pointError}</p>}
              <div class="pb-point">
                <label>
                  <span class="field__label">{t(`${P}.field.lat`)}</span>
                  <input class="field__input" name="lat" value={value('lat')} inputMode="decimal" dir="ltr" maxLength={20} />
                </label>
                <label>
                  <span class="field__label">{t(`${P}.field.lng`)}</span>
                  <input class="field__input" name="lng" value={value('lng')} inputMode="decimal" dir="ltr" maxLength={20} />
                </label>
              </div>
              {model.map && <MapBlock ctx={ctx} map={model.map} messages={P} mode="pick" point={null} />}
            </fieldset>
            <TextField ctx={ctx} state={state} name="estimatedCost" label={labels.estimatedCost!} hint={t(`${P}.field.cost_hint`)} inputMode="text" dir="ltr" maxLength={30} />
            <div class={photoError ? 'field field--error' : 'field'}>
              <label class="field__label" for="field-photos">
                {labels.photos} <span class="field__optional">{t('form.optional')}</span>
              </label>
              <p class="field__hint" id="hint-photos">
                {t(`${P}.field.photos_hint`, { max: PROPOSAL_MAX_PHOTOS })}
              </p>
              {photoError && (
                <p class="field__error" id="error-photos">
                  {photoError}
                </p>
              )}
              {model.photosDropped && <p class="notice">{t(`${P}.photo.dropped`)}</p>}
              <input class="field__input" type="file" id="field-photos" name={PHOTOS_FIELD} accept="image/jpeg,image/png,image/webp,image/avif" multiple aria-describedby="hint-photos" />
            </div>
            <SubmitButton>{t(`${P}.new.submit`)}</SubmitButton>
          </Form>
        </>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// A proposal's page

export type ProposalPageModel = {
  cycle: CycleHeading;
  view: PublicProposal;
  areaName: string | null;
  photoUrls: { url: string; thumbnailUrl: string; width: number; height: number }[];
  map: MapSettings | null;
  /** The cycle has a pre-selection by support at all. */
  hasSupport: boolean;
  supportOpen: boolean;
  /** The author may withdraw it now. */
  canWithdraw: boolean;
  signedIn: boolean;
  /** The comment form's state (after an error), else empty. */
  commentState: FormState;
};

export function ProposalPage(props: { ctx: ViewContext; model: ProposalPageModel }) {
  const { ctx, model } = props;
  const { t, format } = ctx;
  const base = `/budget/${model.cycle.slug}`;
  const { view } = model;
  if (view.hidden) {
    return (
      <Layout ctx={ctx} title={t(`${P}.number`, { number: view.number })}>
        <p>
          <a href={href(ctx, `${base}/proposals`)}>{t(`${P}.back_to_list`)}</a>
        </p>
        <h1>{t(`${P}.number`, { number: view.number })}</h1>
        <p class="panel">
          {t(`${P}.page.hidden`, { reason: '' })}
          <bdi>{view.hiddenReason}</bdi>
        </p>
      </Layout>
    );
  }
  const p = view.proposal;
  const here = `${base}/proposals/${p.number}`;
  return (
    <Layout ctx={ctx} title={`${p.title} — ${t(`${P}.number`, { number: p.number })}`}>
      <p>
        <a href={href(ctx, `${base}/proposals`)}>{t(`${P}.back_to_list`)}</a>
      </p>
      <p class="muted pb-proposal__number">{t(`${P}.number`, { number: p.number })}</p>
      <h1>
        <bdi>{p.title}</bdi>
      </h1>
      <p>
        <StatusBadge ctx={ctx} status={p.status} />
      </p>
      {view.mergedInto && (
        <p class="panel">
          {t(`${P}.page.merged_into`, { number: view.mergedInto.number })}{' '}
          <a href={href(ctx, `${base}/proposals/${view.mergedInto.number}`)}>
            <bdi>{view.mergedInto.title}</bdi>
          </a>
        </p>
      )}
      {view.projectCode && (
        <p class="panel">
          <a href={href(ctx, `${base}/projects/${encodeURIComponent(view.projectCode)}`)}>{t(`${P}.page.project`, { code: view.projectCode })}</a>
        </p>
      )}
      <dl class="details">
        <dt>{t(`${P}.page.category`)}</dt>
        <dd>{t(`${P}.category.${p.category}`)}</dd>
        <dt>{t(`${P}.page.area`)}</dt>
        <dd>{model.areaName ?? t(`${P}.area.city`)}</dd>
        <dt>{t(`${P}.page.author`)}</dt>
        <dd>{p.authorKind === 'association' ? <bdi>{t(`${P}.author.association`, { name: p.associationName ?? '' })}</bdi> : t(`${P}.author.citizen`)}</dd>
        <dt>{t(`${P}.page.date`)}</dt>
        <dd>
          <time dateTime={p.createdAt}>{format.formatDate(p.createdAt)}</time>
        </dd>
        {p.estimatedCostMillimes !== null && (
          <>
            <dt>{t(`${P}.page.estimated_cost`)}</dt>
            <dd>{formatTnd(ctx, p.estimatedCostMillimes)}</dd>
          </>
        )}
        {(p.locationText || p.lat !== null) && (
          <>
            <dt>{t(`${P}.page.location`)}</dt>
            <dd>
              {p.locationText && <bdi>{p.locationText}</bdi>}
              {p.lat !== null && p.lng !== null && (
                <>
                  {p.locationText && ' · '}
                  <a href={`https://www.openstreetmap.org/?mlat=${p.lat}&mlon=${p.lng}#map=18/${p.lat}/${p.lng}`} rel="noopener noreferrer">
                    {t(`${P}.page.map_link`)}
                  </a>{' '}
                  <bdi dir="ltr" class="muted">
                    ({p.lat}, {p.lng})
                  </bdi>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      <div class="pb-description">
        {model.map && p.lat !== null && p.lng !== null && <MapBlock ctx={ctx} map={model.map} messages={P} mode="show" point={{ lat: p.lat, lng: p.lng }} />}
      <p class="pb-text" dir="auto">
          {p.description}
        </p>
      </div>
      {model.photoUrls.length > 0 && (
        <section aria-labelledby="photos-title">
          <h2 id="photos-title">{t(`${P}.page.photos`)}</h2>
          <ul class="photo-grid">
            {model.photoUrls.map((photo, i) => {
              const scale = Math.min(1, 400 / Math.max(photo.width, photo.height));
              return (
                <li>
                  <a href={photo.url}>
                    <img src={photo.thumbnailUrl} width={Math.round(photo.width * scale)} height={Math.round(photo.height * scale)} alt={t(`${P}.page.photo_alt`, { index: i + 1 })} loading="lazy" />
                  </a>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      <section aria-labelledby="review-title" class="panel">
        <h2 id="review-title">{t(`${P}.page.review`)}</h2>
        {view.review === null ? (
          <p>{t(`${P}.page.review_pending`)}</p>
        ) : (
          <>
            <p>
              <strong>{t(view.review.feasible ? `${P}.page.feasible` : `${P}.page.not_feasible`)}</strong>
            </p>
            <dl class="details">
              {view.review.publicReason && (
                <>
                  <dt>{t(`${P}.page.reason`)}</dt>
                  <dd>
                    <bdi>{view.review.publicReason}</bdi>
                  </dd>
                </>
              )}
              {view.review.costEstimateMillimes !== null && (
                <>
                  <dt>{t(`${P}.page.cost_estimate`)}</dt>
                  <dd>{formatTnd(ctx, view.review.costEstimateMillimes)}</dd>
                </>
              )}
              {view.review.costExplanation && (
                <>
                  <dt>{t(`${P}.page.cost_explanation`)}</dt>
                  <dd>
                    <bdi>{view.review.costExplanation}</bdi>
                  </dd>
                </>
              )}
            </dl>
          </>
        )}
      </section>
      {view.mergedFrom.length > 0 && (
        <section aria-labelledby="merged-title">
          <h2 id="merged-title">{t(`${P}.page.merged_from`)}</h2>
          <ul>
            {view.mergedFrom.map((m) => (
              <li>
                <a href={href(ctx, `${base}/proposals/${m.number}`)}>
                  {t(`${P}.number`, { number: m.number })} — <bdi>{m.title}</bdi>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {model.canWithdraw && (
        <section class="pb-section" aria-labelledby="withdraw-title">
          <p class="field__hint" id="withdraw-title">
            {t(`${P}.withdraw.hint`)}
          </p>
          <Form ctx={ctx} action={href(ctx, `${here}/withdraw`)} class="inline-form">
            <SubmitButton secondary>{t(`${P}.withdraw.button`)}</SubmitButton>
          </Form>
        </section>
      )}
      {model.hasSupport && (
        <section aria-labelledby="support-title">
          <h2 id="support-title">{t(`${P}.support.title`)}</h2>
          <p>{t(`${P}.supports`, { count: p.supportCount })}</p>
          {model.supportOpen &&
            (view.supportedByViewer ? (
              <p class="muted">{t(`${P}.support.already`)}</p>
            ) : model.signedIn ? (
              <Form ctx={ctx} action={href(ctx, `${here}/support`)} class="inline-form">
                <SubmitButton>{t(`${P}.support.button`)}</SubmitButton>
              </Form>
            ) : (
              <p>
                <a href={href(ctx, `/login?next=${encodeURIComponent(`/${ctx.locale}${here}`)}`)}>{t(`${P}.support.sign_in`)}</a>
              </p>
            ))}
        </section>
      )}
      <section aria-labelledby="comments-title">
        <h2 id="comments-title">{t(`${P}.comments.title`)}</h2>
        {view.comments.length === 0 ? (
          <p class="muted">{t(`${P}.comments.empty`)}</p>
        ) : (
          <ol class="public-complaints pb-comments">
            {view.comments.map((c) => (
              <li class="public-complaint pb-comment" id={`comment-${c.id}`}>
                {c.hidden ? (
                  <p class="muted">
                    {t(`${P}.comments.hidden`, { reason: '' })}
                    <bdi>{c.hiddenReason}</bdi>
                  </p>
                ) : (
                  <>
                    <p class="muted">
                      <bdi>{c.authorName || t(`${P}.comments.anonymous`)}</bdi> · <time dateTime={c.createdAt}>{format.formatDate(c.createdAt)}</time>
                    </p>
                    <p dir="auto">{c.body}</p>
                  </>
                )}
              </li>
            ))}
          </ol>
        )}
        {model.signedIn ? (
          <>
            <ErrorSummary ctx={ctx} errors={model.commentState.errors} labels={{ body: t(`${P}.comments.field`) }} />
            <Form ctx={ctx} action={href(ctx, `${here}/comments`)}>
              <TextArea ctx={ctx} state={model.commentState} name="body" label={t(`${P}.comments.field`)} required rows={3} maxLength={COMMENT_MAX_LENGTH} />
              <SubmitButton>{t(`${P}.comments.submit`)}</SubmitButton>
            </Form>
          </>
        ) : (
          <p>
            <a href={href(ctx, `/login?next=${encodeURIComponent(`/${ctx.locale}${here}`)}`)}>{t(`${P}.comments.sign_in`)}</a>
          </p>
        )}
      </section>
    </Layout>
  );
}
