/*
 * Experiment.run(), on a memory store, a local folder and the GCS fake: every duplicate policy
 * (checked before any stage), the run record and tracker row it writes (the row last), debug mode
 * (nothing in the store, temporary outputs removed, both preprocessing modes), a failing stage,
 * and concurrent runs with their own store handles (no lost or doubled rows).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateModelError,
  Experiment,
  type ExperimentOptions,
  type ExperimentRunResult,
} from '../../src/experiments/experiment.js';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { experimentOutputsFolder, experimentTrackerPath } from '../../src/layout/paths.js';
import { getRun, listRuns } from '../../src/runs/read-runs.js';
import type { JsonValue } from '../../src/runs/run-record.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { openFakeStore, openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';

type Stage = 'preprocess' | 'preprocessDebug' | 'train' | 'evaluate';

interface Model {
  mean: number;
}

/** An experiment that counts its stage calls and remembers what each saw. */
class Averaging extends Experiment<number[], Model> {
  modelName: string;
  override hyperparameters: Record<string, JsonValue> | undefined = {
    window: 3,
    optimizer: 'none',
  };
  calls: Record<Stage, number> = { preprocess: 0, preprocessDebug: 0, train: 0, evaluate: 0 };
  debugInputs: (number[] | undefined)[] = [];
  trainedOn: number[][] = [];
  debugSeenByTrain: boolean[] = [];
  /** Where train wrote its checkpoint (a store path, or a local file in debug mode). */
  checkpoint: string | undefined;
  failIn: Stage | undefined;
  accuracy = 0.75;

  constructor(modelName: string, options: ExperimentOptions) {
    super(options);
    this.modelName = modelName;
  }

  private enter(stage: Stage): void {
    this.calls[stage] += 1;
    if (this.failIn === stage) throw new Error(`${stage} exploded`);
  }

  preprocess(): Promise<number[]> {
    this.enter('preprocess');
    return Promise.resolve([1, 2, 3, 4, 5, 6]);
  }

  override preprocessDebug(data?: number[]): Promise<number[]> {
    this.enter('preprocessDebug');
    this.debugInputs.push(data);
    return Promise.resolve((data ?? [10, 20, 30]).slice(0, 2));
  }

  async train(data: number[]): Promise<Model> {
    this.enter('train');
    this.trainedOn.push(data);
    this.debugSeenByTrain.push(this.debug);
    this.logger?.addScalar('loss', 0.5);
    const mean = data.reduce((sum, value) => sum + value, 0) / data.length;
    this.checkpoint = await this.outputs.write('checkpoints/model.json', JSON.stringify({ mean }));
    return { mean };
  }

  evaluate(model: Model): Promise<Record<string, number>> {
    this.enter('evaluate');
    return Promise.resolve({ accuracy: this.accuracy, mean: model.mean });
  }
}

/** Every object of the store with its generation: any write shows. */
async function everything(store: Store): Promise<string[]> {
  const objects: string[] = [];
  for await (const object of store.listAll('')) objects.push(`${object.path}@${object.generation}`);
  return objects;
}

const stageCalls = (experiment: Averaging) =>
  Object.values(experiment.calls).reduce((a, b) => a + b);

const STORE_KINDS = ['memory', 'local', 'gcs-fake'] as const;

