import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import type { Actor } from '../../auth/policies.ts';
import { type AppError, type FieldError, isAppError } from '../../lib/errors.ts';
import type { PbCycleRow, PbProposalRow } from './budget.table.ts';
import { getPublicProposal, submitProposal } from './proposals.service.ts';
import { createProposalCycle, createProposalsFixture, proposalInput, type ProposalsFixture } from './proposals.test-support.ts';
import { assignReviewDepartment, decideReview, listReviewQueue, loadReviewWorkspace, putProposalOnBallot, takeProposalOffBallot } from './review.service.ts';

function appError(code: string, fields?: Record<string, string>) {
  return (error: unknown) => {
    assert.ok(isAppError(error), `expected AppError, got ${String(error)}`);
    const appErr: AppError = error;
    assert.equal(appErr.code, code);
    for (const [field, key] of Object.entries(fields ?? {})) {
      const value: FieldError | undefined = appErr.fields[field];
      assert.equal(typeof value === 'string' ? value : value?.key, key, `field ${field}`);
    }
    return true;
  };
}

const feasibleDecision = { feasible: 'yes', publicReason: '', costEstimate: '45 000', costExplanation: '12 poteaux à 3 750 DT', internalNotes: 'Voir le devis STEG' };

describeEachDatabase('technical review and ballot', (suite) => {
  let fx: ProposalsFixture;
  let cycle: PbCycleRow;

  before(async () => {
    fx = await createProposalsFixture(suite.db());
    cycle = (await createProposalCycle(suite.db(), fx, 'proposals')).cycle;
  });

  const m = () => fx.municipality.id;
  const submit = (title = 'Éclairage du stade municipal') =>
    submitProposal(suite.db(), { actor: fx.actors.citizen, municipalityId: m(), cycleId: cycle.id, locale: 'fr', input: proposalInput({ title }) });
  const fresh = (id: number) => suite.db().selectFrom('pb_proposals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const review = (id: number) => suite.db().selectFrom('pb_reviews').selectAll().where('proposal_id', '=', id).executeTakeFirst();
  const assign = (proposal: PbProposalRow, actor: Actor, departmentId = fx.departments.technical, reviewVersion: number | null = null) =>
    assignReviewDepartment(suite.db(), { actor, municipalityId: m(), proposalId: proposal.id, departmentId, reviewVersion });
  const decide = async (proposalId: number, actor: Actor, input: typeof feasibleDecision, now?: string) => {
    const [p, r] = [await fresh(proposalId), await review(proposalId)];
    return decideReview(suite.db(), { actor, municipalityId: m(), proposalId, reviewVersion: r?.version ?? 1, proposalVersion: p.version, input, now });
  };

  test('authorization matrix: the team assigns; the department decides; others cannot', async () => {
    const proposal = await submit();
    for (const actor of [fx.actors.citizen, fx.actors.agent, fx.actors.otherAgent, fx.actors.moderator]) {
      await assert.rejects(assign(proposal, actor), appError('forbidden'));
    }
    await assert.rejects(assign(proposal, null), appError('unauthenticated'));
    await assign(proposal, fx.actors.officer);
    // Stale: the review now exists at version 1.
    await assert.rejects(assign(proposal, fx.actors.officer, fx.departments.cleanliness, null), appError('stale'));

    for (const actor of [fx.actors.citizen, fx.actors.otherAgent, fx.actors.moderator]) {
      await assert.rejects(decide(proposal.id, actor, feasibleDecision), appError('forbidden'));
    }
    await decide(proposal.id, fx.actors.agent, feasibleDecision);
    assert.equal((await fresh(proposal.id)).status, 'feasible');
    const decided = (await review(proposal.id))!;
    assert.equal(decided.cost_estimate_millimes, 45_000_000);
    assert.equal(decided.reviewer_user_id, fx.users.agent.id);

    // The queue: all for the team, their own for a department, none for the other.
    const queue = (actor: Actor) => listReviewQueue(suite.db(), { actor, municipalityId: m(), cycleId: cycle.id });
    assert.ok((await queue(fx.actors.officer)).some((i) => i.proposalId === proposal.id));
    assert.ok((await queue(fx.actors.agent)).some((i) => i.proposalId === proposal.id));
    assert.ok(!(await queue(fx.actors.otherAgent)).some((i) => i.proposalId === proposal.id));
    await assert.rejects(queue(fx.actors.citizen), appError('forbidden'));
    await assert.rejects(queue(fx.actors.moderator), appError('forbidden'));
    await assert.rejects(loadReviewWorkspace(suite.db(), { actor: fx.actors.otherAgent, municipalityId: m(), cycleId: cycle.id, proposalId: proposal.id }), appError('forbidden'));
    const workspace = await loadReviewWorkspace(suite.db(), { actor: fx.actors.agent, municipalityId: m(), cycleId: cycle.id, proposalId: proposal.id });
    assert.equal(workspace.canDecide, true);
    assert.equal(workspace.canAssign, false);
    assert.equal(workspace.review?.internal_notes, 'Voir le devis STEG');

    // Reassigned to another department: the first loses it, the second gets it.
    await assign(proposal, fx.actors.officer, fx.departments.cleanliness, decided.version);
    await assert.rejects(decide(proposal.id, fx.actors.agent, feasibleDecision), appError('forbidden'));
    await decide(proposal.id, fx.actors.otherAgent, { ...feasibleDecision, feasible: 'no', publicReason: 'Terrain privé' });
    assert.equal((await fresh(proposal.id)).status, 'not_feasible');
    const audit = await suite.db().selectFrom('audit_log').select('action').where('entity_type', '=', 'pb_proposal').where('entity_id', '=', String(proposal.id)).execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['budget.review_assigned', 'budget.review_assigned', 'budget.review_decided', 'budget.review_decided']);
  });

  test('review rules: reason when not feasible, cost and explanation when feasible; notes never public', async () => {
    const proposal = await submit();
    await assert.rejects(decide(proposal.id, fx.actors.officer, feasibleDecision), appError('validation', { _form: 'budget.review.error.no_department' }));
    await assign(proposal, fx.actors.officer);
    await assert.rejects(decide(proposal.id, fx.actors.agent, { ...feasibleDecision, feasible: '' }), appError('validation', { feasible: 'validation.required' }));
    await assert.rejects(
      decide(proposal.id, fx.actors.agent, { ...feasibleDecision, feasible: 'no', publicReason: ' ' }),
      appError('validation', { publicReason: 'budget.review.error.reason_required' }),
    );
    await assert.rejects(
      decide(proposal.id, fx.actors.agent, { ...feasibleDecision, costEstimate: '', costExplanation: '' }),
      appError('validation', { costEstimate: 'budget.review.error.cost_required', costExplanation: 'budget.review.error.explanation_required' }),
    );
    await assert.rejects(decide(proposal.id, fx.actors.agent, { ...feasibleDecision, costEstimate: '0' }), appError('validation', { costEstimate: 'budget.proposals.error.cost_invalid' }));
    assert.equal((await fresh(proposal.id)).status, 'submitted', 'nothing changed');
    await decide(proposal.id, fx.actors.agent, { ...feasibleDecision, publicReason: 'Réalisable sur le domaine public' });
    const view = await getPublicProposal(suite.db(), { municipalityId: m(), cycleId: cycle.id, number: proposal.number, viewer: null });
    assert.ok(!view.hidden);
    assert.deepEqual(
      { ...view.review, decidedAt: undefined },
      { feasible: true, publicReason: 'Réalisable sur le domaine public', costEstimateMillimes: 45_000_000, costExplanation: '12 poteaux à 3 750 DT', decidedAt: undefined },
    );
    assert.ok(!JSON.stringify(view).includes('STEG'), 'internal notes are not public');
    // Stale: deciding with an old version.
    const r = (await review(proposal.id))!;
    await assert.rejects(
      decideReview(suite.db(), { actor: fx.actors.agent, municipalityId: m(), proposalId: proposal.id, reviewVersion: r.version - 1, proposalVersion: (await fresh(proposal.id)).version, input: feasibleDecision }),
      appError('stale'),
    );
  });

  test('only feasible, costed proposals go on the ballot; the team only; taken off again', async () => {
    const db = suite.db();
    const ballot = (id: number, actor: Actor, now?: string) => fresh(id).then((p) => putProposalOnBallot(db, { actor, municipalityId: m(), proposalId: id, proposalVersion: p.version, now }));
    const notReviewed = await submit('Pas encore étudiée');
    await assert.rejects(ballot(notReviewed.id, fx.actors.officer), appError('validation', { _form: 'budget.review.error.not_ballotable' }));
    const refused = await submit('Refusée par le service');
    await assign(refused, fx.actors.officer);
    await decide(refused.id, fx.actors.agent, { ...feasibleDecision, feasible: 'no', publicReason: 'Hors compétence' });
    await assert.rejects(ballot(refused.id, fx.actors.officer), appError('validation', { _form: 'budget.review.error.not_ballotable' }));

    const good = await submit('Réalisable et chiffrée');
    await assign(good, fx.actors.officer);
    await decide(good.id, fx.actors.agent, feasibleDecision);
    for (const actor of [fx.actors.agent, fx.actors.moderator, fx.actors.citizen]) await assert.rejects(ballot(good.id, actor), appError('forbidden'));
    const project = await ballot(good.id, fx.actors.officer);
    assert.equal(project.code, String(good.number));
    assert.equal(project.cost_millimes, 45_000_000);
    assert.equal(project.envelope_id, good.envelope_id);
    assert.equal((await fresh(good.id)).status, 'on_ballot');
    await assert.rejects(ballot(good.id, fx.actors.officer), appError('validation', { _form: 'budget.review.error.not_ballotable' }));
    // While on the ballot, the department cannot change its decision.
    await assert.rejects(decide(good.id, fx.actors.agent, feasibleDecision), appError('validation', { _form: 'budget.review.error.not_reviewable' }));

    await takeProposalOffBallot(db, { actor: fx.actors.officer, municipalityId: m(), proposalId: good.id, proposalVersion: (await fresh(good.id)).version });
    assert.equal((await fresh(good.id)).status, 'feasible');
    assert.equal(await db.selectFrom('pb_projects').select('id').where('proposal_id', '=', good.id).executeTakeFirst(), undefined);
    const again = await ballot(good.id, fx.actors.officer);
    assert.equal(again.code, String(good.number));
  });

  test('nothing changes once voting has opened', async () => {
    const db = suite.db();
    const proposal = await submit('Décidée trop tard');
    await assign(proposal, fx.actors.officer);
    await decide(proposal.id, fx.actors.agent, feasibleDecision);
    const opened = cycle.voting_open_at;
    await assert.rejects(decide(proposal.id, fx.actors.agent, feasibleDecision, opened), appError('validation', { _form: 'budget.proposals.error.frozen' }));
    await assert.rejects(
      assignReviewDepartment(db, { actor: fx.actors.officer, municipalityId: m(), proposalId: proposal.id, departmentId: fx.departments.cleanliness, reviewVersion: 2, now: opened }),
      appError('validation', { _form: 'budget.proposals.error.frozen' }),
    );
    const version = (await fresh(proposal.id)).version;
    await assert.rejects(putProposalOnBallot(db, { actor: fx.actors.officer, municipalityId: m(), proposalId: proposal.id, proposalVersion: version, now: opened }), appError('validation', { _form: 'budget.proposals.error.frozen' }));
    await putProposalOnBallot(db, { actor: fx.actors.officer, municipalityId: m(), proposalId: proposal.id, proposalVersion: version });
    await assert.rejects(
      takeProposalOffBallot(db, { actor: fx.actors.officer, municipalityId: m(), proposalId: proposal.id, proposalVersion: version + 1, now: opened }),
      appError('validation', { _form: 'budget.proposals.error.frozen' }),
    );
    assert.equal((await fresh(proposal.id)).status, 'on_ballot');
  });
});

