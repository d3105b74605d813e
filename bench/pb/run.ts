// Participatory-budgeting outcome rules on every Pabulib file in ../shared/pabulib:
//
//   node --import tsx bench/pb/run.ts [--only SUBSTRING] [--repeat N]
//
// For each file: its size, voters, projects and vote type; the time to parse it (the baseline
// every tally starts from) and to group identical ballots; then the time of each rule that
// applies to its ballots, from the parsed instance (grouping included) to winners and their
// exact explanation. Times are wall-clock milliseconds, the best of N runs (default 1), with
// the process's CPU time beside them — on a shared machine CPU time is the steadier figure.
// At the end it says whether the two targets of RULES.md are met on Warszawa 2026: plain MES
// under 1 s and MES with add1 completion under 5 s. Prints figures; asserts nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareElection } from '../../src/modules/budget/outcome/election.ts';
import { parsePabulib } from '../../src/modules/budget/outcome/pabulib.ts';
import { RULE_IDS, ruleAppliesTo, tallyElection, type RuleId, type TallyResult } from '../../src/modules/budget/outcome/rules.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(repoRoot, '../shared/pabulib');
const { values } = parseArgs({ options: { only: { type: 'string' }, repeat: { type: 'string' } } });
const repeat = Math.max(1, Number(values.repeat ?? 1));

type Timing = { wall: number; cpu: number };

function measure<T>(work: () => T): { result: T; timing: Timing } {
  let best: Timing | null = null;
  let result!: T;
  for (let i = 0; i < repeat; i++) {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    result = work();
    const wall = performance.now() - start;
    const cpuUsed = process.cpuUsage(cpuBefore);
    const cpu = (cpuUsed.user + cpuUsed.system) / 1000;
    if (best === null || wall < best.wall) best = { wall, cpu };
  }
  return { result, timing: best! };
}

const ms = (t: Timing) => `${t.wall.toFixed(1)} ms (cpu ${t.cpu.toFixed(0)})`;

const files = readdirSync(dataDir)
  .filter((f) => f.endsWith('.pb'))
  .filter((f) => values.only === undefined || f.includes(values.only))
  .sort();

const targets: { what: string; limitMs: number; timing: Timing | null }[] = [
  { what: 'Warszawa 2026, plain MES (mes_cost_sat and mes_cardinality_sat, each)', limitMs: 1000, timing: null },
  { what: 'Warszawa 2026, MES with add1 completion (mes_cost_sat_add1)', limitMs: 5000, timing: null },
];

console.log(`Pabulib files in ${dataDir}; best of ${repeat} run(s); node ${process.version}\n`);
for (const file of files) {
  const text = readFileSync(path.join(dataDir, file), 'utf8');
  const size = statSync(path.join(dataDir, file)).size;
  const parsed = measure(() => parsePabulib(text));
  const prepared = measure(() => prepareElection(parsed.result));
  const instance = parsed.result;
  const election = prepared.result;
  console.log(
    `${file}\n  ${(size / 1024).toFixed(0)} KiB, ${instance.votes.length} voters (${election.groups.length} distinct ballots), ` +
      `${instance.projects.length} projects, ${instance.voteType}`,
  );
  console.log(`  parse ${ms(parsed.timing)}; group ballots ${ms(prepared.timing)}`);
  for (const rule of RULE_IDS) {
    if (!ruleAppliesTo(rule as RuleId, instance.voteType)) continue;
    // Each rule is timed from the parsed instance: grouping the ballots is part of a tally.
    const run = measure(() => tallyElection(prepareElection(instance), rule));
    const result: TallyResult = run.result;
    const extra = result.explanation.kind === 'mes_add1' || result.explanation.kind === 'mes_add1u'
      ? (() => {
          const add1 = result.explanation.kind === 'mes_add1' ? result.explanation : result.explanation.add1;
          return `  [${add1.budgetsTried} budgets, ${add1.mesRuns} MES runs]`;
        })()
      : '';
    console.log(`  ${rule.padEnd(30)} ${ms(run.timing).padStart(24)}  ${result.winners.length} winners${extra}`);
    if (file === 'Poland_Warszawa_2026.pb') {
      if (rule === 'mes_cost_sat' || rule === 'mes_cardinality_sat') {
        const current = targets[0]!.timing;
        if (current === null || run.timing.wall > current.wall) targets[0]!.timing = run.timing;
      }
      if (rule === 'mes_cost_sat_add1') targets[1]!.timing = run.timing;
    }
  }
}

console.log('\nTargets (RULES.md, "Speed"), judged on wall-clock time:');
for (const target of targets) {
  const verdict = target.timing === null ? 'not measured' : target.timing.wall < target.limitMs ? 'MET' : 'NOT MET';
  const figure = target.timing === null ? '' : ` — ${ms(target.timing)}`;
  console.log(`  ${target.what} < ${target.limitMs / 1000} s: ${verdict}${figure}`);
  // On a machine shared with other work, wall time can be several times the CPU time this
  // process got; say so rather than let a busy machine pass for a slow rule.
  if (target.timing !== null && target.timing.wall > 1.5 * target.timing.cpu && target.timing.wall >= target.limitMs) {
    const onCpu = target.timing.cpu < target.limitMs ? 'met' : 'not met';
    console.log(`    (the machine was busy: wall ${(target.timing.wall / target.timing.cpu).toFixed(1)}× CPU time; on CPU time the target is ${onCpu})`);
  }
}
