import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import cookie from '@fastify/cookie';
import helmet, { type HelmetOptions } from 'helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import type { AppConfig } from '#src/config/app-config.js';
import { httpProblem } from '#src/http/problem-details.js';
import { sendProblem } from '#src/http/problem-details.filter.js';
import { REQUEST_ID_HEADER, requestIdFor } from '#src/logging/request-id.js';

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large,
 * garbage on the wire) still get a problem response with a request id, and a log line,
 * then the connection is closed.
 */
function clientErrorAnswerer(logger: PinoLogger) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const detail =
      status === 431
        ? 'The request headers are larger than this server accepts (MAX_HEADER_SIZE). Send fewer or smaller headers.'
        : 'The request could not be parsed as HTTP.';
    const requestId = randomUUID();
    logger.warn(
      { requestId, code: error.code, statusCode: status, remoteAddress: socket.remoteAddress },
      'request refused before routing',
    );
    const body = JSON.stringify({ ...httpProblem(status, detail), requestId });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  };
}

export function createHttpAdapter(config: AppConfig, logger: PinoLogger): FastifyAdapter {
  return new FastifyAdapter({
    logger: false,
    genReqId: requestIdFor,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    http: { maxHeaderSize: config.maxHeaderSize },
    clientErrorHandler: clientErrorAnswerer(logger),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });
}

/**
 * The headers helmet sets with `options`, computed once: they depend on the configuration
 * only, and helmet's middleware (as @fastify/helmet runs it) would rebuild them on every
 * request. Helmet only calls `setHeader` and `removeHeader` on the response.
 */
export function securityHeadersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: Error | undefined;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error) failure = error instanceof Error ? error : new Error('helmet refused its options');
  });
  if (failure) throw failure;
  return headers;
}

/** Where GraphiQL's page fetches its scripts and styles from (see mercurius/static/main.js). */
const GRAPHIQL_ASSETS = 'https://unpkg.com';
/** Mercurius' routes (`/graphql`, `/graphiql` and its assets) answer errors in GraphQL's format. */
function isGraphqlRoute(url: string): boolean {
  return url === '/graphql' || url === '/graphiql' || url.startsWith('/graphiql/');
}

/** Security headers and CORS for every response. Errors are answered by ProblemDetailsFilter. */
export async function configureHttp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const secure = config.publicUrl.startsWith('https:');
  const directives = {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    ...(secure ? { upgradeInsecureRequests: [] } : {}),
  };
  const helmetOptions: HelmetOptions = {
    contentSecurityPolicy: { useDefaults: false, directives },
    hsts: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // Frontends on other origins embed Finch's images and files.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Agrees with frame-ancestors 'none' for browsers that only know X-Frame-Options.
    frameguard: { action: 'deny' },
  };
  const securityHeaders = securityHeadersOf(helmetOptions);
  // GraphiQL (development only, GRAPHIQL) loads React and GraphiQL from unpkg.com and has an
  // inline style: its pages alone may do so.
  const graphiqlHeaders = securityHeadersOf({
    ...helmetOptions,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        ...directives,
        scriptSrc: ["'self'", GRAPHIQL_ASSETS],
        styleSrc: ["'self'", "'unsafe-inline'", GRAPHIQL_ASSETS],
        fontSrc: ["'self'", 'data:', GRAPHIQL_ASSETS],
        connectSrc: ["'self'", GRAPHIQL_ASSETS],
        workerSrc: ["'self'"],
      },
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(
      config.graphql.graphiql && request.url.startsWith('/graphiql')
        ? graphiqlHeaders
        : securityHeaders,
    );
    done();
  });

  // Errors before a handler runs (a body that is not JSON, one over BODY_LIMIT) are answered
  // as problems by the route's own error handler. Nest installs its handler on the root, but
  // a route built before that (GraphQL's plugin loads the queue early) would keep Fastify's
  // default; GraphQL's routes answer in GraphQL's format instead.
  fastify.addHook('onRoute', (route) => {
    if (isGraphqlRoute(route.url)) return;
    route.errorHandler ??= (error, request, reply) => sendProblem(error, request, reply);
  });

  // Parses Cookie and adds reply.setCookie: the refresh token travels in a cookie (src/auth).
  await app.register(cookie);

  // JSON APIs only: a text/plain body (which browsers send cross-site without a preflight)
  // is refused with 415 instead of being parsed into a string.
  fastify.removeContentTypeParser('text/plain');

  // Once shutdown starts, responses still in flight close their connection: a keep-alive
  // client would otherwise hold the server open until its idle timeout.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'If-None-Match',
        'If-Match',
        'X-Preview-Token',
        REQUEST_ID_HEADER,
      ],
      exposedHeaders: ['ETag', 'Last-Modified', 'Location', REQUEST_ID_HEADER],
      maxAge: 600,
    });
  }
}
