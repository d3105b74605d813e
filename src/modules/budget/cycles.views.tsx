// Public pages of participatory budgeting: the list of cycles and a cycle's page (its phases
// with their dates, the envelopes, and what a resident can do now). Other areas link here and
// may use formatTnd / PhaseBadge / trilingual to show amounts, phases and names the same way.
import type { Locale } from '../../config.ts';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { Phase } from './budget.ts';
import type { PbCycleRow, PbEnvelopeRow } from './budget.table.ts';
import type { CycleCounts } from './cycles.repository.ts';
import { formatTnd } from './money.ts';

// Amounts are written by money.ts; re-exported for the pages that import them from here.
export { formatTnd };

/** The text of a trilingual row in the reader's language (cycles: title_ar…; envelopes: name_ar…). */
export function trilingual(row: Record<string, unknown>, prefix: string, locale: Locale): string {
  const value = row[`${prefix}_${locale}`];
  if (typeof value === 'string' && value !== '') return value;
  const fallback = row[`${prefix}_fr`] ?? row[`${prefix}_ar`];
  return typeof fallback === 'string' ? fallback : '';
}

export function PhaseBadge(props: { ctx: ViewContext; phase: Phase }) {
  return <span class={`badge pb-phase pb-phase--${props.phase}`}>{props.ctx.t(`budget.phase.${props.phase}`)}</span>;
}

function DateText(props: { ctx: ViewContext; iso: string | null }) {
  if (!props.iso) return null;
  return <time datetime={props.iso}>{props.ctx.format.formatDate(props.iso)}</time>;
}

export type CycleListModel = { cycles: { cycle: PbCycleRow; phase: Phase }[] };

