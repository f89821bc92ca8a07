import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import bytes from 'bytes';
import { z } from 'zod';

/**
 * Every setting Finch reads from its environment. This is the only place that reads
 * `process.env`; the rest of the code receives an `AppConfig` through injection.
 */

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    error: 'expected true or false',
  })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const port = z.coerce
  .number({ error: 'expected an integer from 0 to 65535' })
  .int({ error: 'expected an integer from 0 to 65535' })
  .min(0, { error: 'expected an integer from 0 to 65535' })
  .max(65535, { error: 'expected an integer from 0 to 65535' });

const positiveInt = (what: string, max: number) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}` });

const byteSize = z.string().transform((value, ctx) => {
  const parsed = bytes.parse(value);
  if (parsed === null || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 1048576, 512kb or 10mb' });
    return z.NEVER;
  }
  return parsed;
});

const postgresUrl = z.string().refine(
  (value) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { error: 'expected a URL such as postgres://user:password@host:5432/finch' },
);

const redisUrl = z.string().refine(
  (value) => {
    try {
      return ['redis:', 'rediss:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { error: 'expected a URL such as redis://host:6379' },
);

const smtpUrl = z.string().refine(
  (value) => {
    try {
      return ['smtp:', 'smtps:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { error: 'expected a URL such as smtp://user:password@smtp.example.com:587 or smtps://…:465' },
);

/** `Name <address>` or a bare address, with no line breaks (they would inject headers). */
const mailbox = z
  .string()
  .refine(
    (value) =>
      !/[\r\n]/.test(value) &&
      /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(value.trim()),
    {
      error: 'expected an address such as "Finch <cms@example.com>" or cms@example.com',
    },
  );

const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return ['http:', 'https:'].includes(url.protocol) && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  },
  { error: 'expected an http(s) URL without query or fragment, such as https://cms.example.com' },
);

const originList = z.string().transform((value, ctx) => {
  const origins = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a comma-separated list of origins such as https://www.example.com (no path or trailing slash); "${origin}" is not one`,
      });
      return z.NEVER;
    }
  }
  return origins;
});

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(value: string): boolean {
  if (PROXY_NAMES.has(value)) return true;
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * Which proxies are believed about the client's address (X-Forwarded-For) and protocol:
 * none (false), the proxies at these addresses and CIDR ranges, or every hop (true). `true`
 * is only safe when the proxy replaces X-Forwarded-For instead of appending to it:
 * otherwise clients choose their own address.
 */
const trustedProxies = z.string().transform((value, ctx): boolean | string[] => {
  const lowered = value.trim().toLowerCase();
  if (['false', '0', 'no', 'off'].includes(lowered)) return false;
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
  const entries = lowered
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (entries.length > 0 && entries.every(isAddressOrRange)) return entries;
  ctx.addIssue({
    code: 'custom',
    message:
      'expected false, the addresses or CIDR ranges of your proxies such as 10.0.0.0/8,172.16.0.1, or true to trust every hop (see docs/security.md)',
  });
  return z.NEVER;
});

const environmentSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'expected development, production or test',
    })
    .default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: httpUrl.optional(),
  SECRET_KEY: z.string().optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: positiveInt('an integer from 1 to 200', 200).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: redisUrl.optional(),
  MIGRATE_ON_BOOT: booleanText.default(true),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'], { error: 'expected auto, json or pretty' })
    .default('auto'),
  CORS_ORIGINS: originList.default([]),
  BODY_LIMIT: byteSize.default(1024 * 1024),
  MAX_HEADER_SIZE: byteSize.default(16 * 1024),
  TRUST_PROXY: trustedProxies.default(false),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt('a number of seconds from 60 to 86400', 86_400)
    .min(60, { error: 'expected a number of seconds from 60 to 86400' })
    .default(900),
  REFRESH_TOKEN_TTL_DAYS: positiveInt('a number of days from 1 to 365', 365).default(14),
  RUN_WORKERS_IN_PROCESS: booleanText.optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, {
      error: 'expected lower-case letters, digits, - or _, starting with a letter (at most 40)',
    })
    .default('finch'),
  OUTBOX_RETENTION_HOURS: positiveInt('a number of hours from 1 to 8760', 8760).default(168),
  JOB_STALLED_INTERVAL_MS: positiveInt(
    'a number of milliseconds from 1 to 3600000',
    3_600_000,
  ).default(30_000),
  SMTP_URL: smtpUrl.optional(),
  MAIL_FROM: mailbox.optional(),
  FINCH_ADMIN_EMAIL: z
    .email({ error: 'expected an email address such as admin@example.com' })
    .max(254, { error: 'expected an email address of at most 254 characters' })
    .optional(),
  FINCH_ADMIN_PASSWORD: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: positiveInt('a number of milliseconds from 1 to 600000', 600_000).default(
    10_000,
  ),
  SEARCH_LANGUAGE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error:
        'expected the name of a PostgreSQL text search configuration, such as english or simple',
    })
    .default('english'),
  DELIVERY_MAX_LIMIT: positiveInt('an integer from 1 to 1000', 1000).default(100),
  DELIVERY_CACHE_MAX_AGE: z.coerce
    .number({ error: 'expected a number of seconds from 0 to 31536000' })
    .int({ error: 'expected a number of seconds from 0 to 31536000' })
    .min(0, { error: 'expected a number of seconds from 0 to 31536000' })
    .max(31_536_000, { error: 'expected a number of seconds from 0 to 31536000' })
    .default(60),
  FEED_CACHE_MAX_AGE: z.coerce
    .number({ error: 'expected a number of seconds from 0 to 86400' })
    .int({ error: 'expected a number of seconds from 0 to 86400' })
    .min(0, { error: 'expected a number of seconds from 0 to 86400' })
    .max(86_400, { error: 'expected a number of seconds from 0 to 86400' })
    .default(300),
  DELIVERY_CACHE_SIZE: z
    .string()
    .transform((value, ctx) => {
      const parsed = value.trim() === '0' ? 0 : bytes.parse(value);
      if (parsed === null || !Number.isFinite(parsed) || parsed < 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a size such as 64mb, or 0 to turn the cache off',
        });
        return z.NEVER;
      }
      return parsed;
    })
    .default(64 * 1024 * 1024),
  GRAPHIQL: booleanText.optional(),
  GRAPHQL_INTROSPECTION: booleanText.optional(),
  GRAPHQL_MAX_DEPTH: positiveInt('an integer from 1 to 100', 100).default(10),
  GRAPHQL_MAX_COST: positiveInt('an integer from 1 to 1000000', 1_000_000).default(5000),
  GRAPHQL_MAX_ALIASES: positiveInt('an integer from 1 to 1000', 1000).default(30),
  GRAPHQL_MAX_QUERY_LENGTH: positiveInt(
    'a number of characters from 1 to 1000000',
    1_000_000,
  ).default(20_000),
  GRAPHQL_JIT: z.coerce
    .number({ error: 'expected a number of runs from 0 (never compile) to 1000' })
    .int({ error: 'expected a number of runs from 0 (never compile) to 1000' })
    .min(0, { error: 'expected a number of runs from 0 (never compile) to 1000' })
    .max(1000, { error: 'expected a number of runs from 0 (never compile) to 1000' })
    .default(1),
  PREVIEW_TOKEN_TTL_SECONDS: positiveInt('a number of seconds from 60 to 604800', 604_800)
    .min(60, { error: 'expected a number of seconds from 60 to 604800' })
    .default(3600),
  REVISION_RETENTION_DAYS: z.coerce
    .number({ error: 'expected a number of days from 0 (keep every revision) to 36500' })
    .int({ error: 'expected a number of days from 0 (keep every revision) to 36500' })
    .min(0, { error: 'expected a number of days from 0 (keep every revision) to 36500' })
    .max(36_500, { error: 'expected a number of days from 0 (keep every revision) to 36500' })
    .default(0),
});

