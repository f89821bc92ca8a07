import type { FastifyReply, FastifyRequest } from 'fastify';
import { matchesEtag } from '#src/delivery/delivery-cache.js';
import type { DeliveryAnswer, DeliveryRequest } from '#src/delivery/delivery.service.js';
import type { RawQuery } from '#src/delivery/delivery-params.js';

export const PREVIEW_TOKEN_HEADER = 'x-preview-token';

/** The parts of a Fastify request the delivery API reads. */
export function deliveryRequestOf(request: FastifyRequest): DeliveryRequest {
  const header = request.headers[PREVIEW_TOKEN_HEADER];
  return {
    url: request.url,
    query: (request.query ?? {}) as RawQuery,
    host: request.headers.host,
    previewTokenHeader: Array.isArray(header) ? header[0] : header,
    principal: request.principal,
  };
}

/** Sends an answer: 304 when `If-None-Match` names its ETag, else the body or the redirect. */
export function sendDeliveryAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: DeliveryAnswer,
): FastifyReply {
  // A shared cache must not answer a preview request (same URL, token in a header) with
  // the public response it keeps.
  void reply
    .header('cache-control', answer.cacheControl)
    .header('etag', answer.etag)
    .header('vary', 'X-Preview-Token');
  if (answer.status === 200 && matchesEtag(request.headers['if-none-match'], answer.etag)) {
    return reply.code(304).send();
  }
  if (answer.location !== undefined) {
    return reply.code(answer.status).header('location', answer.location).send();
  }
  return reply
    .code(answer.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(answer.body);
}
