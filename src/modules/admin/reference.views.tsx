// Reference data pages: arrondissements and neighbourhoods ("areas"), and departments. Each
// edit page carries the version it was loaded at, and a separate delete form.
import type { FormState } from '../../http/forms.ts';
import { CheckboxField, ErrorSummary, Form, SelectField, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame } from './admin-http.ts';
import { AdminPage, Typed } from './admin.views.tsx';
import { NAME_MAX } from './admin.schemas.ts';

export type AreaRowModel = { id: number; name: string; hasOutline: boolean };
export type NeighbourhoodRowModel = AreaRowModel & { arrondissement: string | null };
export type AreasModel = { arrondissements: AreaRowModel[]; neighbourhoods: NeighbourhoodRowModel[] };

export function AreasPage(props: { frame: AdminFrame; model: AreasModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { arrondissements, neighbourhoods } = props.model;
  const outline = (has: boolean) => (has ? t('form.yes') : t('form.no'));
  return (
    <AdminPage frame={props.frame} title={t('admin.areas.title')}>
      <p class="lead">{t('admin.areas.intro')}</p>
      <section aria-labelledby="arrondissements-title">
        <h2 id="arrondissements-title">{t('admin.areas.arrondissements')}</h2>
        <p>
          <a class="button button--secondary" href={href(ctx, '/admin/areas/arrondissements/new')}>
            {t('admin.areas.add_arrondissement')}
          </a>
        </p>
        {arrondissements.length === 0 ? (
          <p class="muted">{t('admin.areas.none')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('admin.areas.name')}</th>
                  <th scope="col">{t('admin.areas.outline')}</th>
                </tr>
              </thead>
              <tbody>
                {arrondissements.map((a) => (
                  <tr>
                    <td>
                      <a href={href(ctx, `/admin/areas/arrondissements/${a.id}`)}>
                        <bdi>{a.name}</bdi>
                      </a>
                    </td>
                    <td>{outline(a.hasOutline)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="neighbourhoods-title">
        <h2 id="neighbourhoods-title">{t('admin.areas.neighbourhoods')}</h2>
        <p>
          <a class="button button--secondary" href={href(ctx, '/admin/areas/neighbourhoods/new')}>
            {t('admin.areas.add_neighbourhood')}
          </a>
        </p>
        {neighbourhoods.length === 0 ? (
          <p class="muted">{t('admin.areas.none')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('admin.areas.name')}</th>
                  <th scope="col">{t('admin.areas.arrondissement')}</th>
                  <th scope="col">{t('admin.areas.outline')}</th>
                </tr>
              </thead>
              <tbody>
                {neighbourhoods.map((n) => (
                  <tr>
                    <td>
                      <a href={href(ctx, `/admin/areas/neighbourhoods/${n.id}`)}>
                        <bdi>{n.name}</bdi>
                      </a>
                    </td>
                    <td>{n.arrondissement ? <bdi>{n.arrondissement}</bdi> : <span class="muted">{t('admin.areas.no_arrondissement')}</span>}</td>
                    <td>{outline(n.hasOutline)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </AdminPage>
  );
}

/** The three name fields, each in its own script direction. */
function NameFields(props: { ctx: ViewContext; state: FormState }) {
  const { ctx, state } = props;
  return (
    <>
      <TextField ctx={ctx} state={state} name="name_ar" label={ctx.t('admin.fields.name_ar')} maxLength={NAME_MAX} dir="rtl" required />
      <TextField ctx={ctx} state={state} name="name_fr" label={ctx.t('admin.fields.name_fr')} maxLength={NAME_MAX} dir="ltr" required />
      <TextField ctx={ctx} state={state} name="name_en" label={ctx.t('admin.fields.name_en')} maxLength={NAME_MAX} dir="ltr" required />
    </>
  );
}

function nameLabels(ctx: ViewContext): Record<string, string> {
  return { name_ar: ctx.t('admin.fields.name_ar'), name_fr: ctx.t('admin.fields.name_fr'), name_en: ctx.t('admin.fields.name_en') };
}

function VersionField(props: { state: FormState }) {
  const version = props.state.values.version;
  if (typeof version !== 'string') return null;
  return <input type="hidden" name="version" value={version} />;
}

/** The delete form under an edit form; the service refuses while other rows still refer to it. */
function DeleteForm(props: { ctx: ViewContext; action: string; version: string | undefined; text: string }) {
  const { ctx } = props;
  if (!props.version) return null;
  return (
    <section aria-labelledby="delete-title">
      <h2 id="delete-title">{ctx.t('form.delete')}</h2>
      <p>{props.text}</p>
      <Form ctx={ctx} action={props.action}>
        <input type="hidden" name="version" value={props.version} />
        <button type="submit" class="button button--danger">
          {ctx.t('form.delete')}
        </button>
      </Form>
    </section>
  );
}

export type AreaFormModel = {
  kind: 'arrondissement' | 'neighbourhood';
  /** Null when creating. */
  id: number | null;
  /** The name in the reader's language, for the title of an edit page. */
  currentName: string | null;
  arrondissementOptions: { id: number; name: string }[];
  /** The version the delete form carries (the row's, not what a failed edit posted). */
  deleteVersion?: string;
};

export function AreaFormPage(props: { frame: AdminFrame; model: AreaFormModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { model, state } = props;
  const plural = model.kind === 'arrondissement' ? 'arrondissements' : 'neighbourhoods';
  const base = `/admin/areas/${plural}`;
  const title = model.id === null ? t(`admin.areas.new_${model.kind}`) : t(`admin.areas.edit_${model.kind}`, { name: model.currentName ?? '' });
  return (
    <AdminPage frame={props.frame} title={title} back={{ path: '/admin/areas', label: t('admin.areas.back') }}>
      <ErrorSummary
        ctx={ctx}
        errors={state.errors}
        labels={{ ...nameLabels(ctx), arrondissement_id: t('admin.areas.arrondissement'), outline: t('admin.areas.outline') }}
      />
      <Form ctx={ctx} action={href(ctx, model.id === null ? base : `${base}/${model.id}`)}>
        <VersionField state={state} />
        <NameFields ctx={ctx} state={state} />
        {model.kind === 'neighbourhood' && (
          <SelectField
            ctx={ctx}
            state={state}
            name="arrondissement_id"
            label={t('admin.areas.arrondissement')}
            emptyLabel={t('admin.areas.no_arrondissement')}
            options={model.arrondissementOptions.map((a) => ({ value: String(a.id), label: a.name }))}
          />
        )}
        <TextArea ctx={ctx} state={state} name="outline" label={t('admin.areas.outline')} hint={t('admin.areas.outline_hint')} rows={6} />
        <SubmitButton>{t('form.save')}</SubmitButton>
      </Form>
      {model.id !== null && (
        <DeleteForm
          ctx={ctx}
          action={href(ctx, `${base}/${model.id}/delete`)}
          version={model.deleteVersion}
          text={t(`admin.areas.delete_${model.kind}_text`)}
        />
      )}
    </AdminPage>
  );
}

export type DepartmentRowModel = { id: number; code: string; name: string; email: string | null; active: boolean };

export function DepartmentsPage(props: { frame: AdminFrame; model: { departments: DepartmentRowModel[] } }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  return (
    <AdminPage frame={props.frame} title={t('admin.departments.title')}>
      <p class="lead">{t('admin.departments.intro')}</p>
      <p>
        <a class="button button--secondary" href={href(ctx, '/admin/departments/new')}>
          {t('admin.departments.add')}
        </a>
      </p>
      {props.model.departments.length === 0 ? (
        <p class="muted">{t('admin.departments.none')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.departments.name')}</th>
                <th scope="col">{t('admin.departments.code')}</th>
                <th scope="col">{t('admin.departments.email')}</th>
                <th scope="col">{t('admin.departments.state')}</th>
              </tr>
            </thead>
            <tbody>
              {props.model.departments.map((d) => (
                <tr>
                  <td>
                    <a href={href(ctx, `/admin/departments/${d.id}`)}>
                      <bdi>{d.name}</bdi>
                    </a>
                  </td>
                  <td class="mono" dir="ltr">
                    {d.code}
                  </td>
                  <td>
                    <Typed ctx={ctx} value={d.email} ltr />
                  </td>
                  <td>
                    <span class="badge">{d.active ? t('admin.departments.active_state') : t('admin.departments.inactive_state')}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}

export type DepartmentFormModel = { id: number | null; currentName: string | null; deleteVersion?: string };

export function DepartmentFormPage(props: { frame: AdminFrame; model: DepartmentFormModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { model, state } = props;
  const title = model.id === null ? t('admin.departments.new') : t('admin.departments.edit', { name: model.currentName ?? '' });
  return (
    <AdminPage frame={props.frame} title={title} back={{ path: '/admin/departments', label: t('admin.departments.back') }}>
      <ErrorSummary
        ctx={ctx}
        errors={state.errors}
        labels={{ ...nameLabels(ctx), code: t('admin.departments.code'), email: t('admin.departments.email') }}
      />
      <Form ctx={ctx} action={href(ctx, model.id === null ? '/admin/departments' : `/admin/departments/${model.id}`)}>
        <VersionField state={state} />
        <TextField
          ctx={ctx}
          state={state}
          name="code"
          label={t('admin.departments.code')}
          hint={t('admin.departments.code_hint')}
          maxLength={40}
          dir="ltr"
          required
        />
        <NameFields ctx={ctx} state={state} />
        <TextField ctx={ctx} state={state} name="email" type="email" label={t('admin.departments.email')} maxLength={254} dir="ltr" />
        <CheckboxField ctx={ctx} state={state} name="active" label={t('admin.departments.active')} hint={t('admin.departments.active_hint')} />
        <SubmitButton>{t('form.save')}</SubmitButton>
      </Form>
      {model.id !== null && (
        <DeleteForm ctx={ctx} action={href(ctx, `/admin/departments/${model.id}/delete`)} version={model.deleteVersion} text={t('admin.departments.delete_text')} />
      )}
    </AdminPage>
  );
}
