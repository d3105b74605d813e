// Back office pages of participatory budgeting: the cycles, a cycle's form (dates in El Kef's
// time, ballot rules, eligibility, channels), the cycle's hub (phase, counts, envelopes,
// projects, and links to every area's page the person may open), an envelope's form, and a
// project's implementation follow-up.
import type { FormState, FormValues } from '../../http/forms.ts';
import { CheckboxField, ErrorSummary, errorText, Form, SelectField, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame } from '../admin/admin-http.ts';
import { AdminPage } from '../admin/admin.views.tsx';
import { BALLOT_TYPES, type Phase } from './budget.ts';
import type { PbCycleRow, PbEnvelopeRow, PbProjectRow } from './budget.table.ts';
import type { CycleCounts } from './cycles.repository.ts';
import { type AreaNames, envelopeArea, formatTnd, PhaseBadge, trilingual } from './cycles.views.tsx';
import { FROZEN_FORM_FIELDS } from './cycles.service.ts';
import { IMPLEMENTATION_STATUSES, MAX_UPDATE_PHOTOS } from './follow-up.service.ts';
import { RULE_IDS } from './outcome/rules.ts';
import type { ProjectUpdateView } from './projects.service.ts';
import { ProgressBar, StatusBadge, UpdateTimeline } from './projects.views.tsx';

const LANGS = ['ar', 'fr', 'en'] as const;
const DIR = { ar: 'rtl', fr: 'ltr', en: 'ltr' } as const;

