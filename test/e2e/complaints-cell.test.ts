// The complaints cell at work, on a phone with JavaScript off: a complaint comes in, the
// administrator opens it from the inbox, triages it, sends it to the technical service and one
// of its agents (listing that department's staff first), and resolves it with a public reply
// built from a reply template. The public tracking page then says "resolved" and shows the reply.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestUser } from '../support/fixtures.ts';
import { listCategories, listResponseTemplates } from '../../src/modules/complaints/categories.service.ts';
import { submitComplaint } from '../../src/modules/complaints/submission.service.ts';
import { listDepartments } from '../../src/modules/municipalities/municipalities.repository.ts';
import { axeViolations, launchBrowser, phoneContext, seriousViolations, startServer, type RunningServer } from './support.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function submit(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('triage, assign and resolve a complaint as staff; the public page shows it resolved with the reply', async () => {
  const db = server.database.db;
  const municipality = await db.selectFrom('municipalities').selectAll().where('slug', '=', 'kef').executeTakeFirstOrThrow();
  const lighting = (await listCategories(db, { municipalityId: municipality.id })).find((c) => c.code === 'lighting')!;
  const technical = (await listDepartments(db, municipality.id)).find((d) => d.code === 'technical')!;
  const agent = await createTestUser(db, {
    municipalityId: municipality.id,
    email: 'sami@kef.example',
    displayName: 'Sami Kefi',
    roles: [{ role: 'staff_agent', departmentId: technical.id }],
  });
  // A citizen filed it online in Arabic (the public form has its own browser tests).
  const { trackingNumber, complaint } = await submitComplaint(db, {
    municipality,
    channel: 'web',
    locale: 'ar',
    reporter: null,
    categoryId: lighting.id,
    description: 'الفانوس مطفأ منذ أسبوع قرب المدرسة',
    location: { address: 'نهج الحبيب بورقيبة' },
    contact: { phone: '22 654 321' },
  });
  const template = (await listResponseTemplates(db, { municipalityId: municipality.id }))[0]!;

  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/fr/login`);
  await page.fill('#field-identifier', server.adminEmail);
  await page.fill('#field-password', server.adminPassword);
  await submit(page, 'main button[type="submit"]');

  // The inbox: the "new" view lists it; search finds it without the article or diacritics.
  await page.goto(`${server.url}/fr/admin/complaints`);
  await submit(page, `nav.cell-views a[href="/fr/admin/complaints?status=received"]`);
  assert.ok(await page.isVisible(`text=${trackingNumber}`));
  await page.goto(`${server.url}/fr/admin/complaints?q=${encodeURIComponent('مدرسه')}`);
  await submit(page, `a[href="/fr/admin/complaints/${complaint.id}"]`);
  assert.equal(new URL(page.url()).pathname, `/fr/admin/complaints/${complaint.id}`);
  assert.match((await page.textContent('h1')) ?? '', new RegExp(trackingNumber));

  // Triage: urgent. Without JavaScript the <details> opens by a click on its summary.
  await page.click('#action-triage > summary');
  await page.selectOption('#field-triage_priority', 'urgent');
  await submit(page, '#action-triage button[type="submit"]');
  assert.match((await page.textContent('.flash')) ?? '', /Tri enregistré/);

  // Assign: the technical service, then its staff, then the agent.
  await page.click('#action-assign > summary');
  await page.selectOption('#field-assign_department', String(technical.id));
  await submit(page, '#action-assign button[value="refresh"]');
  await page.selectOption('#field-assign_agent', String(agent.id));
  await submit(page, '#action-assign button[value="send"]');
  assert.match((await page.textContent('.flash')) ?? '', /Réclamation transmise/);
  assert.match((await page.textContent('.cell-facts')) ?? '', /Sami Kefi/);

  // Resolve with a template: its Arabic text (the citizen's language) fills the box, then it is edited and sent.
  await page.click('#action-resolve > summary');
  await page.selectOption('#field-resolve_template', String(template.id));
  await submit(page, '#action-resolve button[value="use_template"]');
  assert.equal(await page.inputValue('#field-resolve_reply'), template.body.ar);
  const reply = `${template.body.ar} تمّ تعويض الفانوس يوم الثلاثاء.`;
  await page.fill('#field-resolve_reply', reply);
  await submit(page, '#action-resolve button[value="send"]');
  assert.match((await page.textContent('.flash')) ?? '', /marquée comme traitée/);
  const row = await db.selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
  assert.deepEqual([row.status, row.priority, row.assignee_user_id], ['resolved', 'urgent', agent.id]);

  // What the citizen sees, by tracking number, without an account.
  const citizen = await (await phoneContext(browser, { javaScriptEnabled: false })).newPage();
  const response = await citizen.goto(`${server.url}/ar/complaints/${trackingNumber}`);
  assert.equal(response?.status(), 200);
  const text = (await citizen.textContent('main')) ?? '';
  assert.match(text, /تمّت معالجتها/, 'the status "resolved" in Arabic');
  assert.ok(text.includes('تمّ تعويض الفانوس يوم الثلاثاء.'), 'the public reply');
  assert.ok(!text.includes('22 654 321') && !text.includes('21622654321'), 'no personal data');
  await citizen.context().close();
  await context.close();
});

for (const locale of ['ar', 'fr'] as const) {
  test(`the inbox and a complaint's page in ${locale}: no serious accessibility violation`, async () => {
    const db = server.database.db;
    const municipality = await db.selectFrom('municipalities').selectAll().where('slug', '=', 'kef').executeTakeFirstOrThrow();
    const waste = (await listCategories(db, { municipalityId: municipality.id })).find((c) => c.code === 'waste')!;
    const { complaint } = await submitComplaint(db, {
      municipality,
      channel: 'web',
      locale,
      reporter: null,
      categoryId: waste.id,
      description: locale === 'ar' ? 'فضلات لم تُرفع منذ ثلاثة أيام أمام السوق' : 'Ordures non ramassées devant le marché',
      location: { address: 'Médina' },
      contact: { name: 'Amel', phone: '22 111 999' },
    });
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/${locale}/login`);
    await page.fill('#field-identifier', server.adminEmail);
    await page.fill('#field-password', server.adminPassword);
    await submit(page, 'main button[type="submit"]');
    await page.goto(`${server.url}/${locale}/admin/complaints?status=open`);
    assert.deepEqual(seriousViolations(await axeViolations(page)), []);
    assert.ok(await page.isVisible(`.cell-inbox a[href="/${locale}/admin/complaints/${complaint.id}"]`));
    await page.goto(`${server.url}/${locale}/admin/complaints/${complaint.id}`);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
    assert.deepEqual(seriousViolations(await axeViolations(page)), []);
    await page.goto(`${server.url}/${locale}/admin/complaints/new`);
    assert.deepEqual(seriousViolations(await axeViolations(page)), []);
    await page.goto(`${server.url}/${locale}/admin/catalogue`);
    assert.deepEqual(seriousViolations(await axeViolations(page)), []);
    await context.close();
  });
}
