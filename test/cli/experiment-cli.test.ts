// `ml-tracking experiment check|commit`, the engine's steps of an experiment whose stages run in
// another program (the Python Experiment), through runCli in this process on a local folder.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import type { JsonValue } from '../../src/runs/run-record.js';
import { startRun } from '../../src/runs/start-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { cli } from './_in-process.js';

const PROJECT = 'Soil Texture';
const TRACKER = experimentTrackerPath('soil-texture');

let folder: string;
let storeFolder: string;
let store: Store;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-experiment-cli-'));
  storeFolder = join(folder, 'store');
  store = await openStore(storeFolder);
});
afterEach(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

/** A started run of the experiment, as the Python client's start_run leaves it (record written). */
async function startedRun(hyperparameters: Record<string, JsonValue> = { trees: 200 }) {
  const run = await startRun({
    project: PROJECT,
    name: 'rf-200',
    store,
    hyperparameters,
    closeOnExit: false,
  });
  await run.flush();
  return run;
}

const experiment = (action: string, ...flags: string[]) =>
  cli(['experiment', action, '--project', PROJECT, '--store', storeFolder, '--json', ...flags]);

async function commit(runId: string, onDuplicate: string, metrics: object, ...flags: string[]) {
  const result = await experiment(
    'commit',
    '--model-name',
    'rf-200',
    '--on-duplicate',
    onDuplicate,
    '--run-id',
    runId,
    '--metrics',
    JSON.stringify(metrics),
    ...flags,
  );
  return {
    ...result,
    answer: result.code === 0 ? (JSON.parse(result.stdout) as Answer) : undefined,
  };
}

interface Answer {
  decision?: string;
  status?: string;
  row?: Record<string, unknown>;
  tracker: string;
}

async function check(onDuplicate: string) {
  const result = await experiment('check', '--model-name', 'rf-200', '--on-duplicate', onDuplicate);
  return {
    ...result,
    answer: result.code === 0 ? (JSON.parse(result.stdout) as Answer) : undefined,
  };
}

const trackerRows = async () => (await ModelTracker.load(store, TRACKER)).toRecords();

describe('ml-tracking experiment check', () => {
  it('lets a new model name train under every policy and writes nothing', async () => {
    for (const policy of ['error', 'overwrite', 'duplicate', 'skip']) {
      const { code, answer, stderr } = await check(policy);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(answer).toEqual({ decision: 'run', tracker: TRACKER });
    }
    expect(await readdir(storeFolder).catch(() => [])).toEqual([]);
  });

  it('answers skip with the row, error with ERR_CONFLICT, and run for overwrite and duplicate', async () => {
    const run = await startedRun();
    expect((await commit(run.id, 'error', { accuracy: 0.9 })).code).toBe(0);

    const skipped = await check('skip');
    expect(skipped.answer).toMatchObject({
      decision: 'skip',
      row: { run_id: run.id, accuracy: 0.9 },
    });
    for (const policy of ['overwrite', 'duplicate']) {
      expect((await check(policy)).answer).toEqual({ decision: 'run', tracker: TRACKER });
    }
    const refused = await check('error');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const { error } = JSON.parse(refused.stderr) as { error: Record<string, string> };
    expect(error).toMatchObject({ code: 'ERR_CONFLICT', path: TRACKER });
    expect(error.message).toContain('"rf-200"');
    expect(error.message).toContain('already has a row');
  });

  it('refuses a bad policy or model name before the store is opened (exit 2)', async () => {
    const policy = await check('sometimes');
    expect(policy.code).toBe(2);
    expect(JSON.parse(policy.stderr)).toMatchObject({
      error: { code: 'ERR_VALIDATION', parameter: '--on-duplicate' },
    });
    const name = await experiment('check', '--model-name', '../up', '--on-duplicate', 'skip');
    expect(name.code).toBe(2);
    expect(JSON.parse(name.stderr)).toMatchObject({
      error: { code: 'ERR_VALIDATION', parameter: '--model-name' },
    });
    const action = await experiment('start', '--model-name', 'rf-200', '--on-duplicate', 'skip');
    expect(action.code).toBe(2);
    expect(await readdir(storeFolder).catch(() => [])).toEqual([]);
  });
});

describe('ml-tracking experiment commit', () => {
  it("records the row the TypeScript Experiment writes, from the run's record and the flags", async () => {
    const run = await startedRun({ trees: 200, depth: 'none' });
    const ended = '2026-12-06T10:15:30.123Z';
    const result = await commit(
      run.id,
      'error',
      { accuracy: 0.9, f1_macro: 0.85 },
      '--stage-seconds',
      JSON.stringify({ preprocess: 0.5, train: 2, evaluate: 0.25 }),
      '--columns',
      JSON.stringify({ prediction_id: 'p-1' }),
      '--ended-at',
      ended,
    );
    expect(result.stderr).toBe('');
    expect(result.answer).toMatchObject({ status: 'recorded', tracker: TRACKER });
    const record = run.snapshot;
    const expected = {
      model_name: 'rf-200',
      run_id: run.id,
      project: 'soil-texture',
      status: 'finished',
      started_at: record.startedAt.toISOString(),
      ended_at: ended,
      preprocess_seconds: 0.5,
      train_seconds: 2,
      evaluate_seconds: 0.25,
      accuracy: 0.9,
      f1_macro: 0.85,
      prediction_id: 'p-1',
      hyperparameters: { trees: 200, depth: 'none' },
      outputs: expect.stringContaining(`/rf-200/${run.id}/`) as unknown,
    };
    expect(await trackerRows()).toEqual([expect.objectContaining(expected)]);
    expect(result.answer?.row).toMatchObject(expected);
    // The same columns, in the same order, as Experiment.run writes.
    expect(Object.keys((await trackerRows())[0]!).slice(0, 11)).toEqual([
      'model_name',
      'run_id',
      'project',
      'status',
      'started_at',
      'ended_at',
      'preprocess_seconds',
      'train_seconds',
      'evaluate_seconds',
      'accuracy',
      'f1_macro',
    ]);
    await run.finish();
  });

  it('applies the policy again at the commit: a row recorded meanwhile is refused, kept, replaced or joined', async () => {
    const first = await startedRun();
    const second = await startedRun();
    expect((await commit(first.id, 'duplicate', { accuracy: 0.8 })).answer?.status).toBe(
      'recorded',
    );

    const refused = await commit(second.id, 'error', { accuracy: 0.9 });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'ERR_CONFLICT' } });
    expect((await trackerRows()).map((row) => row.run_id)).toEqual([first.id]);

    const kept = await commit(second.id, 'skip', { accuracy: 0.9 });
    expect(kept.answer).toMatchObject({ status: 'skipped', row: { run_id: first.id } });
    expect((await trackerRows()).map((row) => row.run_id)).toEqual([first.id]);

    const replaced = await commit(second.id, 'overwrite', { accuracy: 0.9 });
    expect(replaced.answer).toMatchObject({ status: 'recorded', row: { run_id: second.id } });
    expect((await trackerRows()).map((row) => [row.run_id, row.accuracy])).toEqual([
      [second.id, 0.9],
    ]);

    const third = await startedRun();
    expect((await commit(third.id, 'duplicate', { accuracy: 0.7 })).answer?.status).toBe(
      'recorded',
    );
    expect((await trackerRows()).map((row) => row.run_id)).toEqual([second.id, third.id]);
  });

  it('a commit retried after its answer was lost finds its own row: no second row', async () => {
    const run = await startedRun();
    expect((await commit(run.id, 'duplicate', { accuracy: 0.8 })).answer?.status).toBe('recorded');
    const again = await commit(run.id, 'duplicate', { accuracy: 0.8 });
    expect(again.answer?.status).toBe('recorded');
    expect((await trackerRows()).map((row) => row.run_id)).toEqual([run.id]);
  });

  it('refuses bad flags with the flag named and writes nothing', async () => {
    const run = await startedRun();
    const cases: [string[], string][] = [
      [['--metrics', '{"accuracy": "high"}'], 'results result "accuracy"'],
      [['--metrics', '[0.9]'], '--metrics'],
      [['--metrics', '{"run_id": 1}'], 'results result "run_id"'],
      [['--metrics', '{}', '--stage-seconds', '{"fit": 1}'], 'stageSeconds.fit'],
      [['--metrics', '{}', '--stage-seconds', '{"train": -1}'], 'stageSeconds.train'],
      [['--metrics', '{}', '--columns', '{"status": "x"}'], 'columns.status'],
      [['--metrics', '{}', '--ended-at', 'yesterday'], '--ended-at'],
    ];
    for (const [flags, parameter] of cases) {
      const result = await experiment(
        'commit',
        '--model-name',
        'rf-200',
        '--on-duplicate',
        'duplicate',
        '--run-id',
        run.id,
        ...flags,
      );
      expect(result.code, flags.join(' ')).toBe(2);
      expect(JSON.parse(result.stderr)).toMatchObject({
        error: { code: 'ERR_VALIDATION', parameter },
      });
    }
    const noRun = await experiment('commit', '--model-name', 'rf-200', '--on-duplicate', 'skip');
    expect(JSON.parse(noRun.stderr)).toMatchObject({ error: { parameter: '--run-id' } });
    const unknown = await commit('20261124T101530123Z-1a2b3c4d', 'skip', { accuracy: 1 });
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: 'ERR_NOT_FOUND' } });
    expect(await store.stat(TRACKER)).toBeUndefined();
    await run.finish();
  });
});