describeEachDatabase('technical review: a proposal of another cycle', (suite) => {
  let fx: ProposalsFixture;
  let cycleA: PbCycleRow;
  let cycleB: PbCycleRow;

  before(async () => {
    fx = await createProposalsFixture(suite.db());
    cycleA = (await createProposalCycle(suite.db(), fx, 'proposals')).cycle;
    cycleB = (await createProposalCycle(suite.db(), fx, 'proposals')).cycle;
  });

  test('review actions under cycle A refuse a proposal of cycle B', async () => {
    const db = suite.db();
    const m = fx.municipality.id;
    const b = await submitProposal(db, { actor: fx.actors.citizen, municipalityId: m, cycleId: cycleB.id, locale: 'fr', input: proposalInput({ title: 'Proposition du cycle B' }) });
    await assert.rejects(
      assignReviewDepartment(db, { actor: fx.actors.officer, municipalityId: m, cycleId: cycleA.id, proposalId: b.id, departmentId: fx.departments.technical, reviewVersion: null }),
      appError('not_found'),
    );
    assert.equal(await db.selectFrom('pb_reviews').select('id').where('proposal_id', '=', b.id).executeTakeFirst(), undefined);
    await assignReviewDepartment(db, { actor: fx.actors.officer, municipalityId: m, cycleId: cycleB.id, proposalId: b.id, departmentId: fx.departments.technical, reviewVersion: null });
    await assert.rejects(
      decideReview(db, { actor: fx.actors.agent, municipalityId: m, cycleId: cycleA.id, proposalId: b.id, reviewVersion: 1, proposalVersion: b.version, input: feasibleDecision }),
      appError('not_found'),
    );
    await decideReview(db, { actor: fx.actors.agent, municipalityId: m, cycleId: cycleB.id, proposalId: b.id, reviewVersion: 1, proposalVersion: b.version, input: feasibleDecision });
    const decided = await db.selectFrom('pb_proposals').selectAll().where('id', '=', b.id).executeTakeFirstOrThrow();
    await assert.rejects(
      putProposalOnBallot(db, { actor: fx.actors.officer, municipalityId: m, cycleId: cycleA.id, proposalId: b.id, proposalVersion: decided.version }),
      appError('not_found'),
    );
    await putProposalOnBallot(db, { actor: fx.actors.officer, municipalityId: m, cycleId: cycleB.id, proposalId: b.id, proposalVersion: decided.version });
    const onBallot = await db.selectFrom('pb_proposals').selectAll().where('id', '=', b.id).executeTakeFirstOrThrow();
    await assert.rejects(
      takeProposalOffBallot(db, { actor: fx.actors.officer, municipalityId: m, cycleId: cycleA.id, proposalId: b.id, proposalVersion: onBallot.version }),
      appError('not_found'),
    );
    assert.equal((await db.selectFrom('pb_proposals').select('status').where('id', '=', b.id).executeTakeFirstOrThrow()).status, 'on_ballot');
  });
});
