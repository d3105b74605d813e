// Route tests: the real application over app.inject() (no port), and a small client that keeps
// cookies like a browser and reads CSRF tokens from the forms it is shown.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTenantResolver } from '../../src/modules/municipalities/tenant-resolver.ts';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-0123456789';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/twiza-test-data', LOG_LEVEL: 'silent', ...overrides });
}

export async function buildTestApp(
  database: DatabaseHandle,
  options: { config?: Config; defaultMunicipality?: string } = {},
): Promise<FastifyInstance> {
  const config = options.config ?? testConfig();
  const app = await buildApp({
    config,
    database,
    secretKey: TEST_SECRET,
    tenants: createTenantResolver(database.db, options.defaultMunicipality ?? config.defaultMunicipality),
    logger: false,
  });
  await app.ready();
  return app;
}

export type Response = LightMyRequestResponse;

/** A browser-like client: keeps cookies between requests, follows nothing automatically. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  lastCsrf: string | undefined;

  constructor(
    readonly app: FastifyInstance,
    readonly host = 'localhost',
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: Response): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match) this.lastCsrf = match[1];
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await this.app.inject({ method: 'GET', url, headers: { host: this.host, cookie: this.cookieHeader(), ...headers } });
    this.remember(response);
    return response;
  }

  /**
   * Posts a form as a browser would. The CSRF token comes from the last page fetched (fetch the
   * form first), unless `_csrf` is given explicitly (to test a wrong one).
   */
  async post(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    if (!('_csrf' in fields) && this.lastCsrf) body.append('_csrf', this.lastCsrf);
    for (const [key, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { host: this.host, cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
    this.remember(response);
    return response;
  }

  /** GETs a page (to obtain its CSRF token) and then posts the form. */
  async submit(pageUrl: string, actionUrl: string, fields: Record<string, string | string[]>): Promise<Response> {
    const page = await this.get(pageUrl);
    if (page.statusCode !== 200) throw new Error(`GET ${pageUrl} answered ${page.statusCode}`);
    return this.post(actionUrl, fields);
  }
}

/** Signs the client in as `user` by creating a real session, as the login form would. */
export async function signIn(client: TestClient, user: { id: number; municipality_id: number }): Promise<void> {
  const { startSession } = await import('../../src/modules/accounts/sessions.service.ts');
  const { SESSION_COOKIE } = await import('../../src/modules/accounts/session-cookie.ts');
  const { token } = await startSession(client.app.deps.database.db, { userId: user.id, municipalityId: user.municipality_id, days: 1 });
  client.cookies.set(SESSION_COOKIE, token);
}
