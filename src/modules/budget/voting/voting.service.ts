// Casting a ballot: online (after an SMS check), at the counter (staff checked the ID card), and
// registering a paper voter (the signature on the list when a paper ballot is handed out).
//
// Every ballot is one transaction that writes the participation register (who voted: a keyed
// hash of the ID card number, the channel, the hour) and the ballot box (what was voted: a random
// id, the choices, the channel) — two tables that share nothing. "One ballot per person" is the
// register's unique constraint pb_participations_voter_unique, not a SELECT before the INSERT:
// two requests racing for the same person both pass any check made before the write, and only
// the constraint stops the second. Its violation is turned into `already_voted`.
//
// "At most N voters per phone" is the same kind of rule: each online participation takes a
// phone slot 1…N, and (cycle, phone_hash, phone_slot) is unique; a race for a slot is retried.
import { randomToken } from '../../../lib/crypto.ts';
import { AppError, type FieldErrors, isUniqueViolation } from '../../../lib/errors.ts';
import { nowIso } from '../../../lib/time.ts';
import type { Actor } from '../../../auth/policies.ts';
import { authorize } from '../../../auth/policies.ts';
import type { Db } from '../../../db/database.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { staffAuditActor } from '../../municipalities/staff-changes.ts';
import {
  type BallotChoice,
  type BallotProblem,
  type BallotRules,
  type EnvelopeArea,
  VOTER_AGE_GROUPS,
  VOTER_GENDERS,
  envelopesForResidence,
  phaseAt,
  validateBallot,
} from '../budget.ts';
import type { PbCycleRow, PbEnvelopeRow, PbProjectRow, VotingChannel } from '../budget.table.ts';
import { insertBallot, normaliseReceiptCode } from '../ballot-box.repository.ts';
import { findCycleById, listEnvelopes, listProjects } from '../cycles.repository.ts';
import { ballotSeal } from './sealing.ts';
import { ipKey, normaliseIdNumber, voterKey } from './voters.ts';
import { tokenHash, TOKEN_TTL_MINUTES } from './phone-check.service.ts';
import { writeBallot } from './ballot-writes.ts';
import {
  ensureSealSalt,
  findBallot,
  findNeighbourhood,
  findPhoneCheckByToken,
  hasParticipation,
  insertParticipation,
  listBallotChoices,
  markTokenUsed,
  takenPhoneSlots,
} from './voting.repository.ts';

const KEY = 'budget.vote.error';

/** A validation error on one field; `_form` is the form as a whole. */
export function voteError(field: string, code: string, values?: Record<string, number | string>): AppError {
  return new AppError('validation', { fields: { [field]: values ? { key: `${KEY}.${code}`, values } : `${KEY}.${code}` } });
}

/**
 * The form fields a ballot's problems belong to: `project_<id>` for a line of the ballot,
 * `envelope_<id>` for an envelope's limits, `choices` for the ballot as a whole (empty, or a
 * project this voter may not vote for — a forged id or another district's project). Amounts are
 * in TND (the messages format them). The first problem of a field wins.
 */
export function ballotProblemFields(problems: BallotProblem[]): FieldErrors {
  const fields: FieldErrors = {};
  const put = (field: string, code: string, values?: Record<string, number | string>) => {
    if (!(field in fields)) fields[field] = values ? { key: `${KEY}.${code}`, values } : `${KEY}.${code}`;
  };
  for (const p of problems) {
    switch (p.code) {
      case 'empty':
        put('choices', 'empty');
        break;
      case 'unknown_project':
        put('choices', 'unknown_project');
        break;
      case 'duplicate_project':
        put(`project_${p.projectId}`, 'duplicate_project');
        break;
      case 'bad_points':
        put(`project_${p.projectId}`, 'bad_points');
        break;
      case 'too_few_choices':
        put(`envelope_${p.envelopeId}`, 'too_few_choices', { min: p.min });
        break;
      case 'too_many_choices':
        put(`envelope_${p.envelopeId}`, 'too_many_choices', { max: p.max });
        break;
      case 'over_budget':
        put(`envelope_${p.envelopeId}`, 'over_budget', { total: p.totalMillimes / 1000, budget: p.budgetMillimes / 1000 });
        break;
      case 'too_many_points':
        put(`envelope_${p.envelopeId}`, 'too_many_points', { total: p.total, max: p.max });
        break;
      case 'bad_ranks':
        put(`envelope_${p.envelopeId}`, 'bad_ranks');
        break;
    }
  }
  return fields;
}

