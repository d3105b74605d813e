import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { type AppError, type FieldError, isAppError } from '../../lib/errors.ts';
import { addDays } from '../../lib/time.ts';
import { processPhoto, removeOrphanPhotos, storePhoto } from '../complaints/photos.ts';
import type { PbCycleRow } from './budget.table.ts';
import {
  addProposalComment,
  envelopeForArea,
  getPublicProposal,
  listProposalsForModeration,
  listPublicProposals,
  mergeProposal,
  parseCostInput,
  setProposalCommentVisibility,
  setProposalVisibility,
  submitProposal,
  supportProposal,
  withdrawProposal,
} from './proposals.service.ts';
import { createProposalCycle, createProposalsFixture, proposalInput, type ProposalsFixture } from './proposals.test-support.ts';
import { getPublicCycle } from './projects.service.ts';

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

describe('parseCostInput', () => {
  test('reads amounts exactly in millimes', () => {
    assert.equal(parseCostInput(''), null);
    assert.equal(parseCostInput('  '), null);
    assert.equal(parseCostInput('1500'), 1_500_000);
    assert.equal(parseCostInput('1 500'), 1_500_000);
    assert.equal(parseCostInput('1500,250'), 1_500_250);
    assert.equal(parseCostInput('1.5'), 1_500);
    assert.equal(parseCostInput('0.001'), 1);
    assert.equal(parseCostInput('١٢٠٠٠'), 12_000_000);
    assert.equal(parseCostInput('250 DT'), 250_000);
    assert.equal(parseCostInput('250 د.ت'), 250_000);
    // 0.1 + 0.2 style float errors cannot happen: 0.3 is read as 300 millimes.
    assert.equal(parseCostInput('0,3'), 300);
  });
  test('refuses what is not an amount', () => {
    for (const bad of ['abc', '1.2345', '-5', '1,2,3', '1e6', '9999999999999']) assert.equal(parseCostInput(bad), 'invalid', bad);
  });
});

describe('envelopeForArea', () => {
  const envelopes = [
    { id: 1, scope: 'city' as const, arrondissement_id: null, neighbourhood_id: null },
    { id: 2, scope: 'arrondissement' as const, arrondissement_id: 10, neighbourhood_id: null },
    { id: 3, scope: 'neighbourhood' as const, arrondissement_id: null, neighbourhood_id: 100 },
  ];
  test('the neighbourhood, else its arrondissement, else the city', () => {
    assert.equal(envelopeForArea(envelopes, { neighbourhoodId: 100, arrondissementId: 10 }), 3);
    assert.equal(envelopeForArea(envelopes, { neighbourhoodId: 101, arrondissementId: 10 }), 2);
    assert.equal(envelopeForArea(envelopes, { neighbourhoodId: 102, arrondissementId: 11 }), 1);
    assert.equal(envelopeForArea(envelopes, 'city'), 1);
    assert.equal(envelopeForArea(envelopes.slice(1), 'city'), null);
  });
});

