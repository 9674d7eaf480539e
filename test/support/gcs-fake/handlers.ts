import { http, HttpResponse, type HttpHandler, type PathParams } from 'msw';
import { compose } from './compose.js';
import { checkPreconditions, parsePreconditions, toBigInt } from './preconditions.js';
import { list, media } from './reads.js';
import { gcsError, jsonObject, notFound, PRECONDITION_FAILED } from './responses.js';
import type { GcsState, StoredObject } from './state.js';
import { resumablePut, upload } from './uploads.js';

/*
 * Paths start with `*` so they match any origin (this fake's port, or
 * storage.googleapis.com under msw's setupServer) and both URL shapes the client
 * produces: `/storage/v1/b/...` with `apiEndpoint`, bare `/b/...` when it was built
 * with STORAGE_EMULATOR_HOST set.
 */
const OBJECT = '*/b/:bucket/o/:object';
const OBJECTS = '*/b/:bucket/o';
const COMPOSE = '*/b/:bucket/o/:object/compose';
const UPLOAD = '*/upload/storage/v1/b/:bucket/o';

/** The operation name used by stats and fault injection. */
export function operationOf(request: Request): string {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path.includes('/upload/')) return 'upload';
  if (request.method === 'DELETE') return 'delete';
  if (request.method === 'POST' && path.endsWith('/compose')) return 'compose';
  if (request.method === 'GET') {
    if (/\/o\/?$/.test(path)) return 'list';
    if (url.searchParams.get('alt') === 'media') return 'download';
    return 'metadata';
  }
  return 'other';
}

/** Roughly what the request occupied on the wire, before its body. */
function headerBytes(request: Request): number {
  const url = new URL(request.url);
  let bytes = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n\r\n`.length;
  request.headers.forEach((value, key) => {
    bytes += key.length + value.length + 4;
  });
  return bytes;
}

function param(params: PathParams, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw new Error(`gcs-fake: route without :${key}`);
  return value;
}

/** `?generation=` addresses one version; without versioning only the live one exists. */
function liveObject(
  state: GcsState,
  bucket: string,
  name: string,
  query: URLSearchParams,
): StoredObject | undefined {
  const object = state.get(bucket, name);
  const generation = toBigInt(query.get('generation') ?? undefined);
  if (generation !== undefined && generation !== object?.generation) return undefined;
  return object;
}

/**
 * msw handlers implementing the slice of the GCS JSON API v1 the library uses.
 * The first one only counts traffic and answers injected faults, then falls through.
 */
export function createGcsHandlers(state: GcsState): HttpHandler[] {
  return [
    http.all('*/b/*', async ({ request }) => {
      const operation = operationOf(request);
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      // A clone: later handlers read the same Request's body.
      const bodyBytes = hasBody ? (await request.clone().arrayBuffer()).byteLength : 0;
      state.record(operation, headerBytes(request) + bodyBytes);
      const fault = state.takeFault(operation);
      if (fault === undefined) return undefined;
      // msw's network-error response; the HTTP transport turns it into a dropped socket.
      if (fault === 'reset') return HttpResponse.error();
      if (fault === 412) return gcsError(412, PRECONDITION_FAILED);
      return gcsError(fault, `Injected fault ${fault} (gcs-fake).`);
    }),

    http.post(UPLOAD, ({ request, params }) => upload(state, request, param(params, 'bucket'))),
    http.put(UPLOAD, ({ request }) => resumablePut(state, request)),

    http.post(COMPOSE, ({ request, params }) =>
      compose(state, request, param(params, 'bucket'), param(params, 'object')),
    ),

    http.get(OBJECTS, ({ request, params }) => list(state, request, param(params, 'bucket'))),

    http.get(OBJECT, ({ request, params }) => {
      const bucket = param(params, 'bucket');
      const name = param(params, 'object');
      const url = new URL(request.url);
      const object = liveObject(state, bucket, name, url.searchParams);
      if (!object) return notFound(bucket, name);
      const conditions = parsePreconditions(url.searchParams);
      if (conditions instanceof Response) return conditions;
      const failure = checkPreconditions(object, conditions, 'read');
      if (failure) return failure;
      if (url.searchParams.get('alt') === 'media') return media(request, object);
      return jsonObject(object, url.origin, bucket, name);
    }),

    http.delete(OBJECT, ({ request, params }) => {
      const bucket = param(params, 'bucket');
      const name = param(params, 'object');
      const query = new URL(request.url).searchParams;
      const object = liveObject(state, bucket, name, query);
      if (!object) return notFound(bucket, name);
      const conditions = parsePreconditions(query);
      if (conditions instanceof Response) return conditions;
      const failure = checkPreconditions(object, conditions, 'write');
      if (failure) return failure;
      state.delete(bucket, name);
      return new HttpResponse(null, { status: 204 });
    }),
  ];
}
