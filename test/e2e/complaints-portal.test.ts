// Citizens filing complaints in a real browser: (1) in Arabic on a phone with JavaScript off,
// a neighbourhood and an address, then finding the complaint again with its tracking number;
// (2) in French with JavaScript and the map (tiles stubbed), a pin dropped by tapping the map.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { axeViolations, launchBrowser, phoneContext, seriousViolations, startServer, type RunningServer } from './support.ts';

let browser: Browser;
/** Without map tiles, as most installs start. */
let server: RunningServer;
const servers: RunningServer[] = [];

before(async () => {
  browser = await launchBrowser();
  server = await start();
});
after(async () => {
  await browser?.close();
  for (const running of servers) await running.stop();
});

async function start(env: Record<string, string> = {}): Promise<RunningServer> {
  const started = await startServer(env);
  servers.push(started);
  return started;
}

/** Clicks a submit button and waits for the page it leads to. */
async function submitWith(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** When open complaints of the same kind exist nearby, the citizen sends theirs anyway. */
async function sendPastSimilar(page: Page) {
  if ((await page.locator('input[name="similar_seen"]').count()) > 0) {
    await submitWith(page, 'form:has(input[name="similar_seen"]) button[type="submit"]:not([name="step"])');
  }
}

test('Arabic, JavaScript off: file a complaint with a neighbourhood and an address, then find it by its tracking number', async () => {
  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();

  // From the home page's card to the form.
  await page.goto(`${server.url}/ar/`);
  await submitWith(page, 'main a[href="/ar/complaints"]');
  await submitWith(page, 'main a.button[href="/ar/complaints/new"]');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

  // Step 1: the category, from a grouped list.
  await page.selectOption('#field-category', { label: 'التنوير العمومي' });
  await submitWith(page, 'main button[type="submit"]');
  assert.match(page.url(), /\/ar\/complaints\/new\?category=\d+/);
  assert.ok(await page.isVisible('#field-q_lamps_out'), 'the category’s own question is asked');
  assert.equal(await page.isVisible('#complaint-map'), false, 'no map without tiles');

  // A mistake first: no description. The form comes back in Arabic with the address kept.
  const neighbourhood = await page.locator('#field-neighbourhood option').nth(1).getAttribute('value');
  await page.selectOption('#field-neighbourhood', neighbourhood!);
  await page.fill('#field-address', 'قبالة المدرسة الابتدائية');
  await submitWith(page, 'main form[enctype] button[type="submit"]');
  assert.ok(await page.isVisible('.error-summary'));
  assert.match((await page.textContent('.error-summary')) ?? '', /هذا الحقل إجباري/);
  assert.equal(await page.inputValue('#field-address'), 'قبالة المدرسة الابتدائية');
  assert.equal(await page.inputValue('#field-neighbourhood'), neighbourhood);

  await page.fill('#field-description', 'الفانوس مطفأ منذ أسبوع في النهج');
  await page.fill('#field-q_lamps_out', '٢');
  await page.fill('#field-phone', '22 123 456');
  await submitWith(page, 'main form[enctype] button[type="submit"]');
  await sendPastSimilar(page);

  // The receipt: the number, large, and where it was sent.
  assert.match(page.url(), /\/ar\/complaints\/receipt\/KEF-\d{4}-\d{6}$/);
  const tracking = (await page.textContent('.tracking-number--large'))!.trim();
  assert.match(tracking, /^KEF-\d{4}-\d{6}$/);
  assert.match((await page.textContent('main')) ?? '', /أرسلنا هذا الرقم بإرسالية قصيرة/);
  const row = await server.database.db.selectFrom('complaints').selectAll().where('tracking_number', '=', tracking).executeTakeFirstOrThrow();
  assert.equal(row.neighbourhood_id, Number(neighbourhood));
  assert.equal(row.contact_phone, '+21622123456');

  // Later, from the tracking form, typed loosely.
  await page.goto(`${server.url}/ar/complaints/track`);
  await page.fill('#field-number', tracking.toLowerCase().replace(/-/g, ' '));
  await submitWith(page, 'main button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, `/ar/complaints/${tracking}`);
  assert.match((await page.textContent('h1')) ?? '', new RegExp(tracking));
  assert.match((await page.textContent('main')) ?? '', /الفانوس مطفأ منذ أسبوع في النهج/);
  assert.match((await page.textContent('.status-badge')) ?? '', /وردت/);
  await context.close();
});

test('French, JavaScript on: the map appears, a tap drops the pin, and the complaint has its coordinates', async () => {
  const mapServer = await start({ MAP_TILE_URL: 'https://tiles.example.test/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: '© OpenStreetMap' });
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 225, g: 235, b: 225 } } }).png().toBuffer();
  const context = await phoneContext(browser);
  const tilesRequested: string[] = [];
  await context.route('https://tiles.example.test/**', async (route) => {
    tilesRequested.push(route.request().url());
    await route.fulfill({ status: 200, contentType: 'image/png', body: tile });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(`${mapServer.url}/fr/complaints/new`);
  await page.selectOption('#field-category', { label: 'Voirie' });
  await submitWith(page, 'main button[type="submit"]');

  await page.waitForSelector('#complaint-map .leaflet-tile-loaded');
  assert.ok(tilesRequested.length > 0, 'tiles come from the configured server');
  assert.ok(await page.isVisible('#map-locate'));
  assert.equal(await page.inputValue('input[name="lat"]'), '');

  // Tap a little off the centre of the map (scrolled into view: it is below the fold on a phone).
  await page.locator('#complaint-map').scrollIntoViewIfNeeded();
  const box = (await page.locator('#complaint-map').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2 + 20, box.y + box.height / 2 - 15);
  await page.waitForSelector('#complaint-map .leaflet-marker-icon');
  const lat = Number(await page.inputValue('input[name="lat"]'));
  const lng = Number(await page.inputValue('input[name="lng"]'));
  assert.ok(Math.abs(lat - 36.18) < 0.02 && Math.abs(lng - 8.71) < 0.02, `${lat}, ${lng}`);
  assert.match((await page.textContent('#map-status')) ?? '', /Repère placé/);

  await page.fill('#field-description', 'Nid-de-poule profond devant la poste');
  await submitWith(page, 'main form[enctype] button[type="submit"]');
  await sendPastSimilar(page);
  assert.match(page.url(), /\/fr\/complaints\/receipt\/KEF-\d{4}-\d{6}$/);
  const tracking = (await page.textContent('.tracking-number--large'))!.trim();
  assert.match((await page.textContent('main')) ?? '', /notez ce numéro maintenant/);

  const row = await mapServer.database.db.selectFrom('complaints').selectAll().where('tracking_number', '=', tracking).executeTakeFirstOrThrow();
  assert.ok(Math.abs(row.latitude! - lat) < 1e-6, `${row.latitude} vs ${lat}`);
  assert.ok(Math.abs(row.longitude! - lng) < 1e-6, `${row.longitude} vs ${lng}`);

  // The complaint's page shows the point on the map too.
  await page.goto(`${mapServer.url}/fr/complaints/${tracking}`);
  await page.waitForSelector('#complaint-map .leaflet-marker-icon');
  assert.deepEqual(problems, [], 'no script error or Content-Security-Policy violation');
  await context.close();
});

test('axe finds no serious problem on the portal pages, in Arabic and French, with and without errors', async () => {
  // axe runs as a script in the page, so this context has JavaScript on.
  const context = await phoneContext(browser);
  const page = await context.newPage();
  for (const locale of ['ar', 'fr']) {
    const check = async (what: string) => assert.deepEqual(seriousViolations(await axeViolations(page)), [], `${locale}: ${what}`);
    await page.goto(`${server.url}/${locale}/complaints`);
    await check('landing page');
    await page.goto(`${server.url}/${locale}/complaints/new`);
    await check('category step');
    await submitWith(page, 'main button[type="submit"]');
    await check('category step with its error');
    await page.selectOption('#field-category', { index: 3 });
    await submitWith(page, 'main button[type="submit"]');
    await check('details');
    await page.fill('#field-phone', '12');
    await submitWith(page, 'main form[enctype] button[type="submit"]');
    assert.ok(await page.isVisible('.error-summary'));
    await check('details with errors');
    await page.fill('#field-description', 'Description');
    await page.fill('#field-phone', '');
    await page.fill('#field-address', 'Rue 1');
    await submitWith(page, 'main form[enctype] button[type="submit"]');
    await sendPastSimilar(page);
    await check('receipt');
    const tracking = (await page.textContent('.tracking-number--large'))!.trim();
    await page.goto(`${server.url}/${locale}/complaints/track?number=nothing`);
    await check('tracking with its error');
    await page.goto(`${server.url}/${locale}/complaints/${tracking}`);
    await check('complaint page');
  }
  await context.close();
});
