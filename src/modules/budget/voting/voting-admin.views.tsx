// Back office pages of the vote: the counter (staff who checked an ID card enter the citizen's
// ballot, or hand them a paper ballot), the printable counter receipt, the fraud signals report
// and the annulments (a reasoned, confirmed, audited staff action).
import type { FormState } from '../../../http/forms.ts';
import { ErrorSummary, Form, SubmitButton, TextArea, TextField } from '../../../ui/forms.tsx';
import { href, type ViewContext } from '../../../ui/view-context.ts';
import { AdminPage, DateTime } from '../../admin/admin.views.tsx';
import type { AdminFrame } from '../../admin/admin-http.ts';
import { ColumnChart } from '../../complaints/charts.tsx';
import { BallotChoices, type BallotModel, ballotLabels, type CyclePageInfo, type Option, ReceiptBody, type ReceiptView, VoterFields } from './voting.views.tsx';

export type NeighbourhoodGroup = { label: string; options: Option[] };

export type CounterModel = {
  cycleId: number;
  cycleTitle: string;
  open: boolean;
  counter: boolean;
  paper: boolean;
  neighbourhoods: NeighbourhoodGroup[];
  neighbourhoodId: number | null;
  neighbourhoodName: string;
  ballot: BallotModel | null;
  meterScript: string;
};

