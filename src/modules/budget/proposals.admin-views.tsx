// Back office pages of proposals: the moderation list, and a proposal's moderation page (hide or
// show it with a public reason, merge it into another, hide or show its comments).
import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, Form, type Option, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href } from '../../ui/view-context.ts';
import type { AdminFrame, PaginationLinks } from '../admin/admin-http.ts';
import { AdminPage, DateTime, FilterInput, FilterSelect, Pagination, Typed } from '../admin/admin.views.tsx';
import type { PbProposalRow } from './budget.table.ts';
import type { ProposalSummary } from './proposals.service.ts';
import { REASON_MAX_LENGTH } from './proposals.service.ts';
import { formatTnd, StatusBadge } from './proposals.views.tsx';

const P = 'budget.proposals';

export type AdminProposalListModel = {
  cycleId: number;
  cycleSlug: string;
  cycleTitle: string;
  items: ProposalSummary[];
  total: number;
  filters: { q?: string; status?: string; visibility?: string; category?: string };
  statuses: Option[];
  categories: Option[];
  links: PaginationLinks;
};

export function AdminProposalListPage(props: { frame: AdminFrame; model: AdminProposalListModel }) {
  const { frame, model } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const base = `/admin/budget/${model.cycleId}`;
  return (
    <AdminPage frame={frame} title={t(`${P}.admin.title`)} back={{ path: base, label: t(`${P}.admin.back`) }}>
      <p class="lead">
        <bdi>{model.cycleTitle}</bdi> · <a href={href(ctx, `${base}/review`)}>{t(`${P}.admin.review_link`)}</a>
      </p>
      <form method="get" class="filters" action={href(ctx, `${base}/proposals`)}>
        <FilterInput name="q" label={t(`${P}.filter.q`)} value={model.filters.q} type="search" maxLength={100} />
        <FilterSelect name="status" label={t(`${P}.filter.status`)} value={model.filters.status} anyLabel={t(`${P}.filter.any`)} options={model.statuses} />
        <FilterSelect
          name="visibility"
          label={t(`${P}.filter.visibility`)}
          value={model.filters.visibility}
          anyLabel={t(`${P}.filter.any`)}
          options={[
            { value: 'visible', label: t(`${P}.visibility.visible`) },
            { value: 'hidden', label: t(`${P}.visibility.hidden`) },
          ]}
        />
        <FilterSelect name="category" label={t(`${P}.filter.category`)} value={model.filters.category} anyLabel={t(`${P}.filter.any`)} options={model.categories} />
        <div class="field">
          <button type="submit" class="button">
            {t('form.filter')}
          </button>
        </div>
      </form>
      <p class="muted">{t(`${P}.count`, { count: model.total })}</p>
      <div class="table-wrap" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t(`${P}.admin.number`)}</th>
              <th scope="col">{t(`${P}.admin.proposal`)}</th>
              <th scope="col">{t(`${P}.filter.status`)}</th>
              <th scope="col">{t(`${P}.support.title`)}</th>
              <th scope="col">{t(`${P}.comments.title`)}</th>
            </tr>
          </thead>
          <tbody>
            {model.items.map((item) => (
              <tr>
                <td>{item.number}</td>
                <td>
                  <a href={href(ctx, `${base}/proposals/${item.id}`)}>
                    <bdi>{item.title}</bdi>
                  </a>
                  {item.hidden && (
                    <p class="muted">
                      {t(`${P}.admin.hidden_because`, { reason: '' })}
                      <bdi>{item.hiddenReason}</bdi>
                    </p>
                  )}
                </td>
                <td>
                  <StatusBadge ctx={ctx} status={item.status} />
                </td>
                <td>{item.supportCount}</td>
                <td>{item.commentCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination ctx={ctx} links={model.links} />
    </AdminPage>
  );
}

export type AdminComment = { id: number; body: string; visibility: string; hiddenReason: string | null; authorName: string | null; createdAt: string };

export type AdminProposalModel = {
  cycleId: number;
  cycleSlug: string;
  proposal: PbProposalRow;
  mergedIntoNumber: number | null;
  comments: AdminComment[];
  /** Which form the errors belong to. */
  active: { form: 'visibility' | 'merge' | `comment-${number}`; state: FormState } | null;
};

export function AdminProposalPage(props: { frame: AdminFrame; model: AdminProposalModel }) {
  const { frame, model } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const p = model.proposal;
  const base = `/admin/budget/${model.cycleId}/proposals/${p.id}`;
  const stateFor = (form: string): FormState => (model.active?.form === form ? model.active.state : { values: {}, errors: {} });
  const hidden = p.visibility === 'hidden';
  return (
    <AdminPage frame={frame} title={`${t(`${P}.number`, { number: p.number })} — ${p.title}`} back={{ path: `/admin/budget/${model.cycleId}/proposals`, label: t(`${P}.admin.title`) }}>
      <p>
        <StatusBadge ctx={ctx} status={p.status} />{' '}
        <a href={href(ctx, `/budget/${model.cycleSlug}/proposals/${p.number}`)}>{t(`${P}.admin.public_page`)}</a> ·{' '}
        <a href={href(ctx, `/admin/budget/${model.cycleId}/review/${p.id}`)}>{t(`${P}.admin.review_link`)}</a>
      </p>
      {model.mergedIntoNumber !== null && <p class="panel">{t(`${P}.page.merged_into`, { number: model.mergedIntoNumber })}</p>}
      <dl class="details">
        <dt>{t(`${P}.page.category`)}</dt>
        <dd>{t(`${P}.category.${p.category}`)}</dd>
        <dt>{t(`${P}.page.author`)}</dt>
        <dd>{p.author_kind === 'association' ? <Typed ctx={ctx} value={p.association_name} /> : t(`${P}.author.citizen`)}</dd>
        <dt>{t(`${P}.page.estimated_cost`)}</dt>
        <dd>{p.estimated_cost_millimes === null ? t('form.none') : formatTnd(ctx, p.estimated_cost_millimes)}</dd>
        <dt>{t(`${P}.support.title`)}</dt>
        <dd>{t(`${P}.supports`, { count: p.support_count })}</dd>
        <dt>{t(`${P}.filter.visibility`)}</dt>
        <dd>
          {t(`${P}.visibility.${p.visibility}`)}
          {hidden && (
            <>
              {' — '}
              <Typed ctx={ctx} value={p.hidden_reason} />
            </>
          )}
        </dd>
      </dl>
      <div class="panel">
        <p>
          <bdi>{p.description}</bdi>
        </p>
      </div>

      <section class="pb-section" aria-labelledby="visibility-title">
        <h2 id="visibility-title">{t(hidden ? `${P}.admin.show` : `${P}.admin.hide`)}</h2>
        <ErrorSummary ctx={ctx} errors={stateFor('visibility').errors} labels={{ reason: t(`${P}.admin.reason`) }} />
        <Form ctx={ctx} action={href(ctx, `${base}/${hidden ? 'show' : 'hide'}`)}>
          <input type="hidden" name="version" value={String(p.version)} />
          {!hidden && <TextArea ctx={ctx} state={stateFor('visibility')} name="reason" label={t(`${P}.admin.reason`)} required rows={2} maxLength={REASON_MAX_LENGTH} />}
          <SubmitButton secondary={hidden}>{t(hidden ? `${P}.admin.show` : `${P}.admin.hide`)}</SubmitButton>
        </Form>
      </section>

      {(p.status === 'submitted' || p.status === 'feasible' || p.status === 'not_feasible') && (
        <section class="pb-section" aria-labelledby="merge-title">
          <h2 id="merge-title">{t(`${P}.admin.merge`)}</h2>
          <ErrorSummary ctx={ctx} errors={stateFor('merge').errors} labels={{ into: t(`${P}.admin.merge_into`) }} />
          <Form ctx={ctx} action={href(ctx, `${base}/merge`)}>
            <input type="hidden" name="version" value={String(p.version)} />
            <TextField ctx={ctx} state={stateFor('merge')} name="into" label={t(`${P}.admin.merge_into`)} hint={t(`${P}.admin.merge_hint`)} required inputMode="numeric" maxLength={9} />
            <SubmitButton>{t(`${P}.admin.merge_button`)}</SubmitButton>
          </Form>
        </section>
      )}

      <section class="pb-section" aria-labelledby="comments-title">
        <h2 id="comments-title">{t(`${P}.admin.comments`)}</h2>
        {model.comments.length === 0 && <p class="muted">{t(`${P}.comments.empty`)}</p>}
        <ol class="public-complaints pb-comments">
          {model.comments.map((c) => {
            const form = `comment-${c.id}` as const;
            const isHidden = c.visibility === 'hidden';
            return (
              <li class="pb-comment" id={`comment-${c.id}`}>
                <p class="muted">
                  <Typed ctx={ctx} value={c.authorName} /> · <DateTime ctx={ctx} iso={c.createdAt} />
                  {isHidden && (
                    <>
                      {' · '}
                      {t(`${P}.admin.hidden_because`, { reason: '' })}
                      <bdi>{c.hiddenReason}</bdi>
                    </>
                  )}
                </p>
                <p>
                  <bdi>{c.body}</bdi>
                </p>
                <ErrorSummary ctx={ctx} errors={stateFor(form).errors} labels={{}} />
                <Form ctx={ctx} action={href(ctx, `${base}/comments/${c.id}/${isHidden ? 'show' : 'hide'}`)} class="inline-form">
                  {!isHidden && (
                    // One form per comment: ids carry the comment's, so labels stay unique on the page.
                    <div class="field">
                      <label class="field__label" for={`reason-${c.id}`}>
                        {t(`${P}.admin.reason`)}
                      </label>
                      <input class="field__input" id={`reason-${c.id}`} name="reason" maxLength={REASON_MAX_LENGTH} value={String(stateFor(form).values.reason ?? '')} />
                    </div>
                  )}
                  <SubmitButton secondary>{t(isHidden ? `${P}.admin.show_comment` : `${P}.admin.hide_comment`)}</SubmitButton>
                </Form>
              </li>
            );
          })}
        </ol>
      </section>
    </AdminPage>
  );
}
