// Annulling fraudulent participations: a reasoned, audited staff decision, shown in the public
// results (reason, how many, when). The participations are marked; their ballots — found
// through the seals (HMAC of the ballot id under the secret key and the cycle's salt), which
// exist only until the results are published — are DELETED from the box, and the annulment keeps
// only how many there were. Marking the ballots instead would tie each annulled voter's key to
// their ballot for ever (same annulment id on both sides). So annulments are possible while
// voting or counting, never after. A paper participation has no seal: its ballot went into a
// batch with no link back, so it cannot be found; the annulment records how many and the
// results say so.
import type { Actor } from '../../../auth/policies.ts';
import { authorize } from '../../../auth/policies.ts';
import { sql } from 'kysely';
import { dialectOf, type Db } from '../../../db/database.ts';
import { AppError } from '../../../lib/errors.ts';
import { nowIso } from '../../../lib/time.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { staffAuditActor } from '../../municipalities/staff-changes.ts';
import { phaseAt } from '../budget.ts';
import { findCycleById } from '../cycles.repository.ts';
import { ballotSeal } from './sealing.ts';
import { normaliseIdNumber, voterKey } from './voters.ts';

const KEY = 'budget.vote.error';
export const ANNUL_REASON_MAX = 2000;

export type AnnulParticipationsOptions = {
  secretKey: string;
  actor: Actor;
  municipalityId: number;
  cycleId: number;
  participationIds: number[];
  /** Public: published with the results. */
  reason: string;
  now?: string;
};

export type AnnulmentOutcome = {
  annulmentId: number;
  /** Participations annulled (those already annulled are left as they were). */
  participations: number;
  /** Ballots found through their seals and deleted from the box. */
  ballotsVoided: number;
  /** Paper participations: their ballots cannot be found. */
  paperParticipations: number;
};

