// Pages of the complaints catalogue: the list of categories and reply templates, a category's
// form with its extra questions (rows that work without JavaScript), and a template's form.
// Arabic fields are typed right to left, French and English left to right, whatever the page's
// language, so that each text is entered as it will be read.
import type { FormState } from '../../http/forms.ts';
import { CheckboxField, ErrorSummary, errorText, Form, SelectField, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame } from '../admin/admin-http.ts';
import { AdminPage } from '../admin/admin.views.tsx';
import { QUESTION_KINDS, type ResponseTemplate } from './categories.service.ts';
import type { CatalogueModel, CategoryEditorModel } from './cell.service.ts';
import { nameIn } from './cell.views.tsx';

const LANGS = ['ar', 'fr', 'en'] as const;
const DIR = { ar: 'rtl', fr: 'ltr', en: 'ltr' } as const;

function groupLabel(ctx: ViewContext, code: string | null): string {
  if (code === null) return ctx.t('form.none');
  const key = `complaints.group.${code}`;
  const label = ctx.t(key);
  return label === key ? code : label;
}

export function CatalogueListPage(props: { frame: AdminFrame; model: CatalogueModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { categories, templates, departments } = props.model;
  const departmentName = (id: number | null) => (id === null ? t('form.none') : nameIn(ctx, departments.find((d) => d.id === id)?.name) || t('form.none'));
  return (
    <AdminPage frame={props.frame} title={t('complaints.cell.catalogue.title')}>
      <p class="lead">{t('complaints.cell.catalogue.intro')}</p>
      <section aria-labelledby="categories-title">
        <h2 id="categories-title">{t('complaints.cell.catalogue.categories')}</h2>
        <p>
          <a class="button button--secondary" href={href(ctx, '/admin/catalogue/categories/new')}>
            {t('complaints.cell.catalogue.add_category')}
          </a>
        </p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('complaints.cell.catalogue.name')}</th>
                <th scope="col">{t('complaints.cell.catalogue.group')}</th>
                <th scope="col">{t('complaints.cell.field.department')}</th>
                <th scope="col">{t('complaints.cell.catalogue.deadlines')}</th>
                <th scope="col">{t('complaints.cell.catalogue.questions')}</th>
                <th scope="col">{t('complaints.cell.catalogue.state')}</th>
              </tr>
            </thead>
            <tbody>
              {categories.map((category) => (
                <tr class={category.active ? undefined : 'cell-is-inactive'}>
                  <td>
                    <a href={href(ctx, `/admin/catalogue/categories/${category.id}`)}>
                      <bdi>{nameIn(ctx, category.name)}</bdi>
                    </a>
                    <div class="muted mono">
                      <bdi dir="ltr">{category.code}</bdi>
                    </div>
                  </td>
                  <td>{groupLabel(ctx, category.groupCode)}</td>
                  <td>
                    <bdi>{departmentName(category.departmentId)}</bdi>
                  </td>
                  <td>{t('complaints.cell.catalogue.deadline_pair', { ack: category.ackDays, resolve: category.resolveDays })}</td>
                  <td>{ctx.format.formatNumber(category.questions.length)}</td>
                  <td>
                    {category.active ? t('complaints.cell.catalogue.active') : t('complaints.cell.catalogue.inactive')}
                    {category.sensitive && (
                      <div>
                        <span class="badge cell-badge--warning">{t('complaints.cell.sensitive')}</span>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="templates-title">
        <h2 id="templates-title">{t('complaints.cell.catalogue.templates')}</h2>
        <p class="muted">{t('complaints.cell.catalogue.templates_intro')}</p>
        <p>
          <a class="button button--secondary" href={href(ctx, '/admin/catalogue/templates/new')}>
            {t('complaints.cell.catalogue.add_template')}
          </a>
        </p>
        {templates.length === 0 ? (
          <p class="muted">{t('complaints.cell.catalogue.no_templates')}</p>
        ) : (
          <ul class="plain-list">
            {templates.map((template) => (
              <li>
                <a href={href(ctx, `/admin/catalogue/templates/${template.id}`)}>
                  <bdi>{nameIn(ctx, template.title)}</bdi>
                </a>{' '}
                <span class="muted mono">
                  <bdi dir="ltr">{template.code}</bdi>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </AdminPage>
  );
}

function TrilingualFields(props: { ctx: ViewContext; state: FormState; prefix: string; label: string; required?: boolean; multiline?: boolean; max: number }) {
  const { ctx } = props;
  return (
    <fieldset class="field fieldset cell-trilingual">
      <legend class="field__label">
        {props.label}
        {!props.required && <span class="field__optional"> {ctx.t('form.optional')}</span>}
      </legend>
      {LANGS.map((lang) => {
        const name = `${props.prefix}.${lang}`;
        const label = ctx.t(`complaints.cell.catalogue.in_${lang}`);
        // Each box is typed in its own direction; the labels stay in the page's.
        return props.multiline ? (
          <TextArea ctx={ctx} state={props.state} name={name} label={label} required={props.required} maxLength={props.max} rows={3} />
        ) : (
          <TextField ctx={ctx} state={props.state} name={name} label={label} required={props.required} maxLength={props.max} dir={DIR[lang]} />
        );
      })}
    </fieldset>
  );
}

function categoryLabels(ctx: ViewContext, rows: number): Record<string, string> {
  const labels: Record<string, string> = {
    code: ctx.t('complaints.cell.catalogue.code'),
    groupCode: ctx.t('complaints.cell.catalogue.group'),
    departmentId: ctx.t('complaints.cell.field.department'),
    ackDays: ctx.t('complaints.cell.catalogue.ack_days'),
    resolveDays: ctx.t('complaints.cell.catalogue.resolve_days'),
    sortOrder: ctx.t('complaints.cell.catalogue.sort_order'),
  };
  for (const lang of LANGS) {
    const language = ctx.t(`complaints.cell.catalogue.in_${lang}`);
    labels[`name.${lang}`] = `${ctx.t('complaints.cell.catalogue.name')} (${language})`;
    labels[`description.${lang}`] = `${ctx.t('complaints.cell.catalogue.description')} (${language})`;
  }
  for (let row = 0; row < rows; row += 1) {
    const question = ctx.t('complaints.cell.catalogue.question_number', { number: row + 1 });
    labels[`questions.${row}.code`] = `${question}: ${ctx.t('complaints.cell.catalogue.code')}`;
    labels[`questions.${row}.kind`] = `${question}: ${ctx.t('complaints.cell.catalogue.kind')}`;
    labels[`questions.${row}.options`] = `${question}: ${ctx.t('complaints.cell.catalogue.options')}`;
    for (const lang of LANGS) labels[`questions.${row}.label.${lang}`] = `${question}: ${ctx.t(`complaints.cell.catalogue.in_${lang}`)}`;
  }
  return labels;
}

export function CategoryFormPage(props: { frame: AdminFrame; model: CategoryEditorModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { category, departments, groupCodes } = props.model;
  const { state } = props;
  const rows = Math.max(1, Number(state.values.question_rows ?? 1) || 1);
  const title = category ? t('complaints.cell.catalogue.edit_category', { name: nameIn(ctx, category.name) }) : t('complaints.cell.catalogue.add_category');
  const action = href(ctx, category ? `/admin/catalogue/categories/${category.id}` : '/admin/catalogue/categories/new');
  return (
    <AdminPage frame={props.frame} title={title} back={{ path: '/admin/catalogue', label: t('complaints.cell.catalogue.back') }}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={categoryLabels(ctx, rows)} />
      <Form ctx={ctx} action={action} class="form cell-form--wide">
        {category && <input type="hidden" name="version" value={String(state.values.version ?? category.version)} />}
        <input type="hidden" name="question_rows" value={String(rows)} />
        <TextField ctx={ctx} state={state} name="code" label={t('complaints.cell.catalogue.code')} hint={t('complaints.cell.catalogue.code_hint')} dir="ltr" maxLength={40} required />
        <TrilingualFields ctx={ctx} state={state} prefix="name" label={t('complaints.cell.catalogue.name')} max={120} required />
        <TrilingualFields ctx={ctx} state={state} prefix="description" label={t('complaints.cell.catalogue.description')} max={1000} multiline />
        <SelectField
          ctx={ctx}
          state={state}
          name="groupCode"
          label={t('complaints.cell.catalogue.group')}
          emptyLabel={t('form.none')}
          options={groupCodes.map((code) => ({ value: code, label: groupLabel(ctx, code) }))}
        />
        <SelectField
          ctx={ctx}
          state={state}
          name="departmentId"
          label={t('complaints.cell.field.department')}
          hint={t('complaints.cell.catalogue.department_hint')}
          emptyLabel={t('complaints.cell.no_department')}
          options={departments.filter((d) => d.active || String(d.id) === state.values.departmentId).map((d) => ({ value: String(d.id), label: nameIn(ctx, d.name) }))}
        />
        <div class="filters">
          <TextField ctx={ctx} state={state} name="ackDays" label={t('complaints.cell.catalogue.ack_days')} inputMode="numeric" dir="ltr" maxLength={3} required />
          <TextField ctx={ctx} state={state} name="resolveDays" label={t('complaints.cell.catalogue.resolve_days')} inputMode="numeric" dir="ltr" maxLength={3} required />
          <TextField ctx={ctx} state={state} name="sortOrder" label={t('complaints.cell.catalogue.sort_order')} inputMode="numeric" dir="ltr" maxLength={6} required />
        </div>
        <CheckboxField ctx={ctx} state={state} name="sensitive" label={t('complaints.cell.catalogue.sensitive')} hint={t('complaints.cell.catalogue.sensitive_hint')} />
        <CheckboxField ctx={ctx} state={state} name="active" label={t('complaints.cell.catalogue.active_label')} hint={t('complaints.cell.catalogue.active_hint')} />

        <h2>{t('complaints.cell.catalogue.questions')}</h2>
        <p class="muted">{t('complaints.cell.catalogue.questions_intro')}</p>
        {Array.from({ length: rows }, (_, row) => (
          <QuestionRow ctx={ctx} state={state} row={row} />
        ))}
        <p class="actions">
          <SubmitButton name="intent" value="save">
            {t('form.save')}
          </SubmitButton>
          <SubmitButton secondary name="intent" value="more">
            {t('complaints.cell.catalogue.more_rows')}
          </SubmitButton>
        </p>
      </Form>
    </AdminPage>
  );
}

function QuestionRow(props: { ctx: ViewContext; state: FormState; row: number }) {
  const { ctx, state, row } = props;
  const { t } = ctx;
  const p = `questions.${row}`;
  const optionsError = errorText(ctx, state.errors[`${p}.options`]);
  const hasContent = typeof state.values[`${p}.code`] === 'string' && state.values[`${p}.code`] !== '';
  return (
    <fieldset class="field fieldset cell-question-row">
      <legend class="field__label">{t('complaints.cell.catalogue.question_number', { number: row + 1 })}</legend>
      <div class="filters">
        <TextField ctx={ctx} state={state} name={`${p}.code`} label={t('complaints.cell.catalogue.code')} dir="ltr" maxLength={40} required />
        <SelectField
          ctx={ctx}
          state={state}
          name={`${p}.kind`}
          label={t('complaints.cell.catalogue.kind')}
          options={QUESTION_KINDS.map((kind) => ({ value: kind, label: t(`complaints.cell.catalogue.kinds.${kind}`) }))}
          required
        />
      </div>
      {LANGS.map((lang) => (
        <TextField ctx={ctx} state={state} name={`${p}.label.${lang}`} label={t(`complaints.cell.catalogue.label_in_${lang}`)} maxLength={120} dir={DIR[lang]} required />
      ))}
      <CheckboxField ctx={ctx} state={state} name={`${p}.required`} label={t('complaints.cell.catalogue.required')} />
      <div class={optionsError ? 'field field--error' : 'field'}>
        <label class="field__label" for={`field-${p}.options`}>
          {t('complaints.cell.catalogue.options')}
          <span class="field__optional"> {t('form.optional')}</span>
        </label>
        <p class="field__hint" id={`hint-${p}.options`}>
          {t('complaints.cell.catalogue.options_hint')}
        </p>
        {optionsError && (
          <p class="field__error" id={`error-${p}.options`}>
            {optionsError}
          </p>
        )}
        <textarea
          class="field__input"
          id={`field-${p}.options`}
          name={`${p}.options`}
          rows={3}
          dir="auto"
          aria-invalid={optionsError ? 'true' : undefined}
          aria-describedby={optionsError ? `hint-${p}.options error-${p}.options` : `hint-${p}.options`}
        >
          {typeof state.values[`${p}.options`] === 'string' ? state.values[`${p}.options`] : ''}
        </textarea>
      </div>
      {hasContent && <CheckboxField ctx={ctx} state={state} name={`${p}.remove`} label={t('complaints.cell.catalogue.remove_question')} />}
    </fieldset>
  );
}

function templateLabels(ctx: ViewContext): Record<string, string> {
  const labels: Record<string, string> = { code: ctx.t('complaints.cell.catalogue.code') };
  for (const lang of LANGS) {
    const language = ctx.t(`complaints.cell.catalogue.in_${lang}`);
    labels[`title.${lang}`] = `${ctx.t('complaints.cell.catalogue.template_title')} (${language})`;
    labels[`body.${lang}`] = `${ctx.t('complaints.cell.catalogue.template_body')} (${language})`;
  }
  return labels;
}

export function TemplateFormPage(props: { frame: AdminFrame; model: { template: ResponseTemplate | null }; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { template } = props.model;
  const { state } = props;
  const title = template ? t('complaints.cell.catalogue.edit_template', { name: nameIn(ctx, template.title) }) : t('complaints.cell.catalogue.add_template');
  const action = href(ctx, template ? `/admin/catalogue/templates/${template.id}` : '/admin/catalogue/templates/new');
  return (
    <AdminPage frame={props.frame} title={title} back={{ path: '/admin/catalogue', label: t('complaints.cell.catalogue.back') }}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={templateLabels(ctx)} />
      <Form ctx={ctx} action={action} class="form cell-form--wide">
        {template && <input type="hidden" name="version" value={String(state.values.version ?? template.version)} />}
        <TextField ctx={ctx} state={state} name="code" label={t('complaints.cell.catalogue.code')} hint={t('complaints.cell.catalogue.code_hint')} dir="ltr" maxLength={40} required />
        <TrilingualFields ctx={ctx} state={state} prefix="title" label={t('complaints.cell.catalogue.template_title')} max={120} required />
        <TrilingualFields ctx={ctx} state={state} prefix="body" label={t('complaints.cell.catalogue.template_body')} max={2000} required multiline />
        <SubmitButton>{t('form.save')}</SubmitButton>
      </Form>
    </AdminPage>
  );
}
