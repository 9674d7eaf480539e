/**
 * How the GCS client's failures are read: the HTTP status wherever the client puts it, which
 * failures are worth another attempt (and which cannot have reached the server), and the typed
 * error a caller gets once retries are over.
 */
import { NotFoundError, StoreError } from '../../errors.js';
import { RetriesExhausted } from '../_retry.js';

/** The HTTP status of a client error: `ApiError.code` or `GaxiosError.response.status`. */
export function statusOf(error: unknown): number | undefined {
  const candidate = error as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const value of [candidate.code, candidate.response?.status, candidate.status]) {
    if (typeof value === 'number') return value;
  }
  return undefined;
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** Refused before anything was sent: such a request cannot have landed. */
export function isRefused(error: unknown): boolean {
  return (
    (error as { code?: unknown }).code === 'ECONNREFUSED' ||
    (error instanceof Error ? error.message : '').includes('ECONNREFUSED')
  );
}

/** Worth another attempt: throttling, server errors, dropped connections. */
export function isTransient(error: unknown, attempt = 1): boolean {
  const status = statusOf(error);
  if (status !== undefined)
    return status === 408 || status === 429 || (status >= 500 && status !== 501);
  // A refused connection is a server that is not there (a wrong emulator port, no network):
  // one more try covers a restart, twelve only make the user wait.
  if (isRefused(error)) return attempt < 2;
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) ||
    /socket hang up|ECONNRESET|network/i.test(error instanceof Error ? error.message : '')
  );
}

/** The last failure of an operation as a typed error that names the operation, path and store. */
export function toStoreError(
  error: unknown,
  context: { operation: string; store: string; path: string },
): StoreError {
  const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
  const last = error instanceof RetriesExhausted ? error.cause : error;
  const status = statusOf(last);
  if (last instanceof StoreError) return last;
  if (status === 404) return new NotFoundError({ ...context, cause: last });
  const reason = status === undefined ? describe(last) : `HTTP ${status}: ${describe(last)}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const hint =
    status === 401 || status === 403
      ? ' Check the credentials (Application Default Credentials) and the bucket permissions.'
      : ' Check the network and the bucket, then try again.';
  return new StoreError(
    `Cannot ${context.operation} ${context.path} in ${context.store}${tries} (${reason}).${hint}`,
    { ...context, cause: last },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
