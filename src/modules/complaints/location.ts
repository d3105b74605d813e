// Where a complaint is: pure geometry on plain numbers (no database). Distances on a sphere are
// good to a few metres at a town's scale, which is all we need: "is this point in El Kef?",
// "which open complaints are within 100 m?".

export type Point = { lat: number; lng: number };

const EARTH_RADIUS_METERS = 6_371_008.8;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: Point, b: Point): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A latitude/longitude box that contains every point within `radiusMeters` of `centre`. */
export function boundingBox(centre: Point, radiusMeters: number): { minLat: number; maxLat: number; minLng: number; maxLng: number } {
  const dLat = (radiusMeters / EARTH_RADIUS_METERS) * (180 / Math.PI);
  // Near the poles a degree of longitude shrinks to nothing; cap the cosine so the box stays finite.
  const dLng = dLat / Math.max(Math.cos(toRadians(centre.lat)), 0.01);
  return { minLat: centre.lat - dLat, maxLat: centre.lat + dLat, minLng: centre.lng - dLng, maxLng: centre.lng + dLng };
}

export function isValidPoint(point: Point): boolean {
  return Number.isFinite(point.lat) && Number.isFinite(point.lng) && Math.abs(point.lat) <= 90 && Math.abs(point.lng) <= 180;
}

type Ring = number[][];
type Polygon = Ring[];

/** Polygons of a GeoJSON Polygon or MultiPolygon geometry (as stored by outline.ts); [] for anything else. */
export function polygonsOf(geometryJson: string | null): Polygon[] {
  if (!geometryJson) return [];
  try {
    const geometry = JSON.parse(geometryJson) as { type?: string; coordinates?: unknown };
    if (geometry.type === 'Polygon' && Array.isArray(geometry.coordinates)) return [geometry.coordinates as Polygon];
    if (geometry.type === 'MultiPolygon' && Array.isArray(geometry.coordinates)) return geometry.coordinates as Polygon[];
  } catch {
    // An outline that no longer parses is treated as absent rather than refusing every complaint.
  }
  return [];
}

/** Even-odd ray casting; positions are [lng, lat] as in GeoJSON. */
function inRing(point: Point, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > point.lat !== yj > point.lat && point.lng < ((xj - xi) * (point.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
export function pointInPolygon(point: Point, polygon: Polygon): boolean {
  const [outer, ...holes] = polygon;
  if (!outer || !inRing(point, outer)) return false;
  return !holes.some((hole) => inRing(point, hole));
}

export function pointInAny(point: Point, polygons: Polygon[]): boolean {
  return polygons.some((polygon) => pointInPolygon(point, polygon));
}

/**
 * A point moved to the centre of a grid cell of about `cellMeters`, for showing where a
 * sensitive complaint is without pointing at one house. Snapping (not random noise) gives the
 * same answer every time, so repeated views cannot be averaged back to the real point.
 */
export function approximatePoint(point: Point, cellMeters = 500): Point {
  const latStep = (cellMeters / EARTH_RADIUS_METERS) * (180 / Math.PI);
  // A fixed longitude step for the cell's latitude band, so that cells do not drift.
  const bandLat = (Math.floor(point.lat / latStep) + 0.5) * latStep;
  const lngStep = latStep / Math.max(Math.cos(toRadians(bandLat)), 0.01);
  const snap = (value: number, step: number) => Number(((Math.floor(value / step) + 0.5) * step).toFixed(6));
  return { lat: snap(point.lat, latStep), lng: snap(point.lng, lngStep) };
}
