// A citizen with a cheap phone and JavaScript off signs up in Arabic with a phone number alone,
// confirms with the SMS code (read from the outbox: no SMS gateway in tests), logs out, logs in
// again with the password, and switches language while signed in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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

async function latestCodeSentTo(recipient: string): Promise<string> {
  // The worker marks the message "kept" (no gateway); either way the body holds the code.
  for (let i = 0; i < 50; i += 1) {
    const message = await server.database.db
      .selectFrom('outbox_messages')
      .select(['body'])
      .where('recipient', '=', recipient)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const code = message && /\b(\d{6})\b/.exec(message.body)?.[1];
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no code was sent to ${recipient}`);
}

async function submit(page: Page) {
  await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]:not(.link-button) >> nth=0')]);
}

test('sign up by phone with JavaScript off in Arabic, then log out and log in again', async () => {
  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/ar/signup`);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

  // First a mistake: no consent. The form comes back with the typed number and an Arabic error.
  await page.fill('#field-identifier', '22 123 456');
  await page.fill('#field-display_name', 'آمنة');
  await page.fill('#field-password', 'kef-password-2026');
  await page.check('#field-adult');
  await submit(page);
  assert.equal(await page.inputValue('#field-identifier'), '22 123 456');
  assert.ok(await page.isVisible('.error-summary'));
  assert.match(await page.textContent('.error-summary') ?? '', /[\u0600-\u06FF]/, 'the error is in Arabic');

  await page.fill('#field-password', 'kef-password-2026');
  await page.check('#field-consent');
  await submit(page);
  assert.match(page.url(), /\/ar\/signup\/verify/);

  const code = await latestCodeSentTo('+21622123456');
  await page.fill('#field-code', code);
  await submit(page);
  assert.match(page.url(), /\/ar\/account/);
  assert.match((await page.textContent('main')) ?? '', /آمنة/);

  // Log out (a form button in the menu), then log in with the password.
  await Promise.all([page.waitForNavigation(), page.click('nav.main-nav button[type="submit"]')]);
  assert.ok(await page.isVisible('nav.main-nav a[href="/ar/login"]'));
  await page.goto(`${server.url}/ar/login`);
  await page.fill('#field-identifier', '+216 22 123 456');
  await page.fill('#field-password', 'kef-password-2026');
  await submit(page);
  assert.match(page.url(), /\/ar\/account/);

  // Switching language keeps the page and the session.
  await Promise.all([page.waitForNavigation(), page.click('nav.lang-switch a[lang="fr"]')]);
  assert.equal(new URL(page.url()).pathname, '/fr/account');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.ok(await page.isVisible('nav.main-nav a[href="/fr/account"]'));
  await context.close();
});

test('the administrator logs in with the password printed at first start', async () => {
  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/fr/login`);
  await page.fill('#field-identifier', server.adminEmail);
  await page.fill('#field-password', server.adminPassword);
  await submit(page);
  await page.goto(`${server.url}/fr/admin`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.ok(await page.isVisible('nav.admin-nav'));
  await context.close();
});

for (const locale of ['ar', 'fr', 'en'] as const) {
  for (const path of ['/signup', '/login']) {
    test(`${path} in ${locale}: no serious accessibility violation, also with errors shown`, async () => {
      // axe runs as a script in the page, so this context has JavaScript on.
      const context = await phoneContext(browser);
      const page = await context.newPage();
      await page.goto(`${server.url}/${locale}${path}`);
      assert.deepEqual(seriousViolations(await axeViolations(page)), []);
      await submit(page); // empty form: the error summary and field errors
      assert.ok(await page.isVisible('.error-summary'));
      assert.deepEqual(seriousViolations(await axeViolations(page)), []);
      await context.close();
    });
  }
}
