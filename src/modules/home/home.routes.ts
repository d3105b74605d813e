import type { FastifyInstance } from 'fastify';
import { localName } from '../../i18n/i18n.ts';
import { sendPage, viewContext } from '../../http/render.ts';
import { listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { HomePage, type HomeService } from './home.views.tsx';

// Entry points to each module; a module sets its path when its pages exist.
const SERVICES: HomeService[] = [
  { key: 'complaints', path: '/complaints' },
  { key: 'budget', path: '/budget' },
  { key: 'information', path: null },
  { key: 'council', path: null },
];

export function registerHomeRoutes(app: FastifyInstance): void {
  app.get('/:locale/', async (request, reply) => {
    const db = app.deps.database.db;
    const m = request.municipality;
    const [arrondissements, neighbourhoods] = await Promise.all([listArrondissements(db, m.id), listNeighbourhoods(db, m.id)]);
    const locale = request.locale;
    return sendPage(reply, HomePage, {
      ctx: viewContext(request),
      model: {
        services: SERVICES,
        contact: { email: m.contact_email, phone: m.contact_phone, address: m[`address_${locale}`] },
        arrondissements: arrondissements.map((a) => localName(a, locale)),
        neighbourhoods: neighbourhoods.map((n) => localName(n, locale)),
      },
    });
  });
  app.get('/:locale', async (request, reply) => reply.redirect(`/${(request.params as { locale: string }).locale}/`, 301));
}
