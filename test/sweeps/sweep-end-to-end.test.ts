// Sweeps end to end on a local store, with real trial processes (Python and TypeScript): what a
// user reads back after `ml-tracking sweep` is what the trials did.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { runLogPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { readScalars } from '../../src/runs/read-scalars.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { getSweep } from '../../src/sweeps/list-sweeps.js';
import type { SweepEvent } from '../../src/sweeps/run-trial.js';
import { sampleTrial } from '../../src/sweeps/sampling.js';
import { parseSweepConfig, type SweepConfig } from '../../src/sweeps/sweep-config.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import {
  copyFixture,
  fixtureConfig,
  isAlive,
  readFixtureConfig,
  trialPids,
} from './sweep-helpers.js';

let folder: string;
let count = 0;
/** A fresh local store for each sweep. */
async function freshStore(): Promise<Store> {
  count += 1;
  return openStore(join(folder, `store-${count}`));
}

/** Creates a sweep from `config` in `store` and runs it with one in-process agent. */
async function sweep(store: Store, config: string, parallel = 1) {
  const description = await createSweep({ config, store });
  const events: SweepEvent[] = [];
  const report = await runSweepAgent({
    sweepId: description.sweepId,
    store,
    parallel,
    // Sets how often an idle worker looks again too (a trial runs well within 4 s here).
    heartbeatIntervalSeconds: 1,
    onEvent: (event) => events.push(event),
  });
  const runs = await listRuns({ store, sweep: description.sweepId });
  return { description, report, events, runs };
}

/** What the python and TypeScript fixtures report for Accuracy at each epoch. */
const accuracy = (run: RunRecord, epoch: number) =>
  epoch * (run.hyperparameters.learning_rate as number) * 10 +
  (run.hyperparameters.batch_size as number) / 1000;

/**
 * Checks a sweep of the python or TypeScript fixture: one finished run per trial, the sampled
 * values within their ranges, the scalars and the log as the script printed them, and
 * getSweep's trials best first.
 */
