// A sweep against a real GCS server: the firebase Storage emulator. One agent only: the
// emulator ignores generation preconditions, so the create-only claims that keep several agents
// from taking one trial cannot hold there (sweep-agents.test.ts runs them on the GCS fake).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLogPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { readScalars } from '../../src/runs/read-scalars.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { getSweep } from '../../src/sweeps/list-sweeps.js';
import { sampleTrial } from '../../src/sweeps/sampling.js';
import { parseSweepConfig } from '../../src/sweeps/sweep-config.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import { startGcsEmulator, type GcsEmulator } from '../support/gcs-emulator.js';
import { fixtureConfig, readFixtureConfig } from './sweep-helpers.js';

describe('a sweep on the firebase Storage emulator', () => {
  let emulator: GcsEmulator;
  let store: Store;
  beforeAll(async () => {
    emulator = await startGcsEmulator();
    store = await openStore('gs://emulator-sweeps/folder', { storage: emulator.createClient() });
  });
  afterAll(async () => {
    await store.close();
    await emulator.stop();
  });

  it('one agent runs every trial of a Python sweep; runs, scalars and logs read back', async () => {
    const config = parseSweepConfig(await readFixtureConfig('python'));
    const { sweepId, seed } = await createSweep({ config: fixtureConfig('python'), store });
    const report = await runSweepAgent({ sweepId, store, heartbeatIntervalSeconds: 1 });
    expect(report.trials.map((trial) => trial.status)).toEqual(
      Array<string>(config.maxRuns).fill('finished'),
    );
    const runs = await listRuns({ store, sweep: sweepId });
    expect(runs.map((run) => run.trial).sort()).toEqual([0, 1, 2, 3]);
    for (const run of runs) {
      expect(run.status).toBe('finished');
      expect(run.hyperparameters).toEqual(sampleTrial(config, seed, run.trial!));
      const scalars = await readScalars(run.id, { store });
      expect([...scalars.Accuracy!.step]).toEqual([1, 2, 3]);
      const log = await store.readText(runLogPath(run.id));
      expect(log).toContain('training complete\n');
    }
    const sweep = await getSweep(sweepId, { store });
    const bests = sweep.trials.map((trial) => trial.best!);
    expect(bests).toEqual([...bests].sort((a, b) => b - a));
    expect(sweep.counts.finished).toBe(config.maxRuns);
  }, 60_000);

  it('several agents on one sweep', (context) => {
    context.skip(
      'the firebase Storage emulator ignores generation preconditions, so two agents could both claim a trial there; sweep-agents.test.ts runs several agents on the GCS fake',
    );
  });
});
