// The map of a form or a page (complaints, budget proposals), drawn by client/complaint-map.ts
// once JavaScript runs: on a form it writes the tapped point into the form's lat/lng fields, on a
// page it shows the point. Without JavaScript or a tile server nothing of it shows.
import type { ViewContext } from './view-context.ts';

/** What the page needs to show a map; null when no tile server is configured. */
export type MapSettings = {
  tileUrl: string;
  attribution: string;
  centre: { lat: number; lng: number };
  zoom: number;
  script: string;
  leafletJs: string;
  leafletCss: string;
};

/**
 * `messages` is the prefix of the module's map texts (`<prefix>.map.hint`, `.locate`, `.centre`,
 * `.clear`, `.placed`, `.cleared`, `.locating`, `.locate_failed`, `.label_pick`, `.label_show`).
 */
export function MapBlock(props: {
  ctx: ViewContext;
  map: MapSettings;
  messages: string;
  mode: 'pick' | 'show';
  point?: { lat: number; lng: number } | null;
  /** The point is snapped to a grid (sensitive complaints): the script draws an area. */
  approximate?: boolean;
}) {
  const { ctx, map } = props;
  const t = (key: string) => ctx.t(`${props.messages}.map.${key}`);
  return (
    <>
      {props.mode === 'pick' && (
        <div class="complaint-map__tools" id="complaint-map-tools" hidden>
          <p class="field__hint">{t('hint')}</p>
          <button type="button" class="button button--secondary" id="map-locate">
            {t('locate')}
          </button>
          <button type="button" class="button button--secondary" id="map-centre">
            {t('centre')}
          </button>
          <button type="button" class="link-button" id="map-clear" hidden>
            {t('clear')}
          </button>
          <p class="field__hint" id="map-status" aria-live="polite" />
        </div>
      )}
      <div
        class="complaint-map"
        id="complaint-map"
        hidden
        data-mode={props.mode}
        data-tiles={map.tileUrl}
        data-attribution={map.attribution}
        data-lat={String(props.point?.lat ?? map.centre.lat)}
        data-lng={String(props.point?.lng ?? map.centre.lng)}
        data-zoom={String(props.point ? Math.max(map.zoom, 16) : map.zoom)}
        data-approximate={props.approximate ? 'true' : undefined}
        data-leaflet-js={map.leafletJs}
        data-leaflet-css={map.leafletCss}
        data-text-placed={t('placed')}
        data-text-cleared={t('cleared')}
        data-text-locating={t('locating')}
        data-text-locate-failed={t('locate_failed')}
        data-text-label={t(props.mode === 'pick' ? 'label_pick' : 'label_show')}
      />
      <script src={map.script} defer />
    </>
  );
}