export function CyclesAdminPage(props: { frame: AdminFrame; cycles: { cycle: PbCycleRow; phase: Phase }[]; canManage: boolean }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  return (
    <AdminPage frame={props.frame} title={t('budget.admin.title')}>
      {props.canManage && (
        <p>
          <a class="button" href={href(ctx, '/admin/budget/new')}>
            {t('budget.admin.new_cycle')}
          </a>
        </p>
      )}
      {props.cycles.length === 0 ? (
        <p class="muted">{t('budget.admin.no_cycles')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('budget.admin.cycle')}</th>
                <th scope="col">{t('budget.admin.phase')}</th>
                <th scope="col">{t('budget.admin.voting')}</th>
              </tr>
            </thead>
            <tbody>
              {props.cycles.map(({ cycle, phase }) => (
                <tr>
                  <td>
                    <a href={href(ctx, `/admin/budget/${cycle.id}`)}>{trilingual(cycle, 'title', ctx.locale)}</a>
                    <div class="muted mono" dir="ltr">
                      {cycle.slug}
                    </div>
                  </td>
                  <td>
                    <PhaseBadge ctx={ctx} phase={phase} />
                  </td>
                  <td>
                    {ctx.format.formatDateTime(cycle.voting_open_at)} – {ctx.format.formatDateTime(cycle.voting_close_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}

function DateTimeField(props: { ctx: ViewContext; state: FormState; name: string; label: string; hint?: string; required?: boolean; disabled?: boolean }) {
  const { ctx, state, name } = props;
  const error = errorText(ctx, state.errors[name]);
  const raw = state.values[name];
  const value = Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
  const describedBy = [props.hint ? `hint-${name}` : '', error ? `error-${name}` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field--error' : 'field'}>
      <label for={`field-${name}`} class="field__label">
        {props.label}
        {!props.required && <span class="field__optional"> {ctx.t('form.optional')}</span>}
      </label>
      {props.hint && (
        <p class="field__hint" id={`hint-${name}`}>
          {props.hint}
        </p>
      )}
      {error && (
        <p class="field__error" id={`error-${name}`}>
          {error}
        </p>
      )}
      <input
        class="field__input"
        type="datetime-local"
        id={`field-${name}`}
        name={name}
        value={value}
        dir="ltr"
        required={props.required}
        disabled={props.disabled}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}

function Trilingual(props: { ctx: ViewContext; state: FormState; prefix: string; label: string; multiline?: boolean; max: number; required?: boolean }) {
  const { ctx } = props;
  return (
    <fieldset class="field fieldset cell-trilingual">
      <legend class="field__label">{props.label}</legend>
      {LANGS.map((lang) => {
        const name = `${props.prefix}.${lang}`;
        const label = ctx.t(`budget.admin.in_${lang}`);
        const required = props.required && lang !== 'en';
        return props.multiline ? (
          <TextArea ctx={ctx} state={props.state} name={name} label={label} maxLength={props.max} rows={3} />
        ) : (
          <TextField ctx={ctx} state={props.state} name={name} label={label} required={required} maxLength={props.max} dir={DIR[lang]} />
        );
      })}
    </fieldset>
  );
}

/** Labels of the cycle form's fields, for the error summary. */
export function cycleFieldLabels(ctx: ViewContext): Record<string, string> {
  const l = (key: string) => ctx.t(`budget.admin.field.${key}`);
  const labels: Record<string, string> = {};
  for (const key of [
    'year',
    'slug',
    'informationStartsAt',
    'proposalsOpenAt',
    'proposalsCloseAt',
    'reviewCloseAt',
    'supportOpenAt',
    'supportCloseAt',
    'votingOpenAt',
    'votingCloseAt',
    'ballotType',
    'minChoices',
    'maxChoices',
    'totalPoints',
    'maxPointsPerProject',
    'rule',
    'tieBreaking',
    'lotSeed',
    'minAge',
    'maxVotersPerPhone',
    'residenceRequired',
    'onlineVoting',
  ]) {
    labels[key] = l(key);
  }
  for (const lang of LANGS) {
    labels[`title.${lang}`] = `${l('title')} (${ctx.t(`budget.admin.in_${lang}`)})`;
    labels[`description.${lang}`] = `${l('description')} (${ctx.t(`budget.admin.in_${lang}`)})`;
  }
  return labels;
}

export function CycleFormPage(props: {
  frame: AdminFrame;
  cycle: PbCycleRow | null;
  frozen: boolean;
  state: FormState;
  /** Once voting has opened: the saved values of the fields that no longer change. */
  locked?: FormValues;
}) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { cycle } = props;
  const locked = props.frozen ? (props.locked ?? {}) : {};
  const isLocked = (name: string) => props.frozen && FROZEN_FORM_FIELDS.includes(name);
  // Locked fields show their saved value, greyed out; hidden copies carry it (a disabled field is not sent).
  const state: FormState = { values: { ...props.state.values, ...locked }, errors: props.state.errors };
  const l = (key: string) => t(`budget.admin.field.${key}`);
  const title = cycle ? t('budget.admin.edit_cycle', { title: trilingual(cycle, 'title', ctx.locale) }) : t('budget.admin.new_cycle');
  const number = (name: string, required = false, hint?: string) => (
    <TextField ctx={ctx} state={state} name={name} label={l(name)} inputMode="numeric" dir="ltr" maxLength={6} required={required} hint={hint} />
  );
  return (
    <AdminPage frame={props.frame} title={title} back={cycle ? { path: `/admin/budget/${cycle.id}`, label: t('budget.admin.back_to_cycle') } : { path: '/admin/budget', label: t('budget.admin.back_to_list') }}>
      {props.frozen && <p class="notice">{t('budget.admin.frozen_notice')}</p>}
      <ErrorSummary ctx={ctx} errors={state.errors} labels={cycleFieldLabels(ctx)} />
      <Form ctx={ctx} action={href(ctx, cycle ? `/admin/budget/${cycle.id}/edit` : '/admin/budget/new')} class="form cell-form--wide">
        {cycle && <input type="hidden" name="version" value={String(state.values.version ?? cycle.version)} />}
        {Object.entries(locked).map(([name, value]) => (typeof value === 'string' && value !== '' ? <input type="hidden" name={name} value={value} /> : null))}
        <div class="filters">
          {number('year', true)}
          <TextField ctx={ctx} state={state} name="slug" label={l('slug')} hint={t('budget.admin.slug_hint')} dir="ltr" maxLength={40} required />
        </div>
        <Trilingual ctx={ctx} state={state} prefix="title" label={l('title')} max={200} required />
        <Trilingual ctx={ctx} state={state} prefix="description" label={l('description')} max={4000} multiline />

        <h2>{t('budget.admin.dates')}</h2>
        <p class="muted">{t('budget.admin.dates_hint')}</p>
        <div class="filters">
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('informationStartsAt')} name="informationStartsAt" label={l('informationStartsAt')} required />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('proposalsOpenAt')} name="proposalsOpenAt" label={l('proposalsOpenAt')} required />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('proposalsCloseAt')} name="proposalsCloseAt" label={l('proposalsCloseAt')} required />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('reviewCloseAt')} name="reviewCloseAt" label={l('reviewCloseAt')} required />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('supportOpenAt')} name="supportOpenAt" label={l('supportOpenAt')} hint={t('budget.admin.support_hint')} />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('supportCloseAt')} name="supportCloseAt" label={l('supportCloseAt')} />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('votingOpenAt')} name="votingOpenAt" label={l('votingOpenAt')} required />
          <DateTimeField ctx={ctx} state={state} disabled={isLocked('votingCloseAt')} name="votingCloseAt" label={l('votingCloseAt')} required />
        </div>

        <fieldset class="fieldset pb-locked" disabled={props.frozen}>
        <h2>{t('budget.admin.ballot')}</h2>
        <SelectField
          ctx={ctx}
          state={state}
          name="ballotType"
          label={l('ballotType')}
          required
          options={BALLOT_TYPES.map((type) => ({ value: type, label: t(`budget.ballot_type.${type}`) }))}
        />
        <div class="filters">
          {number('minChoices', true)}
          {number('maxChoices', false, t('budget.admin.max_choices_hint'))}
          {number('totalPoints', false, t('budget.admin.points_hint'))}
          {number('maxPointsPerProject')}
        </div>
        <SelectField
          ctx={ctx}
          state={state}
          name="rule"
          label={l('rule')}
          hint={t('budget.admin.rule_hint')}
          required
          options={RULE_IDS.map((rule) => ({ value: rule, label: t(`budget.rule.${rule}`) }))}
        />
        <SelectField
          ctx={ctx}
          state={state}
          name="tieBreaking"
          label={l('tieBreaking')}
          required
          options={[
            { value: 'project_id', label: t('budget.tie_breaking.project_id') },
            { value: 'equalshares', label: t('budget.tie_breaking.equalshares') },
          ]}
        />
        <TextField ctx={ctx} state={state} name="lotSeed" label={l('lotSeed')} hint={t('budget.admin.lot_seed_hint')} dir="ltr" maxLength={100} />

        <h2>{t('budget.admin.eligibility')}</h2>
        <div class="filters">
          {number('minAge', true)}
          {number('maxVotersPerPhone', true)}
        </div>
        <CheckboxField ctx={ctx} state={state} name="residenceRequired" label={l('residenceRequired')} />
        </fieldset>
        <fieldset class="field fieldset">
          <legend class="field__label">{t('budget.admin.channels')}</legend>
          <CheckboxField ctx={ctx} state={state} name="onlineVoting" label={l('onlineVoting')} />
          <CheckboxField ctx={ctx} state={state} name="counterVoting" label={l('counterVoting')} />
          <CheckboxField ctx={ctx} state={state} name="paperVoting" label={l('paperVoting')} />
        </fieldset>
        <p class="actions">
          <SubmitButton>{t('form.save')}</SubmitButton>
        </p>
      </Form>
    </AdminPage>
  );
}

export type HubLink = { path: string; key: string };

export type CycleHubModel = AreaNames & {
  cycle: PbCycleRow;
  phase: Phase;
  frozen: boolean;
  envelopes: PbEnvelopeRow[];
  projects: PbProjectRow[];
  counts: CycleCounts;
  canManage: boolean;
  /** Pages of the other areas this person may open. */
  links: HubLink[];
  /** Projects whose follow-up this person may post. */
  followUpProjectIds: number[];
};

export function CycleHubPage(props: { frame: AdminFrame; model: CycleHubModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { cycle, phase, counts } = props.model;
  const base = `/admin/budget/${cycle.id}`;
  const date = (iso: string | null) => (iso ? ctx.format.formatDateTime(iso) : t('form.none'));
  return (
    <AdminPage frame={props.frame} title={trilingual(cycle, 'title', ctx.locale)} back={{ path: '/admin/budget', label: t('budget.admin.back_to_list') }}>
      <p>
        <PhaseBadge ctx={ctx} phase={phase} /> <a href={href(ctx, `/budget/${cycle.slug}`)}>{t('budget.admin.public_page')}</a>
      </p>
      {props.model.frozen && <p class="notice">{t('budget.admin.frozen_notice')}</p>}
      <ul class="key-figures">
        <li class="key-figure">
          <span class="key-figure__value">{ctx.format.formatNumber(counts.proposals)}</span>
          <span class="key-figure__label">{t('budget.admin.count_proposals')}</span>
        </li>
        <li class="key-figure">
          <span class="key-figure__value">{ctx.format.formatNumber(counts.projects)}</span>
          <span class="key-figure__label">{t('budget.admin.count_projects')}</span>
        </li>
        <li class="key-figure">
          <span class="key-figure__value">{ctx.format.formatNumber(counts.participations)}</span>
          <span class="key-figure__label">{t('budget.admin.count_participations')}</span>
        </li>
      </ul>
      {props.model.links.length > 0 && (
        <nav aria-labelledby="pb-hub-links">
          <h2 id="pb-hub-links">{t('budget.admin.work')}</h2>
          <ul class="plain-list pb-links">
            {props.model.links.map((link) => (
              <li>
                <a href={href(ctx, link.path)}>{t(`budget.admin.link.${link.key}`)}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}

      <section aria-labelledby="pb-settings">
        <h2 id="pb-settings">{t('budget.admin.settings')}</h2>
        <dl class="facts">
          <dt>{t('budget.admin.field.informationStartsAt')}</dt>
          <dd>{date(cycle.information_starts_at)}</dd>
          <dt>{t('budget.admin.field.proposalsOpenAt')}</dt>
          <dd>
            {date(cycle.proposals_open_at)} – {date(cycle.proposals_close_at)}
          </dd>
          <dt>{t('budget.admin.field.reviewCloseAt')}</dt>
          <dd>{date(cycle.review_close_at)}</dd>
          {cycle.support_open_at && (
            <>
              <dt>{t('budget.phase.support')}</dt>
              <dd>
                {date(cycle.support_open_at)} – {date(cycle.support_close_at)}
              </dd>
            </>
          )}
          <dt>{t('budget.admin.voting')}</dt>
          <dd>
            {date(cycle.voting_open_at)} – {date(cycle.voting_close_at)}
          </dd>
          <dt>{t('budget.admin.field.ballotType')}</dt>
          <dd>{t(`budget.ballot_type.${cycle.ballot_type}.explained`, { max: cycle.max_choices ?? 0, points: cycle.total_points ?? 0 })}</dd>
          <dt>{t('budget.admin.field.rule')}</dt>
          <dd>{t(`budget.rule.${cycle.rule}`)}</dd>
          <dt>{t('budget.admin.channels')}</dt>
          <dd>
            {[cycle.online_voting ? t('budget.admin.field.onlineVoting') : null, cycle.counter_voting ? t('budget.admin.field.counterVoting') : null, cycle.paper_voting ? t('budget.admin.field.paperVoting') : null]
              .filter(Boolean)
              .join(' · ')}
          </dd>
        </dl>
        {props.model.canManage && (
          <p>
            <a class="button button--secondary" href={href(ctx, `${base}/edit`)}>
              {t('budget.admin.edit_settings')}
            </a>
          </p>
        )}
      </section>

      <section aria-labelledby="pb-hub-envelopes">
        <h2 id="pb-hub-envelopes">{t('budget.cycle.envelopes')}</h2>
        {props.model.envelopes.length === 0 ? (
          <p class="muted">{t('budget.cycle.no_envelopes')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('budget.envelope.name')}</th>
                  <th scope="col">{t('budget.envelope.area')}</th>
                  <th scope="col">{t('budget.envelope.budget')}</th>
                </tr>
              </thead>
              <tbody>
                {props.model.envelopes.map((e) => (
                  <tr>
                    <td>
                      {props.model.canManage && !props.model.frozen ? (
                        <a href={href(ctx, `${base}/envelopes/${e.id}`)}>{trilingual(e, 'name', ctx.locale)}</a>
                      ) : (
                        trilingual(e, 'name', ctx.locale)
                      )}
                    </td>
                    <td>{envelopeArea(ctx, e, props.model)}</td>
                    <td class="pb-amount">{formatTnd(ctx, e.budget_millimes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {props.model.canManage && !props.model.frozen && (
          <p>
            <a class="button button--secondary" href={href(ctx, `${base}/envelopes/new`)}>
              {t('budget.admin.add_envelope')}
            </a>
          </p>
        )}
      </section>

      {props.model.projects.length > 0 && (
        <section aria-labelledby="pb-hub-projects">
          <h2 id="pb-hub-projects">{t('budget.projects.title')}</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('budget.project.code')}</th>
                  <th scope="col">{t('budget.admin.project')}</th>
                  <th scope="col">{t('budget.project.cost')}</th>
                  <th scope="col">{t('budget.project.follow_up')}</th>
                </tr>
              </thead>
              <tbody>
                {props.model.projects.map((p) => (
                  <tr>
                    <td class="mono" dir="ltr">
                      {p.code}
                    </td>
                    <td>
                      <a href={href(ctx, `/budget/${cycle.slug}/projects/${encodeURIComponent(p.code)}`)}>
                        <bdi>{p.title}</bdi>
                      </a>
                    </td>
                    <td class="pb-amount">{formatTnd(ctx, p.cost_millimes)}</td>
                    <td>
                      {p.selected === 1 ? (
                        <>
                          <StatusBadge ctx={ctx} status={p.implementation_status} />{' '}
                          {props.model.followUpProjectIds.includes(p.id) && (
                            <a href={href(ctx, `${base}/projects/${p.id}/follow-up`)}>{t('budget.project.post_update')}</a>
                          )}
                        </>
                      ) : (
                        <span class="muted">{t('budget.admin.not_selected')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </AdminPage>
  );
}

export type EnvelopeAreaOption = { value: string; label: string };

export function EnvelopeFormPage(props: {
  frame: AdminFrame;
  cycle: PbCycleRow;
  envelope: PbEnvelopeRow | null;
  areaOptions: EnvelopeAreaOption[];
  state: FormState;
}) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { cycle, envelope, state } = props;
  const base = `/admin/budget/${cycle.id}`;
  const labels: Record<string, string> = { area: t('budget.envelope.area'), areaId: t('budget.envelope.area'), budget: t('budget.envelope.budget'), sortOrder: t('budget.admin.field.sortOrder') };
  for (const lang of LANGS) labels[`name.${lang}`] = `${t('budget.envelope.name')} (${t(`budget.admin.in_${lang}`)})`;
  // Service errors name areaId; the form's select is "area".
  const errors = { ...state.errors };
  if (errors.areaId && !errors.area) errors.area = errors.areaId;
  delete errors.areaId;
  const shown = { ...state, errors };
  return (
    <AdminPage
      frame={props.frame}
      title={envelope ? t('budget.admin.edit_envelope', { name: trilingual(envelope, 'name', ctx.locale) }) : t('budget.admin.add_envelope')}
      back={{ path: base, label: t('budget.admin.back_to_cycle') }}
    >
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, envelope ? `${base}/envelopes/${envelope.id}` : `${base}/envelopes/new`)} class="form">
        {envelope && <input type="hidden" name="version" value={String(state.values.version ?? envelope.updated_at)} />}
        <SelectField ctx={ctx} state={shown} name="area" label={t('budget.envelope.area')} required options={props.areaOptions} />
        <Trilingual ctx={ctx} state={shown} prefix="name" label={t('budget.envelope.name')} max={200} required />
        <TextField ctx={ctx} state={shown} name="budget" label={t('budget.envelope.budget_tnd')} hint={t('budget.admin.budget_hint')} inputMode="text" dir="ltr" maxLength={30} required />
        <TextField ctx={ctx} state={shown} name="sortOrder" label={t('budget.admin.field.sortOrder')} inputMode="numeric" dir="ltr" maxLength={4} required />
        <p class="actions">
          <SubmitButton>{t('form.save')}</SubmitButton>
        </p>
      </Form>
      {envelope && (
        <Form ctx={ctx} action={href(ctx, `${base}/envelopes/${envelope.id}/delete`)} class="form">
          <input type="hidden" name="version" value={envelope.updated_at} />
          <p>
            <button type="submit" class="button button--danger">
              {t('budget.admin.delete_envelope')}
            </button>
          </p>
        </Form>
      )}
    </AdminPage>
  );
}

export function FollowUpAdminPage(props: { frame: AdminFrame; cycle: PbCycleRow; project: PbProjectRow; updates: ProjectUpdateView[]; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { cycle, project, state } = props;
  const labels = { status: t('budget.follow_up.status'), progress: t('budget.follow_up.progress'), body: t('budget.follow_up.body'), photos: t('budget.follow_up.photos') };
  return (
    <AdminPage
      frame={props.frame}
      title={t('budget.follow_up.title', { code: project.code })}
      back={{ path: `/admin/budget/${cycle.id}`, label: t('budget.admin.back_to_cycle') }}
    >
      <p>
        <a href={href(ctx, `/budget/${cycle.slug}/projects/${encodeURIComponent(project.code)}`)}>
          <bdi>{project.title}</bdi>
        </a>
      </p>
      <p>
        <StatusBadge ctx={ctx} status={project.implementation_status} />
      </p>
      <ProgressBar ctx={ctx} percent={project.progress_percent} />
      {project.selected !== 1 ? (
        <p class="notice">{t('budget.follow_up.error.not_selected')}</p>
      ) : (
        <Form ctx={ctx} action={href(ctx, `/admin/budget/${cycle.id}/projects/${project.id}/follow-up`)} enctype="multipart/form-data">
          <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
          <SelectField
            ctx={ctx}
            state={state}
            name="status"
            label={labels.status}
            required
            options={IMPLEMENTATION_STATUSES.map((s) => ({ value: s, label: t(`budget.status.${s}`) }))}
          />
          <TextField ctx={ctx} state={state} name="progress" label={labels.progress} hint={t('budget.follow_up.progress_hint')} inputMode="numeric" dir="ltr" maxLength={3} required />
          <TextArea ctx={ctx} state={state} name="body" label={labels.body} maxLength={4000} rows={4} />
          <div class={state.errors.photos ? 'field field--error' : 'field'}>
            <label class="field__label" for="field-photos">
              {labels.photos}
              <span class="field__optional"> {t('form.optional')}</span>
            </label>
            <p class="field__hint" id="hint-photos">
              {t('budget.follow_up.photos_hint', { max: MAX_UPDATE_PHOTOS })}
            </p>
            {state.errors.photos && (
              <p class="field__error" id="error-photos">
                {errorText(ctx, state.errors.photos)}
              </p>
            )}
            <input class="field__input field__input--file" type="file" id="field-photos" name="photos" accept="image/*" multiple aria-describedby="hint-photos" />
          </div>
          <SubmitButton>{t('budget.follow_up.post')}</SubmitButton>
        </Form>
      )}
      <h2>{t('budget.follow_up.history')}</h2>
      {props.updates.length === 0 ? <p class="muted">{t('budget.project.no_updates')}</p> : <UpdateTimeline ctx={ctx} updates={props.updates} />}
    </AdminPage>
  );
}
