/**
 * Several processes run the same experiment into one store at the same moment: the experiment
 * tracker must end with every row (`duplicate`) or exactly one (`overwrite`), never a lost or
 * doubled row, as the in-process race in experiment.test.ts shows for store handles. On the GCS
 * fake, a quarter of the uploads lose their answer after they committed (issue 18, defect 3): a retried
 * commit must find its own row, for every duplicate policy.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { lostUploadAnswers, startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { builtProgram } from '../support/programs.js';

const run = promisify(execFile);
const WORKER = builtProgram('test/support/experiment-workers/racing-experiment.ts');
const PROCESSES = 4;

interface WorkerResult {
  status: string;
  runId: string | null;
}

/** Starts the processes together; each evaluates at the same moment, well after all started. */
async function race(
  store: string,
  onDuplicate: 'duplicate' | 'overwrite' | 'skip' | 'error',
  env: Record<string, string> = {},
): Promise<WorkerResult[]> {
  const startAt = Date.now() + 4000;
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, () =>
      run(process.execPath, [WORKER, store, onDuplicate, String(startAt)], {
        env: { ...process.env, ...env },
      }),
    ),
  );
  return outputs.map(({ stdout }) => JSON.parse(stdout.trim()) as WorkerResult);
}

async function trackerRows(store: Store) {
  const tracker = await ModelTracker.load(store, experimentTrackerPath('racing'));
  return { rows: tracker.toRecords(), runs: await listRuns({ store, project: 'racing' }) };
}

describe(`${PROCESSES} processes running one experiment at once`, () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-racing-'));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  const rowsOfFolder = async () => {
    const store = await openStore(folder);
    try {
      return await trackerRows(store);
    } finally {
      await store.close();
    }
  };

  it('with duplicate: one row per process, none lost, none doubled', async () => {
    const results = await race(folder, 'duplicate');
    expect(results.every((result) => result.status === 'recorded')).toBe(true);
    const { rows, runs } = await rowsOfFolder();
    expect(rows.map((row) => row.run_id).sort()).toEqual(
      results.map((result) => result.runId).sort(),
    );
    expect(runs.filter((record) => record.status === 'finished')).toHaveLength(PROCESSES);
  }, 60_000);

  it('with overwrite: exactly one row, the run of one of the processes', async () => {
    const results = await race(folder, 'overwrite');
    const { rows, runs } = await rowsOfFolder();
    expect(rows).toHaveLength(1);
    expect(results.map((result) => result.runId)).toContain(rows[0]!.run_id);
    expect(runs).toHaveLength(PROCESSES);
  }, 60_000);
});

describe(`${PROCESSES} processes on the GCS fake, a quarter of the uploads losing their answer after commit`, () => {
  let fake: GcsFake;
  let url: string;
  let store: Store;
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(() => fake.stop());
  beforeEach(async () => {
    url = `gs://racing-bucket/${randomUUID()}`;
    store = await openStore(url, { storage: fake.createClient() });
    fake.injectFault(lostUploadAnswers(100_000));
  });
  afterEach(async () => {
    fake.clearFaults();
    await store.close();
  });
  const raceOnFake = (onDuplicate: 'duplicate' | 'overwrite' | 'skip' | 'error') =>
    race(url, onDuplicate, { STORAGE_EMULATOR_HOST: fake.host });

  it('duplicate: exactly one row per process', async () => {
    const results = await raceOnFake('duplicate');
    expect(results.map((result) => result.status)).toEqual(Array(PROCESSES).fill('recorded'));
    fake.clearFaults();
    const { rows, runs } = await trackerRows(store);
    expect(rows.map((row) => row.run_id).sort()).toEqual(
      results.map((result) => result.runId).sort(),
    );
    expect(runs.filter((record) => record.status === 'finished')).toHaveLength(PROCESSES);
  }, 90_000);

  it('overwrite: exactly one row in all, of a process that recorded it', async () => {
    const results = await raceOnFake('overwrite');
    fake.clearFaults();
    const { rows } = await trackerRows(store);
    expect(rows).toHaveLength(1);
    expect(results.map((result) => result.runId)).toContain(rows[0]!.run_id);
  }, 90_000);

  it('skip: one row; its process alone says recorded', async () => {
    const results = await raceOnFake('skip');
    fake.clearFaults();
    const { rows } = await trackerRows(store);
    expect(rows).toHaveLength(1);
    const recorded = results.filter((result) => result.status === 'recorded');
    expect(recorded.map((result) => result.runId)).toEqual([rows[0]!.run_id]);
    expect(results.filter((result) => result.status === 'skipped')).toHaveLength(PROCESSES - 1);
  }, 90_000);

  it('error: one row; the other processes rejected, their runs failed, not finished', async () => {
    const results = await raceOnFake('error');
    fake.clearFaults();
    const { rows, runs } = await trackerRows(store);
    expect(rows).toHaveLength(1);
    const winner = rows[0]!.run_id;
    expect(results.filter((r) => r.status === 'recorded').map((r) => r.runId)).toEqual([winner]);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(PROCESSES - 1);
    const statusOf = new Map(runs.map((record) => [record.id, record.status]));
    expect(statusOf.get(String(winner))).toBe('finished');
    // A process refused at the commit has a failed run. One that a busy machine started after the
    // winner had committed is refused before any stage, as the policy says, and has no run.
    for (const { runId } of rejected) {
      if (runId !== null) expect(statusOf.get(runId)).toBe('failed');
    }
    expect(runs.filter((record) => record.status === 'finished')).toHaveLength(1);
    expect(runs).toHaveLength(1 + rejected.filter(({ runId }) => runId !== null).length);
  }, 90_000);
});
