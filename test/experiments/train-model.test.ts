import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededSplit, testCount } from '../../src/experiments/_split.js';
import { trainModel, type TrainModelOptions } from '../../src/experiments/train-model.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { artifactPath, runLogPath } from '../../src/layout/paths.js';
import { readModelRun } from '../../src/records/model-run-records.js';
import { getRun } from '../../src/runs/read-runs.js';
import { startRun } from '../../src/runs/start-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { findExperiment } from '../../src/tracking/find-experiment.js';
import { openRunStore, type RunStoreKind } from '../runs/_run-stores.js';
import { source, tempRepository, testRegistry, TwoBlobs } from './_train-fixtures.js';
import { createHash } from 'node:crypto';

let repository: Awaited<ReturnType<typeof tempRepository>>;
beforeAll(async () => {
  repository = await tempRepository();
});
afterAll(() => repository.remove());
afterEach(() => {
  source.shift = 0;
});

const registry = testRegistry();
const memoryStore = () => openStore(`memory://train-${randomUUID()}`);

function options(store: Store, extra: Partial<TrainModelOptions> = {}): TrainModelOptions {
  return {
    model: 'nearest-centroid',
    modelParams: { shrink: 0 },
    dataset: 'two-blobs',
    datasetParams: { n: 60 },
    kind: 'classification',
    seed: 7,
    project: 'Churn Model',
    store,
    cwd: repository.path,
    registry,
    plots: false,
    ...extra,
  };
}

async function paths(store: Store, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const object of store.listAll(prefix)) found.push(object.path);
  return found;
}

