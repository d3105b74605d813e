// The Pabulib .pb format (participatory budgeting data, pabulib.org): a strict reader and a
// writer.
//
// Strict because a results page that silently misreads a ballot file announces the wrong
// winners. Anything the reader cannot take unambiguously stops it with a PabulibError that
// names the line, so whoever exported the file can fix it. What it accepts, it keeps exactly:
// costs, the budget and points are exact rationals, never floats.
//
// Format (see also shared/pabulib/RULES.md): UTF-8, optional BOM; three sections META,
// PROJECTS, VOTES in that order, each a title line, a header line, then rows; cells separated
// by ';' with CSV quoting ("…", "" for a quote, may span lines); section titles are
// case-insensitive; cells are trimmed; an empty cell or `none` (any case) is missing; blank
// lines are ignored; decimals may use a comma (2572946,76).
import { add, compare, parseDecimal, toExactDecimal, type Rational } from './rational.ts';

export type VoteType = 'approval' | 'choose-1' | 'ordinal' | 'cumulative' | 'scoring';
export const VOTE_TYPES: readonly VoteType[] = ['approval', 'choose-1', 'ordinal', 'cumulative', 'scoring'];

export type PbMetaEntry = { key: string; value: string | null };

export type PbProject = {
  id: string;
  cost: Rational;
  /** Every other column of PROJECTS, by header name (null when missing). */
  fields: Record<string, string | null>;
};

export type PbVote = {
  voterId: string;
  /** Project ids as listed (ordinal: most preferred first); empty entries are dropped. */
  projects: string[];
  /** Cumulative and scoring ballots: the points, in the same order as `projects`. */
  points: Rational[] | null;
  /** Every other column of VOTES, by header name (null when missing). */
  fields: Record<string, string | null>;
};

export type PbInstance = {
  /** META rows in file order. `budget` and `vote_type` are also read into the fields below. */
  meta: PbMetaEntry[];
  budget: Rational;
  voteType: VoteType;
  /** Header of PROJECTS, in file order (includes project_id and cost). */
  projectColumns: string[];
  projects: PbProject[];
  /** Header of VOTES, in file order (includes voter_id and vote, and points when used). */
  voteColumns: string[];
  votes: PbVote[];
};

export type PbWarning = { line: number; message: string };

export class PabulibError extends Error {
  readonly line: number;
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'PabulibError';
    this.line = line;
  }
}

type CsvRecord = { line: number; cells: string[] };

// Cuts the text into records of raw (unquoted, untrimmed) cells, with the line each record
// starts on. Lines without a quote take a fast path: a city-wide file has ~100,000 of them.
function* readRecords(text: string): Generator<CsvRecord> {
  let pos = 0;
  let line = 1;
  const length = text.length;
  while (pos < length) {
    let end = pos;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    const raw = text.slice(pos, end);
    if (!raw.includes('"')) {
      yield { line, cells: raw.split(';') };
      pos = skipLineBreak(text, end);
      line++;
      continue;
    }
    const parsed = readQuotedRecord(text, pos, line);
    yield { line, cells: parsed.cells };
    pos = parsed.next;
    line = parsed.nextLine;
  }
}

function skipLineBreak(text: string, pos: number): number {
  if (text.charCodeAt(pos) === 13 && text.charCodeAt(pos + 1) === 10) return pos + 2;
  return pos < text.length ? pos + 1 : pos;
}

function isBlankChar(c: number): boolean {
  return c === 32 || c === 9;
}

function readQuotedRecord(text: string, start: number, startLine: number) {
  const cells: string[] = [];
  let pos = start;
  let line = startLine;
  for (;;) {
    // A field is quoted when its first non-blank character is a quote.
    let probe = pos;
    while (probe < text.length && isBlankChar(text.charCodeAt(probe))) probe++;
    let cell = '';
    if (text.charCodeAt(probe) === 34) {
      const fieldLine = line;
      pos = probe + 1;
      for (;;) {
        const quote = text.indexOf('"', pos);
        if (quote < 0) throw new PabulibError(fieldLine, 'a quoted cell is never closed (missing ")');
        const chunk = text.slice(pos, quote);
        line += countLineBreaks(chunk);
        cell += chunk;
        if (text.charCodeAt(quote + 1) === 34) {
          cell += '"';
          pos = quote + 2;
          continue;
        }
        pos = quote + 1;
        break;
      }
      while (pos < text.length && isBlankChar(text.charCodeAt(pos))) pos++;
      const next = text.charCodeAt(pos);
      if (pos < text.length && next !== 59 && next !== 10 && next !== 13) {
        throw new PabulibError(line, `unexpected text after a closing quote: ${JSON.stringify(text.slice(pos, pos + 20))}`);
      }
    } else {
      let end = pos;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === 59 || c === 10 || c === 13) break;
        end++;
      }
      cell = text.slice(pos, end);
      pos = end;
    }
    cells.push(cell);
    if (pos >= text.length) return { cells, next: pos, nextLine: line + 1 };
    if (text.charCodeAt(pos) === 59) {
      pos++;
      continue;
    }
    return { cells, next: skipLineBreak(text, pos), nextLine: line + 1 };
  }
}

