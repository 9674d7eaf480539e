import { HttpResponse } from 'msw';
import { etag, gcsError, objectResource } from './responses.js';
import type { GcsState, StoredObject } from './state.js';

const MAX_LIST_RESULTS = 1000;

type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Single-range `bytes=a-b`, `bytes=a-`, `bytes=-n`; anything else is ignored, per RFC 9110. */
function parseRange(header: string | null, size: number): ByteRange {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

export function media(request: Request, object: StoredObject): Response {
  const size = object.data.byteLength;
  const hashes = [`crc32c=${object.crc32c}`];
  if (object.md5Hash !== undefined) hashes.push(`md5=${object.md5Hash}`);
  const headers = new Headers({
    'Content-Type': object.contentType,
    'Accept-Ranges': 'bytes',
    ETag: etag(object),
    'Last-Modified': new Date(object.updated).toUTCString(),
    'x-goog-hash': hashes.join(','),
    'x-goog-generation': object.generation.toString(),
    'x-goog-metageneration': object.metageneration.toString(),
    // The client validates the download's CRC32C only when this says "identity".
    'x-goog-stored-content-encoding': 'identity',
    'x-goog-stored-content-length': size.toString(),
  });
  const range = parseRange(request.headers.get('range'), size);
  if (range === 'unsatisfiable') {
    const response = gcsError(416, 'The requested range cannot be satisfied.');
    response.headers.set('Content-Range', `bytes */${size}`);
    return response;
  }
  if (range === undefined) return new HttpResponse(new Uint8Array(object.data), { headers });
  headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  return new HttpResponse(new Uint8Array(object.data.subarray(range.start, range.end + 1)), {
    status: 206,
    headers,
  });
}

interface ListEntry {
  key: string;
  object?: StoredObject;
}

export function list(state: GcsState, request: Request, bucket: string): Response {
  const url = new URL(request.url);
  const query = url.searchParams;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const startOffset = query.get('startOffset') ?? '';
  const endOffset = query.get('endOffset');
  const maxRaw = query.get('maxResults');
  const asked = maxRaw === null ? MAX_LIST_RESULTS : Number(maxRaw);
  if (!Number.isInteger(asked) || asked < 1) {
    return gcsError(400, `Invalid value for maxResults: ${maxRaw ?? ''}`);
  }
  // As on GCS: "uses this parameter or 1,000 items, whichever is smaller".
  const maxResults = Math.min(asked, MAX_LIST_RESULTS);
  const pageToken = query.get('pageToken');
  const after = pageToken === null ? undefined : Buffer.from(pageToken, 'base64url').toString();

  // Names arrive sorted, and a collapsed prefix sorts where its first member does,
  // so `entries` is strictly increasing by key and a page token can be the last key.
  const entries: ListEntry[] = [];
  for (const [name, object] of state.list(bucket)) {
    if (!name.startsWith(prefix) || name < startOffset) continue;
    if (endOffset !== null && name >= endOffset) continue;
    const cut = delimiter === '' ? -1 : name.indexOf(delimiter, prefix.length);
    if (cut === -1) {
      entries.push({ key: name, object });
      continue;
    }
    const collapsed = name.slice(0, cut + delimiter.length);
    if (entries.at(-1)?.key !== collapsed) entries.push({ key: collapsed });
  }
  const first = after === undefined ? 0 : entries.findIndex((e) => e.key > after);
  const page = first === -1 ? [] : entries.slice(first, first + maxResults);
  const items = page.flatMap((e) =>
    e.object ? [objectResource(url.origin, bucket, e.key, e.object)] : [],
  );
  const prefixes = page.filter((e) => !e.object).map((e) => e.key);
  const body: Record<string, unknown> = { kind: 'storage#objects' };
  // GCS leaves out empty arrays rather than sending [].
  if (prefixes.length > 0) body.prefixes = prefixes;
  if (items.length > 0) body.items = items;
  const last = page.at(-1);
  if (last && first + page.length < entries.length) {
    body.nextPageToken = Buffer.from(last.key).toString('base64url');
  }
  return HttpResponse.json(body);
}
