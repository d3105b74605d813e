// A citizen on a cheap phone with JavaScript off votes in Arabic in El Kef's demo cycle 2027:
// phone, SMS code (read from the outbox: no SMS gateway in tests), neighbourhood, a ballot with
// a mistake first (it comes back explained, choices kept), then the receipt, then the receipt
// check page. With JavaScript on, the budget meter follows the ticks; axe (which needs JavaScript)
// finds nothing serious on the ballot and the other pages. Staff at the counter record a ballot.
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

/** Phone, code and neighbourhood: leaves the page on the ballot. */
async function reachBallot(page: Page, locale: string, local: string, e164: string): Promise<void> {
  await page.goto(`${server.url}/${locale}/budget/2027/vote`);
  await page.fill('#field-phone', local);
  await submit(page);
  assert.match(page.url(), new RegExp(`/${locale}/budget/2027/vote/code$`));
  await page.fill('#field-code', await latestCodeSentTo(e164));
  await submit(page);
  assert.match(page.url(), /\/vote\/residence$/);
  await page.selectOption('#field-neighbourhood', { index: 1 });
  await submit(page);
  assert.match(page.url(), /\/vote\/ballot\?neighbourhood=\d+$/);
}

test('vote in Arabic with JavaScript off, get a receipt, and find the ballot with it', async () => {
  const context = await phoneContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/ar/budget/2027/vote`);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.match((await page.textContent('main')) ?? '', /بطاقة التعريف الوطنية/);
  await reachBallot(page, 'ar', '22 900 001', '+21622900001');
  assert.ok(!page.url().includes('token'), 'no token in the URL');

  // The first project of each envelope (each within its envelope), and no declaration: refused.
  const envelopes = await page.$$('[data-pb-envelope]');
  assert.ok(envelopes.length >= 1);
  const chosen: string[] = [];
  for (const envelope of envelopes) {
    const box = await envelope.$('input[name="choice"]');
    assert.ok(box);
    await box.check();
    chosen.push((await box.getAttribute('value'))!);
  }
  await page.fill('#field-idNumber', '09 876 543');
  await page.selectOption('#field-ageGroup', '35-44');
  await submit(page);
  assert.ok(await page.isVisible('.error-summary'));
  assert.match((await page.textContent('.error-summary')) ?? '', /يجب أن تصرّح/);
  for (const id of chosen) assert.ok(await page.isChecked(`input[name="choice"][value="${id}"]`), 'choices kept');
  assert.equal(await page.inputValue('#field-idNumber'), '09 876 543');

  await page.check('#field-declaredEligible');
  await submit(page);
  assert.match(page.url(), /\/ar\/budget\/2027\/vote\/done$/);
  const code = ((await page.textContent('.pb-receipt__code')) ?? '').trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match((await page.textContent('main')) ?? '', /الاختيارات المسجلة/);

  // The check page, with the code typed loosely.
  await page.click(`a[href="/ar/budget/2027/receipt"]`);
  await page.fill('#field-code', code.toLowerCase().replace(/-/g, ' '));
  await submit(page);
  assert.match((await page.textContent('.pb-check-result')) ?? '', new RegExp(`ورقة تصويتك ${code} في صندوق الاقتراع`));
  assert.match((await page.textContent('.pb-check-result')) ?? '', /عبر الإنترنت/);
  const noScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(noScroll, 'no sideways scroll on a phone');
  await context.close();
});

test('with JavaScript the budget meter follows the ticks; axe finds nothing serious on the ballot', async () => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await reachBallot(page, 'fr', '22 900 002', '+21622900002');
  const meter = page.locator('[data-pb-envelope] >> nth=0').locator('.pb-meter__text');
  await meter.waitFor({ state: 'visible' });
  assert.match((await meter.textContent()) ?? '', /^Choisi : 0 DT sur /);
  const box = page.locator('[data-pb-envelope] >> nth=0').locator('input[name="choice"] >> nth=0');
  const cost = Number(await box.getAttribute('data-cost'));
  await box.check();
  const expected = new Intl.NumberFormat('fr-TN', { maximumFractionDigits: 3 }).format(cost / 1000);
  assert.equal(((await meter.textContent()) ?? '').split(' sur ')[0], `Choisi : ${expected} DT`);
  assert.equal(await meter.getAttribute('aria-live'), 'polite');

  // Ticking everything goes over the envelope: the meter says so (the server decides still).
  const boxes = page.locator('[data-pb-envelope] >> nth=0').locator('input[name="choice"]');
  for (let i = 0; i < (await boxes.count()); i += 1) await boxes.nth(i).check();
  assert.match((await meter.textContent()) ?? '', /Dépassement de/);
  assert.ok(await page.locator('[data-pb-envelope] >> nth=0').locator('.pb-meter--over').isVisible());

  const fr = seriousViolations(await axeViolations(page));
  assert.deepEqual(fr, []);
  await page.goto(page.url().replace('/fr/', '/ar/'));
  assert.deepEqual(seriousViolations(await axeViolations(page)), []);
  // The other public pages (axe needs JavaScript, so they are checked here).
  for (const path of ['/ar/budget/2027/vote', '/ar/budget/2027/receipt?code=0000-0000-0000', '/fr/budget/2026/vote']) {
    await page.goto(`${server.url}${path}`);
    assert.deepEqual(seriousViolations(await axeViolations(page)), [], path);
  }
  await context.close();
});

test('at the counter, staff record a citizen’s ballot in Arabic and get a receipt to print; the same card is refused', async () => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/ar/login`);
  await page.fill('#field-identifier', server.adminEmail);
  await page.fill('#field-password', server.adminPassword);
  await submit(page);
  const cycle = await server.database.db.selectFrom('pb_cycles').select('id').where('slug', '=', '2027').executeTakeFirstOrThrow();
  await page.goto(`${server.url}/ar/admin/budget/${cycle.id}/counter`);
  await page.selectOption('#field-neighbourhood', { index: 1 });
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  assert.deepEqual(seriousViolations(await axeViolations(page)), [], 'the counter form');
  await page.fill('#field-idNumber', '12 345 678');
  await page.selectOption('#field-ageGroup', '60+');
  await page.check('[data-pb-envelope] input[name="choice"] >> nth=0');
  await Promise.all([page.waitForNavigation(), page.click('button[value="ballot"]')]);
  assert.match(page.url(), /\/counter\/receipt$/);
  assert.match(((await page.textContent('.pb-receipt__code')) ?? '').trim(), /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.deepEqual(seriousViolations(await axeViolations(page)), [], 'the counter receipt');

  // The same card again: refused, with what was typed kept.
  await page.goto(`${server.url}/ar/admin/budget/${cycle.id}/counter`);
  await page.selectOption('#field-neighbourhood', { index: 1 });
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  await page.fill('#field-idNumber', '12345678');
  await page.selectOption('#field-ageGroup', '60+');
  await Promise.all([page.waitForNavigation(), page.click('button[value="paper"]')]);
  assert.match((await page.textContent('.error-summary')) ?? '', /[\u0600-\u06FF]/);
  assert.equal(await page.inputValue('#field-idNumber'), '12345678');
  await context.close();
});
