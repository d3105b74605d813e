// The public list, map and statistics of complaints in a real browser on a phone (360×640):
// Arabic and French with JavaScript off (the map is then a list by neighbourhood), axe finds
// no serious or critical violation, nothing overflows the screen sideways; and in French with
// JavaScript and stubbed map tiles, the map draws the complaints from the GeoJSON.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { findMunicipalityBySlug } from '../../src/modules/municipalities/municipalities.repository.ts';
import { listCategories } from '../../src/modules/complaints/categories.service.ts';
import { submitComplaint } from '../../src/modules/complaints/submission.service.ts';
import { axeViolations, launchBrowser, phoneContext, seriousViolations, startServer, type RunningServer } from './support.ts';

let browser: Browser;
const servers: RunningServer[] = [];

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const running of servers) await running.stop();
});

/** A server with the demo municipality and a few complaints, one of them in a sensitive category. */
async function start(env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer(env);
  servers.push(server);
  const db = server.database.db;
  const kef = (await findMunicipalityBySlug(db, 'kef'))!;
  const categories = await listCategories(db, { municipalityId: kef.id });
  const code = (c: string) => categories.find((category) => category.code === c)!.id;
  const points = [
    ['lighting', 36.181, 8.712],
    ['waste', 36.1822, 8.7133],
    ['unauthorised_building', 36.1773, 8.7042],
    ['roads', 36.179, 8.709],
  ] as const;
  for (const [category, lat, lng] of points) {
    await submitComplaint(db, {
      municipality: kef,
      channel: 'web',
      locale: 'ar',
      reporter: null,
      categoryId: code(category),
      description: 'وصف الشكاية',
      location: { lat, lng },
      contact: { name: 'Zeineb Secretname' },
    });
  }
  return server;
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page is ${width} px wide on a 360 px screen`);
}

test('Arabic and French, JavaScript off: list, map as a list, statistics; accessible, nothing personal, fits a phone', async () => {
  const server = await start();
  // axe runs as a script in the page: a second context, with JavaScript, for it (no tiles, so
  // the pages are the same as without).
  const checker = await (await phoneContext(browser)).newPage();
  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  for (const locale of ['ar', 'fr'] as const) {
    for (const name of ['list', 'map', 'statistics']) {
      await page.goto(`${server.url}/${locale}/complaints/${name}`);
      assert.equal(await page.getAttribute('html', 'dir'), locale === 'ar' ? 'rtl' : 'ltr');
      assert.doesNotMatch(await page.content(), /Zeineb|Secretname/);
      await checker.goto(`${server.url}/${locale}/complaints/${name}`);
      assert.deepEqual(seriousViolations(await axeViolations(checker)), [], `${locale} ${name}`);
      await noSidewaysScroll(checker);
    }
    // Filters: folded at first, a GET form that works without JavaScript.
    await page.goto(`${server.url}/${locale}/complaints/list`);
    assert.equal(await page.locator('.public-complaint').count(), 4);
    await page.click('.public-filters__summary');
    await page.selectOption('#filter-status', 'open');
    await Promise.all([page.waitForNavigation(), page.click('.public-filters button[type="submit"]')]);
    assert.match(page.url(), /status=open/);
    assert.equal(await page.locator('.public-complaint').count(), 4);
    assert.equal(await page.getAttribute('details.public-filters', 'open'), '');
    // The map without JavaScript: no map, the complaints by neighbourhood.
    await page.goto(`${server.url}/${locale}/complaints/map`);
    assert.equal(await page.isVisible('#complaints-map'), false);
    // A CSV from the statistics page.
    await page.goto(`${server.url}/${locale}/complaints/statistics`);
    const href = await page.getAttribute('a[href*="/statistics/status.csv"]', 'href');
    const csv = await page.request.get(`${server.url}${href}`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'] ?? '', /text\/csv/);
  }
  await context.close();
  await checker.context().close();
});

test('French, JavaScript on with stubbed tiles: the map draws every complaint from the GeoJSON', async () => {
  const server = await start({ MAP_TILE_URL: 'https://tiles.example.test/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: '© OpenStreetMap' });
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 225, g: 235, b: 225 } } }).png().toBuffer();
  const context = await phoneContext(browser);
  await context.route('https://tiles.example.test/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: tile }));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${server.url}/fr/complaints/map`);
  await page.waitForSelector('#complaints-map:not([hidden]) .leaflet-tile-loaded');
  // Three exact points and one blurred into a dashed area (sensitive category).
  await page.waitForFunction(() => document.querySelectorAll('#complaints-map path.leaflet-interactive').length === 4);
  assert.equal(await page.locator('#complaints-map path[stroke-dasharray]').count(), 1);
  assert.equal(await page.isVisible('#complaints-map-note'), true);
  await page.locator('#complaints-map path.leaflet-interactive').first().click({ force: true });
  const popup = page.locator('.complaints-map__popup a');
  await popup.waitFor();
  assert.match((await popup.getAttribute('href')) ?? '', /^\/fr\/complaints\/KEF-\d{4}-\d{6}$/);
  assert.deepEqual(seriousViolations(await axeViolations(page)), []);
  await noSidewaysScroll(page);
  assert.deepEqual(problems, []);
  await context.close();
});