async function expectTrainingSweep(
  store: Store,
  fixture: string,
  result: Awaited<ReturnType<typeof sweep>>,
) {
  const config: SweepConfig = parseSweepConfig(await readFixtureConfig(fixture));
  const { description, report, runs } = result;
  expect(report.interrupted).toBe(false);
  expect(report.trials.map((trial) => trial.status)).toEqual(
    Array<string>(config.maxRuns).fill('finished'),
  );
  expect(runs).toHaveLength(config.maxRuns);
  expect(runs.map((run) => run.trial).sort()).toEqual(
    Array.from({ length: config.maxRuns }, (_, trial) => trial),
  );
  for (const run of runs) {
    expect(run.status).toBe('finished');
    expect(run.origin).toBe('sweep');
    expect(run.sweepId).toBe(description.sweepId);
    expect(run.project).toBe(description.project);
    expect(run.error).toBeUndefined();
    const values = sampleTrial(config, config.seed!, run.trial!);
    expect(run.hyperparameters).toEqual(values);
    for (const [name, spec] of Object.entries(config.hyperparameters)) {
      const value = run.hyperparameters[name];
      if (spec.type === 'choice') expect(spec.candidates).toContain(value);
      else {
        expect(value).toBeGreaterThanOrEqual(spec.min);
        expect(value).toBeLessThanOrEqual(spec.max);
        if (spec.type === 'int_uniform') expect(Number.isInteger(value)).toBe(true);
      }
    }
    // The script got the values as flags, and the store as --logdir: a local store as a path
    // (argparse scripts open it as one), not a file:// URL.
    expect(run.command).toEqual(
      expect.arrayContaining([
        `--learning_rate=${String(values.learning_rate)}`,
        `--batch_size=${String(values.batch_size)}`,
        `--logdir=${fileURLToPath(store.url)}`,
      ]),
    );

    const scalars = await readScalars(run.id, { store });
    expect(Object.keys(scalars).sort()).toEqual(['Accuracy', 'loss']);
    expect([...scalars.Accuracy!.step]).toEqual([1, 2, 3]);
    expect([...scalars.Accuracy!.value]).toEqual([1, 2, 3].map((epoch) => accuracy(run, epoch)));
    expect([...scalars.loss!.value]).toEqual([1, 1 / 2, 1 / 3]);
    expect(run.summary.Accuracy).toMatchObject({
      last: accuracy(run, 3),
      lastStep: 3,
      max: accuracy(run, 3),
      count: 3,
    });

    const log = await store.readText(runLogPath(run.id));
    expect(log).toContain(`logdir ${fileURLToPath(store.url)}\n`);
    for (const epoch of [1, 2, 3]) expect(log).toContain(`epoch ${epoch} done\n`);
    expect(log).toContain('training complete\n');
    // Protocol lines are data, not log.
    expect(log).not.toContain('ml_tracking');
  }

  const summary = await getSweep(description.sweepId, { store });
  expect(summary.trials).toHaveLength(config.maxRuns);
  const bests = summary.trials.map((trial) => trial.best);
  const expectedBests = runs.map((run) => accuracy(run, 3)).sort((a, b) => b - a);
  expect(bests).toEqual(expectedBests);
  expect(summary.best?.best).toBe(expectedBests[0]);
  expect(summary.counts.finished).toBe(config.maxRuns);
  for (const trial of summary.trials) {
    expect(trial.hyperparameters).toEqual(sampleTrial(config, config.seed!, trial.trial));
  }
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-sweeps-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('a sweep on a local store', () => {
  let python: { store: Store; result: Awaited<ReturnType<typeof sweep>> };

  it('a random sweep of a Python trial: each trial a finished run with its values, scalars and log', async () => {
    const store = await freshStore();
    const result = await sweep(store, fixtureConfig('python'));
    python = { store, result };
    await expectTrainingSweep(store, 'python', result);
    // Standard error is kept in the log too.
    const log = await store.readText(runLogPath(result.runs[0]!.id));
    expect(log).toContain('a line on standard error\n');
    // What the agent reported as it went.
    const ended = result.events.filter((event) => event.type === 'trial-ended');
    expect(ended).toHaveLength(4);
    for (const event of ended) {
      const run = result.runs.find((each) => each.id === event.runId)!;
      expect(event).toMatchObject({ status: 'finished', trial: run.trial, best: accuracy(run, 3) });
    }
  }, 30_000);

  it('a TypeScript trial whose startRun() joins the trial run reports the same way', async () => {
    const store = await freshStore();
    const result = await sweep(store, fixtureConfig('typescript'), 3);
    await expectTrainingSweep(store, 'typescript', result);
  }, 40_000);

  it('the same seed twice gives every trial the same values; another seed, other values', async () => {
    const store = await freshStore();
    const again = await sweep(store, fixtureConfig('python'), 2);
    const values = (runs: RunRecord[]) =>
      Object.fromEntries(runs.map((run) => [run.trial!, run.hyperparameters]));
    expect(values(again.runs)).toEqual(values(python.result.runs));
    expect(again.description.seed).toBe(7);

    const other = await copyFixture('python', join(folder, 'python-seed-8'), { seed: 8 });
    const reseeded = await createSweep({ config: other, store });
    const config = parseSweepConfig(await readFixtureConfig('python'));
    expect(sampleTrial(config, reseeded.seed, 0)).not.toEqual(values(python.result.runs)[0]);
  }, 30_000);

  it('without a seed, the sweep draws one, records it, and its trials use it', async () => {
    const configPath = await copyFixture('python', join(folder, 'python-no-seed'), {
      seed: undefined,
      max_runs: 2,
    });
    const store = await freshStore();
    const { description, runs } = await sweep(store, configPath, 2);
    const config = parseSweepConfig(await readFixtureConfig('python'));
    expect(Number.isSafeInteger(description.seed)).toBe(true);
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.hyperparameters).toEqual(sampleTrial(config, description.seed, run.trial!));
    }
  }, 30_000);

  it('a grid sweep runs exactly the cartesian product, each point once', async () => {
    const grid = {
      learning_rate: { type: 'choice', candidates: [0.001, 0.002, 0.005] },
      batch_size: { type: 'choice', candidates: [32, 64] },
    };
    const configPath = await copyFixture('python', join(folder, 'python-grid'), {
      method: 'grid',
      hyperparameters: grid,
      max_runs: 100,
    });
    const store = await freshStore();
    const { description, runs } = await sweep(store, configPath, 3);
    expect(description.trialCount).toBe(6);
    expect(runs).toHaveLength(6);
    expect(runs.every((run) => run.status === 'finished')).toBe(true);
    const points = runs.map((run) => JSON.stringify(run.hyperparameters)).sort();
    const product = grid.learning_rate.candidates.flatMap((learning_rate) =>
      grid.batch_size.candidates.map((batch_size) => JSON.stringify({ learning_rate, batch_size })),
    );
    expect(points).toEqual(product.sort());
  }, 30_000);

  it('a grid larger than max_runs runs max_runs distinct points', async () => {
    const configPath = await copyFixture('python', join(folder, 'python-grid-capped'), {
      method: 'grid',
      hyperparameters: {
        learning_rate: { type: 'choice', candidates: [0.001, 0.002, 0.005] },
        batch_size: { type: 'int_uniform', min: 30, max: 33 },
      },
      max_runs: 5,
    });
    const store = await freshStore();
    const { runs } = await sweep(store, configPath, 3);
    expect(runs).toHaveLength(5);
    expect(new Set(runs.map((run) => JSON.stringify(run.hyperparameters))).size).toBe(5);
  }, 30_000);

  it('early stopping: a plateauing trial ends early_stopped in seconds, not its 60 s, even one that ignores SIGTERM', async () => {
    const pids = join(folder, 'plateau-pids');
    await mkdir(pids);
    vi.stubEnv('PLATEAU_PID_DIR', pids);
    try {
      const store = await freshStore();
      const started = Date.now();
      const { report, runs, events } = await sweep(store, fixtureConfig('plateau'), 2);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(report.trials.map((trial) => trial.status)).toEqual([
        'early_stopped',
        'early_stopped',
      ]);
      expect(runs).toHaveLength(2);
      for (const run of runs) {
        expect(run.status).toBe('early_stopped');
        // The rule that stopped it, and when (issue 24: each stop explained).
        expect(run.error).toMatch(
          /^stopped by early_stopping at step \d+: Accuracy has not improved for 3 values$/,
        );
        // The best value survives the stop: 0.7 first, then nothing better.
        expect(run.summary.Accuracy).toMatchObject({ max: 0.7, maxStep: 0, last: 0.6 });
        expect(run.summary.Accuracy!.count).toBeGreaterThanOrEqual(4);
        const duration = run.endedAt!.getTime() - run.startedAt.getTime();
        expect(duration).toBeLessThan(15_000);
        const log = await store.readText(runLogPath(run.id));
        expect(log).toContain('early stopping');
        expect(log).not.toContain('never stopped');
        if (run.hyperparameters.ignore_sigterm === true) {
          // Only the SIGKILL after early_stopping_grace_seconds (1 s) ended it.
          expect(duration).toBeGreaterThanOrEqual(1000);
        }
      }
      for (const event of events.filter((each) => each.type === 'trial-ended')) {
        expect(event).toMatchObject({ status: 'early_stopped', best: 0.7 });
      }
      const written = await trialPids(pids);
      expect(written.map((each) => each.trial).sort()).toEqual([0, 1]);
      for (const { pid } of written) expect(isAlive(pid)).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  }, 40_000);

  it('a failing trial ends failed with its exit code, and the sweep goes on with the next trials', async () => {
    const store = await freshStore();
    const { report, runs, events } = await sweep(store, fixtureConfig('failing'));
    // One at a time, in trial order: trials 2 and 3 ran after trial 1 failed.
    expect(report.trials.map(({ trial, status }) => [trial, status])).toEqual([
      [0, 'finished'],
      [1, 'failed'],
      [2, 'finished'],
      [3, 'finished'],
    ]);
    const byTrial = new Map(runs.map((run) => [run.trial, run]));
    const failed = byTrial.get(1)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('exited with code 3');
    expect(failed.hyperparameters).toEqual({ x: 1 });
    // What it reported before it failed is kept.
    expect(failed.summary.Accuracy?.last).toBe(0.1);
    expect(await store.readText(runLogPath(failed.id))).toContain('something went wrong\n');
    for (const trial of [0, 2, 3]) {
      expect(byTrial.get(trial)).toMatchObject({
        status: 'finished',
        hyperparameters: { x: trial },
      });
      expect(byTrial.get(trial)!.error).toBeUndefined();
    }
    const summary = await getSweep(report.sweepId, { store });
    expect(summary.counts).toMatchObject({ finished: 3, failed: 1 });
    const ended = events.filter((event) => event.type === 'trial-ended');
    expect(ended.find((event) => event.trial === 1)).toMatchObject({
      status: 'failed',
      error: 'exited with code 3',
    });
  }, 30_000);

  it('a trial whose program cannot start ends failed, says why, and the sweep goes on', async () => {
    const configPath = await copyFixture('failing', join(folder, 'no-interpreter'), {
      command: ['no-such-interpreter-for-ml-tracking'],
      max_runs: 2,
    });
    const store = await freshStore();
    const { report, runs, events } = await sweep(store, configPath);
    expect(report.trials.map(({ trial, status }) => [trial, status])).toEqual([
      [0, 'failed'],
      [1, 'failed'],
    ]);
    for (const run of runs) expect(run.error).toContain('no-such-interpreter-for-ml-tracking');
    // The agent reports the end of each trial (the CLI prints it), with the reason.
    const ended = events.filter((event) => event.type === 'trial-ended');
    expect(ended.map((event) => event.trial)).toEqual([0, 1]);
    for (const event of ended) {
      expect(event).toMatchObject({ status: 'failed' });
      expect(event.error).toContain('cannot start');
    }
  }, 30_000);

  it('optimization_goal min: getSweep ranks the lowest metric first', async () => {
    const configPath = await copyFixture('python', join(folder, 'python-min'), {
      optimization_goal: 'min',
    });
    const store = await freshStore();
    const { description, runs } = await sweep(store, configPath);
    const summary = await getSweep(description.sweepId, { store });
    const lowest = runs.map((run) => accuracy(run, 1)).sort((a, b) => a - b);
    expect(summary.trials.map((trial) => trial.best)).toEqual(lowest);
    expect(summary.best?.best).toBe(lowest[0]);
  }, 30_000);
});

