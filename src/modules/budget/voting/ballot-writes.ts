// The transaction a ballot is written in.
import type { Db } from '../../../db/database.ts';

/** Runs `work` in a transaction; its error rolls everything back and is rethrown. */
export async function writeBallot<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
