import { afterAll, describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { errorCodes } from 'fastify';
import { DomainError, RequestValidationError } from '#src/errors/domain-error.js';
import { problemFor } from '#src/http/problem-mapping.js';

/** A feature's domain error, as features will write them. */
class PageLockedError extends DomainError {
  readonly slug = 'page-locked';
  readonly status = 423;
  readonly title = 'The page is locked';
}

/** Wraps `error` exactly as Nest's Fastify adapter does before exception filters see it. */
const adapter = new FastifyAdapter();
afterAll(async () => {
  await adapter.close();
});
function wrappedByNest(error: Error): unknown {
  return adapter.mapException(error);
}

describe('problemFor: domain errors', () => {
  it('maps a DomainError subclass to its slug, status, title and detail', () => {
    const { problem, unexpected } = problemFor(
      new PageLockedError('Ana is editing "About us". Ask her to unlock it, or wait.'),
    );
    expect(problem).toEqual({
      type: 'urn:finch:problem:page-locked',
      title: 'The page is locked',
      status: 423,
      detail: 'Ana is editing "About us". Ask her to unlock it, or wait.',
    });
    expect(unexpected).toBe(false);
  });

  it('carries the field errors of a RequestValidationError', () => {
    const errors = [
      { path: 'title', message: 'title must be a string' },
      { path: 'fields[3].type', message: 'unknown field type "colour"' },
    ];
    const { problem, unexpected } = problemFor(new RequestValidationError(errors));
    expect(problem).toEqual({
      type: 'urn:finch:problem:validation',
      title: 'The request is not valid',
      status: 400,
      detail: '2 fields are not valid: see errors for each one.',
      errors,
    });
    expect(unexpected).toBe(false);
  });
});

describe('problemFor: Nest HttpException', () => {
  it('keeps the status and message of a 4xx HttpException as about:blank problem', () => {
    const { problem, unexpected } = problemFor(new ConflictException('The slug "about" is taken.'));
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'The slug "about" is taken.',
    });
    expect(unexpected).toBe(false);
  });

  it('uses the default message of an HttpException thrown without one', () => {
    expect(problemFor(new ForbiddenException()).problem).toMatchObject({
      status: 403,
      title: 'Forbidden',
      detail: 'Forbidden',
    });
  });

  it('joins a list of messages into one detail', () => {
    const { problem } = problemFor(new BadRequestException(['title is empty', 'slug is taken']));
    expect(problem).toMatchObject({
      status: 400,
      detail: 'title is empty; slug is taken',
    });
  });

  it('keeps a custom status and string response', () => {
    expect(problemFor(new HttpException('Slow down.', 429)).problem).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Slow down.',
    });
  });

  it('turns Nest\'s "Cannot GET /x" into a sentence saying nothing is there', () => {
    const { problem } = problemFor(new NotFoundException('Cannot GET /nowhere'));
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'There is nothing at GET /nowhere. Check the method and the path.',
    });
  });

  it('marks a 5xx HttpException as unexpected so it is logged', () => {
    const { problem, unexpected } = problemFor(new ServiceUnavailableException());
    expect(problem.status).toBe(503);
    expect(unexpected).toBe(true);
  });

  it('keeps the status of an HttpException whose cause is a database error', () => {
    const uniqueViolation = Object.assign(
      new Error('duplicate key value violates unique constraint "pages_slug_key"'),
      { code: '23505' },
    );
    const { problem, unexpected } = problemFor(
      new ConflictException('The slug "about" is taken.', {
        cause: uniqueViolation,
      }),
    );
    expect(problem).toMatchObject({
      status: 409,
      detail: 'The slug "about" is taken.',
    });
    expect(unexpected).toBe(false);
  });
});

describe('problemFor: Fastify errors wrapped by Nest', () => {
  it('explains a body over BODY_LIMIT as 413 with a friendly detail', () => {
    const thrown = wrappedByNest(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    expect(thrown).toBeInstanceOf(HttpException);
    const { problem, unexpected } = problemFor(thrown);
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Payload Too Large',
      status: 413,
      detail:
        'The request body is larger than this server accepts. Send less data, or ask the operator to raise BODY_LIMIT.',
    });
    expect(unexpected).toBe(false);
  });

  it('maps a hand-built HttpException carrying FST_ERR_CTP_BODY_TOO_LARGE the same way', () => {
    const cause = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    const { problem } = problemFor(new HttpException(cause.message, 413, { cause }));
    expect(problem.status).toBe(413);
    expect(problem.detail).toContain('BODY_LIMIT');
  });

  it("explains invalid JSON without Fastify's wording", () => {
    const { problem } = problemFor(wrappedByNest(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY()));
    expect(problem.status).toBe(400);
    expect(problem.detail).toMatch(/^The request body is not valid JSON/);
    expect(problem.detail).not.toContain("content-type is set to 'application/json'");
  });

  it('explains an empty JSON body and an unsupported media type', () => {
    expect(
      problemFor(wrappedByNest(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY())).problem,
    ).toMatchObject({
      status: 400,
      detail: expect.stringContaining('The request body is empty'),
    });
    expect(
      problemFor(wrappedByNest(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('application/xml')))
        .problem,
    ).toMatchObject({
      status: 415,
      detail: expect.stringContaining('Send application/json'),
    });
  });
});

describe('problemFor: anything else', () => {
  it('turns an unknown Error into a 500 that leaks nothing and is marked unexpected', () => {
    const { problem, unexpected } = problemFor(
      new Error('connect ECONNREFUSED 10.0.0.7:5432 (password for finch_admin rejected)'),
    );
    expect(problem.status).toBe(500);
    expect(problem.title).toBe('Internal Server Error');
    expect(problem.type).toBe('about:blank');
    expect(problem.detail).toContain('requestId');
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|finch_admin|stack/);
    expect(unexpected).toBe(true);
  });

  it('treats an error with a code but no status (a driver error) as unexpected', () => {
    const driverError = Object.assign(new Error('relation "pages" does not exist'), {
      code: '42P01',
    });
    const { problem, unexpected } = problemFor(driverError);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('pages');
    expect(unexpected).toBe(true);
  });

  it('treats a Fastify 5xx error as unexpected, without its message', () => {
    const timeout = Object.assign(new Error('internal handler timed out'), {
      code: 'FST_ERR_HANDLER_TIMEOUT',
      statusCode: 503,
    });
    const { problem, unexpected } = problemFor(timeout);
    expect(problem.status).toBe(500);
    expect(problem.detail).not.toContain('timed out');
    expect(unexpected).toBe(true);
  });

  it('turns a thrown non-Error value into a 500', () => {
    const { problem, unexpected } = problemFor('a string, thrown');
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('a string, thrown');
    expect(unexpected).toBe(true);
  });
});
