import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { appError, type ComplaintsFixture, createComplaintsFixture } from './complaints.test-support.ts';
import {
  type CategoryInput,
  type CategoryQuestion,
  createCategory,
  createResponseTemplate,
  emptyCategoryInput,
  getCategory,
  listCategories,
  updateCategory,
  updateResponseTemplate,
  validateAnswers,
} from './categories.service.ts';
import { DEMO_CATEGORIES, seedComplaintCatalogue } from './demo-catalogue.ts';

const label = (fr: string) => ({ ar: `ع ${fr}`, fr, en: fr });
const QUESTIONS: CategoryQuestion[] = [
  { id: 1, code: 'note', kind: 'text', label: label('Note'), required: false, options: [] },
  { id: 2, code: 'count', kind: 'number', label: label('Nombre'), required: true, options: [] },
  { id: 3, code: 'seen_on', kind: 'date', label: label('Vu le'), required: false, options: [] },
  { id: 4, code: 'kind', kind: 'single', label: label('Type'), required: true, options: [{ value: 'a', label: label('A') }, { value: 'b', label: label('B') }] },
  {
    id: 5,
    code: 'days',
    kind: 'multiple',
    label: label('Jours'),
    required: false,
    options: [{ value: 'mon', label: label('Lundi') }, { value: 'tue', label: label('Mardi') }, { value: 'wed', label: label('Mercredi') }],
  },
];

test('answers are checked against the questions and stored in a plain form', () => {
  assert.deepEqual(validateAnswers(QUESTIONS, { count: ' ٣ ', kind: 'b', days: ['wed', 'mon', 'wed'], seen_on: '2026-02-28', unknown: 'dropped', note: '  ' }), {
    count: 3,
    kind: 'b',
    days: ['mon', 'wed'],
    seen_on: '2026-02-28',
  });
  assert.deepEqual(validateAnswers(QUESTIONS, { count: '2,5', kind: 'a' }), { count: 2.5, kind: 'a' });
  assert.throws(
    () => validateAnswers(QUESTIONS, { seen_on: '2026-02-30', days: ['fri'], note: 'x'.repeat(501) }),
    appError('validation', {
      'answers.count': 'validation.required',
      'answers.kind': 'validation.required',
      'answers.seen_on': 'complaints.answers.invalid_date',
      'answers.days': 'validation.invalid_choice',
      'answers.note': 'validation.too_long',
    }),
  );
  assert.throws(() => validateAnswers(QUESTIONS, { count: '1e3', kind: ['a', 'b'] }), appError('validation', { 'answers.count': 'validation.invalid_number', 'answers.kind': 'validation.invalid_choice' }));
  assert.throws(() => validateAnswers(QUESTIONS, undefined), appError('validation'));
});

