// /admin/settings: the municipality's own settings.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MunicipalityRow } from '../../db/schema.ts';
import { type FormState, type FormValues, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { getMunicipalitySettings, updateMunicipalitySettings } from '../municipalities/settings.service.ts';
import { adminFrame, dbOf, scopeOf } from './admin-http.ts';
import { settingsForm } from './admin.schemas.ts';
import { SettingsPage } from './settings.views.tsx';

function settingsValues(municipality: MunicipalityRow, hostnames: string[]): FormValues {
  return {
    name_ar: municipality.name_ar,
    name_fr: municipality.name_fr,
    name_en: municipality.name_en,
    address_ar: municipality.address_ar ?? '',
    address_fr: municipality.address_fr ?? '',
    address_en: municipality.address_en ?? '',
    contact_email: municipality.contact_email ?? '',
    contact_phone: municipality.contact_phone ?? '',
    map_lat: String(municipality.map_lat),
    map_lng: String(municipality.map_lng),
    map_zoom: String(municipality.map_zoom),
    council_body: municipality.council_body,
    tracking_prefix: municipality.tracking_prefix,
    hostnames: hostnames.join('\n'),
    version: municipality.updated_at,
  };
}

async function renderSettings(request: FastifyRequest, reply: FastifyReply, posted: FormState | null, status = 200) {
  // Authorises even when re-showing a posted form, so a refused visitor never sees the settings.
  const { municipality, hostnames } = await getMunicipalitySettings(dbOf(request), scopeOf(request));
  const state = posted ?? { values: settingsValues(municipality, hostnames), errors: {} };
  return sendPage(reply, SettingsPage, { frame: adminFrame(request), state }, status);
}

export function registerSettingsAdminRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/settings', (request, reply) => renderSettings(request, reply, null));

  postForm(app, '/:locale/admin/settings', {
    schema: settingsForm,
    render: (request, reply, state, status) => renderSettings(request, reply, state, status),
    async handle(request, reply, input) {
      await updateMunicipalitySettings(dbOf(request), {
        ...scopeOf(request),
        version: input.version,
        requestHost: request.hostname,
        settings: {
          name: { ar: input.name_ar, fr: input.name_fr, en: input.name_en },
          address: { ar: input.address_ar, fr: input.address_fr, en: input.address_en },
          contactEmail: input.contact_email,
          contactPhone: input.contact_phone,
          map: { lat: input.map_lat, lng: input.map_lng, zoom: input.map_zoom },
          councilBody: input.council_body,
          trackingPrefix: input.tracking_prefix,
          hostnames: input.hostnames,
        },
      });
      // Names and host names are cached with the host → municipality map.
      request.server.deps.tenants.invalidate();
      setFlash(reply, 'form.saved');
      return redirectTo(request, reply, '/admin/settings');
    },
  });
}
