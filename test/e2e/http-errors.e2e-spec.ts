import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BOOM_MESSAGE, ECHO_TITLE_MAX_LENGTH, EchoModule } from '#test/fixtures/echo.module.js';
import { expectProblem as expectAnyProblem, type Problem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The shared problem checks, plus what every answer of the HTTP layer owes: an `instance`
 * and a `requestId` matching the x-request-id header.
 */
async function expectProblem(response: Response, status: number): Promise<Problem> {
  const problem = await expectAnyProblem(response, status);
  expect(problem).toMatchObject({ instance: expect.any(String), requestId: expect.any(String) });
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(problem.requestId).toBe(response.headers.get('x-request-id'));
  return problem;
}

interface RawResponse {
  status: number;
  /** Lower-cased name → values, in order (a header may repeat). */
  headers: Map<string, string[]>;
  body: string;
}

/**
 * Writes `payload` as-is on a new TCP connection and reads one HTTP response: for requests
 * fetch() cannot send (broken framing, CR/LF in headers, garbage bytes).
 */
function rawRequest(port: number, payload: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within 5 s; got: ${received.toString('latin1')}`));
    }, 5_000);
    const finish = (response: RawResponse) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const tryParse = (ended: boolean) => {
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (ended) {
          clearTimeout(timer);
          reject(new Error(`connection closed without a response: ${received.toString('latin1')}`));
        }
        return;
      }
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string[]>();
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
      }
      const body = received.subarray(end + 4);
      const length = Number(headers.get('content-length')?.[0] ?? NaN);
      if (Number.isFinite(length) ? body.length >= length : ended) {
        finish({
          status: Number(statusLine.split(' ')[1]),
          headers,
          body: body.subarray(0, Number.isFinite(length) ? length : undefined).toString('utf8'),
        });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(payload);
  });
}

/** The checks of expectProblem for a response read off a raw socket. */
function expectRawProblem(response: RawResponse, status: number): Problem {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
  });
  expect(response.headers.get('content-type')?.[0]).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response.body) as Problem;
  expect(problem).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  return problem;
}

describe('HTTP errors are RFC 9457 problem details', () => {
  let app: TestApp;
  const postJson = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    app = await startTestApp(
      { BODY_LIMIT: '1kb', MAX_HEADER_SIZE: '4kb' },
      { imports: [EchoModule] },
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a valid request reaches the handler (so the refusals below are about the input)', async () => {
    const response = await postJson(JSON.stringify({ title: 'Hello', options: { priority: 3 } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      received: { title: 'Hello', options: { priority: 3 } },
    });
  });

  describe('routing', () => {
    it('an unknown route is a 404 naming the method and path, with the path as instance', async () => {
      const response = await fetch(`${app.baseUrl}/no/such/page?token=s3cr3t-query-token`);
      const problem = await expectProblem(response, 404);
      expect(problem).toMatchObject({
        type: 'about:blank',
        title: 'Not Found',
        instance: '/no/such/page',
      });
      expect(problem.detail).toContain('GET /no/such/page');
    });

    it('a 404 does not repeat the query string, which may hold tokens', async () => {
      const response = await fetch(`${app.baseUrl}/no/such/page?token=s3cr3t-query-token`);
      const text = await response.text();
      expect(response.status).toBe(404);
      expect(text).not.toContain('s3cr3t-query-token');
    });

    it('a known path with the wrong method is a problem response naming the method', async () => {
      const response = await fetch(`${app.baseUrl}/test/echo`, { method: 'DELETE' });
      // 404 today (Fastify's router); 405 with an Allow header would be fine too.
      expect([404, 405]).toContain(response.status);
      const problem = await expectProblem(response, response.status);
      expect(problem.detail).toContain('DELETE /test/echo');
    });
  });

  describe('request bodies', () => {
    it('malformed JSON is a 400 that echoes nothing of the body', async () => {
      const response = await postJson('{"title": "<script>leaked-marker</script>" oops');
      const problem = await expectProblem(response, 400);
      expect(problem.detail).toMatch(/^The request body is not valid JSON/);
      expect(JSON.stringify(problem)).not.toContain('leaked-marker');
      expect(JSON.stringify(problem)).not.toContain('<script>');
    });

    it('a body over BODY_LIMIT is a 413 that says which setting limits it', async () => {
      const response = await postJson(JSON.stringify({ title: 'x'.repeat(2_000) }));
      const problem = await expectProblem(response, 413);
      expect(problem.title).toBe('Payload Too Large');
      expect(problem.detail).toContain('BODY_LIMIT');
    });

    it('a chunked body that grows past BODY_LIMIT is a 413 as well', async () => {
      const chunk = JSON.stringify({ title: 'y'.repeat(1_500) });
      const response = await rawRequest(
        app.port,
        'POST /test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
      );
      expectRawProblem(response, 413);
    });

    it('an XML body is a 415 that says to send JSON', async () => {
      const response = await fetch(`${app.baseUrl}/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<echo><title>Hello</title></echo>',
      });
      const problem = await expectProblem(response, 415);
      expect(problem.title).toBe('Unsupported Media Type');
      expect(problem.detail).toContain('application/json');
    });

    it('a text/plain body to a JSON route is a 415, not a confusing validation error', async () => {
      const response = await fetch(`${app.baseUrl}/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'title=Hello',
      });
      const problem = await expectProblem(response, 415);
      expect(problem.detail).toContain('application/json');
    });

    it('an empty body that claims to be JSON is a 400 that says so', async () => {
      const response = await postJson('');
      const problem = await expectProblem(response, 400);
      expect(problem.detail).toContain('The request body is empty');
    });

    it('a POST without any body is a 400 naming the required field', async () => {
      const response = await fetch(`${app.baseUrl}/test/echo`, {
        method: 'POST',
      });
      const problem = await expectProblem(response, 400);
      expect(problem.errors?.map((error) => error.path)).toContain('title');
    });
  });

  describe('validation', () => {
    it('names every invalid field in errors, including a nested path', async () => {
      const response = await postJson(JSON.stringify({ title: 42, options: { priority: 'high' } }));
      const problem = await expectProblem(response, 400);
      expect(problem.type).toBe('urn:finch:problem:validation');
      expect(problem.title).toBe('The request is not valid');
      const paths = problem.errors?.map((error) => error.path);
      expect(paths).toContain('title');
      expect(paths).toContain('options.priority');
      for (const error of problem.errors ?? []) {
        expect(error).toEqual({
          path: expect.any(String),
          message: expect.any(String),
        });
      }
      expect(problem.detail).toContain('see errors');
    });

    it('says what is wrong with a field, e.g. a title over its maximum length', async () => {
      const response = await postJson(
        JSON.stringify({ title: 'x'.repeat(ECHO_TITLE_MAX_LENGTH + 1) }),
      );
      const problem = await expectProblem(response, 400);
      expect(problem.errors).toEqual([
        {
          path: 'title',
          message: `title must be shorter than or equal to ${ECHO_TITLE_MAX_LENGTH} characters`,
        },
      ]);
    });

    it('reports a missing required field', async () => {
      const problem = await expectProblem(await postJson('{}'), 400);
      expect(problem.errors?.map((error) => error.path)).toContain('title');
    });

    it('refuses a nested value that is not an object', async () => {
      const problem = await expectProblem(
        await postJson(JSON.stringify({ title: 'Hi', options: 'high' })),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toContain('options');
    });

    it('refuses unknown properties (no mass assignment) and names them', async () => {
      const problem = await expectProblem(
        await postJson(JSON.stringify({ title: 'Hi', isSuperuser: true })),
        400,
      );
      expect(problem.errors).toEqual([
        {
          path: 'isSuperuser',
          message: 'property isSuperuser should not exist',
        },
      ]);
    });

    it('refuses unknown properties inside a nested object, naming the nested path', async () => {
      const problem = await expectProblem(
        await postJson(JSON.stringify({ title: 'Hi', options: { priority: 1, ownerId: 7 } })),
        400,
      );
      expect(problem.errors).toEqual([
        {
          path: 'options.ownerId',
          message: 'property ownerId should not exist',
        },
      ]);
    });

    it('refuses a JSON array where an object is expected', async () => {
      const problem = await expectProblem(await postJson('[{"title":"Hi"}]'), 400);
      expect(problem.status).toBe(400);
    });
  });

  describe('unexpected errors', () => {
    it('a bug in a handler is a 500 with no stack and no internal message', async () => {
      const response = await fetch(`${app.baseUrl}/test/boom`);
      const problem = await expectProblem(response, 500);
      expect(problem.title).toBe('Internal Server Error');
      expect(problem.instance).toBe('/test/boom');
      const text = JSON.stringify(problem);
      expect(text).not.toContain(BOOM_MESSAGE);
      expect(text).not.toContain('echo.module');
      expect(Object.keys(problem).sort()).toEqual(
        ['detail', 'instance', 'requestId', 'status', 'title', 'type'].sort(),
      );
    });
  });

  describe('requests Node refuses before routing', () => {
    it('headers over MAX_HEADER_SIZE are a 431 problem, and the connection is closed', async () => {
      const response = await rawRequest(
        app.port,
        `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(8 * 1024)}\r\n\r\n`,
      );
      const problem = expectRawProblem(response, 431);
      expect(problem.detail).toContain('MAX_HEADER_SIZE');
      expect(response.headers.get('connection')).toEqual(['close']);
    });

    it('fetch() with an 8 KB header gets the 431 too', async () => {
      const response = await fetch(`${app.baseUrl}/healthz`, {
        headers: { 'x-padding': 'a'.repeat(8 * 1024) },
      });
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 431 });
    });

    it('garbage bytes on the socket are a 400 problem', async () => {
      const response = await rawRequest(
        app.port,
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a]),
      );
      const problem = expectRawProblem(response, 400);
      expect(problem.detail).toContain('could not be parsed as HTTP');
    });

    it('a header line with a bare CR is a 400 problem, not a split header', async () => {
      const response = await rawRequest(
        app.port,
        'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: abc\rSet-Cookie: injected=1\r\n\r\n',
      );
      expectRawProblem(response, 400);
      expect(response.headers.has('set-cookie')).toBe(false);
    });

    it('problems answered before routing still carry a requestId matching x-request-id', async () => {
      const response = await rawRequest(
        app.port,
        `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(8 * 1024)}\r\n\r\n`,
      );
      const problem = expectRawProblem(response, 431);
      expect(problem.requestId).toMatch(UUID);
      expect(response.headers.get('x-request-id')).toEqual([problem.requestId]);
    });
  });

  describe('x-request-id', () => {
    it('echoes a safe client-supplied id in the header and the problem', async () => {
      const id = 'edge-7f3a.b2:c_9-0';
      const response = await fetch(`${app.baseUrl}/no/such/page`, {
        headers: { 'x-request-id': id },
      });
      const problem = await expectProblem(response, 404);
      expect(response.headers.get('x-request-id')).toBe(id);
      expect(problem.requestId).toBe(id);
    });

    it('echoes a safe id on a successful response too', async () => {
      const response = await fetch(`${app.baseUrl}/healthz`, {
        headers: { 'x-request-id': 'lb-1234' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('lb-1234');
    });

    it('generates a UUID when the client sends none', async () => {
      const response = await fetch(`${app.baseUrl}/healthz`);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    });

    it.each([
      ['spaces', 'id with spaces'],
      ['HTML', '<script>alert(1)</script>'],
      ['500 characters', 'a'.repeat(500)],
      ['a comma-joined pair', 'one, two'],
    ])('replaces a hostile id (%s) with a generated UUID', async (_what, id) => {
      const response = await fetch(`${app.baseUrl}/no/such/page`, {
        headers: { 'x-request-id': id },
      });
      const problem = await expectProblem(response, 404);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      expect(problem.requestId).toBe(response.headers.get('x-request-id'));
      expect(JSON.stringify(problem)).not.toContain(id);
    });

    it('replaces an id sent twice (joined by Node into one value) with a UUID', async () => {
      const response = await rawRequest(
        app.port,
        'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: first\r\nX-Request-Id: second\r\nConnection: close\r\n\r\n',
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')?.[0]).toMatch(UUID);
    });

    it('a CRLF attempt in the id (a folded header line) is refused and adds no response header', async () => {
      const response = await rawRequest(
        app.port,
        'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: abc\r\n Set-Cookie: injected=1\r\nConnection: close\r\n\r\n',
      );
      expectRawProblem(response, 400);
      expect(response.headers.has('set-cookie')).toBe(false);
      expect(response.body).not.toContain('injected');
    });

    it('a percent-encoded CRLF in the id is not decoded into the response', async () => {
      const response = await rawRequest(
        app.port,
        'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: abc%0d%0aSet-Cookie:%20injected=1\r\nConnection: close\r\n\r\n',
      );
      expect(response.status).toBe(200);
      expect(response.headers.has('set-cookie')).toBe(false);
      expect(response.headers.get('x-request-id')?.[0]).toMatch(UUID);
    });
  });
});
