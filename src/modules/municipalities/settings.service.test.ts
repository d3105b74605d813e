import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import { isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { actorFor, auditEntries, auditedBy, createTenant, parsed, type TenantFixture } from '../admin/admin.test-support.ts';
import { findMunicipalityById, listHostnamesOf } from './municipalities.repository.ts';
import { getMunicipalitySettings, type MunicipalitySettings, updateMunicipalitySettings } from './settings.service.ts';

describeEachDatabase('municipality settings', (suite) => {
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let admin: NonNullable<Actor>;

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha', ['alpha.example', 'www.alpha.example']);
    beta = await createTenant(suite.db(), 'beta', ['beta.example']);
    admin = actorFor(alpha.admin, [{ role: 'admin' }]);
  });

  async function currentSettings(): Promise<{ settings: MunicipalitySettings; version: string }> {
    const { municipality: m, hostnames } = await getMunicipalitySettings(suite.db(), { actor: admin, municipalityId: alpha.municipality.id });
    return {
      version: m.updated_at,
      settings: {
        name: { ar: m.name_ar, fr: m.name_fr, en: m.name_en },
        address: { ar: m.address_ar, fr: m.address_fr, en: m.address_en },
        contactEmail: m.contact_email,
        contactPhone: m.contact_phone,
        map: { lat: m.map_lat, lng: m.map_lng, zoom: m.map_zoom },
        councilBody: m.council_body,
        trackingPrefix: m.tracking_prefix,
        hostnames,
      },
    };
  }

  test('saving records the changed settings and host names in one audit entry', async () => {
    const db = suite.db();
    const { settings, version } = await currentSettings();
    const entries = await auditedBy(db, alpha.municipality.id, () =>
      updateMunicipalitySettings(db, {
        actor: admin,
        municipalityId: alpha.municipality.id,
        version,
        settings: { ...settings, councilBody: 'special_delegation', contactPhone: '78 200 000', hostnames: ['alpha.example', 'Kef.Example.TN'] },
      }),
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.action, 'municipality.settings_updated');
    assert.deepEqual(parsed(entries[0]!.before_json), {
      contact_phone: null,
      council_body: 'elected_council',
      hostnames: ['alpha.example', 'www.alpha.example'],
    });
    assert.deepEqual(parsed(entries[0]!.after_json), {
      contact_phone: '78 200 000',
      council_body: 'special_delegation',
      hostnames: ['alpha.example', 'kef.example.tn'],
    });
    assert.equal((await findMunicipalityById(db, alpha.municipality.id))?.council_body, 'special_delegation');
    assert.deepEqual(await listHostnamesOf(db, alpha.municipality.id), ['alpha.example', 'kef.example.tn']);
  });

  test('a stale save is refused', async () => {
    const db = suite.db();
    const { settings, version } = await currentSettings();
    await updateMunicipalitySettings(db, { actor: admin, municipalityId: alpha.municipality.id, version, settings: { ...settings, trackingPrefix: 'ALF' } });
    await assert.rejects(
      updateMunicipalitySettings(db, { actor: admin, municipalityId: alpha.municipality.id, version, settings: { ...settings, trackingPrefix: 'OLD' } }),
      (error) => isAppError(error, 'stale'),
    );
    assert.equal((await findMunicipalityById(db, alpha.municipality.id))?.tracking_prefix, 'ALF');
  });

  test('host names: valid syntax, not another municipality’s, not the one in use', async () => {
    const db = suite.db();
    const { settings, version } = await currentSettings();
    const save = (hostnames: string[], requestHost?: string) =>
      updateMunicipalitySettings(db, { actor: admin, municipalityId: alpha.municipality.id, version, requestHost, settings: { ...settings, hostnames } });
    const count = (await auditEntries(db, alpha.municipality.id)).length;
    await assert.rejects(save(['alpha.example', 'not a host']), (error) => {
      assert.ok(isAppError(error, 'validation'));
      assert.deepEqual(error.fields.hostnames, { key: 'admin.settings.hostname_invalid', values: { host: 'not a host' } });
      return true;
    });
    await assert.rejects(save(['alpha.example', 'beta.example']), (error) => {
      assert.ok(isAppError(error, 'conflict'));
      assert.deepEqual(error.fields.hostnames, { key: 'admin.settings.hostname_taken', values: { host: 'beta.example' } });
      return true;
    });
    await assert.rejects(save(['kef.example.tn'], 'alpha.example:3000'), (error) => isAppError(error, 'validation') && 'hostnames' in error.fields);
    assert.equal((await auditEntries(db, alpha.municipality.id)).length, count);
    assert.deepEqual(await listHostnamesOf(db, beta.municipality.id), ['beta.example']);
  });

  test('only the municipality’s own administrators may read or change its settings', async () => {
    const db = suite.db();
    const { settings } = await currentSettings();
    const agent = actorFor(alpha.agent, [{ role: 'staff_agent', departmentId: alpha.departments[0]!.id }]);
    await assert.rejects(getMunicipalitySettings(db, { actor: agent, municipalityId: alpha.municipality.id }), (e) => isAppError(e, 'forbidden'));
    await assert.rejects(
      updateMunicipalitySettings(db, { actor: admin, municipalityId: beta.municipality.id, version: beta.municipality.updated_at, settings: { ...settings, hostnames: [] } }),
      (e) => isAppError(e, 'forbidden'),
    );
    assert.equal((await findMunicipalityById(db, beta.municipality.id))?.name_fr, beta.municipality.name_fr);
  });
});
