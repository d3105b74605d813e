// Configuration comes from environment variables only, validated once at start. A bad value
// stops the start with a message that names the variable, so a misconfigured production
// server never half-runs.
import path from 'node:path';
import { z } from 'zod';

export const LOCALES = ['ar', 'fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `must be one of ${values.join(', ')}` });

const booleanText = oneOf(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Digits only: Number() would also take "1e3", "0x10" or " ". */
const integerText = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

const urlText = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const envSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
  PORT: integerText(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/twiza.db')
    .refine((value) => value.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(value), {
      message: 'must be sqlite:PATH or postgres://user@host/database',
    }),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: urlText(['http:', 'https:']).optional(),
  DEFAULT_LOCALE: oneOf(LOCALES).default('ar'),
  DEFAULT_MUNICIPALITY: z
    .string()
    .regex(/^[a-z0-9-]+$/, { message: 'must be a municipality slug such as kef' })
    .optional(),
  TRUST_PROXY: booleanText.default(false),
  SESSION_DAYS: integerText(1, 365).default(30),
  SECRET_KEY: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  MAIL_URL: urlText(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Twiza <no-reply@localhost>'),
  SMS_GATEWAY_URL: urlText(['http:', 'https:']).optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
  SMS_INBOUND_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  SMS_INTAKE_CATEGORY: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, { message: 'must be a complaint category code such as other' })
    .default('other'),
  PHONE_COUNTRY_CODE: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, { message: 'must be a country calling code such as 216' })
    .default('216'),
  MAP_TILE_URL: z.string().default(''),
  MAP_TILE_ATTRIBUTION: z.string().default(''),
  REDIS_URL: urlText(['redis:', 'rediss:']).optional(),
  RUN_JOBS: booleanText.default(true),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_DATA: booleanText.default(true),
  SHUTDOWN_DELAY_SECONDS: integerText(0, 120).default(0),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  dataDir: string;
  publicUrl: string | undefined;
  secureCookies: boolean;
  defaultLocale: Locale;
  defaultMunicipality: string | undefined;
  trustProxy: boolean;
  sessionDays: number;
  /** Keyed hashes (codes, ID numbers) use it; generated and stored in DATA_DIR when absent. */
  secretKey: string | undefined;
  mail: { url: string | undefined; from: string };
  sms: {
    gatewayUrl: string | undefined;
    gatewayToken: string | undefined;
    countryCode: string;
    /** Shared secret the SMS gateway sends with inbound messages; without it /sms/inbound is off. */
    inboundSecret: string | undefined;
    /** The catch-all category ("to be categorised") of complaints that arrive by SMS. */
    intakeCategory: string;
  };
  map: { tileUrl: string; attribution: string };
  redisUrl: string | undefined;
  runJobs: boolean;
  logLevel: string;
  demoData: boolean;
  /**
   * On SIGTERM, keep serving this long with /readyz answering 503 before closing, so a load
   * balancer that polls /readyz stops sending traffic first. 0 for a single process.
   */
  shutdownDelayMs: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as with most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const database = e.DATABASE_URL.startsWith('sqlite:')
    ? { kind: 'sqlite' as const, file: e.DATABASE_URL.slice('sqlite:'.length) }
    : { kind: 'postgres' as const, url: e.DATABASE_URL };
  if (database.kind === 'sqlite' && database.file === '') {
    throw new ConfigError(['DATABASE_URL: sqlite: needs a file path, such as sqlite:./data/twiza.db']);
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: database.kind === 'sqlite' && database.file !== ':memory:' ? { ...database, file: path.resolve(database.file) } : database,
    dataDir: path.resolve(e.DATA_DIR),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    secureCookies: e.PUBLIC_URL?.startsWith('https:') ?? false,
    defaultLocale: e.DEFAULT_LOCALE,
    defaultMunicipality: e.DEFAULT_MUNICIPALITY,
    trustProxy: e.TRUST_PROXY,
    sessionDays: e.SESSION_DAYS,
    secretKey: e.SECRET_KEY,
    mail: { url: e.MAIL_URL, from: e.MAIL_FROM },
    sms: {
      gatewayUrl: e.SMS_GATEWAY_URL,
      gatewayToken: e.SMS_GATEWAY_TOKEN,
      countryCode: e.PHONE_COUNTRY_CODE,
      inboundSecret: e.SMS_INBOUND_SECRET,
      intakeCategory: e.SMS_INTAKE_CATEGORY,
    },
    map: { tileUrl: e.MAP_TILE_URL, attribution: e.MAP_TILE_ATTRIBUTION },
    redisUrl: e.REDIS_URL,
    runJobs: e.RUN_JOBS,
    logLevel: e.LOG_LEVEL,
    demoData: e.DEMO_DATA,
    shutdownDelayMs: e.SHUTDOWN_DELAY_SECONDS * 1000,
  };
}
