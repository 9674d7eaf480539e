// `ml-tracking sweep`, `sweep --create-only`, `sweep agent`, `sweep show` and `sweeps`, as a
// user runs them, through runCli in this process (the trials are child processes as ever).
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../src/runs/read-runs.js';
import { openStore } from '../../src/store/open-store.js';
import { getSweep } from '../../src/sweeps/list-sweeps.js';
import { progressFolder } from '../../src/layout/paths.js';
import { copyFixture, fixtureConfig, trialFixture } from '../sweeps/sweep-helpers.js';
import { recordSmartSweep } from '../support/smart-sweep-records.js';
import { recordSweepAttempts } from '../support/sweep-attempts.js';
import { cli } from './_in-process.js';

const SWEEP_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

let folder: string;
let store: string;
let sweepId: string;
let sweepRun: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-sweep-cli-'));
  store = join(folder, 'store');
  sweepRun = await cli(['sweep', '--config', fixtureConfig('python'), '--store', store]);
  sweepId = /^sweep (\S+):/m.exec(sweepRun.stdout)?.[1] ?? '';
}, 60_000);
afterAll(() => rm(folder, { recursive: true, force: true }));

/** The rows of a printed table (the lines after its header line), split on runs of spaces. */
function tableRows(stdout: string, header: RegExp): string[][] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => header.test(line));
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  return lines
    .slice(start + 1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}

