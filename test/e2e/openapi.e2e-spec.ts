import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMITTED_OPENAPI_FILE } from '#src/http/openapi.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

describe('the OpenAPI document', () => {
  let app: TestApp;
  let served: string;

  beforeAll(async () => {
    app = await startTestApp();
    const response = await fetch(`${app.baseUrl}/api/openapi.json`);
    expect(response.status).toBe(200);
    served = await response.text();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is served publicly as OpenAPI 3.1 and describes the REST API', () => {
    const document = JSON.parse(served) as OpenApiDocument;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/admin/users',
        '/api/admin/groups/{id}/permissions',
        '/api/setup/first-user',
        '/healthz',
      ]),
    );
    expect(document.paths['/api/auth/login']?.post).toMatchObject({
      requestBody: {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/LoginDto' } } },
      },
    });
    expect(Object.keys(document.components.schemas.LoginDto?.properties ?? {})).toEqual(
      expect.arrayContaining(['email', 'password']),
    );
  });

  it('equals the committed docs/openapi.json', () => {
    const committed = readFileSync(COMMITTED_OPENAPI_FILE, 'utf8');
    if (served !== committed) {
      throw new Error(
        'docs/openapi.json differs from the document the code describes. Run `npm run openapi` and commit the result.',
      );
    }
  });

  it('is sent with the strict Content-Security-Policy', async () => {
    const response = await fetch(`${app.baseUrl}/api/openapi.json`);
    const policy = response.headers.get('content-security-policy');
    expect(policy).toContain("style-src 'self';");
    expect(policy).toContain("script-src 'self';");
  });

  it('is browsable in Swagger UI at /api/docs outside production, with inline styles allowed there only', async () => {
    const page = await fetch(`${app.baseUrl}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui-init.js');
    const policy = page.headers.get('content-security-policy');
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("script-src 'self';");

    const bundle = await fetch(`${app.baseUrl}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
    const init = await fetch(`${app.baseUrl}/api/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    await init.arrayBuffer();

    const elsewhere = await fetch(`${app.baseUrl}/healthz`);
    await elsewhere.arrayBuffer();
    expect(elsewhere.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});