describeEachDatabase('proposals', (suite) => {
  let fx: ProposalsFixture;
  let cycle: PbCycleRow;
  let envelopes: { id: number; scope: string }[];
  let dataDir: string;

  before(async () => {
    fx = await createProposalsFixture(suite.db());
    const created = await createProposalCycle(suite.db(), fx, 'proposals');
    cycle = created.cycle;
    envelopes = created.envelopes;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-pb-photos-'));
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const submit = (overrides: Parameters<typeof proposalInput>[0] = {}, actor = fx.actors.citizen, extra: { now?: string; cycleId?: number } = {}) =>
    submitProposal(suite.db(), {
      actor,
      municipalityId: fx.municipality.id,
      cycleId: extra.cycleId ?? cycle.id,
      locale: 'fr',
      input: proposalInput(overrides),
      now: extra.now,
    });

  test('a signed-in citizen submits a proposal: numbered, envelope from the area, cost in millimes, searchable', async () => {
    const row = await submit({ area: String(fx.neighbourhoodId), estimatedCost: '12 500,5', lat: '36.18', lng: '8.71' });
    assert.equal(row.status, 'submitted');
    assert.ok(row.number >= 1);
    assert.equal(row.envelope_id, envelopes.find((e) => e.scope === 'arrondissement')!.id, "the neighbourhood's arrondissement envelope");
    assert.equal(row.estimated_cost_millimes, 12_500_500);
    assert.equal(row.lat, 36.18);
    assert.match(row.search_text, /eclairage/);
    const city = await submit({ area: 'city', authorKind: 'association', associationName: 'Association des jeunes' });
    assert.equal(city.envelope_id, envelopes.find((e) => e.scope === 'city')!.id);
    assert.equal(city.association_name, 'Association des jeunes');
    assert.equal(city.number, row.number + 1);
  });

  test('invalid input is refused field by field, nothing saved', async () => {
    const before = await suite.db().selectFrom('pb_proposals').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    await assert.rejects(
      submit({ title: '', description: 'short', category: 'casino', area: '99999', lat: '36', lng: '', estimatedCost: 'lots', authorKind: 'association' }),
      appError('validation', {
        title: 'validation.required',
        description: 'validation.too_short',
        category: 'validation.invalid_choice',
        area: 'validation.invalid_choice',
        lat: 'budget.proposals.error.point_invalid',
        estimatedCost: 'budget.proposals.error.cost_invalid',
        associationName: 'validation.required',
      }),
    );
    const after = await suite.db().selectFrom('pb_proposals').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });

  test('anonymous visitors cannot propose; nobody can outside the proposals phase', async () => {
    await assert.rejects(submit({}, null as never), appError('unauthenticated'));
    await assert.rejects(submit({}, fx.actors.citizen, { now: cycle.proposals_close_at }), appError('validation', { _form: 'budget.proposals.error.not_open' }));
    const review = await createProposalCycle(suite.db(), fx, 'review');
    await assert.rejects(submit({}, fx.actors.citizen, { cycleId: review.cycle.id }), appError('validation', { _form: 'budget.proposals.error.not_open' }));
  });

  test('parallel submissions get distinct consecutive numbers', async () => {
    const fresh = await createProposalCycle(suite.db(), fx, 'proposals');
    const rows = await Promise.all(Array.from({ length: 25 }, (_, i) => submit({ title: `Proposition numéro ${i}` }, i % 2 ? fx.actors.citizen : fx.actors.citizen2, { cycleId: fresh.cycle.id })));
    const numbers = rows.map((r) => r.number).sort((a, b) => a - b);
    assert.deepEqual(numbers, Array.from({ length: 25 }, (_, i) => i + 1));
  });

  test('photos: re-encoded without EXIF, referenced by pb_photos, removed when the proposal is not saved, kept by the orphan job', async () => {
    const db = suite.db();
    const original = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#2266aa' } })
      .withExif({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '36/1 10/1 48/1' } })
      .jpeg()
      .toBuffer();
    const processed = await processPhoto(original);
    assert.equal((await sharp(processed.image).metadata()).exif, undefined, 'no EXIF kept');
    const stored = await storePhoto({ dataDir, municipalityId: fx.municipality.id, photo: processed });
    const row = await submitProposal(db, {
      actor: fx.actors.citizen,
      municipalityId: fx.municipality.id,
      cycleId: cycle.id,
      locale: 'ar',
      input: proposalInput(),
      photos: [stored],
    });
    const photos = await db.selectFrom('pb_photos').selectAll().where('proposal_id', '=', row.id).execute();
    assert.equal(photos.length, 1);
    assert.equal(photos[0]!.storage_key, stored.storageKey);

    const failed = await storePhoto({ dataDir, municipalityId: fx.municipality.id, photo: processed });
    await assert.rejects(
      submitProposal(db, { actor: fx.actors.citizen, municipalityId: fx.municipality.id, cycleId: cycle.id, locale: 'ar', input: proposalInput({ title: '' }), photos: [failed] }),
      appError('validation'),
    );
    for (const file of failed.files) assert.ok(!fs.existsSync(file), 'files of an unsaved proposal removed');

    // The complaints' orphan job shares the folder: it must keep budget photos.
    const orphan = await storePhoto({ dataDir, municipalityId: fx.municipality.id, photo: processed });
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (const file of [...stored.files, ...orphan.files]) fs.utimesSync(file, old, old);
    await removeOrphanPhotos(db, { dataDir });
    for (const file of stored.files) assert.ok(fs.existsSync(file), 'budget photo kept');
    for (const file of orphan.files) assert.ok(!fs.existsSync(file), 'orphan removed');
  });

  test('comments are counted; hiding one shows only its reason and uncounts it', async () => {
    const db = suite.db();
    const row = await submit();
    const scope = { municipalityId: fx.municipality.id, cycleId: cycle.id, number: row.number };
    await addProposalComment(db, { ...scope, actor: fx.actors.citizen2, body: 'Bonne idée' });
    await addProposalComment(db, { ...scope, actor: fx.actors.citizen, body: 'Insulte' });
    await assert.rejects(addProposalComment(db, { ...scope, actor: null, body: 'x' }), appError('unauthenticated'));
    await assert.rejects(addProposalComment(db, { ...scope, actor: fx.actors.citizen, body: '  ' }), appError('validation', { body: 'validation.required' }));
    let view = await getPublicProposal(db, { ...scope, viewer: null });
    assert.ok(!view.hidden);
    assert.equal(view.proposal.commentCount, 2);
    const insult = view.comments.find((c) => c.body === 'Insulte')!;
    await assert.rejects(
      setProposalCommentVisibility(db, { actor: fx.actors.citizen, municipalityId: fx.municipality.id, commentId: insult.id, hidden: true, reason: 'x' }),
      appError('forbidden'),
    );
    await assert.rejects(
      setProposalCommentVisibility(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, commentId: insult.id, hidden: true, reason: '' }),
      appError('validation', { reason: 'validation.required' }),
    );
    await setProposalCommentVisibility(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, commentId: insult.id, hidden: true, reason: 'Propos injurieux' });
    view = await getPublicProposal(db, { ...scope, viewer: null });
    assert.ok(!view.hidden);
    assert.equal(view.proposal.commentCount, 1);
    const hidden = view.comments.find((c) => c.id === insult.id)!;
    assert.equal(hidden.body, null);
    assert.equal(hidden.hiddenReason, 'Propos injurieux');
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'budget.comment_hidden').where('entity_id', '=', String(insult.id)).execute();
    assert.equal(audit.length, 1);
  });

  test('hiding a proposal: moderators only, a public reason, optimistic locking; the public sees only the reason', async () => {
    const db = suite.db();
    const row = await submit({ title: 'Proposition à masquer' });
    const base = { municipalityId: fx.municipality.id, proposalId: row.id, hidden: true };
    await assert.rejects(setProposalVisibility(db, { ...base, actor: fx.actors.citizen, version: row.version, reason: 'x' }), appError('forbidden'));
    await assert.rejects(setProposalVisibility(db, { ...base, actor: fx.actors.agent, version: row.version, reason: 'x' }), appError('forbidden'));
    await assert.rejects(setProposalVisibility(db, { ...base, actor: fx.actors.moderator, version: row.version, reason: '' }), appError('validation', { reason: 'validation.required' }));
    await setProposalVisibility(db, { ...base, actor: fx.actors.moderator, version: row.version, reason: 'Publicité' });
    await assert.rejects(setProposalVisibility(db, { ...base, actor: fx.actors.officer, version: row.version, reason: 'Again' }), appError('stale'));
    const view = await getPublicProposal(db, { municipalityId: fx.municipality.id, cycleId: cycle.id, number: row.number, viewer: null });
    assert.deepEqual(view, { hidden: true, number: row.number, hiddenReason: 'Publicité' });
    const list = await listPublicProposals(db, { municipalityId: fx.municipality.id, cycleId: cycle.id, filters: {}, page: 1 });
    assert.ok(!list.items.some((i) => i.id === row.id), 'hidden proposals are not listed');
    const staffList = await listProposalsForModeration(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, cycleId: cycle.id, filters: { visibility: 'hidden' }, page: 1 });
    assert.ok(staffList.items.some((i) => i.id === row.id));
    await assert.rejects(listProposalsForModeration(db, { actor: fx.actors.citizen, municipalityId: fx.municipality.id, cycleId: cycle.id, filters: {}, page: 1 }), appError('forbidden'));
    await assert.rejects(addProposalComment(db, { actor: fx.actors.citizen, municipalityId: fx.municipality.id, cycleId: cycle.id, number: row.number, body: 'x' }), appError('not_found'));
    await setProposalVisibility(db, { ...base, hidden: false, actor: fx.actors.moderator, version: row.version + 1, reason: '' });
    const shown = await getPublicProposal(db, { municipalityId: fx.municipality.id, cycleId: cycle.id, number: row.number, viewer: null });
    assert.equal(shown.hidden, false);
  });

  test('only the author withdraws, while proposals are open and before any decision', async () => {
    const db = suite.db();
    const row = await submit({ title: 'Proposition à retirer' });
    const scope = { municipalityId: fx.municipality.id, cycleId: cycle.id, number: row.number };
    await assert.rejects(withdrawProposal(db, { ...scope, actor: fx.actors.citizen2 }), appError('forbidden'));
    await assert.rejects(withdrawProposal(db, { ...scope, actor: fx.actors.officer }), appError('forbidden'));
    await assert.rejects(withdrawProposal(db, { ...scope, actor: null }), appError('unauthenticated'));
    await assert.rejects(withdrawProposal(db, { ...scope, actor: fx.actors.citizen, now: cycle.proposals_close_at }), appError('validation', { _form: 'budget.proposals.error.not_withdrawable' }));
    await withdrawProposal(db, { ...scope, actor: fx.actors.citizen });
    const view = await getPublicProposal(db, { ...scope, viewer: fx.actors.citizen });
    assert.ok(!view.hidden);
    assert.equal(view.proposal.status, 'withdrawn');
    assert.equal(view.viewerIsAuthor, true);
    await assert.rejects(withdrawProposal(db, { ...scope, actor: fx.actors.citizen }), appError('validation', { _form: 'budget.proposals.error.not_withdrawable' }));
  });

  test('public list filters, searches (accents ignored) and sorts', async () => {
    const db = suite.db();
    const fresh = await createProposalCycle(db, fx, 'proposals');
    const a = await submit({ title: 'Terrain de sport au quartier', category: 'sports' }, fx.actors.citizen, { cycleId: fresh.cycle.id });
    await submit({ title: 'Arbres sur l’avenue', category: 'green_spaces', area: String(fx.neighbourhoodId) }, fx.actors.citizen, { cycleId: fresh.cycle.id });
    const scope = { municipalityId: fx.municipality.id, cycleId: fresh.cycle.id, page: 1 };
    assert.deepEqual((await listPublicProposals(db, { ...scope, filters: { category: 'sports' } })).items.map((i) => i.id), [a.id]);
    assert.deepEqual((await listPublicProposals(db, { ...scope, filters: { q: 'TERRAIN' } })).items.map((i) => i.id), [a.id]);
    assert.equal((await listPublicProposals(db, { ...scope, filters: { neighbourhoodId: fx.neighbourhoodId } })).total, 1);
    assert.equal((await listPublicProposals(db, { ...scope, filters: { status: 'feasible' } })).total, 0);
    assert.equal((await listPublicProposals(db, { ...scope, filters: {} })).items[0]!.number, 2, 'newest first');
  });
});

