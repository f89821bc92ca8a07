import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { SlowModule } from '#test/fixtures/slow.module.js';
import { createTestDatabase, startTestApp, type TestDatabase } from '#test/helpers/test-app.js';

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** `node dist/src/main.js` (or the worker) as an operator runs it, with only the given environment. */
function startServer(env: Record<string, string | undefined>, entry = 'dist/src/main.js'): Started {
  let output = '';
  const child = spawn(process.execPath, [entry], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('the server process', () => {
  it('stops at boot, naming the variable, when PORT is not a number', async () => {
    const server = startServer({ PORT: 'abc', DATA_DIR: '/nonexistent-never-created' });
    expect(await exitCode(server.child)).toBe(1);
    expect(server.output()).toMatch(/PORT="abc" is wrong: expected an integer from 0 to 65535/);
  });

  it('reports every wrong variable at once', async () => {
    const server = startServer({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(await exitCode(server.child)).toBe(1);
    const output = server.output();
    expect(output).toMatch(/3 environment variables are wrong/);
    expect(output).toMatch(/LOG_LEVEL="loud"/);
    expect(output).toMatch(/DATABASE_URL="mysql:\/\/x" is wrong/);
  });

  it('refuses to start in production without a SECRET_KEY', async () => {
    const server = startServer({ NODE_ENV: 'production', DATABASE_URL: 'postgres://localhost/x' });
    expect(await exitCode(server.child)).toBe(1);
    expect(server.output()).toMatch(/SECRET_KEY is not set: required in production/);
  });

  describe('when running', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      await database.drop();
    });

    it('serves /readyz, then exits 0 on SIGTERM after logging a clean stop', async () => {
      const server = startServer({
        PORT: '0',
        DATA_DIR: database.dataDir,
        DATABASE_URL: database.url,
        REDIS_URL: process.env.REDIS_URL,
        NODE_ENV: 'test',
      });
      try {
        let port: number | undefined;
        for (let attempt = 0; attempt < 600 && port === undefined; attempt++) {
          const match = /Finch is ready on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output());
          if (match) port = Number(match[1]);
          else if (server.child.exitCode !== null) break;
          else await sleep(100);
        }
        expect(port).toBeDefined();
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(200);

        // Every request is logged as one JSON line carrying the id sent back in x-request-id.
        const missing = await fetch(`http://127.0.0.1:${port}/no-such-page`);
        const requestId = missing.headers.get('x-request-id');
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
        await sleep(200);
        const line = server
          .output()
          .split('\n')
          .find((text) => text.includes(`"requestId":"${requestId}"`));
        expect(JSON.parse(line ?? '{}')).toMatchObject({
          msg: 'request completed',
          statusCode: 404,
          url: '/no-such-page',
        });

        server.child.kill('SIGTERM');
        expect(await exitCode(server.child)).toBe(0);
        expect(server.output()).toMatch(/SIGTERM received: finishing requests in flight/);
        expect(server.output()).toMatch(/Stopped cleanly/);
      } finally {
        if (server.child.exitCode === null) server.child.kill('SIGKILL');
      }
    });
  });

  it('finishes a request in flight before closing', async () => {
    const app = await startTestApp({}, { imports: [SlowModule] });
    const inFlight = fetch(`${app.baseUrl}/test/slow?ms=700`);
    await sleep(150);
    const closing = app.finch.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waitedMs: 700 });
    await closing;
    await expect(fetch(`${app.baseUrl}/healthz`)).rejects.toThrow();
    await app.database.drop();
  });
});

describe('the worker process', () => {
  it('refuses to run on the embedded database, saying why', async () => {
    const worker = startServer({ DATA_DIR: '/nonexistent-never-created' }, 'dist/src/worker.js');
    expect(await exitCode(worker.child)).toBe(1);
    expect(worker.output()).toMatch(/The worker needs DATABASE_URL/);
  });

  const withServer = process.env.DATABASE_URL ? it : it.skip;
  withServer('beats its heartbeat while healthy and exits 0 on SIGTERM', async () => {
    const database = await createTestDatabase();
    const temp = await mkdtemp(path.join(tmpdir(), 'finch-worker-'));
    let worker: Started | undefined;
    try {
      worker = startServer(
        {
          DATA_DIR: database.dataDir,
          DATABASE_URL: database.url,
          REDIS_URL: process.env.REDIS_URL,
          TMPDIR: temp,
          NODE_ENV: 'test',
        },
        'dist/src/worker.js',
      );
      const heartbeat = path.join(temp, 'finch-worker.heartbeat');
      let beat: Date | undefined;
      for (let attempt = 0; attempt < 100 && !beat; attempt++) {
        beat = await stat(heartbeat).then(
          (info) => info.mtime,
          () => undefined,
        );
        if (!beat) await sleep(100);
      }
      expect(beat).toBeDefined();
      expect(worker.output()).toMatch(/Worker is running/);
      worker.child.kill('SIGTERM');
      expect(await exitCode(worker.child)).toBe(0);
      expect(worker.output()).toMatch(/Stopped cleanly/);
    } finally {
      if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await rm(temp, { recursive: true, force: true });
      await database.drop();
    }
  });
});
