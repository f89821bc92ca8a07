import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  GraphQLError,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  graphql,
  parse,
  validate,
} from 'graphql';
import {
  DeliveryParameterError,
  DraftAccessRequiredError,
  PreviewTokenInvalidError,
} from '#src/delivery/delivery.errors.js';
import { DateScalar } from '#src/graphql/content-schema.js';
import { errorFormatterFor, safeError } from '#src/graphql/graphql-errors.js';

/** What PostgreSQL says about a bad statement: the SQL is in the message, a code beside it. */
function databaseError(): Error {
  return Object.assign(
    new Error('column "nope" does not exist: SELECT p.id, p.nope FROM pages p WHERE p.live'),
    { code: '42703', severity: 'ERROR', routine: 'errorMissingColumn' },
  );
}

/** What each resolver of the test schema throws. */
let thrown: () => Error;

const Author = new GraphQLObjectType({
  name: 'Author',
  fields: {
    name: {
      type: GraphQLString,
      resolve: () => {
        throw thrown();
      },
    },
  },
});

const Post = new GraphQLObjectType({
  name: 'Post',
  fields: { author: { type: Author, resolve: () => ({}) } },
});

/** A tiny schema whose resolvers fail as Finch's can: errors arrive located, with a path. */
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      posts: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Post))),
        resolve: () => [{}],
      },
      failing: {
        type: GraphQLString,
        resolve: () => {
          throw thrown();
        },
      },
      byDate: { type: GraphQLString, args: { date: { type: DateScalar } } },
    },
  }),
});

/** The errors graphql-js reports for `source`, as Mercurius hands them to the formatter. */
async function errorsOf(source: string, variableValues?: Record<string, unknown>) {
  const result = await graphql({ schema, source, variableValues });
  return result.errors ?? [];
}

/** Kept: the same message and place, with a code when GraphQL gave it none. */
function expectKept(safe: GraphQLError, error: GraphQLError, code?: string): void {
  expect(safe.message).toBe(error.message);
  expect(safe.locations).toEqual(error.locations);
  expect(safe.extensions.code).toBe(code ?? error.extensions.code);
}

