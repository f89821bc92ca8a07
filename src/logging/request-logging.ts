import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { REQUEST_ID_HEADER } from '#src/logging/request-id.js';
import { requestContext } from '#src/logging/request-context.js';

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * One line per request, at the level its outcome deserves, and the request id in
 * context (and in the `x-request-id` response header) for everything logged meanwhile.
 */
export function installRequestLogging(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    requestContext.run({ requestId: request.id }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const url = request.url.split('?')[0];
    // Orchestrators probe every few seconds: successful probes would drown the log.
    const probe = PROBE_PATHS.has(url) && status < 400;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : probe ? 'debug' : 'info';
    logger[level](
      {
        requestId: request.id,
        method: request.method,
        url,
        statusCode: status,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
    done();
  });
}
