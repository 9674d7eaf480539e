import { HttpResponse } from 'msw';
import { gcsError, PRECONDITION_FAILED } from './responses.js';
import type { StoredObject } from './state.js';

export interface Preconditions {
  ifGenerationMatch?: bigint;
  ifGenerationNotMatch?: bigint;
  ifMetagenerationMatch?: bigint;
  ifMetagenerationNotMatch?: bigint;
}

const NAMES = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
] as const;

/** Reads the precondition query parameters; a malformed one is a 400, as in GCS. */
export function parsePreconditions(query: URLSearchParams): Preconditions | Response {
  const result: Preconditions = {};
  for (const name of NAMES) {
    const raw = query.get(name);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw)) return gcsError(400, `Invalid argument for ${name}: ${raw}`);
    result[name] = BigInt(raw);
  }
  return result;
}

/**
 * Evaluates preconditions against the live object (undefined = none), following the
 * JSON API reference: `ifGenerationMatch=0` holds only when there is no live object,
 * every other condition fails when there is none, and on reads a failed *NotMatch
 * condition is "304 Not Modified" rather than 412. Returns the failure response, or
 * undefined when all conditions hold.
 */
export function checkPreconditions(
  current: StoredObject | undefined,
  conditions: Preconditions,
  kind: 'read' | 'write',
): Response | undefined {
  const failed = (): Response => gcsError(412, PRECONDITION_FAILED);
  const notModified = (): Response =>
    kind === 'read' ? new HttpResponse(null, { status: 304 }) : failed();

  const {
    ifGenerationMatch,
    ifGenerationNotMatch,
    ifMetagenerationMatch,
    ifMetagenerationNotMatch,
  } = conditions;
  if (ifGenerationMatch !== undefined) {
    const holds =
      ifGenerationMatch === 0n ? current === undefined : current?.generation === ifGenerationMatch;
    if (!holds) return failed();
  }
  if (ifMetagenerationMatch !== undefined && current?.metageneration !== ifMetagenerationMatch) {
    return failed();
  }
  if (ifGenerationNotMatch !== undefined) {
    const holds =
      ifGenerationNotMatch === 0n
        ? current !== undefined
        : current !== undefined && current.generation !== ifGenerationNotMatch;
    if (!holds) return notModified();
  }
  if (
    ifMetagenerationNotMatch !== undefined &&
    (current === undefined || current.metageneration === ifMetagenerationNotMatch)
  ) {
    return notModified();
  }
  return undefined;
}

/** A generation from JSON (number or string) or a query; undefined when absent. */
export function toBigInt(value: unknown): bigint | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return 'invalid';
}
