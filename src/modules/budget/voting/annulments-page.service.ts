// The back office list of a cycle's annulments: what listAnnulments publishes (reason, count,
// date) and, for staff only, who decided each. Authorized like the signals that lead to them.
import { type Actor, authorize, can } from '../../../auth/policies.ts';
import type { Db } from '../../../db/database.ts';
import { AppError } from '../../../lib/errors.ts';
import type { PbCycleRow } from '../budget.table.ts';
import { findCycleById } from '../cycles.repository.ts';
import { listAnnulments } from './annulments.service.ts';

export type StaffAnnulment = { id: number; reason: string; count: number; by: string | null; at: string };

export async function listAnnulmentsForStaff(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; toAnnul?: boolean },
): Promise<{ cycle: PbCycleRow; annulments: StaffAnnulment[] }> {
  // The confirm step of an annulment is for those who may annul; the list for them and for
  // those who read the signals.
  if (options.toAnnul) authorize(options.actor, 'budget.annul', { municipalityId: options.municipalityId });
  else if (!can(options.actor, 'budget.annul', { municipalityId: options.municipalityId })) {
    authorize(options.actor, 'budget.view_signals', { municipalityId: options.municipalityId });
  }
  const cycle = await findCycleById(db, options.municipalityId, options.cycleId);
  if (!cycle) throw new AppError('not_found');
  const published = await listAnnulments(db, { municipalityId: options.municipalityId, cycleId: cycle.id });
  const deciders = await db
    .selectFrom('pb_annulments')
    .leftJoin('users', 'users.id', 'pb_annulments.decided_by')
    .select(['pb_annulments.id', 'users.display_name', 'users.email'])
    .where('pb_annulments.municipality_id', '=', options.municipalityId)
    .where('pb_annulments.cycle_id', '=', cycle.id)
    .execute();
  const by = new Map(deciders.map((d) => [d.id, d.display_name ?? d.email ?? null]));
  return {
    cycle,
    annulments: published.map((a) => ({ id: a.id, reason: a.reason, count: a.participationCount, by: by.get(a.id) ?? null, at: a.createdAt })),
  };
}
