// Results: the public results of a cycle and of each envelope with the ballot downloads (.pb and
// CSV), and the staff preview with the publication form.
//
// Downloads are the published file itself (kept with the result), so their SHA-256 is the one
// shown on the page; the CSV is read from that same file.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type FormState, emptyForm, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash, viewContext } from '../../http/render.ts';
import { AppError } from '../../lib/errors.ts';
import { adminFrame, dbOf, idParam, scopeOf } from '../admin/admin-http.ts';
import { pbFileName } from './cycle-pabulib.ts';
import { parsePabulib } from './outcome/pabulib.ts';
import { ballotsCsv, getPublicEnvelopeResults, getPublicResults, getPublishedPbFile, previewResults, publishResults } from './results.service.ts';
import { AdminResultsPage, EnvelopeResultsPage, PublicResultsPage } from './results.views.tsx';

function slugParam(request: FastifyRequest): string {
  const slug = (request.params as { slug?: string }).slug ?? '';
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(slug)) throw new AppError('not_found');
  return slug;
}

const publishForm = z.object({
  confirm: z.literal('yes', 'budget.results.admin.confirm_required'),
});

async function renderAdmin(request: FastifyRequest, reply: FastifyReply, state: FormState, status: number) {
  const preview = await previewResults(dbOf(request), { ...scopeOf(request), cycleId: idParam(request, 'cycleId') });
  return sendPage(reply, AdminResultsPage, { frame: adminFrame(request), preview, state }, status);
}

export function registerBudgetResultsRoutes(app: FastifyInstance): void {
  app.get('/:locale/budget/:slug/results', async (request, reply) => {
    const model = await getPublicResults(dbOf(request), { municipalityId: request.municipality.id, slug: slugParam(request) });
    return sendPage(reply, PublicResultsPage, { ctx: viewContext(request), model });
  });

  // One route for the page and its two downloads: "3", "3.pb", "3.csv".
  app.get('/:locale/budget/:slug/results/:file', async (request, reply) => {
    const match = /^([1-9]\d{0,11})(?:\.(pb|csv))?$/.exec((request.params as { file: string }).file);
    if (!match) throw new AppError('not_found');
    const envelopeId = Number(match[1]);
    const slug = slugParam(request);
    const db = dbOf(request);
    const municipalityId = request.municipality.id;
    if (match[2] === undefined) {
      const model = await getPublicEnvelopeResults(db, { municipalityId, slug, envelopeId });
      return sendPage(reply, EnvelopeResultsPage, { ctx: viewContext(request), model });
    }
    const file = await getPublishedPbFile(db, { municipalityId, slug, envelopeId });
    const extension = match[2] as 'pb' | 'csv';
    const body = extension === 'pb' ? file.text : ballotsCsv(parsePabulib(file.text));
    if (extension === 'pb') reply.header('x-content-sha256', file.sha256);
    return reply
      .type(extension === 'pb' ? 'text/plain; charset=utf-8' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${pbFileName(file.cycle, envelopeId, extension)}"`)
      .header('cache-control', 'public, max-age=300')
      .send(body);
  });

  app.get('/:locale/admin/budget/:cycleId/results', async (request, reply) => renderAdmin(request, reply, emptyForm, 200));

  postForm(app, '/:locale/admin/budget/:cycleId/results/publish', {
    schema: publishForm,
    render: renderAdmin,
    async handle(request, reply) {
      const cycleId = idParam(request, 'cycleId');
      await publishResults(dbOf(request), { ...scopeOf(request), cycleId });
      setFlash(reply, 'budget.results.admin.published_flash');
      return redirectTo(request, reply, `/admin/budget/${cycleId}/results`);
    },
  });
}
