/**
 * Reading the dashboard's JSON API. Every answer that is not 2xx becomes an {@link ApiError}
 * carrying the server's `{ error: { code, message } }` (`ErrorResponse` in api.ts), so pages can tell "not found" (a 404)
 * from everything else.
 */

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const isNotFound = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 404;

/** The server's `{ error: { code, message } }`, checked, since a proxy may answer instead. */
function errorOf(body: unknown): { code: string; message: string } | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const { error } = body;
  if (typeof error !== 'object' || error === null || !('message' in error)) return null;
  const code = 'code' in error ? error.code : 'unknown';
  return { code: String(code), message: String(error.message) };
}

/** GETs `path` (an `/api/…` URL) and returns its JSON body, typed by the caller. */
export async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, {
    headers: { accept: 'application/json' },
    signal: signal ?? null,
  });
  if (response.ok) return (await response.json()) as T;
  let body: unknown = undefined;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page, a crash): the status line is all there is to say.
  }
  const error = errorOf(body);
  if (error !== null) throw new ApiError(response.status, error.code, error.message);
  throw new ApiError(
    response.status,
    'http',
    `GET ${path} failed: ${response.status} ${response.statusText}`,
  );
}

/** A query string from the parameters that are set (empty strings and nulls are left out). */
export function query(parameters: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
