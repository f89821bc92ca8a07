import { HttpException } from '@nestjs/common';
import { DomainError } from '#src/errors/domain-error.js';
import { httpProblem, problemType, type ProblemDetails } from '#src/http/problem-details.js';

/** Fastify's own error codes that are the client's fault, with what to tell the client. */
const FASTIFY_CLIENT_ERRORS: Record<string, (error: FastifyLikeError) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    'The request body is larger than this server accepts. Send less data, or ask the operator to raise BODY_LIMIT.',
  FST_ERR_CTP_INVALID_JSON_BODY: (error) =>
    `The request body is not valid JSON (${error.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'\s*/, '') || 'syntax error'}).`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    'The request body is empty but its Content-Type says JSON. Send a JSON document, or leave out the Content-Type header.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    'This endpoint does not accept that Content-Type. Send application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    'The Content-Length header does not match the body that was sent.',
  FST_ERR_CTP_INVALID_TYPE: () => 'The Content-Type header is not valid.',
  FST_ERR_BAD_URL: () => 'The request URL is malformed.',
  FST_ERR_ASYNC_CONSTRAINT: () => 'The request could not be routed.',
};

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
}

function isFastifyLikeError(error: unknown): error is FastifyLikeError {
  return (
    error instanceof Error &&
    (typeof (error as FastifyLikeError).code === 'string' ||
      typeof (error as FastifyLikeError).statusCode === 'number')
  );
}

function isFastifyError(error: unknown): error is FastifyLikeError {
  return isFastifyLikeError(error) && (error.code?.startsWith('FST_') ?? false);
}

export interface MappedProblem {
  problem: ProblemDetails;
  /** Unexpected: log it with its stack; the client gets no detail. */
  unexpected: boolean;
}

/** Turns anything thrown while handling a request into problem details. */
export function problemFor(thrown: unknown): MappedProblem {
  // Nest wraps Fastify's own 4xx errors (body parsing, limits) in an HttpException; other
  // causes (a database error behind a ConflictException) keep the exception's status.
  const error =
    thrown instanceof HttpException && isFastifyError(thrown.cause) ? thrown.cause : thrown;
  if (error instanceof DomainError) {
    return {
      problem: {
        type: problemType(error.slug),
        title: error.title,
        status: error.status,
        detail: error.detail,
        ...(error.errors ? { errors: error.errors } : {}),
      },
      unexpected: false,
    };
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    let detail: string | undefined;
    if (typeof response === 'string') detail = response;
    else if (typeof response === 'object' && response !== null) {
      const message = (response as { message?: unknown }).message;
      if (typeof message === 'string') detail = message;
      else if (Array.isArray(message)) detail = message.map(String).join('; ');
    }
    if (status === 404 && detail?.startsWith('Cannot ')) {
      // Never the query string: it may hold tokens.
      const target = detail.slice('Cannot '.length).split('?')[0];
      detail = `There is nothing at ${target}. Check the method and the path.`;
    }
    return { problem: httpProblem(status, detail), unexpected: status >= 500 };
  }

  if (isFastifyError(error)) {
    const explain = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return {
        problem: httpProblem(status, explain ? explain(error) : error.message),
        unexpected: false,
      };
    }
  }

  return {
    problem: httpProblem(
      500,
      'Something went wrong on our side. It has been logged; if it keeps happening, report it with the requestId of this response.',
    ),
    unexpected: true,
  };
}
