// The public map of complaints (/:locale/complaints/map), and the only script that page loads.
// Without JavaScript, or without a tile server, the page is a list by neighbourhood and stays so.
//
// With both, it fetches Leaflet (served under /static/leaflet/ for the complaint form's map) and
// the page's GeoJSON (the same filters as the list), and draws one circle per complaint: solid
// where the point is exact, a wide dashed circle where it was blurred (sensitive categories).
// Popups are built with textContent, never HTML strings, and link to each complaint's page.
// No inline script or style: the Content-Security-Policy allows neither.
//
// Built into public/complaints-map.js (committed, so no build step at install) with:
//   npx esbuild client/complaints-map.ts --bundle --minify --format=iife \
//     --target=chrome58,safari11,firefox60 --legal-comments=none --outfile=public/complaints-map.js \
//     '--banner:js=/* Twiza: built from client/complaints-map.ts; do not edit. */'
import type * as Leaflet from 'leaflet';

type FeatureProperties = {
  tracking: string;
  url: string;
  category: string | null;
  status: string;
  statusLabel: string;
  neighbourhood: string | null;
  createdAt: string;
  approximate: boolean;
};

type Collection = {
  features: { geometry: { coordinates: [number, number] }; properties: FeatureProperties }[];
  truncated?: boolean;
};

const OPEN = ['received', 'acknowledged', 'assigned', 'in_progress'];

function load(tag: 'link' | 'script', url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const element = document.createElement(tag);
    if (element instanceof HTMLLinkElement) {
      element.rel = 'stylesheet';
      element.href = url;
    } else {
      element.src = url;
    }
    element.onload = () => resolve();
    element.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(element);
  });
}

function popup(properties: FeatureProperties, data: DOMStringMap, lang: string): HTMLElement {
  const box = document.createElement('div');
  box.className = 'complaints-map__popup';
  const link = document.createElement('a');
  link.href = properties.url;
  link.textContent = properties.tracking;
  link.dir = 'ltr';
  const title = document.createElement('p');
  title.appendChild(link);
  box.appendChild(title);
  const lines = [properties.category, properties.statusLabel, properties.neighbourhood, new Date(properties.createdAt).toLocaleDateString(lang)];
  if (properties.approximate) lines.push(data.approximate ?? '');
  for (const text of lines) {
    if (!text) continue;
    const line = document.createElement('p');
    line.textContent = text;
    box.appendChild(line);
  }
  return box;
}

async function start(): Promise<void> {
  const container = document.getElementById('complaints-map') as HTMLDivElement | null;
  const data = container?.dataset;
  if (!container || !data?.tiles || !data.geojson || !data.leafletJs || !data.leafletCss) return;
  let collection: Collection;
  try {
    const stylesheet = load('link', data.leafletCss);
    const response = await fetch(data.geojson, { headers: { accept: 'application/geo+json' } });
    if (!response.ok) return;
    collection = (await response.json()) as Collection;
    await stylesheet;
    await load('script', data.leafletJs);
  } catch {
    return; // The list below is the map without JavaScript; it stays.
  }
  const L = (window as unknown as { L?: typeof Leaflet }).L;
  if (!L) return;

  container.hidden = false;
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', data.label ?? '');
  const map = L.map(container, { center: L.latLng(Number(data.lat), Number(data.lng)), zoom: Number(data.zoom) || 14 });
  L.tileLayer(data.tiles, { attribution: data.attribution ?? '', maxZoom: 19 }).addTo(map);
  const lang = document.documentElement.lang || 'ar';
  const points: Leaflet.LatLng[] = [];
  for (const feature of collection.features) {
    const coordinates = feature.geometry.coordinates;
    const point = L.latLng(coordinates[1], coordinates[0]);
    points.push(point);
    const open = OPEN.includes(feature.properties.status);
    const style = { color: open ? '#b3541e' : '#0b5d57', weight: 2, fillOpacity: 0.35 };
    const shape = feature.properties.approximate
      ? L.circle(point, { ...style, radius: 250, dashArray: '4 4', fillOpacity: 0.12 })
      : L.circleMarker(point, { ...style, radius: 5 });
    shape.bindPopup(popup(feature.properties, data, lang)).addTo(map);
  }
  const note = document.getElementById('complaints-map-note');
  if (note) note.hidden = false;
  if (points.length > 0) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 16 });
  if (collection.truncated && data.truncated) {
    const note = document.createElement('p');
    note.className = 'muted';
    note.textContent = data.truncated;
    container.insertAdjacentElement('afterend', note);
  }
}

void start();
