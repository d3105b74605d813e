// Paper ballots at work, on a phone with JavaScript off. At the counter the administrator checks
// three ID cards and registers each citizen as handed a paper ballot (the counter page). The
// ballots are then keyed as a batch of three: pass 1 by the administrator in French, pass 2 by an
// agent in Arabic who does not see pass 1. One ballot was read differently; the comparison shows
// it side by side, the administrator re-reads the paper and corrects their entry, both passes
// agree, and the batch is accepted: its three ballots are in the box with channel "paper".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestUser, TEST_PASSWORD } from '../support/fixtures.ts';
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

async function logIn(page: Page, locale: string, email: string, password: string) {
  await page.goto(`${server.url}/${locale}/login`);
  await page.fill('#field-identifier', email);
  await page.fill('#field-password', password);
  await submit(page, 'main button[type="submit"]');
}

async function noSidewaysScroll(page: Page, what: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${what}: the page is ${width}px wide on a 360px screen`);
}

/** axe runs as a script: the page is opened again in a context with JavaScript on and the same session. */
async function accessible(page: Page, what: string) {
  const context = await phoneContext(browser);
  await context.addCookies(await page.context().cookies());
  const copy = await context.newPage();
  await copy.goto(page.url());
  assert.deepEqual(seriousViolations(await axeViolations(copy)), [], what);
  await context.close();
}

/** Keys the ballot on screen: ticks `codes` (or chooses blank/spoilt), then saves. */
async function keyBallot(page: Page, projectIds: Map<string, number>, ballot: string[] | 'spoilt') {
  for (const input of await page.$$('input[type="checkbox"][name^="project_"]')) await input.uncheck();
  if (ballot === 'spoilt') {
    await page.check('input[name="state"][value="spoilt"]');
  } else {
    await page.check('input[name="state"][value="marked"]');
    for (const code of ballot) await page.check(`input[name="project_${projectIds.get(code)}"]`);
  }
  await submit(page, 'form.paper-entry-form button[type="submit"]');
}

test('key a paper batch in two passes by two people, see the comparison agree, and accept it', async () => {
  const db = server.database.db;
  const municipality = await db.selectFrom('municipalities').selectAll().where('slug', '=', 'kef').executeTakeFirstOrThrow();
  const cycle = await db.selectFrom('pb_cycles').selectAll().where('municipality_id', '=', municipality.id).where('slug', '=', '2027').executeTakeFirstOrThrow();
  const envelopes = await db.selectFrom('pb_envelopes').selectAll().where('cycle_id', '=', cycle.id).orderBy('sort_order').execute();
  const city = envelopes.find((e) => e.scope === 'city')!;
  const district = envelopes.find((e) => e.scope === 'neighbourhood' && e.neighbourhood_id !== null)!;
  const projects = await db.selectFrom('pb_projects').selectAll().where('cycle_id', '=', cycle.id).orderBy('sort_order').execute();
  const projectIds = new Map(projects.map((p) => [p.code, p.id]));
  const [c1, c2, c3] = projects.filter((p) => p.envelope_id === city.id).map((p) => p.code);
  const d1 = projects.find((p) => p.envelope_id === district.id)!.code;
  const agent = await createTestUser(db, {
    municipalityId: municipality.id,
    email: 'nour@kef.example',
    displayName: 'Nour Ayari',
    roles: [{ role: 'staff_agent', departmentId: null }],
  });

  const adminContext = await phoneContext(browser, { javaScriptEnabled: false });
  const admin = await adminContext.newPage();
  await logIn(admin, 'fr', server.adminEmail, server.adminPassword);

  // The counter: three citizens of the district sign the list and are handed a paper ballot.
  for (const idNumber of ['08123401', '08123402', '08123403']) {
    await admin.goto(`${server.url}/fr/admin/budget/${cycle.id}/counter?neighbourhood=${district.neighbourhood_id}`);
    await admin.fill('#field-idNumber', idNumber);
    await admin.selectOption('#field-ageGroup', '25-34');
    await submit(admin, 'button[name="intent"][value="paper"]');
    assert.equal(new URL(admin.url()).pathname, `/fr/admin/budget/${cycle.id}/counter`);
  }

  // A batch of three ballots of the district's sheet.
  await admin.goto(`${server.url}/fr/admin/budget/${cycle.id}/paper`);
  assert.match((await admin.textContent('.key-figures')) ?? '', /3\s*votants inscrits/);
  await accessible(admin, 'batches page');
  await noSidewaysScroll(admin, 'batches page');
  await admin.fill('#field-batchNumber', 'E2E-1');
  await admin.fill('#field-station', 'Guichet de la mairie');
  await admin.selectOption('#field-sheet', String(district.id));
  await admin.fill('#field-declaredCount', '3');
  await submit(admin, 'main form button[type="submit"]');
  const batch = await db.selectFrom('pb_paper_batches').selectAll().where('cycle_id', '=', cycle.id).where('batch_number', '=', 'E2E-1').executeTakeFirstOrThrow();
  const batchPath = `/fr/admin/budget/${cycle.id}/paper/${batch.id}`;
  assert.equal(new URL(admin.url()).pathname, batchPath);

  // Pass 1, in French.
  await submit(admin, `a[href="${batchPath}/pass/1/1"]`);
  assert.match((await admin.textContent('h1')) ?? '', /Lot E2E-1, saisie 1 : bulletin 1 sur 3/);
  await accessible(admin, 'keying form');
  await noSidewaysScroll(admin, 'keying form');
  await keyBallot(admin, projectIds, [c1!, d1]);
  assert.equal(new URL(admin.url()).pathname, `${batchPath}/pass/1/2`);
  await keyBallot(admin, projectIds, [c2!]);
  await keyBallot(admin, projectIds, 'spoilt');
  assert.equal(new URL(admin.url()).pathname, batchPath);
  assert.match((await admin.textContent('main')) ?? '', /Votre saisie est complète/);

  // Pass 2, in Arabic, by the agent, who sees how far pass 1 went but not what it keyed.
  const agentContext = await phoneContext(browser, { javaScriptEnabled: false });
  const keyer = await agentContext.newPage();
  await logIn(keyer, 'ar', agent.email!, TEST_PASSWORD);
  const arBatchPath = batchPath.replace('/fr/', '/ar/');
  await keyer.goto(`${server.url}${arBatchPath}`);
  assert.equal(await keyer.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await keyer.$('.paper-entry'), null, 'pass 2 does not see the entries of pass 1');
  await accessible(keyer, 'batch page in Arabic');
  await noSidewaysScroll(keyer, 'batch page in Arabic');
  await submit(keyer, `a[href="${arBatchPath}/pass/2/1"]`);
  await noSidewaysScroll(keyer, 'keying form in Arabic');
  await keyBallot(keyer, projectIds, [c1!, d1]);
  await keyBallot(keyer, projectIds, [c3!]);
  await keyBallot(keyer, projectIds, 'spoilt');
  assert.match((await keyer.textContent('main')) ?? '', /اكتمل إدخالك/);

  // The comparison: ballot 2 differs, side by side; no acceptance yet.
  await admin.goto(`${server.url}${batchPath}`);
  const differences = (await admin.textContent('table.paper-comparison')) ?? '';
  assert.match(differences, new RegExp(`2[\\s\\S]*${c2}[\\s\\S]*${c3}`));
  assert.equal(await admin.$(`form[action="${batchPath}/accept"]`), null);
  await accessible(admin, 'comparison');
  await noSidewaysScroll(admin, 'comparison');

  // The administrator re-reads ballot 2: the agent was right.
  await submit(admin, `table.paper-comparison a[href="${batchPath}/pass/1/2"]`);
  assert.match((await admin.textContent('.notice')) ?? '', new RegExp(`L’autre saisie a lu :\\s*${c3}`));
  await keyBallot(admin, projectIds, [c3!]);
  assert.equal(new URL(admin.url()).pathname, batchPath);
  assert.match((await admin.textContent('main')) ?? '', /Les deux saisies concordent sur tous les bulletins \(3\)/);

  // Accept: the three ballots go into the box.
  await submit(admin, `form[action="${batchPath}/accept"] button[type="submit"]`);
  assert.match((await admin.textContent('main')) ?? '', /Lot accepté : ses bulletins sont dans l’urne/);
  assert.match((await admin.textContent('.paper-status')) ?? '', /accepté/);
  const ballots = await db.selectFrom('pb_ballots').selectAll().where('paper_batch_id', '=', batch.id).execute();
  assert.equal(ballots.length, 3);
  assert.ok(ballots.every((b) => b.channel === 'paper'));
  assert.ok(ballots.filter((b) => b.invalid === 1).length >= 1, 'the spoilt ballot is kept as invalid');
  await admin.goto(`${server.url}/fr/admin/budget/${cycle.id}/paper`);
  assert.match((await admin.textContent('table.paper-batches')) ?? '', /E2E-1[\s\S]*accepté/);

  await adminContext.close();
  await agentContext.close();
});