export function CycleListPage(props: { ctx: ViewContext; model: CycleListModel }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('budget.list.title')}>
      <h1>{t('budget.list.title')}</h1>
      <p class="lead">{t('budget.list.intro')}</p>
      {props.model.cycles.length === 0 ? (
        <p class="notice">{t('budget.list.empty')}</p>
      ) : (
        <ul class="cards pb-cycles">
          {props.model.cycles.map(({ cycle, phase }) => (
            <li class="card">
              <h2>
                <a href={href(ctx, `/budget/${cycle.slug}`)}>{trilingual(cycle, 'title', ctx.locale)}</a>
              </h2>
              <p>
                <PhaseBadge ctx={ctx} phase={phase} />
              </p>
              <p class="muted">
                {t('budget.list.voting_dates', { from: ctx.format.formatDate(cycle.voting_open_at), to: ctx.format.formatDate(cycle.voting_close_at) })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** The phases a cycle goes through, each with its start (and end) date. */
function timelineOf(cycle: PbCycleRow): { phase: Phase; from: string | null; to: string | null }[] {
  const steps: { phase: Phase; from: string | null; to: string | null }[] = [
    { phase: 'information', from: cycle.information_starts_at, to: cycle.proposals_open_at },
    { phase: 'proposals', from: cycle.proposals_open_at, to: cycle.proposals_close_at },
    { phase: 'review', from: cycle.proposals_close_at, to: cycle.review_close_at },
  ];
  if (cycle.support_open_at && cycle.support_close_at) steps.push({ phase: 'support', from: cycle.support_open_at, to: cycle.support_close_at });
  steps.push({ phase: 'voting', from: cycle.voting_open_at, to: cycle.voting_close_at });
  steps.push({ phase: 'counting', from: cycle.voting_close_at, to: cycle.results_published_at });
  steps.push({ phase: 'results', from: cycle.results_published_at, to: null });
  return steps;
}

export function PhaseTimeline(props: { ctx: ViewContext; cycle: PbCycleRow; phase: Phase }) {
  const { ctx } = props;
  const steps = timelineOf(props.cycle);
  const currentIndex = steps.findIndex((s) => s.phase === props.phase);
  return (
    <ol class="pb-timeline">
      {steps.map((step, index) => {
        const state = index < currentIndex ? 'done' : index === currentIndex ? 'current' : 'next';
        return (
          <li class={`pb-timeline__step pb-timeline__step--${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span class="pb-timeline__name">{ctx.t(`budget.phase.${step.phase}`)}</span>
            {state === 'current' && <span class="visually-hidden"> ({ctx.t('budget.cycle.current_phase')})</span>}
            <span class="pb-timeline__dates muted">
              {step.from && step.to ? (
                <>
                  <DateText ctx={ctx} iso={step.from} /> – <DateText ctx={ctx} iso={step.to} />
                </>
              ) : step.from ? (
                <DateText ctx={ctx} iso={step.from} />
              ) : (
                ctx.t('budget.cycle.date_to_come')
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

export type AreaNames = { arrondissements: { id: number; name: { ar: string; fr: string; en: string } }[]; neighbourhoods: { id: number; name: { ar: string; fr: string; en: string } }[] };

/** Where an envelope's money goes: the whole city, or its arrondissement or neighbourhood. */
export function envelopeArea(ctx: ViewContext, envelope: PbEnvelopeRow, areas: AreaNames): string {
  if (envelope.scope === 'arrondissement') {
    const area = areas.arrondissements.find((a) => a.id === envelope.arrondissement_id);
    return area ? area.name[ctx.locale] : ctx.t('budget.scope.arrondissement');
  }
  if (envelope.scope === 'neighbourhood') {
    const area = areas.neighbourhoods.find((a) => a.id === envelope.neighbourhood_id);
    return area ? area.name[ctx.locale] : ctx.t('budget.scope.neighbourhood');
  }
  return ctx.t('budget.scope.city');
}

export type CyclePageModel = AreaNames & { cycle: PbCycleRow; phase: Phase; envelopes: PbEnvelopeRow[]; counts: CycleCounts };

/** What a resident can do in this phase, with the page of each action (URL map of the brief). */
function NowBox(props: { ctx: ViewContext; model: CyclePageModel }) {
  const { ctx } = props;
  const { t } = ctx;
  const { cycle, phase } = props.model;
  const base = `/budget/${cycle.slug}`;
  const date = (iso: string | null) => (iso ? ctx.format.formatDateTime(iso) : '');
  const action = (path: string, label: string, secondary = false) => (
    <a class={secondary ? 'button button--secondary' : 'button'} href={href(ctx, path)}>
      {label}
    </a>
  );
  let text: string;
  let actions: preact.JSX.Element[] = [];
  switch (phase) {
    case 'information':
      text = t('budget.now.information', { date: date(cycle.proposals_open_at) });
      break;
    case 'proposals':
      text = t('budget.now.proposals', { date: date(cycle.proposals_close_at) });
      actions = [action(`${base}/proposals/new`, t('budget.now.propose')), action(`${base}/proposals`, t('budget.now.see_proposals'), true)];
      break;
    case 'review':
      text = t('budget.now.review', { date: date(cycle.support_open_at ?? cycle.voting_open_at) });
      actions = [action(`${base}/proposals`, t('budget.now.see_proposals'), true)];
      break;
    case 'support':
      text = t('budget.now.support', { date: date(cycle.support_close_at) });
      actions = [action(`${base}/proposals`, t('budget.now.support_action'))];
      break;
    case 'voting':
      text = t('budget.now.voting', { date: date(cycle.voting_close_at) });
      actions = [action(`${base}/vote`, t('budget.now.vote')), action(`${base}/projects`, t('budget.now.see_projects'), true)];
      break;
    case 'counting':
      text = t('budget.now.counting');
      actions = [action(`${base}/receipt`, t('budget.now.check_receipt'), true)];
      break;
    default:
      text = t('budget.now.results');
      actions = [action(`${base}/results`, t('budget.now.see_results')), action(`${base}/projects`, t('budget.now.follow_projects'), true)];
  }
  return (
    <section class="panel pb-now" aria-labelledby="pb-now-title">
      <h2 id="pb-now-title">{t('budget.now.title')}</h2>
      <p>{text}</p>
      {actions.length > 0 && <p class="actions">{actions}</p>}
    </section>
  );
}

export function CyclePage(props: { ctx: ViewContext; model: CyclePageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const { cycle, phase } = model;
  const title = trilingual(cycle, 'title', ctx.locale);
  const description = trilingual(cycle, 'description', ctx.locale);
  const base = `/budget/${cycle.slug}`;
  return (
    <Layout ctx={ctx} title={title}>
      <p class="muted">
        <a href={href(ctx, '/budget')}>{t('budget.list.title')}</a>
      </p>
      <h1>{title}</h1>
      <p>
        <PhaseBadge ctx={ctx} phase={phase} />
      </p>
      {description && <p class="lead pb-text">{description}</p>}
      <NowBox ctx={ctx} model={model} />

      <section aria-labelledby="pb-phases">
        <h2 id="pb-phases">{t('budget.cycle.phases')}</h2>
        <PhaseTimeline ctx={ctx} cycle={cycle} phase={phase} />
      </section>

      <section aria-labelledby="pb-envelopes">
        <h2 id="pb-envelopes">{t('budget.cycle.envelopes')}</h2>
        {model.envelopes.length === 0 ? (
          <p class="muted">{t('budget.cycle.no_envelopes')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('budget.envelope.name')}</th>
                  <th scope="col">{t('budget.envelope.budget')}</th>
                </tr>
              </thead>
              <tbody>
                {model.envelopes.map((e) => {
                  const name = trilingual(e, 'name', ctx.locale);
                  const area = envelopeArea(ctx, e, model);
                  return (
                    <tr>
                      <td>
                        {model.counts.projects > 0 ? <a href={href(ctx, `${base}/projects?envelope=${e.id}`)}>{name}</a> : name}
                        {area !== name && <div class="muted">{area}</div>}
                      </td>
                      <td class="pb-amount">{formatTnd(ctx, e.budget_millimes)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <p class="muted">{t('budget.cycle.total', { amount: formatTnd(ctx, model.envelopes.reduce((sum, e) => sum + e.budget_millimes, 0)) })}</p>
      </section>

      <section aria-labelledby="pb-more">
        <h2 id="pb-more">{t('budget.cycle.more')}</h2>
        <ul class="plain-list pb-links">
          {model.counts.proposals > 0 && (
            <li>
              <a href={href(ctx, `${base}/proposals`)}>{t('budget.cycle.proposals_link', { count: model.counts.proposals })}</a>
            </li>
          )}
          {model.counts.projects > 0 && (
            <li>
              <a href={href(ctx, `${base}/projects`)}>{t('budget.cycle.projects_link', { count: model.counts.projects })}</a>
            </li>
          )}
          {(phase === 'counting' || phase === 'results') && (
            <li>
              <a href={href(ctx, `${base}/results`)}>{t('budget.now.see_results')}</a>
            </li>
          )}
          {(phase === 'voting' || phase === 'counting' || phase === 'results') && (
            <li>
              <a href={href(ctx, `${base}/receipt`)}>{t('budget.now.check_receipt')}</a>
            </li>
          )}
        </ul>
        <h3>{t('budget.cycle.rules')}</h3>
        <p>{t(`budget.ballot_type.${cycle.ballot_type}.explained`, { max: cycle.max_choices ?? 0, points: cycle.total_points ?? 0 })}</p>
        <p class="muted">{t('budget.cycle.eligibility', { age: cycle.min_age })}</p>
      </section>
    </Layout>
  );
}
