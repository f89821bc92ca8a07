import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EchoModule } from '#test/fixtures/echo.module.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const FRONTEND = 'https://www.example.com';
const EVIL = 'https://evil.example';

/** The parts of a comma-separated header, lower-cased, e.g. Access-Control-Allow-Headers. */
function listHeader(response: Response, name: string): string[] {
  return (response.headers.get(name) ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

function preflight(app: TestApp, origin: string): Promise<Response> {
  return fetch(`${app.baseUrl}/test/echo`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-request-id',
    },
  });
}

describe('security headers and CORS', () => {
  /** PUBLIC_URL http (the default), no CORS_ORIGINS. */
  let plain: TestApp;
  /** PUBLIC_URL https, one allowed frontend origin. */
  let secure: TestApp;

  beforeAll(async () => {
    plain = await startTestApp({}, { imports: [EchoModule] });
    secure = await startTestApp(
      { PUBLIC_URL: 'https://cms.example.com', CORS_ORIGINS: FRONTEND },
      { imports: [EchoModule] },
    );
  });
  afterAll(async () => {
    await plain?.close();
    await secure?.close();
  });

  describe.each([
    ['200', '/healthz', 200],
    ['404', '/no/such/page', 404],
    ['500', '/test/boom', 500],
  ])('a %s response', (_label, path, status) => {
    let response: Response;
    beforeAll(async () => {
      response = await fetch(`${plain.baseUrl}${path}`);
      await response.arrayBuffer();
    });

    it('has the expected status', () => {
      expect(response.status).toBe(status);
    });

    it("has a CSP with default-src 'self' and frame-ancestors 'none' (no framing, no clickjacking)", () => {
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = csp.split(';').map((directive) => directive.trim());
      expect(directives).toContain("default-src 'self'");
      expect(directives).toContain("frame-ancestors 'none'");
      expect(directives).toContain("object-src 'none'");
    });

    it('has X-Content-Type-Options: nosniff and a Referrer-Policy', () => {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    });

    it('has no HSTS while PUBLIC_URL is http', () => {
      expect(response.headers.get('strict-transport-security')).toBeNull();
    });
  });

  describe('with an https PUBLIC_URL', () => {
    it.each(['/healthz', '/no/such/page'])(
      '%s has HSTS for a year, subdomains included',
      async (path) => {
        const response = await fetch(`${secure.baseUrl}${path}`);
        await response.arrayBuffer();
        const hsts = response.headers.get('strict-transport-security') ?? '';
        const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
        expect(maxAge).toBeGreaterThanOrEqual(31_536_000);
        expect(hsts).toContain('includeSubDomains');
      },
    );

    it('asks browsers to upgrade insecure requests', async () => {
      const response = await fetch(`${secure.baseUrl}/healthz`);
      await response.arrayBuffer();
      expect(response.headers.get('content-security-policy')).toContain(
        'upgrade-insecure-requests',
      );
    });
  });

  describe('CORS without CORS_ORIGINS', () => {
    it('a cross-origin GET gets no Access-Control-Allow-Origin', async () => {
      const response = await fetch(`${plain.baseUrl}/healthz`, { headers: { origin: FRONTEND } });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('a preflight gets no Access-Control-Allow-* headers', async () => {
      const response = await preflight(plain, FRONTEND);
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-methods')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
    });
  });

  describe(`CORS with CORS_ORIGINS=${FRONTEND}`, () => {
    it('answers a preflight from that origin with the methods and headers it may use', async () => {
      const response = await preflight(secure, FRONTEND);
      await response.arrayBuffer();
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
      expect(listHeader(response, 'access-control-allow-methods')).toEqual(
        expect.arrayContaining(['get', 'post', 'put', 'patch', 'delete']),
      );
      expect(listHeader(response, 'access-control-allow-headers')).toEqual(
        expect.arrayContaining(['content-type', 'authorization', 'x-request-id']),
      );
      expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(listHeader(response, 'vary')).toContain('origin');
    });

    it('lets that origin read the response and its x-request-id', async () => {
      const response = await fetch(`${secure.baseUrl}/healthz`, { headers: { origin: FRONTEND } });
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
      expect(listHeader(response, 'access-control-expose-headers')).toContain('x-request-id');
      expect(listHeader(response, 'vary')).toContain('origin');
    });

    it('lets that origin read a problem response too', async () => {
      const response = await fetch(`${secure.baseUrl}/no/such/page`, {
        headers: { origin: FRONTEND },
      });
      await response.arrayBuffer();
      expect(response.status).toBe(404);
      expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    });

    it(`refuses ${EVIL}: no Access-Control-Allow-Origin on its preflight or its request`, async () => {
      const answer = await preflight(secure, EVIL);
      await answer.arrayBuffer();
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();

      const response = await fetch(`${secure.baseUrl}/healthz`, { headers: { origin: EVIL } });
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('does not allow an origin that only starts like the allowed one', async () => {
      const lookalike = `${FRONTEND}.evil.example`;
      const response = await fetch(`${secure.baseUrl}/healthz`, { headers: { origin: lookalike } });
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
