import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  instanceOf,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
} from '#src/http/problem-details.js';
import { problemFor } from '#src/http/problem-mapping.js';

const logger = new Logger('HTTP');

/** Answers `error` as RFC 9457 problem details; logs it first when it is unexpected. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, unexpected } = problemFor(error);
  const requestId = request.id;
  if (unexpected) {
    logger.error(
      { err: error, requestId, method: request.method, url: instanceOf(request.url) },
      'Unhandled error while answering a request',
    );
  }
  const body: ProblemDetails = { ...problem, instance: instanceOf(request.url), requestId };
  if (reply.sent) return;
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

/** The one place errors become responses (see DomainError). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
