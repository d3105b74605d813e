// Form building blocks. Each field has a visible label, an optional hint, and its error linked
// with aria-describedby; the error summary at the top links to each field (GOV.UK pattern).
// Password inputs never echo their value back.
import type { ComponentChildren } from 'preact';
import type { FieldError, FieldErrors } from '../lib/errors.ts';
import type { FormState } from '../http/forms.ts';
import type { ViewContext } from './view-context.ts';

export const CSRF_FIELD = '_csrf';

export function errorText(ctx: ViewContext, error: FieldError | undefined): string | undefined {
  if (error === undefined) return undefined;
  return typeof error === 'string' ? ctx.t(error) : ctx.t(error.key, error.values);
}

export function Form(props: {
  ctx: ViewContext;
  action: string;
  children: ComponentChildren;
  class?: string;
  enctype?: string;
  id?: string;
}) {
  return (
    <form method="post" action={props.action} class={props.class ?? 'form'} enctype={props.enctype} id={props.id} noValidate>
      <input type="hidden" name={CSRF_FIELD} value={props.ctx.csrfToken} />
      {props.children}
    </form>
  );
}

/** The list of problems at the top of a form; `labels` names each field as its label does. */
export function ErrorSummary(props: { ctx: ViewContext; errors: FieldErrors; labels: Record<string, string> }) {
  const { ctx, errors } = props;
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2 class="error-summary__title">{ctx.t('form.error_summary_title', { count: entries.length })}</h2>
      <ul>
        {entries.map(([field, error]) =>
          field === '_form' || !props.labels[field] ? (
            <li>{errorText(ctx, error)}</li>
          ) : (
            <li>
              <a href={`#field-${field}`}>{ctx.t('form.error_summary_item', { label: props.labels[field], error: errorText(ctx, error) })}</a>
            </li>
          ),
        )}
      </ul>
    </div>
  );
}

type FieldProps = {
  ctx: ViewContext;
  state: FormState;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
};

function valueOf(state: FormState, name: string): string {
  const value = state.values[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function describedBy(name: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint ? `hint-${name}` : '', error ? `error-${name}` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldFrame(props: FieldProps & { error: string | undefined; children: ComponentChildren }) {
  return (
    <div class={props.error ? 'field field--error' : 'field'}>
      <label for={`field-${props.name}`} class="field__label">
        {props.label}
        {!props.required && <span class="field__optional"> {props.ctx.t('form.optional')}</span>}
      </label>
      {props.hint && (
        <p class="field__hint" id={`hint-${props.name}`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field__error" id={`error-${props.name}`}>
          {props.error}
        </p>
      )}
      {props.children}
    </div>
  );
}

export function TextField(
  props: FieldProps & {
    type?: 'text' | 'email' | 'tel' | 'password' | 'number' | 'date' | 'search' | 'url';
    autocomplete?: string;
    maxLength?: number;
    inputMode?: 'numeric' | 'tel' | 'email' | 'text';
    dir?: 'ltr' | 'rtl' | 'auto';
    value?: string;
  },
) {
  const error = errorText(props.ctx, props.state.errors[props.name]);
  const type = props.type ?? 'text';
  return (
    <FieldFrame {...props} error={error}>
      <input
        class="field__input"
        id={`field-${props.name}`}
        name={props.name}
        type={type}
        value={type === 'password' ? undefined : (props.value ?? valueOf(props.state, props.name))}
        required={props.required}
        autocomplete={props.autocomplete}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        dir={props.dir}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      />
    </FieldFrame>
  );
}

export function TextArea(props: FieldProps & { rows?: number; maxLength?: number; value?: string }) {
  const error = errorText(props.ctx, props.state.errors[props.name]);
  return (
    <FieldFrame {...props} error={error}>
      <textarea
        class="field__input"
        id={`field-${props.name}`}
        name={props.name}
        rows={props.rows ?? 5}
        required={props.required}
        maxLength={props.maxLength}
        dir="auto"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        {props.value ?? valueOf(props.state, props.name)}
      </textarea>
    </FieldFrame>
  );
}

export type Option = { value: string; label: string };

export function SelectField(props: FieldProps & { options: Option[]; value?: string; emptyLabel?: string }) {
  const error = errorText(props.ctx, props.state.errors[props.name]);
  const selected = props.value ?? valueOf(props.state, props.name);
  return (
    <FieldFrame {...props} error={error}>
      <select
        class="field__input"
        id={`field-${props.name}`}
        name={props.name}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        <option value="">{props.emptyLabel ?? props.ctx.t('form.choose')}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === selected}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function RadioGroup(props: FieldProps & { options: Option[]; value?: string }) {
  const error = errorText(props.ctx, props.state.errors[props.name]);
  const selected = props.value ?? valueOf(props.state, props.name);
  return (
    <fieldset
      class={error ? 'field fieldset field--error' : 'field fieldset'}
      id={`field-${props.name}`}
      aria-describedby={describedBy(props.name, props.hint, error)}
    >
      <legend class="field__label">
        {props.label}
        {!props.required && <span class="field__optional"> {props.ctx.t('form.optional')}</span>}
      </legend>
      {props.hint && (
        <p class="field__hint" id={`hint-${props.name}`}>
          {props.hint}
        </p>
      )}
      {error && (
        <p class="field__error" id={`error-${props.name}`}>
          {error}
        </p>
      )}
      {props.options.map((o, i) => (
        <div class="choice">
          <input
            type="radio"
            id={i === 0 ? `field-${props.name}-first` : `field-${props.name}-${o.value}`}
            name={props.name}
            value={o.value}
            checked={o.value === selected}
          />
          <label for={i === 0 ? `field-${props.name}-first` : `field-${props.name}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

export function CheckboxField(props: FieldProps & { value?: string; checked?: boolean }) {
  const error = errorText(props.ctx, props.state.errors[props.name]);
  const value = props.value ?? 'yes';
  const checked = props.checked ?? valueOf(props.state, props.name) === value;
  return (
    <div class={error ? 'field field--error choice' : 'field choice'}>
      {error && (
        <p class="field__error" id={`error-${props.name}`}>
          {error}
        </p>
      )}
      <input
        type="checkbox"
        id={`field-${props.name}`}
        name={props.name}
        value={value}
        checked={checked}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      />
      <label for={`field-${props.name}`}>{props.label}</label>
      {props.hint && (
        <p class="field__hint" id={`hint-${props.name}`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function SubmitButton(props: { children: ComponentChildren; secondary?: boolean; name?: string; value?: string }) {
  return (
    <button type="submit" class={props.secondary ? 'button button--secondary' : 'button'} name={props.name} value={props.value}>
      {props.children}
    </button>
  );
}
