// The full matrix: every role (and anonymous, and a plain citizen) × every action, on a resource
// of the actor's municipality, owned by someone else or by the actor; and the same on another
// municipality, where everything is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIONS, type Action, type Actor, authorize, can, STAFF_ROLES, type StaffRole } from './policies.ts';
import { AppError } from '../lib/errors.ts';

type Who = 'anonymous' | 'citizen' | StaffRole;
const EVERYONE: Who[] = ['anonymous', 'citizen', ...STAFF_ROLES];

function actorFor(who: Who, municipalityId = 1): Actor {
  if (who === 'anonymous') return null;
  return { userId: 10, municipalityId, roles: who === 'citizen' ? [] : [{ role: who, departmentId: who === 'staff_agent' || who === 'department_head' ? 3 : null }] };
}

const ADMIN_ONLY: Who[] = ['admin'];
const STAFF: Who[] = [...STAFF_ROLES];
const OWNER: Who[] = ['citizen', ...STAFF_ROLES];
const CELL: Who[] = ['complaints_officer', 'admin'];
const WORKERS_IN_DEPARTMENT: Who[] = [...CELL, 'department_head', 'staff_agent'];
const BUDGET_TEAM: Who[] = ['budget_officer', 'admin'];

// Who may do each action on a resource of their own municipality that they do not own…
const allowedOnOthers: Record<Action, Who[]> = {
  'admin.access': STAFF,
  'users.view': ADMIN_ONLY,
  'users.manage_roles': ADMIN_ONLY,
  'reference.manage': ADMIN_ONLY,
  'settings.manage': ADMIN_ONLY,
  'outbox.view': ADMIN_ONLY,
  'audit.view': ADMIN_ONLY,
  'account.view': [],
  'account.manage': [],
  // A complaint of the actor's department (3), not assigned to them; see the complaints matrix below.
  'complaints.view': [...WORKERS_IN_DEPARTMENT, 'moderator'],
  'complaints.triage': [...CELL, 'department_head'],
  'complaints.assign': [...CELL, 'department_head'],
  'complaints.change_status': WORKERS_IN_DEPARTMENT,
  'complaints.reply': WORKERS_IN_DEPARTMENT,
  'complaints.note': WORKERS_IN_DEPARTMENT,
  'complaints.view_personal_data': [...CELL, 'department_head'],
  'complaints.mask': [...CELL, 'moderator'],
  'complaints.export': CELL,
  'complaints.file_on_behalf': WORKERS_IN_DEPARTMENT,
  'categories.manage': CELL,
  'api_keys.manage': ADMIN_ONLY,
  // The resource is of department 3, the department-scoped roles' own.
  'budget.manage_cycles': BUDGET_TEAM,
  'budget.moderate': [...BUDGET_TEAM, 'moderator'],
  'budget.review': [...BUDGET_TEAM, 'department_head', 'staff_agent'],
  'budget.verify_voters': [...BUDGET_TEAM, 'staff_agent', 'department_head', 'complaints_officer'],
  'budget.key_paper': [...BUDGET_TEAM, 'staff_agent'],
  'budget.accept_paper': BUDGET_TEAM,
  'budget.annul': BUDGET_TEAM,
  'budget.view_signals': BUDGET_TEAM,
  'budget.publish_results': BUDGET_TEAM,
  'budget.follow_up': [...BUDGET_TEAM, 'department_head'],
};
// …and on a resource they own (their own account).
const allowedOnOwn: Record<Action, Who[]> = { ...allowedOnOthers, 'account.view': OWNER, 'account.manage': OWNER };

test('the matrix lists every action', () => {
  assert.deepEqual(Object.keys(allowedOnOthers).sort(), [...ACTIONS].sort());
});

for (const action of ACTIONS) {
  for (const who of EVERYONE) {
    test(`${who} × ${action}`, () => {
      const actor = actorFor(who);
      const others = { municipalityId: 1, ownerUserId: 99, departmentId: 3 };
      const own = { municipalityId: 1, ownerUserId: 10, departmentId: 3 };
      assert.equal(can(actor, action, others), allowedOnOthers[action].includes(who), 'on someone else’s resource');
      assert.equal(can(actor, action, own), allowedOnOwn[action].includes(who), 'on their own resource');
      // Another municipality: never, whatever the role or ownership.
      assert.equal(can(actor, action, { municipalityId: 2, ownerUserId: 10 }), false, 'in another municipality');
    });
  }
}

