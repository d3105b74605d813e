// Reference data pages: /admin/areas (arrondissements and neighbourhoods) and /admin/departments,
// each with create, edit and delete.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ArrondissementRow, DepartmentRow, NeighbourhoodRow } from '../../db/schema.ts';
import { type FormState, type FormValues, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { localName } from '../../i18n/i18n.ts';
import {
  createArrondissement,
  createDepartment,
  createNeighbourhood,
  deleteArrondissement,
  deleteDepartment,
  deleteNeighbourhood,
  getArrondissement,
  getDepartment,
  getNeighbourhood,
  listReferenceData,
  updateArrondissement,
  updateDepartment,
  updateNeighbourhood,
} from '../municipalities/reference-data.service.ts';
import { adminFrame, dbOf, idParam, scopeOf } from './admin-http.ts';
import {
  arrondissementEditForm,
  arrondissementForm,
  departmentEditForm,
  departmentForm,
  neighbourhoodEditForm,
  neighbourhoodForm,
  versionForm,
} from './admin.schemas.ts';
import { AreaFormPage, AreasPage, DepartmentFormPage, DepartmentsPage } from './reference.views.tsx';

type Named = { name_ar: string; name_fr: string; name_en: string };

const nameInput = (input: { name_ar: string; name_fr: string; name_en: string }) => ({ ar: input.name_ar, fr: input.name_fr, en: input.name_en });
const nameValues = (row: Named): FormValues => ({ name_ar: row.name_ar, name_fr: row.name_fr, name_en: row.name_en });

function areaValues(row: ArrondissementRow | NeighbourhoodRow): FormValues {
  return {
    ...nameValues(row),
    outline: row.outline_geojson ?? '',
    ...('arrondissement_id' in row ? { arrondissement_id: row.arrondissement_id === null ? '' : String(row.arrondissement_id) } : {}),
    version: row.updated_at,
  };
}

function departmentValues(row: DepartmentRow): FormValues {
  return { code: row.code, ...nameValues(row), email: row.email ?? '', ...(row.active ? { active: 'yes' } : {}), version: row.updated_at };
}

/**
 * How a form page is filled: from the row (first view, or after a refused delete, whose post
 * carries no fields), or from what the person posted (after a refused edit).
 */
type Fill = { from: 'row'; errors?: FormState['errors'] } | { from: 'post'; state: FormState };

async function renderAreaForm(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: 'arrondissement' | 'neighbourhood',
  fill: Fill,
  status = 200,
) {
  const db = dbOf(request);
  const scope = scopeOf(request);
  const locale = request.locale;
  const editing = (request.params as { id?: string }).id !== undefined;
  const row = editing
    ? kind === 'arrondissement'
      ? await getArrondissement(db, { ...scope, id: idParam(request, 'id') })
      : await getNeighbourhood(db, { ...scope, id: idParam(request, 'id') })
    : null;
  const { arrondissements } = await listReferenceData(db, scope);
  const state: FormState = fill.from === 'post' ? fill.state : { values: row ? areaValues(row) : {}, errors: fill.errors ?? {} };
  return sendPage(
    reply,
    AreaFormPage,
    {
      frame: adminFrame(request),
      model: {
        kind,
        id: row?.id ?? null,
        currentName: row ? localName(row, locale) : null,
        arrondissementOptions: arrondissements.map((a) => ({ id: a.id, name: localName(a, locale) })),
        deleteVersion: row?.updated_at,
      },
      state,
    },
    status,
  );
}

async function renderDepartmentForm(request: FastifyRequest, reply: FastifyReply, fill: Fill, status = 200) {
  const editing = (request.params as { id?: string }).id !== undefined;
  const row = editing ? await getDepartment(dbOf(request), { ...scopeOf(request), id: idParam(request, 'id') }) : null;
  const state: FormState =
    fill.from === 'post' ? fill.state : { values: row ? departmentValues(row) : { active: 'yes' }, errors: fill.errors ?? {} };
  return sendPage(
    reply,
    DepartmentFormPage,
    {
      frame: adminFrame(request),
      model: { id: row?.id ?? null, currentName: row ? localName(row, request.locale) : null, deleteVersion: row?.updated_at },
      state,
    },
    status,
  );
}

export function registerReferenceAdminRoutes(app: FastifyInstance): void {
  app.get('/:locale/admin/areas', async (request, reply) => {
    const { arrondissements, neighbourhoods } = await listReferenceData(dbOf(request), scopeOf(request));
    const locale = request.locale;
    const arrondissementNames = new Map(arrondissements.map((a) => [a.id, localName(a, locale)]));
    return sendPage(reply, AreasPage, {
      frame: adminFrame(request),
      model: {
        arrondissements: arrondissements.map((a) => ({ id: a.id, name: localName(a, locale), hasOutline: a.outline_geojson !== null })),
        neighbourhoods: neighbourhoods.map((n) => ({
          id: n.id,
          name: localName(n, locale),
          hasOutline: n.outline_geojson !== null,
          arrondissement: n.arrondissement_id === null ? null : (arrondissementNames.get(n.arrondissement_id) ?? null),
        })),
      },
    });
  });

  for (const kind of ['arrondissement', 'neighbourhood'] as const) {
    const base = `/:locale/admin/areas/${kind}s`;
    const back = (request: FastifyRequest, reply: FastifyReply, flash: string) => {
      setFlash(reply, flash);
      return redirectTo(request, reply, '/admin/areas');
    };

    app.get(`${base}/new`, (request, reply) => renderAreaForm(request, reply, kind, { from: 'row' }));
    app.get(`${base}/:id`, (request, reply) => renderAreaForm(request, reply, kind, { from: 'row' }));

    if (kind === 'arrondissement') {
      postForm(app, base, {
        schema: arrondissementForm,
        render: (request, reply, state, status) => renderAreaForm(request, reply, kind, { from: 'post', state }, status),
        async handle(request, reply, input) {
          await createArrondissement(dbOf(request), { ...scopeOf(request), input: { name: nameInput(input), outline: input.outline } });
          return back(request, reply, 'admin.flash.created');
        },
      });
      postForm(app, `${base}/:id`, {
        schema: arrondissementEditForm,
        render: (request, reply, state, status) => renderAreaForm(request, reply, kind, { from: 'post', state }, status),
        async handle(request, reply, input) {
          await updateArrondissement(dbOf(request), {
            ...scopeOf(request),
            id: idParam(request, 'id'),
            version: input.version,
            input: { name: nameInput(input), outline: input.outline },
          });
          return back(request, reply, 'form.saved');
        },
      });
    } else {
      postForm(app, base, {
        schema: neighbourhoodForm,
        render: (request, reply, state, status) => renderAreaForm(request, reply, kind, { from: 'post', state }, status),
        async handle(request, reply, input) {
          await createNeighbourhood(dbOf(request), {
            ...scopeOf(request),
            input: { name: nameInput(input), outline: input.outline, arrondissementId: input.arrondissement_id },
          });
          return back(request, reply, 'admin.flash.created');
        },
      });
      postForm(app, `${base}/:id`, {
        schema: neighbourhoodEditForm,
        render: (request, reply, state, status) => renderAreaForm(request, reply, kind, { from: 'post', state }, status),
        async handle(request, reply, input) {
          await updateNeighbourhood(dbOf(request), {
            ...scopeOf(request),
            id: idParam(request, 'id'),
            version: input.version,
            input: { name: nameInput(input), outline: input.outline, arrondissementId: input.arrondissement_id },
          });
          return back(request, reply, 'form.saved');
        },
      });
    }

    postForm(app, `${base}/:id/delete`, {
      schema: versionForm,
      render: (request, reply, state, status) => renderAreaForm(request, reply, kind, { from: 'row', errors: state.errors }, status),
      async handle(request, reply, input) {
        const remove = kind === 'arrondissement' ? deleteArrondissement : deleteNeighbourhood;
        await remove(dbOf(request), { ...scopeOf(request), id: idParam(request, 'id'), version: input.version });
        return back(request, reply, 'admin.flash.deleted');
      },
    });
  }

  app.get('/:locale/admin/departments', async (request, reply) => {
    const { departments } = await listReferenceData(dbOf(request), scopeOf(request));
    return sendPage(reply, DepartmentsPage, {
      frame: adminFrame(request),
      model: {
        departments: departments.map((d) => ({
          id: d.id,
          code: d.code,
          name: localName(d, request.locale),
          email: d.email,
          active: d.active === 1,
        })),
      },
    });
  });

  const departmentInput = (input: { code: string; name_ar: string; name_fr: string; name_en: string; email: string | null; active: boolean }) => ({
    code: input.code,
    name: nameInput(input),
    email: input.email,
    active: input.active,
  });
  const toDepartments = (request: FastifyRequest, reply: FastifyReply, flash: string) => {
    setFlash(reply, flash);
    return redirectTo(request, reply, '/admin/departments');
  };

  app.get('/:locale/admin/departments/new', (request, reply) => renderDepartmentForm(request, reply, { from: 'row' }));
  app.get('/:locale/admin/departments/:id', (request, reply) => renderDepartmentForm(request, reply, { from: 'row' }));

  postForm(app, '/:locale/admin/departments', {
    schema: departmentForm,
    render: (request, reply, state, status) => renderDepartmentForm(request, reply, { from: 'post', state }, status),
    async handle(request, reply, input) {
      await createDepartment(dbOf(request), { ...scopeOf(request), input: departmentInput(input) });
      return toDepartments(request, reply, 'admin.flash.created');
    },
  });
  postForm(app, '/:locale/admin/departments/:id', {
    schema: departmentEditForm,
    render: (request, reply, state, status) => renderDepartmentForm(request, reply, { from: 'post', state }, status),
    async handle(request, reply, input) {
      await updateDepartment(dbOf(request), {
        ...scopeOf(request),
        id: idParam(request, 'id'),
        version: input.version,
        input: departmentInput(input),
      });
      return toDepartments(request, reply, 'form.saved');
    },
  });
  postForm(app, '/:locale/admin/departments/:id/delete', {
    schema: versionForm,
    render: (request, reply, state, status) => renderDepartmentForm(request, reply, { from: 'row', errors: state.errors }, status),
    async handle(request, reply, input) {
      await deleteDepartment(dbOf(request), { ...scopeOf(request), id: idParam(request, 'id'), version: input.version });
      return toDepartments(request, reply, 'admin.flash.deleted');
    },
  });
}