export type Residence = { neighbourhoodId: number | null };

export type VoterDetails = {
  secretKey: string;
  municipalityId: number;
  cycleId: number;
  /** As typed; normalised here (8 digits of the national ID card). */
  idNumber: string;
  residence: Residence;
  /** One of VOTER_AGE_GROUPS. */
  ageGroup: string;
  /** One of VOTER_GENDERS, or null when not given. */
  gender: string | null;
  now?: string;
};

export type CastOnlineBallotOptions = VoterDetails & {
  /** The ballot token given by confirmPhoneCheck. */
  token: string;
  /** The voter's declaration that they are 18 or over and live in the municipality. */
  declaredEligible: boolean;
  choices: BallotChoice[];
  ip: string;
};

export type CastCounterBallotOptions = VoterDetails & { actor: Actor; choices: BallotChoice[] };

export type RegisterPaperVoterOptions = VoterDetails & { actor: Actor };

function envelopeArea(e: PbEnvelopeRow): EnvelopeArea {
  return { id: e.id, scope: e.scope, arrondissementId: e.arrondissement_id, neighbourhoodId: e.neighbourhood_id, budgetMillimes: e.budget_millimes };
}

function ballotRules(cycle: PbCycleRow): BallotRules {
  return {
    ballot_type: cycle.ballot_type,
    min_choices: cycle.min_choices,
    max_choices: cycle.max_choices,
    total_points: cycle.total_points,
    max_points_per_project: cycle.max_points_per_project,
  };
}

async function loadCycle(db: Db, municipalityId: number, cycleId: number): Promise<PbCycleRow> {
  const cycle = await findCycleById(db, municipalityId, cycleId);
  if (!cycle) throw new AppError('not_found');
  return cycle;
}

function channelEnabled(cycle: PbCycleRow, channel: VotingChannel): boolean {
  if (channel === 'online') return cycle.online_voting === 1;
  if (channel === 'counter') return cycle.counter_voting === 1;
  return cycle.paper_voting === 1;
}

function checkOpen(cycle: PbCycleRow, channel: VotingChannel, now: string): void {
  if (phaseAt(cycle, now) !== 'voting') throw voteError('_form', 'not_open');
  if (!channelEnabled(cycle, channel)) throw voteError('_form', 'channel_closed');
}

/** The youngest age of an age group ('18-24' → 18, '60+' → 60), or null when unknown. */
function youngestAge(group: string): number | null {
  if (!(VOTER_AGE_GROUPS as readonly string[]).includes(group)) return null;
  return Number.parseInt(group, 10);
}

type CheckedVoter = {
  secretKey: string;
  cycle: PbCycleRow;
  idNumber: string;
  voterKey: string;
  arrondissementId: number | null;
  neighbourhoodId: number | null;
  ageGroup: string;
  gender: string | null;
  now: string;
};

