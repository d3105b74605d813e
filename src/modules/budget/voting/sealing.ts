// Sealing: while a vote is open, each participation keeps an HMAC of its ballot's id under the
// secret key and the cycle's random salt, so that an annulment can find the very ballot of an
// annulled participation and delete it from the box. When the results are published the salt and the seals are erased in
// the same transaction: from then on no ballot can be linked to anyone, even with the key.
import type { Db } from '../../../db/database.ts';
import { hmacHex } from '../../../lib/crypto.ts';

/** The seal of a ballot: HMAC(secret key + cycle salt, ballot id). */
export function ballotSeal(secretKey: string, sealSalt: string, ballotId: string): string {
  return hmacHex(`${secretKey}:${sealSalt}`, ballotId);
}

/**
 * Erases the cycle's salt, every participation's seal and the cycle's SMS checks; call inside the
 * publication transaction.
 */
export async function sealCycleBallots(trx: Db, options: { municipalityId: number; cycleId: number }): Promise<void> {
  await trx
    .updateTable('pb_participations')
    .set({ ballot_seal: null })
    .where('municipality_id', '=', options.municipalityId)
    .where('cycle_id', '=', options.cycleId)
    .where('ballot_seal', 'is not', null)
    .execute();
  // The SMS checks keep exact times beside phone and address hashes, for the limits and the
  // fraud signals; once nothing can be annulled any more they have no use left.
  await trx.deleteFrom('pb_phone_checks').where('municipality_id', '=', options.municipalityId).where('cycle_id', '=', options.cycleId).execute();
  await trx
    .updateTable('pb_cycles')
    .set({ seal_salt: null })
    .where('municipality_id', '=', options.municipalityId)
    .where('id', '=', options.cycleId)
    .execute();
}
