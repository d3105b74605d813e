// A person's right to erasure (Organic Law 2004-63) reaches their complaints: when an account is
// erased, its name, phone number and e-mail address are removed from the complaints it filed
// and from every complaint it follows, so nothing can reach or identify the person any more.
// The complaints themselves stay (they are the municipality's record of a public problem), and
// the "me too" counts stay as anonymous figures. The text they wrote is not touched: a
// moderator masks what identifies someone in it.
import type { Db } from '../../db/database.ts';

export type ForgetComplaintReporterOptions = {
  municipalityId: number;
  userId: number;
  /** The person's phone numbers (E.164) and e-mail addresses, as complaints filed without an account may carry them. */
  addresses: string[];
};

/** Call in the erasure's transaction. Returns how many complaints and follows were cleared. */
export async function forgetComplaintReporter(trx: Db, options: ForgetComplaintReporterOptions): Promise<{ complaints: number; follows: number }> {
  const addresses = [...new Set(options.addresses.filter((a) => a.trim() !== ''))];
  const cleared = await trx
    .updateTable('complaints')
    .set({ contact_name: null, contact_phone: null, contact_email: null })
    .where('municipality_id', '=', options.municipalityId)
    .where((eb) => {
      const matches = [eb('reporter_user_id', '=', options.userId)];
      if (addresses.length > 0) matches.push(eb('contact_phone', 'in', addresses), eb('contact_email', 'in', addresses));
      return eb.or(matches);
    })
    .executeTakeFirst();
  const follows = await trx
    .deleteFrom('complaint_followers')
    .where('municipality_id', '=', options.municipalityId)
    .where((eb) => {
      const matches = [eb('user_id', '=', options.userId)];
      if (addresses.length > 0) matches.push(eb('contact', 'in', addresses));
      return eb.or(matches);
    })
    .executeTakeFirst();
  return { complaints: Number(cleared.numUpdatedRows), follows: Number(follows.numDeletedRows) };
}