describeEachDatabase('proposal support and merging', (suite) => {
  let fx: ProposalsFixture;
  let cycle: PbCycleRow;
  let during: string;

  before(async () => {
    fx = await createProposalsFixture(suite.db());
    cycle = (await createProposalCycle(suite.db(), fx, 'support')).cycle;
    during = addDays(cycle.proposals_open_at, 1);
  });

  const submit = (title: string) =>
    submitProposal(suite.db(), { actor: fx.actors.citizen, municipalityId: fx.municipality.id, cycleId: cycle.id, locale: 'ar', input: proposalInput({ title }), now: during });

  test('one support per person, even sent in parallel; the count stays exact', async () => {
    const db = suite.db();
    const row = await submit('Une place pour les enfants');
    const scope = { municipalityId: fx.municipality.id, cycleId: cycle.id, number: row.number };
    for (let round = 0; round < 3; round += 1) {
      const results = await Promise.all(Array.from({ length: 10 }, () => supportProposal(db, { ...scope, actor: fx.actors.citizen2 })));
      assert.equal(results.filter((r) => r.added).length, round === 0 ? 1 : 0);
    }
    await Promise.all([fx.actors.citizen, fx.actors.agent, fx.actors.officer].map((actor) => supportProposal(db, { ...scope, actor })));
    const fresh = await db.selectFrom('pb_proposals').select('support_count').where('id', '=', row.id).executeTakeFirstOrThrow();
    const rows = await db.selectFrom('pb_supports').select((eb) => eb.fn.countAll().as('n')).where('proposal_id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(fresh.support_count, 4);
    assert.equal(Number(rows.n), 4);
    await assert.rejects(supportProposal(db, { ...scope, actor: null }), appError('unauthenticated'));
    await assert.rejects(supportProposal(db, { ...scope, actor: fx.actors.moderator, now: cycle.voting_open_at }), appError('validation', { _form: 'budget.proposals.error.support_closed' }));
    const view = await getPublicProposal(db, { ...scope, viewer: fx.actors.citizen2 });
    assert.ok(!view.hidden && view.supportedByViewer);
  });

  test('merging X into Y carries supporters without duplicates, marks X merged, audits', async () => {
    const db = suite.db();
    const x = await submit('Proposition X à fusionner');
    const y = await submit('Proposition Y qui reste');
    const support = (number: number, actor: NonNullable<typeof fx.actors.citizen>) => supportProposal(db, { actor, municipalityId: fx.municipality.id, cycleId: cycle.id, number });
    await support(x.number, fx.actors.citizen);
    await support(x.number, fx.actors.citizen2);
    await support(y.number, fx.actors.citizen2);
    await support(y.number, fx.actors.agent);
    const base = { municipalityId: fx.municipality.id, proposalId: x.id, version: x.version };
    await assert.rejects(mergeProposal(db, { ...base, actor: fx.actors.citizen, intoNumber: y.number }), appError('forbidden'));
    await assert.rejects(mergeProposal(db, { ...base, actor: fx.actors.moderator, intoNumber: x.number }), appError('validation', { into: 'budget.proposals.error.merge_self' }));
    await assert.rejects(mergeProposal(db, { ...base, actor: fx.actors.moderator, intoNumber: 9999 }), appError('validation', { into: 'budget.proposals.error.merge_unknown' }));
    await assert.rejects(mergeProposal(db, { ...base, version: x.version + 5, actor: fx.actors.moderator, intoNumber: y.number }), appError('stale'));
    const { into } = await mergeProposal(db, { ...base, actor: fx.actors.moderator, intoNumber: y.number });
    assert.equal(into.support_count, 3, 'citizen, citizen2 (once) and agent');
    const supporters = await db.selectFrom('pb_supports').select('user_id').where('proposal_id', '=', y.id).orderBy('user_id').execute();
    assert.deepEqual(supporters.map((s) => s.user_id), [fx.users.citizen.id, fx.users.citizen2.id, fx.users.agent.id].sort((a, b) => a - b));
    const merged = await db.selectFrom('pb_proposals').selectAll().where('id', '=', x.id).executeTakeFirstOrThrow();
    assert.equal(merged.status, 'merged');
    assert.equal(merged.merged_into_id, y.id);
    const view = await getPublicProposal(db, { municipalityId: fx.municipality.id, cycleId: cycle.id, number: x.number, viewer: null });
    assert.ok(!view.hidden);
    assert.deepEqual(view.mergedInto, { number: y.number, title: y.title });
    await assert.rejects(support(x.number, fx.actors.officer), appError('validation', { _form: 'budget.proposals.error.not_supportable' }));
    await assert.rejects(mergeProposal(db, { ...base, version: merged.version, actor: fx.actors.moderator, intoNumber: y.number }), appError('validation', { _form: 'budget.proposals.error.merge_status' }));
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'budget.proposal_merged').where('entity_id', '=', String(x.id)).execute();
    assert.equal(audit.length, 1);
  });

  test('a merge while people support the target keeps the count equal to the distinct supporters', async () => {
    const db = suite.db();
    for (let round = 0; round < 3; round += 1) {
      const x = await submit(`X en parallèle ${round}`);
      const y = await submit(`Y en parallèle ${round}`);
      const support = (number: number, actor: NonNullable<typeof fx.actors.citizen>) => supportProposal(db, { actor, municipalityId: fx.municipality.id, cycleId: cycle.id, number });
      await support(x.number, fx.actors.citizen);
      await support(x.number, fx.actors.moderator);
      await Promise.all([
        mergeProposal(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, proposalId: x.id, version: x.version + 0, intoNumber: y.number }),
        support(y.number, fx.actors.citizen),
        support(y.number, fx.actors.citizen2),
        support(y.number, fx.actors.agent),
      ]);
      const row = await db.selectFrom('pb_proposals').select('support_count').where('id', '=', y.id).executeTakeFirstOrThrow();
      const distinct = await db.selectFrom('pb_supports').select((eb) => eb.fn.countAll().as('n')).where('proposal_id', '=', y.id).executeTakeFirstOrThrow();
      assert.equal(Number(distinct.n), 4, 'citizen, moderator, citizen2, agent');
      assert.equal(row.support_count, 4);
    }
  });
});

