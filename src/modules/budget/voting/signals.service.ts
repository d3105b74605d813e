// Fraud signals for the budget team: what looks like mass voting (bursts in an hour, from one
// address, on one phone), phones shared by several voters, voting at night, failed SMS checks.
// A report for people to look into — never an automatic block: a family sharing a phone or a
// youth centre's wifi is normal, and only staff, with a reason, may annul (annulments.service.ts).
// Each signal carries the participation ids behind it so that staff can annul them.
// Built from the register only (hour, keyed hashes): nothing here reaches the ballot box.
import type { Actor } from '../../../auth/policies.ts';
import { authorize } from '../../../auth/policies.ts';
import type { Db } from '../../../db/database.ts';
import { AppError } from '../../../lib/errors.ts';
import { TIME_ZONE } from '../../../i18n/i18n.ts';
import { findCycleById } from '../cycles.repository.ts';

export type SignalThresholds = {
  /** An hour is a burst when it has more than this many times the median hour… */
  burstFactor: number;
  /** …and at least this many participations. */
  burstMinimum: number;
  /** Participations from one address in one hour above which it is flagged. */
  ipPerHour: number;
  /** Participations with one phone at or above which it is flagged (besides the list of shared phones). */
  phoneVoters: number;
  /** Failed SMS checks from one address at or above which it is flagged. */
  failedChecksPerIp: number;
};

export const DEFAULT_THRESHOLDS: SignalThresholds = { burstFactor: 3, burstMinimum: 20, ipPerHour: 10, phoneVoters: 3, failedChecksPerIp: 5 };

/** First local hour (Africa/Tunis) counted as night, and the first that is not. */
export const NIGHT_FROM = 0;
export const NIGHT_UNTIL = 6;

export type HourCount = { hour: string; localHour: string; count: number };

export type FraudSignals = {
  /** Participations per hour (UTC 'YYYY-MM-DDTHH', with the local hour), every hour from first to last. */
  hourly: HourCount[];
  /** The median of the hours that had participations. */
  medianHourly: number;
  burstHours: (HourCount & { ratio: number; participationIds: number[] })[];
  ipBursts: { ip: string; hour: string; localHour: string; count: number; participationIds: number[] }[];
  /** Phones with at least two voters, most first; `flagged` at or above the phoneVoters threshold. */
  sharedPhones: { phone: string; count: number; flagged: boolean; participationIds: number[] }[];
  /** Per local day: participations between 00:00 and 05:59 (Africa/Tunis) and their share. */
  nightByDay: { day: string; total: number; night: number; share: number; participationIds: number[] }[];
  /** Addresses with failed SMS checks (a code typed wrong, or expired unconfirmed), most first. */
  failedChecksByIp: { ip: string; failed: number; checks: number; flagged: boolean }[];
  thresholds: SignalThresholds;
  /** Participations looked at (annulled ones are left out). */
  participations: number;
};

const localParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

