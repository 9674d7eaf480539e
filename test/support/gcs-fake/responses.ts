import { HttpResponse } from 'msw';
import type { StoredObject } from './state.js';

const REASONS: Record<number, string> = {
  400: 'invalid',
  404: 'notFound',
  412: 'conditionNotMet',
  416: 'requestedRangeNotSatisfiable',
  429: 'rateLimitExceeded',
  500: 'backendError',
  501: 'notImplemented',
  503: 'backendError',
};

/** The JSON API error envelope; the client copies `message` and `errors` into ApiError. */
export function gcsError(status: number, message: string): Response {
  const error: Record<string, unknown> = {
    message,
    domain: 'global',
    reason: REASONS[status] ?? 'unknown',
  };
  if (status === 412) {
    error.locationType = 'header';
    error.location = 'If-Match';
  }
  return HttpResponse.json({ error: { code: status, message, errors: [error] } }, { status });
}

export const PRECONDITION_FAILED = 'At least one of the pre-conditions you specified did not hold.';

export function notFound(bucket: string, name: string): Response {
  return gcsError(404, `No such object: ${bucket}/${name}`);
}

export function objectResource(
  origin: string,
  bucket: string,
  name: string,
  object: StoredObject,
): Record<string, unknown> {
  const generation = object.generation.toString();
  const encoded = encodeURIComponent(name);
  const resource: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${bucket}/${name}/${generation}`,
    selfLink: `${origin}/storage/v1/b/${bucket}/o/${encoded}`,
    mediaLink: `${origin}/download/storage/v1/b/${bucket}/o/${encoded}?generation=${generation}&alt=media`,
    name,
    bucket,
    generation,
    metageneration: object.metageneration.toString(),
    contentType: object.contentType,
    storageClass: 'STANDARD',
    size: object.data.byteLength.toString(),
    crc32c: object.crc32c,
    etag: etag(object),
    timeCreated: object.timeCreated,
    updated: object.updated,
    timeStorageClassUpdated: object.timeCreated,
  };
  if (object.md5Hash !== undefined) resource.md5Hash = object.md5Hash;
  if (object.componentCount !== undefined) resource.componentCount = object.componentCount;
  if (object.metadata !== undefined) resource.metadata = object.metadata;
  return resource;
}

export function etag(object: StoredObject): string {
  return Buffer.from(
    `${object.generation.toString()}/${object.metageneration.toString()}`,
  ).toString('base64');
}

export function jsonObject(
  object: StoredObject,
  origin: string,
  bucket: string,
  name: string,
): Response {
  return HttpResponse.json(objectResource(origin, bucket, name, object));
}
