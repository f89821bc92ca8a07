import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { startEmbeddedPostgres } from '#src/database/embedded-postgres.js';
import { createTestDatabase, type TestDatabase } from '#test/helpers/test-app.js';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const PASSWORD = 'a passphrase for the command line';

/** `node dist/src/cli/finch.js …` as an operator runs it, with `stdin` piped in (or none). */
function finch(args: string[], database: TestDatabase, stdin?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/cli/finch.js', ...args], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        DATA_DIR: database.dataDir,
        DATABASE_URL: database.url,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Runs `query` on the command's database: the server's, or the embedded one it left in DATA_DIR. */
async function query<Row>(database: TestDatabase, sql: string): Promise<Row[]> {
  const embedded = database.url ? undefined : await startEmbeddedPostgres(database.dataDir);
  const client = new pg.Client({ connectionString: database.url ?? embedded!.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
    await embedded?.stop();
  }
}

describe('npm run finch -- createsuperuser', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('creates a superuser from --email, --name and a password on standard input', async () => {
    const result = await finch(
      [
        'createsuperuser',
        '--email',
        'Ada@Example.com',
        '--name',
        'Ada Lovelace',
        '--password-stdin',
      ],
      database,
      `${PASSWORD}\n`,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/Creating the superuser Ada@Example\.com/);
    expect(result.stdout).toMatch(/Superuser Ada@Example\.com created \(id [0-9a-f-]{36}\)/);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);

    const [user] = await query<Record<string, unknown>>(
      database,
      `SELECT email, email_normalized, name, is_superuser, is_active, password_hash FROM users`,
    );
    expect(user).toEqual({
      email: 'Ada@Example.com',
      email_normalized: 'ada@example.com',
      name: 'Ada Lovelace',
      is_superuser: true,
      is_active: true,
      password_hash: expect.stringMatching(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/),
    });
    const entries = await query<Record<string, unknown>>(
      database,
      `SELECT action, data FROM audit_log WHERE action = 'users.superuser_created'`,
    );
    expect(entries).toEqual([
      { action: 'users.superuser_created', data: { email: 'Ada@Example.com', via: 'cli' } },
    ]);
  });

  it('fails with exit code 1 and creates nothing when the email is taken, whatever its case', async () => {
    const result = await finch(
      ['createsuperuser', '--email', 'ADA@example.com', '--password-stdin'],
      database,
      PASSWORD,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Error: Another account uses this email address. Nothing was created.',
    );
    expect(await query(database, 'SELECT id FROM users')).toHaveLength(1);
  });

  it.each([
    [
      'a password too short',
      ['--email', 'bob@example.com'],
      'short\n',
      1,
      'Error: The password must be at least 12 characters long.',
    ],
    [
      'a common password',
      ['--email', 'bob@example.com'],
      'qwerty123456',
      1,
      'Error: The password is one of the most common passwords; choose another.',
    ],
    [
      'the email as password',
      ['--email', 'bob.builder@example.com'],
      'Bob.Builder@example.com\n',
      1,
      'Error: The password must not be your email address.',
    ],
    [
      'an empty standard input',
      ['--email', 'bob@example.com'],
      '',
      1,
      'Error: Standard input held no password.',
    ],
    [
      'an email that is not one',
      ['--email', 'bob'],
      PASSWORD,
      1,
      'Error: --email "bob" is wrong: expected an email address such as you@example.com.',
    ],
    [
      'a name over 150 characters',
      ['--email', 'bob@example.com', '--name', 'x'.repeat(151)],
      PASSWORD,
      1,
      'Error: --name is too long: at most 150 characters.',
    ],
  ])(
    'refuses %s, saying why, with a non-zero exit and nothing created',
    async (_case, options, stdin, code, message) => {
      const result = await finch(
        ['createsuperuser', ...options, '--password-stdin'],
        database,
        stdin,
      );
      expect(result.code).toBe(code);
      expect(result.stderr.trim()).toBe(message);
      expect(result.stdout).toBe('');
    },
  );

  it.each([
    [
      'no terminal and no --password-stdin',
      ['createsuperuser', '--email', 'bob@example.com'],
      /Not at a terminal, so nothing can be asked: pass --email, --name and --password-stdin/,
    ],
    [
      '--password-stdin without --email',
      ['createsuperuser', '--password-stdin'],
      /--password-stdin needs --email/,
    ],
    [
      'an unknown option',
      ['createsuperuser', '--superuser-password', 'x'],
      /unknown option '--superuser-password'/,
    ],
    ['an unknown command', ['createadmin'], /unknown command 'createadmin'/],
  ])('explains a usage error (%s) and exits 2', async (_case, args, message) => {
    const result = await finch(args, database, '');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('still has only the one superuser after all those refusals', async () => {
    expect(await query(database, 'SELECT id FROM users')).toHaveLength(1);
  });
});
