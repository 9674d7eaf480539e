// The sweep page says, for each early-stopped trial, which rule stopped it and at which rung and
// step (issue 24); trials that ran to their end say nothing.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { openStore, startRun } from '../../src/index.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import type { SweepDetail } from '../../src/ui/api.js';
import { createUiApp } from '../../src/ui/server/create-ui-app.js';

it('GET /api/sweeps/:id gives each trial its stopping rule, rung and step', async () => {
  const store = await openStore(`memory://ui-stopped-by-${randomUUID()}`);
  const sweepId = `sweep-${randomUUID().slice(0, 8)}`;
  await createSweepRecords(store, {
    sweepId,
    project: 'soil',
    createdAt: new Date().toISOString(),
    seed: 7,
    trialCount: 3,
    configFolder: '/tmp',
    config: {
      hyperparameters: { lr: { type: 'uniform', min: 0.001, max: 0.3 } },
      method: 'tpe',
      early_terminate: { type: 'hyperband', min_iter: 3, eta: 3 },
      optimization_metric: 'accuracy',
      optimization_goal: 'max',
      early_stopping: false,
    },
  });
  const reason =
    'stopped by hyperband at step 9 (rung 1): accuracy 0.5 is not in the top 1 of the 3 trials at this rung (needed ≥ 0.7)';
  const endings = [
    { status: 'finished' as const },
    { status: 'early_stopped' as const, error: reason },
    {
      status: 'early_stopped' as const,
      error:
        'stopped by median at step 6: best accuracy 0.2 is worse than the median 0.6 of 3 other trials at this step',
    },
  ];
  for (const [trial, ending] of endings.entries()) {
    const run = await startRun({
      store,
      project: 'soil',
      name: `trial-${trial}`,
      origin: 'sweep',
      sweepId,
      trial,
      hyperparameters: { lr: 0.01 * (trial + 1) },
      closeOnExit: false,
    });
    run.addScalar('accuracy', 0.7 - trial / 10, 0);
    await run.finish(ending);
  }
  const app = createUiApp(store, { loopbackHostsOnly: true });
  try {
    const response = await app.request(`/api/sweeps/${sweepId}?sort=trial&order=asc`, {
      headers: { host: '127.0.0.1:5000' },
    });
    expect(response.status).toBe(200);
    const detail = (await response.json()) as SweepDetail;
    expect(detail.trials.map((trial) => trial.stoppedBy)).toEqual([
      null,
      { rule: 'hyperband', step: 9, rung: 1, reason },
      { rule: 'median', step: 6, rung: null, reason: endings[2]!.error },
    ]);
  } finally {
    await store.close();
  }
});