describeEachDatabase('complaints: the catalogue', (suite) => {
  let kef: ComplaintsFixture;
  let other: ComplaintsFixture;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'cata');
    other = await createComplaintsFixture(suite.db(), 'cataother');
  });

  const input = (code: string, extra: Partial<CategoryInput> = {}): CategoryInput => ({
    ...emptyCategoryInput(),
    code,
    name: { ar: 'الأرصفة المتضرّرة', fr: 'Trottoirs abîmés', en: 'Damaged pavements' },
    departmentId: kef.technical.id,
    groupCode: 'technical',
    ...extra,
  });

  test('the demo catalogue: Kef’s units, no national utility, unauthorised building sensitive, seeding twice adds nothing', async () => {
    const db = suite.db();
    const categories = await listCategories(db, { municipalityId: kef.municipality.id });
    assert.equal(categories.length, DEMO_CATEGORIES.length);
    const codes = categories.map((c) => c.code);
    for (const code of ['waste', 'sweeping', 'insects', 'landfill', 'roads', 'sidewalks', 'lighting', 'drainage', 'green_spaces', 'building_permits', 'unauthorised_building', 'hygiene', 'markets', 'public_space', 'noise', 'civil_status', 'administrative']) {
      assert.ok(codes.includes(code), code);
    }
    assert.ok(!codes.some((c) => /water|electric|sewer|sonede|steg|onas/.test(c)));
    assert.deepEqual(categories.filter((c) => c.sensitive).map((c) => c.code), ['unauthorised_building']);
    const lighting = categories.find((c) => c.code === 'lighting')!;
    assert.equal(lighting.name.ar, 'التنوير العمومي');
    assert.deepEqual(lighting.questions.map((q) => [q.code, q.kind]), [['pole_number', 'text'], ['lamps_out', 'number']]);
    assert.equal(lighting.departmentId, kef.technical.id);
    assert.deepEqual([lighting.ackDays, lighting.resolveDays], [2, 21]);
    // The test municipality has no police department: routed by the cell instead.
    assert.equal(categories.find((c) => c.code === 'noise')!.departmentId, null);
    assert.deepEqual(await seedComplaintCatalogue(db, kef.municipality.id), { categories: 0, templates: 0 });
  });

  test('the cell creates and edits categories with their questions; every change is audited', async () => {
    const db = suite.db();
    const created = await createCategory(db, {
      actor: kef.officer.actor,
      municipalityId: kef.municipality.id,
      input: input('pavements', {
        questions: [{ code: 'size', kind: 'single', label: label('Taille'), required: true, options: [{ value: 'small', label: label('Petit') }, { value: 'large', label: label('Grand') }] }],
      }),
    });
    assert.equal(created.questions[0]!.options.length, 2);
    const updated = await updateCategory(db, {
      actor: kef.officer.actor,
      municipalityId: kef.municipality.id,
      categoryId: created.id,
      version: created.version,
      input: input('pavements', { resolveDays: 10, active: false, questions: [] }),
    });
    assert.equal(updated.resolveDays, 10);
    assert.equal(updated.active, false);
    assert.deepEqual(updated.questions, []);
    assert.ok(!(await listCategories(db, { municipalityId: kef.municipality.id })).some((c) => c.id === created.id), 'inactive ones are not offered');
    assert.ok((await listCategories(db, { municipalityId: kef.municipality.id, includeInactive: true })).some((c) => c.id === created.id));
    await assert.rejects(
      updateCategory(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, categoryId: created.id, version: created.version, input: input('pavements') }),
      appError('stale'),
    );
    const audit = await db.selectFrom('audit_log').select(['action', 'before_json', 'after_json']).where('entity_type', '=', 'complaint_category').where('entity_id', '=', String(created.id)).orderBy('seq').execute();
    assert.deepEqual(audit.map((a) => a.action), ['complaint_category.created', 'complaint_category.updated']);
    assert.deepEqual(JSON.parse(audit[1]!.after_json!).resolve_days, 10);
    assert.deepEqual(JSON.parse(audit[1]!.before_json!).resolve_days, 21);
  });

  test('bad input is refused with field errors; codes are unique per municipality', async () => {
    const db = suite.db();
    const scope = { actor: kef.admin.actor, municipalityId: kef.municipality.id };
    await assert.rejects(
      createCategory(db, {
        ...scope,
        input: input('Bad Code', {
          name: { ar: '', fr: 'x', en: 'x' },
          ackDays: 5,
          resolveDays: 3,
          departmentId: other.technical.id,
          questions: [
            { code: 'q', kind: 'single', label: label('Q'), required: false, options: [{ value: 'only', label: label('Seul') }] },
            { code: 'q', kind: 'text', label: label('Q2'), required: false, options: [{ value: 'x', label: label('X') }] },
          ],
        }),
      }),
      appError('validation', {
        code: 'complaints.category.code_invalid',
        'name.ar': 'validation.required',
        resolveDays: 'complaints.category.resolve_before_ack',
        departmentId: 'validation.invalid_choice',
        'questions.0.options': 'complaints.category.options_needed',
        'questions.1.code': 'complaints.category.question_code_taken',
        'questions.1.options': 'complaints.category.options_not_allowed',
      }),
    );
    await assert.rejects(createCategory(db, { ...scope, input: input('lighting') }), appError('conflict', { code: 'complaints.category.code_taken' }));
    const elsewhere = await createCategory(db, { actor: other.admin.actor, municipalityId: other.municipality.id, input: input('cata-only', { departmentId: null }) });
    assert.equal(await getCategory(db, { municipalityId: kef.municipality.id, categoryId: elsewhere.id }), undefined);
  });

  test('only the cell and administrators manage the catalogue and reply templates, in their own municipality', async () => {
    const db = suite.db();
    for (const who of [kef.technicalHead, kef.technicalAgent, kef.moderator, kef.citizen]) {
      await assert.rejects(createCategory(db, { actor: who.actor, municipalityId: kef.municipality.id, input: input(`x-${who.user.id}`) }), appError('forbidden'));
    }
    await assert.rejects(createCategory(db, { actor: null, municipalityId: kef.municipality.id, input: input('anon') }), appError('unauthenticated'));
    await assert.rejects(createCategory(db, { actor: other.admin.actor, municipalityId: kef.municipality.id, input: input('foreign') }), appError('forbidden'));
    const template = await createResponseTemplate(db, {
      actor: kef.officer.actor,
      municipalityId: kef.municipality.id,
      input: { code: 'visit', title: label('Visite'), body: label('Une équipe passera cette semaine.') },
    });
    await assert.rejects(
      updateResponseTemplate(db, { actor: kef.technicalAgent.actor, municipalityId: kef.municipality.id, templateId: template.id, version: template.version, input: { code: 'visit', title: label('V'), body: label('B') } }),
      appError('forbidden'),
    );
    const updated = await updateResponseTemplate(db, {
      actor: kef.admin.actor,
      municipalityId: kef.municipality.id,
      templateId: template.id,
      version: template.version,
      input: { code: 'visit', title: label('Visite'), body: label('Une équipe passera demain.') },
    });
    assert.equal(updated.body.fr, 'Une équipe passera demain.');
  });
});
