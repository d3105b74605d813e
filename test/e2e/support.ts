// Browser tests: the real server in its own process on a fresh SQLite database, driven through
// Debian's chromium (never a downloaded browser) with playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const projectRoot = path.resolve(import.meta.dirname, '../..');

export type RunningServer = {
  url: string;
  dataDir: string;
  adminEmail: string;
  adminPassword: string;
  /** A second handle on the server's SQLite file, for reading what it stored (outbox codes). */
  database: DatabaseHandle;
  stop(): Promise<void>;
};

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-e2e-'));
  const dbFile = path.join(dataDir, 'twiza.db');
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'bin/twiza.js'), 'serve'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${dbFile}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const started = new Promise<{ url: string; email: string; password: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Twiza is running at (\S+)/.exec(output)?.[1];
      const email = /e-mail:\s+(\S+)/.exec(output)?.[1];
      const password = /password:\s+(\S+)/.exec(output)?.[1];
      if (url && email && password) {
        clearTimeout(timer);
        resolve({ url, email, password });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const { url, email, password } = await started;
  const database = openDatabase({ kind: 'sqlite', file: dbFile });
  return {
    url: url.replace('localhost', '127.0.0.1'),
    dataDir,
    adminEmail: email,
    adminPassword: password,
    database,
    async stop() {
      await database.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A phone-sized page (360×640), optionally with JavaScript off. */
export async function phoneContext(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 1,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; description: string; nodes: { target: string[] }[] };

/** Runs axe-core in the page (through the DevTools protocol, so the page's CSP stays strict). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const result = await page.evaluate(async (source: string) => {
    // eslint-disable-next-line no-new-func
    new Function(source)();
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run();
  }, axeSource);
  return result.violations;
}

export function seriousViolations(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.description} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
