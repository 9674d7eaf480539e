import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweep, getSweep, openStore, readScalars, runSweepAgent } from '../../src/index.js';

// In memory the store lives in the agent's process only: trials never touch it themselves, they
// print their scalars and the agent writes them, so a sweep works there as anywhere (tests and
// dry runs of a configuration).
describe('a sweep on the memory store', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-memory-sweep-'));
    await writeFile(
      join(folder, 'trial.py'),
      [
        'import argparse, json',
        'p = argparse.ArgumentParser(); p.add_argument("--x", type=float); p.add_argument("--logdir")',
        'a = p.parse_args()',
        'for step in range(3):',
        '    print(json.dumps({"ml_tracking": "scalar", "tag": "score", "value": a.x * step, "step": step}))',
      ].join('\n'),
    );
    await writeFile(
      join(folder, 'experiment_cfg.json'),
      JSON.stringify({
        main_script_name: 'trial.py',
        hyperparameters: { x: { type: 'choice', candidates: [1, 2, 3] } },
        max_runs: 3,
        method: 'grid',
        early_stopping: false,
        optimization_metric: 'score',
        optimization_goal: 'max',
      }),
    );
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('runs every trial and records their scalars', async () => {
    const store = await openStore('memory://sweep-in-memory');
    const { sweepId } = await createSweep({ config: join(folder, 'experiment_cfg.json'), store });
    const report = await runSweepAgent({ sweepId, store, cwd: folder });
    expect(report.trials.map((trial) => trial.status)).toEqual([
      'finished',
      'finished',
      'finished',
    ]);
    const sweep = await getSweep(sweepId, { store });
    expect(sweep.trials.map((trial) => [trial.hyperparameters.x, trial.best])).toEqual([
      [3, 6],
      [2, 4],
      [1, 2],
    ]);
    const best = await readScalars(sweep.best!.runId, { store });
    expect([...best.score!.value]).toEqual([0, 3, 6]);
  }, 30_000);
});
