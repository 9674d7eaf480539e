/**
 * Keyed commits: a read-modify-write of one object by compare-and-swap that a writer may retry
 * safely, even after an answer lost on the way back.
 *
 * A compare-and-swap alone is not enough. When a write commits and its answer is lost (a dropped
 * connection, a front end timing out after the backend wrote) and another writer commits on top
 * before the retry, the retry meets a generation it did not expect, reads the object again, and
 * would apply its change a second time: a row added twice. So every change carries a key its
 * writer owns (a run id): before applying, the writer looks for its key in what it just read, and
 * if it is there, its own earlier attempt landed and it reports `already` instead.
 *
 * The key must be absent before the change and present after it, and no other writer may write
 * it; then at-least-once attempts give exactly-once changes.
 */
import pRetry from 'p-retry';
import { ConflictError } from '../errors.js';
import { readTextIfExists, writeIfGeneration, type VersionedText } from '../store/outcomes.js';
import type { ObjectInfo, RetryPolicy, Store } from '../store/types.js';

/** A change's decision not to write, with the value the caller wants back (see {@link decline}). */
export interface Declined<Value> {
  readonly declined: Value;
}

/** `apply`'s way of saying "nothing to write" (e.g. another writer's row already stands). */
export const decline = <Value>(value: Value): Declined<Value> => ({ declined: value });

/** Options of {@link commitKeyed}. */
export interface KeyedCommitOptions<Value> {
  /**
   * Whether the object's text already holds the caller's key, i.e. its change is in (its own
   * earlier attempt whose answer was lost). Called on every text read, before `apply`.
   */
  hasKey: (text: string) => boolean;
  /**
   * The change: the new text from the current object (`undefined` when it does not exist), or
   * `decline(value)` to write nothing. Called again with a fresh read after each lost race, so it
   * must be a pure function of its input. What it throws ends the commit, untried again.
   */
  apply: (current: VersionedText | undefined) => string | Declined<Value>;
  /** Content type of the written object. */
  contentType?: string;
  /**
   * Attempts when other writers keep winning the race, and the backoff between them.
   * @default { attempts: 20, minDelayMs: 10, maxDelayMs: 1000 }
   */
  retry?: RetryPolicy;
}

/** What {@link commitKeyed} did. `attempts` counts reads, the first included. */
export type KeyedCommitResult<Value> =
  /** This call wrote the change. */
  | { status: 'applied'; info: ObjectInfo; attempts: number }
  /** The change was in already (an earlier attempt whose answer was lost); nothing written. */
  | { status: 'already'; generation: string; attempts: number }
  /** `apply` declined: nothing written. */
  | { status: 'declined'; value: Value; attempts: number };

/** Enough for a few dozen writers of one object, each retry after a longer, random pause. */
export const KEYED_COMMIT_RETRY: RetryPolicy = { attempts: 20, minDelayMs: 10, maxDelayMs: 1000 };

/** Another writer saved between our read and our write: read again and retry. */
class LostRace extends Error {
  constructor(readonly conflict: ConflictError) {
    super(conflict.message);
  }
}

/**
 * Changes the object at `path` by compare-and-swap on the generation read (create-only, `"0"`,
 * when it is absent), retried with jittered backoff when another writer saved first, and
 * idempotent by the caller's key (see the module comment). A write whose outcome is unknown (the
 * store gave up on a lost answer) is settled by one more read: the key is there, or the error is
 * thrown.
 * @throws ConflictError when other writers saved first through every attempt; whatever `apply`
 *   throws; a StoreError when the store fails and the change is not in.
 * @example
 * await commitKeyed(store, 'trackers/soil.csv', {
 *   hasKey: (text) => text.includes(runId),
 *   apply: (current) => `${current?.text ?? 'run_id\n'}${runId}\n`,
 * });
 */
export async function commitKeyed<Value = never>(
  store: Store,
  path: string,
  options: KeyedCommitOptions<Value>,
): Promise<KeyedCommitResult<Value>> {
  const policy = options.retry ?? KEYED_COMMIT_RETRY;
  const writeOptions =
    options.contentType === undefined ? {} : { contentType: options.contentType };
  let attempts = 0;
  /** The generation that holds the key, if one does; a failure to tell is "no". */
  const landedGeneration = async (): Promise<string | undefined> => {
    try {
      const landed = await readTextIfExists(store, path);
      return landed !== undefined && options.hasKey(landed.text) ? landed.generation : undefined;
    } catch {
      return undefined;
    }
  };
  const attempt = async (): Promise<KeyedCommitResult<Value>> => {
    attempts += 1;
    const current = await readTextIfExists(store, path);
    if (current !== undefined && options.hasKey(current.text)) {
      return { status: 'already', generation: current.generation, attempts };
    }
    const next = options.apply(current);
    if (typeof next !== 'string') return { status: 'declined', value: next.declined, attempts };
    const expected = current?.generation ?? '0';
    let info: ObjectInfo | undefined;
    try {
      info = await writeIfGeneration(store, path, next, expected, writeOptions);
    } catch (error) {
      // The store gave up, maybe on an answer lost after the write landed: one look settles it.
      const landed = await landedGeneration();
      if (landed !== undefined) return { status: 'already', generation: landed, attempts };
      throw error;
    }
    if (info !== undefined) return { status: 'applied', info, attempts };
    throw new LostRace(
      new ConflictError({
        operation: 'commit',
        store: store.url,
        path,
        expectedGeneration: expected,
      }),
    );
  };
  try {
    return await pRetry(attempt, {
      retries: policy.attempts - 1,
      factor: 2,
      minTimeout: policy.minDelayMs,
      maxTimeout: policy.maxDelayMs,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof LostRace,
    });
  } catch (error) {
    throw error instanceof LostRace ? error.conflict : error;
  }
}