for (const kind of STORE_KINDS) {
  describe(`Experiment.run on ${kind}`, () => {
    let subject: RunStoreSubject;
    let store: Store;
    let project: string;
    beforeAll(async () => {
      subject = await openRunStore(kind);
      store = subject.store;
    });
    afterAll(() => subject.close());
    beforeEach(() => {
      // One project per test: each starts with no tracker.
      project = `soil ${randomUUID().slice(0, 8)}`;
    });

    const experiment = (name = 'averaging', options: Partial<ExperimentOptions> = {}) =>
      new Averaging(name, { project, store, ...options });
    const trackerRows = async () =>
      (await ModelTracker.load(store, experimentTrackerPath(experiment().project))).toRecords();

    it('records a run and then its tracker row, and gives the stages an outputs folder', async () => {
      const subjectExperiment = experiment('averaging', { hyperparameters: { window: 5 } });
      const result = await subjectExperiment.run({ onDuplicate: 'error' });
      expect(result.status).toBe('recorded');
      if (result.status !== 'recorded') return;
      expect(subjectExperiment.calls).toEqual({
        preprocess: 1,
        preprocessDebug: 0,
        train: 1,
        evaluate: 1,
      });
      expect(subjectExperiment.debugSeenByTrain).toEqual([false]);
      const slug = subjectExperiment.project;
      expect(result.tracker).toBe(experimentTrackerPath(slug));

      const run = await getRun(result.runId, { store });
      expect(run).toMatchObject({
        id: result.runId,
        project: slug,
        name: 'averaging',
        status: 'finished',
        origin: 'experiment',
        experiment: 'averaging',
        // The options' values override the class's, name by name.
        hyperparameters: { window: 5, optimizer: 'none' },
      });
      expect(run.summary.accuracy?.last).toBe(0.75);
      expect(run.summary.mean?.last).toBe(3.5);
      expect(run.summary.loss?.last).toBe(0.5);
      for (const stage of ['preprocess', 'train', 'evaluate']) {
        expect(run.summary[`stage_seconds/${stage}`]?.last).toBeGreaterThanOrEqual(0);
      }

      // The checkpoint is in the run's folder of the store.
      const folder = experimentOutputsFolder(slug, 'averaging', result.runId);
      expect(subjectExperiment.checkpoint).toBe(`${folder}checkpoints/model.json`);
      expect(JSON.parse(await store.readText(`${folder}checkpoints/model.json`))).toEqual({
        mean: 3.5,
      });

      const rows = await trackerRows();
      expect(rows).toEqual([result.row]);
      expect(result.row).toMatchObject({
        model_name: 'averaging',
        run_id: result.runId,
        project: slug,
        status: 'finished',
        started_at: run.startedAt.toISOString(),
        accuracy: 0.75,
        mean: 3.5,
        hyperparameters: { window: 5, optimizer: 'none' },
        outputs: expect.stringContaining(folder) as unknown,
      });
      expect(Date.parse(String(result.row.ended_at))).toBeGreaterThanOrEqual(
        run.startedAt.getTime(),
      );
      for (const column of ['preprocess_seconds', 'train_seconds', 'evaluate_seconds']) {
        expect(typeof result.row[column]).toBe('number');
      }
      expect(result.row).not.toHaveProperty('preprocess_debug_seconds');
      // The working tree is a git repository: the row says which commit trained.
      expect(result.row.git_commit).toBe(run.gitCommit);
      expect(result.row.git_commit).toMatch(/^[0-9a-f]{40}$/);
    });

    it('refuses a missing or unknown onDuplicate before any stage runs and writes nothing', async () => {
      const subjectExperiment = experiment();
      const before = await everything(store);
      for (const options of [undefined, {}, { onDuplicate: 'replace' }, { onDuplicate: null }]) {
        const error: unknown = await subjectExperiment
          .run(options as never)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).parameter).toBe('onDuplicate');
        expect((error as Error).message).toMatch(/overwrite.*duplicate.*skip.*error/);
      }
      await expect(
        subjectExperiment.run({ onDuplicate: 'skip', debug: 'yes' as never }),
      ).rejects.toThrow(ValidationError);
      expect(stageCalls(subjectExperiment)).toBe(0);
      expect(await everything(store)).toEqual(before);
    });

    it('refuses a model name that cannot name a folder, before anything runs', async () => {
      const before = await everything(store);
      for (const name of ['', '../escape', 'a/b', '.hidden']) {
        const bad = experiment(name);
        await expect(bad.run({ onDuplicate: 'duplicate' })).rejects.toThrow(ValidationError);
        expect(stageCalls(bad)).toBe(0);
      }
      expect(await everything(store)).toEqual(before);
    });

    it('skip: resolves with the existing row and trains nothing', async () => {
      const first = await experiment().run({ onDuplicate: 'skip' });
      expect(first.status).toBe('recorded');
      const runsBefore = await listRuns({ store });
      const objectsBefore = await everything(store);

      const second = experiment();
      const result = await second.run({ onDuplicate: 'skip' });
      expect(result).toEqual({ status: 'skipped', row: first.row, tracker: first.tracker });
      expect(stageCalls(second)).toBe(0);
      expect(await listRuns({ store })).toHaveLength(runsBefore.length);
      expect(await everything(store)).toEqual(objectsBefore);
    });

    it('error: rejects with a ConflictError naming the model and the fix, before any stage', async () => {
      await experiment().run({ onDuplicate: 'error' });
      const objectsBefore = await everything(store);

      const second = experiment();
      const error: unknown = await second.run({ onDuplicate: 'error' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toBeInstanceOf(DuplicateModelError);
      expect((error as DuplicateModelError).code).toBe('ERR_CONFLICT');
      expect((error as DuplicateModelError).modelName).toBe('averaging');
      expect((error as Error).message).toContain('"averaging"');
      expect((error as Error).message).toMatch(/onDuplicate: "overwrite"/);
      expect(stageCalls(second)).toBe(0);
      expect(await everything(store)).toEqual(objectsBefore);
      // Another name is no duplicate.
      expect((await experiment('other').run({ onDuplicate: 'error' })).status).toBe('recorded');
    });

    it('overwrite: trains again and replaces the row after success, keeping one row', async () => {
      const first = await experiment().run({ onDuplicate: 'overwrite' });
      await experiment('neighbour').run({ onDuplicate: 'overwrite' });
      const second = experiment();
      second.accuracy = 0.875;
      const result = await second.run({ onDuplicate: 'overwrite' });
      expect(result.status).toBe('recorded');
      expect(stageCalls(second)).toBe(3);
      const rows = await trackerRows();
      expect(rows.map((row) => row.model_name)).toEqual(['averaging', 'neighbour']);
      expect(rows[0]).toEqual(result.row);
      expect(rows[0]).toMatchObject({ accuracy: 0.875 });
      expect(rows[0]!.run_id).not.toBe((first as { runId: string }).runId);
    });

    it('duplicate: trains again and adds another row', async () => {
      const first = await experiment().run({ onDuplicate: 'duplicate' });
      const second = await experiment().run({ onDuplicate: 'duplicate' });
      const rows = await trackerRows();
      expect(rows).toEqual([first.row, second.row]);
      expect(new Set(rows.map((row) => row.run_id)).size).toBe(2);
    });

    describe('debug mode', () => {
      it('replaces preprocess with preprocessDebug, shows this.debug to train and records nothing', async () => {
        await experiment('recorded-before').run({ onDuplicate: 'error' });
        const before = await everything(store);
        const debug = experiment();
        const result = await debug.run({ onDuplicate: 'error', debug: true });
        expect(result.status).toBe('debug');
        expect(debug.calls).toEqual({ preprocess: 0, preprocessDebug: 1, train: 1, evaluate: 1 });
        expect(debug.debugInputs).toEqual([undefined]);
        expect(debug.trainedOn).toEqual([[10, 20]]);
        expect(debug.debugSeenByTrain).toEqual([true]);
        expect(debug.runId).toBeUndefined();
        // The checkpoint went to a local temporary folder, removed at the end.
        expect(debug.checkpoint).toBeDefined();
        expect(existsSync(debug.checkpoint!)).toBe(false);
        expect(result.row).toMatchObject({
          model_name: 'averaging',
          status: 'debug',
          mean: 15,
          accuracy: 0.75,
        });
        expect(result.row).not.toHaveProperty('run_id');
        expect(typeof result.row.preprocess_debug_seconds).toBe('number');
        expect(result.row).not.toHaveProperty('preprocess_seconds');
        expect(await everything(store)).toEqual(before);
        expect(await trackerRows()).toHaveLength(1);
      });

      it('with debugReplacesPreprocessing false, runs preprocessDebug on what preprocess returned', async () => {
        const before = await everything(store);
        const debug = experiment();
        let written = '';
        debug.train = async function (this: Averaging, data: number[]) {
          this.trainedOn.push(data);
          const path = await this.outputs.write('notes/seen.txt', data.join(','));
          written = await readFile(path, 'utf8');
          this.checkpoint = path;
          return { mean: 0 };
        };
        const result = await debug.run({
          onDuplicate: 'skip',
          debug: true,
          debugReplacesPreprocessing: false,
        });
        expect(debug.calls.preprocess).toBe(1);
        expect(debug.calls.preprocessDebug).toBe(1);
        expect(debug.debugInputs).toEqual([[1, 2, 3, 4, 5, 6]]);
        expect(debug.trainedOn).toEqual([[1, 2]]);
        expect(written).toBe('1,2');
        expect(existsSync(debug.checkpoint!)).toBe(false);
        expect(result.row).toMatchObject({ status: 'debug' });
        expect(typeof result.row.preprocess_seconds).toBe('number');
        expect(typeof result.row.preprocess_debug_seconds).toBe('number');
        expect(await everything(store)).toEqual(before);
      });

      it('removes the temporary outputs and records nothing when a stage fails', async () => {
        const before = await everything(store);
        const debug = experiment();
        debug.failIn = 'evaluate';
        await expect(debug.run({ onDuplicate: 'overwrite', debug: true })).rejects.toThrow(
          'evaluate exploded',
        );
        expect(existsSync(debug.checkpoint!)).toBe(false);
        expect(debug.checkpoint).toContain('ml-tracking-experiment-debug-');
        expect(await everything(store)).toEqual(before);
      });
    });

    for (const stage of ['preprocess', 'train', 'evaluate'] as const) {
      it(`a failing ${stage} marks the run failed with the error, leaves the tracker and rethrows`, async () => {
        await experiment().run({ onDuplicate: 'duplicate' });
        const trackerBefore = await store.stat(experimentTrackerPath(experiment().project));
        const failing = experiment();
        failing.failIn = stage;
        const error: unknown = await failing
          .run({ onDuplicate: 'duplicate' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toBe(`${stage} exploded`);
        expect(failing.runId).toBeDefined();
        const run = await getRun(failing.runId!, { store });
        expect(run.status).toBe('failed');
        expect(run.error).toBe(`${stage} failed: ${stage} exploded`);
        expect(run.endedAt).toBeInstanceOf(Date);
        const trackerAfter = await store.stat(experimentTrackerPath(experiment().project));
        expect(trackerAfter?.generation).toBe(trackerBefore?.generation);
        expect(await trackerRows()).toHaveLength(1);
      });
    }

    it('rejects results that are not numbers as a failure of evaluate', async () => {
      const bad = experiment();
      bad.evaluate = () => Promise.resolve({ accuracy: 'high' } as never);
      await expect(bad.run({ onDuplicate: 'duplicate' })).rejects.toThrow(ValidationError);
      expect((await getRun(bad.runId!, { store })).status).toBe('failed');
      expect(await store.stat(experimentTrackerPath(bad.project))).toBeUndefined();
    });

    it('gives outputs only while running', () => {
      expect(() => experiment().outputs).toThrow(/only while run\(\) is going/);
    });
  });
}

/** A fresh handle on the same store, as another process would open it. */
type OpenHandle = () => Promise<Store>;

for (const kind of STORE_KINDS) {
  describe(`concurrent Experiment.run on ${kind}, one store handle each`, () => {
    let subject: RunStoreSubject | undefined;
    let fake: GcsFake | undefined;
    let openHandle: OpenHandle;
    let first: Store;
    const handles: Store[] = [];
    beforeAll(async () => {
      if (kind === 'gcs-fake') {
        fake = await startGcsFake();
        const prefix = randomUUID();
        openHandle = () => openFakeStore(fake!, prefix);
      } else {
        subject = await openRunStore(kind);
        const url = subject.store.url;
        openHandle = () => openStore(kind === 'local' ? fileURLToPath(url) : url);
      }
      first = await openHandle();
      handles.push(first);
    });
    afterAll(async () => {
      for (const handle of handles) await handle.close();
      await subject?.close();
      await fake?.stop();
    });

    const RUNS = 6;
    const runConcurrently = async (
      project: string,
      onDuplicate: 'duplicate' | 'overwrite',
    ): Promise<ExperimentRunResult[]> => {
      const stores = await Promise.all(Array.from({ length: RUNS }, () => openHandle()));
      handles.push(...stores);
      // Every run finishes evaluating before any of them commits: all of them then read the
      // same tracker and race to save it.
      let arrived = 0;
      let release: () => void = () => undefined;
      const allEvaluated = new Promise<void>((resolve) => {
        release = resolve;
      });
      return Promise.all(
        stores.map((store, index) => {
          const experiment = new Averaging('shared-name', { project, store });
          experiment.evaluate = async () => {
            arrived += 1;
            if (arrived === RUNS) release();
            await allEvaluated;
            return { accuracy: index / 10 };
          };
          return experiment.run({ onDuplicate });
        }),
      );
    };

    it(`duplicate: ${RUNS} runs give ${RUNS} rows, none lost or doubled`, async () => {
      const project = `race-${randomUUID().slice(0, 8)}`;
      const results = await runConcurrently(project, 'duplicate');
      expect(results.every((result) => result.status === 'recorded')).toBe(true);
      const rows = (await ModelTracker.load(first, experimentTrackerPath(project))).toRecords();
      expect(rows).toHaveLength(RUNS);
      const runIds = results.map((result) => (result as { runId: string }).runId);
      expect(new Set(rows.map((row) => row.run_id))).toEqual(new Set(runIds));
    });

    it(`overwrite: ${RUNS} runs leave exactly one row, that of one of them`, async () => {
      const project = `race-${randomUUID().slice(0, 8)}`;
      const results = await runConcurrently(project, 'overwrite');
      expect(results.every((result) => result.status === 'recorded')).toBe(true);
      const rows = (await ModelTracker.load(first, experimentTrackerPath(project))).toRecords();
      expect(rows).toHaveLength(1);
      const runIds = results.map((result) => (result as { runId: string }).runId);
      expect(runIds).toContain(rows[0]!.run_id);
      // Every run is recorded as a run, whichever row stayed.
      const runs = await listRuns({ store: first, project });
      expect(runs.map((run) => run.id).sort()).toEqual([...runIds].sort());
    });
  });
}
