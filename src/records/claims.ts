/**
 * Claims: how processes on many machines share work (sweep trials, pipeline versions) with the
 * bucket as the only coordinator. A claim is one small JSON object per unit of work.
 *
 * - **Claim**: create it only if absent (`ifGeneration: "0"`): exactly one process wins.
 * - **Lease**: its holder rewrites it every heartbeat by a compare-and-swap on the generation it
 *   holds (`lease.ts`); the store stamps each write with its own clock (`updated`).
 * - **Take-over**: a claim silent past its lease by the store's clock, released, or held by a
 *   process certainly gone, is replaced by a compare-and-swap on the generation that was read:
 *   exactly one taker wins, and the old holder's next renewal fails, so it stops (fencing).
 *
 * See CONTRIBUTING.md ("Coordination") for the sequence.
 */
import { jsonText } from '../_json.js';
import { readTextIfExists, writeIfGeneration } from '../store/outcomes.js';
import type { ObjectInfo, Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { isSilent } from './liveness.js';
import { hasCertainlyEnded, isThisProcess, type ProcessIdentity } from './process-identity.js';

/** What every claim holds; a kind of work adds its own fields (the trial, the version). */
export interface ClaimBody {
  /** The run that carries the work out. */
  runId: string;
  /** `host:pid` of the holder, for people. */
  agent: string;
  /** The holder, precisely (see `process-identity.ts`). */
  process?: ProcessIdentity;
  claimedAt: string;
  /** 1 for the first claim, +1 for each take-over. */
  attempt: number;
  /** The holder's heartbeat: the claim is renewed at least this often. */
  heartbeatIntervalSeconds?: number;
  /**
   * `held` while the work runs; `released` when its holder gave it back (interrupted): anyone
   * takes it at once; `done` when its run ended (finished, failed or stopped early).
   */
  state?: 'held' | 'released' | 'done';
  /** Renewals so far: each makes the object's bytes new. */
  renewals?: number;
}

/** A claim as stored, with what a compare-and-swap on it needs. */
export interface StoredClaim<Body extends ClaimBody> {
  path: string;
  /** `undefined` when the object is not a readable claim (see `problem`). */
  claim: Body | undefined;
  /** Why the object is not a readable claim. */
  problem?: string;
  generation: string;
  /** When the store last wrote it, by the store's clock. */
  updated: Date;
}

/** A readable claim. */
export type HeldClaim<Body extends ClaimBody> = StoredClaim<Body> & { claim: Body };

/** Where a claim stands for a process that might take it. */
export type ClaimStanding =
  /** Its holder renews it: leave it. */
  | 'live'
  /** Its holder is silent past its lease, gone, or it is not a readable claim: take it over. */
  | 'expired'
  /** Given back: take it over. */
  | 'released'
  /** Its work ended. */
  | 'done';

const encode = (body: ClaimBody): string => `${jsonText(body) ?? '{}'}\n`;

/** Creates the claim if no process has: the stored claim, or `undefined` when another was first. */
export async function createClaim<Body extends ClaimBody>(
  store: Store,
  path: string,
  body: Body,
): Promise<HeldClaim<Body> | undefined> {
  return stored(path, body, await writeIfGeneration(store, path, encode(body), '0', JSON_TYPE));
}

/**
 * Replaces `previous` (a take-over, a renewal, a release, the end of the work) if it is still at
 * the generation read: the stored claim, or `undefined` when another process wrote first.
 */
export async function replaceClaim<Body extends ClaimBody>(
  store: Store,
  previous: StoredClaim<Body>,
  body: Body,
): Promise<HeldClaim<Body> | undefined> {
  const written = await writeIfGeneration(
    store,
    previous.path,
    encode(body),
    previous.generation,
    JSON_TYPE,
  );
  return stored(previous.path, body, written);
}

/** The claim at `path`, `undefined` when there is none; one that cannot be read says why. */
export async function readClaim<Body extends ClaimBody>(
  store: Store,
  path: string,
): Promise<StoredClaim<Body> | undefined> {
  const read = await readTextIfExists(store, path);
  if (read === undefined) return undefined;
  const { claim, problem } = parseClaim(read.text);
  return {
    path,
    // The kind of work's own fields (trial, script, version) are its caller's to trust.
    claim: claim as Body | undefined,
    ...(problem !== undefined && { problem }),
    generation: read.generation,
    updated: read.updated,
  };
}

/** Every claim under `folder`, in path order; objects that are not claims say why. */
export async function listClaims<Body extends ClaimBody>(
  store: Store,
  folder: string,
): Promise<StoredClaim<Body>[]> {
  const paths: string[] = [];
  for await (const object of store.listAll(folder)) {
    if (object.path.endsWith('.json')) paths.push(object.path);
  }
  const claims = await mapConcurrently(paths, 32, (path) => readClaim<Body>(store, path));
  return claims.filter((claim) => claim !== undefined);
}

/**
 * Where a claim stands at `storeNow` (the store's time, see `store-clock.ts`), for a process
 * whose own heartbeat is `fallbackHeartbeatSeconds` (used for a claim that does not say its
 * holder's, or cannot be read).
 */
export function claimStanding(
  stored: StoredClaim<ClaimBody>,
  storeNow: Date,
  fallbackHeartbeatSeconds: number,
): ClaimStanding {
  const claim = stored.claim;
  if (claim === undefined) {
    // Garbage in a claim's place: nobody holds it, but wait out a lease in case a writer's
    // half-written object is about to be replaced (a store's writes are atomic, so it is not).
    return isSilent(stored.updated, storeNow, fallbackHeartbeatSeconds) ? 'expired' : 'live';
  }
  if (claim.state === 'done') return 'done';
  if (claim.state === 'released') return 'released';
  if (claim.process !== undefined && hasCertainlyEnded(claim.process)) return 'expired';
  const heartbeat = claim.heartbeatIntervalSeconds ?? fallbackHeartbeatSeconds;
  return isSilent(stored.updated, storeNow, heartbeat) ? 'expired' : 'live';
}

/** Whether this process holds the claim. */
export const heldByThisProcess = (claim: ClaimBody): boolean =>
  claim.process !== undefined && isThisProcess(claim.process);

const JSON_TYPE = { contentType: 'application/json' };

function stored<Body extends ClaimBody>(
  path: string,
  body: Body,
  written: ObjectInfo | undefined,
): HeldClaim<Body> | undefined {
  if (written === undefined) return undefined;
  return { path, claim: body, generation: written.generation, updated: written.updated };
}

function parseClaim(text: string): { claim?: ClaimBody; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'not a JSON object' };
  }
  const body = value as Partial<ClaimBody>;
  if (typeof body.runId !== 'string' || body.runId === '') return { problem: 'no runId' };
  if (typeof body.agent !== 'string') return { problem: 'no agent' };
  if (!Number.isInteger(body.attempt) || (body.attempt ?? 0) < 1) return { problem: 'no attempt' };
  const heartbeat = body.heartbeatIntervalSeconds;
  if (heartbeat !== undefined && !(typeof heartbeat === 'number' && heartbeat > 0)) {
    return { problem: 'a heartbeatIntervalSeconds that is not a positive number' };
  }
  return { claim: value as ClaimBody };
}
