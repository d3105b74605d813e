// The ballot box: what was voted, with no person and no time. Every channel (online, counter,
// paper) puts ballots in through `insertBallot`, inside the caller's transaction; the id is
// random and is also the voter's receipt code.
import { randomInt } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { VotingChannel } from './budget.table.ts';

// Crockford's base32: no I, L, O or U, so a receipt read aloud or copied by hand survives.
const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECEIPT_LENGTH = 12;

/** A new random ballot id / receipt code: 12 characters, 60 bits. */
export function newReceiptCode(): string {
  let code = '';
  for (let i = 0; i < RECEIPT_LENGTH; i++) code += RECEIPT_ALPHABET[randomInt(0, RECEIPT_ALPHABET.length)];
  return code;
}

/** "7KQ2M9XD43FA" → "7KQ2-M9XD-43FA", how it is shown and printed. */
export function formatReceiptCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/**
 * A receipt as typed by a person: dashes, spaces and case ignored, and the letters Crockford
 * maps (O→0, I/L→1) corrected. Null when it cannot be a receipt.
 */
export function normaliseReceiptCode(input: string): string | null {
  const code = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== RECEIPT_LENGTH) return null;
  for (const ch of code) if (!RECEIPT_ALPHABET.includes(ch)) return null;
  return code;
}

export type BallotToInsert = {
  municipalityId: number;
  cycleId: number;
  channel: VotingChannel;
  paperBatchId?: number | null;
  /** A spoilt paper ballot: kept and counted as invalid, no choices. */
  invalid?: boolean;
  /** Project ids with their envelope and value (1, points, or rank). */
  choices: { projectId: number; envelopeId: number; value: number }[];
};

/** Puts one ballot in the box; returns its id (the receipt code). */
export async function insertBallot(trx: Db, ballot: BallotToInsert): Promise<string> {
  const id = newReceiptCode();
  await trx
    .insertInto('pb_ballots')
    .values({
      id,
      municipality_id: ballot.municipalityId,
      cycle_id: ballot.cycleId,
      channel: ballot.channel,
      paper_batch_id: ballot.paperBatchId ?? null,
      invalid: ballot.invalid ? 1 : 0,
    })
    .execute();
  if (ballot.choices.length > 0) {
    await trx
      .insertInto('pb_ballot_choices')
      .values(ballot.choices.map((c) => ({ ballot_id: id, project_id: c.projectId, envelope_id: c.envelopeId, value: c.value })))
      .execute();
  }
  return id;
}

export type StoredBallot = {
  id: string;
  channel: VotingChannel;
  invalid: boolean;
  choices: { projectId: number; envelopeId: number; value: number }[];
};

/**
 * The ballots of a cycle in ballot id order (random: nothing about arrival can be read off it).
 * Ballots voided by an annulment are not here: the annulment deleted them.
 */
export async function listBallots(db: Db, municipalityId: number, cycleId: number): Promise<StoredBallot[]> {
  const ballots = await db
    .selectFrom('pb_ballots')
    .select(['id', 'channel', 'invalid'])
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .orderBy('id')
    .execute();
  const choices = await db
    .selectFrom('pb_ballot_choices')
    .innerJoin('pb_ballots', 'pb_ballots.id', 'pb_ballot_choices.ballot_id')
    .select(['pb_ballot_choices.ballot_id', 'pb_ballot_choices.project_id', 'pb_ballot_choices.envelope_id', 'pb_ballot_choices.value'])
    .where('pb_ballots.municipality_id', '=', municipalityId)
    .where('pb_ballots.cycle_id', '=', cycleId)
    .execute();
  const byBallot = new Map<string, StoredBallot['choices']>();
  for (const c of choices) {
    const list = byBallot.get(c.ballot_id) ?? [];
    list.push({ projectId: c.project_id, envelopeId: c.envelope_id, value: c.value });
    byBallot.set(c.ballot_id, list);
  }
  return ballots.map((b) => ({
    id: b.id,
    channel: b.channel,
    invalid: b.invalid === 1,
    choices: (byBallot.get(b.id) ?? []).sort((x, y) => x.projectId - y.projectId),
  }));
}
