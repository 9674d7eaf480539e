/**
 * Several processes run the same experiment into one local store at the same moment: the
 * experiment tracker must end with every row (`duplicate`) or exactly one (`overwrite`), never a
 * lost or doubled row, as the in-process race in experiment.test.ts shows for store handles.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { openStore } from '../../src/store/open-store.js';

const run = promisify(execFile);
const tsx = import.meta.resolve('tsx');
const WORKER = 'test/support/experiment-workers/racing-experiment.ts';
const PROCESSES = 4;

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-racing-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** Starts the processes together; each evaluates at the same moment, well after all started. */
async function race(onDuplicate: 'duplicate' | 'overwrite') {
  const startAt = Date.now() + 4000;
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, () =>
      run(process.execPath, ['--import', tsx, WORKER, folder, onDuplicate, String(startAt)]),
    ),
  );
  return outputs.map(
    ({ stdout }) => JSON.parse(stdout.trim()) as { status: string; runId: string | null },
  );
}

async function trackerRows() {
  const store = await openStore(folder);
  try {
    const tracker = await ModelTracker.load(store, experimentTrackerPath('racing'));
    return { rows: tracker.toRecords(), runs: await listRuns({ store, project: 'racing' }) };
  } finally {
    await store.close();
  }
}

describe(`${PROCESSES} processes running one experiment at once`, () => {
  it('with duplicate: one row per process, none lost, none doubled', async () => {
    const results = await race('duplicate');
    expect(results.every((result) => result.status === 'recorded')).toBe(true);
    const { rows, runs } = await trackerRows();
    expect(rows.map((row) => row.run_id).sort()).toEqual(
      results.map((result) => result.runId).sort(),
    );
    expect(runs.filter((record) => record.status === 'finished')).toHaveLength(PROCESSES);
  }, 60_000);

  it('with overwrite: exactly one row, the run of one of the processes', async () => {
    const results = await race('overwrite');
    const { rows, runs } = await trackerRows();
    expect(rows).toHaveLength(1);
    expect(results.map((result) => result.runId)).toContain(rows[0]!.run_id);
    expect(runs).toHaveLength(PROCESSES);
  }, 60_000);
});
