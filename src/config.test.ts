import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

test('a bad value stops the start with a message naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT: must be a whole number$/],
    [{ PORT: '1e3' }, /^PORT: must be a whole number$/],
    [{ PORT: '70000' }, /^PORT: must be at most 65535$/],
    [{ DATABASE_URL: 'mysql://root@localhost/twiza' }, /^DATABASE_URL: must be sqlite:PATH or postgres:\/\//],
    [{ DATABASE_URL: 'sqlite:' }, /^DATABASE_URL: sqlite: needs a file path/],
    [{ MAIL_URL: 'http://x' }, /^MAIL_URL: must be a URL starting with smtp:\/\/ or smtps:\/\/$/],
    [{ PUBLIC_URL: 'notaurl' }, /^PUBLIC_URL: must be a URL starting with http:\/\/ or https:\/\/$/],
    [{ DEFAULT_LOCALE: 'de' }, /^DEFAULT_LOCALE: must be one of ar, fr, en$/],
    [{ SMS_GATEWAY_URL: 'ftp://gateway' }, /^SMS_GATEWAY_URL: /],
    [{ SECRET_KEY: 'short' }, /^SECRET_KEY: must be at least 32 characters$/],
    [{ TRUST_PROXY: 'maybe' }, /^TRUST_PROXY: must be one of true, false/],
    [{ DEFAULT_MUNICIPALITY: 'El Kef' }, /^DEFAULT_MUNICIPALITY: must be a municipality slug/],
    [{ PHONE_COUNTRY_CODE: '+216' }, /^PHONE_COUNTRY_CODE: /],
    [{ SESSION_DAYS: '0' }, /^SESSION_DAYS: must be at least 1$/],
    [{ SHUTDOWN_DELAY_SECONDS: '-1' }, /^SHUTDOWN_DELAY_SECONDS: must be a whole number$/],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, /^REDIS_URL: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of fatal, error/],
  ];
  for (const [env, expected] of cases) {
    const problems = problemsOf(env);
    assert.equal(problems.length, 1, JSON.stringify(env));
    assert.match(problems[0]!, expected);
  }
});

test('every bad variable is reported at once, and the message lists them', () => {
  try {
    loadConfig({ PORT: 'abc', DEFAULT_LOCALE: 'de', MAIL_URL: 'http://x' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems.map((p) => p.split(':')[0]).sort(), ['DEFAULT_LOCALE', 'MAIL_URL', 'PORT']);
    assert.match(error.message, /^Invalid configuration:\n {2}- /);
  }
});

test('a refused secret is not repeated in the message', () => {
  const problems = problemsOf({ SECRET_KEY: 'hunter2-is-my-password' });
  assert.doesNotMatch(problems.join('\n'), /hunter2/);
});

test('defaults: an embedded SQLite site on port 3000 in Arabic, jobs on, demo data on', () => {
  const config = loadConfig({});
  assert.equal(config.env, 'development');
  assert.equal(config.port, 3000);
  assert.equal(config.host, '0.0.0.0');
  assert.deepEqual(config.database, { kind: 'sqlite', file: path.resolve('./data/twiza.db') });
  assert.equal(config.dataDir, path.resolve('./data'));
  assert.equal(config.defaultLocale, 'ar');
  assert.equal(config.publicUrl, undefined);
  assert.equal(config.secureCookies, false);
  assert.equal(config.trustProxy, false);
  assert.equal(config.sessionDays, 30);
  assert.deepEqual(config.mail, { url: undefined, from: 'Twiza <no-reply@localhost>' });
  assert.equal(config.sms.gatewayUrl, undefined);
  assert.equal(config.sms.gatewayToken, undefined);
  assert.equal(config.sms.countryCode, '216');
  assert.equal(config.runJobs, true);
  assert.equal(config.demoData, true);
  assert.equal(config.shutdownDelayMs, 0);
  assert.equal(config.logLevel, 'info');
});

test('an empty variable counts as unset', () => {
  const config = loadConfig({ PORT: '', DATABASE_URL: '', MAIL_URL: '', PUBLIC_URL: '', DEFAULT_LOCALE: '', SECRET_KEY: '', RUN_JOBS: '' });
  assert.equal(config.port, 3000);
  assert.equal(config.database.kind, 'sqlite');
  assert.equal(config.mail.url, undefined);
  assert.equal(config.publicUrl, undefined);
  assert.equal(config.defaultLocale, 'ar');
  assert.equal(config.secretKey, undefined);
  assert.equal(config.runJobs, true);
});

test('values are read and normalised', () => {
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: 'postgresql://twiza:secret@db:5432/twiza',
    PUBLIC_URL: 'https://twiza.commune-kef.tn/',
    DEFAULT_LOCALE: 'fr',
    TRUST_PROXY: 'yes',
    RUN_JOBS: '0',
    MAIL_URL: 'smtps://user:pass@mail.example.tn:465',
    SHUTDOWN_DELAY_SECONDS: '5',
  });
  assert.equal(config.port, 0, 'port 0 lets the system choose (tests)');
  assert.deepEqual(config.database, { kind: 'postgres', url: 'postgresql://twiza:secret@db:5432/twiza' });
  assert.equal(config.publicUrl, 'https://twiza.commune-kef.tn', 'without the trailing slash');
  assert.equal(config.secureCookies, true);
  assert.equal(config.defaultLocale, 'fr');
  assert.equal(config.trustProxy, true);
  assert.equal(config.runJobs, false);
  assert.equal(config.mail.url, 'smtps://user:pass@mail.example.tn:465');
  assert.equal(config.shutdownDelayMs, 5000);
  assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database, { kind: 'sqlite', file: ':memory:' });
});
