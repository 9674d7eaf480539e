// reproduceAtCommit: a run's training re-run at the commit it was recorded at, in a temporary
// git worktree, in a child process, through the user's entry file. First the plumbing, with a
// stand-in ml-tracking in the user's project (its trainModel reports what the child saw); then
// the real trainModel of this repository's build (npm test builds dist/ first).
import { existsSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import {
  reproduceAtCommit,
  type ReproduceAtCommitOptions,
} from '../../src/experiments/reproduce-at-commit.js';
import { trainModel, type TrainModelResult } from '../../src/experiments/train-model.js';
import { CommitNotFoundError, ReproduceError, reproduceRun } from '../../src/index.js';
import { readModelRun, writeModelRun } from '../../src/records/model-run-records.js';
import { getRun } from '../../src/runs/read-runs.js';
import { openStore } from '../../src/store/open-store.js';
import {
  createGitProject,
  reproductionLeftovers,
  temporaryFolder,
  trainInProject,
  type GitProject,
} from '../fixtures/reproduce/git-project.js';
import { dataset, lineData, modelV1, modelV2, train } from '../fixtures/reproduce/line-project.js';

/** What the stand-in's trainModel resolves. */
interface Seen {
  options: { runId: string; store: string };
  registered: string[];
  cwd: string;
  worktree: string;
  runIdVariable: string;
  storeVariable: string;
  parentRun: string | undefined;
  head: string;
  gitStatus: string;
}

const RUN_ID = '20261124T101530123Z-1a2b3c4d';

/** What this process writes on its standard output and error from now until `stop()`. */
function printedDuring() {
  const written: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }),
  );
  return {
    text: () => written.join(''),
    stop: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

describe('reproduceAtCommit: the worktree and the child process', () => {
  let folder: string;
  let project: GitProject;
  /** This project's reproductions' temporary folders still there: one must leave none behind. */
  const leftovers = () => reproductionLeftovers(project);
  let first: string;
  let second: string;
  let store: string;
  const output: string[] = [];
  const reproduce = (options: Partial<ReproduceAtCommitOptions> = {}) =>
    reproduceAtCommit({
      runId: RUN_ID,
      commit: first,
      cwd: project.path,
      entry: 'train.ts',
      store,
      onOutput: (line, stream) => output.push(`${stream}: ${line}`),
      ...options,
    });

  beforeAll(async () => {
    folder = await temporaryFolder('ml-tracking-reproduce-test-');
    project = await createGitProject(folder, 'stand-in');
    store = join(folder, 'store');
    // The entry registers the model of its commit's code; run as a script, it would train.
    first = await project.commit('first model', {
      'model.ts': "export const MODEL_NAME: string = 'model-v1';\n",
      'train.ts': [
        "import { registry } from 'ml-tracking';",
        "import { MODEL_NAME } from './model.js';",
        'registry.model(MODEL_NAME);',
        "console.log('registered', MODEL_NAME);",
        "console.error('progress on stderr');",
        '',
      ].join('\n'),
      'crash.mjs': "console.error('about to fail');\nprocess.exit(3);\n",
      'throws.mjs': "throw Object.assign(new Error('bad entry'), { code: 'ERR_BAD' });\n",
      'bug.mjs': "throw new TypeError('a bug in the model');\n",
    });
    second = await project.commit('second model', {
      'model.ts': "export const MODEL_NAME: string = 'model-v2';\n",
    });
  }, 30_000);
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('passes allowDirty on to trainModel in the child (ml-tracking reproduce --allow-dirty)', async () => {
    const result = (await reproduce({ allowDirty: true })) as unknown as { seen: Seen };
    expect(result.seen.options).toMatchObject({ runId: RUN_ID, allowDirty: true });
  });

  it("runs the commit's entry in a clean worktree at that commit, tells it the run and the store, and removes the worktree", async () => {
    const before = await leftovers();
    const result = (await reproduce()) as unknown as { runId: string; seen: Seen };
    const { seen } = result;
    expect(result.runId).toBe('stand-in-run');
    // The first commit's code registered, although HEAD is the second.
    expect(seen.registered).toEqual(['model-v1']);
    expect(seen.head).toBe(first);
    expect(await project.git('rev-parse', 'HEAD')).toBe(`${second}\n`);
    expect(seen.cwd).toBe(seen.worktree);
    expect(seen.worktree).not.toBe(project.path);
    // The store goes by an absolute URL, whatever the child's folder.
    const storeUrl = pathToFileURL(store).href;
    expect(seen.options).toEqual({ runId: RUN_ID, store: storeUrl, allowDirty: false });
    expect(seen.runIdVariable).toBe(RUN_ID);
    expect(seen.storeVariable).toBe(storeUrl);
    // The linked node_modules does not make the checkout dirty (the run records git_dirty).
    expect(seen.gitStatus).toBe('');
    // The child's output went to onOutput, each line with its stream.
    expect(output).toContain('stdout: registered model-v1');
    expect(output).toContain('stderr: progress on stderr');
    // Gone afterwards: the worktree, git's record of it, our temporary folder.
    expect(existsSync(seen.worktree)).toBe(false);
    expect(await project.worktrees()).toEqual([project.path]);
    expect(await leftovers()).toEqual(before);
    // The user's own node_modules is intact (the worktree's link to it was removed, not it).
    expect((await readdir(join(project.path, 'node_modules'))).sort()).toEqual([
      'ml-tracking',
      'tsx',
    ]);
    expect(await project.git('status', '--porcelain')).toBe('');
  }, 30_000);

  it('runs from a subfolder of the repository, with the entry relative to it', async () => {
    const sub = await project.commit('a package in a subfolder', {
      'packages/app/train.mjs': [
        "import { registry } from 'ml-tracking';",
        "registry.model('in-a-subfolder');",
        '',
      ].join('\n'),
    });
    const { seen } = (await reproduce({
      commit: sub,
      cwd: join(project.path, 'packages', 'app'),
      entry: 'train.mjs',
    })) as unknown as { seen: Seen };
    expect(seen.registered).toEqual(['in-a-subfolder']);
    expect(seen.cwd).toBe(join(seen.worktree, 'packages', 'app'));
    expect(seen.gitStatus).toBe('');
    expect(await project.worktrees()).toEqual([project.path]);
  }, 30_000);

  it('does not pass on the run this process belongs to (the reproduction is a run of its own)', async () => {
    process.env.ML_TRACKING_RUN_ID = RUN_ID;
    try {
      const { seen } = (await reproduce()) as unknown as { seen: Seen };
      expect(seen.parentRun).toBeUndefined();
    } finally {
      delete process.env.ML_TRACKING_RUN_ID;
    }
  }, 30_000);

  it("fails with the child's exit code and its last lines when it exits without a result, and still removes the worktree", async () => {
    const error = await reproduce({ entry: 'crash.mjs' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReproduceError);
    const failure = error as ReproduceError;
    expect(failure.code).toBe('ERR_REPRODUCE');
    expect(failure.exitCode).toBe(3);
    expect(failure.outputTail).toEqual(['about to fail']);
    expect(failure.message).toContain(`Cannot reproduce run ${RUN_ID} at commit ${first}`);
    expect(failure.message).toContain('exited with code 3');
    expect(failure.message).toContain('about to fail');
    expect(await project.worktrees()).toEqual([project.path]);
  }, 30_000);

  it('fails with the error the child reported (its message and code) and removes the worktree', async () => {
    const error = await reproduce({ entry: 'throws.mjs' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReproduceError);
    expect((error as ReproduceError).message).toContain('bad entry');
    expect((error as ReproduceError).childErrorCode).toBe('ERR_BAD');
    expect((error as ReproduceError).exitCode).toBe(1);
    expect(await project.worktrees()).toEqual([project.path]);
  }, 30_000);

  it("shows where a bug in the user's code is: the error's stack is in the last lines", async () => {
    const error = await reproduce({ entry: 'bug.mjs' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReproduceError);
    const failure = error as ReproduceError;
    expect(failure.message).toContain('a bug in the model');
    expect(failure.outputTail[0]).toBe('TypeError: a bug in the model');
    expect(failure.outputTail.join('\n')).toMatch(/bug\.mjs:1/);
  }, 30_000);

  it('refuses a commit the repository does not have, saying to fetch it', async () => {
    const before = await leftovers();
    const missing = 'f'.repeat(40);
    const error = await reproduce({ commit: missing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommitNotFoundError);
    expect((error as CommitNotFoundError).code).toBe('ERR_COMMIT_NOT_FOUND');
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('git fetch');
    expect(await project.worktrees()).toEqual([project.path]);
    expect(await leftovers()).toEqual(before);
  });

  it('refuses an entry that is not in the repository at that commit, and removes the worktree', async () => {
    const error = await reproduce({ entry: 'later.ts' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).parameter).toBe('entry');
    expect((error as Error).message).toContain(`later.ts does not exist at commit ${first}`);
    await expect(reproduce({ entry: join(folder, 'elsewhere.ts') })).rejects.toThrow(
      /outside the repository/,
    );
    await expect(reproduce({ entry: '../elsewhere.ts' })).rejects.toThrow(/outside the repository/);
    expect(await project.worktrees()).toEqual([project.path]);
  }, 30_000);

  it('refuses a memory store, which the child process cannot open, before making a worktree', async () => {
    const before = await leftovers();
    const byUrl = await reproduce({ store: 'memory://reproduce' }).catch(
      (caught: unknown) => caught,
    );
    expect(byUrl).toBeInstanceOf(ValidationError);
    expect((byUrl as ValidationError).parameter).toBe('store');
    expect((byUrl as Error).message).toMatch(/memory store, which another process cannot open/);
    const opened = await openStore('memory://reproduce');
    await expect(reproduce({ store: opened })).rejects.toThrow(/memory store/);
    expect(await leftovers()).toEqual(before);
  });

  it('refuses a missing entry, naming the option and the command', async () => {
    const error = await reproduce({ entry: undefined as unknown as string }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).parameter).toBe('entry');
    expect((error as Error).message).toContain('--entry');
  });

  it("prints nothing of its own: without onOutput the child's lines are dropped", async () => {
    const printed = printedDuring();
    try {
      const { seen } = (await reproduce({ onOutput: undefined })) as unknown as { seen: Seen };
      expect(seen.registered).toEqual(['model-v1']);
    } finally {
      printed.stop();
    }
    expect(printed.text()).not.toContain('registered model-v1');
    expect(printed.text()).not.toContain('progress on stderr');
  }, 30_000);

  it('trainModel({ runId, entry }) and reproduceRun decide alike: a run of an older commit trains in a worktree, its lines to onOutput, nothing printed', async () => {
    // A model_runs row recorded at the first commit; HEAD is a later one.
    const opened = await openStore(store);
    await writeModelRun(opened, {
      runId: RUN_ID,
      project: 'stand-in',
      kind: 'classification',
      modelClass: 'model-v1',
      hyperparameters: {},
      datasetClass: 'data',
      datasetParams: {},
      testFraction: 0.2,
      seed: 1,
      gitCommit: first,
      metrics: { accuracy: 1 },
      predictionId: 'original-prediction',
      artifacts: {},
      startTime: new Date(),
      endTime: new Date(),
    });
    await opened.close();
    const lines: string[] = [];
    const printed = printedDuring();
    try {
      const trained = (await trainModel({
        runId: RUN_ID,
        store,
        cwd: project.path,
        entry: 'train.ts',
        onOutput: (line, stream) => lines.push(`${stream}: ${line}`),
      })) as unknown as { runId: string; seen: Seen };
      expect(trained.runId).toBe('stand-in-run');
      expect(trained.seen.head).toBe(first);
      expect(trained.seen.registered).toEqual(['model-v1']);

      const reproduced = await reproduceRun({
        runId: RUN_ID,
        store,
        cwd: project.path,
        entry: 'train.ts',
      });
      expect(reproduced.ranAt).toEqual({ commit: first, worktree: true });
    } finally {
      printed.stop();
    }
    expect(lines).toEqual(['stdout: registered model-v1', 'stderr: progress on stderr']);
    expect(printed.text()).not.toContain('progress on stderr');
    expect(await project.worktrees()).toEqual([project.path]);
  }, 60_000);

  it('refuses a folder outside any git repository', async () => {
    const error = await reproduce({ cwd: tmpdir() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).parameter).toBe('cwd');
  });
});

describe('reproduceAtCommit: a real trainModel run, at an older commit', () => {
  let folder: string;
  let project: GitProject;
  let store: string;
  let dataFile: string;
  let first: string;
  let original: TrainModelResult;
  let atHead: TrainModelResult;

  beforeAll(async () => {
    folder = await temporaryFolder('ml-tracking-reproduce-real-');
    project = await createGitProject(folder, 'built');
    store = join(folder, 'store');
    dataFile = join(folder, 'data.json');
    await writeFile(dataFile, lineData(30, 2));
    first = await project.commit('least squares', {
      'train.ts': train,
      'dataset.ts': dataset,
      'model.ts': modelV1,
    });
    const env = { ML_TRACKING_STORE: store, DATA_FILE: dataFile };
    original = await trainInProject<TrainModelResult>(project, env);
    await project.commit('predict the mean', { 'model.ts': modelV2 });
    // The second commit's code trains to other metrics on the same data...
    atHead = await trainInProject<TrainModelResult>(project, env);
    // ...and the data source has changed since: a reproduction reads the stored data set.
    await writeFile(dataFile, lineData(30, -5));
  }, 120_000);
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('gives metrics identical to the original run, records a new run that points at it, and removes the worktree', async () => {
    expect(Object.keys(original.metrics).length).toBeGreaterThan(0);
    expect(atHead.metrics).not.toEqual(original.metrics);

    const result = await reproduceAtCommit({
      runId: original.runId,
      store,
      commit: first,
      cwd: project.path,
      entry: 'train.ts',
      onOutput: () => undefined,
    });
    expect(result.runId).not.toBe(original.runId);
    expect(result.metrics).toEqual(original.metrics);
    expect(result.reproduced?.runId).toBe(original.runId);
    const differences = result.reproduced?.metricDifferences ?? {};
    expect(Object.keys(differences).sort()).toEqual(Object.keys(original.metrics).sort());
    for (const difference of Object.values(differences)) expect(difference).toBe(0);

    const opened = await openStore(store);
    const row = await readModelRun(opened, result.runId);
    expect(row?.reproduces).toBe(original.runId);
    // Trained at the recorded commit, in a checkout git calls clean.
    expect(row?.gitCommit).toBe(first);
    expect(row?.gitDirty).toBe(false);
    const record = await getRun(result.runId, { store: opened });
    expect(record).toMatchObject({ status: 'finished', origin: 'train_model', gitCommit: first });
    expect(record.predictionIds).toEqual([result.predictionId]);

    expect(await project.worktrees()).toEqual([project.path]);
    expect(await project.git('status', '--porcelain')).toBe('');
  }, 60_000);

  it('trainModel({ runId, entry }) at a later HEAD goes through a worktree at the recorded commit', async () => {
    const result = await trainModel({
      runId: original.runId,
      store,
      cwd: project.path,
      entry: 'train.ts',
    });
    expect(result.metrics).toEqual(original.metrics);
    expect(result.reproduced?.runId).toBe(original.runId);
    expect(await project.worktrees()).toEqual([project.path]);
  }, 60_000);

  it('reproduceRun runs in a worktree when HEAD is another commit, and in place when it is the recorded one', async () => {
    const older = await reproduceRun({
      runId: original.runId,
      store,
      cwd: project.path,
      entry: 'train.ts',
      onOutput: () => undefined,
    });
    expect(older.ranAt).toEqual({ commit: first, worktree: true });
    expect(older.metrics).toEqual(original.metrics);

    const head = (await project.git('rev-parse', 'HEAD')).trim();
    const inPlace = await reproduceRun({
      runId: atHead.runId,
      store,
      cwd: project.path,
      entry: 'train.ts',
      onOutput: () => undefined,
    });
    expect(inPlace.ranAt).toEqual({ commit: head, worktree: false });
    expect(inPlace.metrics).toEqual(atHead.metrics);
    expect(inPlace.reproduced?.runId).toBe(atHead.runId);
    expect(await project.worktrees()).toEqual([project.path]);
  }, 60_000);

  it('refuses a run that is not a trainModel run, with one message from reproduceRun and trainModel', async () => {
    const fromReproduceRun = await reproduceRun({
      runId: RUN_ID,
      store,
      cwd: project.path,
      entry: 'train.ts',
    }).catch((caught: unknown) => caught);
    expect(fromReproduceRun).toBeInstanceOf(NotFoundError);
    expect((fromReproduceRun as Error).message).toMatch(
      /holds no trainModel run of that id \(only those can be reproduced\)/,
    );
    const fromTrainModel = await trainModel({ runId: RUN_ID, store, cwd: project.path }).catch(
      (caught: unknown) => caught,
    );
    expect((fromTrainModel as Error).message).toBe((fromReproduceRun as Error).message);
  });
});
