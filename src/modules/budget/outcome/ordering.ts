// Orders on project ids, and the tie-breaking rules.
import { createHash } from 'node:crypto';
import { compare, type Rational } from './rational.ts';

/**
 * Plain string order by Unicode code point — what Python's `<` on str does, and so what the
 * reference implementation (pabutools) uses to break ties: "10" comes before "9". JavaScript's
 * own `<` compares UTF-16 code units, which disagrees for characters beyond U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (0xD800–0xDFFF) sort differently by code point: they stand for
    // characters above 0xFFFF, so they must come after every other code unit.
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

type NaturalKey = Array<string | bigint>;

function naturalKey(id: string): NaturalKey {
  // Alternating text and numbers, always starting and ending with (possibly empty) text, as
  // Python's re.split(r'(\d+)', id) gives: "M/02/X" → ["M/", 2n, "/X"], "10" → ["", 10n, ""].
  const parts = id.split(/(\d+)/);
  return parts.map((part, index) => (index % 2 === 1 ? BigInt(part) : part));
}

/**
 * "Natural" order of project ids, as the reference outcomes list winners (Python's natsort):
 * runs of ASCII digits compare as numbers, the rest as plain text, so "c2" < "c10" and
 * "9" < "10". Ids equal as numbers ("02" and "2") fall back to plain code-point order.
 */
export function compareNatural(a: string, b: string): number {
  if (a === b) return 0;
  const x = naturalKey(a);
  const y = naturalKey(b);
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (typeof p === 'bigint' && typeof q === 'bigint') {
      if (p !== q) return p < q ? -1 : 1;
    } else {
      const c = compareCodePoints(p as string, q as string);
      if (c !== 0) return c;
    }
  }
  if (x.length !== y.length) return x.length - y.length;
  return compareCodePoints(a, b);
}

export function sortNatural(ids: readonly string[]): string[] {
  return [...ids].sort(compareNatural);
}

/**
 * How ties are broken — between projects with the same votes-per-cost in a greedy rule, or the
 * same price per unit of utility in the Method of Equal Shares:
 *
 * - `project_id`: the project whose id comes first as a plain string wins ("10" before "9").
 *   This is what pabutools does by default, and so what the reference outcomes assume.
 * - `equalshares`: what equalshares.net recommends to cities: the lowest cost wins, then the
 *   most votes (voters whose ballot lists the project), then a lot. The lot is a draw anyone
 *   can redo: each tied project gets the SHA-256 of `lotSeed`, a NUL byte and its id (UTF-8),
 *   and the lowest hexadecimal digest wins. The seed is announced before the count (say, the
 *   date and the number drawn in public), so the draw cannot be steered after the vote.
 */
export type TieBreaking = { kind: 'project_id' } | { kind: 'equalshares'; lotSeed: string };

export const DEFAULT_TIE_BREAKING: TieBreaking = { kind: 'project_id' };

export function lotTicket(lotSeed: string, projectId: string): string {
  return createHash('sha256').update(`${lotSeed}\u0000${projectId}`, 'utf8').digest('hex');
}

export type TieBreakFacts = { id: string; cost: Rational; votes: number };

/**
 * A total order on project indices for the given rule: negative when project `a` wins a tie
 * against `b`. Built once per election, because the lot tickets cost a hash each.
 */
export function tieBreakComparator(
  tieBreaking: TieBreaking,
  projects: readonly TieBreakFacts[],
): (a: number, b: number) => number {
  if (tieBreaking.kind === 'project_id') {
    return (a, b) => compareCodePoints(projects[a]!.id, projects[b]!.id);
  }
  const tickets = projects.map((p) => lotTicket(tieBreaking.lotSeed, p.id));
  return (a, b) => {
    const x = projects[a]!;
    const y = projects[b]!;
    const byCost = compare(x.cost, y.cost);
    if (byCost !== 0) return byCost;
    if (x.votes !== y.votes) return y.votes - x.votes;
    const byLot = compareCodePoints(tickets[a]!, tickets[b]!);
    return byLot !== 0 ? byLot : compareCodePoints(x.id, y.id);
  };
}
