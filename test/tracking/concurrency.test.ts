import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, trackingColumns, type Store } from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { runNodeProgramOk } from '../support/processes.js';

const PROCESSES = 16;

async function logFromProcesses(store: string, env: Record<string, string> = {}) {
  await Promise.all(
    Array.from({ length: PROCESSES }, (_, worker) =>
      runNodeProgramOk(
        'test/support/log-worker.ts',
        [store, 'Shared Project', String(worker)],
        env,
      ),
    ),
  );
}

async function expectSixteenIntactRows(store: Store) {
  const trackers = (await store.list('projects/classification/')).objects;
  expect(trackers.map((tracker) => tracker.path)).toHaveLength(1);
  const rows = parse<Record<string, string>>(await store.readText(trackers[0]!.path), {
    columns: true,
  });
  expect(rows).toHaveLength(PROCESSES);
  expect(
    new Set(rows.map((row) => JSON.parse(row.extra_parameters ?? '{}') as unknown)),
  ).toHaveProperty('size', PROCESSES);
  for (const row of rows) {
    expect(Object.keys(row)).toEqual(
      trackingColumns('classification').map((column) => column.name),
    );
    expect(row.test_set_size).toBe('50');
    // Each row's outputs exist: the row was written last.
    expect(await store.stat(`scoring/${row.prediction_id}.csv`)).toBeDefined();
  }
  const workers = rows.map(
    (row) => (JSON.parse(row.extra_parameters ?? '{}') as { workerId: number }).workerId,
  );
  expect(workers.sort((a, b) => a - b)).toEqual(
    Array.from({ length: PROCESSES }, (_, index) => index),
  );
}

describe(`${PROCESSES} processes logging to one project at once`, () => {
  let root: string;
  let fake: GcsFake;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-log-race-'));
    fake = await startGcsFake();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await fake.stop();
  });

  it('local folder: one tracker, 16 intact rows', async () => {
    await logFromProcesses(root);
    await expectSixteenIntactRows(await openStore(root));
  }, 180_000);

  it('GCS fake: one tracker, 16 intact rows', async () => {
    await logFromProcesses('gs://race/logs', { STORAGE_EMULATOR_HOST: fake.host });
    await expectSixteenIntactRows(
      await openStore('gs://race/logs', { storage: fake.createClient() }),
    );
  }, 180_000);
});
