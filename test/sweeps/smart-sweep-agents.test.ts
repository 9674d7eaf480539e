// TPE and hyperband with 3 agent processes sharing one sweep through the store (issue 24): each
// trial number runs once, max_runs runs in all, a TPE trial runs the values recorded in its claim,
// and every early stop names its rule and step, which the recorded rung values bear out.
// Needs the built CLI: npm run build.
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { readSweepProgress } from '../../src/sweeps/sweep-progress.js';
import { TPE_STARTUP_TRIALS } from '../../src/sweeps/tpe.js';
import { openFakeStore } from '../runs/_run-stores.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { claimsByTrial, cliSandbox, runsByTrial, startCli } from './sweep-helpers.js';

const sandbox = cliSandbox('ml-tracking-smart-sweeps-');
const RUNGS_FIXTURE = fileURLToPath(new URL('../fixtures/sweeps/rungs/', import.meta.url));
const TRIALS = 12;

async function runThreeAgents(store: Store, env: Record<string, string>) {
  const folder = join(sandbox.folder, `sweep-${(sweeps += 1)}`);
  await cp(RUNGS_FIXTURE, folder, { recursive: true });
  const pids = join(folder, 'pids');
  await mkdir(pids);
  const { sweepId } = await createSweep({ config: join(folder, 'experiment_cfg.json'), store });
  const agents = [0, 1, 2].map(() => {
    const running = startCli(['sweep', 'agent', sweepId, '--store', store.url, '--quiet'], {
      cwd: folder,
      env: { SLOW_TRIAL_PID_DIR: pids, ML_TRACKING_HEARTBEAT_SECONDS: '1', ...env },
      ownProcessGroup: true,
    });
    sandbox.started.push(running);
    return running;
  });
  for (const agent of agents) expect(await agent.exited, agent.stderr).toBe(0);
  return sweepId;
}

async function checkSweep(store: Store, sweepId: string) {
  const byTrial = await runsByTrial(store, sweepId);
  // max_runs exactly, each trial number once.
  expect([...byTrial.keys()].sort((a, b) => a - b)).toEqual(
    Array.from({ length: TRIALS }, (_, trial) => trial),
  );
  const runs = [...byTrial.values()].map((each) => {
    expect(each).toHaveLength(1);
    return each[0]!;
  });
  expect(runs.every((run) => ['finished', 'early_stopped'].includes(run.status))).toBe(true);

  // A TPE trial's values are fixed in its claim, and its run ran them.
  const claims = await claimsByTrial(store, sweepId);
  for (const run of runs) {
    const recorded = claims.get(run.trial!)?.claim.values;
    if (run.trial! < TPE_STARTUP_TRIALS) expect(recorded).toBeUndefined();
    else expect(run.hyperparameters).toEqual(recorded);
  }

  // Every stop is explained, and the values recorded at its rung bear it out: the trials that had
  // recorded the rung when it was decided are still there (a rung's value is never rewritten), so
  // at least as many better values as the reason names are recorded now.
  const progress = await readSweepProgress(store, sweepId);
  const stopped = runs.filter((run) => run.status === 'early_stopped');
  expect(stopped.length).toBeGreaterThan(0);
  for (const run of stopped) {
    const match =
      /^stopped by hyperband at step (\d+) \(rung \d\): Accuracy [\d.e-]+ is not in the top (\d+) of the \d+ trials at this rung/.exec(
        run.error ?? '',
      );
    expect(match, run.error).not.toBeNull();
    const [, step, kept] = match!;
    const own = progress.find((record) => record.trial === run.trial)!;
    expect(Math.max(...Object.keys(own.steps).map(Number))).toBe(Number(step));
    const better = progress.filter(
      (record) => record.trial !== run.trial && record.steps[step!]! > own.steps[step!]!,
    );
    expect(better.length).toBeGreaterThanOrEqual(Number(kept));
  }
}

let sweeps = 0;

describe('TPE + hyperband with 3 agent processes', () => {
  it('on a local store', async () => {
    const store = await openStore(join(sandbox.folder, 'store'));
    const sweepId = await runThreeAgents(store, {});
    await checkSweep(store, sweepId);
  }, 60_000);

  describe('on GCS (fake server with preconditions)', () => {
    let fake: GcsFake;
    beforeAll(async () => {
      fake = await startGcsFake();
    });
    afterAll(() => fake.stop());

    it('runs the same way', async () => {
      const store = await openFakeStore(fake, 'smart-sweeps');
      const sweepId = await runThreeAgents(store, { STORAGE_EMULATOR_HOST: fake.host });
      await checkSweep(store, sweepId);
    }, 60_000);
  });
});
