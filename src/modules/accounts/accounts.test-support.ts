// Helpers for the accounts tests: a browser-like client with its own network address (so the
// per-address rate limits of one test do not leak into the next), and reading the codes we
// "sent" from the outbox, as a person would read their SMS.
import type { FastifyInstance } from 'fastify';
import type { DatabaseHandle, Db } from '../../db/database.ts';
import { buildTestApp, TestClient, testConfig } from '../../../test/support/http.ts';

let nextAddress = 1;

/** The app as the route tests need it: behind a trusted proxy, so each client has its own address. */
export function buildAccountsTestApp(database: DatabaseHandle, defaultMunicipality: string): Promise<FastifyInstance> {
  return buildTestApp(database, { config: testConfig({ TRUST_PROXY: 'true' }), defaultMunicipality });
}

export class AddressedClient extends TestClient {
  readonly address: string;

  constructor(app: FastifyInstance, host = 'localhost') {
    super(app, host);
    this.address = `10.0.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
    nextAddress += 1;
  }

  override get(url: string, headers: Record<string, string> = {}) {
    return super.get(url, { 'x-forwarded-for': this.address, ...headers });
  }

  override post(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    return super.post(url, fields, { 'x-forwarded-for': this.address, ...headers });
  }
}

export type SentMessage = { id: number; purpose: string; channel: string; subject: string | null; body: string };

export async function messagesTo(db: Db, recipient: string): Promise<SentMessage[]> {
  return db
    .selectFrom('outbox_messages')
    .select(['id', 'purpose', 'channel', 'subject', 'body'])
    .where('recipient', '=', recipient)
    .orderBy('id')
    .execute();
}

/** The code in the newest message to this address. */
export async function lastCodeSentTo(db: Db, recipient: string): Promise<string> {
  const messages = await messagesTo(db, recipient);
  const body = messages.at(-1)?.body ?? '';
  const match = /\b([0-9]{6})\b/.exec(body);
  if (!match) throw new Error(`No code in the last message to ${recipient}: ${body}`);
  return match[1]!;
}

/** A code that is not `code` (for wrong guesses that cannot be right by chance). */
export function otherCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

export async function userByContact(db: Db, contact: { email?: string; phone?: string }) {
  let query = db.selectFrom('users').selectAll();
  if (contact.email) query = query.where('email', '=', contact.email);
  if (contact.phone) query = query.where('phone', '=', contact.phone);
  return query.executeTakeFirst();
}

export async function countRows(db: Db, table: 'users' | 'sessions' | 'consents' | 'verification_codes' | 'outbox_messages'): Promise<number> {
  const rows = await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(rows.n);
}