describeEachDatabase('proposals: hidden targets and ids of another cycle', (suite) => {
  let fx: ProposalsFixture;
  let cycleA: PbCycleRow;
  let cycleB: PbCycleRow;

  before(async () => {
    fx = await createProposalsFixture(suite.db());
    cycleA = (await createProposalCycle(suite.db(), fx, 'proposals')).cycle;
    cycleB = (await createProposalCycle(suite.db(), fx, 'proposals')).cycle;
  });

  const submitIn = (cycleId: number, title: string) =>
    submitProposal(suite.db(), { actor: fx.actors.citizen, municipalityId: fx.municipality.id, cycleId, locale: 'fr', input: proposalInput({ title }) });

  test('a proposal merged into one hidden later does not show the hidden one’s title', async () => {
    const db = suite.db();
    const x = await submitIn(cycleA.id, 'Proposition fusionnée X');
    const y = await submitIn(cycleA.id, 'Titre injurieux de Y');
    await mergeProposal(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, proposalId: x.id, version: x.version, intoNumber: y.number });
    const fresh = await db.selectFrom('pb_proposals').selectAll().where('id', '=', y.id).executeTakeFirstOrThrow();
    await setProposalVisibility(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, proposalId: y.id, version: fresh.version, hidden: true, reason: 'Propos injurieux' });
    const view = await getPublicProposal(db, { municipalityId: fx.municipality.id, cycleId: cycleA.id, number: x.number, viewer: null });
    assert.ok(!view.hidden);
    assert.equal(view.mergedInto, null);
    assert.ok(!JSON.stringify(view).includes('injurieux de Y'));
  });

  test('moderation under cycle A refuses a proposal or comment of cycle B', async () => {
    const db = suite.db();
    const b = await submitIn(cycleB.id, 'Proposition du cycle B');
    await addProposalComment(db, { actor: fx.actors.citizen2, municipalityId: fx.municipality.id, cycleId: cycleB.id, number: b.number, body: 'Un commentaire du cycle B' });
    const comment = await db.selectFrom('pb_comments').select('id').where('proposal_id', '=', b.id).executeTakeFirstOrThrow();
    const m = fx.municipality.id;
    await assert.rejects(
      setProposalVisibility(db, { actor: fx.actors.moderator, municipalityId: m, cycleId: cycleA.id, proposalId: b.id, version: b.version, hidden: true, reason: 'x' }),
      appError('not_found'),
    );
    await assert.rejects(
      setProposalCommentVisibility(db, { actor: fx.actors.moderator, municipalityId: m, cycleId: cycleA.id, commentId: comment.id, hidden: true, reason: 'x' }),
      appError('not_found'),
    );
    const other = await submitIn(cycleB.id, 'Autre proposition du cycle B');
    await assert.rejects(
      setProposalCommentVisibility(db, { actor: fx.actors.moderator, municipalityId: m, cycleId: cycleB.id, proposalId: other.id, commentId: comment.id, hidden: true, reason: 'x' }),
      appError('not_found'),
    );
    await assert.rejects(
      mergeProposal(db, { actor: fx.actors.moderator, municipalityId: m, cycleId: cycleA.id, proposalId: b.id, version: b.version, intoNumber: other.number }),
      appError('not_found'),
    );
    const row = await db.selectFrom('pb_proposals').select(['visibility', 'status']).where('id', '=', b.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { visibility: 'visible', status: 'submitted' });
    const c = await db.selectFrom('pb_comments').select('visibility').where('id', '=', comment.id).executeTakeFirstOrThrow();
    assert.equal(c.visibility, 'visible');
    // Under its own cycle it works.
    await setProposalVisibility(db, { actor: fx.actors.moderator, municipalityId: m, cycleId: cycleB.id, proposalId: b.id, version: b.version, hidden: true, reason: 'Doublon' });
  });

  test('the public cycle page counts the proposals the public list shows: hidden ones are not counted', async () => {
    const db = suite.db();
    const fresh = (await createProposalCycle(db, fx, 'proposals')).cycle;
    const kept = await submitIn(fresh.id, 'Proposition visible');
    const hidden = await submitIn(fresh.id, 'Proposition masquée');
    await setProposalVisibility(db, { actor: fx.actors.moderator, municipalityId: fx.municipality.id, proposalId: hidden.id, version: hidden.version, hidden: true, reason: 'Hors sujet' });
    const list = await listPublicProposals(db, { municipalityId: fx.municipality.id, cycleId: fresh.id, filters: {}, page: 1 });
    assert.deepEqual(list.items.map((i) => i.id), [kept.id]);
    const page = await getPublicCycle(db, { municipalityId: fx.municipality.id, slug: fresh.slug });
    assert.equal(page.counts.proposals, 1);
  });
});