/** Everything about the voter that can be checked before the write: phase, channel, eligibility. */
async function checkVoter(db: Db, options: VoterDetails, channel: VotingChannel): Promise<CheckedVoter> {
  const now = options.now ?? nowIso();
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  checkOpen(cycle, channel, now);
  const idNumber = normaliseIdNumber(options.idNumber);
  if (!idNumber) throw voteError('idNumber', 'invalid_id_number');
  const youngest = youngestAge(options.ageGroup);
  if (youngest === null || youngest < cycle.min_age) throw voteError('ageGroup', 'not_eligible', { minAge: cycle.min_age });
  const gender = options.gender === null || options.gender.trim() === '' ? null : options.gender;
  if (gender !== null && !(VOTER_GENDERS as readonly string[]).includes(gender)) throw voteError('gender', 'invalid_gender');
  let arrondissementId: number | null = null;
  const neighbourhoodId = options.residence.neighbourhoodId;
  if (neighbourhoodId === null) {
    if (cycle.residence_required === 1) throw voteError('neighbourhoodId', 'residence_required');
  } else {
    const neighbourhood = await findNeighbourhood(db, options.municipalityId, neighbourhoodId);
    if (!neighbourhood) throw voteError('neighbourhoodId', 'unknown_neighbourhood');
    arrondissementId = neighbourhood.arrondissement_id;
  }
  return {
    secretKey: options.secretKey,
    cycle,
    idNumber,
    voterKey: voterKey(options.secretKey, options.municipalityId, idNumber),
    arrondissementId,
    neighbourhoodId,
    ageGroup: options.ageGroup,
    gender,
    now,
  };
}

type BallotLines = { projectId: number; envelopeId: number; value: number }[];

/** Validates the ballot against the projects of the voter's envelopes; throws the problems. */
async function checkBallot(db: Db, voter: CheckedVoter, choices: BallotChoice[]): Promise<BallotLines> {
  const { cycle } = voter;
  const envelopes = envelopesForResidence((await listEnvelopes(db, cycle.municipality_id, cycle.id)).map(envelopeArea), voter);
  const open = new Set(envelopes.map((e) => e.id));
  const projects = (await listProjects(db, cycle.municipality_id, cycle.id))
    .filter((p) => open.has(p.envelope_id))
    .map((p) => ({ id: p.id, envelopeId: p.envelope_id, costMillimes: p.cost_millimes }));
  const problems = validateBallot(ballotRules(cycle), projects, envelopes, choices);
  if (problems.length > 0) throw new AppError('validation', { fields: ballotProblemFields(problems) });
  const envelopeOf = new Map(projects.map((p) => [p.id, p.envelopeId]));
  return choices.map((c) => ({ projectId: c.projectId, envelopeId: envelopeOf.get(c.projectId)!, value: c.value }));
}

/** Which unique constraint of the register a violation is about. */
function violatedConstraint(error: unknown): 'voter' | 'phone_slot' | 'other' {
  const e = error as { constraint?: string; message?: string };
  const text = `${e.constraint ?? ''} ${e.message ?? ''}`;
  if (/pb_participations_voter_unique|pb_participations\.voter_key/.test(text)) return 'voter';
  if (/pb_participations_phone_slot_unique|pb_participations\.phone_slot/.test(text)) return 'phone_slot';
  return 'other';
}

class PhoneSlotTaken extends Error {}

type Registration = {
  voter: CheckedVoter;
  channel: VotingChannel;
  phone?: { hash: string; checkId: number };
  ipHash?: string | null;
  verifiedBy?: number | null;
  /** null for a paper voter: the paper ballot is keyed later, apart from its voter. */
  lines: BallotLines | null;
  audit?: { actor: NonNullable<Actor> };
};

/**
 * The one write: participation (+ ballot, + seal, + token used) in one transaction. Returns the
 * receipt (null for paper) and the participation id.
 */
