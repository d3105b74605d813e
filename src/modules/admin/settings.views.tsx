// The municipality's settings form.
import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, Form, RadioGroup, SubmitButton, TextArea, TextField } from '../../ui/forms.tsx';
import { href } from '../../ui/view-context.ts';
import { COUNCIL_BODIES } from '../municipalities/settings.service.ts';
import type { AdminFrame } from './admin-http.ts';
import { AdminPage } from './admin.views.tsx';
import { ADDRESS_MAX, NAME_MAX } from './admin.schemas.ts';

export function SettingsPage(props: { frame: AdminFrame; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { state } = props;
  const label = (field: string) => t(`admin.settings.${field}`);
  const fields = [
    'name_ar',
    'name_fr',
    'name_en',
    'address_ar',
    'address_fr',
    'address_en',
    'contact_email',
    'contact_phone',
    'map_lat',
    'map_lng',
    'map_zoom',
    'council_body',
    'tracking_prefix',
    'hostnames',
  ];
  const version = state.values.version;
  return (
    <AdminPage frame={props.frame} title={t('admin.settings.title')}>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={Object.fromEntries(fields.map((f) => [f, label(f)]))} />
      <Form ctx={ctx} action={href(ctx, '/admin/settings')}>
        {typeof version === 'string' && <input type="hidden" name="version" value={version} />}
        <fieldset class="fieldset">
          <legend>
            <h2>{t('admin.settings.names_title')}</h2>
          </legend>
          <TextField ctx={ctx} state={state} name="name_ar" label={label('name_ar')} maxLength={NAME_MAX} dir="rtl" required />
          <TextField ctx={ctx} state={state} name="name_fr" label={label('name_fr')} maxLength={NAME_MAX} dir="ltr" required />
          <TextField ctx={ctx} state={state} name="name_en" label={label('name_en')} maxLength={NAME_MAX} dir="ltr" required />
        </fieldset>
        <fieldset class="fieldset">
          <legend>
            <h2>{t('admin.settings.contact_title')}</h2>
          </legend>
          <TextArea ctx={ctx} state={state} name="address_ar" label={label('address_ar')} maxLength={ADDRESS_MAX} rows={2} />
          <TextArea ctx={ctx} state={state} name="address_fr" label={label('address_fr')} maxLength={ADDRESS_MAX} rows={2} />
          <TextArea ctx={ctx} state={state} name="address_en" label={label('address_en')} maxLength={ADDRESS_MAX} rows={2} />
          <TextField ctx={ctx} state={state} name="contact_email" type="email" label={label('contact_email')} maxLength={254} dir="ltr" />
          <TextField ctx={ctx} state={state} name="contact_phone" type="tel" label={label('contact_phone')} maxLength={30} dir="ltr" />
        </fieldset>
        <fieldset class="fieldset">
          <legend>
            <h2>{t('admin.settings.map_title')}</h2>
          </legend>
          <p class="field__hint">{t('admin.settings.map_hint')}</p>
          <TextField ctx={ctx} state={state} name="map_lat" label={label('map_lat')} inputMode="text" dir="ltr" maxLength={20} required />
          <TextField ctx={ctx} state={state} name="map_lng" label={label('map_lng')} inputMode="text" dir="ltr" maxLength={20} required />
          <TextField ctx={ctx} state={state} name="map_zoom" label={label('map_zoom')} inputMode="numeric" dir="ltr" maxLength={2} required />
        </fieldset>
        <RadioGroup
          ctx={ctx}
          state={state}
          name="council_body"
          label={label('council_body')}
          hint={t('admin.settings.council_body_hint')}
          options={COUNCIL_BODIES.map((body) => ({ value: body, label: t(`admin.council_body.${body}`) }))}
          required
        />
        <TextField
          ctx={ctx}
          state={state}
          name="tracking_prefix"
          label={label('tracking_prefix')}
          hint={t('admin.settings.tracking_prefix_hint')}
          maxLength={6}
          dir="ltr"
          required
        />
        <TextArea ctx={ctx} state={state} name="hostnames" label={label('hostnames')} hint={t('admin.settings.hostnames_hint')} rows={4} />
        <SubmitButton>{t('form.save')}</SubmitButton>
      </Form>
    </AdminPage>
  );
}