/** '2027-03-14T21' (UTC) → '2027-03-14T22' in Africa/Tunis. */
export function localHourOf(utcHour: string): string {
  const parts = Object.fromEntries(localParts.formatToParts(new Date(`${utcHour}:00:00Z`)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}`;
}

function nextHour(hour: string): string {
  return new Date(Date.parse(`${hour}:00:00Z`) + 3_600_000).toISOString().slice(0, 13);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A short label for a keyed hash: enough to tell two apart on screen, nothing to look up. */
function label(hash: string): string {
  return hash.slice(0, 10);
}

function groupBy<T>(items: T[], key: (item: T) => string | null): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = map.get(k) ?? [];
    list.push(item);
    map.set(k, list);
  }
  return map;
}

export async function fraudSignals(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; thresholds?: Partial<SignalThresholds>; now?: string },
): Promise<FraudSignals> {
  authorize(options.actor, 'budget.view_signals', { municipalityId: options.municipalityId });
  const cycle = await findCycleById(db, options.municipalityId, options.cycleId);
  if (!cycle) throw new AppError('not_found');
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const rows = await db
    .selectFrom('pb_participations')
    .select(['id', 'phone_hash', 'ip_hash', 'voted_hour'])
    .where('municipality_id', '=', options.municipalityId)
    .where('cycle_id', '=', cycle.id)
    .where('annulment_id', 'is', null)
    .orderBy('id')
    .execute();

  const byHour = groupBy(rows, (r) => r.voted_hour);
  const hours = [...byHour.keys()].sort();
  const hourly: HourCount[] = [];
  if (hours.length > 0) {
    for (let h = hours[0]!; h <= hours[hours.length - 1]!; h = nextHour(h)) {
      hourly.push({ hour: h, localHour: localHourOf(h), count: byHour.get(h)?.length ?? 0 });
    }
  }
  const medianHourly = median([...byHour.values()].map((list) => list.length));
  const burstHours = hourly
    .filter((h) => h.count >= thresholds.burstMinimum && h.count > thresholds.burstFactor * medianHourly)
    .map((h) => ({ ...h, ratio: medianHourly > 0 ? h.count / medianHourly : 0, participationIds: byHour.get(h.hour)!.map((r) => r.id) }));

  const ipBursts: FraudSignals['ipBursts'] = [];
  for (const [key, list] of groupBy(rows, (r) => (r.ip_hash === null ? null : `${r.ip_hash} ${r.voted_hour}`))) {
    if (list.length <= thresholds.ipPerHour) continue;
    const [ip, hour] = key.split(' ') as [string, string];
    ipBursts.push({ ip: label(ip), hour, localHour: localHourOf(hour), count: list.length, participationIds: list.map((r) => r.id) });
  }
  ipBursts.sort((a, b) => b.count - a.count || a.hour.localeCompare(b.hour));

  const sharedPhones = [...groupBy(rows, (r) => r.phone_hash)]
    .filter(([, list]) => list.length >= 2)
    .map(([phone, list]) => ({ phone: label(phone), count: list.length, flagged: list.length >= thresholds.phoneVoters, participationIds: list.map((r) => r.id) }))
    .sort((a, b) => b.count - a.count || a.phone.localeCompare(b.phone));

  const withLocal = rows.map((r) => ({ ...r, local: localHourOf(r.voted_hour) }));
  const nightByDay = [...groupBy(withLocal, (r) => r.local.slice(0, 10))]
    .map(([day, list]) => {
      const night = list.filter((r) => {
        const h = Number(r.local.slice(11, 13));
        return h >= NIGHT_FROM && h < NIGHT_UNTIL;
      });
      return { day, total: list.length, night: night.length, share: night.length / list.length, participationIds: night.map((r) => r.id) };
    })
    .sort((a, b) => a.day.localeCompare(b.day));

  const checks = await db
    .selectFrom('pb_phone_checks')
    .select(['ip_hash', 'attempts', 'verified_at', 'expires_at'])
    .where('municipality_id', '=', options.municipalityId)
    .where('cycle_id', '=', cycle.id)
    .where('ip_hash', 'is not', null)
    .execute();
  const now = options.now ?? new Date().toISOString();
  const failedChecksByIp = [...groupBy(checks, (c) => c.ip_hash)]
    .map(([ip, list]) => {
      const failed = list.filter((c) => c.verified_at === null && (c.attempts > 0 || c.expires_at <= now)).length;
      return { ip: label(ip), failed, checks: list.length, flagged: failed >= thresholds.failedChecksPerIp };
    })
    .filter((x) => x.failed > 0)
    .sort((a, b) => b.failed - a.failed || a.ip.localeCompare(b.ip));

  return { hourly, medianHourly, burstHours, ipBursts, sharedPhones, nightByDay, failedChecksByIp, thresholds, participations: rows.length };
}
