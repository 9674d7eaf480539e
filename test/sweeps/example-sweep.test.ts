import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSweep, listRuns, openStore, readScalars, sampleTrial } from '../../src/index.js';
import { parseSweepConfig } from '../../src/sweeps/sweep-config.js';
import { cli } from './sweep-helpers.js';

// examples/sweep, exactly as the README tells users to run it: its standard-library Python
// trial, its experiment_cfg.json, and `ml-tracking sweep` in its folder.
const example = fileURLToPath(new URL('../../examples/sweep/', import.meta.url));

describe('examples/sweep', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-example-sweep-'));
    // A copy, so that the default store (./ml-tracking) is not written into the repository.
    await cp(example, folder, { recursive: true });
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('runs every trial of the shipped configuration, and the best trial learned', async () => {
    const result = await cli(['sweep', '--quiet'], { cwd: folder, env: { ML_TRACKING_STORE: '' } });
    expect(result.code, result.stderr).toBe(0);
    const config = parseSweepConfig(
      JSON.parse(await readFile(join(folder, 'experiment_cfg.json'), 'utf8')),
    );
    const store = await openStore(join(folder, 'ml-tracking'));
    try {
      const runs = await listRuns({ store, project: 'example sweep' });
      expect(runs).toHaveLength(config.maxRuns);
      const sweep = await getSweep(runs[0]!.sweepId!, { store });
      for (const trial of sweep.trials) {
        expect(['finished', 'early_stopped']).toContain(trial.status);
        // The values the Python script got are the seeded sample of its trial number.
        expect(trial.hyperparameters).toEqual(sampleTrial(config, 42, trial.trial));
      }
      // Learning rates from 1e-4 to 1 (log-uniform): the fast ones reach their lowest loss
      // within a few epochs and are stopped early, the slow ones improve to their last epoch.
      expect(sweep.best?.best).toBeLessThan(0.35);
      expect(new Set(sweep.trials.map((trial) => trial.status))).toEqual(
        new Set(['finished', 'early_stopped']),
      );
      const best = runs.find((run) => run.id === sweep.best?.runId)!;
      const loss = (await readScalars(best.id, { store, tags: ['loss'] })).loss!;
      expect(loss.step[0]).toBe(0);
      expect(Math.min(...loss.value)).toBe(sweep.best?.best);
      const log = await readFile(fileURLToPath(best.logUri!), 'utf8');
      expect(log).toContain('training with learning_rate=');
      // A trial stopped early was terminated before its last line.
      expect(log).toContain(
        best.status === 'early_stopped' ? '[ml-tracking] early stopping' : 'final weights',
      );
      expect(log).not.toContain('ml_tracking');
    } finally {
      await store.close();
    }
  }, 120_000);
});
