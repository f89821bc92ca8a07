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
  if (!original || original instanceof GraphQLError) return error;
  // Mercurius' own request errors (a bad body, a failed hook) carry a status of their own.
  const { code } = original as Error & { code?: unknown };
  if (typeof code === 'string' && code.startsWith('MER_ERR_')) return error;
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
  // A coercion error before execution (a variable of the wrong type) has no path.
  if (!error.path) return error;
  logger.error(
    `GraphQL resolver failed at ${error.path.join('.')} (request ${requestId}): ${original.stack ?? original.message}`,
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
