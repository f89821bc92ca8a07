import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type ConfigProblem,
  InvalidConfigError,
  type LoadedConfig,
  loadConfig,
} from '#src/config/app-config.js';

/** A key that passes every production check: 64 characters from `openssl rand -base64 48`. */
const GOOD_SECRET = '3Kq4LOaV8D8AgEFZg5EUmYjAAaAk4xTx8B8ki3P19xH0ZIW7EUgMv2GUxKGRF88v';

const temporaryDirectories: string[] = [];
function temporaryDataDir(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'finch-config-spec-'));
  temporaryDirectories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of temporaryDirectories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
  }
});

/** Loads `env` and returns the InvalidConfigError it must throw. */
function refusal(env: Record<string, string | undefined>): InvalidConfigError {
  let loaded: LoadedConfig | undefined;
  try {
    loaded = loadConfig({ SECRET_KEY: GOOD_SECRET, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return error as InvalidConfigError;
  }
  throw new Error(`expected the configuration to be refused, got ${JSON.stringify(loaded.config)}`);
}

/** The single problem `env` causes, after checking the message shows it. */
function onlyProblem(env: Record<string, string | undefined>): ConfigProblem {
  const error = refusal(env);
  expect(error.problems).toHaveLength(1);
  expect(error.message).toContain('1 environment variable is wrong');
  return error.problems[0];
}

describe('loadConfig defaults', () => {
  it('fills every setting with a safe development default when the environment is empty', () => {
    const { config, notices } = loadConfig({ SECRET_KEY: GOOD_SECRET });
    expect(config).toEqual({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      secretKey: GOOD_SECRET,
      databaseUrl: undefined,
      databasePoolSize: 10,
      dataDir: path.resolve('./data'),
      redisUrl: undefined,
      migrateOnBoot: true,
      log: { level: 'info', pretty: false },
      corsOrigins: [],
      bodyLimit: 1024 * 1024,
      maxHeaderSize: 16 * 1024,
      trustProxy: false,
      shutdownTimeoutMs: 10_000,
      search: { language: 'english' },
      publishing: { revisionRetentionDays: 0 },
      delivery: {
        maxLimit: 100,
        cacheMaxAgeSeconds: 60,
        cacheSizeBytes: 64 * 1024 * 1024,
        previewTokenTtlSeconds: 3600,
      },
      feeds: { cacheMaxAgeSeconds: 300 },
      graphql: {
        graphiql: true,
        introspection: true,
        maxDepth: 10,
        maxCost: 5000,
        maxAliases: 30,
        maxQueryLength: 20_000,
        jit: 1,
      },
      auth: { accessTokenTtlSeconds: 900, refreshTokenTtlDays: 14 },
      jobs: {
        runWorkersInProcess: true,
        queuePrefix: 'finch',
        outboxRetentionHours: 168,
        stalledIntervalMs: 30_000,
      },
      mail: { smtpUrl: undefined, from: 'Finch <no-reply@localhost>' },
    });
    expect(notices).toEqual([]);
  });

  it('turns GraphiQL and GraphQL introspection off in production unless told otherwise', () => {
    const dataDir = temporaryDataDir();
    const production = { DATA_DIR: dataDir, NODE_ENV: 'production', SECRET_KEY: GOOD_SECRET };
    expect(loadConfig(production).config.graphql).toMatchObject({
      graphiql: false,
      introspection: false,
    });
    expect(
      loadConfig({ ...production, GRAPHIQL: 'true', GRAPHQL_INTROSPECTION: 'true' }).config.graphql,
    ).toMatchObject({ graphiql: true, introspection: true });
    expect(refusal({ DATA_DIR: dataDir, GRAPHQL_MAX_DEPTH: '0' }).message).toContain(
      'GRAPHQL_MAX_DEPTH',
    );
  });

  it('runs the job workers in the server only when there is no Redis, unless told otherwise', () => {
    const dataDir = temporaryDataDir();
    const withRedis = loadConfig({ DATA_DIR: dataDir, REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(withRedis.config.jobs.runWorkersInProcess).toBe(false);
    const forced = loadConfig({
      DATA_DIR: dataDir,
      REDIS_URL: 'redis://127.0.0.1:6379',
      RUN_WORKERS_IN_PROCESS: 'true',
    });
    expect(forced.config.jobs.runWorkersInProcess).toBe(true);
  });

  it('refuses a MAIL_FROM with a line break (header injection) and a non-SMTP SMTP_URL', () => {
    const error = refusal({
      MAIL_FROM: 'Finch <a@example.com>\r\nBcc: victim@example.com',
      SMTP_URL: 'http://mail',
    });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      'MAIL_FROM',
      'SMTP_URL',
    ]);
  });

  it('derives a usable default MAIL_FROM even when PUBLIC_URL is an IP address', () => {
    const dataDir = temporaryDataDir();
    const named = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://cms.example.com' });
    expect(named.config.mail.from).toBe('Finch <no-reply@cms.example.com>');
    for (const address of ['http://10.0.0.5:3000', 'http://127.0.0.1', 'http://[::1]:3000']) {
      const { config } = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: address });
      expect(config.mail.from).toBe('Finch <no-reply@localhost>');
    }
  });

  it('treats variables set to an empty string as unset', () => {
    const { config } = loadConfig({
      SECRET_KEY: GOOD_SECRET,
      PORT: '',
      LOG_LEVEL: '  ',
    });
    expect(config.port).toBe(3000);
    expect(config.log.level).toBe('info');
  });

  it('reads sizes, booleans, origin lists and URLs into typed values', () => {
    const { config } = loadConfig({
      SECRET_KEY: GOOD_SECRET,
      PORT: '8080',
      PUBLIC_URL: 'https://cms.example.com/',
      BODY_LIMIT: '10mb',
      MAX_HEADER_SIZE: '8kb',
      MIGRATE_ON_BOOT: 'no',
      TRUST_PROXY: 'yes',
      CORS_ORIGINS: 'https://www.example.com, http://localhost:5173',
      DATABASE_URL: 'postgres://finch:pw@db:5432/finch',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('https://cms.example.com');
    expect(config.bodyLimit).toBe(10 * 1024 * 1024);
    expect(config.maxHeaderSize).toBe(8 * 1024);
    expect(config.migrateOnBoot).toBe(false);
    expect(config.trustProxy).toBe(true);
    expect(config.corsOrigins).toEqual(['https://www.example.com', 'http://localhost:5173']);
    expect(config.databaseUrl).toBe('postgres://finch:pw@db:5432/finch');
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it('reads TRUST_PROXY as off, every hop, or a list of proxy addresses and ranges', () => {
    const trust = (value: string) =>
      loadConfig({ SECRET_KEY: GOOD_SECRET, TRUST_PROXY: value }).config.trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('1')).toBe(true);
    expect(trust('10.0.0.0/8, 172.16.0.1,loopback')).toEqual([
      '10.0.0.0/8',
      '172.16.0.1',
      'loopback',
    ]);
    expect(trust('fd00::/8')).toEqual(['fd00::/8']);
    for (const wrong of ['maybe', '2', '10.0.0.0/33', 'proxy.example.com', '1.2.3.4/8/9']) {
      expect(onlyProblem({ TRUST_PROXY: wrong }).variable).toBe('TRUST_PROXY');
    }
  });

  it('reads the access and refresh token lifetimes, within their bounds', () => {
    const { config } = loadConfig({
      SECRET_KEY: GOOD_SECRET,
      ACCESS_TOKEN_TTL_SECONDS: '300',
      REFRESH_TOKEN_TTL_DAYS: '30',
    });
    expect(config.auth).toEqual({ accessTokenTtlSeconds: 300, refreshTokenTtlDays: 30 });
    expect(onlyProblem({ ACCESS_TOKEN_TTL_SECONDS: '59' }).variable).toBe(
      'ACCESS_TOKEN_TTL_SECONDS',
    );
    expect(onlyProblem({ REFRESH_TOKEN_TTL_DAYS: '0' }).variable).toBe('REFRESH_TOKEN_TTL_DAYS');
  });

  it('writes pretty logs only to a terminal unless LOG_FORMAT says otherwise', () => {
    const env = { SECRET_KEY: GOOD_SECRET };
    expect(loadConfig(env, { stdoutIsTerminal: true }).config.log.pretty).toBe(true);
    expect(loadConfig(env, { stdoutIsTerminal: false }).config.log.pretty).toBe(false);
    expect(
      loadConfig({ ...env, LOG_FORMAT: 'json' }, { stdoutIsTerminal: true }).config.log.pretty,
    ).toBe(false);
  });
});

describe('loadConfig refuses a bad variable with one problem naming it, the value and what is expected', () => {
  it('PORT=abc', () => {
    const problem = onlyProblem({ PORT: 'abc' });
    expect(problem).toEqual({
      variable: 'PORT',
      given: 'abc',
      expected: expect.stringContaining('integer from 0 to 65535'),
    });
  });

  it('PORT=70000', () => {
    const problem = onlyProblem({ PORT: '70000' });
    expect(problem).toEqual({
      variable: 'PORT',
      given: '70000',
      expected: expect.stringContaining('integer from 0 to 65535'),
    });
  });

  it('FEED_CACHE_MAX_AGE=-1 and FEED_CACHE_MAX_AGE=1e9', () => {
    for (const given of ['-1', '1000000000', 'soon']) {
      expect(onlyProblem({ FEED_CACHE_MAX_AGE: given })).toEqual({
        variable: 'FEED_CACHE_MAX_AGE',
        given,
        expected: expect.stringContaining('seconds from 0 to 86400'),
      });
    }
  });

  it('DATABASE_URL=mysql://…', () => {
    const problem = onlyProblem({
      DATABASE_URL: 'mysql://finch@db:3306/finch',
    });
    expect(problem.variable).toBe('DATABASE_URL');
    expect(problem.expected).toContain('postgres://');
    expect(refusal({ DATABASE_URL: 'mysql://finch@db:3306/finch' }).message).toContain(
      'DATABASE_URL="mysql://finch@db:3306/finch" is wrong',
    );
  });

  it('REDIS_URL=http://…', () => {
    const problem = onlyProblem({ REDIS_URL: 'http://cache:6379' });
    expect(problem.variable).toBe('REDIS_URL');
    expect(problem.expected).toContain('redis://');
    expect(refusal({ REDIS_URL: 'http://cache:6379' }).message).toContain(
      'REDIS_URL="http://cache:6379/" is wrong',
    );
  });

  it('CORS_ORIGINS with a path', () => {
    const problem = onlyProblem({
      CORS_ORIGINS: 'https://www.example.com/app',
    });
    expect(problem.variable).toBe('CORS_ORIGINS');
    expect(problem.given).toBe('https://www.example.com/app');
    expect(problem.expected).toContain('no path or trailing slash');
    expect(problem.expected).toContain('"https://www.example.com/app" is not one');
  });

  it('CORS_ORIGINS with a trailing slash, even after a good origin', () => {
    const problem = onlyProblem({
      CORS_ORIGINS: 'https://ok.example.com,https://www.example.com/',
    });
    expect(problem.variable).toBe('CORS_ORIGINS');
    expect(problem.expected).toContain('"https://www.example.com/" is not one');
  });

  it('BODY_LIMIT=lots', () => {
    const problem = onlyProblem({ BODY_LIMIT: 'lots' });
    expect(problem).toEqual({
      variable: 'BODY_LIMIT',
      given: 'lots',
      expected: expect.stringContaining('a size such as'),
    });
  });

  it('LOG_LEVEL=loud', () => {
    const problem = onlyProblem({ LOG_LEVEL: 'loud' });
    expect(problem).toEqual({
      variable: 'LOG_LEVEL',
      given: 'loud',
      expected: expect.stringContaining('fatal, error, warn, info, debug, trace, silent'),
    });
  });

  it('MIGRATE_ON_BOOT=maybe', () => {
    const problem = onlyProblem({ MIGRATE_ON_BOOT: 'maybe' });
    expect(problem).toEqual({
      variable: 'MIGRATE_ON_BOOT',
      given: 'maybe',
      expected: 'expected true or false',
    });
  });

  it('PUBLIC_URL with a query string', () => {
    const problem = onlyProblem({
      PUBLIC_URL: 'https://cms.example.com/?site=1',
    });
    expect(problem).toEqual({
      variable: 'PUBLIC_URL',
      given: 'https://cms.example.com/?site=1',
      expected: expect.stringContaining('without query or fragment'),
    });
  });

  it('writes each problem in the message as VARIABLE="given" is wrong: expected …', () => {
    const { message } = refusal({ LOG_LEVEL: 'loud' });
    expect(message).toContain(
      'LOG_LEVEL="loud" is wrong: expected one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(message).toContain('.env.example');
  });
});

describe('loadConfig reports every bad variable at once', () => {
  it('lists all wrong variables in one error, not just the first', () => {
    const error = refusal({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      MIGRATE_ON_BOOT: 'maybe',
      BODY_LIMIT: 'lots',
    });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      'BODY_LIMIT',
      'LOG_LEVEL',
      'MIGRATE_ON_BOOT',
      'PORT',
    ]);
    expect(error.message).toContain('4 environment variables are wrong');
    for (const variable of [
      'PORT="abc"',
      'LOG_LEVEL="loud"',
      'MIGRATE_ON_BOOT="maybe"',
      'BODY_LIMIT="lots"',
    ]) {
      expect(error.message).toContain(variable);
    }
  });

  it('in production, reports a missing SECRET_KEY together with the other bad variables', () => {
    const dataDir = temporaryDataDir();
    const error = refusal({
      NODE_ENV: 'production',
      SECRET_KEY: undefined,
      PORT: 'abc',
      DATA_DIR: dataDir,
    });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      'PORT',
      'SECRET_KEY',
    ]);
  });
});

