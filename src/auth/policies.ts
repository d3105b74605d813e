// Who may do what: the one place authorization is decided. Services call `can` (or `authorize`,
// which throws) before acting; routes only use it to decide what to show. Tested as a full
// matrix of role × action in policies.test.ts.
import { AppError } from '../lib/errors.ts';

export const STAFF_ROLES = [
  'staff_agent',
  'department_head',
  'complaints_officer',
  'access_officer',
  'council_secretary',
  'moderator',
  'admin',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = 'citizen' | StaffRole;

/** Roles that hold only within one department. */
export const DEPARTMENT_SCOPED_ROLES: readonly StaffRole[] = ['staff_agent', 'department_head'];

export type RoleGrant = { role: StaffRole; departmentId: number | null };

/** A signed-in person as the policies see them; `null` is an anonymous visitor. */
export type Actor = {
  userId: number;
  municipalityId: number;
  roles: RoleGrant[];
} | null;

/** What an action is applied to: always in one municipality, sometimes owned or departmental. */
export type Resource = {
  municipalityId: number;
  departmentId?: number | null;
  ownerUserId?: number | null;
};

export const ACTIONS = [
  'admin.access',
  'users.view',
  'users.manage_roles',
  'reference.manage',
  'settings.manage',
  'outbox.view',
  'audit.view',
  'account.view',
  'account.manage',
] as const;
export type Action = (typeof ACTIONS)[number];

type Rule = (actor: NonNullable<Actor>, resource: Resource) => boolean;

const hasRole = (actor: NonNullable<Actor>, ...roles: StaffRole[]) => actor.roles.some((g) => roles.includes(g.role));
const isStaff = (actor: NonNullable<Actor>) => actor.roles.length > 0;
const isOwner = (actor: NonNullable<Actor>, resource: Resource) =>
  resource.ownerUserId !== undefined && resource.ownerUserId !== null && resource.ownerUserId === actor.userId;

const rules: Record<Action, Rule> = {
  // Any staff member reaches the back office; each page then asks for its own action.
  'admin.access': (actor) => isStaff(actor),
  // Listing accounts shows personal data (e-mail, phone): administrators only.
  'users.view': (actor) => hasRole(actor, 'admin'),
  'users.manage_roles': (actor) => hasRole(actor, 'admin'),
  'reference.manage': (actor) => hasRole(actor, 'admin'),
  'settings.manage': (actor) => hasRole(actor, 'admin'),
  // The outbox holds recipients' phone numbers and one-time codes.
  'outbox.view': (actor) => hasRole(actor, 'admin'),
  'audit.view': (actor) => hasRole(actor, 'admin'),
  // A person's own account: theirs alone, staff included.
  'account.view': (actor, resource) => isOwner(actor, resource),
  'account.manage': (actor, resource) => isOwner(actor, resource),
};

export function can(actor: Actor, action: Action, resource: Resource): boolean {
  if (!actor) return false;
  // Staff of one municipality never act on another's data, whatever their role.
  if (actor.municipalityId !== resource.municipalityId) return false;
  return rules[action](actor, resource);
}

/** Throws `unauthenticated` for anonymous visitors and `forbidden` for the rest. */
export function authorize(actor: Actor, action: Action, resource: Resource): asserts actor is NonNullable<Actor> {
  if (can(actor, action, resource)) return;
  throw new AppError(actor ? 'forbidden' : 'unauthenticated');
}
