/**
 * The experiment classes from Python (issue 20): the scripts of `test/fixtures/python-experiments/`
 * run with python3 as a user runs them, against the built CLI (`experiment check|commit` and the
 * `run-sink` child that owns each run). Every check reads the store.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, listRuns, openStore, type Store } from '../../src/index.js';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { openFakeStore } from '../runs/_run-stores.js';
import { startGcsFake } from '../support/gcs-fake/index.js';
import { runProcess } from '../support/processes.js';
import { BUILT_CLI, root } from '../support/programs.js';
import { python, pythonEnvironment, SKIP_NO_PYTHON } from '../support/python.js';

const fixtures = join(root, 'test/fixtures/python-experiments');
const pythonIt = python === undefined ? it.skip : it;
if (python === undefined) console.warn(`python-experiments: skipped: ${SKIP_NO_PYTHON}`);
const TRACKER = experimentTrackerPath('soil-texture');

/** Runs a fixture script with the client from this repository and the CLI from dist/. */
async function runScript<T>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const result = await runProcess(python!, [join(fixtures, script), ...args], {
    cwd: folder,
    // The fixtures import their shared _forest.py.
    env: pythonEnvironment({ PYTHONPATH: `${join(root, 'clients/python')}:${fixtures}`, ...env }),
  });
  if (result.code !== 0) throw new Error(`${script} exited with ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as T;
}

interface RunResult {
  status: string;
  run_id: string | null;
  row: Record<string, unknown>;
  tracker: string | null;
}
type Outcome =
  | { result: RunResult; stages: string[] }
  | {
      error: string;
      code: string;
      message: string;
      is_validation: boolean;
      is_duplicate: boolean;
      model_name: string | null;
      stages: string[];
    };

let folder: string;
let counter = 0;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-python-experiments-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** Where a case's stores are: folders of one local folder, or of one bucket on the GCS fake. */
interface Backend {
  /** A new store (absent until something writes it): its URL, and the store opened on it. */
  newStore(): Promise<{ path: string; store: Store }>;
  /** What the scripts' environment needs to reach the stores. */
  env: Record<string, string>;
  close(): Promise<void>;
}

function localBackend(): Promise<Backend> {
  return Promise.resolve({
    newStore: async () => {
      counter += 1;
      const path = join(folder, `store-${counter}`);
      return { path, store: await openStore(path) };
    },
    env: {},
    close: () => Promise.resolve(),
  });
}

async function gcsFakeBackend(): Promise<Backend> {
  const fake = await startGcsFake();
  const prefix = `python-experiments-${Date.now()}`;
  return {
    newStore: async () => {
      counter += 1;
      const folder = `${prefix}/store-${counter}`;
      return { path: `gs://runs-bucket/${folder}`, store: await openFakeStore(fake, folder) };
    },
    env: { STORAGE_EMULATOR_HOST: fake.host },
    close: () => fake.stop(),
  };
}

const trackerRows = async (store: Store) => (await ModelTracker.load(store, TRACKER)).toRecords();

function summaryOf(run: RunRecord): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(run.summary).map(([tag, value]) => [tag, value.last]));
}

