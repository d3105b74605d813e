// The citizens' voting pages: what to bring and who may vote, the phone and code steps, the
// residence step, the ballot (every type, without JavaScript; the live budget meter of
// client/budget-ballot.ts reads the data- attributes put here), the receipt, the receipt check,
// and the page shown outside the voting phase. The ballot's fields are shared with the counter
// (voting-admin.views.tsx), so staff enter a citizen's ballot on the very same form.
import type { ComponentChildren } from 'preact';
import type { FormState } from '../../../http/forms.ts';
import type { FieldErrors } from '../../../lib/errors.ts';
import { CheckboxField, ErrorSummary, Form, RadioGroup, SelectField, SubmitButton, TextField } from '../../../ui/forms.tsx';
import { Layout } from '../../../ui/layout.tsx';
import { href, type ViewContext } from '../../../ui/view-context.ts';
import { VOTER_AGE_GROUPS, VOTER_GENDERS } from '../budget.ts';
import type { BallotType, VotingChannel } from '../budget.table.ts';
import { formatTnd, TND_GROUP, tndTemplate } from '../money.ts';

/** The Intl locale the ballot meter formats numbers with (as src/i18n/i18n.ts does). */
const INTL_LOCALE: Record<string, string> = { ar: 'ar-TN-u-nu-latn', fr: 'fr-TN', en: 'en-GB' };

export type CyclePageInfo = { slug: string; title: string; year: number };

export type BallotProjectView = { id: number; code: string; title: string; description: string; costMillimes: number };
export type BallotEnvelopeView = { id: number; name: string; budgetMillimes: number; projects: BallotProjectView[] };
export type BallotModel = {
  type: BallotType;
  minChoices: number;
  maxChoices: number | null;
  totalPoints: number | null;
  maxPointsPerProject: number | null;
  envelopes: BallotEnvelopeView[];
};

export type Option = { value: string; label: string };

/** The voter's part of the ballot form: ID card number, age group, gender, and the declaration. */
export function VoterFields(props: { ctx: ViewContext; state: FormState; declaration?: string; staff?: boolean }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <>
      <TextField
        ctx={ctx}
        state={state}
        name="idNumber"
        label={t('budget.vote.ballot.id_number')}
        hint={t(props.staff ? 'budget.counter.id_number_hint' : 'budget.vote.ballot.id_number_hint')}
        required
        inputMode="numeric"
        autocomplete="off"
        maxLength={20}
        dir="ltr"
      />
      <SelectField
        ctx={ctx}
        state={state}
        name="ageGroup"
        label={t('budget.vote.ballot.age_group')}
        required
        options={VOTER_AGE_GROUPS.map((g) => ({ value: g, label: t(`budget.vote.age.${g.replace(/[^0-9]+/g, '_')}`) }))}
      />
      <RadioGroup
        ctx={ctx}
        state={state}
        name="gender"
        label={t('budget.vote.ballot.gender')}
        options={[
          ...VOTER_GENDERS.map((g) => ({ value: g, label: t(`budget.vote.gender.${g}`) })),
          { value: '', label: t('budget.vote.gender.unsaid') },
        ]}
      />
      {props.declaration && <CheckboxField ctx={ctx} state={state} name="declaredEligible" label={props.declaration} required />}
    </>
  );
}