describe('ml-tracking sweep', () => {
  it('creates a sweep and runs every trial, printing each as it starts and ends', () => {
    expect(sweepRun.stderr).toBe('');
    expect(sweepRun.code).toBe(0);
    expect(sweepId).toMatch(SWEEP_ID);
    const out = sweepRun.stdout;
    expect(out).toContain(`sweep ${sweepId}: 4 trials, project python-trials`);
    expect(out).toContain(`ml-tracking sweep agent ${sweepId} --store`);
    for (const trial of [0, 1, 2, 3]) {
      expect(out).toMatch(
        new RegExp(`^\\[trial ${trial}\\] started run \\S+ \\{"learning_rate":`, 'm'),
      );
      expect(out).toMatch(new RegExp(`^\\[trial ${trial}\\] finished, best [0-9.]+$`, 'm'));
      // The trial's own output, prefixed; protocol lines are not echoed.
      expect(out).toContain(`[trial ${trial}] epoch 3 done`);
    }
    expect(out).not.toContain('ml_tracking');
    expect(out).toContain(
      `agent done: 4 trials run here (4 finished); ml-tracking sweep show ${sweepId}`,
    );
  });

  it('sweep show prints the trials best first; --json parses to the same trials', async () => {
    const shown = await cli(['sweep', 'show', sweepId, '--store', store]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`sweep ${sweepId}  project python-trials  4 trials  seed 7`);
    expect(shown.stdout).toContain('4 finished');
    const rows = tableRows(
      shown.stdout,
      /^trial\s+status\s+Accuracy\s+learning_rate\s+batch_size\s+run_id/,
    );
    expect(rows).toHaveLength(4);
    const metric = rows.map((row) => Number(row[2]));
    expect(metric).toEqual([...metric].sort((a, b) => b - a));
    expect(rows.map((row) => row[1])).toEqual(['finished', 'finished', 'finished', 'finished']);

    const json = await cli(['sweep', 'show', sweepId, '--store', store, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      description: { sweepId: string; seed: number };
      trials: { trial: number; runId: string; best: number; status: string }[];
      counts: Record<string, number>;
      best: { trial: number };
    };
    const expected = await getSweep(sweepId, { store });
    expect(parsed.description).toMatchObject({ sweepId, seed: 7 });
    expect(parsed.trials.map((trial) => trial.runId)).toEqual(
      expected.trials.map((trial) => trial.runId),
    );
    expect(parsed.trials.map((trial) => trial.runId)).toEqual(rows.map((row) => row.at(-1)));
    expect(parsed.counts.finished).toBe(4);
    expect(parsed.best.trial).toBe(expected.trials[0]!.trial);
  }, 30_000);

  it('sweeps lists it with its progress and best trial; --json parses', async () => {
    const listed = await cli(['sweeps', '--store', store]);
    expect(listed.code).toBe(0);
    const best = (await getSweep(sweepId, { store })).best!;
    const rows = tableRows(listed.stdout, /^sweep_id\s+project\s+trials\s+done\s+running/);
    const row = rows.find((each) => each[0] === sweepId);
    expect(row?.slice(1, 6)).toEqual(['python-trials', '4', '4', '0', 'Accuracy']);
    expect(row?.[7]).toBe(String(best.trial));
    expect(Number(row?.[6])).toBeCloseTo(best.best!, 4);

    const json = await cli(['sweeps', '--store', store, '--json']);
    const parsed = JSON.parse(json.stdout) as { description: { sweepId: string } }[];
    expect(parsed.map((sweep) => sweep.description.sweepId)).toContain(sweepId);
  }, 30_000);

  it('--create-only prints only the new id and runs nothing; sweep agent <id> then runs it', async () => {
    const other = join(folder, 'create-only-store');
    const created = await cli([
      'sweep',
      '--create-only',
      '--config',
      fixtureConfig('failing'),
      '--store',
      other,
    ]);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    const id = created.stdout.trim();
    expect(id).toMatch(SWEEP_ID);
    expect(await listRuns({ store: other })).toEqual([]);
    const before = await cli(['sweep', 'show', id, '--store', other]);
    expect(before.stdout).toContain('no trials have run yet');

    const agent = await cli(['sweep', 'agent', id, '--store', other, '--quiet']);
    // A trial failed: the sweep is no success for a script or CI.
    expect(agent.code).toBe(1);
    // --quiet: trial starts and ends, not the trials' output; but a failed trial says why, with
    // the last lines of its standard error.
    expect(agent.stdout).toContain(
      '[trial 1] failed, best 0.1: exited with code 3\n' +
        '[trial 1] its last lines of standard error:\n' +
        '[trial 1] | something went wrong\n',
    );
    expect(agent.stdout).not.toMatch(/\] ok$/m);
    expect(agent.stdout).toContain('agent done: 4 trials run here (3 finished, 1 failed)');
    // A second agent finds nothing left to do.
    const late = await cli(['sweep', 'agent', id, '--store', other]);
    expect(late.code).toBe(0);
    expect(late.stdout).toContain('agent done: 0 trials run here');
    expect(await listRuns({ store: other })).toHaveLength(4);
  }, 30_000);

  it('runs the script next to the configuration, not one of the same name in the current folder', async () => {
    // Bug: the agent that `ml-tracking sweep` starts looked for main_script_name in the current
    // folder first, so a train.py there ran instead of the one createSweep had checked.
    const project = join(folder, 'decoy');
    await mkdir(project);
    await cp(trialFixture('python'), join(project, 'experiment'), { recursive: true });
    await writeFile(
      join(project, 'train.py'),
      'import sys\nprint("the wrong script")\nsys.exit(9)\n',
    );
    const decoyStore = join(folder, 'decoy-store');
    const result = await cli(
      ['sweep', '--config', 'experiment/experiment_cfg.json', '--store', decoyStore],
      { cwd: project },
    );
    expect(result.stdout).not.toContain('the wrong script');
    expect(result.code).toBe(0);
    const runs = await listRuns({ store: decoyStore });
    expect(runs.map((run) => run.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
  }, 30_000);
});

describe('ml-tracking sweep with a configuration that has mistakes', () => {
  async function rejected(name: string, change: Record<string, unknown>) {
    const configPath = await copyFixture('python', join(folder, `bad-${name}`), change);
    const badStore = join(folder, `bad-${name}-store`);
    const result = await cli(['sweep', '--config', configPath, '--store', badStore]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ml-tracking: Invalid /);
    // Nothing written: the store folder is absent or empty.
    const written = await readdir(badStore, { recursive: true }).catch(() => []);
    expect(written).toEqual([]);
    return lines[0]!;
  }

  it('a missing key: exit 2, one line naming it, nothing written', async () => {
    expect(await rejected('missing', { max_runs: undefined })).toContain('max_runs');
  });

  it('a wrong type: exit 2, one line naming it, nothing written', async () => {
    expect(
      await rejected('type', {
        hyperparameters: { learning_rate: { type: 'uniform', min: 'a', max: 1 } },
      }),
    ).toContain('learning_rate');
  });

  it('a missing script: exit 2, one line naming it, nothing written', async () => {
    expect(await rejected('script', { main_script_name: 'missing.py' })).toContain('missing.py');
  });

  it('a NUL byte in a candidate: exit 2, one line naming its key path, nothing written', async () => {
    const line = await rejected('nul', {
      hyperparameters: { learning_rate: { type: 'choice', candidates: [0.1, 'a\u0000b'] } },
    });
    expect(line).toContain('hyperparameters.learning_rate.candidates[1]');
  });

  // Before, the sweep was created (its objects in the store) and only the agent refused the flag.
  it.each([['0'], ['-3'], ['abc'], ['1.5'], ['']])(
    '--parallel %j: exit 2, one line naming --parallel, no sweep written',
    async (parallel) => {
      const badStore = join(folder, `bad-parallel-${parallel || 'empty'}-store`);
      const result = await cli([
        'sweep',
        '--config',
        fixtureConfig('python'),
        '--store',
        badStore,
        `--parallel=${parallel}`,
      ]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ml-tracking: Invalid --parallel: /);
      const written = await readdir(badStore, { recursive: true }).catch(() => []);
      expect(written).toEqual([]);
    },
  );

  it('a missing configuration file: exit 2, nothing written', async () => {
    const result = await cli([
      'sweep',
      '--config',
      join(folder, 'nowhere.json'),
      '--store',
      join(folder, 'nowhere'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nowhere.json');
  });
});

describe('ml-tracking sweep show and agent with a wrong id', () => {
  it('an unknown sweep: exit 1, says the store has no such sweep', async () => {
    const result = await cli(['sweep', 'show', '20261124T000000000Z-00000000', '--store', store]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^ml-tracking: No sweep with id 20261124T000000000Z-00000000 in /,
    );
  });

  it('no id: exit 2, says how to give one', async () => {
    const result = await cli(['sweep', 'agent', '--store', store]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ml-tracking sweep agent <sweep-id>');
  });

  it('an unknown action: exit 2', async () => {
    const result = await cli(['sweep', 'shwo', sweepId, '--store', store]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown sweep action');
  });

  it('no sweeps: sweeps says so', async () => {
    // An empty store that exists (a folder that does not is an error: see ids-and-missing).
    await mkdir(join(folder, 'empty-store'));
    const empty = await openStore(join(folder, 'empty-store'));
    const result = await cli(['sweeps', '--store', empty.url]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('No sweeps.');
  });
});

describe('ml-tracking sweep show, for a sweep with early_terminate', () => {
  it('says which rule stopped a trial and the rung every other trial reached, and names a record it could not read', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-sweep-rungs-'));
    const store = await openStore(folder);
    // min_iter 2, eta 2: rungs at reports 2, 4 and 8; the first trial at a rung always continues.
    const sweep = await recordSmartSweep(store, { type: 'hyperband', min_iter: 2, eta: 2 }, [
      { lr: 0.01, reports: [0.5, 0.6, 0.7, 0.8, 0.85] },
      { lr: 0.02, reports: [0.4, 0.5, 0.6, 0.65] },
    ]);
    try {
      await store.write(`${progressFolder(sweep.sweepId)}000007.json`, '[1, 2');
      const result = await cli(['sweep', 'show', sweep.sweepId, '--store', store.url]);
      expect(result.code).toBe(0);
      const rows = result.stdout.split('\n');
      expect(rows.find((row) => row.startsWith('trial'))).toMatch(/stopped by \/ reached/);
      expect(rows.find((row) => row.includes(sweep.runIds[0]!))).toMatch(
        /finished +rung 1 · step 4 /,
      );
      expect(rows.find((row) => row.includes(sweep.runIds[1]!))).toMatch(
        /early_stopped +hyperband · rung 0 · step 2 /,
      );
      expect(result.stderr).toMatch(
        new RegExp(
          `^ml-tracking: warning: skipped ${progressFolder(sweep.sweepId)}000007\\.json: it is not valid JSON`,
        ),
      );
    } finally {
      await sweep.close();
      await store.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('ml-tracking sweep show and sweeps, for a sweep whose trials ran twice', () => {
  it('counts each trial once, by its latest attempt, and marks the replaced attempts', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-sweep-attempts-'));
    const store = await openStore(folder);
    try {
      const runs = await recordSweepAttempts(store, '20261124T100000000Z-a77e3b75');
      const show = await cli(['sweep', 'show', runs.sweepId, '--store', store.url]);
      expect(show.code).toBe(0);
      const lines = show.stdout.split('\n');
      expect(lines[1]).toBe('2 finished, 1 failed');
      const row = (id: string) => lines.find((line) => line.includes(id)) ?? '';
      expect(row(runs.released)).toMatch(/ failed \(replaced\) /);
      expect(row(runs.lost)).toMatch(/ lost \(replaced\) /);
      expect(row(runs.rerun1)).toMatch(/^ +1 +finished /);
      const sweeps = await cli(['sweeps', '--json', '--store', store.url]);
      const [listed] = JSON.parse(sweeps.stdout) as { counts: Record<string, number> }[];
      expect(listed?.counts).toEqual({
        running: 0,
        finished: 2,
        failed: 1,
        early_stopped: 0,
        lost: 0,
      });
    } finally {
      await store.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