// Complaints depend on the complaint's department and on whom it is assigned to. The actor (user
// 10) holds department-scoped roles in department 3.
const COMPLAINT_CASES = {
  'own department': { departmentId: 3, assigneeUserId: 99 },
  'own department, assigned to them': { departmentId: 3, assigneeUserId: 10 },
  'another department': { departmentId: 4, assigneeUserId: 99 },
  'another department, assigned to them': { departmentId: 4, assigneeUserId: 10 },
  'no department yet': { departmentId: null, assigneeUserId: null },
} as const;
type ComplaintCase = keyof typeof COMPLAINT_CASES;
const ALL_CASES = Object.keys(COMPLAINT_CASES) as ComplaintCase[];
const OWN_DEPARTMENT: ComplaintCase[] = ['own department', 'own department, assigned to them'];
const ASSIGNED: ComplaintCase[] = ['own department, assigned to them', 'another department, assigned to them'];
const DEPARTMENT_OR_ASSIGNED: ComplaintCase[] = [...OWN_DEPARTMENT, 'another department, assigned to them'];

const working: Partial<Record<Who, ComplaintCase[]>> = {
  complaints_officer: ALL_CASES,
  admin: ALL_CASES,
  department_head: DEPARTMENT_OR_ASSIGNED,
  staff_agent: DEPARTMENT_OR_ASSIGNED,
};
const complaintMatrix: Partial<Record<Action, Partial<Record<Who, ComplaintCase[]>>>> = {
  'complaints.view': { ...working, moderator: ALL_CASES },
  'complaints.triage': { complaints_officer: ALL_CASES, admin: ALL_CASES, department_head: OWN_DEPARTMENT },
  'complaints.assign': { complaints_officer: ALL_CASES, admin: ALL_CASES, department_head: OWN_DEPARTMENT },
  'complaints.change_status': working,
  'complaints.reply': working,
  'complaints.note': working,
  'complaints.view_personal_data': { complaints_officer: ALL_CASES, admin: ALL_CASES, department_head: DEPARTMENT_OR_ASSIGNED, staff_agent: ASSIGNED },
  'complaints.mask': { complaints_officer: ALL_CASES, admin: ALL_CASES, moderator: ALL_CASES },
  'complaints.export': { complaints_officer: ALL_CASES, admin: ALL_CASES },
  'complaints.file_on_behalf': { complaints_officer: ALL_CASES, admin: ALL_CASES, department_head: ALL_CASES, staff_agent: ALL_CASES },
  'categories.manage': { complaints_officer: ALL_CASES, admin: ALL_CASES },
  'api_keys.manage': { admin: ALL_CASES },
};

test('the complaints matrix lists every complaints action', () => {
  assert.deepEqual(
    Object.keys(complaintMatrix).sort(),
    ACTIONS.filter((a) => a.startsWith('complaints.') || a === 'categories.manage' || a === 'api_keys.manage').sort(),
  );
});

for (const [action, allowed] of Object.entries(complaintMatrix) as [Action, Partial<Record<Who, ComplaintCase[]>>][]) {
  for (const who of EVERYONE) {
    test(`complaints: ${who} × ${action}`, () => {
      const actor = actorFor(who);
      for (const name of ALL_CASES) {
        const resource = { municipalityId: 1, ownerUserId: 50, ...COMPLAINT_CASES[name] };
        assert.equal(can(actor, action, resource), (allowed[who] ?? []).includes(name), name);
        assert.equal(can(actorFor(who, 2), action, resource), false, `${name}, staff of another municipality`);
      }
    });
  }
}

test('authorize throws unauthenticated for visitors and forbidden for the signed-in', () => {
  assert.throws(() => authorize(null, 'admin.access', { municipalityId: 1 }), (e) => e instanceof AppError && e.code === 'unauthenticated');
  assert.throws(() => authorize(actorFor('citizen'), 'admin.access', { municipalityId: 1 }), (e) => e instanceof AppError && e.code === 'forbidden');
  assert.doesNotThrow(() => authorize(actorFor('admin'), 'admin.access', { municipalityId: 1 }));
});

test('departmental budget actions hold only in the department', () => {
  const head = actorFor('department_head');
  const agent = actorFor('staff_agent');
  const elsewhere = { municipalityId: 1, departmentId: 4 };
  const nowhere = { municipalityId: 1, departmentId: null };
  for (const resource of [elsewhere, nowhere]) {
    assert.equal(can(head, 'budget.review', resource), false);
    assert.equal(can(agent, 'budget.review', resource), false);
    assert.equal(can(head, 'budget.follow_up', resource), false);
    assert.equal(can(actorFor('budget_officer'), 'budget.review', resource), true);
  }
});
