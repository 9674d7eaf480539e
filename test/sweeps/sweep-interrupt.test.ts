// Ctrl-C on `ml-tracking sweep`: the CLI stops its running trials, closes their runs as failed
// and exits 130 (143 for SIGTERM); no trial process is left behind and no run stays `running`.
// Needs the built CLI: npm run build.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { decodeRunRecord } from '../../src/runs/run-record.js';
import { openStore } from '../../src/store/open-store.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import {
  cliSandbox,
  copyFixture,
  exitsWithin,
  isAlive,
  trialFixture,
  startCli,
  trialPids,
  waitFor,
  type CliProcess,
  claimsByTrial,
} from './sweep-helpers.js';

const sandbox = cliSandbox('ml-tracking-interrupt-');
const started = sandbox.started;
let count = 0;

/** Starts `ml-tracking sweep` on `config` and waits until `trials` trial processes run. */
async function startSweep(config: string, trials: number, extra: string[] = []) {
  count += 1;
  const storeFolder = join(sandbox.folder, `store-${count}`);
  const pids = join(sandbox.folder, `pids-${count}`);
  await mkdir(pids);
  const running = startCli(['sweep', '--config', config, '--store', storeFolder, ...extra], {
    env: { SLOW_TRIAL_SECONDS: '60', SLOW_TRIAL_PID_DIR: pids, PLATEAU_PID_DIR: pids },
  });
  started.push(running);
  const written = await waitFor(`${trials} trial processes`, async () => {
    const found = await trialPids(pids);
    return found.length === trials && found;
  });
  return { running, storeFolder, pids: written };
}

async function expectInterrupted(
  running: CliProcess,
  storeFolder: string,
  trials: number,
  exitCode = 130,
) {
  expect(await running.exited, running.stderr).toBe(exitCode);
  expect(running.stdout).toContain('stopping the running trials');
  const store = await openStore(storeFolder);
  const runs = await listRuns({ store });
  // No new trial was started after the interrupt.
  expect(runs).toHaveLength(trials);
  for (const run of runs) {
    // As stored, not only as readers judge it: the run was closed.
    const stored = decodeRunRecord(await store.readText(runPath(run.id)));
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toBe('the sweep was interrupted; the trial goes back to the queue');
    expect(stored?.endedAt).toBeInstanceOf(Date);
    // Its claim is given back: the next agent runs the trial as a new attempt.
    const claim = (await claimsByTrial(store, stored!.sweepId!)).get(stored!.trial!)?.claim;
    expect(claim).toMatchObject({ runId: run.id, state: 'released' });
  }
}

describe('Ctrl-C on ml-tracking sweep', () => {
  it('SIGINT stops the running trial, fails its run and exits 130', async () => {
    const config = await copyFixture('slow', join(sandbox.folder, 'slow'), { max_runs: 3 });
    const { running, storeFolder, pids } = await startSweep(config, 1);
    running.child.kill('SIGINT');
    await expectInterrupted(running, storeFolder, 1);
    // The CLI waited for its trial: the process is gone by the time it exits.
    for (const { pid } of pids) expect(isAlive(pid)).toBe(false);
  }, 30_000);

  it('with --parallel 2, both running trials are stopped', async () => {
    const config = await copyFixture('slow', join(sandbox.folder, 'slow-parallel'), {
      max_runs: 4,
    });
    const { running, storeFolder, pids } = await startSweep(config, 2, ['--parallel', '2']);
    running.child.kill('SIGINT');
    await expectInterrupted(running, storeFolder, 2);
    for (const { pid } of pids) expect(isAlive(pid)).toBe(false);
  }, 30_000);

  it('a trial that ignores SIGTERM is killed after the grace period', async () => {
    // The plateau grid's trial 0 stops on SIGTERM, trial 1 ignores it; run both at once, with
    // early stopping off so that only the interrupt stops them.
    const config = await copyFixture('plateau', join(sandbox.folder, 'plateau'), {
      early_stopping: false,
    });
    const { running, storeFolder, pids } = await startSweep(config, 2, ['--parallel', '2']);
    running.child.kill('SIGINT');
    await expectInterrupted(running, storeFolder, 2);
    for (const { pid } of pids) expect(isAlive(pid)).toBe(false);
  }, 30_000);

  it('SIGTERM does the same, and exits 143 (128 + 15), as a shell reports a process it ended', async () => {
    const { running, storeFolder } = await startSweep(
      await copyFixture('slow', join(sandbox.folder, 'slow-term'), { max_runs: 2 }),
      1,
    );
    running.child.kill('SIGTERM');
    await expectInterrupted(running, storeFolder, 1, 143);
  }, 30_000);
});

