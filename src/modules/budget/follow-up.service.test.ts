import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { Actor } from '../../auth/policies.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { isAppError } from '../../lib/errors.ts';
import { processPhoto, storePhoto } from '../complaints/photos.ts';
import { createTestCycle } from './budget.test-support.ts';
import { findProjectById } from './cycles.repository.ts';
import { getFollowUp, postProjectUpdate } from './follow-up.service.ts';
import { commentOnProject, getPublicProject, hideProjectComment } from './projects.service.ts';

const NOW = '2027-06-01T09:00:00.000Z';

async function rejects(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isAppError(error, code as never), `expected ${code}, got ${String(error)}`);
    if (field) assert.ok(field in error.fields, JSON.stringify(error.fields));
    return true;
  });
}

describeEachDatabase('implementation follow-up and project comments', ({ db }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-follow-up-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  let municipalityId: number;
  let officer: Actor;
  let head: Actor;
  let otherHead: Actor;
  let agent: Actor;
  let citizen: Actor;
  let moderator: Actor;
  let cycleId: number;
  let selectedId: number;
  let notSelectedId: number;
  let selectedCode: string;
  let slug: string;

  test('setup: a cycle with results, a selected project from a proposal reviewed by the technical department', async () => {
    const m = await createTestMunicipality(db(), 'pb-follow');
    municipalityId = m.id;
    const departments = await db().selectFrom('departments').select(['id', 'code']).where('municipality_id', '=', m.id).execute();
    const technical = departments.find((d) => d.code === 'technical')!.id;
    const cleanliness = departments.find((d) => d.code === 'cleanliness')!.id;
    const actorOf = async (roles: { role: 'budget_officer' | 'department_head' | 'staff_agent' | 'moderator'; departmentId?: number }[]): Promise<Actor> => {
      const user = await createTestUser(db(), { municipalityId: m.id, roles });
      return { userId: user.id, municipalityId: m.id, roles: roles.map((r) => ({ role: r.role, departmentId: r.departmentId ?? null })) };
    };
    officer = await actorOf([{ role: 'budget_officer' }]);
    head = await actorOf([{ role: 'department_head', departmentId: technical }]);
    otherHead = await actorOf([{ role: 'department_head', departmentId: cleanliness }]);
    agent = await actorOf([{ role: 'staff_agent', departmentId: technical }]);
    moderator = await actorOf([{ role: 'moderator' }]);
    citizen = await actorOf([]);
    const { cycle, envelopes, projects } = await createTestCycle(db(), m.id, { phase: 'results', now: NOW });
    cycleId = cycle.id;
    slug = cycle.slug;
    const proposal = await db()
      .insertInto('pb_proposals')
      .values({
        municipality_id: m.id,
        cycle_id: cycle.id,
        number: 1,
        author_user_id: null,
        author_kind: 'citizen',
        association_name: null,
        title: 'Éclairage',
        description: 'Des lampes',
        category: 'lighting',
        envelope_id: envelopes[0]!.id,
        neighbourhood_id: null,
        lat: null,
        lng: null,
        location_text: null,
        estimated_cost_millimes: null,
        status: 'on_ballot',
        locale: 'fr',
        created_at: NOW,
        updated_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('pb_reviews')
      .values({
        municipality_id: m.id,
        proposal_id: proposal.id,
        department_id: technical,
        reviewer_user_id: null,
        feasible: 1,
        public_reason: null,
        cost_estimate_millimes: 300_000,
        cost_explanation: null,
        internal_notes: null,
        decided_at: NOW,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    await db().updateTable('pb_projects').set({ proposal_id: proposal.id, selected: 1 }).where('id', '=', projects[0]!.id).execute();
    selectedId = projects[0]!.id;
    selectedCode = projects[0]!.code;
    notSelectedId = projects[1]!.id;
  });

  test('the team and the head of the reviewing department post updates; others may not', async () => {
    await rejects(postProjectUpdate(db(), { actor: agent, municipalityId, cycleId, projectId: selectedId, status: 'study', progressPercent: 5, body: '', photos: [] }), 'forbidden');
    await rejects(postProjectUpdate(db(), { actor: otherHead, municipalityId, cycleId, projectId: selectedId, status: 'study', progressPercent: 5, body: '', photos: [] }), 'forbidden');
    await rejects(postProjectUpdate(db(), { actor: citizen, municipalityId, cycleId, projectId: selectedId, status: 'study', progressPercent: 5, body: '', photos: [] }), 'forbidden');
    await rejects(getFollowUp(db(), { actor: agent, municipalityId, cycleId, projectId: selectedId }), 'forbidden');

    const photo = await storePhoto({
      dataDir,
      municipalityId,
      photo: await processPhoto(await sharp({ create: { width: 640, height: 480, channels: 3, background: '#2e86c1' } }).jpeg().toBuffer()),
    });
    await postProjectUpdate(db(), { actor: head, municipalityId, cycleId, projectId: selectedId, status: 'works', progressPercent: 40, body: 'Les travaux ont commencé.', photos: [photo], now: NOW });
    const project = await findProjectById(db(), municipalityId, cycleId, selectedId);
    assert.equal(project!.implementation_status, 'works');
    assert.equal(project!.progress_percent, 40);
    await postProjectUpdate(db(), { actor: officer, municipalityId, cycleId, projectId: selectedId, status: 'completed', progressPercent: 100, body: '', photos: [], now: NOW });
    const page = await getFollowUp(db(), { actor: officer, municipalityId, cycleId, projectId: selectedId });
    assert.deepEqual(page.updates.map((u) => [u.status, u.progressPercent, u.photos.length]), [
      ['works', 40, 1],
      ['completed', 100, 0],
    ]);
    const audit = await db().selectFrom('audit_log').select('action').where('municipality_id', '=', municipalityId).where('action', '=', 'budget.project_update_posted').execute();
    assert.equal(audit.length, 2);
  });

  test('bad progress, a project not selected, and the files of a refused update are removed', async () => {
    await rejects(postProjectUpdate(db(), { actor: officer, municipalityId, cycleId, projectId: selectedId, status: 'works', progressPercent: 140, body: '', photos: [] }), 'validation', 'progress');
    await rejects(postProjectUpdate(db(), { actor: officer, municipalityId, cycleId, projectId: selectedId, status: 'completed', progressPercent: 60, body: '', photos: [] }), 'validation', 'progress');
    const photo = await storePhoto({
      dataDir,
      municipalityId,
      photo: await processPhoto(await sharp({ create: { width: 320, height: 240, channels: 3, background: '#27ae60' } }).jpeg().toBuffer()),
    });
    assert.ok(fs.existsSync(photo.files[0]!));
    await rejects(postProjectUpdate(db(), { actor: officer, municipalityId, cycleId, projectId: notSelectedId, status: 'study', progressPercent: 0, body: '', photos: [photo] }), 'conflict');
    assert.equal(fs.existsSync(photo.files[0]!), false);
    assert.equal((await findProjectById(db(), municipalityId, cycleId, notSelectedId))!.implementation_status, 'not_started');
  });

  test('citizens comment on selected projects; moderators hide with a public reason', async () => {
    await rejects(commentOnProject(db(), { actor: null, municipalityId, cycleId, projectId: selectedId, body: 'Merci' }), 'unauthenticated');
    await rejects(commentOnProject(db(), { actor: citizen, municipalityId, cycleId, projectId: notSelectedId, body: 'Merci' }), 'conflict');
    await rejects(commentOnProject(db(), { actor: citizen, municipalityId, cycleId, projectId: selectedId, body: '   ' }), 'validation', 'body');
    const id = await commentOnProject(db(), { actor: citizen, municipalityId, cycleId, projectId: selectedId, body: 'Enfin de la lumière !' });
    await rejects(hideProjectComment(db(), { actor: citizen, municipalityId, projectId: selectedId, commentId: id, reason: 'x' }), 'forbidden');
    await rejects(hideProjectComment(db(), { actor: head, municipalityId, projectId: selectedId, commentId: id, reason: 'x' }), 'forbidden');
    let page = await getPublicProject(db(), { actor: null, municipalityId, slug, code: selectedCode, now: NOW });
    assert.equal(page.comments[0]!.body, 'Enfin de la lumière !');
    const author = await db().selectFrom('users').select('display_name').where('id', '=', citizen!.userId).executeTakeFirstOrThrow();
    assert.equal(page.comments[0]!.authorName, author.display_name);
    assert.equal(page.canComment, false);
    await hideProjectComment(db(), { actor: moderator, municipalityId, projectId: selectedId, commentId: id, reason: 'Hors sujet' });
    page = await getPublicProject(db(), { actor: citizen, municipalityId, slug, code: selectedCode, now: NOW });
    assert.equal(page.comments[0]!.body, null);
    assert.equal(page.comments[0]!.hiddenReason, 'Hors sujet');
    // As on a proposal's page: a hidden comment does not name its author.
    assert.equal(page.comments[0]!.authorName, null);
    assert.equal(page.canComment, true);
    assert.equal(page.origin?.number, 1);
    assert.equal(page.updates.length, 2);
  });
});
