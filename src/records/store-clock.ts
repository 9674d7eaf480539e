/**
 * The store's clock, read without trusting this machine's: a lease is judged by comparing an
 * object's `updated` time (set by the store: the GCS server, or the kernel of the machine that
 * holds a local folder) with the store's now. The store's now is measured by writing a small
 * probe object and reading back its `updated` time, then carried forward with this process's
 * monotonic clock, which a wrong wall clock (a skewed VM, a container without NTP) does not move.
 */
import { randomBytes } from 'node:crypto';
import { storeClockPath } from '../layout/paths.js';
import type { Store } from '../store/types.js';

/** The store's now, as seen from this process. */
export interface StoreClock {
  /** The store's current time (measured again when the last measure is older than a minute). */
  now(): Promise<Date>;
}

/** A measure older than this is taken again: monotonic clocks drift slowly, but they do. */
const REMEASURE_MS = 60_000;

/** A clock over `store`; each clock writes (and removes) its own probe object when it measures. */
export function createStoreClock(store: Store): StoreClock {
  const probe = storeClockPath(`${process.pid}-${randomBytes(6).toString('hex')}`);
  let measured: { storeMs: number; monotonicMs: number } | undefined;
  let measuring: Promise<void> | undefined;

  const measure = async (): Promise<void> => {
    const before = performance.now();
    const written = await store.write(probe, '', { contentType: 'text/plain' });
    const after = performance.now();
    // The store stamped the object somewhere between the request and the answer: take the middle.
    measured = { storeMs: written.updated.getTime(), monotonicMs: (before + after) / 2 };
    await store.delete(probe).catch(() => undefined);
  };

  return {
    async now() {
      if (measured === undefined || performance.now() - measured.monotonicMs > REMEASURE_MS) {
        measuring ??= measure().finally(() => {
          measuring = undefined;
        });
        await measuring;
      }
      const { storeMs, monotonicMs } = measured!;
      return new Date(storeMs + (performance.now() - monotonicMs));
    },
  };
}
