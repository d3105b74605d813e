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

test('authorize throws unauthenticated for visitors and forbidden for the signed-in', () => {
  assert.throws(() => authorize(null, 'admin.access', { municipalityId: 1 }), (e) => e instanceof AppError && e.code === 'unauthenticated');
  assert.throws(() => authorize(actorFor('citizen'), 'admin.access', { municipalityId: 1 }), (e) => e instanceof AppError && e.code === 'forbidden');
  assert.doesNotThrow(() => authorize(actorFor('admin'), 'admin.access', { municipalityId: 1 }));
});
