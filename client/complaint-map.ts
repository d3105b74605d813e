// The map of the complaint pages, and the only script they load. Without JavaScript, or when
// no tile server is configured, the pages work without it: the form asks for a neighbourhood
// and an address, and a complaint's page lists where it is.
//
// On the form it puts a pin where the citizen taps (or where their phone says they are) and
// writes the point into the form's hidden lat/lng fields; on a complaint's page it shows the
// point, or a circle when the place is approximate. Leaflet (42 KB compressed) is fetched only
// here, once JavaScript runs, so a phone without it never downloads it. No inline script or
// style: the page's Content-Security-Policy allows neither.
//
// Built into public/complaint-map.js by scripts/build-client.ts.
import type * as Leaflet from 'leaflet';

function loadStylesheet(href: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = () => resolve();
    link.onerror = () => reject(new Error(`could not load ${href}`));
    document.head.appendChild(link);
  });
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

/** Six decimals are about 10 cm: enough, and what the server keeps. */
function round(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

function byId<T extends HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

async function start(): Promise<void> {
  const container = byId<HTMLDivElement>('complaint-map');
  const data = container?.dataset;
  if (!container || !data?.tiles || !data.leafletJs || !data.leafletCss) return;
  try {
    // The stylesheet first: Leaflet finds its marker images through it.
    await loadStylesheet(data.leafletCss);
    await loadScript(data.leafletJs);
  } catch {
    return; // The page stays as it is without JavaScript.
  }
  const L = (window as unknown as { L?: typeof Leaflet }).L;
  if (!L) return;

  container.hidden = false;
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', data.textLabel ?? '');
  const centre = L.latLng(Number(data.lat), Number(data.lng));
  const map = L.map(container, { center: centre, zoom: Number(data.zoom) || 14 });
  L.tileLayer(data.tiles, { attribution: data.attribution ?? '', maxZoom: 19 }).addTo(map);

  if (data.mode === 'show') {
    if (data.approximate === 'true') L.circle(centre, { radius: 350 }).addTo(map);
    else L.marker(centre, { keyboard: false }).addTo(map);
    return;
  }

  const form = container.closest('form');
  const lat = form?.elements.namedItem('lat') as HTMLInputElement | null;
  const lng = form?.elements.namedItem('lng') as HTMLInputElement | null;
  const tools = byId('complaint-map-tools');
  const status = byId('map-status');
  const clear = byId<HTMLButtonElement>('map-clear');
  if (!lat || !lng) return;
  if (tools) tools.hidden = false;
  const say = (text: string | undefined) => {
    if (status) status.textContent = text ?? '';
  };

  let marker: Leaflet.Marker | null = null;
  const place = (point: Leaflet.LatLng, announce = true) => {
    if (!marker) {
      const created = L.marker(point, { draggable: true, autoPan: true }).addTo(map);
      created.on('dragend', () => place(created.getLatLng()));
      marker = created;
    } else {
      marker.setLatLng(point);
    }
    lat.value = round(point.lat);
    lng.value = round(point.lng);
    if (clear) clear.hidden = false;
    if (announce) say(data.textPlaced);
  };

  // A point sent before (the form came back with an error) is shown again.
  if (lat.value && lng.value) {
    const point = L.latLng(Number(lat.value), Number(lng.value));
    place(point, false);
    map.setView(point, Math.max(map.getZoom(), 16));
  }

  map.on('click', (event: Leaflet.LeafletMouseEvent) => place(event.latlng));
  byId('map-centre')?.addEventListener('click', () => place(map.getCenter()));
  clear?.addEventListener('click', () => {
    marker?.remove();
    marker = null;
    lat.value = '';
    lng.value = '';
    clear.hidden = true;
    say(data.textCleared);
  });
  byId('map-locate')?.addEventListener('click', () => {
    if (!navigator.geolocation) {
      say(data.textLocateFailed);
      return;
    }
    say(data.textLocating);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const point = L.latLng(position.coords.latitude, position.coords.longitude);
        place(point);
        map.setView(point, Math.max(map.getZoom(), 17));
      },
      () => say(data.textLocateFailed),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  });
}

void start();
