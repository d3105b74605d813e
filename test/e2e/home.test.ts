import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
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

for (const locale of ['ar', 'fr', 'en'] as const) {
  test(`home page in ${locale}: right direction, no serious accessibility violation`, async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const response = await page.goto(`${server.url}/${locale}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), locale);
    assert.equal(await page.getAttribute('html', 'dir'), locale === 'ar' ? 'rtl' : 'ltr');
    assert.deepEqual(seriousViolations(await axeViolations(page)), []);
    await context.close();
  });
}

test('the language switch keeps the current page', async () => {
  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/ar/`);
  await page.click('nav.lang-switch a[lang="fr"]');
  assert.equal(new URL(page.url()).pathname, '/fr/');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await context.close();
});

test('the public home weighs under 50 KB transferred (HTML + CSS + JS, compressed)', async () => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  const sizes: { url: string; bytes: number }[] = [];
  const finished: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    // What crossed the wire: compressed body plus headers, as the browser counted it.
    finished.push(
      request.sizes().then(async (s) => {
        // Chromium reports -1-ish sizes for bodies it did not count; use the decoded size then (an upper bound).
        const body = s.responseBodySize >= 0 ? s.responseBodySize : ((await (await request.response())?.body())?.length ?? 0);
        sizes.push({ url: request.url(), bytes: body + s.responseHeadersSize });
      }),
    );
  });
  await page.goto(`${server.url}/ar/`, { waitUntil: 'networkidle' });
  await Promise.all(finished);
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  assert.ok(sizes.length >= 2, 'the page and its stylesheet were loaded');
  assert.ok(total < 50 * 1024, `home page weighs ${total} bytes: ${JSON.stringify(sizes)}`);
  await context.close();
});
