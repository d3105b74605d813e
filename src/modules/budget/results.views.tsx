// Results pages: the public summary of a cycle, the page of one envelope (selected projects,
// the rule in plain words, why each project was or was not selected, turnout, downloads), and
// the staff preview with the publish button.
import type { FormState } from '../../http/forms.ts';
import { localName } from '../../i18n/i18n.ts';
import { CheckboxField, ErrorSummary, Form, SubmitButton } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { AdminPage } from '../admin/admin.views.tsx';
import type { AdminFrame } from '../admin/admin-http.ts';
import { formatTnd, formatTndValue } from './money.ts';
import type { PbCycleRow, PbEnvelopeRow } from './budget.table.ts';
import type { Phase } from './budget.ts';
import { pbFileName } from './cycle-pabulib.ts';
import { TurnoutFigure, type TurnoutBar } from './results-charts.tsx';
import {
  type EnvelopeOutcome,
  leftMillimes,
  type ProjectOutcome,
  type PublicEnvelopeResults,
  type PublicResults,
  type ResultsPreview,
  type Turnout,
  type TurnoutItem,
} from './results.service.ts';

// ---------------------------------------------------------------------------------------------
// Small pieces

function cycleTitle(ctx: ViewContext, cycle: PbCycleRow): string {
  return cycle[`title_${ctx.locale}`] || cycle.title_fr || cycle.title_ar;
}

function envelopeName(ctx: ViewContext, envelope: PbEnvelopeRow): string {
  return localName(envelope, ctx.locale);
}

/** Millimes as TND, as every budget page writes them. */
const money = formatTnd;

/** An exact amount in TND as the outcome rules write it ("40000", "12.5" or "n/d"), to the millime. */
function moneyText(ctx: ViewContext, text: string): string {
  const [n, d] = text.split('/');
  const value = d === undefined ? Number(n) : Number(n) / Number(d);
  return formatTndValue(ctx, value);
}

/** A word quoted for a POSIX shell, so a command can be copied as it is. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A translated sentence with a piece of code where `{command}` goes. */
function WithCode(props: { text: (marker: string) => string; code: string }) {
  const marker = '\u0000';
  const [before, after = ''] = props.text(marker).split(marker);
  return (
    <>
      {before}
      <code dir="ltr">{props.code}</code>
      {after}
    </>
  );
}

function KeyFigure(props: { label: string; value: string }) {
  return (
    <li class="key-figure">
      <span class="key-figure__value">{props.value}</span>
      <span class="key-figure__label">{props.label}</span>
    </li>
  );
}