describe('loadConfig in production refuses a missing or weak SECRET_KEY', () => {
  it('refuses to start without SECRET_KEY and generates none', () => {
    const dataDir = temporaryDataDir();
    const problem = onlyProblem({
      NODE_ENV: 'production',
      SECRET_KEY: undefined,
      DATA_DIR: dataDir,
    });
    expect(problem.variable).toBe('SECRET_KEY');
    expect(problem.given).toBeUndefined();
    expect(problem.expected).toContain('required in production');
    expect(problem.expected).toContain('openssl rand');
    expect(existsSync(path.join(dataDir, 'secret_key'))).toBe(false);
  });

  it('refuses a key shorter than 32 characters', () => {
    const problem = onlyProblem({
      NODE_ENV: 'production',
      SECRET_KEY: 'Zq8#pL2!vX9',
    });
    expect(problem.variable).toBe('SECRET_KEY');
    expect(problem.expected).toContain('at least 32 random characters');
  });

  it('refuses a long placeholder such as change-me-…', () => {
    const problem = onlyProblem({
      NODE_ENV: 'production',
      SECRET_KEY: 'change-me-before-deploying-to-production-7Q2xK9',
    });
    expect(problem.variable).toBe('SECRET_KEY');
    expect(problem.expected).toContain('placeholder');
  });

  it('refuses a long but repetitive key', () => {
    const problem = onlyProblem({
      NODE_ENV: 'production',
      SECRET_KEY: 'abcdef'.repeat(10),
    });
    expect(problem.variable).toBe('SECRET_KEY');
    expect(problem.expected).toContain('repetitive');
  });

  it('accepts a random key of 64 characters without writing anything to DATA_DIR', () => {
    const dataDir = temporaryDataDir();
    const { config, notices } = loadConfig({
      NODE_ENV: 'production',
      SECRET_KEY: GOOD_SECRET,
      PUBLIC_URL: 'https://cms.example.com',
      DATA_DIR: dataDir,
    });
    expect(config.env).toBe('production');
    expect(config.secretKey).toBe(GOOD_SECRET);
    expect(notices.filter((notice) => notice.includes('SECRET_KEY'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'secret_key'))).toBe(false);
  });
});