async function oneErrorOf(source: string, variableValues?: Record<string, unknown>) {
  const errors = await errorsOf(source, variableValues);
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('safeError', () => {
  let logger: Logger;
  let logged: jest.SpiedFunction<Logger['error']>;

  beforeEach(() => {
    logger = new Logger('GraphQL');
    logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    thrown = databaseError;
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('keeps what GraphQL itself reports: it is about the query, and says how to fix it', () => {
    it('keeps validation errors as they are', () => {
      const [error] = validate(schema, parse('{ posts { title } }'));
      expectKept(safeError(error, logger, 'req-1'), error, 'GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toBe('Cannot query field "title" on type "Post".');
      expect(logged).not.toHaveBeenCalled();
    });

    it('keeps syntax errors as they are', async () => {
      const error = await oneErrorOf('{ posts { ');
      expectKept(safeError(error, logger, 'req-1'), error, 'GRAPHQL_PARSE_FAILED');
      expect(error.message).toMatch(/^Syntax Error/);
    });

    it('keeps a variable that fails its scalar, whose TypeError graphql wraps with the variable', async () => {
      const error = await oneErrorOf('query ($d: Date) { byDate(date: $d) }', { d: '31/01/2026' });
      expect(error.originalError).toBeInstanceOf(GraphQLError);
      expect((error.originalError as GraphQLError).originalError).toBeInstanceOf(TypeError);
      expect(error.path).toBeUndefined();
      const safe = safeError(error, logger, 'req-1');
      expectKept(safe, error, 'GRAPHQL_VALIDATION_FAILED');
      expect(safe.message).toBe(
        'Variable "$d" got invalid value "31/01/2026"; Expected type "Date". Date expects a string such as 2026-01-31.',
      );
      expect(logged).not.toHaveBeenCalled();
    });

    it('keeps a GraphQLError a resolver or hook threw on purpose (a limit refusal)', async () => {
      thrown = () =>
        new GraphQLError('Query cost 9000 exceeds the maximum of 5000', {
          extensions: { code: 'QUERY_TOO_COSTLY', limit: 5000, actual: 9000 },
        });
      const error = await oneErrorOf('{ failing }');
      const safe = safeError(error, logger, 'req-1');
      expect(safe.message).toBe('Query cost 9000 exceeds the maximum of 5000');
      expect(safe.extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 5000, actual: 9000 });
    });

    it("keeps Mercurius' own request errors (MER_ERR_*), which carry their HTTP status", () => {
      const original = Object.assign(new Error('Unknown query'), {
        code: 'MER_ERR_GQL_VALIDATION',
        statusCode: 400,
      });
      const error = new GraphQLError(original.message, { originalError: original });
      expectKept(safeError(error, logger, 'req-1'), error, 'GRAPHQL_VALIDATION_FAILED');
    });

    it("keeps Fastify's refusals of the request (bad JSON, wrong content type), 4xx with a message for the caller", () => {
      for (const original of [
        Object.assign(new Error('Unsupported Media Type'), {
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          statusCode: 415,
        }),
        Object.assign(new Error('body must be object'), {
          code: 'FST_ERR_VALIDATION',
          statusCode: 400,
        }),
      ]) {
        // What Mercurius' route error handler (toGraphQLError) hands to the formatter.
        const error = new GraphQLError(original.message, { originalError: original });
        expectKept(safeError(error, logger, 'req-1'), error, 'GRAPHQL_VALIDATION_FAILED');
      }
      expect(logged).not.toHaveBeenCalled();
    });
  });

  describe("maps Finch's domain errors to their detail and problem extensions", () => {
    it('gives a DomainError its detail, code, status, type and field errors, where it happened', async () => {
      thrown = () => new DeliveryParameterError('limit', 'expected an integer from 1 to 100');
      const error = await oneErrorOf('{\n  posts { author { name } }\n}');
      const safe = safeError(error, logger, 'req-1');
      expect(safe).toBeInstanceOf(GraphQLError);
      expect(safe.toJSON()).toEqual({
        message: 'limit: expected an integer from 1 to 100',
        locations: [{ line: 2, column: 20 }],
        path: ['posts', 0, 'author', 'name'],
        extensions: {
          code: 'INVALID_PARAMETER',
          status: 400,
          type: 'urn:finch:problem:invalid-parameter',
          errors: [{ path: 'limit', message: 'expected an integer from 1 to 100' }],
        },
      });
      expect(logged).not.toHaveBeenCalled();
    });

    it('leaves `errors` out when the domain error names no field, and turns every dash of the slug into _', async () => {
      thrown = () => new PreviewTokenInvalidError('The preview token has expired.');
      const expired = safeError(await oneErrorOf('{ failing }'), logger, 'req-1');
      expect(expired.message).toBe('The preview token has expired.');
      expect(expired.extensions).toEqual({
        code: 'PREVIEW_TOKEN_INVALID',
        status: 401,
        type: 'urn:finch:problem:preview-token-invalid',
      });

      thrown = () => new DraftAccessRequiredError();
      const required = safeError(await oneErrorOf('{ failing }'), logger, 'req-1');
      expect(required.extensions).toMatchObject({ code: 'DRAFT_ACCESS_REQUIRED', status: 401 });
    });
  });

  describe('hides anything else: database and programming errors', () => {
    it('replaces a database error (SQL in its message) by "Internal error" with the request id', async () => {
      const error = await oneErrorOf('{ posts { author { name } } }');
      const safe = safeError(error, logger, 'req-42');
      expect(safe.toJSON()).toEqual({
        message: 'Internal error. The server log has the details under request id req-42.',
        locations: [{ line: 1, column: 20 }],
        path: ['posts', 0, 'author', 'name'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' },
      });
      const json = JSON.stringify(safe.toJSON());
      expect(json).not.toMatch(/SELECT|FROM pages|nope|42703|\.ts:\d+|\.js:\d+/);
      // The pg error's own `code` ("42703") does not pass it off as one of Mercurius' errors.
      expect(safe.originalError).toBeUndefined();
    });

    it('logs the original whole, stack included, with where it happened and the request id', async () => {
      safeError(await oneErrorOf('{ posts { author { name } } }'), logger, 'req-42');
      expect(logged).toHaveBeenCalledTimes(1);
      const [line] = logged.mock.calls[0] as [string];
      expect(line).toMatch(
        /^GraphQL request failed at posts\.0\.author\.name \(request req-42\): /,
      );
      expect(line).toContain(
        'column "nope" does not exist: SELECT p.id, p.nope FROM pages p WHERE p.live',
      );
      expect(line).toMatch(/\n\s+at /);
    });

    it('replaces a programming error in a resolver the same way', async () => {
      thrown = () => new TypeError("Cannot read properties of undefined (reading 'path')");
      const safe = safeError(await oneErrorOf('{ failing }'), logger, 'req-7');
      expect(safe.message).toBe(
        'Internal error. The server log has the details under request id req-7.',
      );
      expect(safe.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-7' });
      expect(logged).toHaveBeenCalledTimes(1);
    });

    // Mercurius' route error handler (toGraphQLError) hands over errors raised outside
    // execution path-less: one thrown by the context factory (the bearer lookup when the
    // database fails) or by graphql's validation of a malformed JSON AST.
    it('replaces a database error raised outside execution (no path) by "Internal error"', () => {
      const original = databaseError();
      // What Mercurius' toGraphQLError makes of an error thrown by the context factory.
      const error = new GraphQLError(original.message, { originalError: original });
      const safe = safeError(error, logger, 'req-5');
      expect(safe.message).toBe(
        'Internal error. The server log has the details under request id req-5.',
      );
      expect(JSON.stringify(safe.toJSON())).not.toMatch(/SELECT|FROM pages/);
      expect(logged).toHaveBeenCalledTimes(1);
    });
  });
});

describe('errorFormatterFor', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const quietLog = { info: () => undefined };

  it("formats every error through safeError with the reply's request id", async () => {
    const logger = new Logger('GraphQL');
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    thrown = databaseError;
    const execution = await graphql({ schema, source: '{ posts { author { name } } failing }' });
    const errors = execution.errors ?? [];
    expect(errors).toHaveLength(2);
    const format = errorFormatterFor(logger);
    const { statusCode, response } = format({ ...execution, errors }, {
      reply: { request: { id: 'req-9' }, log: quietLog },
    } as never);
    expect(statusCode).toBe(200);
    expect(response.data).toEqual({ posts: [{ author: { name: null } }], failing: null });
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'Internal error. The server log has the details under request id req-9.',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-9' },
      }),
      expect.objectContaining({
        path: ['failing'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-9' },
      }),
    ]);
    expect(JSON.stringify(response)).not.toMatch(/SELECT|FROM pages/);
    expect(logged).toHaveBeenCalledTimes(2);
  });

  it('says "unknown" when the context has no reply to take the request id from', async () => {
    const logger = new Logger('GraphQL');
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    thrown = databaseError;
    const execution = await graphql({ schema, source: '{ failing }' });
    const { response } = errorFormatterFor(logger)(
      { ...execution, errors: execution.errors ?? [] },
      { app: { log: quietLog } } as never,
    );
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'Internal error. The server log has the details under request id unknown.',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'unknown' },
      }),
    ]);
  });
});