function NotPublished(props: { ctx: ViewContext; phase: Phase }) {
  const { t } = props.ctx;
  return (
    <div class="panel" role="status">
      <p>
        <strong>{t('budget.results.not_published')}</strong>
      </p>
      <p>{t(props.phase === 'counting' ? 'budget.results.not_published.counting' : 'budget.results.not_published.before')}</p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// One envelope's outcome (public page and staff preview)

function reasonLines(ctx: ViewContext, project: ProjectOutcome): string[] {
  const { t } = ctx;
  const reason = project.reason;
  if (!reason) return [];
  const cost = money(ctx, project.costMillimes);
  switch (reason.kind) {
    case 'greedy': {
      const key = `budget.results.reason.${reason.completion ? 'completion' : 'greedy'}_${reason.selected ? 'selected' : 'not_fit'}`;
      return [t(key, { position: reason.position, left: moneyText(ctx, reason.leftBefore), after: moneyText(ctx, reason.leftAfter), cost })];
    }
    case 'mes_round':
      return [
        t('budget.results.reason.mes_round', { round: reason.round, rho: ctx.format.formatNumber(Number(reason.rhoDecimal), { maximumSignificantDigits: 6 }) }),
        ...reason.payments.map((p) =>
          p.kind === 'full_share'
            ? t('budget.results.reason.pay_full', { voters: p.voters, paid: moneyText(ctx, p.paidEachDecimal) })
            : p.kind === 'whole_remaining_budget'
              ? t('budget.results.reason.pay_rest', { voters: p.voters, total: moneyText(ctx, p.paidTotalDecimal) })
              : t('budget.results.reason.pay_nothing', { voters: p.voters }),
        ),
      ];
    case 'mes_free':
      return [t('budget.results.reason.mes_free')];
    case 'mes_no_support':
      return [t('budget.results.reason.mes_no_support')];
    case 'mes_too_expensive':
    case 'mes_spent':
      return [
        t(`budget.results.reason.${reason.kind}`, {
          supporters: reason.supporters,
          money: moneyText(ctx, reason.theirMoney),
          budget: moneyText(ctx, reason.perVoterBudget),
          cost,
        }),
      ];
  }
}

function ruleParagraphs(ctx: ViewContext, result: EnvelopeOutcome) {
  const { t } = ctx;
  const tie = result.outcome.tieBreaking;
  const per = result.perVoterBudget;
  return (
    <>
      <p>{t(`budget.results.rule.${result.outcome.rule}`)}</p>
      <p>
        {tie.kind === 'equalshares' ? (
          <WithCode text={(command) => t('budget.results.tie.equalshares', { seed: tie.lotSeed, command })} code={`printf '%s\\0%s' ${shellQuote(tie.lotSeed)} CODE | sha256sum`} />
        ) : (
          t('budget.results.tie.project_id')
        )}
      </p>
      {per && (
        <p>
          {per.raises === null
            ? t('budget.results.per_voter', { budget: moneyText(ctx, per.decimal) })
            : t('budget.results.per_voter_add1', {
                budget: moneyText(ctx, per.decimal),
                raises: per.raises,
                why: t(`budget.results.add1.${per.stoppedBecause === 'over_budget' ? 'over_budget' : 'exhaustive'}`),
              })}
        </p>
      )}
      <p class="muted">{t('budget.results.rule_used', { rule: result.outcome.rule })}</p>
    </>
  );
}

function SelectedTable(props: { ctx: ViewContext; result: EnvelopeOutcome; projectHref?: (code: string) => string }) {
  const { ctx, result } = props;
  const { t } = ctx;
  const selected = result.projects.filter((p) => p.selected);
  if (selected.length === 0) return <p>{t('budget.results.no_selected')}</p>;
  const points = selected.some((p) => p.score !== null);
  return (
    <div class="table-wrap" role="region" aria-label={t('budget.results.selected_projects')} tabIndex={0}>
      <table class="stats-table results-table">
        <caption class="visually-hidden">{t('budget.results.selected_projects')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('budget.results.col.code')}</th>
            <th scope="col">{t('budget.results.col.project')}</th>
            <th scope="col">{t('budget.results.col.cost')}</th>
            <th scope="col">{t('budget.results.col.votes')}</th>
            {points && <th scope="col">{t('budget.results.col.score')}</th>}
          </tr>
        </thead>
        <tbody>
          {selected.map((p) => (
            <tr>
              <td>
                <bdi>{p.code}</bdi>
              </td>
              <th scope="row">{props.projectHref ? <a href={props.projectHref(p.code)}><bdi>{p.title}</bdi></a> : <bdi>{p.title}</bdi>}</th>
              <td class="num">{money(ctx, p.costMillimes)}</td>
              <td class="num">{ctx.format.formatNumber(p.votes)}</td>
              {points && <td class="num">{p.score === null ? '—' : ctx.format.formatNumber(p.score)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EnvelopeOutcomeBody(props: { ctx: ViewContext; cycle: PbCycleRow; result: EnvelopeOutcome; headingLevel: 2 | 3; projectHref?: (code: string) => string }) {
  const { ctx, result } = props;
  const { t } = ctx;
  const H = props.headingLevel === 2 ? 'h2' : 'h3';
  const id = `envelope-${result.envelope.id}`;
  return (
    <>
      <ul class="key-figures">
        <KeyFigure label={t('budget.results.key.budget')} value={money(ctx, result.envelope.budget_millimes)} />
        <KeyFigure label={t('budget.results.key.ballots')} value={ctx.format.formatNumber(result.outcome.ballotCount)} />
        <KeyFigure label={t('budget.results.key.spent')} value={money(ctx, result.totalCostMillimes)} />
        <KeyFigure label={t('budget.results.key.left')} value={money(ctx, leftMillimes(result))} />
      </ul>
      <H id={`${id}-selected`}>{t('budget.results.selected_projects')}</H>
      <SelectedTable ctx={ctx} result={result} projectHref={props.projectHref} />
      <H id={`${id}-how`}>{t('budget.results.how')}</H>
      {ruleParagraphs(ctx, result)}
      <H id={`${id}-why`}>{t('budget.results.why')}</H>
      <p class="muted">{t('budget.results.why_intro')}</p>
      <ol class="results-why">
        {result.projects.map((p) => (
          <li class={p.selected ? 'results-why__item results-why__item--selected' : 'results-why__item'}>
            <p class="results-why__title">
              <span class={p.selected ? 'badge badge--selected' : 'badge badge--muted'}>{t(p.selected ? 'budget.results.selected_badge' : 'budget.results.not_selected_badge')}</span>{' '}
              <strong>
                <bdi>{p.title}</bdi>
              </strong>
            </p>
            <p class="muted">{t('budget.results.project_votes', { code: p.code, votes: p.votes, cost: money(ctx, p.costMillimes) })}</p>
            {reasonLines(ctx, p).map((line) => (
              <p>{line}</p>
            ))}
          </li>
        ))}
      </ol>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Turnout

function turnoutLabel(ctx: ViewContext, dimension: 'channel' | 'gender' | 'age' | 'area', item: TurnoutItem): string {
  if (item.key === 'unknown') return ctx.t('budget.results.unknown');
  if (dimension === 'area') return item.label ? localName({ name_ar: item.label.ar, name_fr: item.label.fr, name_en: item.label.en }, ctx.locale) : item.key;
  if (dimension === 'age') return ctx.t(`budget.results.age.${item.key.replace('-', '_').replace('+', '_plus')}`);
  return ctx.t(`budget.results.${dimension}.${item.key}`);
}

function TurnoutSection(props: { ctx: ViewContext; turnout: Turnout; registerless: boolean; areaNote: boolean }) {
  const { ctx, turnout } = props;
  const { t } = ctx;
  const bars = (dimension: 'channel' | 'gender' | 'age' | 'area', items: TurnoutItem[]): TurnoutBar[] =>
    items.map((item) => ({ label: turnoutLabel(ctx, dimension, item), count: item.count }));
  return (
    <section aria-labelledby="turnout">
      <h2 id="turnout">{t('budget.results.turnout')}</h2>
      {props.registerless ? (
        <p class="panel">{t('budget.results.turnout.registerless')}</p>
      ) : (
        <>
          <p class="lead">{t('budget.results.turnout.total', { count: ctx.format.formatNumber(turnout.total) })}</p>
          {props.areaNote && <p class="muted">{t('budget.results.turnout.area_note')}</p>}
          <p class="muted">{t('budget.results.turnout.paper_note')}</p>
          <TurnoutFigure ctx={ctx} id="turnout-channel" title={t('budget.results.turnout.channel')} bars={bars('channel', turnout.channel)} total={turnout.total} />
          {turnout.arrondissement.length > 0 && (
            <TurnoutFigure ctx={ctx} id="turnout-arrondissement" title={t('budget.results.turnout.arrondissement')} bars={bars('area', turnout.arrondissement)} total={turnout.total} />
          )}
          {turnout.neighbourhood.length > 0 && (
            <TurnoutFigure ctx={ctx} id="turnout-neighbourhood" title={t('budget.results.turnout.neighbourhood')} bars={bars('area', turnout.neighbourhood)} total={turnout.total} />
          )}
          <TurnoutFigure ctx={ctx} id="turnout-gender" title={t('budget.results.turnout.gender')} bars={bars('gender', turnout.gender)} total={turnout.total} />
          <TurnoutFigure ctx={ctx} id="turnout-age" title={t('budget.results.turnout.age')} bars={bars('age', turnout.age)} total={turnout.total} />
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Public pages

function resultsPath(cycle: PbCycleRow, envelopeId?: number, extension?: 'pb' | 'csv'): string {
  const base = `/budget/${encodeURIComponent(cycle.slug)}/results`;
  if (envelopeId === undefined) return base;
  return `${base}/${envelopeId}${extension ? `.${extension}` : ''}`;
}

export function PublicResultsPage(props: { ctx: ViewContext; model: PublicResults }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const title = t('budget.results.title', { cycle: cycleTitle(ctx, model.cycle) });
  return (
    <Layout ctx={ctx} title={title} wide>
      <p>
        <a href={href(ctx, `/budget/${encodeURIComponent(model.cycle.slug)}`)}>{t('budget.results.back_to_cycle')}</a>
      </p>
      <h1>{title}</h1>
      {!model.published ? (
        <NotPublished ctx={ctx} phase={model.phase} />
      ) : (
        <>
          <p class="lead">{t('budget.results.published_on', { date: ctx.format.formatDate(model.cycle.results_published_at!) })}</p>
          <section aria-labelledby="envelopes">
            <h2 id="envelopes">{t('budget.results.envelopes')}</h2>
            <div class="table-wrap" role="region" aria-label={t('budget.results.envelopes')} tabIndex={0}>
              <table class="stats-table results-table">
                <caption class="visually-hidden">{t('budget.results.envelopes')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('budget.results.col.envelope')}</th>
                    <th scope="col">{t('budget.results.col.budget')}</th>
                    <th scope="col">{t('budget.results.col.ballots')}</th>
                    <th scope="col">{t('budget.results.col.selected')}</th>
                    <th scope="col">{t('budget.results.col.selected_cost')}</th>
                  </tr>
                </thead>
                <tbody>
                  {model.envelopes.map((e) => (
                    <tr>
                      <th scope="row">
                        <a href={href(ctx, resultsPath(model.cycle, e.envelope.id))}>
                          <bdi>{envelopeName(ctx, e.envelope)}</bdi>
                        </a>
                      </th>
                      <td class="num">{money(ctx, e.envelope.budget_millimes)}</td>
                      <td class="num">{ctx.format.formatNumber(e.ballots)}</td>
                      <td class="num">{ctx.format.formatNumber(e.selectedCount)}</td>
                      <td class="num">{money(ctx, e.selectedCostMillimes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ul class="plain-list">
              {model.envelopes.map((e) => (
                <li>
                  <a href={href(ctx, resultsPath(model.cycle, e.envelope.id))}>{t('budget.results.details_of', { envelope: envelopeName(ctx, e.envelope) })}</a>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="annulments">
            <h2 id="annulments">{t('budget.results.annulments')}</h2>
            {model.annulments.length === 0 ? (
              <p>{t('budget.results.annulments.none')}</p>
            ) : (
              <>
                <p>{t('budget.results.annulments.intro')}</p>
                <ul class="plain-list">
                  {model.annulments.map((a) => (
                    <li>
                      <bdi>{t('budget.results.annulments.item', { reason: a.reason, count: a.count, date: ctx.format.formatDate(a.decidedAt) })}</bdi>
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>{t('budget.results.uncounted')}</h3>
            <ul class="plain-list">
              <li>{t('budget.results.uncounted.invalid', { count: ctx.format.formatNumber(model.uncounted.invalid) })}</li>
              <li>{t('budget.results.uncounted.annulled', { count: ctx.format.formatNumber(model.uncounted.annulled) })}</li>
            </ul>
          </section>
          <TurnoutSection ctx={ctx} turnout={model.turnout} registerless={model.registerless} areaNote={false} />
        </>
      )}
    </Layout>
  );
}

function Downloads(props: { ctx: ViewContext; cycle: PbCycleRow; result: EnvelopeOutcome }) {
  const { ctx, cycle, result } = props;
  const { t } = ctx;
  const id = result.envelope.id;
  const tie = result.outcome.tieBreaking;
  const command = `twiza pb tally ${pbFileName(cycle, id)} --rule ${result.outcome.rule}${tie.kind === 'equalshares' ? ` --tie-breaking equalshares --lot-seed ${shellQuote(tie.lotSeed)}` : ''}`;
  return (
    <section aria-labelledby="downloads">
      <h2 id="downloads">{t('budget.results.downloads')}</h2>
      <p>{t('budget.results.downloads_intro')}</p>
      <ul class="plain-list">
        <li>
          <a href={href(ctx, resultsPath(cycle, id, 'pb'))} download={pbFileName(cycle, id)}>
            {t('budget.results.download_pb')}
          </a>
        </li>
        <li>
          <a href={href(ctx, resultsPath(cycle, id, 'csv'))} download={pbFileName(cycle, id, 'csv')}>
            {t('budget.results.download_csv')}
          </a>
        </li>
      </ul>
      <p>
        {t('budget.results.sha256')} <code dir="ltr" class="results-hash">{result.pbSha256}</code>
      </p>
      <p>
        <WithCode text={(marker) => t('budget.results.recompute', { command: marker })} code={command} />
      </p>
    </section>
  );
}

export function EnvelopeResultsPage(props: { ctx: ViewContext; model: PublicEnvelopeResults; envelope?: PbEnvelopeRow }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const title = model.published
    ? t('budget.results.envelope_title', { envelope: envelopeName(ctx, model.result.envelope) })
    : t('budget.results.title', { cycle: cycleTitle(ctx, model.cycle) });
  return (
    <Layout ctx={ctx} title={title} wide>
      <p>
        <a href={href(ctx, resultsPath(model.cycle))}>{t('budget.results.back_to_results')}</a>
      </p>
      <h1>{title}</h1>
      {!model.published ? (
        <NotPublished ctx={ctx} phase={model.phase} />
      ) : (
        <>
          <p class="lead">
            <bdi>{cycleTitle(ctx, model.cycle)}</bdi> · {t('budget.results.published_on', { date: ctx.format.formatDate(model.cycle.results_published_at!) })}
          </p>
          <EnvelopeOutcomeBody
            ctx={ctx}
            cycle={model.cycle}
            result={model.result}
            headingLevel={2}
            projectHref={(code) => href(ctx, `/budget/${encodeURIComponent(model.cycle.slug)}/projects/${encodeURIComponent(code)}`)}
          />
          <Downloads ctx={ctx} cycle={model.cycle} result={model.result} />
          <TurnoutSection ctx={ctx} turnout={model.turnout} registerless={model.registerless} areaNote={model.result.envelope.scope !== 'city'} />
          {model.otherEnvelopes.length > 0 && (
            <section aria-labelledby="other-envelopes">
              <h2 id="other-envelopes">{t('budget.results.other_envelopes')}</h2>
              <ul class="plain-list">
                {model.otherEnvelopes.map((e) => (
                  <li>
                    <a href={href(ctx, resultsPath(model.cycle, e.id))}>
                      <bdi>{envelopeName(ctx, e)}</bdi>
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Staff preview

export function AdminResultsPage(props: { frame: AdminFrame; preview: ResultsPreview; state: FormState }) {
  const { frame, preview, state } = props;
  const { ctx } = frame;
  const { t } = ctx;
  const { cycle, check } = preview;
  return (
    <AdminPage frame={frame} title={t('budget.results.admin.title', { cycle: cycleTitle(ctx, cycle) })} back={{ path: `/admin/budget/${cycle.id}`, label: t('budget.results.admin.back') }}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ confirm: t('budget.results.admin.confirm') }} />
      {check.published && (
        <p class="panel" role="status">
          {t('budget.results.admin.published', { date: ctx.format.formatDateTime(cycle.results_published_at!) })}{' '}
          <a href={href(ctx, resultsPath(cycle))}>{t('budget.results.admin.public_link')}</a>
        </p>
      )}
      {!preview.results && <p class="panel">{t('budget.results.admin.phase_before')}</p>}
      {check.openBatches.length > 0 && (
        <p class="panel" role="alert">
          {t('budget.results.admin.open_batches', { batches: check.openBatches.join(', ') })}
        </p>
      )}
      {preview.results && (
        <>
          {!check.published && <p class="lead">{t('budget.results.admin.preview_intro')}</p>}
          <ul class="plain-list">
            <li>{t('budget.results.uncounted.invalid', { count: ctx.format.formatNumber(preview.uncounted.invalid) })}</li>
            <li>{t('budget.results.uncounted.annulled', { count: ctx.format.formatNumber(preview.uncounted.annulled) })}</li>
          </ul>
          {check.canPublish && (
            <section class="panel" aria-labelledby="publish">
              <h2 id="publish">{t('budget.results.admin.publish')}</h2>
              <p>{t('budget.results.admin.publish_intro')}</p>
              <Form ctx={ctx} action={href(ctx, `/admin/budget/${cycle.id}/results/publish`)}>
                <CheckboxField ctx={ctx} state={state} name="confirm" label={t('budget.results.admin.confirm')} />
                <SubmitButton>{t('budget.results.admin.publish')}</SubmitButton>
              </Form>
            </section>
          )}
          {preview.results.envelopes.map((result) => (
            <section aria-labelledby={`envelope-${result.envelope.id}-title`} class="results-envelope">
              <h2 id={`envelope-${result.envelope.id}-title`}>
                <bdi>{envelopeName(ctx, result.envelope)}</bdi>
              </h2>
              <EnvelopeOutcomeBody ctx={ctx} cycle={cycle} result={result} headingLevel={3} />
            </section>
          ))}
        </>
      )}
    </AdminPage>
  );
}
