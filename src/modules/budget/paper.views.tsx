// Pages of the paper ballot keying (back office): the batches of a cycle with the form to open
// one, a batch (passes, the keyer's own entries, the comparison, acceptance), and the form that
// keys one ballot. Every form works without JavaScript; a ballot is one short form, so a keyer
// types the marks and presses Enter, ballot after ballot.
import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, errorText, Form, RadioGroup, SelectField, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame } from '../admin/admin-http.ts';
import { AdminPage, DateTime, PageErrors, Typed } from '../admin/admin.views.tsx';
import { formatTnd } from './money.ts';
import type { BatchSummary, EntryView, PaperBatchesModel, PaperBatchModel, PaperEntryFormModel } from './paper.service.ts';

type Trilingual = { ar: string; fr: string; en: string };
const inLocale = (ctx: ViewContext, name: Trilingual) => name[ctx.locale];

export function paperPath(cycleId: number, batchId?: number): string {
  return `/admin/budget/${cycleId}/paper${batchId === undefined ? '' : `/${batchId}`}`;
}

export function entryPath(cycleId: number, batchId: number, pass: number, position: number): string {
  return `${paperPath(cycleId, batchId)}/pass/${pass}/${position}`;
}

/** "A, B and C" in the reader's language. */
function nameList(ctx: ViewContext, names: string[]): string {
  return new Intl.ListFormat(ctx.locale, { type: 'conjunction' }).format(names);
}

/** Millimes as TND, as every budget page writes them. */
const money = formatTnd;

function StatusBadge(props: { ctx: ViewContext; status: BatchSummary['status'] }) {
  return <span class={`badge paper-status paper-status--${props.status}`}>{props.ctx.t(`budget.paper.status.${props.status}`)}</span>;
}

function sheetLabel(ctx: ViewContext, batch: Pick<BatchSummary, 'sheetName'>): string {
  return batch.sheetName ? inLocale(ctx, batch.sheetName) : ctx.t('budget.paper.sheet.city_only');
}

/** A keyed ballot in words: "Spoilt", "Blank", or its codes (with points or ranks). */
export function EntryText(props: { ctx: ViewContext; entry: EntryView; ballotType: string }) {
  const { ctx, entry } = props;
  if (entry.kind === 'spoilt') return <span class="paper-entry paper-entry--spoilt">{ctx.t('budget.paper.entry.spoilt')}</span>;
  if (entry.kind === 'blank') return <span class="paper-entry paper-entry--blank">{ctx.t('budget.paper.entry.blank')}</span>;
  const mark = (m: { code: string; value: number }) => {
    if (props.ballotType === 'cumulative') return ctx.t('budget.paper.entry.points', { code: m.code, value: m.value });
    if (props.ballotType === 'ranking') return ctx.t('budget.paper.entry.rank', { code: m.code, value: m.value });
    return m.code;
  };
  return (
    <bdi dir="ltr" class="paper-entry mono">
      {entry.marks.map(mark).join(' · ')}
    </bdi>
  );
}

function KeyFigures(props: { ctx: ViewContext; voters: number; ballots: number }) {
  const { ctx } = props;
  const n = (v: number) => ctx.format.formatNumber(v);
  return (
    <ul class="key-figures">
      <li class="key-figure">
        <span class="key-figure__value">{n(props.voters)}</span>
        <span class="key-figure__label">{ctx.t('budget.paper.figure.voters')}</span>
      </li>
      <li class="key-figure">
        <span class="key-figure__value">{n(props.ballots)}</span>
        <span class="key-figure__label">{ctx.t('budget.paper.figure.ballots')}</span>
      </li>
      <li class="key-figure">
        <span class="key-figure__value">{n(Math.max(0, props.voters - props.ballots))}</span>
        <span class="key-figure__label">{ctx.t('budget.paper.figure.room')}</span>
      </li>
    </ul>
  );
}

function ClosedNotice(props: { ctx: ViewContext; cycle: PaperBatchesModel['cycle'] }) {
  const { ctx, cycle } = props;
  const key = !cycle.paperVoting ? 'no_paper_voting' : cycle.phase === 'results' ? 'results_published' : 'not_open';
  return (
    <p class="notice" role="status">
      {ctx.t(`budget.paper.closed.${key}`)}
    </p>
  );
}

// ---------------------------------------------------------------------------------------------
// Batches of a cycle

