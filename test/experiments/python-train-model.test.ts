/**
 * Python registries, train_model and reproduce (issue 21): a seed-002-style project
 * (`test/fixtures/python-train/`) in a temporary git repository, run with python3 as a user runs
 * it, against the built CLI (`train-model begin|finish|recall`, `run-sink`, `reproduce`). Every
 * check reads the store or git.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { trainModel } from '../../src/experiments/train-model.js';
import { Registry, type Samples } from '../../src/experiments/registry.js';
import { predictionsPath } from '../../src/layout/paths.js';
import { readModelRun } from '../../src/records/model-run-records.js';
import { getRun } from '../../src/runs/read-runs.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import {
  createGitProject,
  reproductionLeftovers,
  temporaryFolder,
  type GitProject,
} from '../fixtures/reproduce/git-project.js';
import { runProcess, type ProcessResult } from '../support/processes.js';
import { BUILT_CLI, root } from '../support/programs.js';
import { python, pythonEnvironment, SKIP_NO_PYTHON } from '../support/python.js';
import { NearestCentroid } from './_train-fixtures.js';

const fixtures = join(root, 'test/fixtures/python-train');
const pythonIt = python === undefined ? it.skip : it;
if (python === undefined) console.warn(`python-train-model: skipped: ${SKIP_NO_PYTHON}`);

const environment = pythonEnvironment();

interface Trained {
  run_id: string;
  prediction_id: string;
  metrics: Record<string, number>;
  warnings: string[];
  reproduced?: { run_id: string; metric_differences: Record<string, number> };
}

/** 80 samples of two overlapping classes, as CSV; `shift` moves class a (a changed source). */
function dataCsv(shift = 0): string {
  let state = 5;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const lines = ['x1,x2,label'];
  for (let index = 0; index < 80; index += 1) {
    const label = index % 2 === 0 ? 'a' : 'b';
    const center = label === 'a' ? 0 : 1;
    const x1 = center + (next() - 0.5) * 2.4 + (label === 'a' ? shift : 0);
    lines.push(`${x1},${center + (next() - 0.5) * 2.4},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What the TypeScript side trains on the same CSV (the Python Dao's reading of it). */
function samplesOf(csv: string): Samples {
  const rows = csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  return {
    x: rows.map(([x1, x2]) => [Number(x1), Number(x2)]),
    y: rows.map((row) => row[2]!),
    ids: rows.map((_, index) => `sample-${index}`),
  };
}

let folder: string;
let project: GitProject;
let storePath: string;
let store: Store;
let dataPath: string;
let first: string;

const files = ['train.py', 'model.py', 'reproduce.py', 'bad_input.py'];

/** Runs a script of the project (or python -c); resolves its process result. */
function python3(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(python!, args, { cwd: project.path, env: { ...environment, ...env } });
}

/** The last line of a script's output, as JSON; fails with its stderr when it exited non-zero. */
async function jsonOf<T>(result: ProcessResult): Promise<T> {
  if (result.code !== 0) throw new Error(`exited with ${result.code}:\n${result.stderr}`);
  return Promise.resolve(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as T);
}

const train = async (seed = 1) =>
  jsonOf<Trained>(await python3(['train.py', storePath, dataPath, String(seed)]));

const cli = (args: string[], env: Record<string, string> = {}) =>
  runProcess(process.execPath, [BUILT_CLI, ...args, '--store', storePath], {
    cwd: project.path,
    env: { ...environment, ...env },
  });

const leftovers = () => reproductionLeftovers(project);

/** Waits for `condition` (polling), failing after a generous deadline. */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  folder = await temporaryFolder('ml-tracking-python-train-');
  project = await createGitProject(folder, 'built');
  const contents: Record<string, string> = {};
  for (const file of files) contents[file] = await readFile(join(fixtures, file), 'utf8');
  contents['.gitignore'] = 'node_modules/\nml-tracking/\n__pycache__/\n';
  first = await project.commit('seed 002 project', contents);
  storePath = join(folder, 'store');
  store = await openStore(storePath);
  dataPath = join(folder, 'data.csv');
  await writeFile(dataPath, dataCsv());
}, 60_000);
afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

describe('train_model from Python', () => {
  pythonIt(
    'trains and records the run; train_model(run_id=...) gives the same metrics from the stored data after the source changed',
    async () => {
      const trained = await train(1);
      expect(trained.metrics.overall_accuracy).toBeGreaterThan(0);
      expect(trained.metrics.overall_accuracy).toBeLessThan(1);
      const row = await readModelRun(store, trained.run_id);
      expect(row).toMatchObject({
        modelClass: 'ModelImpl1',
        featureGeneratorClass: 'FeatureGeneratorImpl1',
        featureGeneratorParams: { factor: 2 },
        datasetClass: 'DataAccessObjectImpl1',
        seed: 1,
        testFraction: 0.2,
        gitCommit: first,
        gitDirty: false,
        predictionId: trained.prediction_id,
        metrics: trained.metrics,
      });
      const run = await getRun(trained.run_id, { store });
      expect(run).toMatchObject({ origin: 'train_model', status: 'finished' });
      expect(run.predictionIds).toContain(trained.prediction_id);

      // The source changes: a new run sees it, a reproduction does not.
      await writeFile(dataPath, dataCsv(3));
      try {
        const fresh = await train(1);
        expect(fresh.metrics.overall_accuracy).not.toBe(trained.metrics.overall_accuracy);
        const again = await jsonOf<Trained>(
          await python3(['reproduce.py', storePath, trained.run_id]),
        );
        expect(again.metrics).toEqual(trained.metrics);
        expect(again.reproduced).toEqual({
          run_id: trained.run_id,
          metric_differences: Object.fromEntries(
            Object.keys(trained.metrics).map((metric) => [metric, 0]),
          ),
        });
        expect(await readModelRun(store, again.run_id)).toMatchObject({
          reproduces: trained.run_id,
          artifacts: row!.artifacts,
        });
      } finally {
        await writeFile(dataPath, dataCsv());
      }
    },
    120_000,
  );

  pythonIt(
    'splits as TypeScript does: the same data and seed give the same artifact and the same test samples',
    async () => {
      const trained = await train(7);
      const registry = new Registry().model('nearest-centroid', NearestCentroid).dataset(
        'csv',
        class {
          load = () => samplesOf(dataCsv());
        },
      );
      const typescript = await trainModel({
        model: 'nearest-centroid',
        dataset: 'csv',
        kind: 'classification',
        project: 'p',
        seed: 7,
        store,
        registry,
        cwd: project.path,
        plots: false,
      });
      const [pythonRow, typescriptRow] = await Promise.all(
        [trained.run_id, typescript.runId].map((id) => readModelRun(store, id)),
      );
      expect(pythonRow!.artifacts.dataset).toBe(typescriptRow!.artifacts.dataset);
      const testIds = async (predictionId: string) =>
        (await store.readText(predictionsPath('classification', predictionId)))
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => line.split(',')[1])
          .sort();
      expect(await testIds(trained.prediction_id)).toEqual(await testIds(typescript.predictionId));
    },
    120_000,
  );

  pythonIt(
    'refuses a dirty working tree naming the files, from Python and from TypeScript, and writes nothing',
    async () => {
      await writeFile(join(project.path, 'model.py'), '# changed\n', { flag: 'a' });
      await writeFile(join(project.path, 'notes.txt'), 'not committed\n');
      const dirtyStore = join(folder, 'dirty-store');
      try {
        const result = await python3([
          '-c',
          [
            'import json, sys, train',
            'from ml_tracking import ValidationError, train_model',
            'try:',
            `    train_model(model="ModelImpl1", dataset="DataAccessObjectImpl1", dataset_params={"path": ${JSON.stringify(dataPath)}}, kind="classification", project="p", seed=1, store=${JSON.stringify(dirtyStore)})`,
            'except ValidationError as error:',
            '    print(json.dumps({"message": str(error), "parameter": error.parameter}))',
          ].join('\n'),
        ]);
        const refused = await jsonOf<{ message: string; parameter: string }>(result);
        expect(refused.parameter).toBe('allowDirty');
        expect(refused.message).toContain('M model.py');
        expect(refused.message).toContain('?? notes.txt');
        expect(existsSync(dirtyStore)).toBe(false);

        const registry = new Registry().model('nearest-centroid', NearestCentroid).dataset(
          'csv',
          class {
            load = () => samplesOf(dataCsv());
          },
        );
        const typescript = trainModel({
          model: 'nearest-centroid',
          dataset: 'csv',
          kind: 'classification',
          project: 'p',
          store: dirtyStore,
          registry,
          cwd: project.path,
        });
        await expect(typescript).rejects.toThrow(ValidationError);
        await expect(typescript).rejects.toThrow(/M model\.py, \?\? notes\.txt/);
        expect(existsSync(dirtyStore)).toBe(false);
      } finally {
        await project.git('checkout', '--', 'model.py');
        await rm(join(project.path, 'notes.txt'));
      }
    },
    120_000,
  );

  pythonIt(
    'bad registry names and bad input are ValidationErrors naming the registry, the name and the registered ones',
    async () => {
      const badStore = join(folder, 'bad-store');
      const outcomes = await jsonOf<
        Record<string, { error: string | null; message?: string; parameter?: string }>
      >(await python3(['bad_input.py', badStore, dataPath]));
      expect(outcomes.unknown_model).toMatchObject({
        error: 'ValidationError',
        parameter: 'model',
      });
      expect(outcomes.unknown_model!.message).toMatch(
        /'ModelImpl2' is not in the model registry \(registered: ModelImpl1\)\. Did you mean 'ModelImpl1'\?/,
      );
      expect(outcomes.unknown_dataset).toMatchObject({ parameter: 'dataset' });
      expect(outcomes.unknown_dataset!.message).toContain('registered: DataAccessObjectImpl1');
      expect(outcomes.unknown_feature_generator).toMatchObject({ parameter: 'feature_generator' });
      expect(outcomes.unknown_feature_generator!.message).toContain(
        "Did you mean 'FeatureGeneratorImpl1'?",
      );
      expect(outcomes.duplicate).toMatchObject({ parameter: 'model' });
      expect(outcomes.duplicate!.message).toMatch(
        /'ModelImpl1' is already registered in the model registry to the class model\.Model/,
      );
      expect(outcomes.bad_kind).toMatchObject({ error: 'ValidationError', parameter: '--kind' });
      expect(outcomes.bad_params).toMatchObject({ parameter: 'model_params' });
      // Bad input leaves nothing: not a run, not an artifact.
      expect(existsSync(badStore)).toBe(false);
    },
    120_000,
  );
});

describe('ml-tracking reproduce --entry train.py', () => {
  let original: Trained;
  let changed: string;

  beforeAll(async () => {
    if (python === undefined) return;
    original = await train(3);
    // A later commit changes the model: a reproduction must use the recorded one.
    const model = await readFile(join(project.path, 'model.py'), 'utf8');
    changed = await project.commit('always a', {
      'model.py': model.replace('return [nearest(row) for row in x]', 'return ["a" for row in x]'),
    });
  }, 120_000);
  afterAll(async () => {
    if (python !== undefined) await project.git('checkout', '--quiet', 'main');
  });

  pythonIt(
    'in place: HEAD is the recorded commit, so the entry runs in the working tree',
    async () => {
      await project.git('checkout', '--quiet', '--detach', first);
      try {
        const result = await cli(['reproduce', original.run_id, '--entry', 'train.py', '--json']);
        expect(result.code, result.stderr).toBe(0);
        const reproduced = JSON.parse(result.stdout) as {
          metrics: Record<string, number>;
          ranAt: { commit: string; worktree: boolean };
        };
        expect(reproduced.ranAt).toEqual({ commit: first, worktree: false });
        expect(reproduced.metrics).toEqual(original.metrics);
      } finally {
        await project.git('checkout', '--quiet', 'main');
      }
    },
    120_000,
  );

  pythonIt(
    'at an older commit, through the CLI and through train_model(run_id, entry): the recorded model, and the worktree is gone',
    async () => {
      const result = await cli(['reproduce', original.run_id, '--entry', 'train.py', '--json']);
      expect(result.code, result.stderr).toBe(0);
      const reproduced = JSON.parse(result.stdout) as {
        runId: string;
        metrics: Record<string, number>;
        ranAt: { commit: string; worktree: boolean };
      };
      expect(reproduced.ranAt).toEqual({ commit: first, worktree: true });
      // The changed model (always "a") would score 0.5 at best; the recorded one scores as before.
      expect(reproduced.metrics).toEqual(original.metrics);
      expect(await readModelRun(store, reproduced.runId)).toMatchObject({
        gitCommit: first,
        gitDirty: false,
        reproduces: original.run_id,
      });
      expect(await project.worktrees()).toEqual([project.path]);
      expect(await leftovers()).toEqual([]);

      // The library: without entry it says how; with it, the same reproduction.
      const refused = await jsonOf<{ error: string; message: string }>(
        await python3(['reproduce.py', storePath, original.run_id]),
      );
      expect(refused.error).toBe('ValidationError');
      expect(refused.message).toContain(`is at ${changed}`);
      expect(refused.message).toContain('--entry train.py');
      const again = await jsonOf<Trained & { ran_at: { worktree: boolean } }>(
        await python3(['reproduce.py', storePath, original.run_id, 'train.py']),
      );
      expect(again.metrics).toEqual(original.metrics);
      expect(again.ran_at.worktree).toBe(true);
      expect(await project.worktrees()).toEqual([project.path]);
    },
    120_000,
  );

  pythonIt(
    'a failing training: the error and its traceback, and the worktree is gone',
    async () => {
      const result = await cli(['reproduce', original.run_id, '--entry', 'train.py'], {
        ML_TRACKING_TEST_FAIL_FIT: '1',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('fit failed, pretend');
      expect(await project.worktrees()).toEqual([project.path]);
      expect(await leftovers()).toEqual([]);
    },
    120_000,
  );

  pythonIt(
    'Ctrl-C of reproduce (SIGINT to its process group): exit 130, the training stopped, the worktree removed',
    async () => {
      const marker = join(folder, 'fitting-ctrl-c.pid');
      const reproduce = spawn(
        process.execPath,
        [BUILT_CLI, 'reproduce', original.run_id, '--entry', 'train.py', '--store', storePath],
        {
          cwd: project.path,
          env: { ...process.env, ...environment, ML_TRACKING_TEST_SLOW_FIT: marker },
          stdio: ['ignore', 'ignore', 'pipe'],
          detached: true,
        },
      );
      let stderr = '';
      reproduce.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) =>
        reproduce.once('exit', (code) => {
          resolve(code);
        }),
      );
      await until(async () => (await readFile(marker, 'utf8').catch(() => '')) !== '', 'fit');
      const training = Number(await readFile(marker, 'utf8'));
      expect((await project.worktrees()).length).toBe(2);
      // What a terminal's Ctrl-C does: SIGINT to the whole foreground process group.
      process.kill(-reproduce.pid!, 'SIGINT');
      expect(await exited, stderr).toBe(130);
      expect(stderr).toContain('reproduce interrupted by SIGINT');
      expect(await project.worktrees()).toEqual([project.path]);
      expect(await leftovers()).toEqual([]);
      await until(() => {
        try {
          process.kill(training, 0);
          return false;
        } catch {
          return true;
        }
      }, 'the training stopped');
    },
    120_000,
  );

  pythonIt(
    'kill -9 of reproduce: its guard stops the training and removes the worktree',
    async () => {
      const marker = join(folder, 'fitting.pid');
      const reproduce = spawn(
        process.execPath,
        [BUILT_CLI, 'reproduce', original.run_id, '--entry', 'train.py', '--store', storePath],
        {
          cwd: project.path,
          env: { ...process.env, ...environment, ML_TRACKING_TEST_SLOW_FIT: marker },
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => reproduce.once('exit', resolve));
      await until(async () => (await readFile(marker, 'utf8').catch(() => '')) !== '', 'fit');
      const training = Number(await readFile(marker, 'utf8'));
      const worktree = (await project.worktrees()).find((path) => path !== project.path);
      expect(worktree).toMatch(/ml-tracking-reproduce-[^/]+\/worktree$/);

      reproduce.kill('SIGKILL');
      await exited;
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await until(async () => (await project.worktrees()).length === 1, 'the worktree removed');
      await until(() => !alive(training), 'the training stopped');
      await until(() => !existsSync(dirname(worktree!)), 'the temporary folder removed');
      expect(await project.worktrees()).toEqual([project.path]);
    },
    120_000,
  );
});
