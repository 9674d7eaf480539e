import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { getSweep, listSweeps, openStore, startRun, type SkippedFile } from '../../src/index.js';
import { progressFolder } from '../../src/layout/paths.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import { recordSmartSweep } from '../support/smart-sweep-records.js';
import { recordSweepAttempts } from '../support/sweep-attempts.js';

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

  it('count a trial run again once, by its latest attempt, and list the replaced attempts last', async () => {
    const store = await openStore(`memory://list-sweeps-attempts-${randomUUID()}`);
    const { sweepId, released, lost, rerun0, rerun1, failed } = await recordSweepAttempts(
      store,
      '20261124T100000000Z-a77e3b75',
    );
    const sweep = await getSweep(sweepId, { store });
    expect(sweep.counts).toMatchObject({ finished: 2, failed: 1, lost: 0, running: 0 });
    expect(sweep.trials.map((t) => [t.runId, t.replaced])).toEqual([
      [rerun1, undefined],
      [rerun0, undefined],
      [failed, undefined],
      [released, true],
      [lost, true],
    ]);
    expect(sweep.best?.runId).toBe(rerun1);
    const [listed] = await listSweeps({ store, project: 'attempts' });
    expect(listed?.counts).toEqual(sweep.counts);
    await store.close();
  });

  it("give each trial of an early_terminate sweep the last rung it reached, whatever its run's status", async () => {
    const store = await openStore(`memory://list-sweeps-rungs-${randomUUID()}`);
    // min_iter 2, eta 2: rungs at reports 2, 4 and 8; the first trial at a rung always continues.
    const sweep = await recordSmartSweep(store, { type: 'hyperband', min_iter: 2, eta: 2 }, [
      { lr: 0.01, reports: [0.5, 0.6, 0.7, 0.8, 0.85] },
      { lr: 0.02, reports: [0.4, 0.5, 0.6, 0.65] },
      { lr: 0.03, reports: [0.7, 0.75, 0.8], end: 'dies' },
    ]);
    try {
      expect(sweep.stops).toEqual([
        undefined,
        expect.stringMatching(/^stopped by hyperband at step 2 \(rung 0\): accuracy 0\.5 /),
        undefined,
      ]);
      await store.write(`${progressFolder(sweep.sweepId)}000007.json`, '[1, 2');
      const skipped: SkippedFile[] = [];
      // An hour on, the dead agent's run has missed its heartbeats: lost, though its progress
      // record still says running.
      const now = new Date(Date.now() + 3_600_000);
      const { trials } = await getSweep(sweep.sweepId, {
        store,
        now,
        onSkipped: (file) => skipped.push(file),
      });
      const byTrial = [...trials].sort((a, b) => a.trial - b.trial);
      expect(byTrial.map((t) => [t.status, t.reached])).toEqual([
        ['finished', { step: 4, rung: 1, value: 0.8 }],
        ['early_stopped', { step: 2, rung: 0, value: 0.5 }],
        ['lost', { step: 2, rung: 0, value: 0.75 }],
      ]);
      expect(skipped.map((file) => file.path)).toEqual([
        `${progressFolder(sweep.sweepId)}000007.json`,
      ]);
      expect(skipped[0]?.problem).toMatch(/^it is not valid JSON/);
      // One line per sweep: listSweeps reads no progress record.
      const [listed] = await listSweeps({ store });
      expect(listed?.trials.every((t) => t.reached === undefined)).toBe(true);
    } finally {
      await sweep.close();
      await store.close();
    }
  });

  it('read no progress record for a sweep without early_terminate (a tpe sweep keeps them)', async () => {
    const store = await openStore(`memory://list-sweeps-no-rungs-${randomUUID()}`);
    const sweep = await recordSmartSweep(
      store,
      undefined,
      [{ lr: 0.01, reports: [0.5, 0.6, 0.7] }],
      { method: 'tpe' },
    );
    try {
      const listings = vi.spyOn(store, 'listAll');
      const reads = vi.spyOn(store, 'read');
      const { trials } = await getSweep(sweep.sweepId, { store });
      expect(trials.map((t) => [t.status, t.reached])).toEqual([['finished', undefined]]);
      const paths = [...listings.mock.calls, ...reads.mock.calls].map(([path]) => path ?? '');
      expect(paths.filter((path) => path.startsWith(progressFolder(sweep.sweepId)))).toEqual([]);
    } finally {
      await sweep.close();
      await store.close();
    }
  });
});
