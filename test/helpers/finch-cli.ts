import { spawn } from 'node:child_process';
import pg from 'pg';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { startEmbeddedPostgres } from '#src/database/embedded-postgres.js';
import type { TestDatabase } from '#test/helpers/test-app.js';

export interface FinishedCommand {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/src/cli/finch.js …` as an operator runs it, on `database`, with `stdin` piped
 * in. Its job queues (publishing registers its periodic jobs) use the database's own
 * PostgreSQL backend, so nothing is left behind in a shared Redis.
 */
export function runFinch(
  args: string[],
  database: TestDatabase,
  stdin = '',
  env: Record<string, string> = {},
): Promise<FinishedCommand> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/cli/finch.js', ...args], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        DATA_DIR: database.dataDir,
        ...(database.url ? { DATABASE_URL: database.url } : {}),
        // No REDIS_URL: the command's queues live in the test database and go with it.
        ...env,
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

/**
 * Runs SQL on the command's database: the server's, or the embedded one it left in
 * DATA_DIR (opened for the query and closed again, so the next command can take it).
 */
export async function queryDatabase<Row>(
  database: TestDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const embedded = database.url ? undefined : await startEmbeddedPostgres(database.dataDir);
  const client = new pg.Client({ connectionString: database.url ?? embedded!.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
    await embedded?.stop();
  }
}
