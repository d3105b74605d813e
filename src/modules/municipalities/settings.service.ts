// The municipality's own settings, edited by its administrators: names, address and contacts,
// map centre, the body that governs it (an elected council, a special delegation, or an acting
// administrator since councils were dissolved in 2023), the tracking-number prefix, and the
// host names the site answers on.
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { CouncilBody, MunicipalityRow } from '../../db/schema.ts';
import { AppError, isAppError, isUniqueViolation } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import {
  findHostnamesTakenElsewhere,
  findMunicipalityById,
  listHostnamesOf,
  lockMunicipality,
  replaceHostnames,
  updateMunicipalityAtVersion,
} from './municipalities.repository.ts';
import type { TrilingualName } from './municipalities.service.ts';
import { changedFields, nextVersion, staffAuditActor } from './staff-changes.ts';

export const COUNCIL_BODIES = ['elected_council', 'special_delegation', 'acting_administrator'] as const satisfies readonly CouncilBody[];

const MAX_HOSTNAMES = 20;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export type MunicipalitySettings = {
  name: TrilingualName;
  address: { ar: string | null; fr: string | null; en: string | null };
  contactEmail: string | null;
  contactPhone: string | null;
  map: { lat: number; lng: number; zoom: number };
  councilBody: CouncilBody;
  trackingPrefix: string;
  hostnames: string[];
};

export type SettingsScope = { actor: Actor; municipalityId: number };

export type UpdateSettingsOptions = SettingsScope & {
  version: string;
  settings: MunicipalitySettings;
  /**
   * The host name the administrator is using now. Removing it from the list would make their
   * next page belong to another municipality (or the default one), so it must stay.
   */
  requestHost?: string;
};

export type SettingsView = { municipality: MunicipalityRow; hostnames: string[] };

export async function getMunicipalitySettings(db: Db, scope: SettingsScope): Promise<SettingsView> {
  authorize(scope.actor, 'settings.manage', { municipalityId: scope.municipalityId });
  const municipality = await findMunicipalityById(db, scope.municipalityId);
  if (!municipality) throw new AppError('not_found');
  return { municipality, hostnames: await listHostnamesOf(db, scope.municipalityId) };
}

function columnsOf(settings: MunicipalitySettings) {
  return {
    name_ar: settings.name.ar,
    name_fr: settings.name.fr,
    name_en: settings.name.en,
    address_ar: settings.address.ar,
    address_fr: settings.address.fr,
    address_en: settings.address.en,
    contact_email: settings.contactEmail,
    contact_phone: settings.contactPhone,
    map_lat: settings.map.lat,
    map_lng: settings.map.lng,
    map_zoom: settings.map.zoom,
    council_body: settings.councilBody,
    tracking_prefix: settings.trackingPrefix,
  };
}

function auditedFields(row: MunicipalityRow) {
  return columnsOf({
    name: { ar: row.name_ar, fr: row.name_fr, en: row.name_en },
    address: { ar: row.address_ar, fr: row.address_fr, en: row.address_en },
    contactEmail: row.contact_email,
    contactPhone: row.contact_phone,
    map: { lat: row.map_lat, lng: row.map_lng, zoom: row.map_zoom },
    councilBody: row.council_body,
    trackingPrefix: row.tracking_prefix,
    hostnames: [],
  });
}

function hostnameTaken(host: string): AppError {
  return new AppError('conflict', { fields: { hostnames: { key: 'admin.settings.hostname_taken', values: { host } } } });
}

/** Saves the settings; the caller must then forget its cached host → municipality map. */
export async function updateMunicipalitySettings(db: Db, options: UpdateSettingsOptions): Promise<MunicipalityRow> {
  const { actor, municipalityId, version, settings } = options;
  authorize(actor, 'settings.manage', { municipalityId });
  const hostnames = [...new Set(settings.hostnames.map((h) => h.trim().toLowerCase()))].sort();
  const malformed = hostnames.find((h) => !HOSTNAME_PATTERN.test(h));
  if (malformed !== undefined) {
    throw new AppError('validation', { fields: { hostnames: { key: 'admin.settings.hostname_invalid', values: { host: malformed } } } });
  }
  if (hostnames.length > MAX_HOSTNAMES) {
    throw new AppError('validation', { fields: { hostnames: { key: 'admin.settings.too_many_hostnames', values: { max: MAX_HOSTNAMES } } } });
  }
  try {
    return await db.transaction().execute(async (trx) => {
      await lockMunicipality(trx, municipalityId);
      const before = await findMunicipalityById(trx, municipalityId);
      if (!before) throw new AppError('not_found');
      if (before.updated_at !== version) throw new AppError('stale');
      const previousHosts = await listHostnamesOf(trx, municipalityId);
      const requestHost = options.requestHost?.toLowerCase().replace(/:\d+$/, '');
      if (requestHost && previousHosts.includes(requestHost) && !hostnames.includes(requestHost)) {
        throw new AppError('validation', { fields: { hostnames: { key: 'admin.settings.hostname_in_use', values: { host: requestHost } } } });
      }
      const taken = await findHostnamesTakenElsewhere(trx, municipalityId, hostnames);
      if (taken.length > 0) throw hostnameTaken(taken[0]!);

      const columns = columnsOf(settings);
      const change = changedFields({ ...auditedFields(before), hostnames: previousHosts }, { ...columns, hostnames });
      if (!change.changed) return before;
      const updatedAt = nextVersion(before.updated_at);
      if (!(await updateMunicipalityAtVersion(trx, { municipalityId, version }, { ...columns, updated_at: updatedAt }))) {
        throw new AppError('stale');
      }
      if (JSON.stringify(previousHosts) !== JSON.stringify(hostnames)) await replaceHostnames(trx, municipalityId, hostnames);
      await recordAudit(trx, {
        municipalityId,
        actor: staffAuditActor(actor),
        action: 'municipality.settings_updated',
        entityType: 'municipality',
        entityId: municipalityId,
        before: change.before,
        after: change.after,
      });
      return { ...before, ...columns, updated_at: updatedAt };
    });
  } catch (error) {
    // Another municipality claimed one of the host names between our check and our insert.
    if (!isAppError(error) && isUniqueViolation(error)) throw hostnameTaken(hostnames.join(', '));
    throw error;
  }
}
