import { checkPreconditions, parsePreconditions, toBigInt } from './preconditions.js';
import { gcsError, jsonObject, notFound, PRECONDITION_FAILED } from './responses.js';
import type { GcsState, StoredObject } from './state.js';
import { stringRecord } from './uploads.js';

const MAX_COMPOSE_SOURCES = 32;

interface SourceObject {
  name: string;
  generation: bigint | undefined;
  ifGenerationMatch: bigint | undefined;
}

function parseSources(raw: unknown): SourceObject[] | Response {
  if (!Array.isArray(raw) || raw.length === 0) {
    return gcsError(400, 'Required field: sourceObjects');
  }
  if (raw.length > MAX_COMPOSE_SOURCES) {
    return gcsError(
      400,
      `The number of source components provided (${raw.length}) exceeds the maximum (${MAX_COMPOSE_SOURCES})`,
    );
  }
  const sources: SourceObject[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) return gcsError(400, 'Invalid source object.');
    const source = item as Record<string, unknown>;
    const preconditions = (source.objectPreconditions ?? {}) as Record<string, unknown>;
    const generation = toBigInt(source.generation);
    const ifGenerationMatch = toBigInt(preconditions.ifGenerationMatch);
    if (
      typeof source.name !== 'string' ||
      generation === 'invalid' ||
      ifGenerationMatch === 'invalid'
    ) {
      return gcsError(400, 'Invalid source object.');
    }
    sources.push({ name: source.name, generation, ifGenerationMatch });
  }
  return sources;
}

export async function compose(
  state: GcsState,
  request: Request,
  bucket: string,
  destinationName: string,
): Promise<Response> {
  const url = new URL(request.url);
  let body: Record<string, unknown>;
  try {
    body = (await request.json()) as Record<string, unknown>;
  } catch {
    return gcsError(400, 'Compose request body is not valid JSON.');
  }
  const sources = parseSources(body.sourceObjects);
  if (sources instanceof Response) return sources;
  const destination = (body.destination ?? {}) as Record<string, unknown>;
  const conditions = parsePreconditions(url.searchParams);
  if (conditions instanceof Response) return conditions;

  // From here to the write nothing awaits, so the read-append-write is atomic.
  // Destination preconditions go first: an appender holding a stale generation then
  // sees 412 (retry) instead of a 404 for its stale source generation.
  const failure = checkPreconditions(state.get(bucket, destinationName), conditions, 'write');
  if (failure) return failure;
  const parts: StoredObject[] = [];
  for (const source of sources) {
    const object = state.get(bucket, source.name);
    if (!object || (source.generation !== undefined && source.generation !== object.generation)) {
      return notFound(bucket, source.name);
    }
    if (source.ifGenerationMatch !== undefined && source.ifGenerationMatch !== object.generation) {
      return gcsError(412, PRECONDITION_FAILED);
    }
    parts.push(object);
  }
  const stored = state.write(bucket, destinationName, {
    data: Buffer.concat(parts.map((p) => p.data)),
    contentType:
      typeof destination.contentType === 'string'
        ? destination.contentType
        : 'application/octet-stream',
    metadata: stringRecord(destination.metadata),
    componentCount: parts.reduce((sum, p) => sum + (p.componentCount ?? 1), 0),
  });
  return jsonObject(stored, url.origin, bucket, destinationName);
}
