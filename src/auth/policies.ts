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
  'budget_officer',
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
  /** The staff member a piece of work (a complaint) is assigned to. */
  assigneeUserId?: number | null;
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
  // Complaints. A complaint is a resource with its department and its assigned agent.
  'complaints.view',
  'complaints.triage',
  'complaints.assign',
  'complaints.change_status',
  'complaints.reply',
  'complaints.note',
  'complaints.view_personal_data',
  'complaints.mask',
  'complaints.export',
  'complaints.file_on_behalf',
  'categories.manage',
  'api_keys.manage',
  // Participatory budgeting. A proposal under review is a resource with its department.
  'budget.manage_cycles',
  'budget.moderate',
  'budget.review',
  'budget.verify_voters',
  'budget.key_paper',
  'budget.accept_paper',
  'budget.annul',
  'budget.view_signals',
  'budget.publish_results',
  'budget.follow_up',
] as const;
export type Action = (typeof ACTIONS)[number];

type Rule = (actor: NonNullable<Actor>, resource: Resource) => boolean;

const hasRole = (actor: NonNullable<Actor>, ...roles: StaffRole[]) => actor.roles.some((g) => roles.includes(g.role));
const isStaff = (actor: NonNullable<Actor>) => actor.roles.length > 0;
const isOwner = (actor: NonNullable<Actor>, resource: Resource) =>
  resource.ownerUserId !== undefined && resource.ownerUserId !== null && resource.ownerUserId === actor.userId;

/** Holds `role` for the resource's department (department-scoped roles only). */
const inDepartment = (actor: NonNullable<Actor>, resource: Resource, ...roles: StaffRole[]) =>
  resource.departmentId !== undefined &&
  resource.departmentId !== null &&
  actor.roles.some((g) => roles.includes(g.role) && g.departmentId === resource.departmentId);
const isAssignee = (actor: NonNullable<Actor>, resource: Resource) =>
  resource.assigneeUserId !== undefined && resource.assigneeUserId !== null && resource.assigneeUserId === actor.userId;

/**
 * Who works on a complaint: the complaints cell (complaints officers) and administrators on all
 * of them; a head of department on those of their department; an agent on those of their
 * department or assigned to them.
 */
const worksOnComplaint: Rule = (actor, resource) =>
  hasRole(actor, 'complaints_officer', 'admin') ||
  inDepartment(actor, resource, 'department_head', 'staff_agent') ||
  (hasRole(actor, 'staff_agent', 'department_head') && isAssignee(actor, resource));

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
  // Moderators read complaints to mask personal data in what the public sees.
  'complaints.view': (actor, resource) => worksOnComplaint(actor, resource) || hasRole(actor, 'moderator'),
  // Category, priority and department: the cell, or a head of department sending on a complaint
  // that reached them by mistake.
  'complaints.triage': (actor, resource) => hasRole(actor, 'complaints_officer', 'admin') || inDepartment(actor, resource, 'department_head'),
  // Agents do not hand work around; their head of department does.
  'complaints.assign': (actor, resource) => hasRole(actor, 'complaints_officer', 'admin') || inDepartment(actor, resource, 'department_head'),
  'complaints.change_status': worksOnComplaint,
  'complaints.reply': worksOnComplaint,
  'complaints.note': worksOnComplaint,
  // The reporter's name, phone, e-mail and the unmasked text (Organic Law 2004-63: only those who
  // need it): the cell calls people back, the head of department and the agent assigned may need
  // to reach the reporter on the spot; other agents of the department do not.
  'complaints.view_personal_data': (actor, resource) =>
    hasRole(actor, 'complaints_officer', 'admin') ||
    inDepartment(actor, resource, 'department_head') ||
    (hasRole(actor, 'staff_agent', 'department_head') && isAssignee(actor, resource)),
  'complaints.mask': (actor) => hasRole(actor, 'moderator', 'complaints_officer', 'admin'),
  // Exports carry many people's data at once.
  'complaints.export': (actor) => hasRole(actor, 'complaints_officer', 'admin'),
  // At the counter or on the phone, whoever receives the citizen types the complaint in.
  'complaints.file_on_behalf': (actor) => hasRole(actor, 'complaints_officer', 'admin', 'department_head', 'staff_agent'),
  'categories.manage': (actor) => hasRole(actor, 'complaints_officer', 'admin'),
  'api_keys.manage': (actor) => hasRole(actor, 'admin'),
  // The participatory budgeting team (budget officers) runs the cycle with the administrators.
  'budget.manage_cycles': (actor) => hasRole(actor, 'budget_officer', 'admin'),
  // Hiding proposals and comments, merging similar proposals.
  'budget.moderate': (actor) => hasRole(actor, 'budget_officer', 'moderator', 'admin'),
  // The technical review is the department's: its head and agents, on its proposals.
  'budget.review': (actor, resource) =>
    hasRole(actor, 'budget_officer', 'admin') || inDepartment(actor, resource, 'department_head', 'staff_agent'),
  // Checking an ID card at the counter and entering the citizen's ballot or handing a paper one.
  'budget.verify_voters': (actor) => hasRole(actor, 'budget_officer', 'admin', 'staff_agent', 'department_head', 'complaints_officer'),
  'budget.key_paper': (actor) => hasRole(actor, 'budget_officer', 'admin', 'staff_agent'),
  // Accepting a batch puts its ballots in the box: the team, not the keyers.
  'budget.accept_paper': (actor) => hasRole(actor, 'budget_officer', 'admin'),
  'budget.annul': (actor) => hasRole(actor, 'budget_officer', 'admin'),
  // The signals show hashed phones and IP addresses and voting hours.
  'budget.view_signals': (actor) => hasRole(actor, 'budget_officer', 'admin'),
  'budget.publish_results': (actor) => hasRole(actor, 'budget_officer', 'admin'),
  // Implementation follow-up: the team, or the department carrying the project out.
  'budget.follow_up': (actor, resource) => hasRole(actor, 'budget_officer', 'admin') || inDepartment(actor, resource, 'department_head'),
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
