import type { Logger } from '@nestjs/common';
import { GraphQLError, type ExecutionResult } from 'graphql';
import mercurius from 'mercurius';
import { DomainError } from '#src/errors/domain-error.js';
import { problemType } from '#src/http/problem-details.js';

/** `invalid-parameter` → `INVALID_PARAMETER`: GraphQL's convention for `extensions.code`. */
function codeOf(slug: string): string {
  return slug.toUpperCase().replace(/-/g, '_');
}

/**
 * What a caller may see of an error. Finch's own errors (DomainError) keep their detail,
 * with the problem type, status and field errors as extensions; GraphQL's errors (syntax,
 * validation, argument types, limits) are kept as they are; anything else — a database or
 * programming error — becomes "internal error" with the request id, and is logged whole.
 * SQL and stack traces never reach the response.
 */
export function safeError(error: GraphQLError, logger: Logger, requestId: string): GraphQLError {
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) return withCode(error);
  // Mercurius' and Fastify's own request errors (a bad body, a refused method).
  const { code, statusCode } = original as Error & { code?: unknown; statusCode?: unknown };
  if (
    typeof code === 'string' &&
    /^(MER|FST)_ERR_/.test(code) &&
    (typeof statusCode !== 'number' || statusCode < 500)
  ) {
    // Mercurius' formatter answers a validation failure with the errors it carries.
    const carried = (original as Error & { errors?: unknown }).errors;
    if (Array.isArray(carried)) {
      (original as Error & { errors: unknown[] }).errors = carried.map((each: unknown) =>
        each instanceof GraphQLError ? withCode(each) : each,
      );
    }
    return withCode(error);
  }
  if (original instanceof DomainError) {
    return new GraphQLError(original.detail, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: {
        code: codeOf(original.slug),
        status: original.status,
        type: problemType(original.slug),
        ...(original.errors ? { errors: original.errors } : {}),
      },
    });
  }
  // A variable's value refused by a scalar: graphql reports it at the variable's definition.
  if (!error.path && error.nodes?.length && original instanceof TypeError) return withCode(error);
  logger.error(
    `GraphQL request failed${error.path ? ` at ${error.path.join('.')}` : ''} (request ${requestId}): ${original.stack ?? original.message}`,
  );
  return new GraphQLError(
    `Internal error. The server log has the details under request id ${requestId}.`,
    {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    },
  );
}

/**
 * GraphQL's own errors carry no code: a syntax error gets `GRAPHQL_PARSE_FAILED`, any other
 * refusal before execution (an unknown field, a wrong argument type) `GRAPHQL_VALIDATION_FAILED`.
 */
function withCode(error: GraphQLError): GraphQLError {
  if (error.extensions.code !== undefined || error.path) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: {
      ...error.extensions,
      code: error.message.startsWith('Syntax Error')
        ? 'GRAPHQL_PARSE_FAILED'
        : 'GRAPHQL_VALIDATION_FAILED',
    },
  });
}

/** Mercurius' `errorFormatter`: its own, after every error went through `safeError`. */
export function errorFormatterFor(logger: Logger) {
  return (
    execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>,
    context: { reply?: { request?: { id?: string } } },
  ) => {
    const requestId = context.reply?.request?.id ?? 'unknown';
    return mercurius.defaultErrorFormatter(
      {
        ...execution,
        errors: execution.errors.map((error) => safeError(error, logger, requestId)),
      },
      context as Parameters<typeof mercurius.defaultErrorFormatter>[1],
    );
  };
}