type Environment = z.infer<typeof environmentSchema>;

export interface AppConfig {
  env: Environment['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  secretKey: string;
  /** Unset means: start the embedded database in `dataDir`. */
  databaseUrl?: string;
  databasePoolSize: number;
  dataDir: string;
  redisUrl?: string;
  migrateOnBoot: boolean;
  log: { level: Environment['LOG_LEVEL']; pretty: boolean };
  corsOrigins: string[];
  bodyLimit: number;
  maxHeaderSize: number;
  /** Which proxies are believed about the client address: none, all, or these addresses. */
  trustProxy: boolean | string[];
  shutdownTimeoutMs: number;
  auth: {
    /** Lifetime of a JWT access token. */
    accessTokenTtlSeconds: number;
    /** A refresh token (a signed-in session) unused for this long expires. */
    refreshTokenTtlDays: number;
  };
  jobs: {
    /** Run the queue workers and the outbox relay inside the server process. */
    runWorkersInProcess: boolean;
    /** Keeps the queues of Finch installations that share one Redis apart. */
    queuePrefix: string;
    outboxRetentionHours: number;
    /** How soon a job whose worker died is picked up again. */
    stalledIntervalMs: number;
  };
  mail: {
    /** Unset: messages are written to the log instead of sent. */
    smtpUrl?: string;
    from: string;
  };
  search: {
    /** The PostgreSQL text search configuration (regconfig) that indexes and queries use. */
    language: string;
  };
  delivery: {
    /** The largest `limit` a delivery API listing accepts. */
    maxLimit: number;
    /** `Cache-Control: public, max-age=` of published delivery responses. */
    cacheMaxAgeSeconds: number;
    /** Bytes of response bodies the in-process delivery cache holds; 0 turns it off. */
    cacheSizeBytes: number;
    /** How long a preview token stays valid. */
    previewTokenTtlSeconds: number;
  };
  feeds: {
    /** `Cache-Control: public, max-age=` of feeds. Their in-process cache has `delivery.cacheSizeBytes`. */
    cacheMaxAgeSeconds: number;
  };
  graphql: {
    /** GraphiQL at /graphiql. */
    graphiql: boolean;
    /** `__schema` and `__type` answered. */
    introspection: boolean;
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    /** Characters of a query document. */
    maxQueryLength: number;
    /** Compile a query with graphql-jit once it has run this many times; 0 never. */
    jit: number;
  };
  publishing: {
    /** Revisions older than this are pruned daily (live, latest and scheduled ones stay); 0 keeps all. */
    revisionRetentionDays: number;
  };
  /** FINCH_ADMIN_*: created at boot as the first superuser when there is no user yet. */
  firstSuperuser?: { email: string; password: string };
}

export interface ConfigProblem {
  variable: string;
  given?: string;
  expected: string;
}

export class InvalidConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(
      [
        `Finch cannot start: ${problems.length} environment variable${problems.length === 1 ? ' is' : 's are'} wrong.`,
        ...problems.map((problem) => `  ${describeProblem(problem)}`),
        'Fix them in the environment or in .env (see .env.example and the README), then start again.',
      ].join('\n'),
    );
    this.name = 'InvalidConfigError';
    // Kept masked too: whoever logs this error object must not log the secrets.
    this.problems = problems.map((problem) =>
      problem.given !== undefined && SECRET_VARIABLES.has(problem.variable)
        ? { ...problem, given: maskSecret(problem.variable, problem.given) }
        : problem,
    );
  }
}

