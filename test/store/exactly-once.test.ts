import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { FAULT_OPERATIONS, FAULTS, runFaultCell } from '../support/fault-matrix.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';

/*
 * Exactly once under faults: requests that are refused (before) and requests that are carried
 * out whose answer is then lost or replaced by a 503 (after), on every request an append makes.
 * ML_TRACKING_HEAVY_FAULTS=1 multiplies the rows (CI sets it).
 */
const HEAVY = process.env.ML_TRACKING_HEAVY_FAULTS === '1';
const WRITER_COUNTS = [1, 16];
const ROWS = HEAVY ? 96 : 32;

let fake: GcsFake;
const stores: Store[] = [];
const bucket = 'exactly-once';

async function openWriter(prefix: string): Promise<Store> {
  // Each writer has its own client, as separate processes or machines would.
  const store = await openStore(`gs://${bucket}/${prefix}`, { storage: fake.createClient() });
  stores.push(store);
  return store;
}

function objectText(name: string): string {
  return Buffer.from(fake.objects(bucket).get(name)?.data ?? new Uint8Array()).toString('utf8');
}

beforeAll(async () => {
  fake = await startGcsFake();
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await fake.stop();
});

describe('GCS append, exactly once under faults', () => {
  it('sends a compose whose answer was lost once, and lands it once (checked on the wire)', async () => {
    const store = await openWriter('wire');
    await store.append('rows.csv', 'header\n');
    fake.resetStats();
    fake.injectFault({ operation: 'compose', status: 503, when: 'after' });
    await store.append('rows.csv', 'row-1\n');
    expect(fake.pendingFaults()).toBe(0);
    // Neither the client library nor the driver sent it again: the ledger said it had landed.
    expect(fake.stats.byOperation.compose?.requests).toBe(1);
    expect(objectText('wire/rows.csv')).toBe('header\nrow-1\n');

    fake.resetStats();
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after' });
    await store.append('rows.csv', 'row-2\n');
    expect(fake.stats.byOperation.compose?.requests).toBe(1);
    expect(objectText('wire/rows.csv')).toBe('header\nrow-1\nrow-2\n');
  });

  it('appends the same bytes 30 times as 30 rows, with answers lost after commit', async () => {
    const store = await openWriter('identical');
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after', times: 7 });
    fake.injectFault({ operation: 'metadata', status: 503, when: 'after', times: 7 });
    for (let row = 0; row < 30; row += 1) await store.append('same.csv', 'same,row\n');
    expect(fake.pendingFaults()).toBe(0);
    expect(objectText('identical/same.csv')).toBe('same,row\n'.repeat(30));
  });

  let faulted = 0;
  for (const operation of FAULT_OPERATIONS) {
    for (const { status, when } of FAULTS) {
      for (const writers of WRITER_COUNTS) {
        const rowsEach = Math.max(4, Math.round(ROWS / writers));
        it(`${operation} ${status} ${when} commit, ${writers} writer(s) × ${rowsEach} rows: each row once`, async () => {
          const outcome = await runFaultCell(fake, bucket, {
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
  }

  it(`struck at least ${HEAVY ? 500 : 150} appends with a fault in all`, () => {
    expect(faulted).toBeGreaterThanOrEqual(HEAVY ? 500 : 150);
  });
});
