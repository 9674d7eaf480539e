// The one interrupt rule of the long commands (sweep, pipeline, exec, ui): the first SIGINT or
// SIGTERM lets the command wind down (its signal aborts), a second ends it at once, and the exit
// code is 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), as a shell reports it.
// The process-level tests (test/sweeps/sweep-interrupt.test.ts, exec-cli.test.ts, test/ui/)
// send real signals; here runCli takes them from a test's source.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { listenForInterrupts } from '../../src/cli/_interrupts.js';
import { runCli } from '../../src/cli/run-cli.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { cliSandbox, copyFixture, isAlive, trialPids, waitFor } from '../sweeps/sweep-helpers.js';
import { testInterrupts } from './_in-process.js';

const sandbox = cliSandbox('ml-tracking-cli-interrupts-');

describe('listenForInterrupts', () => {
  it('aborts at the first signal, and exits with 128 + the second one', () => {
    const source = testInterrupts();
    const exits: number[] = [];
    const interrupts = listenForInterrupts(source, (code) => exits.push(code));
    expect(interrupts.signal.aborted).toBe(false);
    source.interrupt('SIGTERM');
    expect(interrupts.signal.aborted).toBe(true);
    expect(interrupts.interruptedBy()).toBe('SIGTERM');
    expect(exits).toEqual([]);
    source.interrupt('SIGINT');
    expect(exits).toEqual([130]);
    interrupts.stop();
    source.interrupt('SIGTERM');
    expect(exits).toEqual([130]);
  });
});

describe('runCli on a sweep of slow trials', () => {
  /** `ml-tracking sweep` in-process on the slow fixture, once `trials` trials run. */
  async function startSweep(name: string) {
    const config = await copyFixture('slow', join(sandbox.folder, name), { max_runs: 2 });
    const pids = join(sandbox.folder, `${name}-pids`);
    await mkdir(pids);
    vi.stubEnv('SLOW_TRIAL_SECONDS', '60');
    vi.stubEnv('SLOW_TRIAL_PID_DIR', pids);
    const interrupts = testInterrupts();
    const exits: number[] = [];
    let stdout = '';
    const store = join(sandbox.folder, `${name}-store`);
    const sink = { write: (text: string) => void (stdout += text) };
    const ended = runCli(['sweep', '--config', config, '--store', store], {
      stdout: sink,
      stderr: sink,
      env: { ...process.env, ML_TRACKING_STORE: '' },
      interrupts,
      exit: (code) => exits.push(code),
    }).finally(() => vi.unstubAllEnvs());
    await waitFor('a trial process', async () => (await trialPids(pids)).length === 1);
    return { ended, interrupts, exits, store, pids, output: () => stdout };
  }

  it('SIGTERM: the running trial is stopped, its run closed, and the code is 143', async () => {
    const sweep = await startSweep('term');
    sweep.interrupts.interrupt('SIGTERM');
    expect(await sweep.ended).toBe(143);
    expect(sweep.exits).toEqual([]);
    expect(sweep.output()).toContain('ml-tracking: SIGTERM: stopping the running trials');
    const runs = await listRuns({ store: sweep.store });
    expect(runs.map((run) => run.status)).toEqual(['failed']);
    for (const { pid } of await trialPids(sweep.pids)) expect(isAlive(pid)).toBe(false);
  }, 30_000);

  it('a second Ctrl-C ends the wait at once: 130, and the process is told to exit', async () => {
    const sweep = await startSweep('twice');
    sweep.interrupts.interrupt('SIGINT');
    sweep.interrupts.interrupt('SIGINT');
    expect(await sweep.ended).toBe(130);
    expect(sweep.exits).toEqual([130]);
    // In a process, exit(130) would end it here; in-process, the agent still closes its trial
    // and run in the background: wait for that, so the test leaves nothing writing behind it.
    await waitFor('the trial to be stopped', async () =>
      (await trialPids(sweep.pids)).every(({ pid }) => !isAlive(pid)),
    );
    await waitFor('the run to be closed', async () =>
      (await listRuns({ store: sweep.store })).every((run) => run.status !== 'running'),
    );
  }, 30_000);
});
