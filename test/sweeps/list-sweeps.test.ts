import { describe, expect, it } from 'vitest';
import { getSweep, listSweeps, openStore, startRun } from '../../src/index.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';

describe('getSweep and listSweeps', () => {
  it('rank finished and early-stopped trials by the goal; a failed trial never counts as best', async () => {
    const store = await openStore('memory://list-sweeps-ranking');
    const sweepId = '20261124T100000000Z-0badc0de';
    await createSweepRecords(store, {
      sweepId,
      project: 'ranking',
      createdAt: new Date().toISOString(),
      seed: 1,
      trialCount: 4,
      configFolder: '/nowhere',
      config: {
        main_script_name: 'train.py',
        hyperparameters: { lr: { type: 'uniform', min: 0, max: 1 } },
        max_runs: 4,
        early_stopping: false,
        optimization_metric: 'loss',
        optimization_goal: 'min',
      },
    });
    const trial = async (
      number: number,
      losses: number[],
      status: 'finished' | 'failed' | 'early_stopped',
      error?: string,
    ) => {
      const run = await startRun({
        project: 'ranking',
        store,
        origin: 'sweep',
        sweepId,
        trial: number,
        hyperparameters: { lr: number / 10 },
        closeOnExit: false,
      });
      for (const loss of losses) run.addScalar('loss', loss);
      await run.finish(error === undefined ? { status } : { status, error });
    };
    await trial(0, [0.9, 0.5], 'finished');
    await trial(1, [0.8, 0.01], 'failed'); // lowest loss, but it failed
    const reason =
      'stopped by hyperband at step 3 (rung 0): loss 0.3 is not in the top 1 of the 3 trials at this rung (needed ≤ 0.2)';
    await trial(2, [0.7, 0.3, 0.4], 'early_stopped', reason);
    await trial(3, [0.6], 'finished');

    const sweep = await getSweep(sweepId, { store });
    expect(sweep.trials.map((t) => [t.trial, t.best])).toEqual([
      [2, 0.3],
      [0, 0.5],
      [3, 0.6],
      [1, 0.01],
    ]);
    expect(sweep.best?.trial).toBe(2);
    // The dashboard and `sweep show` say which rule stopped a trial, and at which rung.
    expect(sweep.trials[0]?.stoppedBy).toEqual({ rule: 'hyperband', step: 3, rung: 0, reason });
    expect(sweep.trials.filter((t) => t.stoppedBy !== undefined)).toHaveLength(1);
    expect(sweep.counts).toMatchObject({ finished: 2, failed: 1, early_stopped: 1, running: 0 });
    const [listed] = await listSweeps({ store, project: 'ranking' });
    expect(listed?.best?.trial).toBe(2);
    expect(await listSweeps({ store, project: 'other' })).toEqual([]);
  });
});
