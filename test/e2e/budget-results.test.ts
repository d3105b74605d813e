// Participatory budgeting results in a real browser on a phone (360×640), JavaScript off: the
// administrator publishes the demo cycle 2026 (vote closed, ~300 ballots) from the back office;
// a visitor then reads the results in Arabic — envelopes, selected projects, why each project
// was or was not selected, turnout charts with their tables — downloads the envelope's .pb
// file, which parses and matches the SHA-256 on the page, and reads the French explanations.
// axe finds no serious or critical violation and nothing overflows the screen sideways.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findMunicipalityBySlug } from '../../src/modules/municipalities/municipalities.repository.ts';
import { findCycleBySlug } from '../../src/modules/budget/cycles.repository.ts';
import { parsePabulib } from '../../src/modules/budget/outcome/pabulib.ts';
import { axeViolations, launchBrowser, phoneContext, seriousViolations, startServer, type RunningServer } from './support.ts';

let browser: Browser;
let server: RunningServer;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function submit(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/**
 * axe runs as a script in the page, so it checks the same address in a page with JavaScript
 * (`checker`, of a context with the same cookies when it matters); the pages are the same.
 */
async function fitsAndAccessible(checker: Page, url: string, what: string) {
  await checker.goto(url);
  const width = await checker.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${what}: the page is ${width} px wide on a 360 px screen`);
  assert.deepEqual(seriousViolations(await axeViolations(checker)), [], what);
}

test('the administrator publishes the 2026 results; a visitor reads them in Arabic and French and downloads the ballots', async () => {
  const db = server.database.db;
  const kef = (await findMunicipalityBySlug(db, 'kef'))!;
  const cycle = (await findCycleBySlug(db, kef.id, '2026'))!;
  assert.equal(cycle.results_published_at, null, 'the demo cycle 2026 waits for its results');

  // Before publication the public page says so and shows nothing of the count.
  const visitorContext = await phoneContext(browser, { javaScriptEnabled: false });
  const visitor = await visitorContext.newPage();
  const checkerContext = await phoneContext(browser);
  const checker = await checkerContext.newPage();
  await visitor.goto(`${server.url}/ar/budget/2026/results`);
  assert.match(await visitor.textContent('main') ?? '', /لم تُنشر النتائج بعد/);
  assert.equal(await visitor.locator('table').count(), 0);

  // The administrator: preview, then publish with the confirmation box ticked.
  // Staff pages work with or without JavaScript; with it here, so that axe can run in them.
  const staffContext = await phoneContext(browser);
  const staff = await staffContext.newPage();
  await staff.goto(`${server.url}/fr/login`);
  await staff.fill('#field-identifier', server.adminEmail);
  await staff.fill('#field-password', server.adminPassword);
  await submit(staff, 'main button[type="submit"]:not(.link-button) >> nth=0');
  await staff.goto(`${server.url}/ar/admin/budget/${cycle.id}/results`);
  assert.ok(await staff.isVisible('text=نشر النتائج'));
  await fitsAndAccessible(staff, staff.url(), 'staff preview (ar)');
  await staff.check('#field-confirm');
  await submit(staff, 'form[action$="/results/publish"] button[type="submit"]');
  assert.match(await staff.textContent('.flash') ?? '', /نُشرت النتائج/);
  assert.equal(await staff.locator('#field-confirm').count(), 0, 'no second publication');

  // The visitor's summary: envelopes with their ballots, annulments, turnout charts with tables.
  await visitor.goto(`${server.url}/ar/budget/2026/results`);
  assert.equal(await visitor.getAttribute('html', 'dir'), 'rtl');
  const envelopeLinks = await visitor.$$eval('table a', (links) => links.map((a) => a.getAttribute('href')!));
  assert.ok(envelopeLinks.length >= 2, 'a city-wide envelope and district envelopes');
  assert.ok(await visitor.isVisible('#turnout'));
  const charts = await visitor.$$eval('svg[role="img"]', (svgs) => svgs.map((svg) => svg.querySelector('title')?.textContent ?? ''));
  assert.ok(charts.includes('حسب طريقة التصويت') && charts.includes('حسب الجنس') && charts.includes('حسب الفئة العمرية'), charts.join(', '));
  for (const title of charts) assert.equal(await visitor.locator(`table:has(caption:text-is("${title}"))`).count(), 1, `a table for ${title}`);
  await fitsAndAccessible(checker, visitor.url(), 'results summary (ar)');

  // The city-wide envelope: selected projects and an explanation for every project.
  await visitor.goto(`${server.url}${envelopeLinks[0]}`);
  const selectedRows = await visitor.locator('table.results-table tbody tr').count();
  assert.ok(selectedRows > 0, 'selected projects are listed');
  const explanations = await visitor.$$eval('.results-why__item', (items) => items.map((li) => li.textContent ?? ''));
  assert.ok(explanations.length > selectedRows, 'projects not selected are explained too');
  assert.ok(explanations.some((text) => /اختير في الجولة 1/.test(text)), 'the first round of the Method of Equal Shares');
  assert.ok(explanations.every((text) => /اختير|لم يُختر|لم يتّسع|لم تتّسع/.test(text)), explanations.join('\n'));
  assert.match(await visitor.textContent('main') ?? '', /طريقة الحصص المتساوية/);
  assert.ok((await visitor.locator('svg[role="img"] title').count()) >= 3);
  await fitsAndAccessible(checker, visitor.url(), 'city envelope results (ar)');

  // The download is the published file: it parses, and its SHA-256 is the one on the page.
  const pbHref = await visitor.getAttribute('a[href$=".pb"]', 'href');
  const response = await visitorContext.request.get(`${server.url}${pbHref}`);
  assert.equal(response.status(), 200);
  const bytes = await response.body();
  const shown = (await visitor.textContent('code.results-hash'))!.trim();
  assert.equal(createHash('sha256').update(bytes).digest('hex'), shown);
  const instance = parsePabulib(bytes.toString('utf8'));
  assert.ok(instance.votes.length > 50, `${instance.votes.length} ballots in the city-wide envelope`);
  assert.equal(instance.voteType, 'approval');
  const selectedInFile = instance.projects.filter((p) => p.fields.selected === '1').length;
  assert.equal(selectedInFile, selectedRows);
  const csv = await visitorContext.request.get(`${server.url}${pbHref!.replace(/\.pb$/, '.csv')}`);
  assert.equal((await csv.text()).replace(/^\uFEFF/, '').trim().split(/\r\n/).length, instance.votes.length + 1);

  // French: the same explanations in French.
  await visitor.goto(`${server.url}${envelopeLinks[0]!.replace(/^\/ar\//, '/fr/')}`);
  assert.equal(await visitor.getAttribute('html', 'dir'), 'ltr');
  assert.match(await visitor.textContent('main') ?? '', /Méthode des parts égales/);
  assert.match(await visitor.textContent('main') ?? '', /Retenu au tour 1, au prix ρ/);
  await fitsAndAccessible(checker, visitor.url(), 'city envelope results (fr)');

  await staffContext.close();
  await visitorContext.close();
  await checkerContext.close();
});
