import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { FAULT_OPERATIONS, FAULTS, runFaultCell } from '../support/fault-matrix.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';

/*
 * Exactly once under faults: requests that are refused (before) and requests that are carried
 * out whose answer is then lost or replaced by a 503 (after), on every request an append makes.
 * ML_TRACKING_HEAVY_FAULTS=1 multiplies the rows (CI sets it). One file per request an append
 * makes (exactly-once-<operation>.test.ts), so that the three run side by side: in one file the
 * matrix was CI's longest path.
 */
const HEAVY = process.env.ML_TRACKING_HEAVY_FAULTS === '1';
const WRITER_COUNTS = [1, 16];
const ROWS = HEAVY ? 96 : 32;
/** Faulted appends the whole matrix must strike, shared out between its files. */
const STRUCK_IN_ALL = HEAVY ? 500 : 150;

/** A GCS fake for one test file, and a writer with its own client on it. */
export interface FaultFixture {
  fake: () => GcsFake;
  bucket: string;
  openWriter: (prefix: string) => Promise<Store>;
  objectText: (name: string) => string;
}

/** Starts a GCS fake before the file's tests and stops it, and every writer, after them. */
export function useFaultFixture(bucket: string): FaultFixture {
  let fake: GcsFake | undefined;
  const stores: Store[] = [];
  const started = (): GcsFake => {
    if (fake === undefined) throw new Error('the GCS fake is started in beforeAll');
    return fake;
  };
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await fake?.stop();
  });
  return {
    fake: started,
    bucket,
    async openWriter(prefix) {
      // Each writer has its own client, as separate processes or machines would.
      const store = await openStore(`gs://${bucket}/${prefix}`, {
        storage: started().createClient(),
      });
      stores.push(store);
      return store;
    },
    objectText(name) {
      const data = started().objects(bucket).get(name)?.data ?? new Uint8Array();
      return Buffer.from(data).toString('utf8');
    },
  };
}

/**
 * The fault matrix of one request an append makes: every fault, before and after commit, with one
 * writer and with 16 at once; each row must land once and no part be left behind.
 */
export function describeFaultMatrix(
  fixture: FaultFixture,
  operation: (typeof FAULT_OPERATIONS)[number],
): void {
  const share = Math.ceil(STRUCK_IN_ALL / FAULT_OPERATIONS.length);
  describe(`GCS append, exactly once under faults of ${operation}`, () => {
    let faulted = 0;
    for (const { status, when } of FAULTS) {
      for (const writers of WRITER_COUNTS) {
        const rowsEach = Math.max(4, Math.round(ROWS / writers));
        it(`${operation} ${status} ${when} commit, ${writers} writer(s) × ${rowsEach} rows: each row once`, async () => {
          const outcome = await runFaultCell(fixture.fake(), fixture.bucket, {
            operation,
            status,
            when,
            writers,
            rowsEach,
          });
          faulted += outcome.struck;
          expect(outcome.stored.sort()).toEqual(outcome.expected.sort());
          expect(outcome.partsLeft).toBe(0);
          expect(outcome.struck).toBeGreaterThan(0);
        }, 120_000);
      }
    }

    it(`struck at least ${share} appends with a fault of ${operation}`, () => {
      expect(faulted).toBeGreaterThanOrEqual(share);
    });
  });
}
