// Sessions: a random token in an HttpOnly cookie, stored only as its SHA-256. Sliding expiry,
// refreshed at most every few minutes so a page view is not a write.
import type { Db } from '../../db/database.ts';
import type { SessionRow, UserRow } from '../../db/schema.ts';
import type { Actor, RoleGrant, StaffRole } from '../../auth/policies.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import {
  deleteSession,
  deleteSessionsOfUser,
  findSessionWithUser,
  insertSession,
  listRoleGrants,
  touchSession,
} from './sessions.repository.ts';

const REFRESH_AFTER_MS = 5 * 60_000;

export type CurrentUser = {
  user: UserRow;
  session: SessionRow;
  actor: NonNullable<Actor>;
};

export type StartSessionOptions = { userId: number; municipalityId: number; days: number; userAgent?: string };

export async function startSession(db: Db, options: StartSessionOptions): Promise<{ token: string; sessionId: string }> {
  const token = randomToken(20);
  const now = nowIso();
  const sessionId = sha256Hex(token);
  await insertSession(db, {
    id: sessionId,
    municipality_id: options.municipalityId,
    user_id: options.userId,
    created_at: now,
    last_seen_at: now,
    expires_at: addDays(now, options.days),
    user_agent: options.userAgent?.slice(0, 200) ?? null,
  });
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', options.userId).execute();
  return { token, sessionId };
}

export async function actorOf(db: Db, user: UserRow): Promise<NonNullable<Actor>> {
  const grants = await listRoleGrants(db, user.id);
  const roles: RoleGrant[] = grants.map((g) => ({ role: g.role as StaffRole, departmentId: g.department_id }));
  return { userId: user.id, municipalityId: user.municipality_id, roles };
}

/** The signed-in person for a cookie token, or null when the token is unknown, expired, or for another municipality. */
export async function resolveSession(
  db: Db,
  options: { token: string; municipalityId: number; days: number },
): Promise<CurrentUser | null> {
  const sessionId = sha256Hex(options.token);
  const found = await findSessionWithUser(db, sessionId);
  if (!found) return null;
  const { session, user } = found;
  const now = nowIso();
  if (session.expires_at <= now || user.status !== 'active') {
    await deleteSession(db, sessionId);
    return null;
  }
  if (session.municipality_id !== options.municipalityId) return null;
  if (Date.parse(now) - Date.parse(session.last_seen_at) > REFRESH_AFTER_MS) {
    const expiresAt = addDays(now, options.days);
    await touchSession(db, sessionId, now, expiresAt);
    session.last_seen_at = now;
    session.expires_at = expiresAt;
  }
  return { user, session, actor: await actorOf(db, user) };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256Hex(token));
}

/** "Log out everywhere": every session of the user but the current one. */
export async function endOtherSessions(db: Db, userId: number, currentSessionId: string): Promise<number> {
  return deleteSessionsOfUser(db, userId, currentSessionId);
}
