/**
 * A sweep of 3 trials in which two trials ran twice, as readers find it after a take-over: trial
 * 0's agent got SIGTERM and gave the trial back (its run `failed` with the release message), trial
 * 1's agent was lost (its run closed `lost` by the agent that took it over); each ran again and
 * finished; trial 2 failed on its own. The given-up attempts hold the lowest losses, which must
 * never be picked as the best. For the tests of what `getSweep`, `sweep show`, `sweeps` and the
 * dashboard say of such a sweep.
 */
import { startRun, type Store } from '../../src/index.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import { RELEASED_TRIAL_ERROR } from '../../src/sweeps/_trial-attempts.js';

/** The runs recorded, by role. */
export interface SweepAttempts {
  sweepId: string;
  project: string;
  released: string;
  lost: string;
  rerun0: string;
  rerun1: string;
  failed: string;
}

/** Records the sweep into `store` (goal `min` of `loss`). */
export async function recordSweepAttempts(store: Store, sweepId: string): Promise<SweepAttempts> {
  const project = 'attempts';
  await createSweepRecords(store, {
    sweepId,
    project,
    createdAt: new Date().toISOString(),
    seed: 1,
    trialCount: 3,
    configFolder: '/nowhere',
    config: {
      main_script_name: 'train.py',
      hyperparameters: { lr: { type: 'uniform', min: 0, max: 1 } },
      max_runs: 3,
      early_stopping: false,
      optimization_metric: 'loss',
      optimization_goal: 'min',
    },
  });
  const attempt = async (
    trial: number,
    loss: number,
    ending: { status: 'finished' | 'failed' | 'lost'; error?: string },
  ) => {
    const run = await startRun({
      project,
      store,
      origin: 'sweep',
      sweepId,
      trial,
      hyperparameters: { lr: trial / 10 },
      closeOnExit: false,
    });
    run.addScalar('loss', loss);
    await run.finish(ending);
    return run.id;
  };
  const released = await attempt(0, 0.01, { status: 'failed', error: RELEASED_TRIAL_ERROR });
  const lost = await attempt(1, 0.02, { status: 'lost', error: 'lease lost' });
  const rerun0 = await attempt(0, 0.5, { status: 'finished' });
  const rerun1 = await attempt(1, 0.4, { status: 'finished' });
  const failed = await attempt(2, 0.3, { status: 'failed', error: 'exited with code 1' });
  return { sweepId, project, released, lost, rerun0, rerun1, failed };
}