const SECRET_VARIABLES = new Set([
  'SECRET_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'FINCH_ADMIN_PASSWORD',
]);

function describeProblem({ variable, given, expected }: ConfigProblem): string {
  if (given === undefined) return `${variable} is not set: ${expected}`;
  const shown = SECRET_VARIABLES.has(variable)
    ? maskSecret(variable, given)
    : JSON.stringify(given);
  return `${variable}=${shown} is wrong: ${expected}`;
}

/** Shows enough of a secret to recognise it in a log, never the secret itself. */
export function maskSecret(variable: string, value: string): string {
  if (variable === 'DATABASE_URL' || variable === 'REDIS_URL' || variable === 'SMTP_URL') {
    try {
      const url = new URL(value);
      // Without a host (e.g. the scheme was forgotten) the password may sit in the path.
      if (!url.host) return `"<${value.length} characters>"`;
      if (url.password) url.password = '***';
      return JSON.stringify(url.toString());
    } catch {
      return `"<${value.length} characters>"`;
    }
  }
  return `"<${value.length} characters>"`;
}

const MIN_SECRET_LENGTH = 32;
const KNOWN_PLACEHOLDERS = ['change-me', 'changeme', 'secret', 'example', 'password', 'finch'];

/** Why a production secret key is unacceptable, or undefined when it is fine. */
export function weakSecretReason(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) {
    return `expected at least ${MIN_SECRET_LENGTH} random characters; generate one with: openssl rand -base64 48`;
  }
  const lowered = secret.toLowerCase();
  if (KNOWN_PLACEHOLDERS.some((placeholder) => lowered.includes(placeholder))) {
    return 'looks like a placeholder; generate a random one with: openssl rand -base64 48';
  }
  if (new Set(secret).size < 12) {
    return 'is too repetitive to be random; generate one with: openssl rand -base64 48';
  }
  return undefined;
}