describe('trainModel', () => {
  it('records a run, its model_runs row, the tracker row and the data set as an artifact', async () => {
    const store = await memoryStore();
    const result = await trainModel(
      options(store, { featureGenerator: 'scale', featureGeneratorParams: { factor: 2 } }),
    );
    expect(result.warnings).toEqual([]);
    expect(result.metrics.overall_accuracy).toBeGreaterThan(0.5);

    const run = await getRun(result.runId, { store });
    expect(run).toMatchObject({
      project: 'churn-model',
      status: 'finished',
      origin: 'train_model',
      experiment: 'nearest-centroid',
      gitCommit: repository.head(),
      gitDirty: false,
      predictionIds: [result.predictionId],
      // The constructor's params, and what the model's params() adds.
      hyperparameters: { shrink: 0, algorithm: 'nearest-centroid' },
    });
    expect(run.summary.overall_accuracy?.last).toBe(result.metrics.overall_accuracy);

    const row = await readModelRun(store, result.runId);
    const loaded = await new TwoBlobs({ n: 60 }).load();
    // The data set as loaded (before the feature generator), canonical JSON.
    const bytes = new TextEncoder().encode(
      JSON.stringify({ ids: loaded.ids, x: loaded.x, y: loaded.y }),
    );
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(row).toEqual({
      runId: result.runId,
      project: 'churn-model',
      kind: 'classification',
      modelClass: 'nearest-centroid',
      // The constructor's params only: what a reproduction constructs the model with.
      hyperparameters: { shrink: 0 },
      featureGeneratorClass: 'scale',
      featureGeneratorParams: { factor: 2 },
      datasetClass: 'two-blobs',
      datasetParams: { n: 60 },
      testFraction: 0.2,
      seed: 7,
      gitCommit: repository.head(),
      gitDirty: false,
      metrics: result.metrics,
      predictionId: result.predictionId,
      artifacts: { dataset: artifactPath(sha256) },
      startTime: run.startedAt,
      endTime: expect.any(Date) as Date,
    });
    expect(await store.read(artifactPath(sha256))).toEqual(bytes);

    const logged = await findExperiment(store, result.predictionId);
    expect(logged.project).toBe('churn-model');
    expect(logged.fields.test_set_size).toBe(12);
    expect(logged.metrics.overall_accuracy).toBe(result.metrics.overall_accuracy);
    expect(logged.fields.dataset_uri).toBe(`${store.url}/${artifactPath(sha256)}`);
  });

  it('splits by the seed alone: the same inputs give the same test set and identical metrics', async () => {
    const store = await memoryStore();
    const first = await trainModel(options(store));
    const second = await trainModel(options(store));
    const third = await trainModel(options(store, { seed: 8 }));
    expect(second.metrics).toEqual(first.metrics);
    const testSet = async (predictionId: string) =>
      (await findExperiment(store, predictionId)).fields.test_set_sha256;
    expect(await testSet(second.predictionId)).toBe(await testSet(first.predictionId));
    expect(await testSet(third.predictionId)).not.toBe(await testSet(first.predictionId));

    expect(seededSplit(60, 0.2, 7)).toEqual(seededSplit(60, 0.2, 7));
    const split = seededSplit(60, 0.2, 7);
    expect(split.test).toHaveLength(12);
    expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );
    expect([testCount(2, 0.01), testCount(2, 0.99), testCount(10, 0.25)]).toEqual([1, 1, 3]);
  });

  for (const kind of ['memory', 'local', 'gcs-fake'] as RunStoreKind[]) {
    it(`stores a data set once however many runs train on it (${kind})`, async () => {
      const subject = await openRunStore(kind);
      try {
        const store = subject.store;
        await Promise.all([
          trainModel(options(store)),
          trainModel(options(store, { seed: 1 })),
          trainModel(options(store, { modelParams: { shrink: 0.1 } })),
        ]);
        await trainModel(options(store, { seed: 2 }));
        expect(await paths(store, 'artifacts/')).toHaveLength(1);
        await trainModel(options(store, { datasetParams: { n: 40 } }));
        expect(await paths(store, 'artifacts/')).toHaveLength(2);
        expect(await paths(store, 'model_runs/')).toHaveLength(5);
      } finally {
        await subject.close();
      }
    }, 60_000);
  }

  it('reproduces a run at the same commit: identical metrics, a new run pointing at it, from the stored data set', async () => {
    const store = await memoryStore();
    const original = await trainModel(
      options(store, {
        name: 'baseline',
        featureGenerator: 'scale',
        featureGeneratorParams: { factor: 3 },
      }),
    );
    // The source changes after the run (training on it would score differently): a
    // reproduction must not see it.
    source.shift = 1;
    const changed = await trainModel(options(store));
    expect(changed.metrics).not.toEqual(original.metrics);
    const again = await trainModel({
      runId: original.runId,
      store,
      cwd: repository.path,
      registry,
      plots: false,
    });
    expect(again.runId).not.toBe(original.runId);
    expect(again.metrics).toEqual(original.metrics);
    expect(again.reproduced?.runId).toBe(original.runId);
    expect(Object.values(again.reproduced?.metricDifferences ?? {}).length).toBeGreaterThan(3);
    expect(Object.values(again.reproduced?.metricDifferences ?? {}).every((d) => d === 0)).toBe(
      true,
    );
    const row = await readModelRun(store, again.runId);
    const originalRow = await readModelRun(store, original.runId);
    expect(row).toMatchObject({
      reproduces: original.runId,
      modelClass: 'nearest-centroid',
      featureGeneratorParams: { factor: 3 },
      seed: 7,
      artifacts: originalRow?.artifacts,
    });
    expect(originalRow?.reproduces).toBeUndefined();
    // Constructed again with its constructor's params, not with what params() reported.
    expect(row?.hyperparameters).toEqual({ shrink: 0 });
    expect((await getRun(again.runId, { store })).name).toBe('baseline (reproduced)');
    expect(await paths(store, 'artifacts/')).toHaveLength(2);
  });

  it('refuses a dirty working tree unless allowDirty, which records git_dirty and a warning', async () => {
    const store = await memoryStore();
    await writeFile(join(repository.path, 'notes.txt'), 'uncommitted\n');
    try {
      const refused = trainModel(options(store));
      await expect(refused).rejects.toThrow(ValidationError);
      await expect(refused).rejects.toMatchObject({ parameter: 'allowDirty' });
      await expect(refused).rejects.toThrow(/uncommitted changes.*allowDirty: true/);
      expect(await paths(store)).toEqual([]);

      const result = await trainModel(options(store, { allowDirty: true }));
      expect(result.warnings).toEqual([expect.stringContaining('git_dirty = true')]);
      expect(await readModelRun(store, result.runId)).toMatchObject({ gitDirty: true });
      expect((await getRun(result.runId, { store })).gitDirty).toBe(true);
      expect(await store.readText(runLogPath(result.runId))).toContain('uncommitted changes');

      // Reproducing from a dirty tree is refused too, and when allowed warns twice: the
      // original's code is not in its commit, and neither is this one's.
      await expect(
        trainModel({ runId: result.runId, store, cwd: repository.path, registry, plots: false }),
      ).rejects.toMatchObject({ parameter: 'allowDirty' });
      const again = await trainModel({
        runId: result.runId,
        store,
        cwd: repository.path,
        registry,
        plots: false,
        allowDirty: true,
      });
      expect(again.warnings).toHaveLength(2);
      expect(again.metrics).toEqual(result.metrics);
    } finally {
      await rm(join(repository.path, 'notes.txt'));
    }
  });

  it('outside a git repository records no commit, says so, and reproduces only in place', async () => {
    const store = await memoryStore();
    const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-no-git-'));
    try {
      const result = await trainModel(options(store, { cwd: folder }));
      expect(result.warnings).toEqual([expect.stringContaining('not in a git repository')]);
      const row = await readModelRun(store, result.runId);
      expect(row?.gitCommit).toBeUndefined();
      const again = await trainModel({
        runId: result.runId,
        store,
        cwd: folder,
        registry,
        plots: false,
      });
      expect(again.metrics).toEqual(result.metrics);
      expect(again.warnings.join('\n')).toMatch(/recorded no git commit/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('asks for the entry file when the run was trained at another commit', async () => {
    const store = await memoryStore();
    const result = await trainModel(options(store));
    const recorded = repository.head();
    await writeFile(join(repository.path, 'train.ts'), '// training, changed\n');
    repository.git('commit', '-q', '-am', 'second');
    const refused = trainModel({ runId: result.runId, store, cwd: repository.path, registry });
    await expect(refused).rejects.toMatchObject({ parameter: 'entry' });
    await expect(refused).rejects.toThrow(
      new RegExp(`trained at commit ${recorded}.*--entry train.ts`),
    );
  });

  it('rejects a run id with no model_runs row: unknown, or not a trainModel run', async () => {
    const store = await memoryStore();
    await expect(
      trainModel({ runId: '20261124T101530123Z-1a2b3c4d', store, registry }),
    ).rejects.toThrow(NotFoundError);
    const logger = await startRun({ project: 'p', store, closeOnExit: false });
    await logger.finish();
    await expect(trainModel({ runId: logger.id, store, registry })).rejects.toThrow(
      /holds no trainModel run of that id \(only those can be reproduced\)/,
    );
    await expect(trainModel({ runId: 'nope', store, registry })).rejects.toMatchObject({
      parameter: 'runId',
    });
  });

  it('rejects bad input before writing anything', async () => {
    const store = await memoryStore();
    const cases: [Partial<TrainModelOptions>, string, RegExp][] = [
      [{ model: 'nearest-centriod' }, 'model', /Did you mean "nearest-centroid"/],
      [{ dataset: 'blobs' }, 'dataset', /registered: two-blobs/],
      [{ featureGenerator: 'scael' }, 'featureGenerator', /Did you mean "scale"/],
      [{ kind: 'clustering' as 'regression' }, 'kind', /not a kind/],
      [{ testFraction: 1 }, 'testFraction', /between 0 and 1/],
      [{ seed: -1 }, 'seed', /non-negative integer/],
      [{ modelParams: { shrink: Number.NaN } }, 'modelParams', /JSON would change/],
      [{ datasetParams: { n: 1 } }, "dataset (two-blobs's load)", /1 samples/],
      [{ kind: 'regression' }, "dataset (two-blobs's load)", /y\[0\] is the string "a"/],
      [{ project: ' ' }, 'project', /missing/],
    ];
    for (const [extra, parameter, message] of cases) {
      const attempt = trainModel(options(store, extra));
      await expect(attempt, parameter).rejects.toMatchObject({ parameter });
      await expect(attempt).rejects.toThrow(message);
    }
    expect(await paths(store)).toEqual([]);
  });

  it('marks the run failed when training throws, and writes no model_runs row', async () => {
    const store = await memoryStore();
    await expect(trainModel(options(store, { model: 'broken' }))).rejects.toThrow(
      'out of memory, pretend',
    );
    const runs = (await paths(store, 'runs/')).map((path) => path.slice(5, -4));
    expect(runs).toHaveLength(1);
    const run = await getRun(runs[0]!, { store });
    expect(run).toMatchObject({ status: 'failed', error: 'out of memory, pretend' });
    expect(await paths(store, 'model_runs/')).toEqual([]);
  });
});
