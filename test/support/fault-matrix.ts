import { openStore, type Store } from '../../src/index.js';
import type { FaultStatus, GcsFake } from './gcs-fake/index.js';

/** The requests an append makes, and the faults each one meets. */
export const FAULT_OPERATIONS = ['compose', 'upload', 'metadata'] as const;
export const FAULTS: { status: FaultStatus; when: 'before' | 'after' }[] = [
  { status: 'reset', when: 'after' },
  { status: 503, when: 'after' },
  { status: 'reset', when: 'before' },
  { status: 503, when: 'before' },
];

/** One cell of the fault matrix. */
export interface FaultCell {
  operation: (typeof FAULT_OPERATIONS)[number];
  status: FaultStatus;
  when: 'before' | 'after';
  writers: number;
  rowsEach: number;
}

/** What came of a cell: rows that should be there, and how many were lost or doubled. */
export interface FaultOutcome {
  expected: string[];
  stored: string[];
  struck: number;
  lost: number;
  duplicated: number;
  partsLeft: number;
}

/**
 * `writers` clients (one each, as separate machines would have) append `rowsEach` rows at once
 * to one object of the fake while about half the appends meet the cell's fault.
 */
export async function runFaultCell(
  fake: GcsFake,
  bucket: string,
  cell: FaultCell,
): Promise<FaultOutcome> {
  const prefix = `${cell.operation}-${cell.status}-${cell.when}-${cell.writers}`;
  const faults = Math.round((cell.writers * cell.rowsEach) / 2);
  fake.injectFault({ ...cell, times: faults, probability: 0.4 });
  const stores: Store[] = [];
  try {
    await Promise.all(
      Array.from({ length: cell.writers }, async (_, writer) => {
        const store = await openStore(`gs://${bucket}/${prefix}`, { storage: fake.createClient() });
        stores.push(store);
        for (let row = 0; row < cell.rowsEach; row += 1) {
          await store.append('rows.csv', `writer-${writer},row-${row}\n`);
        }
      }),
    );
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
  const struck = faults - fake.pendingFaults();
  fake.clearFaults();
  const objects = fake.objects(bucket);
  const text = Buffer.from(objects.get(`${prefix}/rows.csv`)?.data ?? new Uint8Array()).toString();
  const stored = text.split('\n').filter((line) => line !== '');
  const expected = Array.from({ length: cell.writers }, (_, writer) =>
    Array.from({ length: cell.rowsEach }, (__, row) => `writer-${writer},row-${row}`),
  ).flat();
  const counts = new Map<string, number>();
  for (const line of stored) counts.set(line, (counts.get(line) ?? 0) + 1);
  return {
    expected,
    stored,
    struck,
    lost: expected.filter((line) => !counts.has(line)).length,
    duplicated: [...counts.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0),
    partsLeft: [...objects.keys()].filter(
      (name) => name.startsWith(`${prefix}/`) && name.includes('append-parts'),
    ).length,
  };
}