/**
 * Outside production an unset SECRET_KEY is generated once and kept in the data
 * directory, so sessions and tokens survive restarts without a shared default secret.
 */
function developmentSecret(dataDir: string): { secret: string; generatedAt?: string } {
  const file = path.join(dataDir, 'secret_key');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    // A file cut short (a crash while writing it) is replaced, never used.
    if (stored.length >= MIN_SECRET_LENGTH) return { secret: stored };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600);
  return { secret, generatedAt: file };
}

/**
 * `no-reply@` the public host, when that host is a name; an address such as 10.0.0.5 or
 * [::1] makes no valid mailbox, so it falls back to localhost.
 */
function defaultMailFrom(publicUrl: string): string {
  const host = new URL(publicUrl).hostname;
  const isName = /[a-z]/i.test(host) && !host.startsWith('[');
  return `Finch <no-reply@${isName ? host : 'localhost'}>`;
}

export interface LoadedConfig {
  config: AppConfig;
  /** Things worth one log line at boot (e.g. a generated development secret). */
  notices: string[];
}

/** Reads and validates the environment; throws InvalidConfigError naming every wrong variable. */
export function loadConfig(
  env: Record<string, string | undefined>,
  options: { stdoutIsTerminal?: boolean } = {},
): LoadedConfig {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(cleaned);
  const problems: ConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0]);
      problems.push({ variable, given: cleaned[variable], expected: issue.message });
    }
  }
  const values = parsed.success ? parsed.data : undefined;
  const notices: string[] = [];

  // Decided on its own, so production's SECRET_KEY rules apply even when other variables are wrong.
  const nodeEnv =
    values?.NODE_ENV ??
    environmentSchema.shape.NODE_ENV.safeParse(cleaned.NODE_ENV).data ??
    'development';
  const dataDir = path.resolve(values?.DATA_DIR ?? './data');
  let secretKey = cleaned.SECRET_KEY;
  if (nodeEnv === 'production') {
    if (secretKey === undefined) {
      problems.push({
        variable: 'SECRET_KEY',
        expected: 'required in production; generate one with: openssl rand -base64 48',
      });
    } else {
      const reason = weakSecretReason(secretKey);
      if (reason) problems.push({ variable: 'SECRET_KEY', given: secretKey, expected: reason });
    }
  }
  // One without the other would silently create nobody.
  const [adminEmail, adminPassword] = [cleaned.FINCH_ADMIN_EMAIL, cleaned.FINCH_ADMIN_PASSWORD];
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push(
      adminEmail === undefined
        ? {
            variable: 'FINCH_ADMIN_EMAIL',
            expected: 'needed with FINCH_ADMIN_PASSWORD: the email of the first superuser',
          }
        : {
            variable: 'FINCH_ADMIN_PASSWORD',
            expected: 'needed with FINCH_ADMIN_EMAIL: the password of the first superuser',
          },
    );
  }
  if (problems.length > 0) throw new InvalidConfigError(problems);
  if (!values) throw new InvalidConfigError(problems);

  if (secretKey === undefined) {
    const { secret, generatedAt } = developmentSecret(dataDir);
    secretKey = secret;
    if (generatedAt) {
      notices.push(
        `SECRET_KEY is not set: generated a random one for development in ${generatedAt}. Set SECRET_KEY in production.`,
      );
    }
  }

  if (nodeEnv === 'production' && !values.PUBLIC_URL) {
    notices.push(
      `PUBLIC_URL is not set: links will point at http://localhost:${values.PORT} and HSTS is off. Set PUBLIC_URL to the address people use, e.g. https://cms.example.com.`,
    );
  }
  const publicUrl = (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  const pretty =
    values.LOG_FORMAT === 'pretty' ||
    (values.LOG_FORMAT === 'auto' && (options.stdoutIsTerminal ?? false));

  return {
    config: {
      env: nodeEnv,
      host: values.HOST,
      port: values.PORT,
      publicUrl,
      secretKey,
      databaseUrl: values.DATABASE_URL,
      databasePoolSize: values.DATABASE_POOL_SIZE,
      dataDir,
      redisUrl: values.REDIS_URL,
      migrateOnBoot: values.MIGRATE_ON_BOOT,
      log: { level: values.LOG_LEVEL, pretty },
      corsOrigins: values.CORS_ORIGINS,
      bodyLimit: values.BODY_LIMIT,
      maxHeaderSize: values.MAX_HEADER_SIZE,
      trustProxy: values.TRUST_PROXY,
      shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
      search: { language: values.SEARCH_LANGUAGE },
      delivery: {
        maxLimit: values.DELIVERY_MAX_LIMIT,
        cacheMaxAgeSeconds: values.DELIVERY_CACHE_MAX_AGE,
        cacheSizeBytes: values.DELIVERY_CACHE_SIZE,
        previewTokenTtlSeconds: values.PREVIEW_TOKEN_TTL_SECONDS,
      },
      feeds: { cacheMaxAgeSeconds: values.FEED_CACHE_MAX_AGE },
      graphql: {
        graphiql: values.GRAPHIQL ?? nodeEnv !== 'production',
        introspection: values.GRAPHQL_INTROSPECTION ?? nodeEnv !== 'production',
        maxDepth: values.GRAPHQL_MAX_DEPTH,
        maxCost: values.GRAPHQL_MAX_COST,
        maxAliases: values.GRAPHQL_MAX_ALIASES,
        maxQueryLength: values.GRAPHQL_MAX_QUERY_LENGTH,
        jit: values.GRAPHQL_JIT,
      },
      publishing: { revisionRetentionDays: values.REVISION_RETENTION_DAYS },
      auth: {
        accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenTtlDays: values.REFRESH_TOKEN_TTL_DAYS,
      },
      jobs: {
        // Without Redis there is nobody else to run them: the embedded setup is one process.
        runWorkersInProcess: values.RUN_WORKERS_IN_PROCESS ?? !values.REDIS_URL,
        queuePrefix: values.QUEUE_PREFIX,
        outboxRetentionHours: values.OUTBOX_RETENTION_HOURS,
        stalledIntervalMs: values.JOB_STALLED_INTERVAL_MS,
      },
      mail: {
        smtpUrl: values.SMTP_URL,
        from: values.MAIL_FROM ?? defaultMailFrom(publicUrl),
      },
      ...(values.FINCH_ADMIN_EMAIL && values.FINCH_ADMIN_PASSWORD
        ? {
            firstSuperuser: {
              email: values.FINCH_ADMIN_EMAIL,
              password: values.FINCH_ADMIN_PASSWORD,
            },
          }
        : {}),
    },
    notices,
  };
}

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** The process environment, read here and nowhere else. */
export function loadConfigFromProcess(): LoadedConfig {
  loadDotEnv();
  return loadConfig(process.env, { stdoutIsTerminal: process.stdout.isTTY });
}
