import { createHash } from 'node:crypto';
import { StoreError } from '../../errors.js';

/**
 * The append ledger of a GCS object: two custom metadata fields that the request which appends
 * writes together with the bytes, in one atomic step (compose or conditional upload):
 *
 * - `ml-tracking-append-seq`: how many appends the object has had;
 * - `ml-tracking-appends`: digests of the keys of the last {@link LEDGER_LENGTH} of them,
 *   newest first.
 *
 * Since every append is conditional on the generation it read, the ledger read at a generation
 * is exactly that generation's history. So when an append's answer is lost, one metadata read
 * settles whether it landed: its digest is in the ledger (it did), or the ledger still reaches
 * back to where it would have been and does not hold it (it did not). Anything else (more than
 * {@link LEDGER_LENGTH} appends in between, or the object replaced) fails loudly rather than
 * risk a lost or doubled row.
 */
const SEQUENCE_FIELD = 'ml-tracking-append-seq';
const DIGESTS_FIELD = 'ml-tracking-appends';
/** 64 digests of 12 hex digits: about 830 bytes of metadata per object. */
export const LEDGER_LENGTH = 64;

/** An append that was sent and whose answer was lost. */
export interface PendingAppend {
  /** The generation it was conditional on (`"0"`: the object did not exist). */
  generation: string;
  /** Its sequence number, were it to have landed. */
  sequence: number;
  digest: string;
}

/** The metadata an append writes, and what to remember while its answer is outstanding. */
export interface AppendLedger {
  metadata: Record<string, string>;
  pending: PendingAppend;
}

interface ObjectState {
  generation?: string | number | undefined;
  metadata?: Record<string, unknown> | undefined | null;
}

function read(current: ObjectState | undefined): { sequence: number; digests: string[] } {
  const field = (name: string): string => {
    const value = current?.metadata?.[name];
    return typeof value === 'string' ? value : '';
  };
  const sequence = Number(field(SEQUENCE_FIELD) || 0);
  const digests = field(DIGESTS_FIELD)
    .split(' ')
    .filter((digest) => digest !== '');
  return { sequence: Number.isSafeInteger(sequence) ? sequence : 0, digests };
}

const digestOf = (key: string): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 12);

export const appendLedger = {
  /** The ledger an append of `key` onto `current` (absent: `undefined`) writes. */
  next(current: ObjectState | undefined, key: string): AppendLedger {
    const { sequence, digests } = read(current);
    const digest = digestOf(key);
    return {
      metadata: {
        [SEQUENCE_FIELD]: String(sequence + 1),
        [DIGESTS_FIELD]: [digest, ...digests].slice(0, LEDGER_LENGTH).join(' '),
      },
      pending: {
        generation: current === undefined ? '0' : String(current.generation),
        sequence: sequence + 1,
        digest,
      },
    };
  },

  /**
   * Whether `current` already holds an append of `key` among its last {@link LEDGER_LENGTH}: a
   * caller sending a batch again after a call that failed (its compose may have landed) under
   * the same key gets it applied once, as within one call.
   */
  holds(current: ObjectState | undefined, key: string): boolean {
    return current !== undefined && read(current).digests.includes(digestOf(key));
  },

  /** Whether the pending append landed in `current`; throws when that cannot be known. */
  landed(
    current: ObjectState | undefined,
    pending: PendingAppend,
    where: { store: string; path: string },
  ): boolean {
    if (current === undefined) return false;
    if (String(current.generation) === pending.generation) return false;
    const { sequence, digests } = read(current);
    if (digests.includes(pending.digest)) return true;
    const oldestRecorded = sequence - digests.length + 1;
    if (sequence >= pending.sequence && oldestRecorded <= pending.sequence) return false;
    throw new StoreError(
      `Cannot tell whether an append to ${where.path} in ${where.store} landed: its answer was ` +
        `lost and the object's append ledger no longer reaches back to it (${
          sequence < pending.sequence
            ? 'the object was replaced since'
            : `more than ${LEDGER_LENGTH} appends since`
        }). Check the object's last rows before you append again.`,
      { operation: 'append', store: where.store, path: where.path },
    );
  },
};