describe('aborting runSweepAgent', () => {
  it('an abort that lands while a trial is being started still stops that trial', async () => {
    // Bug: the trial listened for the abort only once its process was started, so an abort
    // (a Ctrl-C) during the start was never seen and the trial ran to its end (here, 60 s).
    const config = await copyFixture('slow', join(sandbox.folder, 'slow-abort'), { max_runs: 2 });
    const store = await openStore(join(sandbox.folder, 'store-abort'));
    const pids = join(sandbox.folder, 'pids-abort');
    await mkdir(pids);
    const { sweepId } = await createSweep({ config, store });
    vi.stubEnv('SLOW_TRIAL_SECONDS', '60');
    vi.stubEnv('SLOW_TRIAL_PID_DIR', pids);
    const controller = new AbortController();
    try {
      const started = Date.now();
      const report = await runSweepAgent({
        sweepId,
        store,
        signal: controller.signal,
        // Emitted after the run is created and before the process starts: the window.
        onEvent: (event) => {
          if (event.type === 'trial-started') controller.abort();
        },
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(report.interrupted).toBe(true);
      expect(report.trials).toMatchObject([{ trial: 0, status: 'failed' }]);
      const runs = await listRuns({ store });
      expect(runs.map((run) => [run.status, run.error])).toEqual([
        ['failed', 'the sweep was interrupted; the trial goes back to the queue'],
      ]);
      for (const { pid } of await trialPids(pids)) expect(isAlive(pid)).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  }, 30_000);
});

describe('Ctrl-C on a sweep of TypeScript trials that call startRun()', () => {
  // Regression: startRun()'s SIGINT/SIGTERM hooks (src/runs/_exit-hooks.ts) re-raised the signal
  // only when no other listener was left, and signal-exit (installed by proper-lockfile, which
  // src/index.ts loads with the local driver) acts only when it is alone: neither acted, so a
  // trial went on running after SIGTERM until the agent's SIGKILL at the end of
  // early_stopping_grace_seconds (20 s here). Early stopping of such trials waited the same way.
  it('SIGTERM ends the trial at once, not after the grace period', async () => {
    const config = join(trialFixture('typescript'), 'slow-epochs.json');
    count += 1;
    const pids = join(sandbox.folder, `pids-${count}`);
    await mkdir(pids);
    const storeFolder = join(sandbox.folder, `store-${count}`);
    const running = startCli(['sweep', '--config', config, '--store', storeFolder], {
      env: { EPOCH_SECONDS: '60', SLOW_TRIAL_PID_DIR: pids },
    });
    started.push(running);
    // startRun() has run (and installed its handlers) once the first epoch starts.
    await waitFor('the first epoch', () => running.stdout.includes('[trial 0] epoch 0 started'));
    running.child.kill('SIGINT');
    const exited = await exitsWithin(running, 5000);
    expect(exited, 'the sweep still waits for its trial 5 s after Ctrl-C').toBe(true);
    await expectInterrupted(running, storeFolder, 1);
    for (const { pid } of await trialPids(pids)) expect(isAlive(pid)).toBe(false);
  }, 30_000);
});