function countLineBreaks(chunk: string): number {
  let count = 0;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13 && chunk.charCodeAt(i + 1) !== 10) count++;
  }
  return count;
}

/** A trimmed cell, or null for "missing" (empty or `none` in any case). */
function cellValue(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const value = raw.trim();
  if (value === '' || (value.length === 4 && value.toLowerCase() === 'none')) return null;
  return value;
}

type SectionName = 'meta' | 'projects' | 'votes';
const SECTION_ORDER: readonly SectionName[] = ['meta', 'projects', 'votes'];

function sectionTitle(cells: string[]): SectionName | null {
  const first = cells[0]?.trim().toLowerCase();
  if (first !== 'meta' && first !== 'projects' && first !== 'votes') return null;
  for (let i = 1; i < cells.length; i++) if (cells[i]!.trim() !== '') return null;
  return first;
}

function isBlankRecord(cells: string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

// Header names, trimmed. Empty names are only allowed at the end (a trailing ';').
function readHeader(record: CsvRecord, section: string): string[] {
  const names = record.cells.map((c) => c.trim());
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw new PabulibError(record.line, `${section} header has an empty column name`);
    if (seen.has(name)) throw new PabulibError(record.line, `${section} header repeats the column "${name}"`);
    seen.add(name);
  }
  return names;
}

function rowCells(record: CsvRecord, columns: string[], section: string): (string | null)[] {
  for (let i = columns.length; i < record.cells.length; i++) {
    if (record.cells[i]!.trim() !== '') {
      throw new PabulibError(
        record.line,
        `${section} row has more cells than its header (${columns.length} columns): extra value ${JSON.stringify(record.cells[i]!.trim())}`,
      );
    }
  }
  return columns.map((_, i) => cellValue(record.cells[i]));
}

function requireColumn(columns: string[], name: string, section: string, line: number): number {
  const index = columns.indexOf(name);
  if (index < 0) throw new PabulibError(line, `${section} header lacks the required column "${name}"`);
  return index;
}

function readNonNegative(text: string | null, what: string, line: number): Rational {
  if (text === null) throw new PabulibError(line, `${what} is missing`);
  const value = parseDecimal(text, true);
  if (value === null) throw new PabulibError(line, `${what} ${JSON.stringify(text)} is not a number`);
  if (value.n < 0n) throw new PabulibError(line, `${what} ${text} is negative`);
  return value;
}

function readCount(text: string, what: string, line: number): number {
  if (!/^\d+$/.test(text)) throw new PabulibError(line, `${what} ${JSON.stringify(text)} is not a whole number`);
  return Number(text);
}

function splitList(text: string | null): string[] {
  if (text === null) return [];
  const items: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item !== '') items.push(item);
  }
  return items;
}

function countDistinct(items: string[]): number {
  if (items.length > 16) return new Set(items).size;
  let count = 0;
  for (let i = 0; i < items.length; i++) {
    if (items.indexOf(items[i]!) === i) count++;
  }
  return count;
}

function fieldsOf(columns: string[], values: (string | null)[], structural: Set<string>): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    if (!structural.has(name)) fields[name] = values[i] ?? null;
  }
  return fields;
}

export type ParseOptions = {
  /** Receives what the reader accepted but a person should know (duplicate ids in a ballot). */
  warnings?: PbWarning[];
};

