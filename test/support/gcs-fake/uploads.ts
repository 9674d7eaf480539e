import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { boundaryOf, parseMultipart } from './multipart.js';
import { checkPreconditions, parsePreconditions } from './preconditions.js';
import { gcsError, jsonObject } from './responses.js';
import { crc32cBase64, md5Base64, type GcsState, type ResumableSession } from './state.js';

interface UploadMetadata {
  name?: string;
  contentType?: string;
  metadata?: Record<string, string>;
  md5Hash?: string;
  crc32c?: string;
}

function parseUploadMetadata(text: string): UploadMetadata | Response {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return gcsError(400, 'Metadata part is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null) return gcsError(400, 'Invalid metadata.');
  const raw = parsed as Record<string, unknown>;
  const result: UploadMetadata = {};
  for (const key of ['name', 'contentType', 'md5Hash', 'crc32c'] as const) {
    const value = raw[key];
    if (typeof value === 'string') result[key] = value;
  }
  const custom = stringRecord(raw.metadata);
  if (custom) result.metadata = custom;
  return result;
}

/** Custom object metadata: GCS stores every value as a string. */
export function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

/** Hashes a client declared (metadata fields or X-Goog-Hash) must match the data, as in GCS. */
function hashMismatch(
  data: Buffer,
  declared: { md5?: string; crc32c?: string },
): Response | undefined {
  if (declared.crc32c !== undefined && declared.crc32c !== crc32cBase64(data)) {
    return gcsError(400, 'Provided CRC32C does not match the uploaded data.');
  }
  if (declared.md5 !== undefined && declared.md5 !== md5Base64(data)) {
    return gcsError(400, 'Provided MD5 hash does not match the uploaded data.');
  }
  return undefined;
}

function googHash(headers: Headers): { md5?: string; crc32c?: string } {
  const result: { md5?: string; crc32c?: string } = {};
  for (const pair of (headers.get('x-goog-hash') ?? '').split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim().toLowerCase();
    const value = pair.slice(eq + 1).trim();
    if (key === 'md5') result.md5 = value;
    if (key === 'crc32c') result.crc32c = value;
  }
  return result;
}

interface Commit {
  bucket: string;
  name: string;
  data: Buffer;
  contentType: string;
  metadata: Record<string, string> | undefined;
  query: URLSearchParams;
  origin: string;
}

/** Precondition check and write with no await between them: the atomic step. */
function commitUpload(state: GcsState, commit: Commit): Response {
  const conditions = parsePreconditions(commit.query);
  if (conditions instanceof Response) return conditions;
  const failure = checkPreconditions(state.get(commit.bucket, commit.name), conditions, 'write');
  if (failure) return failure;
  const stored = state.write(commit.bucket, commit.name, {
    data: commit.data,
    contentType: commit.contentType,
    metadata: commit.metadata,
  });
  return jsonObject(stored, commit.origin, commit.bucket, commit.name);
}

export async function upload(state: GcsState, request: Request, bucket: string): Promise<Response> {
  const url = new URL(request.url);
  const query = url.searchParams;
  const uploadType = query.get('uploadType');
  const body = Buffer.from(await request.arrayBuffer());
  const base = { bucket, query, origin: url.origin };

  if (uploadType === 'media') {
    const name = query.get('name');
    if (name === null) return gcsError(400, 'Required parameter: name');
    const contentType = request.headers.get('content-type') ?? 'application/octet-stream';
    const mismatch = hashMismatch(body, googHash(request.headers));
    if (mismatch) return mismatch;
    return commitUpload(state, { ...base, name, data: body, contentType, metadata: undefined });
  }

  if (uploadType === 'multipart') {
    const boundary = boundaryOf(request.headers.get('content-type'));
    const parts = boundary === undefined ? undefined : parseMultipart(body, boundary);
    const [metaPart, mediaPart] = parts ?? [];
    if (!metaPart || !mediaPart || parts?.length !== 2) {
      return gcsError(400, 'Multipart upload needs exactly a metadata part and a media part.');
    }
    const meta = parseUploadMetadata(metaPart.body.toString('utf8'));
    if (meta instanceof Response) return meta;
    const name = query.get('name') ?? meta.name;
    if (name === undefined) return gcsError(400, 'Required parameter: name');
    const declared: { md5?: string; crc32c?: string } = googHash(request.headers);
    if (meta.md5Hash !== undefined) declared.md5 = meta.md5Hash;
    if (meta.crc32c !== undefined) declared.crc32c = meta.crc32c;
    const mismatch = hashMismatch(mediaPart.body, declared);
    if (mismatch) return mismatch;
    const contentType =
      meta.contentType ?? mediaPart.headers.get('content-type') ?? 'application/octet-stream';
    return commitUpload(state, {
      ...base,
      name,
      data: mediaPart.body,
      contentType,
      metadata: meta.metadata,
    });
  }

  if (uploadType === 'resumable') {
    const meta = parseUploadMetadata(body.toString('utf8'));
    if (meta instanceof Response) return meta;
    const name = query.get('name') ?? meta.name;
    if (name === undefined) return gcsError(400, 'Required parameter: name');
    // GCS evaluates preconditions when the session starts, and again when it completes.
    const conditions = parsePreconditions(query);
    if (conditions instanceof Response) return conditions;
    const failure = checkPreconditions(state.get(bucket, name), conditions, 'write');
    if (failure) return failure;
    const id = randomUUID();
    state.sessions.set(id, {
      bucket,
      name,
      contentType:
        request.headers.get('x-upload-content-type') ??
        meta.contentType ??
        'application/octet-stream',
      metadata: meta.metadata,
      query: new URLSearchParams(query),
      chunks: [],
      received: 0,
      finished: undefined,
    });
    const location = new URL(`${url.origin}${url.pathname}`);
    location.searchParams.set('uploadType', 'resumable');
    location.searchParams.set('name', name);
    location.searchParams.set('upload_id', id);
    return new HttpResponse(null, { status: 200, headers: { Location: location.href } });
  }

  return gcsError(400, `Unsupported uploadType: ${uploadType ?? '(none)'}`);
}

/** 308 "Resume Incomplete" with how much GCS holds, as the resumable protocol says. */
function incomplete(session: ResumableSession): Response {
  const headers = new Headers();
  if (session.received > 0) headers.set('Range', `bytes=0-${session.received - 1}`);
  return new HttpResponse(null, { status: 308, headers });
}

export async function resumablePut(state: GcsState, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const id = url.searchParams.get('upload_id') ?? '';
  const session = state.sessions.get(id);
  const body = Buffer.from(await request.arrayBuffer());
  if (!session) return gcsError(404, 'No such upload session.');
  if (session.finished) {
    return jsonObject(session.finished, url.origin, session.bucket, session.name);
  }

  const contentRange = request.headers.get('content-range');
  let start = session.received;
  let final: boolean;
  let total: number | undefined;
  if (contentRange === null) {
    final = true;
  } else {
    const status = /^bytes \*\/(\d+|\*)$/.exec(contentRange);
    const chunk = /^bytes (\d+)-(\d+|\*)\/(\d+|\*)$/.exec(contentRange);
    if (status) {
      // A status query, or the zero-length last request of an exact-multiple upload.
      const declared = status[1] ?? '*';
      if (declared === '*' || Number(declared) !== session.received) return incomplete(session);
      final = true;
      total = Number(declared);
    } else if (chunk) {
      start = Number(chunk[1]);
      const end = chunk[2] ?? '*';
      const declared = chunk[3] ?? '*';
      total = declared === '*' ? undefined : Number(declared);
      // `bytes N-*/*` is what the Node client sends for a single-request upload of
      // unknown length: the rest of the object is this body.
      final = total !== undefined || end === '*';
    } else {
      return gcsError(400, `Malformed Content-Range: ${contentRange}`);
    }
  }
  if (start > session.received) {
    return gcsError(
      400,
      `Chunk starts at ${start} but only ${session.received} bytes were received.`,
    );
  }
  // A client resending bytes GCS already has: keep only the new ones.
  const fresh = body.subarray(session.received - start);
  session.chunks.push(fresh);
  session.received += fresh.byteLength;
  if (total !== undefined && session.received > total) {
    return gcsError(400, `Received ${session.received} bytes, more than the declared ${total}.`);
  }
  if (!final || (total !== undefined && session.received < total)) return incomplete(session);

  const data = Buffer.concat(session.chunks);
  const mismatch = hashMismatch(data, googHash(request.headers));
  if (mismatch) return mismatch;
  const response = commitUpload(state, {
    bucket: session.bucket,
    name: session.name,
    data,
    contentType: session.contentType,
    metadata: session.metadata === undefined ? undefined : { ...session.metadata },
    query: session.query,
    origin: url.origin,
  });
  if (response.ok) session.finished = state.get(session.bucket, session.name);
  return response;
}