async function register(db: Db, reg: Registration): Promise<{ receipt: string | null; participationId: number }> {
  const { voter } = reg;
  const { cycle } = voter;
  const maxAttempts = cycle.max_voters_per_phone + 2;
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeBallot(db, async (trx) => {
        let receipt: string | null = null;
        let seal: string | null = null;
        if (reg.lines) {
          const salt = cycle.seal_salt ?? (await ensureSealSalt(trx, cycle.municipality_id, cycle.id, randomToken(20)));
          if (!salt) throw voteError('_form', 'not_open');
          receipt = await insertBallot(trx, { municipalityId: cycle.municipality_id, cycleId: cycle.id, channel: reg.channel, choices: reg.lines });
          seal = ballotSeal(voter.secretKey, salt, receipt);
        }
        let slot: number | null = null;
        if (reg.phone) {
          const taken = new Set(await takenPhoneSlots(trx, cycle.municipality_id, cycle.id, reg.phone.hash));
          for (let s = 1; s <= cycle.max_voters_per_phone; s++) {
            if (!taken.has(s)) {
              slot = s;
              break;
            }
          }
          if (slot === null) {
            // Only to say the right thing to someone pressing "vote" twice: the rule itself is the
            // constraint, which the insert below would have hit.
            if (await hasParticipation(trx, cycle.municipality_id, cycle.id, voter.voterKey)) throw voteError('idNumber', 'already_voted');
            throw voteError('_form', 'phone_full', { max: cycle.max_voters_per_phone });
          }
        }
        let participationId: number;
        try {
          participationId = await insertParticipation(trx, {
            municipality_id: cycle.municipality_id,
            cycle_id: cycle.id,
            voter_key: voter.voterKey,
            channel: reg.channel,
            phone_hash: reg.phone?.hash ?? null,
            phone_slot: slot,
            ip_hash: reg.ipHash ?? null,
            arrondissement_id: voter.arrondissementId,
            neighbourhood_id: voter.neighbourhoodId,
            gender: voter.gender,
            age_group: voter.ageGroup,
            // The hour only: enough for the fraud signals, too coarse to match a ballot.
            voted_hour: voter.now.slice(0, 13),
            verified_by: reg.verifiedBy ?? null,
            ballot_seal: seal,
            annulment_id: null,
          });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const which = violatedConstraint(error);
          if (which === 'voter') throw voteError('idNumber', 'already_voted');
          if (which === 'phone_slot') throw new PhoneSlotTaken();
          throw error;
        }
        if (reg.phone && !(await markTokenUsed(trx, reg.phone.checkId, voter.now))) throw voteError('_form', 'token_used');
        if (reg.audit) {
          // No ballot id here: the audit log is kept for ever, the link must not be.
          await recordAudit(trx, {
            municipalityId: cycle.municipality_id,
            actor: staffAuditActor(reg.audit.actor),
            action: reg.channel === 'paper' ? 'budget.paper_voter_registered' : 'budget.counter_ballot_cast',
            entityType: 'pb_participation',
            entityId: participationId,
            after: { cycleId: cycle.id, channel: reg.channel },
          });
        }
        return { receipt, participationId };
      });
    } catch (error) {
      if (error instanceof PhoneSlotTaken && attempt < maxAttempts) continue;
      if (error instanceof PhoneSlotTaken) throw voteError('_form', 'phone_full', { max: cycle.max_voters_per_phone });
      throw error;
    }
  }
}

/** An online ballot, after an SMS check (see phone-check.service.ts). */
export async function castOnlineBallot(db: Db, options: CastOnlineBallotOptions): Promise<{ receipt: string }> {
  const voter = await checkVoter(db, options, 'online');
  if (!options.declaredEligible) throw voteError('declaredEligible', 'must_declare_eligible');
  const check = await findPhoneCheckByToken(db, options.municipalityId, options.cycleId, tokenHash(options.secretKey, options.token));
  if (!check || !check.verified_at || Date.parse(check.verified_at) + TOKEN_TTL_MINUTES * 60_000 <= Date.parse(voter.now)) {
    throw voteError('_form', 'token_invalid');
  }
  if (check.token_used_at) throw voteError('_form', 'token_used');
  const lines = await checkBallot(db, voter, options.choices);
  let result: Awaited<ReturnType<typeof register>>;
  try {
    result = await register(db, {
      voter,
      channel: 'online',
      phone: { hash: check.phone_hash, checkId: check.id },
      ipHash: ipKey(options.secretKey, options.ip),
      lines,
    });
  } catch (error) {
    // "Already voted" says whether a card number voted: the token is used up by the answer, so
    // that one SMS code cannot try card number after card number.
    const field = error instanceof AppError ? error.fields.idNumber : undefined;
    if (field === `${KEY}.already_voted`) await markTokenUsed(db, check.id, voter.now);
    throw error;
  }
  return { receipt: result.receipt! };
}