function NeighbourhoodSelect(props: { ctx: ViewContext; groups: NeighbourhoodGroup[]; selected: string; hint: string }) {
  const { t } = props.ctx;
  return (
    <div class="field">
      <label class="field__label" for="field-neighbourhood">
        {t('budget.vote.residence.label')}
      </label>
      <p class="field__hint" id="hint-neighbourhood">
        {props.hint}
      </p>
      <select class="field__input" id="field-neighbourhood" name="neighbourhood" required aria-describedby="hint-neighbourhood">
        <option value="">{t('form.choose')}</option>
        {props.groups.map((group) => (
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
  );
}

/** /admin/budget/:cycleId/counter */
export function CounterPage(props: { frame: AdminFrame; model: CounterModel; state: FormState }) {
  const { frame, model, state } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const base = `/admin/budget/${model.cycleId}/counter`;
  const labels = ballotLabels(ctx, model.ballot ?? { type: 'approval', minChoices: 0, maxChoices: null, totalPoints: null, maxPointsPerProject: null, envelopes: [] });
  return (
    <AdminPage frame={frame} title={t('budget.counter.title')} back={{ path: `/admin/budget/${model.cycleId}`, label: model.cycleTitle }}>
      {!model.open && <p class="notice">{t('budget.counter.not_open')}</p>}
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <ol class="plain-list">
        <li>{t('budget.counter.step_card')}</li>
        <li>{t('budget.counter.step_residence')}</li>
        <li>{t('budget.counter.step_enter')}</li>
      </ol>
      <form method="get" action={href(ctx, base)} class="filters">
        <NeighbourhoodSelect ctx={ctx} groups={model.neighbourhoods} selected={model.neighbourhoodId ? String(model.neighbourhoodId) : ''} hint={t('budget.counter.neighbourhood_hint')} />
        <button type="submit" class="button button--secondary">
          {t(model.neighbourhoodId ? 'budget.counter.change_neighbourhood' : 'budget.counter.choose_neighbourhood')}
        </button>
      </form>
      {model.ballot && model.neighbourhoodId !== null && (
        <Form ctx={ctx} action={href(ctx, base)} class="form form--wide">
          <input type="hidden" name="neighbourhood" value={String(model.neighbourhoodId)} />
          <p>
            <strong>{t('budget.vote.ballot.residence', { neighbourhood: model.neighbourhoodName })}</strong>
          </p>
          <h2>{t('budget.counter.voter')}</h2>
          <VoterFields ctx={ctx} state={state} staff />
          {model.counter && model.paper && (
            <p>
              <a href="#paper">{t('budget.counter.paper_jump')}</a>
            </p>
          )}
          {model.counter && (
            <section>
              <h2>{t('budget.counter.ballot_title')}</h2>
              <p class="field__hint">{t('budget.counter.ballot_hint')}</p>
              <BallotChoices ctx={ctx} state={state} model={model.ballot} />
              <SubmitButton name="intent" value="ballot">
                {t('budget.counter.submit_ballot')}
              </SubmitButton>
            </section>
          )}
          {model.paper && (
            <section class="panel" id="paper">
              <h2>{t('budget.counter.paper_title')}</h2>
              <p>{t('budget.counter.paper_hint')}</p>
              <SubmitButton name="intent" value="paper" secondary>
                {t('budget.counter.submit_paper')}
              </SubmitButton>
            </section>
          )}
        </Form>
      )}
      {model.ballot && <script src={model.meterScript} defer />}
    </AdminPage>
  );
}

/** The receipt printed for a citizen who voted at the counter. */
export function CounterReceiptPage(props: { frame: AdminFrame; cycleId: number; cycle: CyclePageInfo; receipt: ReceiptView; printView: boolean; script: string }) {
  const { frame, cycle, receipt } = props;
  const { ctx } = frame;
  const { t } = ctx;
  return (
    <AdminPage frame={frame} title={t('budget.counter.receipt_title')} back={{ path: `/admin/budget/${props.cycleId}/counter`, label: t('budget.counter.next_voter') }}>
      <p class="flash" role="status">
        {t('budget.counter.recorded')}
      </p>
      <ReceiptBody
        ctx={ctx}
        cycle={cycle}
        receipt={receipt}
        printHref={href(ctx, `/admin/budget/${props.cycleId}/counter/receipt?print=1`)}
        printView={props.printView}
        script={props.script}
      />
      <p class="pb-no-print">
        <a class="button" href={href(ctx, `/admin/budget/${props.cycleId}/counter`)}>
          {t('budget.counter.next_voter')}
        </a>
      </p>
    </AdminPage>
  );
}

export type SignalRow = {
  /** What the signal is about: a local hour, a day, or the start of a keyed hash (IP, phone). */
  label: string;
  /** The local hour of a per-address burst, as the table writes it. */
  when: string | null;
  count: number;
  /** The participations an annulment would take; empty when the signal names none. */
  participationIds: number[];
  /** At or above the report's threshold. */
  flagged?: boolean;
  /** Night participations: their share of the day's. */
  share?: number;
};

export type SignalSection = {
  key: string;
  rows: SignalRow[];
  /** Entries below the threshold, counted rather than listed. */
  belowCount?: number;
};

export type SignalsModel = {
  cycleId: number;
  cycleTitle: string;
  total: number;
  median: number;
  perHour: { hour: string; count: number }[];
  sections: SignalSection[];
  canAnnul: boolean;
};

function AnnulForm(props: { ctx: ViewContext; cycleId: number; ids: number[]; count: number; label: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <form method="post" action={href(ctx, `/admin/budget/${props.cycleId}/annulments`)} class="inline-form">
      <input type="hidden" name="_csrf" value={ctx.csrfToken} />
      <input type="hidden" name="participations" value={props.ids.join(' ')} />
      <input type="hidden" name="about" value={props.label} />
      <button type="submit" class="button button--secondary">
        {t('budget.signals.propose', { count: props.count })}
      </button>
    </form>
  );
}

/** /admin/budget/:cycleId/signals */
export function SignalsPage(props: { frame: AdminFrame; model: SignalsModel }) {
  const { frame, model } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const hourLabel = (text: string) => text.slice(11, 13);
  return (
    <AdminPage frame={frame} title={t('budget.signals.title')} back={{ path: `/admin/budget/${model.cycleId}`, label: model.cycleTitle }}>
      <p>{t('budget.signals.intro')}</p>
      <p>
        {t('budget.signals.total', { count: model.total })} {t('budget.signals.median', { median: ctx.format.formatNumber(model.median) })}
      </p>
      <p>
        <a href={href(ctx, `/admin/budget/${model.cycleId}/annulments`)}>{t('budget.annul.list_title')}</a>
      </p>
      <h2>{t('budget.signals.per_hour')}</h2>
      {model.perHour.length === 0 ? (
        <p class="muted">{t('budget.signals.none')}</p>
      ) : (
        <>
          <ColumnChart
            title={t('budget.signals.per_hour')}
            items={model.perHour.map((h, i) => ({
              label: hourLabel(h.hour),
              // The day under its first hour only (and under the first column), "03-14".
              group: i === 0 || h.hour.slice(0, 10) !== model.perHour[i - 1]!.hour.slice(0, 10) ? h.hour.slice(5, 10) : undefined,
              value: h.count,
            }))}
            formatNumber={(n) => ctx.format.formatNumber(n)}
          />
          <details>
            <summary>{t('budget.signals.data_table')}</summary>
            <div class="table-wrap" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('budget.signals.hour')}</th>
                    <th scope="col">{t('budget.signals.participations')}</th>
                  </tr>
                </thead>
                <tbody>
                  {model.perHour.map((h) => (
                    <tr>
                      <td dir="ltr">{h.hour}</td>
                      <td>{ctx.format.formatNumber(h.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      {model.sections.map((section) => {
        const withHour = section.rows.some((r) => r.when !== null);
        return (
          <section>
            <h2>{t(`budget.signals.section.${section.key}`)}</h2>
            <p class="field__hint">{t(`budget.signals.section.${section.key}_hint`)}</p>
            {section.rows.length === 0 ? (
              <p class="muted">{t('budget.signals.none')}</p>
            ) : (
              <div class="table-wrap" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('budget.signals.about')}</th>
                      {withHour && <th scope="col">{t('budget.signals.hour')}</th>}
                      <th scope="col">{t('budget.signals.participations')}</th>
                      {model.canAnnul && <th scope="col">{t('budget.signals.action')}</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {section.rows.map((row) => (
                      <tr>
                        <td class="pb-signal-key" dir="ltr">
                          {row.label}
                        </td>
                        {withHour && <td dir="ltr">{row.when}</td>}
                        <td>
                          {ctx.format.formatNumber(row.count)}
                          {row.share !== undefined && <> ({ctx.format.formatNumber(row.share, { style: 'percent', maximumFractionDigits: 0 })})</>}
                        </td>
                        {model.canAnnul && (
                          <td>
                            {row.participationIds.length > 0 && (
                              <AnnulForm ctx={ctx} cycleId={model.cycleId} ids={row.participationIds} count={row.participationIds.length} label={row.label} />
                            )}
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {section.belowCount ? <p class="muted">{t('budget.signals.below_count', { count: section.belowCount })}</p> : null}
          </section>
        );
      })}
    </AdminPage>
  );
}

/** The confirm step of an annulment: the reason (required, public) and the count. */
export function AnnulConfirmPage(props: { frame: AdminFrame; cycleId: number; cycleTitle: string; ids: number[]; about: string; state: FormState }) {
  const { frame, state } = props;
  const { ctx } = frame;
  const { t } = ctx;
  return (
    <AdminPage frame={frame} title={t('budget.annul.confirm_title')} back={{ path: `/admin/budget/${props.cycleId}/signals`, label: t('budget.signals.title') }}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ reason: t('budget.annul.reason') }} />
      <p class="notice">{t('budget.annul.confirm_intro', { count: props.ids.length })}</p>
      {props.about && (
        <p>
          {t('budget.annul.about')} <bdi class="mono">{props.about}</bdi>
        </p>
      )}
      <Form ctx={ctx} action={href(ctx, `/admin/budget/${props.cycleId}/annulments`)}>
        <input type="hidden" name="participations" value={props.ids.join(' ')} />
        <input type="hidden" name="about" value={props.about} />
        <input type="hidden" name="confirm" value="yes" />
        <TextArea ctx={ctx} state={state} name="reason" label={t('budget.annul.reason')} hint={t('budget.annul.reason_hint')} required maxLength={2000} rows={4} />
        <div class="actions">
          <button type="submit" class="button button--danger">
            {t('budget.annul.submit', { count: props.ids.length })}
          </button>
          <a href={href(ctx, `/admin/budget/${props.cycleId}/signals`)}>{t('budget.annul.cancel')}</a>
        </div>
      </Form>
    </AdminPage>
  );
}

export type AnnulmentRow = { id: number; reason: string; count: number; by: string | null; at: string };

/** /admin/budget/:cycleId/annulments */
export function AnnulmentsPage(props: {
  frame: AdminFrame;
  cycleId: number;
  cycleTitle: string;
  rows: AnnulmentRow[];
  /** The card lookup is for those who may annul. */
  canAnnul: boolean;
  cardState: FormState;
}) {
  const { frame, rows } = props;
  const { ctx } = frame;
  const { t } = ctx;
  return (
    <AdminPage frame={frame} title={t('budget.annul.list_title')} back={{ path: `/admin/budget/${props.cycleId}`, label: props.cycleTitle }}>
      <p>{t('budget.annul.list_intro')}</p>
      <p>
        <a href={href(ctx, `/admin/budget/${props.cycleId}/signals`)}>{t('budget.signals.title')}</a>
      </p>
      {props.canAnnul && (
        <section aria-labelledby="pb-card-lookup">
          <h2 id="pb-card-lookup">{t('budget.annul.card_title')}</h2>
          <p>{t('budget.annul.card_intro')}</p>
          <ErrorSummary ctx={ctx} errors={props.cardState.errors} labels={{ idNumber: t('budget.annul.card_field') }} />
          <Form ctx={ctx} action={href(ctx, `/admin/budget/${props.cycleId}/annulments/by-card`)}>
            <TextField ctx={ctx} state={props.cardState} name="idNumber" label={t('budget.annul.card_field')} inputMode="numeric" autocomplete="off" maxLength={20} dir="ltr" required />
            <SubmitButton>{t('budget.annul.card_submit')}</SubmitButton>
          </Form>
        </section>
      )}
      {rows.length === 0 ? (
        <p class="muted">{t('budget.annul.none')}</p>
      ) : (
        <ul class="cards pb-annulments">
          {rows.map((r) => (
            <li class="card">
              <p>
                <strong>
                  <bdi>{r.reason}</bdi>
                </strong>
              </p>
              <dl class="pb-facts">
                <dt>{t('budget.signals.participations')}</dt>
                <dd>{ctx.format.formatNumber(r.count)}</dd>
                <dt>{t('budget.annul.when')}</dt>
                <dd>
                  <DateTime ctx={ctx} iso={r.at} />
                </dd>
                <dt>{t('budget.annul.who')}</dt>
                <dd>{r.by ? <bdi>{r.by}</bdi> : <span class="muted">{t('form.none')}</span>}</dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </AdminPage>
  );
}
