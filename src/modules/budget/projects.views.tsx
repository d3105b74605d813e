// Public pages of a cycle's projects: the list by envelope (filterable without JavaScript), and a
// project's page with its implementation follow-up (status, progress bar, updates with photos)
// and comments.
import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, Form, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { Phase } from './budget.ts';
import type { ImplementationStatus, PbCycleRow, PbEnvelopeRow, PbProjectRow } from './budget.table.ts';
import { type AreaNames, envelopeArea, formatTnd, PhaseBadge, trilingual } from './cycles.views.tsx';
import type { ProjectCommentView, ProjectUpdateView } from './projects.service.ts';

export type ProjectsPageModel = AreaNames & {
  cycle: PbCycleRow;
  phase: Phase;
  envelopes: PbEnvelopeRow[];
  projects: PbProjectRow[];
  /** The envelope chosen in the filter, or null for all. */
  envelopeId: number | null;
};

function neighbourhoodName(ctx: ViewContext, areas: AreaNames, id: number | null): string | null {
  if (id === null) return null;
  return areas.neighbourhoods.find((n) => n.id === id)?.name[ctx.locale] ?? null;
}

export function StatusBadge(props: { ctx: ViewContext; status: ImplementationStatus }) {
  return <span class={`badge pb-status pb-status--${props.status}`}>{props.ctx.t(`budget.status.${props.status}`)}</span>;
}

export function ProgressBar(props: { ctx: ViewContext; percent: number }) {
  const label = props.ctx.t('budget.project.progress', { percent: props.percent / 100 });
  return (
    <div class="pb-progress">
      <progress max={100} value={props.percent} aria-label={label}>
        {label}
      </progress>
      <span class="pb-progress__text">{label}</span>
    </div>
  );
}