/** Reads a .pb file's text. Throws PabulibError (with a line number) on anything malformed. */
export function parsePabulib(input: string, options: ParseOptions = {}): PbInstance {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const warnings = options.warnings;

  const meta: PbMetaEntry[] = [];
  const metaLines = new Map<string, number>();
  let metaTitleLine = 0;
  // `as` keeps TypeScript from narrowing these to null: they are set inside finishMeta.
  let budget = null as Rational | null;
  let voteType = null as VoteType | null;
  let maxSumPoints = null as Rational | null;

  let projectColumns: string[] = [];
  const projects: PbProject[] = [];
  const projectLines = new Map<string, number>();
  let projectIdColumn = 0;
  let costColumn = 0;
  let projectStructural = new Set<string>();

  let voteColumns: string[] = [];
  const votes: PbVote[] = [];
  const voterLines = new Map<string, number>();
  let voterIdColumn = 0;
  let voteColumn = 0;
  let pointsColumn = -1;
  let voteStructural = new Set<string>();

  let section: SectionName | null = null;
  let expectHeader = false;
  let seenSections = 0;
  let lastLine = 0;
  let titleLine = 0;

  const finishMeta = (line: number) => {
    const get = (key: string) => meta.find((e) => e.key === key)?.value ?? null;
    const budgetText = get('budget');
    if (budgetText === null) throw new PabulibError(metaTitleLine, 'META lacks the required key "budget"');
    budget = readNonNegative(budgetText, 'budget', metaLines.get('budget') ?? line);
    const typeText = get('vote_type');
    if (typeText === null) throw new PabulibError(metaTitleLine, 'META lacks the required key "vote_type"');
    if (!(VOTE_TYPES as readonly string[]).includes(typeText)) {
      throw new PabulibError(
        metaLines.get('vote_type') ?? line,
        `vote_type "${typeText}" is not one of ${VOTE_TYPES.join(', ')}`,
      );
    }
    voteType = typeText as VoteType;
    const maxSum = get('max_sum_points');
    if (voteType === 'cumulative') {
      if (maxSum === null) throw new PabulibError(metaTitleLine, 'META lacks max_sum_points, required for cumulative votes');
      maxSumPoints = readNonNegative(maxSum, 'max_sum_points', metaLines.get('max_sum_points') ?? line);
    }
    const defaultScore = get('default_score');
    if (defaultScore !== null) readNonNegative(defaultScore, 'default_score', metaLines.get('default_score') ?? line);
  };

  for (const record of readRecords(text)) {
    lastLine = record.line;
    const cells = record.cells;
    if (isBlankRecord(cells)) continue;
    const title = sectionTitle(cells);
    if (title !== null) {
      if (expectHeader) throw new PabulibError(record.line, `section ${section!.toUpperCase()} has no header line`);
      const expected = SECTION_ORDER[seenSections];
      if (title !== expected) {
        const problem = SECTION_ORDER.indexOf(title) < seenSections
          ? `section ${title.toUpperCase()} appears twice or out of order`
          : `section ${expected!.toUpperCase()} is missing before ${title.toUpperCase()}`;
        throw new PabulibError(record.line, problem);
      }
      if (section === 'meta') finishMeta(record.line);
      section = title;
      seenSections++;
      expectHeader = true;
      titleLine = record.line;
      if (title === 'meta') metaTitleLine = record.line;
      continue;
    }
    if (section === null) {
      throw new PabulibError(record.line, `expected the section title META, found ${JSON.stringify(cells.join(';').trim().slice(0, 40))}`);
    }
    if (expectHeader) {
      expectHeader = false;
      if (section === 'meta') {
        const names = readHeader(record, 'META');
        if (names.length !== 2 || names[0]!.toLowerCase() !== 'key' || names[1]!.toLowerCase() !== 'value') {
          throw new PabulibError(record.line, `META header must be "key;value", found ${JSON.stringify(names.join(';'))}`);
        }
      } else if (section === 'projects') {
        projectColumns = readHeader(record, 'PROJECTS');
        projectIdColumn = requireColumn(projectColumns, 'project_id', 'PROJECTS', record.line);
        costColumn = requireColumn(projectColumns, 'cost', 'PROJECTS', record.line);
        projectStructural = new Set(['project_id', 'cost']);
      } else {
        voteColumns = readHeader(record, 'VOTES');
        voterIdColumn = requireColumn(voteColumns, 'voter_id', 'VOTES', record.line);
        voteColumn = requireColumn(voteColumns, 'vote', 'VOTES', record.line);
        voteStructural = new Set(['voter_id', 'vote']);
        pointsColumn = -1;
        if (voteType === 'cumulative' || voteType === 'scoring') {
          pointsColumn = requireColumn(voteColumns, 'points', 'VOTES', record.line);
          voteStructural.add('points');
        }
      }
      continue;
    }

    if (section === 'meta') {
      const values = rowCells(record, ['key', 'value'], 'META');
      const key = values[0];
      if (key === null || key === undefined) throw new PabulibError(record.line, 'META row has no key');
      if (metaLines.has(key)) {
        throw new PabulibError(record.line, `META key "${key}" appears twice (first on line ${metaLines.get(key)})`);
      }
      metaLines.set(key, record.line);
      meta.push({ key, value: values[1] ?? null });
    } else if (section === 'projects') {
      const values = rowCells(record, projectColumns, 'PROJECTS');
      if (record.cells.length < Math.max(projectIdColumn, costColumn) + 1) {
        throw new PabulibError(record.line, `project row has ${record.cells.length} cell(s) where its header has ${projectColumns.length}: the line looks cut off`);
      }
      const id = values[projectIdColumn] ?? null;
      if (id === null) throw new PabulibError(record.line, 'project row has no project_id');
      if (id.includes(',')) throw new PabulibError(record.line, `project id "${id}" contains a comma, so no ballot could name it`);
      const first = projectLines.get(id);
      if (first !== undefined) throw new PabulibError(record.line, `project id "${id}" appears twice (first on line ${first})`);
      projectLines.set(id, record.line);
      const cost = readNonNegative(values[costColumn] ?? null, `cost of project "${id}"`, record.line);
      projects.push({ id, cost, fields: fieldsOf(projectColumns, values, projectStructural) });
    } else {
      const values = rowCells(record, voteColumns, 'VOTES');
      // An empty vote cell is an empty ballot; no vote cell at all is a cut-off line.
      const needed = Math.max(voteColumn, pointsColumn) + 1;
      if (record.cells.length < needed) {
        throw new PabulibError(record.line, `vote row has ${record.cells.length} cell(s) where its header has ${voteColumns.length}: the line looks cut off`);
      }
      const voterId = values[voterIdColumn] ?? null;
      if (voterId === null) throw new PabulibError(record.line, 'vote row has no voter_id');
      const firstLine = voterLines.get(voterId);
      if (firstLine !== undefined) {
        throw new PabulibError(record.line, `voter_id "${voterId}" appears twice (first on line ${firstLine})`);
      }
      voterLines.set(voterId, record.line);
      const listed = splitList(values[voteColumn] ?? null);
      for (const id of listed) {
        if (!projectLines.has(id)) throw new PabulibError(record.line, `vote of voter "${voterId}" lists unknown project id "${id}"`);
      }
      const distinctCount = countDistinct(listed);
      let points: Rational[] | null = null;
      if (pointsColumn >= 0) {
        const pointTexts = splitList(values[pointsColumn] ?? null);
        if (pointTexts.length !== listed.length) {
          throw new PabulibError(
            record.line,
            `vote of voter "${voterId}" lists ${listed.length} project(s) but ${pointTexts.length} point value(s)`,
          );
        }
        points = pointTexts.map((p) => {
          const value = parseDecimal(p, true);
          if (value === null) throw new PabulibError(record.line, `point value ${JSON.stringify(p)} of voter "${voterId}" is not a number`);
          if (value.n < 0n) throw new PabulibError(record.line, `point value ${p} of voter "${voterId}" is negative`);
          return value;
        });
        if (voteType === 'cumulative' && maxSumPoints !== null) {
          let total: Rational = { n: 0n, d: 1n };
          for (const p of points) total = add(total, p);
          if (compare(total, maxSumPoints) > 0) {
            throw new PabulibError(record.line, `voter "${voterId}" gives more points than max_sum_points (${values[pointsColumn]} > ${toExactDecimal(maxSumPoints)})`);
          }
        }
      }
      if (distinctCount !== listed.length) {
        if (voteType === 'scoring') {
          throw new PabulibError(record.line, `voter "${voterId}" scores the same project twice`);
        }
        const how = voteType === 'cumulative' ? 'their points are added up' : 'counted once';
        warnings?.push({ line: record.line, message: `voter "${voterId}" lists the same project more than once (${how})` });
      }
      if (voteType === 'choose-1' && distinctCount > 1) {
        throw new PabulibError(record.line, `voter "${voterId}" chose ${distinctCount} projects in a choose-1 vote`);
      }
      votes.push({ voterId, projects: listed, points, fields: fieldsOf(voteColumns, values, voteStructural) });
    }
  }

  const endLine = lastLine + 1;
  if (seenSections === 0) throw new PabulibError(endLine, 'the file has no META section (is it a .pb file?)');
  if (expectHeader) throw new PabulibError(titleLine, `section ${section!.toUpperCase()} has no header line`);
  if (seenSections < 3) {
    if (section === 'meta') finishMeta(endLine);
    throw new PabulibError(endLine, `the file ends before the ${SECTION_ORDER[seenSections]!.toUpperCase()} section`);
  }

  for (const [key, actual, what] of [
    ['num_projects', projects.length, 'projects'],
    ['num_votes', votes.length, 'votes'],
  ] as const) {
    const entry = meta.find((e) => e.key === key);
    if (entry?.value == null) continue;
    const line = metaLines.get(key)!;
    const declared = readCount(entry.value, key, line);
    if (declared !== actual) throw new PabulibError(line, `${key} says ${declared} but the file has ${actual} ${what}`);
  }

  return {
    meta,
    budget: budget!,
    voteType: voteType!,
    projectColumns,
    projects,
    voteColumns,
    votes,
  };
}

