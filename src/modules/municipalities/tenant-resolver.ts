// Finds the municipality a request is for, by host name, falling back to the configured
// default. Host names change rarely, so the map is cached briefly rather than queried per request.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { listMunicipalities, listMunicipalityHosts } from './municipalities.repository.ts';

export type TenantResolver = {
  resolve(hostname: string): Promise<MunicipalityRow | undefined>;
  /** Forget the cache, after an administrator edits a municipality or its host names. */
  invalidate(): void;
};

const CACHE_MS = 30_000;

export function createTenantResolver(db: Db, defaultSlug: string | undefined): TenantResolver {
  let cache: { at: number; byHost: Map<string, MunicipalityRow>; fallback: MunicipalityRow | undefined } | undefined;

  async function load() {
    const [municipalities, hosts] = await Promise.all([listMunicipalities(db), listMunicipalityHosts(db)]);
    const byId = new Map(municipalities.map((m) => [m.id, m]));
    const byHost = new Map<string, MunicipalityRow>();
    for (const host of hosts) {
      const municipality = byId.get(host.municipality_id);
      if (municipality) byHost.set(host.hostname.toLowerCase(), municipality);
    }
    const fallback = defaultSlug ? municipalities.find((m) => m.slug === defaultSlug) : municipalities[0];
    return { at: Date.now(), byHost, fallback };
  }

  return {
    async resolve(hostname) {
      if (!cache || Date.now() - cache.at > CACHE_MS) cache = await load();
      const bare = hostname.toLowerCase().replace(/:\d+$/, '');
      return cache.byHost.get(bare) ?? cache.fallback;
    },
    invalidate() {
      cache = undefined;
    },
  };
}
