/**
 * Errors as HTTP answers, in one place: a request for something the store does not hold is a 404,
 * a bad query parameter a 400, anything else a 500 whose body names the failure but never carries
 * a stack trace. Query parameters are read and checked here too.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorJson, httpStatusOf, type ErrorCode } from '../../error-codes.js';
import { MlTrackingError } from '../../errors.js';
import type { ErrorResponse } from '../api.js';

/** An answer other than 200 that a route decides on. */
export class HttpError extends MlTrackingError {
  override name = 'HttpError' as const;
  constructor(
    readonly status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
  ) {
    super(message, { code });
  }
}

/** A 404 naming what was asked for. */
export const notFound = (what: string): HttpError =>
  new HttpError(404, 'ERR_NOT_FOUND', `${what} is not in this store.`);

/**
 * The status and body for an error thrown by a route: the body is `errorJson(error)`, what the
 * CLI prints with `--json`, and the status is the error code's (`ERROR_CODES`), e.g. 404 for
 * `ERR_NOT_FOUND` and 422 for `ERR_CORRUPT_FILE` (the server is fine and so is the request: the
 * stored object cannot be read).
 */
export function errorAnswer(error: unknown): { status: ContentfulStatusCode; body: ErrorResponse } {
  if (error instanceof HttpError) return { status: error.status, body: errorJson(error) };
  if (error instanceof MlTrackingError)
    return { status: httpStatusOf(error), body: errorJson(error) };
  // A foreign error's message may be a dump of internals: the terminal gets it, not the page.
  return {
    status: httpStatusOf(error),
    body: {
      error: {
        code: 'ERR_INTERNAL',
        message: 'The dashboard failed to answer; the terminal running ml-tracking ui says why.',
      },
    },
  };
}

/** A non-negative integer query parameter, `fallback` when absent, at most `max`. */
export function integerParam(c: Context, name: string, fallback: number, max: number): number {
  const text = c.req.query(name);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new HttpError(
      400,
      'ERR_VALIDATION',
      `Query parameter ${name} is "${text}": pass an integer from 0 to ${max}.`,
    );
  }
  return value;
}

/** One of `allowed`, `fallback` when absent. */
export function choiceParam<T extends string>(
  c: Context,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const text = c.req.query(name);
  if (text === undefined || text === '') return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new HttpError(
      400,
      'ERR_VALIDATION',
      `Query parameter ${name} is "${text}": pass one of ${allowed.join(', ')}.`,
    );
  }
  return text as T;
}

/** A comma-separated list parameter, without empty items. */
export const listParam = (c: Context, name: string): string[] =>
  (c.req.query(name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** ISO text of a date, `null` for none. */
export const isoOrNull = (date: Date | undefined): string | null => date?.toISOString() ?? null;