describe('loadConfig never shows a secret in its error message', () => {
  it('masks the password of a DATABASE_URL but keeps the rest to recognise it', () => {
    const error = refusal({
      DATABASE_URL: 'mysql://finch:hunter2-database-password@db:3306/finch',
    });
    expect(error.message).not.toContain('hunter2-database-password');
    expect(error.message).toContain('DATABASE_URL="mysql://finch:***@db:3306/finch" is wrong');
  });

  it('shows only the length of a weak production SECRET_KEY', () => {
    const secretKey = 'my-real-but-short-secret';
    const error = refusal({ NODE_ENV: 'production', SECRET_KEY: secretKey });
    expect(error.message).not.toContain(secretKey);
    expect(error.message).toContain(`SECRET_KEY="<${secretKey.length} characters>" is wrong`);
  });

  it('masks a REDIS_URL password', () => {
    const error = refusal({
      REDIS_URL: 'http://:redis-password-42@cache:6379',
    });
    expect(error.message).not.toContain('redis-password-42');
    expect(error.message).toContain('REDIS_URL="http://:***@cache:6379/" is wrong');
  });

  it('does not print the password of a DATABASE_URL written without its scheme', () => {
    const error = refusal({
      DATABASE_URL: 'finch:hunter2-database-password@db:5432/finch',
    });
    expect(error.problems.map((problem) => problem.variable)).toEqual(['DATABASE_URL']);
    expect(error.message).toContain('DATABASE_URL=');
    expect(error.message).not.toContain('hunter2-database-password');
  });
});