/** A ballot entered at the counter by staff who checked the voter's ID card. */
export async function castCounterBallot(db: Db, options: CastCounterBallotOptions): Promise<{ receipt: string }> {
  authorize(options.actor, 'budget.verify_voters', { municipalityId: options.municipalityId });
  const voter = await checkVoter(db, options, 'counter');
  const lines = await checkBallot(db, voter, options.choices);
  const result = await register(db, { voter, channel: 'counter', verifiedBy: options.actor.userId, lines, audit: { actor: options.actor } });
  return { receipt: result.receipt! };
}

/**
 * A paper voter signs the list and is handed a paper ballot: the participation (channel
 * 'paper', no seal) is written now; the ballot is keyed later with its batch, with no link back.
 */
export async function registerPaperVoter(db: Db, options: RegisterPaperVoterOptions): Promise<{ participationId: number }> {
  authorize(options.actor, 'budget.verify_voters', { municipalityId: options.municipalityId });
  const voter = await checkVoter(db, options, 'paper');
  const result = await register(db, { voter, channel: 'paper', verifiedBy: options.actor.userId, lines: null, audit: { actor: options.actor } });
  return { participationId: result.participationId };
}

export type BallotFormEnvelope = PbEnvelopeRow & { projects: PbProjectRow[] };

export type BallotForm = {
  cycle: PbCycleRow;
  rules: BallotRules;
  /** The envelopes this voter votes in (city-wide, their arrondissement's, their neighbourhood's), each with its projects in ballot order. */
  envelopes: BallotFormEnvelope[];
};

/**
 * What a voter living in `neighbourhoodId` votes on (null: the city-wide envelopes only). For the
 * ballot pages and for keying paper ballots; it does not check the phase.
 */
export async function loadBallotForm(db: Db, options: { municipalityId: number; cycleId: number; neighbourhoodId: number | null }): Promise<BallotForm> {
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  let residence = { arrondissementId: null as number | null, neighbourhoodId: null as number | null };
  if (options.neighbourhoodId !== null) {
    const neighbourhood = await findNeighbourhood(db, options.municipalityId, options.neighbourhoodId);
    if (!neighbourhood) throw voteError('neighbourhoodId', 'unknown_neighbourhood');
    residence = { arrondissementId: neighbourhood.arrondissement_id, neighbourhoodId: neighbourhood.id };
  }
  const envelopeRows = await listEnvelopes(db, options.municipalityId, options.cycleId);
  const mine = new Set(envelopesForResidence(envelopeRows.map(envelopeArea), residence).map((e) => e.id));
  const projects = await listProjects(db, options.municipalityId, options.cycleId);
  const envelopes = envelopeRows
    .filter((e) => mine.has(e.id))
    .map((e) => ({ ...e, projects: projects.filter((p) => p.envelope_id === e.id) }));
  return { cycle, rules: ballotRules(cycle), envelopes };
}

export type ReceiptView = {
  receipt: string;
  channel: VotingChannel;
  invalid: boolean;
  choices: { projectId: number; code: string; title: string; envelopeId: number; value: number }[];
};

/**
 * The ballot a receipt code names (typed loosely), or null: what anyone holding the code may see.
 * A ballot voided by an annulment is not found — the annulment deleted it from the box.
 */
export async function findReceipt(db: Db, options: { municipalityId: number; cycleId: number; receipt: string }): Promise<ReceiptView | null> {
  const code = normaliseReceiptCode(options.receipt);
  if (!code) return null;
  const ballot = await findBallot(db, options.municipalityId, options.cycleId, code);
  if (!ballot) return null;
  const choices = await listBallotChoices(db, ballot.id);
  const projects = new Map((await listProjects(db, options.municipalityId, options.cycleId)).map((p) => [p.id, p]));
  return {
    receipt: ballot.id,
    channel: ballot.channel,
    invalid: ballot.invalid === 1,
    choices: choices.map((c) => ({
      projectId: c.project_id,
      code: projects.get(c.project_id)?.code ?? '',
      title: projects.get(c.project_id)?.title ?? '',
      envelopeId: c.envelope_id,
      value: c.value,
    })),
  };
}
