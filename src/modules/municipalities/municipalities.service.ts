// Creating a municipality with its reference data, used by the demo seed, the CLI and tests.
import type { Db } from '../../db/database.ts';
import type { CouncilBody, MunicipalityRow } from '../../db/schema.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service.ts';

export type TrilingualName = { ar: string; fr: string; en: string };

export type CreateMunicipalityOptions = {
  slug: string;
  name: TrilingualName;
  trackingPrefix: string;
  councilBody: CouncilBody;
  map: { lat: number; lng: number; zoom: number };
  address?: TrilingualName;
  contactEmail?: string;
  contactPhone?: string;
  hostnames?: string[];
  arrondissements?: { name: TrilingualName; neighbourhoods?: TrilingualName[] }[];
  /** Neighbourhoods whose arrondissement is not known yet (editable later). */
  neighbourhoods?: TrilingualName[];
  departments?: { code: string; name: TrilingualName }[];
};

export async function createMunicipality(db: Db, options: CreateMunicipalityOptions): Promise<MunicipalityRow> {
  return db.transaction().execute(async (trx) => {
    const now = nowIso();
    const municipality = await trx
      .insertInto('municipalities')
      .values({
        slug: options.slug,
        name_ar: options.name.ar,
        name_fr: options.name.fr,
        name_en: options.name.en,
        tracking_prefix: options.trackingPrefix,
        council_body: options.councilBody,
        contact_email: options.contactEmail ?? null,
        contact_phone: options.contactPhone ?? null,
        address_ar: options.address?.ar ?? null,
        address_fr: options.address?.fr ?? null,
        address_en: options.address?.en ?? null,
        map_lat: options.map.lat,
        map_lng: options.map.lng,
        map_zoom: options.map.zoom,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const municipalityId = municipality.id;
    for (const hostname of options.hostnames ?? []) {
      await trx.insertInto('municipality_hosts').values({ hostname: hostname.toLowerCase(), municipality_id: municipalityId }).execute();
    }
    const names = (name: TrilingualName) => ({ name_ar: name.ar, name_fr: name.fr, name_en: name.en });
    const insertNeighbourhood = (name: TrilingualName, arrondissementId: number | null) =>
      trx
        .insertInto('neighbourhoods')
        .values({ municipality_id: municipalityId, arrondissement_id: arrondissementId, ...names(name), outline_geojson: null, created_at: now, updated_at: now })
        .execute();
    for (const arrondissement of options.arrondissements ?? []) {
      const row = await trx
        .insertInto('arrondissements')
        .values({ municipality_id: municipalityId, ...names(arrondissement.name), outline_geojson: null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const neighbourhood of arrondissement.neighbourhoods ?? []) await insertNeighbourhood(neighbourhood, row.id);
    }
    for (const neighbourhood of options.neighbourhoods ?? []) await insertNeighbourhood(neighbourhood, null);
    for (const department of options.departments ?? []) {
      await trx
        .insertInto('departments')
        .values({ municipality_id: municipalityId, code: department.code, ...names(department.name), email: null, active: 1, created_at: now, updated_at: now })
        .execute();
    }
    await recordAudit(trx, {
      municipalityId,
      actor: SYSTEM_ACTOR,
      action: 'municipality.created',
      entityType: 'municipality',
      entityId: municipalityId,
      after: { slug: options.slug, name: options.name },
    });
    return municipality;
  });
}
