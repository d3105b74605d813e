// The back office's front page: a few counts, each shown only to those who may open the page
// behind it.
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { OutboxStatus } from '../../db/schema.ts';
import { countAuditRows } from '../audit/audit.repository.ts';
import { countOutboxByStatus } from './outbox.repository.ts';
import { countStaffMembers, countUsers } from './users.repository.ts';

export type Dashboard = {
  people: { users: number; staff: number } | null;
  outbox: Record<OutboxStatus, number> | null;
  audit: { entries: number } | null;
};

export async function loadDashboard(db: Db, options: { actor: Actor; municipalityId: number }): Promise<Dashboard> {
  const { actor, municipalityId } = options;
  authorize(actor, 'admin.access', { municipalityId });
  const resource = { municipalityId };
  const mayViewPeople = can(actor, 'users.view', resource) || can(actor, 'users.manage_roles', resource);
  const [users, staff, outbox, entries] = await Promise.all([
    mayViewPeople ? countUsers(db, { municipalityId, searchContact: false }) : null,
    mayViewPeople ? countStaffMembers(db, municipalityId) : null,
    can(actor, 'outbox.view', resource) ? countOutboxByStatus(db, municipalityId) : null,
    can(actor, 'audit.view', resource) ? countAuditRows(db, municipalityId) : null,
  ]);
  return {
    people: users === null || staff === null ? null : { users, staff },
    outbox,
    audit: entries === null ? null : { entries },
  };
}