export function ProjectsPage(props: { ctx: ViewContext; model: ProjectsPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const { cycle } = model;
  const title = trilingual(cycle, 'title', ctx.locale);
  const showSelection = model.phase === 'results';
  const envelopes = model.envelopeId === null ? model.envelopes : model.envelopes.filter((e) => e.id === model.envelopeId);
  return (
    <Layout ctx={ctx} title={`${t('budget.projects.title')} · ${title}`}>
      <p class="muted">
        <a href={href(ctx, `/budget/${cycle.slug}`)}>{title}</a>
      </p>
      <h1>{t('budget.projects.title')}</h1>
      <p>
        <PhaseBadge ctx={ctx} phase={model.phase} />
      </p>
      <form method="get" action={href(ctx, `/budget/${cycle.slug}/projects`)} class="filters pb-filter">
        <div class="field">
          <label class="field__label" for="pb-envelope">
            {t('budget.projects.envelope_filter')}
          </label>
          <select class="field__input" id="pb-envelope" name="envelope">
            <option value="">{t('budget.projects.all_envelopes')}</option>
            {model.envelopes.map((e) => (
              <option value={String(e.id)} selected={e.id === model.envelopeId}>
                {trilingual(e, 'name', ctx.locale)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button--secondary">
          {t('form.filter')}
        </button>
      </form>
      {model.projects.length === 0 && <p class="notice">{t('budget.projects.none')}</p>}
      {envelopes.map((envelope) => {
        const projects = model.projects.filter((p) => p.envelope_id === envelope.id);
        if (projects.length === 0) return null;
        return (
          <section aria-labelledby={`pb-env-${envelope.id}`} class="pb-envelope-group">
            <h2 id={`pb-env-${envelope.id}`}>{trilingual(envelope, 'name', ctx.locale)}</h2>
            <p class="muted">
              {envelopeArea(ctx, envelope, model)} · {t('budget.projects.envelope_budget', { amount: formatTnd(ctx, envelope.budget_millimes) })}
            </p>
            <ul class="pb-project-list">
              {projects.map((p) => {
                const neighbourhood = neighbourhoodName(ctx, model, p.neighbourhood_id);
                return (
                  <li class={showSelection && p.selected === 1 ? 'pb-project-card pb-project-card--selected' : 'pb-project-card'}>
                    <p class="pb-project-card__head">
                      <span class="pb-project-card__code mono" dir="ltr">
                        {p.code}
                      </span>
                      <a href={href(ctx, `/budget/${cycle.slug}/projects/${encodeURIComponent(p.code)}`)}>
                        <bdi>{p.title}</bdi>
                      </a>
                    </p>
                    <p class="pb-project-card__meta">
                      <span class="pb-amount">{formatTnd(ctx, p.cost_millimes)}</span>
                      {neighbourhood && <span> · {neighbourhood}</span>}
                    </p>
                    {showSelection && p.selected === 1 && (
                      <p>
                        <span class="badge pb-selected">{t('budget.projects.selected')}</span> <StatusBadge ctx={ctx} status={p.implementation_status} />
                      </p>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </Layout>
  );
}

export type ProjectPageModel = AreaNames & {
  cycle: PbCycleRow;
  phase: Phase;
  project: PbProjectRow;
  envelope: PbEnvelopeRow | undefined;
  origin: { number: number; title: string } | null;
  updates: ProjectUpdateView[];
  comments: ProjectCommentView[];
  canComment: boolean;
  canModerate: boolean;
  canFollowUp: boolean;
  signedIn: boolean;
  /** The comment form (and the hide form of `hideCommentId`) after an error. */
  commentForm: FormState;
  hideForm: FormState & { commentId: number | null };
};

function mapLink(lat: number, lng: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}`;
}

export function ProjectPage(props: { ctx: ViewContext; model: ProjectPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const { cycle, project } = model;
  const cycleTitle = trilingual(cycle, 'title', ctx.locale);
  const base = `/budget/${cycle.slug}/projects/${encodeURIComponent(project.code)}`;
  const neighbourhood = neighbourhoodName(ctx, model, project.neighbourhood_id);
  const selected = model.phase === 'results' && project.selected === 1;
  return (
    <Layout ctx={ctx} title={project.title}>
      <p class="muted">
        <a href={href(ctx, `/budget/${cycle.slug}`)}>{cycleTitle}</a> ·{' '}
        <a href={href(ctx, `/budget/${cycle.slug}/projects`)}>{t('budget.projects.title')}</a>
      </p>
      <h1>
        <bdi>{project.title}</bdi>
      </h1>
      {selected && (
        <p>
          <span class="badge pb-selected">{t('budget.projects.selected')}</span>
        </p>
      )}
      <p class="pb-text">
        <bdi>{project.description}</bdi>
      </p>
      {model.phase === 'voting' && (
        <p>
          <a class="button" href={href(ctx, `/budget/${cycle.slug}/vote`)}>
            {t('budget.now.vote')}
          </a>
        </p>
      )}
      <dl class="facts">
        <dt>{t('budget.project.code')}</dt>
        <dd>
          <bdi class="mono" dir="ltr">
            {project.code}
          </bdi>
        </dd>
        <dt>{t('budget.project.cost')}</dt>
        <dd>{formatTnd(ctx, project.cost_millimes)}</dd>
        {model.envelope && (
          <>
            <dt>{t('budget.project.envelope')}</dt>
            <dd>
              {trilingual(model.envelope, 'name', ctx.locale)} ({formatTnd(ctx, model.envelope.budget_millimes)})
            </dd>
          </>
        )}
        {project.category && (
          <>
            <dt>{t('budget.project.category')}</dt>
            <dd>{t(`budget.proposals.category.${project.category}`)}</dd>
          </>
        )}
        {neighbourhood && (
          <>
            <dt>{t('budget.project.neighbourhood')}</dt>
            <dd>{neighbourhood}</dd>
          </>
        )}
        {project.lat !== null && project.lng !== null && (
          <>
            <dt>{t('budget.project.location')}</dt>
            <dd>
              <a href={mapLink(project.lat, project.lng)} dir="ltr">
                {project.lat.toFixed(5)}, {project.lng.toFixed(5)}
              </a>
            </dd>
          </>
        )}
        {model.origin && (
          <>
            <dt>{t('budget.project.origin')}</dt>
            <dd>
              <a href={href(ctx, `/budget/${cycle.slug}/proposals/${model.origin.number}`)}>
                {t('budget.project.proposal_number', { number: model.origin.number })}
              </a>
            </dd>
          </>
        )}
      </dl>

      {project.selected === 1 && (
        <section aria-labelledby="pb-follow-up">
          <h2 id="pb-follow-up">{t('budget.project.follow_up')}</h2>
          <p>
            <StatusBadge ctx={ctx} status={project.implementation_status} />
          </p>
          <ProgressBar ctx={ctx} percent={project.progress_percent} />
          {model.canFollowUp && (
            <p>
              <a class="button button--secondary" href={href(ctx, `/admin/budget/${cycle.id}/projects/${project.id}/follow-up`)}>
                {t('budget.project.post_update')}
              </a>
            </p>
          )}
          {model.updates.length === 0 ? (
            <p class="muted">{t('budget.project.no_updates')}</p>
          ) : (
            <UpdateTimeline ctx={ctx} updates={model.updates} />
          )}
        </section>
      )}

      {(project.selected === 1 || model.comments.length > 0) && (
        <section aria-labelledby="pb-comments">
          <h2 id="pb-comments">{t('budget.project.comments', { count: model.comments.length })}</h2>
          {model.comments.length > 0 && (
            <ul class="plain-list pb-comments">
              {model.comments.map((c) => (
                <li class="pb-comment" id={`comment-${c.id}`}>
                  <p class="muted">
                    <bdi>{c.authorName || t('budget.project.a_resident')}</bdi> · <time datetime={c.createdAt}>{ctx.format.formatDateTime(c.createdAt)}</time>
                  </p>
                  {c.visibility === 'hidden' ? (
                    <p class="muted">{t('budget.project.comment_hidden', { reason: c.hiddenReason ?? '' })}</p>
                  ) : (
                    <p class="pb-text">
                      <bdi>{c.body}</bdi>
                    </p>
                  )}
                  {model.canModerate && c.visibility === 'visible' && (
                    <details open={model.hideForm.commentId === c.id}>
                      <summary>{t('budget.project.hide')}</summary>
                      <Form ctx={ctx} action={href(ctx, `${base}/comments/${c.id}/hide`)}>
                        {model.hideForm.commentId === c.id && <ErrorSummary ctx={ctx} errors={model.hideForm.errors} labels={{ reason: t('budget.project.hide_reason') }} />}
                        <TextField
                          ctx={ctx}
                          state={model.hideForm.commentId === c.id ? model.hideForm : { values: {}, errors: {} }}
                          name="reason"
                          label={t('budget.project.hide_reason')}
                          maxLength={300}
                          required
                        />
                        <SubmitButton secondary>{t('budget.project.hide')}</SubmitButton>
                      </Form>
                    </details>
                  )}
                </li>
              ))}
            </ul>
          )}
          {model.canComment ? (
            <Form ctx={ctx} action={href(ctx, `${base}/comments`)}>
              <ErrorSummary ctx={ctx} errors={model.commentForm.errors} labels={{ body: t('budget.project.your_comment') }} />
              <TextArea ctx={ctx} state={model.commentForm} name="body" label={t('budget.project.your_comment')} maxLength={2000} rows={4} required />
              <SubmitButton>{t('budget.project.send_comment')}</SubmitButton>
            </Form>
          ) : (
            project.selected === 1 &&
            !model.signedIn && (
              <p>
                <a href={href(ctx, `/login?next=${encodeURIComponent(href(ctx, base))}`)}>{t('budget.project.login_to_comment')}</a>
              </p>
            )
          )}
        </section>
      )}
    </Layout>
  );
}

export function UpdateTimeline(props: { ctx: ViewContext; updates: ProjectUpdateView[] }) {
  const { ctx } = props;
  return (
    <ol class="timeline pb-updates">
      {[...props.updates].reverse().map((u) => (
        <li class="timeline__entry">
          <p class="timeline__date muted">
            <time datetime={u.createdAt}>{ctx.format.formatDate(u.createdAt)}</time>
          </p>
          <p class="timeline__text">
            <StatusBadge ctx={ctx} status={u.status} /> {ctx.t('budget.project.progress', { percent: u.progressPercent / 100 })}
          </p>
          {u.body && (
            <p class="pb-text">
              <bdi>{u.body}</bdi>
            </p>
          )}
          {u.photos.length > 0 && (
            <ul class="photo-grid">
              {u.photos.map((photo) => (
                <li>
                  <a href={href(ctx, `/budget/photos/${photo.id}`)}>
                    <img src={href(ctx, `/budget/photos/${photo.id}/thumb`)} alt={ctx.t('budget.project.photo_alt')} width={photo.width} height={photo.height} loading="lazy" />
                  </a>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
