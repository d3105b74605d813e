// The map's settings for a page: the configured tile server, the municipality's centre, and the
// scripts with content hashes (they are served as immutable: Leaflet under /static/leaflet/ by
// the complaints portal, the map script from public/).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { MunicipalityRow } from '../db/schema.ts';
import { sha256Hex } from '../lib/crypto.ts';
import type { MapSettings } from '../ui/map.tsx';

// public/ at the project's root (app.ts serves it under /static/).
const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
export const LEAFLET_DIR = path.dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js'));
const MAP_SCRIPT = 'complaint-map.js';

function contentHash(file: string): string {
  return sha256Hex(fs.readFileSync(file).toString('latin1')).slice(0, 12);
}

let assets: Pick<MapSettings, 'script' | 'leafletJs' | 'leafletCss'> | undefined;

/** Null when no tile server is configured: pages then show no map, and the fields stay typed. */
export function mapSettingsFor(config: Config, municipality: MunicipalityRow): MapSettings | null {
  if (!config.map.tileUrl) return null;
  assets ??= {
    script: `/static/${MAP_SCRIPT}?v=${contentHash(path.join(PUBLIC_DIR, MAP_SCRIPT))}`,
    leafletJs: `/static/leaflet/leaflet.js?v=${contentHash(path.join(LEAFLET_DIR, 'leaflet.js'))}`,
    leafletCss: `/static/leaflet/leaflet.css?v=${contentHash(path.join(LEAFLET_DIR, 'leaflet.css'))}`,
  };
  return {
    tileUrl: config.map.tileUrl,
    attribution: config.map.attribution,
    centre: { lat: municipality.map_lat, lng: municipality.map_lng },
    zoom: municipality.map_zoom,
    ...assets,
  };
}
