// A tpe trial's suggestion is fixed once claimed (issue 24): the agent that takes a trial given
// back runs the values recorded in its claim, not a new suggestion from a history that has moved.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trialClaimPath } from '../../src/layout/paths.js';
import { createClaim } from '../../src/records/claims.js';
import type { TrialClaim } from '../../src/records/sweep-records.js';
import { openStore } from '../../src/store/open-store.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import { writeTrialProgress } from '../../src/sweeps/sweep-progress.js';
import { TPE_STARTUP_TRIALS } from '../../src/sweeps/tpe.js';
import { copySweepFolder, RUNGS_FIXTURE, runsByTrial } from './sweep-helpers.js';

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-smart-takeover-'));
});
afterAll(() => rm(folder, { recursive: true, force: true, maxRetries: 5 }));

it('runs the values recorded in a given-back claim, not a new suggestion', async () => {
  const sweepFolder = join(folder, 'sweep');
  const configPath = await copySweepFolder(RUNGS_FIXTURE, sweepFolder);
  const store = await openStore(join(folder, 'store'));
  const { sweepId } = await createSweep({ config: configPath, store });
  const claim = (trial: number, state: 'done' | 'released', values?: TrialClaim['values']) =>
    createClaim<TrialClaim>(store, trialClaimPath(sweepId, trial), {
      trial,
      runId: `run-${trial}`,
      agent: 'elsewhere:1',
      claimedAt: new Date().toISOString(),
      attempt: 1,
      state,
      ...(values === undefined ? {} : { values }),
    });
  // The start-up trials ended elsewhere; their history points TPE towards quality near 1.
  for (let trial = 0; trial < TPE_STARTUP_TRIALS; trial += 1) {
    const quality = trial / TPE_STARTUP_TRIALS;
    await claim(trial, 'done');
    await writeTrialProgress(store, sweepId, {
      trial,
      runId: `run-${trial}`,
      values: { quality },
      steps: {},
      best: quality,
      state: 'ended',
    });
  }
  // The first TPE trial was suggested 0.0123 and given back (its agent was interrupted).
  await claim(TPE_STARTUP_TRIALS, 'released', { quality: 0.0123 });
  for (let trial = TPE_STARTUP_TRIALS + 1; trial < 12; trial += 1) await claim(trial, 'done');

  const report = await runSweepAgent({ sweepId, store, cwd: sweepFolder });

  expect(report.trials.map((each) => each.trial)).toEqual([TPE_STARTUP_TRIALS]);
  const [run] = (await runsByTrial(store, sweepId)).get(TPE_STARTUP_TRIALS)!;
  expect(run!.hyperparameters).toEqual({ quality: 0.0123 });
}, 30_000);