describe('loadConfig outside production without SECRET_KEY', () => {
  it('generates a random key once into DATA_DIR/secret_key, readable only by its owner, and reuses it', () => {
    const dataDir = path.join(temporaryDataDir(), 'not-yet-created');
    const file = path.join(dataDir, 'secret_key');

    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.config.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.config.secretKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.notices).toHaveLength(1);
    expect(first.notices[0]).toContain(file);
    expect(first.notices[0]).not.toContain(first.config.secretKey);

    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.config.secretKey).toBe(first.config.secretKey);
    expect(second.notices).toEqual([]);
  });

  it('gives each data directory its own key', () => {
    const one = loadConfig({ DATA_DIR: temporaryDataDir() }).config.secretKey;
    const other = loadConfig({ DATA_DIR: temporaryDataDir() }).config.secretKey;
    expect(one).not.toBe(other);
  });

  it('uses a SECRET_KEY that is set and writes no file', () => {
    const dataDir = temporaryDataDir();
    const { config, notices } = loadConfig({
      DATA_DIR: dataDir,
      SECRET_KEY: 'dev-only',
    });
    expect(config.secretKey).toBe('dev-only');
    expect(notices).toEqual([]);
    expect(existsSync(path.join(dataDir, 'secret_key'))).toBe(false);
  });

  it('never uses an empty secret_key file as the secret', () => {
    const dataDir = temporaryDataDir();
    writeFileSync(path.join(dataDir, 'secret_key'), '\n', { mode: 0o600 });
    let secretKey: string | undefined;
    try {
      secretKey = loadConfig({ DATA_DIR: dataDir }).config.secretKey;
    } catch {
      return; // refusing to start with a clear message is fine too
    }
    expect(secretKey.length).toBeGreaterThanOrEqual(32);
  });
});
