// Small view pieces shared by the accounts pages.
import type { ComponentChildren } from 'preact';
import type { MessageValues } from '../../i18n/i18n.ts';
import type { ViewContext } from '../../ui/view-context.ts';
import { TextField } from '../../ui/forms.tsx';
import type { FormState } from '../../http/forms.ts';
import { formatPhone } from '../../lib/phone.ts';
import { CODE_LENGTH, type Contact } from './accounts.ts';

/**
 * A translated sentence with elements inside it ("We sent a code to <bdi>+216 …</bdi>."), so a
 * phone number or a link sits where each language's grammar puts it.
 */
export function richText(
  ctx: ViewContext,
  key: string,
  values: MessageValues,
  parts: Record<string, ComponentChildren>,
): ComponentChildren[] {
  const names = Object.keys(parts);
  const markers = Object.fromEntries(names.map((name, i) => [name, `\u0000${i}\u0000`]));
  const text = ctx.t(key, { ...values, ...markers });
  return text.split(/\u0000(\d+)\u0000/).map((piece, i) => (i % 2 === 0 ? piece : parts[names[Number(piece)]!]));
}

/** A phone number or e-mail address as people read it, isolated and left-to-right. */
export function ContactText(props: { contact: Contact }) {
  // No-break spaces keep "+216 22 123 456" on one line.
  const text = props.contact.channel === 'sms' ? formatPhone(props.contact.target).replace(/ /g, '\u00A0') : props.contact.target;
  return (
    <bdi dir="ltr" class="mono">
      {text}
    </bdi>
  );
}

export function IdentifierField(props: { ctx: ViewContext; state: FormState; value?: string; autofocus?: boolean }) {
  const { ctx } = props;
  return (
    <TextField
      ctx={ctx}
      state={props.state}
      name="identifier"
      label={ctx.t('accounts.field.identifier')}
      hint={ctx.t('accounts.field.identifier_hint')}
      type="text"
      autocomplete="username"
      dir="ltr"
      maxLength={254}
      required
      value={props.value}
    />
  );
}

export function CodeField(props: { ctx: ViewContext; state: FormState }) {
  const { ctx } = props;
  return (
    <TextField
      ctx={ctx}
      state={props.state}
      name="code"
      label={ctx.t('accounts.field.code')}
      hint={ctx.t('accounts.field.code_hint', { length: CODE_LENGTH })}
      type="text"
      autocomplete="one-time-code"
      inputMode="numeric"
      dir="ltr"
      maxLength={20}
      required
    />
  );
}

export function HiddenNext(props: { next: string | undefined }) {
  return props.next ? <input type="hidden" name="next" value={props.next} /> : null;
}
