// The median rule through a real agent (issue 24): three trials at a time on a local store; a
// trial stopped by it says so, and the other trials' records at that step bear the stop out.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { explainStop } from '../../src/sweeps/early-terminate.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import { readSweepProgress } from '../../src/sweeps/sweep-progress.js';
import { copySweepFolder, RUNGS_FIXTURE, runsByTrial } from './sweep-helpers.js';

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-smart-median-'));
});
afterAll(() => rm(folder, { recursive: true, force: true, maxRetries: 5 }));

it('stops trials below the median of the others at the same step, each stop explained', async () => {
  const sweepFolder = join(folder, 'sweep');
  const trials = 10;
  const configPath = await copySweepFolder(RUNGS_FIXTURE, sweepFolder, {
    method: 'random',
    max_runs: trials,
    early_terminate: { type: 'median', min_iter: 3 },
  });
  const store = await openStore(join(folder, 'store'));
  const { sweepId } = await createSweep({ config: configPath, store });

  const report = await runSweepAgent({ sweepId, store, cwd: sweepFolder, parallel: 3 });

  expect(report.trials.map((each) => each.trial).sort((a, b) => a - b)).toEqual(
    Array.from({ length: trials }, (_, trial) => trial),
  );
  const runs = [...(await runsByTrial(store, sweepId)).values()].flat();
  expect(runs).toHaveLength(trials);
  const progress = await readSweepProgress(store, sweepId);
  const stopped = runs.filter((run) => run.status === 'early_stopped');
  expect(stopped.length).toBeGreaterThan(0);
  for (const run of stopped) {
    const stop = explainStop(run.error);
    expect(stop?.rule, run.error).toBe('median');
    const step = String(stop!.step);
    const own = progress.find((record) => record.trial === run.trial)!.steps[step]!;
    // At least half of the 3 or more others recorded a better value at that step.
    const better = progress.filter(
      (record) => record.trial !== run.trial && record.steps[step]! > own,
    );
    expect(better.length).toBeGreaterThanOrEqual(2);
  }
  expect(runs.filter((run) => run.status === 'finished').length).toBeGreaterThan(0);
}, 60_000);
