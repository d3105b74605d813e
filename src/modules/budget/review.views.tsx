// Back office pages of the technical review: the queue, and a proposal's review page (assign a
// department, the department's decision, put on or take off the ballot).
import type { FormState } from '../../http/forms.ts';
import { localName } from '../../i18n/i18n.ts';
import { ErrorSummary, Form, RadioGroup, SelectField, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href } from '../../ui/view-context.ts';
import type { AdminFrame } from '../admin/admin-http.ts';
import { AdminPage, Typed } from '../admin/admin.views.tsx';
import type { ReviewQueueItem, ReviewWorkspace } from './review.service.ts';
import { REVIEW_TEXT_MAX_LENGTH } from './review.service.ts';
import { formatTnd, StatusBadge } from './proposals.views.tsx';

const P = 'budget.proposals';
const R = 'budget.review';

export type ReviewQueueModel = {
  cycleId: number;
  cycleTitle: string;
  items: ReviewQueueItem[];
  departmentNames: Map<number, string>;
};

export function ReviewQueuePage(props: { frame: AdminFrame; model: ReviewQueueModel }) {
  const { frame, model } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const base = `/admin/budget/${model.cycleId}`;
  return (
    <AdminPage frame={frame} title={t(`${R}.title`)} back={{ path: base, label: t(`${P}.admin.back`) }}>
      <p class="lead">
        <bdi>{model.cycleTitle}</bdi>
      </p>
      {model.items.length === 0 ? (
        <p>{t(`${R}.queue_empty`)}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t(`${P}.admin.number`)}</th>
                <th scope="col">{t(`${P}.admin.proposal`)}</th>
                <th scope="col">{t(`${R}.department`)}</th>
                <th scope="col">{t(`${R}.outcome`)}</th>
                <th scope="col">{t(`${R}.field.cost`)}</th>
              </tr>
            </thead>
            <tbody>
              {model.items.map((item) => (
                <tr>
                  <td>{item.number}</td>
                  <td>
                    <a href={href(ctx, `${base}/review/${item.proposalId}`)}>
                      <bdi>{item.title}</bdi>
                    </a>
                  </td>
                  <td>{item.departmentId === null ? <span class="muted">{t(`${R}.unassigned`)}</span> : (model.departmentNames.get(item.departmentId) ?? '')}</td>
                  <td>{item.feasible === null ? <span class="muted">{t(`${R}.pending`)}</span> : <StatusBadge ctx={ctx} status={item.status} />}</td>
                  <td>{item.costEstimateMillimes === null ? t('form.none') : formatTnd(ctx, item.costEstimateMillimes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}

export type ReviewPageModel = {
  cycleId: number;
  cycleSlug: string;
  workspace: ReviewWorkspace;
  active: { form: 'assign' | 'decide' | 'ballot'; state: FormState } | null;
};

function millimesText(millimes: number | null): string {
  if (millimes === null) return '';
  const whole = Math.floor(millimes / 1000);
  const rest = millimes % 1000;
  return rest === 0 ? String(whole) : `${whole},${String(rest).padStart(3, '0').replace(/0+$/, '')}`;
}

export function ReviewPage(props: { frame: AdminFrame; model: ReviewPageModel }) {
  const { frame, model } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const { proposal: p, review, project, departments } = model.workspace;
  const base = `/admin/budget/${model.cycleId}/review/${p.id}`;
  const stateFor = (form: string): FormState => (model.active?.form === form ? model.active.state : { values: {}, errors: {} });
  const decided: FormState =
    model.active?.form === 'decide'
      ? model.active.state
      : {
          values: review
            ? {
                feasible: review.feasible === null ? '' : review.feasible === 1 ? 'yes' : 'no',
                publicReason: review.public_reason ?? '',
                costEstimate: millimesText(review.cost_estimate_millimes),
                costExplanation: review.cost_explanation ?? '',
                internalNotes: review.internal_notes ?? '',
              }
            : {},
          errors: {},
        };
  const departmentOptions = departments.map((d) => ({ value: String(d.id), label: localName(d, ctx.locale) }));
  const decideLabels = {
    feasible: t(`${R}.field.feasible`),
    publicReason: t(`${R}.field.public_reason`),
    costEstimate: t(`${R}.field.cost`),
    costExplanation: t(`${R}.field.cost_explanation`),
    internalNotes: t(`${R}.field.internal_notes`),
  };
  return (
    <AdminPage frame={frame} title={t(`${R}.page_title`, { number: p.number })} back={{ path: `/admin/budget/${model.cycleId}/review`, label: t(`${R}.back`) }}>
      <p>
        <StatusBadge ctx={ctx} status={p.status} /> <a href={href(ctx, `/budget/${model.cycleSlug}/proposals/${p.number}`)}>{t(`${P}.admin.public_page`)}</a>
      </p>
      {model.workspace.frozen && <p class="panel">{t(`${R}.frozen`)}</p>}
      <h2>
        <bdi>{p.title}</bdi>
      </h2>
      <dl class="details">
        <dt>{t(`${P}.page.category`)}</dt>
        <dd>{t(`${P}.category.${p.category}`)}</dd>
        <dt>{t(`${P}.page.estimated_cost`)}</dt>
        <dd>{p.estimated_cost_millimes === null ? t('form.none') : formatTnd(ctx, p.estimated_cost_millimes)}</dd>
        <dt>{t(`${P}.page.location`)}</dt>
        <dd>
          <Typed ctx={ctx} value={p.location_text} />
          {p.lat !== null && (
            <>
              {' '}
              <bdi dir="ltr" class="muted">
                ({p.lat}, {p.lng})
              </bdi>
            </>
          )}
        </dd>
        <dt>{t(`${R}.department`)}</dt>
        <dd>{review?.department_id ? (departmentOptions.find((d) => d.value === String(review.department_id))?.label ?? '') : t(`${R}.unassigned`)}</dd>
      </dl>
      <div class="panel">
        <p>
          <bdi>{p.description}</bdi>
        </p>
      </div>

      {model.workspace.canAssign && !model.workspace.frozen && p.status !== 'on_ballot' && (
        <section class="pb-section" aria-labelledby="assign-title">
          <h2 id="assign-title">{t(`${R}.assign.title`)}</h2>
          <ErrorSummary ctx={ctx} errors={stateFor('assign').errors} labels={{ departmentId: t(`${R}.department`) }} />
          <Form ctx={ctx} action={href(ctx, `${base}/assign`)}>
            <input type="hidden" name="reviewVersion" value={review ? String(review.version) : ''} />
            <SelectField
              ctx={ctx}
              state={model.active?.form === 'assign' ? model.active.state : { values: { departmentId: review?.department_id ? String(review.department_id) : '' }, errors: {} }}
              name="departmentId"
              label={t(`${R}.department`)}
              required
              options={departmentOptions}
            />
            <SubmitButton>{t(`${R}.assign.submit`)}</SubmitButton>
          </Form>
        </section>
      )}

      {model.workspace.canDecide && !model.workspace.frozen && p.status !== 'on_ballot' && review && (
        <section class="pb-section" aria-labelledby="decide-title">
          <h2 id="decide-title">{t(`${R}.decide.title`)}</h2>
          <ErrorSummary ctx={ctx} errors={decided.errors} labels={decideLabels} />
          <Form ctx={ctx} action={href(ctx, `${base}/decide`)}>
            <input type="hidden" name="reviewVersion" value={String(review.version)} />
            <input type="hidden" name="proposalVersion" value={String(p.version)} />
            <RadioGroup
              ctx={ctx}
              state={decided}
              name="feasible"
              label={decideLabels.feasible}
              required
              options={[
                { value: 'yes', label: t('form.yes') },
                { value: 'no', label: t('form.no') },
              ]}
            />
            <TextArea ctx={ctx} state={decided} name="publicReason" label={decideLabels.publicReason} hint={t(`${R}.field.public_reason_hint`)} rows={3} maxLength={REVIEW_TEXT_MAX_LENGTH} />
            <TextField ctx={ctx} state={decided} name="costEstimate" label={decideLabels.costEstimate} dir="ltr" maxLength={30} />
            <TextArea ctx={ctx} state={decided} name="costExplanation" label={decideLabels.costExplanation} rows={3} maxLength={REVIEW_TEXT_MAX_LENGTH} />
            <TextArea ctx={ctx} state={decided} name="internalNotes" label={decideLabels.internalNotes} rows={3} maxLength={REVIEW_TEXT_MAX_LENGTH} />
            <SubmitButton>{t(`${R}.decide.submit`)}</SubmitButton>
          </Form>
        </section>
      )}

      {!model.workspace.canDecide && review && review.feasible !== null && (
        <section class="pb-section" aria-labelledby="decision-title">
          <h2 id="decision-title">{t(`${R}.decide.title`)}</h2>
          <dl class="details">
            <dt>{decideLabels.feasible}</dt>
            <dd>{t(review.feasible === 1 ? 'form.yes' : 'form.no')}</dd>
            <dt>{decideLabels.publicReason}</dt>
            <dd>
              <Typed ctx={ctx} value={review.public_reason} />
            </dd>
            <dt>{decideLabels.costEstimate}</dt>
            <dd>{review.cost_estimate_millimes === null ? t('form.none') : formatTnd(ctx, review.cost_estimate_millimes)}</dd>
            <dt>{decideLabels.costExplanation}</dt>
            <dd>
              <Typed ctx={ctx} value={review.cost_explanation} />
            </dd>
            <dt>{decideLabels.internalNotes}</dt>
            <dd>
              <Typed ctx={ctx} value={review.internal_notes} />
            </dd>
          </dl>
        </section>
      )}

      {model.workspace.canBallot && (
        <section class="pb-section" aria-labelledby="ballot-title">
          <h2 id="ballot-title">{t(`${R}.ballot.title`)}</h2>
          <ErrorSummary ctx={ctx} errors={stateFor('ballot').errors} labels={{}} />
          {project ? (
            <>
              <p>{t(`${R}.ballot.on`, { code: project.code, cost: formatTnd(ctx, project.cost_millimes) })}</p>
              {!model.workspace.frozen && (
                <Form ctx={ctx} action={href(ctx, `${base}/ballot/remove`)}>
                  <input type="hidden" name="proposalVersion" value={String(p.version)} />
                  <SubmitButton secondary>{t(`${R}.ballot.take_off`)}</SubmitButton>
                </Form>
              )}
            </>
          ) : p.status === 'feasible' && !model.workspace.frozen ? (
            <Form ctx={ctx} action={href(ctx, `${base}/ballot`)}>
              <input type="hidden" name="proposalVersion" value={String(p.version)} />
              <SubmitButton>{t(`${R}.ballot.put`)}</SubmitButton>
            </Form>
          ) : (
            <p class="muted">{t(`${R}.ballot.requires`)}</p>
          )}
        </section>
      )}
    </AdminPage>
  );
}
