import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ReadinessReport } from '#src/health/readiness.service.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

/** Nothing listens on port 1 of loopback: connections are refused at once. */
const REDIS_PASSWORD = 'readyz-must-not-show-this';
const UNREACHABLE_REDIS = `redis://:${REDIS_PASSWORD}@127.0.0.1:1`;

describe('readiness when the queue backend is down', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ REDIS_URL: UNREACHABLE_REDIS });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GET /readyz is 503 "not ready" and says the queue check failed and what to do', async () => {
    const response = await fetch(`${app.baseUrl}/readyz`);
    const report = (await response.json()) as ReadinessReport;
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(report.status).toBe('not ready');
    expect(report.checks.queue).toMatchObject({ status: 'down', error: expect.any(String) });
    expect(report.checks.queue.error).toContain('REDIS_URL');
    expect(report.checks.queue.error).toMatch(/Check that Redis is running/);
  });

  it('GET /readyz still shows the database and migrations as up, so the failing check is clear', async () => {
    const response = await fetch(`${app.baseUrl}/readyz`);
    const report = (await response.json()) as ReadinessReport;
    expect(report.checks.database.status).toBe('up');
    expect(report.checks.database.error).toBeUndefined();
    expect(report.checks.migrations.status).toBe('up');
  });

  it('GET /readyz answers quickly and keeps saying "down" on repeated probes', async () => {
    for (let probe = 0; probe < 3; probe += 1) {
      const started = performance.now();
      const response = await fetch(`${app.baseUrl}/readyz`);
      const report = (await response.json()) as ReadinessReport;
      expect(response.status).toBe(503);
      expect(report.checks.queue.status).toBe('down');
      expect(performance.now() - started).toBeLessThan(3_500);
    }
  });

  it('GET /readyz, a public endpoint, never shows the Redis password', async () => {
    const text = await (await fetch(`${app.baseUrl}/readyz`)).text();
    expect(text).not.toContain(REDIS_PASSWORD);
  });

  it('GET /healthz stays 200: the process is alive, only not ready', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});