/** The value of a META key, or null. */
export function metaValue(instance: PbInstance, key: string): string | null {
  return instance.meta.find((e) => e.key === key)?.value ?? null;
}

// ---------------------------------------------------------------------------------------------
// Writer

function quoteCell(value: string | null, what: string): string {
  if (value === null) return '';
  if (value !== value.trim() || value === '' || value.toLowerCase() === 'none') {
    // The reader trims cells and reads "" and `none` as missing, so such a value could not come
    // back as it is: refuse rather than write a file that reads differently.
    throw new Error(`${what}: ${JSON.stringify(value)} cannot be written (use null for a missing value)`);
  }
  if (/[;"\r\n]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

function decimalCell(value: Rational, what: string): string {
  const text = toExactDecimal(value);
  if (text === null) throw new Error(`${what} has no exact decimal form`);
  return text;
}

/**
 * Writes an instance as .pb text (LF line ends, no BOM) such that parsePabulib(writePabulib(x))
 * equals x. Throws when that cannot hold: a value the reader would change, a cost without a
 * finite decimal form, or META budget/vote_type that disagree with the typed fields.
 */
export function writePabulib(instance: PbInstance): string {
  const lines: string[] = [];
  const budgetEntry = instance.meta.find((e) => e.key === 'budget');
  const budgetValue = budgetEntry?.value == null ? null : parseDecimal(budgetEntry.value, true);
  if (budgetValue === null || compare(budgetValue, instance.budget) !== 0) {
    throw new Error('META "budget" must be present and equal to instance.budget');
  }
  if (instance.meta.find((e) => e.key === 'vote_type')?.value !== instance.voteType) {
    throw new Error('META "vote_type" must be present and equal to instance.voteType');
  }

  lines.push('META', 'key;value');
  for (const entry of instance.meta) {
    lines.push(`${quoteCell(entry.key, 'META key')};${quoteCell(entry.value, `META ${entry.key}`)}`);
  }

  lines.push('PROJECTS', instance.projectColumns.map((c) => quoteCell(c, 'PROJECTS column')).join(';'));
  for (const project of instance.projects) {
    const cells = instance.projectColumns.map((column) => {
      if (column === 'project_id') return quoteCell(project.id, 'project id');
      if (column === 'cost') return decimalCell(project.cost, `cost of project ${project.id}`);
      return quoteCell(project.fields[column] ?? null, `${column} of project ${project.id}`);
    });
    lines.push(cells.join(';'));
  }

  const usesPoints = instance.voteType === 'cumulative' || instance.voteType === 'scoring';
  lines.push('VOTES', instance.voteColumns.map((c) => quoteCell(c, 'VOTES column')).join(';'));
  for (const vote of instance.votes) {
    const cells = instance.voteColumns.map((column) => {
      if (column === 'voter_id') return quoteCell(vote.voterId, 'voter id');
      if (column === 'vote') {
        if (vote.projects.some((id) => id.includes(','))) throw new Error(`vote of ${vote.voterId}: a project id contains a comma`);
        return quoteCell(vote.projects.join(',') || null, `vote of ${vote.voterId}`);
      }
      if (column === 'points' && usesPoints) {
        const points = vote.points ?? [];
        return quoteCell(points.map((p) => decimalCell(p, `points of ${vote.voterId}`)).join(',') || null, `points of ${vote.voterId}`);
      }
      return quoteCell(vote.fields[column] ?? null, `${column} of voter ${vote.voterId}`);
    });
    lines.push(cells.join(';'));
  }
  return `${lines.join('\n')}\n`;
}
