import { STATUS_CODES } from 'node:http';
import type { FieldError } from '#src/errors/domain-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** RFC 9457 problem details, with Finch's `errors` list for field-level validation. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemType(slug: string): string {
  return `urn:finch:problem:${slug}`;
}

/** A problem that is nothing more than its HTTP status: `type` is `about:blank` (RFC 9457 §4.2.1). */
export function httpProblem(status: number, detail?: string): ProblemDetails {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
  };
}

/** The path of the request, as `instance`: never the query string, which may hold tokens. */
export function instanceOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.split('?')[0];
  return path.length > 2048 ? `${path.slice(0, 2048)}…` : path;
}