// The tier runs on both kinds of store the issue names.
describe.each([
  ['a local folder', localBackend],
  ['GCS (the fake)', gcsFakeBackend],
] as const)('Experiment from Python, on %s', (kind, makeBackend) => {
  // Debug mode (no store), the original's names and the supervised scoring are the Python side's
  // alone, the same on any store: they run on the local folder; the fake runs every case in
  // which the engine reads or commits a tracker.
  const pythonSideIt = kind === 'a local folder' ? pythonIt : () => undefined;
  let backend: Backend;
  beforeAll(async () => {
    backend = await makeBackend();
  });
  afterAll(() => backend.close());
  const newStore = () => backend.newStore();
  const script = <T>(name: string, args: string[], env: Record<string, string> = {}) =>
    runScript<T>(name, args, { ...backend.env, ...env });

  pythonIt(
    'each duplicate policy, run after run: error, skip, duplicate and overwrite as in TypeScript',
    async () => {
      const { path, store } = await newStore();
      const outcomes = await script<Record<string, Outcome>>('policies.py', [path]);

      // No policy, or an unknown one: a ValidationError before any stage.
      for (const label of ['missing', 'unknown']) {
        expect(outcomes[label]).toMatchObject({
          error: 'ValidationError',
          code: 'ERR_VALIDATION',
          stages: [],
        });
      }
      const first = outcomes.first as { result: RunResult; stages: string[] };
      expect(first.stages).toEqual(['preprocess', 'train', 'evaluate']);
      expect(first.result).toMatchObject({ status: 'recorded', tracker: TRACKER });
      const firstId = first.result.run_id!;

      // skip and error decide before any stage: nothing ran, and no run was started.
      expect(outcomes.skip).toEqual({
        result: { status: 'skipped', run_id: null, row: first.result.row, tracker: TRACKER },
        stages: [],
      });
      expect(outcomes.error).toMatchObject({
        error: 'DuplicateModelError',
        code: 'ERR_CONFLICT',
        is_duplicate: true,
        model_name: 'rf-200',
        stages: [],
      });
      expect((outcomes.error as { message: string }).message).toContain('on_duplicate="overwrite"');

      const duplicated = (outcomes.duplicate as { result: RunResult }).result;
      const overwritten = (outcomes.overwrite as { result: RunResult }).result;
      expect(duplicated.status).toBe('recorded');
      expect(overwritten.status).toBe('recorded');
      // duplicate added a second row; overwrite replaced both with its own.
      expect((await trackerRows(store)).map((row) => row.run_id)).toEqual([overwritten.run_id]);

      // Three runs, each finished, each an experiment's, with the stage timings in its summary.
      const runs = await listRuns({ store });
      expect(runs.map((run) => run.id).sort()).toEqual(
        [firstId, duplicated.run_id, overwritten.run_id].sort(),
      );
      for (const run of runs) {
        expect(run).toMatchObject({
          status: 'finished',
          origin: 'experiment',
          experiment: 'rf-200',
          name: 'rf-200',
          project: 'soil-texture',
          hyperparameters: { trees: 200, depth: null },
        });
        const summary = summaryOf(run);
        expect(Object.keys(summary).sort()).toEqual(
          [
            'accuracy',
            'loss',
            'stage_seconds/evaluate',
            'stage_seconds/preprocess',
            'stage_seconds/train',
          ].sort(),
        );
        expect(summary['stage_seconds/train']).toBeGreaterThanOrEqual(0.02);
      }
      // The row: the run's timings and results, under the columns TypeScript writes.
      const [row] = await trackerRows(store);
      const overwrittenRun = runs.find((run) => run.id === overwritten.run_id)!;
      expect(row).toMatchObject({
        model_name: 'rf-200',
        run_id: overwritten.run_id,
        project: 'soil-texture',
        status: 'finished',
        started_at: overwrittenRun.startedAt.toISOString(),
        train_seconds: summaryOf(overwrittenRun)['stage_seconds/train'],
        accuracy: 1,
        hyperparameters: { trees: 200, depth: null },
      });
      await store.close();
    },
  );

  pythonIt('"skip" at the commit keeps the row another run recorded meanwhile', async () => {
    const { path, store } = await newStore();
    const kept = await script<{ result: RunResult; other: string }>('commit_policy.py', [
      path,
      'skip',
    ]);
    expect(kept.result.status).toBe('skipped');
    expect(kept.result.run_id).not.toBe(kept.other);
    expect(kept.result.row.run_id).toBe(kept.other);
    expect((await trackerRows(store)).map((row) => row.run_id)).toEqual([kept.other]);
    // The run trained and ended well: only its row was not wanted.
    expect((await getRun(kept.result.run_id!, { store })).status).toBe('finished');
    await store.close();
  });

  pythonIt(
    'a stage that raises: the exception as it was, the run failed with the stage named, no row',
    async () => {
      const { path, store } = await newStore();
      const failed = await script<{ raised: string; run_id: string }>('failing_stage.py', [path]);
      expect(failed.raised).toBe('loss diverged at step 3');
      const run = await getRun(failed.run_id, { store });
      expect(run.status).toBe('failed');
      expect(run.error).toBe('train failed: FloatingPointError: loss diverged at step 3');
      expect(await store.stat(TRACKER)).toBeUndefined();
      await store.close();
    },
  );

  pythonSideIt(
    'debug mode runs the stages, writes nothing and calls no command (the store stays empty)',
    async () => {
      const { path, store } = await newStore();
      // Any call of the CLI would fail the script: debug mode must make none.
      const debugged = await script<Record<string, { result: RunResult; stages: string[] }>>(
        'debug_mode.py',
        [path],
        { ML_TRACKING_CLI: 'false' },
      );
      expect((await store.list()).objects).toEqual([]);
      await store.close();
      expect(debugged.replaces!.stages).toEqual(['preprocess_debug', 'train', 'evaluate']);
      expect(debugged.after_preprocess!.stages).toEqual([
        'preprocess',
        'preprocess_debug(data)',
        'train',
        'evaluate',
      ]);
      expect(debugged.no_debug_stage!.stages).toEqual(['preprocess', 'train', 'evaluate']);
      for (const { result } of Object.values(debugged)) {
        expect(result).toMatchObject({ status: 'debug', run_id: null, tracker: null });
        expect(result.row).toMatchObject({ status: 'debug' });
        expect(result.row).not.toHaveProperty('run_id');
      }
      expect(debugged.replaces!.result.row).toHaveProperty('preprocess_debug_seconds');
      expect(debugged.replaces!.result.row).not.toHaveProperty('preprocess_seconds');
      // A SupervisedExperiment scores in Python alone, under the engine's metric name.
      expect(debugged.supervised!.result.row).toMatchObject({ overall_accuracy: 1 });
    },
  );

  pythonSideIt(
    "the original's names: preprocessing_steps, train_model, evaluate_model (self.results), run_experiment(dupe_model_nms=)",
    async () => {
      const { path, store } = await newStore();
      const { debug, recorded } = await script<{ debug: RunResult; recorded: RunResult }>(
        'aliases.py',
        [path],
      );
      // debug_skips_preprop_steps = False: preprocessing_steps, then preprocessing_debug.
      expect(debug.row).toMatchObject({ status: 'debug', n: 10 });
      expect(debug.row).toHaveProperty('preprocess_seconds');
      expect(debug.row).toHaveProperty('preprocess_debug_seconds');
      expect(recorded.status).toBe('recorded');
      expect(await trackerRows(store)).toEqual([
        expect.objectContaining({
          model_name: 'original-forest',
          run_id: recorded.run_id,
          accuracy: 1,
          n: 60,
        }),
      ]);
      await store.close();
    },
  );

  pythonSideIt(
    `SupervisedExperiment evaluates through log_experiment and links the prediction to its run (${
      spawnSync(python ?? 'python3', ['-c', 'import sklearn']).status === 0
        ? 'scikit-learn'
        : 'a plain-Python model: this python3 has no scikit-learn'
    })`,
    async () => {
      const { path, store } = await newStore();
      const { result, prediction_id: predictionId } = await script<{
        result: RunResult;
        prediction_id: string;
      }>('supervised.py', [path]);
      expect(result.status).toBe('recorded');
      const [row] = await trackerRows(store);
      expect(row).toMatchObject({ run_id: result.run_id, prediction_id: predictionId });
      expect(row!.f1_macro).toEqual(expect.any(Number));
      expect(row!.roc_auc).toEqual(expect.any(Number)); // y_score went through
      const run = await getRun(result.run_id!, { store });
      expect(run.predictionIds).toEqual([predictionId]);
      expect(summaryOf(run).f1_macro).toBe(row!.f1_macro);
      await store.close();
    },
  );

  pythonIt(
    'under ml-tracking exec, the experiment joins the run exec opened: one run, its row, its timings',
    async () => {
      const { path, store } = await newStore();
      const result = await runProcess(
        process.execPath,
        [BUILT_CLI, 'exec', '--project', 'soil', '--store', path, '--', python!, 'under_exec.py'],
        {
          cwd: fixtures,
          env: pythonEnvironment(backend.env),
        },
      );
      expect(result.code, result.stderr).toBe(0);
      const answer = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as RunResult;
      const runs = await listRuns({ store });
      // exec's run alone: the experiment opened none of its own.
      expect(runs.map((run) => [run.id, run.origin, run.status])).toEqual([
        [answer.run_id, 'exec', 'finished'],
      ]);
      expect(answer).toMatchObject({ status: 'recorded', tracker: TRACKER });
      expect((await trackerRows(store)).map((row) => row.run_id)).toEqual([answer.run_id]);
      expect(summaryOf(runs[0]!)).toMatchObject({ accuracy: 1, loss: 1 / 3 });
      expect(summaryOf(runs[0]!)['stage_seconds/train']).toBeGreaterThanOrEqual(0.02);
      await store.close();
    },
  );

  pythonIt(
    '"error" at the commit refuses a row recorded while it trained, and its run says failed',
    async () => {
      const { path, store } = await newStore();
      const refused = await script<{ error: string; code: string; other: string }>(
        'commit_policy.py',
        [path, 'error'],
      );
      expect(refused).toMatchObject({ error: 'DuplicateModelError', code: 'ERR_CONFLICT' });
      // The other run's row alone: this run's row was refused by the policy at the commit.
      expect((await trackerRows(store)).map((row) => row.run_id)).toEqual([refused.other]);
      const runs = await listRuns({ store });
      expect(runs).toHaveLength(2);
      const mine = runs.find((run) => run.id !== refused.other)!;
      expect(mine.status).toBe('failed');
      expect(mine.error).toContain('already has a row');
      expect(runs.find((run) => run.id === refused.other)!.status).toBe('finished');
      await store.close();
    },
  );
});