function valueOf(state: FormState, name: string): string {
  const v = state.values[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function chosen(state: FormState, projectId: number): boolean {
  const v = state.values.choice;
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.includes(String(projectId));
}

/** How many of a ranking envelope's ranks a voter may give. */
function rankCount(model: BallotModel, envelope: BallotEnvelopeView): number {
  return Math.min(envelope.projects.length, model.maxChoices ?? envelope.projects.length);
}

/** The rules of the ballot in one sentence, per type. */
function rulesText(ctx: ViewContext, model: BallotModel, envelope: BallotEnvelopeView): string {
  const { t } = ctx;
  const budget = formatTnd(ctx, envelope.budgetMillimes);
  switch (model.type) {
    case 'approval':
      return model.maxChoices !== null ? t('budget.vote.rules.approval_max', { max: model.maxChoices }) : t('budget.vote.rules.approval');
    case 'knapsack':
      return t('budget.vote.rules.knapsack', { budget });
    case 'cumulative':
      return t('budget.vote.rules.cumulative', { points: model.totalPoints ?? 0, max: model.maxPointsPerProject ?? model.totalPoints ?? 0 });
    case 'ranking':
      return t('budget.vote.rules.ranking', { max: rankCount(model, envelope) });
  }
}

/**
 * One envelope of the ballot: its projects with cost and description, and the input each type
 * needs. The meter under the legend stays hidden until client/budget-ballot.ts fills it.
 */
function EnvelopeFieldset(props: { ctx: ViewContext; state: FormState; model: BallotModel; envelope: BallotEnvelopeView }) {
  const { ctx, state, model, envelope } = props;
  const { t } = ctx;
  const money = (m: number) => formatTnd(ctx, m);
  const error = state.errors[`envelope_${envelope.id}`];
  const maxPoints = model.maxPointsPerProject ?? model.totalPoints ?? 100;
  const ranks = rankCount(model, envelope);
  return (
    <fieldset
      class={error ? 'pb-envelope field--error' : 'pb-envelope'}
      id={`field-envelope_${envelope.id}`}
      data-pb-envelope={String(envelope.id)}
      data-type={model.type}
      data-budget={String(envelope.budgetMillimes)}
      data-max-choices={model.maxChoices !== null ? String(model.maxChoices) : undefined}
      data-total-points={model.totalPoints !== null ? String(model.totalPoints) : undefined}
    >
      <legend class="pb-envelope__legend">
        <bdi>{envelope.name}</bdi>
      </legend>
      <p class="pb-envelope__budget">{t('budget.vote.ballot.envelope_budget', { budget: money(envelope.budgetMillimes) })}</p>
      <p class="field__hint">{rulesText(ctx, model, envelope)}</p>
      {error && (
        <p class="field__error" id={`error-envelope_${envelope.id}`}>
          {typeof error === 'string' ? t(error) : t(error.key, error.values)}
        </p>
      )}
      <div class="pb-meter" hidden data-pb-meter="">
        <div class="pb-meter__bar" aria-hidden="true">
          <div class="pb-meter__fill" />
        </div>
        <p class="pb-meter__text" aria-live="polite" />
      </div>
      <ul class="pb-projects">
        {envelope.projects.map((p) => {
          const id = `field-project_${p.id}`;
          const projectError = state.errors[`project_${p.id}`];
          const problem = projectError && (
            <p class="field__error">{typeof projectError === 'string' ? t(projectError) : t(projectError.key, projectError.values)}</p>
          );
          const details = (
            <>
              <bdi class="pb-project__title">{p.title}</bdi>
              <span class="pb-project__meta">
                <span class="pb-project__code">{t('budget.vote.ballot.project_code', { code: p.code })}</span>{' '}
                <span class="pb-project__cost">{money(p.costMillimes)}</span>
              </span>
            </>
          );
          const description = (
            <p class="pb-project__description" id={`${id}-description`} dir="auto">
              {p.description}
            </p>
          );
          if (model.type === 'approval' || model.type === 'knapsack') {
            return (
              <li class="pb-project choice">
                <input
                  type="checkbox"
                  id={id}
                  name="choice"
                  value={String(p.id)}
                  checked={chosen(state, p.id)}
                  data-cost={String(p.costMillimes)}
                  aria-describedby={`${id}-description`}
                />
                <label for={id}>{details}</label>
                {description}
                {problem}
              </li>
            );
          }
          if (model.type === 'cumulative') {
            return (
              <li class="pb-project pb-project--input">
                <label for={id}>{details}</label>
                {description}
                {problem}
                <input
                  class="field__input pb-project__points"
                  type="number"
                  id={id}
                  name={`points.${p.id}`}
                  min="0"
                  max={String(maxPoints)}
                  step="1"
                  inputMode="numeric"
                  value={valueOf(state, `points.${p.id}`)}
                  data-cost={String(p.costMillimes)}
                  aria-describedby={`${id}-description`}
                />
              </li>
            );
          }
          return (
            <li class="pb-project pb-project--input">
              <label for={id}>{details}</label>
              {description}
              {problem}
              <select class="field__input pb-project__rank" id={id} name={`rank.${p.id}`} data-cost={String(p.costMillimes)} aria-describedby={`${id}-description`}>
                <option value="">{t('budget.vote.ballot.not_ranked')}</option>
                {Array.from({ length: ranks }, (_, i) => String(i + 1)).map((r) => (
                  <option value={r} selected={valueOf(state, `rank.${p.id}`) === r}>
                    {t('budget.vote.ballot.rank', { rank: Number(r) })}
                  </option>
                ))}
              </select>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/**
 * The projects part of a ballot, envelope by envelope, with the texts the meter script needs
 * (templates with {placeholders}, filled in the browser; no inline script under the CSP).
 */
export function BallotChoices(props: { ctx: ViewContext; state: FormState; model: BallotModel }) {
  const { ctx, state, model } = props;
  const { t } = ctx;
  return (
    <div
      class="pb-ballot"
      data-pb-ballot=""
      data-locale={INTL_LOCALE[ctx.locale]}
      data-group={TND_GROUP[ctx.locale]}
      data-money={tndTemplate(ctx)}
      data-text-spent={t('budget.vote.meter.spent', { spent: '{spent}', budget: '{budget}' })}
      data-text-over={t('budget.vote.meter.over', { over: '{over}' })}
      data-text-left={t('budget.vote.meter.left', { left: '{left}' })}
      data-text-choices-left={t('budget.vote.meter.choices_left', { left: '{left}', max: '{max}' })}
      data-text-too-many={t('budget.vote.meter.too_many', { max: '{max}' })}
      data-text-points-left={t('budget.vote.meter.points_left', { left: '{left}', total: '{total}' })}
      data-text-too-many-points={t('budget.vote.meter.too_many_points', { total: '{total}' })}
    >
      <span id="field-choices" tabIndex={-1} />
      {model.envelopes.length === 0 ? (
        <p class="notice">{t('budget.vote.ballot.no_projects')}</p>
      ) : (
        model.envelopes.map((envelope) => <EnvelopeFieldset ctx={ctx} state={state} model={model} envelope={envelope} />)
      )}
    </div>
  );
}

/** The labels the error summary links with (field name → label). */
export function ballotLabels(ctx: ViewContext, model: BallotModel): Record<string, string> {
  const labels: Record<string, string> = {
    idNumber: ctx.t('budget.vote.ballot.id_number'),
    ageGroup: ctx.t('budget.vote.ballot.age_group'),
    gender: ctx.t('budget.vote.ballot.gender'),
    declaredEligible: ctx.t('budget.vote.ballot.declaration_label'),
    phone: ctx.t('budget.vote.phone.label'),
    code: ctx.t('budget.vote.code.label'),
    neighbourhoodId: ctx.t('budget.vote.residence.label'),
    choices: ctx.t('budget.vote.ballot.projects'),
    reason: ctx.t('budget.annul.reason'),
  };
  for (const e of model.envelopes) labels[`envelope_${e.id}`] = e.name;
  for (const e of model.envelopes) for (const p of e.projects) labels[`project_${p.id}`] = p.title;
  return labels;
}

function Steps(props: { ctx: ViewContext; current: 1 | 2 | 3 | 4 }) {
  const { t } = props.ctx;
  const steps = ['phone', 'code', 'residence', 'ballot'] as const;
  return (
    <ol class="pb-steps" aria-label={t('budget.vote.steps.label')}>
      {steps.map((s, i) => (
        <li aria-current={i + 1 === props.current ? 'step' : undefined}>
          <span class="pb-steps__number">{props.ctx.format.formatNumber(i + 1)}</span> {t(`budget.vote.steps.${s}`)}
        </li>
      ))}
    </ol>
  );
}

function VotePage(props: { ctx: ViewContext; cycle: CyclePageInfo; title: string; step?: 1 | 2 | 3 | 4; children: ComponentChildren }) {
  const { ctx, cycle } = props;
  return (
    <Layout ctx={ctx} title={props.title}>
      <p>
        <a href={href(ctx, `/budget/${cycle.slug}`)}>
          <bdi>{cycle.title}</bdi>
        </a>
      </p>
      <h1>{props.title}</h1>
      {props.step && <Steps ctx={ctx} current={props.step} />}
      {props.children}
    </Layout>
  );
}

export type VoteIntroModel = {
  cycle: CyclePageInfo;
  municipalityName: string;
  minAge: number;
  maxVotersPerPhone: number;
  online: boolean;
  counter: boolean;
  paper: boolean;
  closesAt: string;
};

/** /vote: what to bring, who may vote, the channels; then the phone form. */
export function VoteIntroPage(props: { ctx: ViewContext; model: VoteIntroModel; state: FormState }) {
  const { ctx, model, state } = props;
  const { t } = ctx;
  return (
    <VotePage ctx={ctx} cycle={model.cycle} title={t('budget.vote.intro.title')}>
      <p class="lead">{t('budget.vote.intro.closes', { date: ctx.format.formatDateTime(model.closesAt) })}</p>
      <section class="panel">
        <h2>{t('budget.vote.intro.who_title')}</h2>
        <ul class="plain-list">
          <li>
            {t('budget.vote.intro.who_age', { age: model.minAge })} {t('budget.vote.intro.who_residence', { municipality: model.municipalityName })}
          </li>
          <li>{t('budget.vote.intro.who_once')}</li>
        </ul>
        <h2>{t('budget.vote.intro.need_title')}</h2>
        <ul class="plain-list">
          {model.online && <li>{t('budget.vote.intro.need_phone', { max: model.maxVotersPerPhone })}</li>}
          <li>{t('budget.vote.intro.need_id')}</li>
        </ul>
        <h2>{t('budget.vote.intro.channels_title')}</h2>
        <ul class="plain-list">
          {model.online && <li>{t('budget.vote.intro.channel_online')}</li>}
          {model.counter && <li>{t('budget.vote.intro.channel_counter')}</li>}
          {model.paper && <li>{t('budget.vote.intro.channel_paper')}</li>}
        </ul>
        <p>{t('budget.vote.intro.secrecy')}</p>
      </section>
      {model.online ? (
        <>
          <h2 id="phone-step">{t('budget.vote.phone.title')}</h2>
          <Steps ctx={ctx} current={1} />
          <ErrorSummary ctx={ctx} errors={state.errors} labels={{ phone: t('budget.vote.phone.label') }} />
          <Form ctx={ctx} action={href(ctx, `/budget/${model.cycle.slug}/vote/phone`)}>
            <TextField
              ctx={ctx}
              state={state}
              name="phone"
              type="tel"
              label={t('budget.vote.phone.label')}
              hint={t('budget.vote.phone.hint')}
              required
              autocomplete="tel"
              inputMode="tel"
              dir="ltr"
              maxLength={30}
            />
            <SubmitButton>{t('budget.vote.phone.submit')}</SubmitButton>
          </Form>
        </>
      ) : (
        <p class="notice">{t('budget.vote.intro.no_online')}</p>
      )}
      <p>
        <a href={href(ctx, `/budget/${model.cycle.slug}/receipt`)}>{t('budget.vote.intro.check_receipt')}</a>
      </p>
    </VotePage>
  );
}

/** The SMS code step. */
export function VoteCodePage(props: { ctx: ViewContext; cycle: CyclePageInfo; state: FormState }) {
  const { ctx, cycle, state } = props;
  const { t } = ctx;
  return (
    <VotePage ctx={ctx} cycle={cycle} title={t('budget.vote.code.title')} step={2}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ code: t('budget.vote.code.label') }} />
      <p>{t('budget.vote.code.sent')}</p>
      <Form ctx={ctx} action={href(ctx, `/budget/${cycle.slug}/vote/code`)}>
        <TextField
          ctx={ctx}
          state={state}
          name="code"
          label={t('budget.vote.code.label')}
          hint={t('budget.vote.code.hint')}
          required
          inputMode="numeric"
          autocomplete="one-time-code"
          dir="ltr"
          maxLength={10}
        />
        <SubmitButton>{t('budget.vote.code.submit')}</SubmitButton>
      </Form>
      <p>
        <a href={href(ctx, `/budget/${cycle.slug}/vote#phone-step`)}>{t('budget.vote.code.resend')}</a>
      </p>
    </VotePage>
  );
}

/** The residence step: a GET form, so the ballot's address says which district's projects it shows. */
export function VoteResidencePage(props: { ctx: ViewContext; cycle: CyclePageInfo; neighbourhoods: { label: string; options: Option[] }[]; selected: string; error: boolean }) {
  const { ctx, cycle } = props;
  const { t } = ctx;
  return (
    <VotePage ctx={ctx} cycle={cycle} title={t('budget.vote.residence.title')} step={3}>
      {props.error && <ErrorSummary ctx={ctx} errors={{ neighbourhood: 'budget.vote.residence.required' }} labels={{ neighbourhood: t('budget.vote.residence.label') }} />}
      <p>{t('budget.vote.residence.intro')}</p>
      <form method="get" action={href(ctx, `/budget/${cycle.slug}/vote/ballot`)} class="form">
        <div class={props.error ? 'field field--error' : 'field'}>
          <label class="field__label" for="field-neighbourhood">
            {t('budget.vote.residence.label')}
          </label>
          <p class="field__hint" id="hint-neighbourhood">
            {t('budget.vote.residence.hint')}
          </p>
          <select class="field__input" id="field-neighbourhood" name="neighbourhood" required aria-describedby="hint-neighbourhood">
            <option value="">{t('form.choose')}</option>
            {props.neighbourhoods.map((group) => (
              <optgroup label={group.label}>
                {group.options.map((o) => (
                  <option value={o.value} selected={o.value === props.selected}>
                    {o.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        <button type="submit" class="button">
          {t('budget.vote.residence.submit')}
        </button>
      </form>
    </VotePage>
  );
}

export type BallotPageModel = {
  cycle: CyclePageInfo;
  neighbourhoodId: number;
  neighbourhoodName: string;
  municipalityName: string;
  minAge: number;
  ballot: BallotModel;
  meterScript: string;
};

/** The online ballot. */
export function VoteBallotPage(props: { ctx: ViewContext; model: BallotPageModel; state: FormState }) {
  const { ctx, model, state } = props;
  const { t } = ctx;
  return (
    <VotePage ctx={ctx} cycle={model.cycle} title={t('budget.vote.ballot.title')} step={4}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={ballotLabels(ctx, model.ballot)} />
      <p>
        {t('budget.vote.ballot.residence', { neighbourhood: model.neighbourhoodName })}{' '}
        <a href={href(ctx, `/budget/${model.cycle.slug}/vote/residence?neighbourhood=${model.neighbourhoodId}`)}>{t('budget.vote.ballot.change_residence')}</a>
      </p>
      <Form ctx={ctx} action={href(ctx, `/budget/${model.cycle.slug}/vote/ballot`)} class="form form--wide">
        <input type="hidden" name="neighbourhood" value={String(model.neighbourhoodId)} />
        <h2>{t('budget.vote.ballot.you')}</h2>
        <VoterFields
          ctx={ctx}
          state={state}
          declaration={t('budget.vote.ballot.declaration', { age: model.minAge, municipality: model.municipalityName })}
        />
        <h2>{t('budget.vote.ballot.projects')}</h2>
        <BallotChoices ctx={ctx} state={state} model={model.ballot} />
        <p class="field__hint">{t('budget.vote.ballot.final')}</p>
        <SubmitButton>{t('budget.vote.ballot.submit')}</SubmitButton>
      </Form>
      <script src={model.meterScript} defer />
    </VotePage>
  );
}

export type ReceiptChoiceView = { code: string; title: string; envelope: string; value: number };
export type ReceiptView = { code: string; channel: VotingChannel; choices: ReceiptChoiceView[]; type: BallotType };

/** The choices recorded on a ballot, as a list grouped by envelope. */
export function RecordedChoices(props: { ctx: ViewContext; receipt: ReceiptView }) {
  const { ctx, receipt } = props;
  const { t } = ctx;
  if (receipt.choices.length === 0) return <p>{t('budget.vote.receipt.no_choices')}</p>;
  const envelopes = [...new Set(receipt.choices.map((c) => c.envelope))];
  return (
    <>
      {envelopes.map((name) => (
        <section class="pb-recorded">
          <h3>
            <bdi>{name}</bdi>
          </h3>
          <ul class="plain-list">
            {receipt.choices
              .filter((c) => c.envelope === name)
              .map((c) => (
                <li>
                  <bdi>{c.title}</bdi> <span class="muted">({c.code})</span>
                  {receipt.type === 'cumulative' && <> — {t('budget.vote.receipt.points', { points: c.value })}</>}
                  {receipt.type === 'ranking' && <> — {t('budget.vote.ballot.rank', { rank: c.value })}</>}
                </li>
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}

/** What a receipt page says after voting, online or at the counter. */
export function ReceiptBody(props: { ctx: ViewContext; cycle: CyclePageInfo; receipt: ReceiptView; printHref: string; printView: boolean; script: string }) {
  const { ctx, cycle, receipt } = props;
  const { t } = ctx;
  return (
    <div class={props.printView ? 'pb-print-view' : undefined}>
      <div class="receipt pb-receipt">
        <p class="receipt__label">{t('budget.vote.receipt.code_label')}</p>
        <p class="receipt__number pb-receipt__code">
          <strong dir="ltr">{receipt.code}</strong>
        </p>
        <p>{t('budget.vote.receipt.keep')}</p>
      </div>
      <h2>{t('budget.vote.receipt.recorded')}</h2>
      <RecordedChoices ctx={ctx} receipt={receipt} />
      <h2>{t('budget.vote.receipt.check_title')}</h2>
      <p>
        {t('budget.vote.receipt.check_how')}{' '}
        <a href={href(ctx, `/budget/${cycle.slug}/receipt`)}>{t('budget.vote.receipt.check_link')}</a>
      </p>
      <p class="actions pb-no-print">
        {/* Without JavaScript: the receipt alone, to print from the browser's menu; with it, the print dialog. */}
        <a class="button button--secondary" href={props.printHref} data-pb-print="">
          {t('budget.vote.receipt.print')}
        </a>
      </p>
      <script src={props.script} defer />
    </div>
  );
}

/** After an online vote. `print` shows the page ready to print (the print dialog is the browser's). */
export function VoteReceiptPage(props: { ctx: ViewContext; cycle: CyclePageInfo; receipt: ReceiptView; printView: boolean; script: string }) {
  const { ctx, cycle, receipt } = props;
  const { t } = ctx;
  return (
    <VotePage ctx={ctx} cycle={cycle} title={t('budget.vote.receipt.title')}>
      <p class="flash" role="status">
        {t('budget.vote.receipt.thanks')}
      </p>
      <ReceiptBody
        ctx={ctx}
        cycle={cycle}
        receipt={receipt}
        printHref={href(ctx, `/budget/${cycle.slug}/vote/done?print=1`)}
        printView={props.printView}
        script={props.script}
      />
    </VotePage>
  );
}

export type ClosedModel = { cycle: CyclePageInfo; state: 'not_yet' | 'closed' | 'results'; opensAt: string; closesAt: string; counter: boolean };

/** Outside the voting phase. */
export function VoteClosedPage(props: { ctx: ViewContext; model: ClosedModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const dates = { opens: ctx.format.formatDateTime(model.opensAt), closes: ctx.format.formatDateTime(model.closesAt) };
  return (
    <VotePage ctx={ctx} cycle={model.cycle} title={t(`budget.vote.closed.title_${model.state}`)}>
      <p class="notice">{t(`budget.vote.closed.${model.state}`, dates)}</p>
      {model.state === 'not_yet' && model.counter && <p>{t('budget.vote.closed.counter_too')}</p>}
      {model.state === 'results' && (
        <p>
          <a href={href(ctx, `/budget/${model.cycle.slug}/results`)}>{t('budget.vote.closed.results_link')}</a>
        </p>
      )}
      {model.state !== 'not_yet' && (
        <p>
          <a href={href(ctx, `/budget/${model.cycle.slug}/receipt`)}>{t('budget.vote.intro.check_receipt')}</a>
        </p>
      )}
    </VotePage>
  );
}

export type ReceiptCheckModel = {
  cycle: CyclePageInfo;
  query: string;
  /** undefined: nothing asked yet; null: not found. */
  found: ReceiptView | null | undefined;
  invalid: boolean;
  published: boolean;
};

/** /receipt: is my ballot in the box? */
export function ReceiptCheckPage(props: { ctx: ViewContext; model: ReceiptCheckModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const errors: FieldErrors = model.invalid ? { code: 'budget.vote.check.invalid' } : {};
  return (
    <VotePage ctx={ctx} cycle={model.cycle} title={t('budget.vote.check.title')}>
      <p>{t('budget.vote.check.intro')}</p>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ code: t('budget.vote.check.label') }} />
      {/* Posted, not in the URL: a receipt code in a URL stays in the browser's history and in
          every access log on the way, beside the visitor's address. */}
      <Form ctx={ctx} action={href(ctx, `/budget/${model.cycle.slug}/receipt`)}>
        <TextField
          ctx={ctx}
          state={{ values: { code: model.query }, errors }}
          name="code"
          label={t('budget.vote.check.label')}
          hint={t('budget.vote.check.hint')}
          required
          autocomplete="off"
          dir="ltr"
          maxLength={40}
        />
        <button type="submit" class="button">
          {t('budget.vote.check.submit')}
        </button>
      </Form>
      {model.found === null && !model.invalid && (
        <div class="notice notice--late" role="status">
          <p>{t('budget.vote.check.not_found', { code: model.query })}</p>
          <p>
            {t('budget.vote.check.not_found_annulled')} <a href={href(ctx, `/budget/${model.cycle.slug}/results#annulments`)}>{t('budget.vote.check.annulments_link')}</a>
          </p>
        </div>
      )}
      {model.found && (
        <section class="pb-check-result panel" role="status">
          <h2>{t('budget.vote.check.found', { code: model.found.code })}</h2>
          <p>{t('budget.vote.check.channel', { channel: t(`budget.vote.channel.${model.found.channel}`) })}</p>
          <RecordedChoices ctx={ctx} receipt={model.found} />
          {model.published && (
            <p>
              {t('budget.vote.check.published')} <a href={href(ctx, `/budget/${model.cycle.slug}/results`)}>{t('budget.vote.closed.results_link')}</a>
            </p>
          )}
        </section>
      )}
    </VotePage>
  );
}