const batchLabels = (ctx: ViewContext) => ({
  batchNumber: ctx.t('budget.paper.field.batch_number'),
  station: ctx.t('budget.paper.field.station'),
  sheet: ctx.t('budget.paper.field.sheet'),
  declaredCount: ctx.t('budget.paper.field.declared_count'),
});

export function PaperBatchesPage(props: { frame: AdminFrame; model: PaperBatchesModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { model, state } = props;
  const { cycle } = model;
  return (
    <AdminPage frame={props.frame} title={t('budget.paper.title')} back={{ path: `/admin/budget/${cycle.id}`, label: t('budget.paper.back_to_cycle', { cycle: inLocale(ctx, cycle.title) }) }}>
      <p class="lead">{t('budget.paper.intro')}</p>
      {!model.keyingOpen && <ClosedNotice ctx={ctx} cycle={cycle} />}
      <KeyFigures ctx={ctx} voters={model.registeredPaperVoters} ballots={model.paperBallots} />

      <section aria-labelledby="batches-title">
        <h2 id="batches-title">{t('budget.paper.batches')}</h2>
        {model.batches.length === 0 ? (
          <p class="muted">{t('budget.paper.no_batches')}</p>
        ) : (
          <div class="table-wrap" tabIndex={0} aria-labelledby="batches-title">
            <table class="paper-batches">
              <thead>
                <tr>
                  <th scope="col">{t('budget.paper.column.batch')}</th>
                  <th scope="col">{t('budget.paper.column.passes')}</th>
                  <th scope="col">{t('budget.paper.column.status')}</th>
                </tr>
              </thead>
              <tbody>
                {model.batches.map((batch) => (
                  <tr>
                    <td>
                      <a href={href(ctx, paperPath(cycle.id, batch.id))}>{t('budget.paper.batch_title', { number: batch.batchNumber })}</a>
                      <div class="muted">
                        <bdi>{sheetLabel(ctx, batch)}</bdi>
                        {batch.station && (
                          <>
                            {' · '}
                            <bdi>{batch.station}</bdi>
                          </>
                        )}
                      </div>
                      <div class="muted">{t('budget.paper.declared', { count: batch.declaredCount })}</div>
                    </td>
                    <td>
                      {([0, 1] as const).map((i) => (
                        <div>
                          {t('budget.paper.pass_count', { pass: i + 1, count: batch.passCounts[i], total: batch.declaredCount })}
                          {batch.keyers[i].length > 0 && (
                            <div class="muted">
                              <bdi>{nameList(ctx, batch.keyers[i])}</bdi>
                            </div>
                          )}
                        </div>
                      ))}
                    </td>
                    <td>
                      <StatusBadge ctx={ctx} status={batch.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {model.mayKey && model.keyingOpen && (
        <section aria-labelledby="new-batch-title">
          <h2 id="new-batch-title">{t('budget.paper.new_batch')}</h2>
          <p class="muted">{t('budget.paper.new_batch_hint')}</p>
          <ErrorSummary ctx={ctx} errors={state.errors} labels={batchLabels(ctx)} />
          <Form ctx={ctx} action={href(ctx, paperPath(cycle.id))}>
            <TextField ctx={ctx} state={state} name="batchNumber" label={t('budget.paper.field.batch_number')} hint={t('budget.paper.field.batch_number_hint')} maxLength={20} dir="ltr" required />
            <TextField ctx={ctx} state={state} name="station" label={t('budget.paper.field.station')} hint={t('budget.paper.field.station_hint')} maxLength={120} />
            {model.sheets.districts.length > 0 ? (
              <SelectField
                ctx={ctx}
                state={state}
                name="sheet"
                label={t('budget.paper.field.sheet')}
                hint={t('budget.paper.field.sheet_hint')}
                required
                options={[
                  ...model.sheets.districts.map((d) => ({ value: String(d.id), label: inLocale(ctx, d.name) })),
                  ...(model.sheets.cityOnly ? [{ value: 'city', label: t('budget.paper.sheet.city_only') }] : []),
                ]}
              />
            ) : (
              <input type="hidden" name="sheet" value="city" />
            )}
            <TextField ctx={ctx} state={state} name="declaredCount" label={t('budget.paper.field.declared_count')} hint={t('budget.paper.field.declared_count_hint')} inputMode="numeric" maxLength={4} dir="ltr" required />
            <SubmitButton>{t('budget.paper.create')}</SubmitButton>
          </Form>
        </section>
      )}
    </AdminPage>
  );
}

// ---------------------------------------------------------------------------------------------
// One batch

export function PaperBatchPage(props: { frame: AdminFrame; model: PaperBatchModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { model, state } = props;
  const { cycle, batch } = model;
  const n = (v: number) => ctx.format.formatNumber(v);
  const canKey = model.keyingOpen && model.mayKey;
  return (
    <AdminPage frame={props.frame} title={t('budget.paper.batch_title', { number: batch.batchNumber })} back={{ path: paperPath(cycle.id), label: t('budget.paper.back_to_batches') }}>
      <PageErrors ctx={ctx} errors={state.errors} labels={{ reason: t('budget.paper.field.reason') }} />
      <dl class="facts paper-facts">
        <dt>{t('budget.paper.column.status')}</dt>
        <dd>
          <StatusBadge ctx={ctx} status={batch.status} />
        </dd>
        <dt>{t('budget.paper.field.sheet')}</dt>
        <dd>
          <bdi>{sheetLabel(ctx, batch)}</bdi>
        </dd>
        <dt>{t('budget.paper.field.station')}</dt>
        <dd>
          <Typed ctx={ctx} value={batch.station} />
        </dd>
        <dt>{t('budget.paper.field.declared_count')}</dt>
        <dd>{n(batch.declaredCount)}</dd>
        <dt>{t('budget.paper.created')}</dt>
        <dd>
          <Typed ctx={ctx} value={batch.createdBy} /> · <DateTime ctx={ctx} iso={batch.createdAt} />
        </dd>
        {batch.acceptedAt && (
          <>
            <dt>{t('budget.paper.accepted')}</dt>
            <dd>
              <Typed ctx={ctx} value={batch.acceptedBy} /> · <DateTime ctx={ctx} iso={batch.acceptedAt} />
            </dd>
          </>
        )}
        {batch.rejectedAt && (
          <>
            <dt>{t('budget.paper.rejected')}</dt>
            <dd>
              <Typed ctx={ctx} value={batch.rejectedBy} /> · <DateTime ctx={ctx} iso={batch.rejectedAt} />
            </dd>
            <dt>{t('budget.paper.field.reason')}</dt>
            <dd>
              <Typed ctx={ctx} value={batch.rejectedReason} />
            </dd>
          </>
        )}
      </dl>
      {!model.keyingOpen && batch.status === 'open' && <ClosedNotice ctx={ctx} cycle={cycle} />}

      <section aria-labelledby="passes-title">
        <h2 id="passes-title">{t('budget.paper.passes')}</h2>
        <p class="muted">{t('budget.paper.blind_hint')}</p>
        <ul class="paper-passes">
          {([1, 2] as const).map((pass) => {
            const next = model.nextPosition[pass - 1] ?? null;
            const keyers = batch.keyers[pass - 1] ?? [];
            const mayKeyThis = canKey && (model.myPass === null || model.myPass === pass);
            return (
              <li class="paper-pass">
                <h3>{t('budget.paper.pass', { pass })}</h3>
                <p>{t('budget.paper.entry_progress', { count: batch.passCounts[pass - 1] ?? 0, total: batch.declaredCount })}</p>
                <p class="muted">
                  {keyers.length === 0 ? t('budget.paper.keyed_by_nobody') : t('budget.paper.keyed_by', { names: nameList(ctx, keyers) })}
                </p>
                {model.myPass === pass && <p>{t('budget.paper.your_pass')}</p>}
                {mayKeyThis && next !== null && (
                  <p>
                    <a class="button" href={href(ctx, entryPath(cycle.id, batch.id, pass, next))}>
                      {model.myPass === pass ? t('budget.paper.continue_pass', { pass, position: next }) : t('budget.paper.key_pass', { pass })}
                    </a>
                  </p>
                )}
              </li>
            );
          })}
        </ul>
        {model.myEntries.length > 0 && (
          <details class="paper-mine">
            <summary>{t('budget.paper.my_entries', { pass: model.myPass ?? 1, count: model.myEntries.length })}</summary>
            <ol class="plain-list">
              {model.myEntries.map((entry) => (
                <li>
                  {t('budget.paper.ballot_number', { position: entry.position })} <EntryText ctx={ctx} entry={entry} ballotType={cycle.ballotType} />{' '}
                  {canKey && model.myPass !== null && (
                    <a href={href(ctx, entryPath(cycle.id, batch.id, model.myPass, entry.position))}>{t('budget.paper.correct')}</a>
                  )}
                </li>
              ))}
            </ol>
          </details>
        )}
      </section>

      {model.comparison && (
        <section aria-labelledby="comparison-title">
          <h2 id="comparison-title">{t('budget.paper.comparison')}</h2>
          <p class={model.comparison.differences.length === 0 ? 'panel' : 'notice notice--late'}>
            {model.comparison.differences.length === 0
              ? t('budget.paper.all_agree', { count: model.comparison.rows.length })
              : t('budget.paper.differences', { count: model.comparison.differences.length, total: model.comparison.rows.length })}
          </p>
          {model.comparison.differences.length > 0 && (
            <>
              <p class="muted">{t('budget.paper.differences_hint')}</p>
              <div class="table-wrap" tabIndex={0} aria-labelledby="comparison-title">
                <table class="paper-comparison">
                  <thead>
                    <tr>
                      <th scope="col">{t('budget.paper.column.ballot')}</th>
                      <th scope="col">{t('budget.paper.pass', { pass: 1 })}</th>
                      <th scope="col">{t('budget.paper.pass', { pass: 2 })}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {model.comparison.differences.map((row) => (
                      <tr>
                        <th scope="row">
                          {n(row.position)}
                          {canKey && model.myPass !== null && (
                            <div>
                              <a href={href(ctx, entryPath(cycle.id, batch.id, model.myPass, row.position))}>{t('budget.paper.correct')}</a>
                            </div>
                          )}
                        </th>
                        <td>
                          <EntryText ctx={ctx} entry={row.first} ballotType={cycle.ballotType} />
                        </td>
                        <td>
                          <EntryText ctx={ctx} entry={row.second} ballotType={cycle.ballotType} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      )}

      {model.mayAccept && batch.status === 'open' && model.keyingOpen && (
        <section aria-labelledby="decision-title">
          <h2 id="decision-title">{t('budget.paper.decision')}</h2>
          <p>
            {t('budget.paper.acceptance_figures', {
              after: model.acceptance.after,
              voters: model.acceptance.registeredPaperVoters,
            })}
          </p>
          {model.acceptance.problem === null ? (
            <Form ctx={ctx} action={href(ctx, `${paperPath(cycle.id, batch.id)}/accept`)}>
              <input type="hidden" name="version" value={String(batch.version)} />
              <p>{t('budget.paper.accept_hint')}</p>
              <SubmitButton>{t('budget.paper.accept', { count: batch.declaredCount })}</SubmitButton>
            </Form>
          ) : (
            <p class="notice">
              {t(`budget.paper.cannot_accept.${model.acceptance.problem}`, {
                ballots: model.acceptance.after,
                voters: model.acceptance.registeredPaperVoters,
              })}
            </p>
          )}
          <Form ctx={ctx} action={href(ctx, `${paperPath(cycle.id, batch.id)}/reject`)} class="form paper-reject">
            <input type="hidden" name="version" value={String(batch.version)} />
            <TextArea ctx={ctx} state={state} name="reason" label={t('budget.paper.field.reason')} hint={t('budget.paper.field.reason_hint')} rows={2} maxLength={500} required />
            <button type="submit" class="button button--danger">
              {t('budget.paper.reject')}
            </button>
          </Form>
        </section>
      )}
    </AdminPage>
  );
}

// ---------------------------------------------------------------------------------------------
// Keying one ballot

function entryLabels(ctx: ViewContext, model: PaperEntryFormModel): Record<string, string> {
  const labels: Record<string, string> = { state: ctx.t('budget.paper.field.state') };
  for (const project of model.sheet.projects) labels[`project_${project.id}`] = project.code;
  return labels;
}

function ProjectMark(props: { ctx: ViewContext; state: FormState; project: PaperEntryFormModel['sheet']['projects'][number]; ballotType: string; first: boolean }) {
  const { ctx, state, project } = props;
  const name = `project_${project.id}`;
  const id = `field-${name}`;
  const error = errorText(ctx, state.errors[name]);
  const raw = state.values[name];
  const value = Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
  const label = (
    <>
      <bdi dir="ltr" class="paper-code">
        {project.code}
      </bdi>{' '}
      <bdi>{project.title}</bdi> <span class="muted paper-money">({money(ctx, project.cost_millimes)})</span>
    </>
  );
  if (props.ballotType === 'approval' || props.ballotType === 'knapsack') {
    return (
      <div class={error ? 'choice field--error paper-mark' : 'choice paper-mark'}>
        {error && (
          <p class="field__error" id={`error-${name}`}>
            {error}
          </p>
        )}
        <input type="checkbox" id={id} name={name} value="1" checked={value === '1'} autofocus={props.first} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `error-${name}` : undefined} />
        <label for={id}>{label}</label>
      </div>
    );
  }
  return (
    <div class={error ? 'field field--error paper-mark paper-mark--number' : 'field paper-mark paper-mark--number'}>
      {error && (
        <p class="field__error" id={`error-${name}`}>
          {error}
        </p>
      )}
      <input
        class="field__input"
        type="text"
        id={id}
        name={name}
        value={value}
        inputMode="numeric"
        maxLength={3}
        dir="ltr"
        autofocus={props.first}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `error-${name}` : undefined}
      />
      <label for={id}>{label}</label>
    </div>
  );
}

export function PaperEntryPage(props: { frame: AdminFrame; model: PaperEntryFormModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { model, state } = props;
  const { cycle, batch } = model;
  const type = model.rules.ballot_type;
  const title = t('budget.paper.entry_title', { number: batch.batchNumber, pass: model.pass, position: model.position, total: batch.declaredCount });
  let first = true;
  return (
    <AdminPage frame={props.frame} title={title} back={{ path: paperPath(cycle.id, batch.id), label: t('budget.paper.back_to_batch', { number: batch.batchNumber }) }}>
      <p class="muted">
        {t('budget.paper.entry_progress', { count: model.keyedInPass, total: batch.declaredCount })} · <bdi>{sheetLabel(ctx, batch)}</bdi>
      </p>
      {model.other && (
        <div class="notice">
          <p>
            {t('budget.paper.other_pass_read')} <EntryText ctx={ctx} entry={model.other} ballotType={type} />
          </p>
          <p>{t('budget.paper.reread_hint')}</p>
        </div>
      )}
      <ErrorSummary ctx={ctx} errors={state.errors} labels={entryLabels(ctx, model)} />
      <Form ctx={ctx} action={href(ctx, entryPath(cycle.id, batch.id, model.pass, model.position))} class="form paper-entry-form">
        <p class="field__hint">{t(`budget.paper.how.${type}`)}</p>
        {model.sheet.envelopes.map(({ envelope, projects }) => (
          <fieldset class="fieldset paper-envelope">
            <legend class="field__label">
              <bdi>{inLocale(ctx, { ar: envelope.name_ar, fr: envelope.name_fr, en: envelope.name_en })}</bdi>{' '}
              <span class="muted">({money(ctx, envelope.budget_millimes)})</span>
            </legend>
            {projects.map((project) => {
              const mark = <ProjectMark ctx={ctx} state={state} project={project} ballotType={type} first={first} />;
              first = false;
              return mark;
            })}
          </fieldset>
        ))}
        <RadioGroup
          ctx={ctx}
          state={state}
          name="state"
          label={t('budget.paper.field.state')}
          required
          options={[
            { value: 'marked', label: t('budget.paper.state.marked') },
            { value: 'blank', label: t('budget.paper.state.blank') },
            { value: 'spoilt', label: t('budget.paper.state.spoilt') },
          ]}
        />
        <p class="field__hint">{t('budget.paper.key_what_you_see')}</p>
        <SubmitButton>{model.existing ? t('budget.paper.save_correction') : t('budget.paper.save_next')}</SubmitButton>
      </Form>
    </AdminPage>
  );
}

/** The form values of a keyed entry, for a correction. */
export function entryFormValues(model: PaperEntryFormModel): FormState['values'] {
  const entry = model.existing;
  if (!entry) return { state: 'marked' };
  if (entry.kind === 'spoilt') return { state: 'spoilt' };
  const values: FormState['values'] = { state: Object.keys(entry.marks).length === 0 ? 'blank' : 'marked' };
  for (const project of model.sheet.projects) if (entry.marks[project.code] !== undefined) values[`project_${project.id}`] = String(entry.marks[project.code]);
  return values;
}