describe('a configuration with mistakes', () => {
  /** Every file under `root`, relative; [] when it does not exist. */
  async function filesUnder(root: string): Promise<string[]> {
    try {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async function rejection(name: string, change: Record<string, unknown>) {
    const sweepFolder = join(folder, `bad-${name}`);
    const configPath = await copyFixture('python', sweepFolder, change);
    const storeFolder = join(folder, `bad-${name}-store`);
    const error: unknown = await createSweep({ config: configPath, store: storeFolder }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    // Nothing was written: no sweep row, description or claim, and no runs.
    expect(await filesUnder(storeFolder)).toEqual([]);
    return error as ValidationError;
  }

  it('a missing key: one ValidationError naming it, nothing written', async () => {
    const error = await rejection('missing', { max_runs: undefined });
    expect(error.message).toContain('max_runs');
  });

  it('a value of the wrong type: one ValidationError naming it, nothing written', async () => {
    const error = await rejection('type', { max_runs: 'ten' });
    expect(error.message).toContain('max_runs');
  });

  it('several mistakes: still one ValidationError, listing each', async () => {
    const error = await rejection('several', { max_runs: 'ten', early_stopping: 'no' });
    expect(error.message).toContain('max_runs');
    expect(error.message).toContain('early_stopping');
  });

  it('a script that is not there: one ValidationError naming it, nothing written', async () => {
    const error = await rejection('script', { main_script_name: 'no_such_script.py' });
    expect(error.message).toContain('no_such_script.py');
  });

  it('a file that is not JSON: one ValidationError, nothing written', async () => {
    const configPath = join(folder, 'not-json.json');
    await writeFile(configPath, '{"main_script_name": "train.py",,}');
    const storeFolder = join(folder, 'not-json-store');
    await expect(createSweep({ config: configPath, store: storeFolder })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await filesUnder(storeFolder)).toEqual([]);
  });
});