export async function annulParticipations(db: Db, options: AnnulParticipationsOptions): Promise<AnnulmentOutcome> {
  authorize(options.actor, 'budget.annul', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const reason = options.reason.trim();
  if (reason === '') throw new AppError('validation', { fields: { reason: `${KEY}.reason_required` } });
  if (reason.length > ANNUL_REASON_MAX) throw new AppError('validation', { fields: { reason: { key: 'validation.too_long', values: { max: ANNUL_REASON_MAX } } } });
  const cycle = await findCycleById(db, options.municipalityId, options.cycleId);
  if (!cycle) throw new AppError('not_found');
  const phase = phaseAt(cycle, now);
  if (phase !== 'voting' && phase !== 'counting') throw new AppError('validation', { fields: { _form: `${KEY}.annul_closed` } });
  // Ids are 32-bit integer columns: PostgreSQL refuses a larger value with an error (a 500).
  const ids = [...new Set(options.participationIds)].filter((id) => Number.isSafeInteger(id) && id >= 1 && id <= 2_147_483_647);
  if (ids.length === 0) throw new AppError('validation', { fields: { participationIds: `${KEY}.nothing_to_annul` } });

  return db.transaction().execute(async (trx) => {
    // The cycle's row, locked (PostgreSQL) as the publication of the results locks it: an
    // annulment waits for a publication under way, then sees the results out and stops.
    const cycleQuery = trx.selectFrom('pb_cycles').selectAll().where('municipality_id', '=', options.municipalityId).where('id', '=', cycle.id);
    const locked = await (dialectOf(trx) === 'postgres' ? cycleQuery.forUpdate() : cycleQuery).executeTakeFirstOrThrow();
    const lockedPhase = phaseAt(locked, now);
    if (locked.results_published_at !== null || (lockedPhase !== 'voting' && lockedPhase !== 'counting')) {
      throw new AppError('validation', { fields: { _form: `${KEY}.annul_closed` } });
    }
    const salt = locked.seal_salt;
    // Locked (PostgreSQL): a second annulment of the same participations waits, then finds them
    // annulled and leaves them, instead of counting them a second time.
    const targetQuery = trx
      .selectFrom('pb_participations')
      .select(['id', 'channel', 'ballot_seal'])
      .where('municipality_id', '=', options.municipalityId)
      .where('cycle_id', '=', cycle.id)
      .where('id', 'in', ids)
      .where('annulment_id', 'is', null);
    const targets = await (dialectOf(trx) === 'postgres' ? targetQuery.forUpdate() : targetQuery).execute();
    if (targets.length === 0) throw new AppError('validation', { fields: { participationIds: `${KEY}.nothing_to_annul` } });
    const annulment = await trx
      .insertInto('pb_annulments')
      .values({
        municipality_id: options.municipalityId,
        cycle_id: cycle.id,
        reason,
        participation_count: targets.length,
        decided_by: actor.userId,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Only the participations carry the annulment: nothing left in the box points to it. The
    // card is released (its key replaced by one no card can have), so that a person whose card
    // number was used by someone else can still vote, at the counter, with their card in hand.
    await trx
      .updateTable('pb_participations')
      .set({ annulment_id: annulment.id, voter_key: sql<string>`'annulled:' || cast(id as text)` })
      .where('municipality_id', '=', options.municipalityId)
      .where('id', 'in', targets.map((t) => t.id))
      .execute();
    // Find the ballots by recomputing every ballot's seal: a few hundred thousand HMACs at most
    // for a municipality, and nothing stored that would point from a participation to a ballot
    // once the salt is gone.
    const wanted = new Set(targets.map((t) => t.ballot_seal).filter((s): s is string => s !== null));
    const ballotIds: string[] = [];
    if (wanted.size > 0 && salt) {
      const ballots = await trx
        .selectFrom('pb_ballots')
        .select('id')
        .where('municipality_id', '=', options.municipalityId)
        .where('cycle_id', '=', cycle.id)
        .where('channel', '!=', 'paper')
        .execute();
      for (const b of ballots) {
        if (wanted.has(ballotSeal(options.secretKey, salt, b.id))) ballotIds.push(b.id);
        if (ballotIds.length === wanted.size) break;
      }
      // Out of the box: the choices first (explicitly, not trusting the cascade), then the ballots.
      for (let i = 0; i < ballotIds.length; i += 500) {
        const chunk = ballotIds.slice(i, i + 500);
        await trx.deleteFrom('pb_ballot_choices').where('ballot_id', 'in', chunk).execute();
        await trx
          .deleteFrom('pb_ballots')
          .where('municipality_id', '=', options.municipalityId)
          .where('cycle_id', '=', cycle.id)
          .where('id', 'in', chunk)
          .execute();
      }
    }
    const paperParticipations = targets.filter((t) => t.channel === 'paper').length;
    await trx
      .updateTable('pb_annulments')
      .set({ ballots_voided: ballotIds.length, paper_participations: paperParticipations })
      .where('id', '=', annulment.id)
      .execute();
    // Never a ballot id in the audit log: it is kept for ever, the link must not be.
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.participations_annulled',
      entityType: 'pb_annulment',
      entityId: annulment.id,
      after: { cycleId: cycle.id, reason, participationIds: targets.map((t) => t.id), ballotsVoided: ballotIds.length, paperParticipations },
    });
    return { annulmentId: annulment.id, participations: targets.length, ballotsVoided: ballotIds.length, paperParticipations };
  });
}

export type PublicAnnulment = {
  id: number;
  reason: string;
  participationCount: number;
  ballotsVoided: number;
  /** Annulled paper participations, whose ballots could not be found. */
  paperParticipations: number;
  createdAt: string;
};

/** A cycle's annulments, oldest first: public (the results page shows them). */
export async function listAnnulments(db: Db, options: { municipalityId: number; cycleId: number }): Promise<PublicAnnulment[]> {
  const rows = await db
    .selectFrom('pb_annulments')
    .select(['id', 'reason', 'participation_count', 'ballots_voided', 'paper_participations', 'created_at'])
    .where('municipality_id', '=', options.municipalityId)
    .where('cycle_id', '=', options.cycleId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reason: r.reason,
    participationCount: r.participation_count,
    ballotsVoided: Number(r.ballots_voided),
    paperParticipations: Number(r.paper_participations),
    createdAt: r.created_at,
  }));
}

/**
 * The participation of an ID card in a cycle, for the budget team when a citizen at the counter
 * says their card "has already voted" without them: its id (to annul it), channel and hour.
 * Null when the card has no participation (or only an annulled one).
 */
export async function findParticipationByCard(
  db: Db,
  options: { secretKey: string; actor: Actor; municipalityId: number; cycleId: number; idNumber: string },
): Promise<{ id: number; channel: string; votedHour: string } | null> {
  authorize(options.actor, 'budget.annul', { municipalityId: options.municipalityId });
  const idNumber = normaliseIdNumber(options.idNumber);
  if (!idNumber) throw new AppError('validation', { fields: { idNumber: `${KEY}.invalid_id_number` } });
  const actor = options.actor;
  // Whether a given card voted is itself personal: every lookup is in the audit log (with the
  // participation found, never the card number).
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('pb_participations')
      .select(['id', 'channel', 'voted_hour'])
      .where('municipality_id', '=', options.municipalityId)
      .where('cycle_id', '=', options.cycleId)
      .where('voter_key', '=', voterKey(options.secretKey, options.municipalityId, idNumber))
      .executeTakeFirst();
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.card_looked_up',
      entityType: 'pb_cycle',
      entityId: options.cycleId,
      after: { participationId: row?.id ?? null },
    });
    return row ? { id: row.id, channel: row.channel, votedHour: row.voted_hour } : null;
  });
}
