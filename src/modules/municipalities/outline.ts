// Outlines of arrondissements and neighbourhoods, pasted by administrators as GeoJSON (from
// QGIS, geojson.io, OpenStreetMap exports). Only polygons make sense for an area. Positions are
// checked, not just parsed: swapped latitude/longitude or a lost decimal point would otherwise
// draw the neighbourhood in another country on the public map, so every position must lie near
// the municipality's map centre.

export type OutlineProblem = 'not_json' | 'wrong_type' | 'bad_coordinates' | 'far_away' | 'too_large';

export type OutlineResult = { ok: true; geometry: string } | { ok: false; problem: OutlineProblem };

/** A pasted outline is at most this long; a neighbourhood needs a few hundred points at most. */
export const MAX_OUTLINE_CHARS = 100_000;
const MAX_POSITIONS = 20_000;
/** How far (in degrees, about 110 km a degree) a position may lie from the map centre. */
const MAX_DEGREES_FROM_CENTRE = 1;

type Geometry = { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The polygon geometry of a Feature, a bare geometry, or a FeatureCollection of exactly one feature. */
function geometryOf(value: unknown): Geometry | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'Polygon' || value.type === 'MultiPolygon') return value as Geometry;
  if (value.type === 'Feature') return geometryOf(value.geometry);
  if (value.type === 'FeatureCollection' && Array.isArray(value.features) && value.features.length === 1) {
    return geometryOf(value.features[0]);
  }
  return undefined;
}

type Centre = { lat: number; lng: number };

function checkRing(ring: unknown, centre: Centre | undefined, count: { positions: number }): OutlineProblem | undefined {
  // A linear ring has at least four positions and ends where it starts (RFC 7946, 3.1.6).
  if (!Array.isArray(ring) || ring.length < 4) return 'bad_coordinates';
  for (const position of ring) {
    count.positions += 1;
    if (count.positions > MAX_POSITIONS) return 'too_large';
    if (!Array.isArray(position) || position.length < 2 || position.length > 3) return 'bad_coordinates';
    if (!position.every((n) => typeof n === 'number' && Number.isFinite(n))) return 'bad_coordinates';
    const [lng, lat] = position as number[];
    if (lng! < -180 || lng! > 180 || lat! < -90 || lat! > 90) return 'bad_coordinates';
    if (centre && (Math.abs(lng! - centre.lng) > MAX_DEGREES_FROM_CENTRE || Math.abs(lat! - centre.lat) > MAX_DEGREES_FROM_CENTRE)) {
      return 'far_away';
    }
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) return 'bad_coordinates';
  return undefined;
}

function checkPolygon(polygon: unknown, centre: Centre | undefined, count: { positions: number }): OutlineProblem | undefined {
  if (!Array.isArray(polygon) || polygon.length === 0) return 'bad_coordinates';
  for (const ring of polygon) {
    const problem = checkRing(ring, centre, count);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Validates a pasted outline and returns its geometry alone, re-serialised compactly (feature
 * properties pasted along with it are dropped: they are not ours to publish). Without `centre`,
 * only the shape is checked (a form can do that before knowing the municipality).
 */
export function parseOutline(text: string, centre?: Centre): OutlineResult {
  if (text.length > MAX_OUTLINE_CHARS) return { ok: false, problem: 'too_large' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not_json' };
  }
  const geometry = geometryOf(value);
  if (!geometry) return { ok: false, problem: 'wrong_type' };
  const count = { positions: 0 };
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  if (!Array.isArray(polygons) || polygons.length === 0) return { ok: false, problem: 'bad_coordinates' };
  for (const polygon of polygons) {
    const problem = checkPolygon(polygon, centre, count);
    if (problem) return { ok: false, problem };
  }
  return { ok: true, geometry: JSON.stringify({ type: geometry.type, coordinates: geometry.coordinates }) };
}

/** The message key shown next to the outline field for each problem. */
export const OUTLINE_PROBLEM_MESSAGES: Record<OutlineProblem, string> = {
  not_json: 'validation.invalid_json',
  wrong_type: 'admin.outline.wrong_type',
  bad_coordinates: 'admin.outline.bad_coordinates',
  far_away: 'admin.outline.far_away',
  too_large: 'admin.outline.too_large',
};
