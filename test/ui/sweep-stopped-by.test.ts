// The sweep page says, for each early-stopped trial, which rule stopped it and at which rung and
// step, and for every other trial of a sweep with early_terminate the last rung (or step) it
// reached (issue 24).
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { openStore, startRun } from '../../src/index.js';
import { progressFolder } from '../../src/layout/paths.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import { readSweepProgress, writeTrialProgress } from '../../src/sweeps/sweep-progress.js';
import type { SweepDetail } from '../../src/ui/api.js';
import { createUiApp } from '../../src/ui/server/create-ui-app.js';
import { recordSmartSweep, type PlannedTrial } from '../support/smart-sweep-records.js';

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

describe('GET /api/sweeps/:id: the rung each trial reached (issue 24)', () => {
  /** A hyperband sweep (min_iter 3, eta 3: rungs at reports 3 and 9) as one agent records it. */
  const hyperbandTrials: PlannedTrial[] = [
    { lr: 0.01, reports: [0.5, 0.55, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.91] },
    { lr: 0.02, reports: [0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 0.82, 0.85, 0.86] },
    // The best at rung 0, the worst of three at rung 1 (step 9): stopped there.
    { lr: 0.03, reports: [0.7, 0.75, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8] },
    // Passes rung 0, then its agent is killed: its progress record still says running.
    { lr: 0.04, reports: [0.82, 0.84, 0.85, 0.86], end: 'dies' },
    // Ends before its first rung.
    { lr: 0.05, reports: [0.3, 0.35] },
  ];

  it("gives every trial its last rung and step, with the run's own status, and names unreadable records", async () => {
    const store = await openStore(`memory://ui-rungs-${randomUUID()}`);
    const sweep = await recordSmartSweep(
      store,
      { type: 'hyperband', min_iter: 3, eta: 3 },
      hyperbandTrials,
    );
    try {
      expect(sweep.stops[2]).toMatch(/^stopped by hyperband at step 9 \(rung 1\): /);
      // A file of another kind dropped among the records, and a record cut short.
      await store.write(`${progressFolder(sweep.sweepId)}000098.json`, '{"trial": 98, "run');
      await store.write(`${progressFolder(sweep.sweepId)}000099.json`, '{"note": "not a trial"}');
      const app = createUiApp(store, { loopbackHostsOnly: true });
      const detail = async (): Promise<SweepDetail> => {
        const response = await app.request(`/api/sweeps/${sweep.sweepId}?sort=trial&order=asc`, {
          headers: { host: '127.0.0.1:5000' },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as SweepDetail;
      };
      // The dead agent's run stops being rewritten: readers call it lost after 4 heartbeats.
      const answer = await vi.waitFor(
        async () => {
          const body = await detail();
          expect(body.trials[3]?.status).toBe('lost');
          return body;
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(answer.trials.map((trial) => trial.status)).toEqual([
        'finished',
        'finished',
        'early_stopped',
        'lost',
        'finished',
      ]);
      expect(answer.trials.map((trial) => trial.reached)).toEqual([
        { step: 9, rung: 1, value: 0.9 },
        { step: 9, rung: 1, value: 0.85 },
        { step: 9, rung: 1, value: 0.8 },
        { step: 3, rung: 0, value: 0.85 },
        null,
      ]);
      expect(answer.trials.map((trial) => trial.stoppedBy)).toEqual([
        null,
        null,
        { rule: 'hyperband', step: 9, rung: 1, reason: sweep.stops[2] },
        null,
        null,
      ]);
      expect(answer.skipped.map((file) => file.path).sort()).toEqual([
        `${progressFolder(sweep.sweepId)}000098.json`,
        `${progressFolder(sweep.sweepId)}000099.json`,
      ]);
      expect(answer.skipped.map((file) => file.problem)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^it is not valid JSON/),
          "it is JSON but not a trial's progress record (trial, runId, values, steps, state)",
        ]),
      );
    } finally {
      await sweep.close();
      await store.close();
    }
  });

  it('reads again only the records that changed since the last answer', async () => {
    const store = await openStore(`memory://ui-rungs-${randomUUID()}`);
    const sweep = await recordSmartSweep(
      store,
      { type: 'hyperband', min_iter: 3, eta: 3 },
      hyperbandTrials.slice(0, 3),
    );
    try {
      const reads = vi.spyOn(store, 'read');
      const app = createUiApp(store, { loopbackHostsOnly: true });
      const progressReads = () =>
        reads.mock.calls.filter(([path]) => path.startsWith(progressFolder(sweep.sweepId)));
      const get = () =>
        app.request(`/api/sweeps/${sweep.sweepId}`, { headers: { host: '127.0.0.1:5000' } });
      expect((await get()).status).toBe(200);
      expect(progressReads()).toHaveLength(3);
      expect((await get()).status).toBe(200);
      expect(progressReads()).toHaveLength(3);
      // A trial reaches a new rung: its record alone is read again.
      const [record] = (await readSweepProgress(store, sweep.sweepId)).filter((r) => r.trial === 1);
      await writeTrialProgress(store, sweep.sweepId, {
        ...record!,
        steps: { 3: 0.5, 9: 0.85, 27: 0.9 },
      });
      reads.mockClear();
      const body = (await (await get()).json()) as SweepDetail;
      expect(progressReads().map(([path]) => path)).toEqual([
        `${progressFolder(sweep.sweepId)}000001.json`,
      ]);
      expect(body.trials.find((trial) => trial.trial === 1)?.reached).toEqual({
        step: 27,
        rung: 2,
        value: 0.9,
      });
    } finally {
      await sweep.close();
      await store.close();
    }
  });

  it('says only the step for the median rule, and nothing (and reads no record) without early_terminate', async () => {
    const store = await openStore(`memory://ui-rungs-${randomUUID()}`);
    const median = await recordSmartSweep(store, { type: 'median', min_iter: 2 }, [
      { lr: 0.01, reports: [0.5, 0.6, 0.7] },
      { lr: 0.02, reports: [0.4, 0.5, 0.6, 0.65, 0.7] },
    ]);
    // tpe keeps progress records (its history) though it has no rungs.
    const tpe = await recordSmartSweep(store, undefined, [{ lr: 0.01, reports: [0.5, 0.6, 0.7] }], {
      method: 'tpe',
    });
    try {
      const app = createUiApp(store, { loopbackHostsOnly: true });
      const get = async (sweepId: string) =>
        (await (
          await app.request(`/api/sweeps/${sweepId}?sort=trial&order=asc`, {
            headers: { host: '127.0.0.1:5000' },
          })
        ).json()) as SweepDetail;
      expect((await get(median.sweepId)).trials.map((trial) => trial.reached)).toEqual([
        { step: 2, rung: null, value: 0.6 },
        { step: 4, rung: null, value: 0.65 },
      ]);
      const lists = vi.spyOn(store, 'listAll');
      const reads = vi.spyOn(store, 'read');
      expect((await get(tpe.sweepId)).trials.map((trial) => trial.reached)).toEqual([null]);
      const paths = [...lists.mock.calls, ...reads.mock.calls].map(([path]) => path ?? '');
      expect(paths.filter((path) => path.includes('/progress/'))).toEqual([]);
    } finally {
      await median.close();
      await tpe.close();
      await store.close();
    }
  });
});
