// What the counter page reads before staff enter anything: authorized like the counter's writes
// (budget.verify_voters), so a citizen or a stranger sees neither the page nor the ballot.
import { type Actor, authorize } from '../../../auth/policies.ts';
import type { Db } from '../../../db/database.ts';
import { AppError } from '../../../lib/errors.ts';
import type { PbCycleRow } from '../budget.table.ts';
import { findCycleById } from '../cycles.repository.ts';
import { type BallotForm, loadBallotForm } from './voting.service.ts';

export type CounterPageData = { cycle: PbCycleRow; form: BallotForm | null };

export async function loadCounterPage(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; neighbourhoodId: number | null },
): Promise<CounterPageData> {
  authorize(options.actor, 'budget.verify_voters', { municipalityId: options.municipalityId });
  const cycle = await findCycleById(db, options.municipalityId, options.cycleId);
  if (!cycle) throw new AppError('not_found');
  const form = options.neighbourhoodId === null ? null : await loadBallotForm(db, { municipalityId: options.municipalityId, cycleId: cycle.id, neighbourhoodId: options.neighbourhoodId });
  return { cycle, form };
}
