// `twiza pb tally FILE.pb --rule RULE [--tie-breaking RULE] [--lot-seed SEED] [--json]`:
// computes the winners of a participatory budget from a Pabulib file, so that anyone holding
// the published ballots can check the announced result.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PabulibError, parsePabulib, type PbInstance } from './pabulib.ts';
import { compareNatural, type TieBreaking } from './ordering.ts';
import { sub, toExactDecimal, toFractionString, type Rational } from './rational.ts';
import { isRuleId, RULE_IDS, ruleAppliesTo, tally, type TallyResult } from './rules.ts';

type Io = { out(line: string): void; err(line: string): void };

export const PB_TALLY_USAGE = `Usage: twiza pb tally FILE.pb --rule RULE [--tie-breaking project_id|equalshares] [--lot-seed SEED] [--json]

  --rule           ${RULE_IDS.join(', ')}
  --tie-breaking   project_id (default: ties go to the id first in plain string order, as pabutools)
                   or equalshares (lowest cost, then most votes, then a lot drawn with --lot-seed)
  --lot-seed       the publicly announced seed of the lot (equalshares only; default "0")
  --json           print {"winners": [...], "total_cost": N} and nothing else`;

function exact(value: Rational): string {
  return toExactDecimal(value) ?? toFractionString(value);
}

/** JSON text exactly as Python's json.dumps writes it, as the reference outcomes are. */
export function tallyJson(result: TallyResult): string {
  const cost = toExactDecimal(result.totalCost);
  // Costs are decimals, so their sum is one; a fraction would mean a corrupted instance.
  if (cost === null) throw new Error('total cost has no decimal form');
  return `{"winners": [${result.winners.map((id) => JSON.stringify(id)).join(', ')}], "total_cost": ${cost}}`;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(header, widths), pad(widths.map((w) => '-'.repeat(w)), widths), ...rows.map((r) => pad(r, widths))];
}

/** A readable account: the winners with their cost (and round and ρ for MES), then totals. */
export function tallyText(instance: PbInstance, result: TallyResult): string[] {
  const names = new Map(instance.projects.map((p) => [p.id, p.fields.name ?? '']));
  const costs = new Map(instance.projects.map((p) => [p.id, p.cost]));
  const lines = [
    `Rule: ${result.rule}   tie-breaking: ${result.tieBreaking.kind}${result.tieBreaking.kind === 'equalshares' ? ` (lot seed ${JSON.stringify(result.tieBreaking.lotSeed)})` : ''}`,
    `Budget: ${exact(instance.budget)}   spent: ${exact(result.totalCost)}   left: ${exact(sub(instance.budget, result.totalCost))}`,
  ];
  const explanation = result.explanation;
  const mes = explanation.kind === 'mes' ? explanation
    : explanation.kind === 'mes_add1' ? explanation.mes
    : explanation.kind === 'mes_add1u' ? explanation.add1.mes
    : null;
  if (explanation.kind === 'mes_add1' || explanation.kind === 'mes_add1u') {
    const add1 = explanation.kind === 'mes_add1' ? explanation : explanation.add1;
    lines.push(
      `Budget per voter: ${add1.perVoterBudgetDecimal} after ${add1.raisesApplied} raise(s) of ${add1.increment} (stopped: ${add1.stoppedBecause === 'exhaustive' ? 'nothing else fits' : 'one more raise would overspend'})`,
    );
  } else if (mes) {
    lines.push(`Budget per voter: ${mes.perVoterBudgetDecimal}`);
  }
  const roundOf = new Map(mes?.rounds.map((r) => [r.projectId, r]) ?? []);
  const free = new Set(mes?.freeProjects ?? []);
  const completed = explanation.kind === 'mes_add1u'
    ? new Set(explanation.completion.steps.filter((s) => s.selected).map((s) => s.projectId))
    : new Set<string>();
  const rows = [...result.winners].sort(compareNatural).map((id) => {
    const round = roundOf.get(id);
    const how = round ? `round ${round.round}, ρ ≈ ${round.rhoDecimal}` : free.has(id) ? 'free' : completed.has(id) ? 'greedy completion' : '';
    return mes ? [id, exact(costs.get(id)!), how, names.get(id) ?? ''] : [id, exact(costs.get(id)!), names.get(id) ?? ''];
  });
  lines.push(`Winners (${result.winners.length}):`);
  lines.push(...table(mes ? ['project', 'cost', 'how', 'name'] : ['project', 'cost', 'name'], rows).map((l) => `  ${l}`));
  return lines;
}

/**
 * The `twiza pb tally` command. `args` are the words after `twiza pb tally` (a leading "tally"
 * is accepted too). Returns the exit code: 0, or 2 with a message on stderr for a bad command
 * line, an unreadable or malformed file, or a rule that does not apply to its ballots.
 */
export async function pbTally(args: string[], io: Io): Promise<number> {
  const words = args[0] === 'tally' ? args.slice(1) : args;
  let parsed;
  try {
    parsed = parseArgs({
      args: words,
      allowPositionals: true,
      options: {
        rule: { type: 'string' },
        'tie-breaking': { type: 'string' },
        'lot-seed': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    io.err(`twiza pb tally: ${(error as Error).message}`);
    io.err(PB_TALLY_USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(PB_TALLY_USAGE);
    return 0;
  }
  const usage = (problem: string) => {
    io.err(`twiza pb tally: ${problem}`);
    io.err(PB_TALLY_USAGE);
    return 2;
  };
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'which .pb file?' : 'give exactly one .pb file');
  const file = positionals[0]!;
  if (values.rule === undefined) return usage('--rule is required');
  if (!isRuleId(values.rule)) return usage(`unknown rule "${values.rule}"`);
  const rule = values.rule;
  let tieBreaking: TieBreaking;
  const tieName = values['tie-breaking'] ?? 'project_id';
  if (tieName === 'project_id') {
    if (values['lot-seed'] !== undefined) return usage('--lot-seed only goes with --tie-breaking equalshares');
    tieBreaking = { kind: 'project_id' };
  } else if (tieName === 'equalshares') {
    tieBreaking = { kind: 'equalshares', lotSeed: values['lot-seed'] ?? '0' };
  } else {
    return usage(`unknown tie-breaking rule "${tieName}" (project_id or equalshares)`);
  }

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.err(`twiza pb tally: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 2;
  }
  let instance: PbInstance;
  try {
    instance = parsePabulib(text);
  } catch (error) {
    if (error instanceof PabulibError) {
      io.err(`twiza pb tally: ${file}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (!ruleAppliesTo(rule, instance.voteType)) {
    io.err(`twiza pb tally: ${rule} needs ballots with points (cumulative or scoring); ${file} has ${instance.voteType} ballots`);
    return 2;
  }
  let result: TallyResult;
  try {
    result = tally(instance, rule, { tieBreaking });
  } catch (error) {
    // Numbers too large to compute with (a cost beyond 2^53 in its smallest unit) land here.
    if (error instanceof RangeError) {
      io.err(`twiza pb tally: ${file}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (values.json) io.out(tallyJson(result));
  else for (const line of tallyText(instance, result)) io.out(line);
  return 0;
}
