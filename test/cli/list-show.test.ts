import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logExperiment } from '../../src/index.js';
import { cli, cliLines } from './_in-process.js';

const base = { datasetUri: 'd', targetColumn: 't', testSet: ['a', 'b', 'c', 'd'] };
let minute = 0;

/** Logs with the clock a minute on each time, so that newest first is a known order. */
async function logAt<T>(action: () => Promise<T>): Promise<T> {
  minute += 1;
  vi.setSystemTime(new Date(Date.UTC(2026, 10, 24, 10, minute)));
  return action();
}

const logRegression = (store: string, project: string, yPred: number[], model = 'Ridge') =>
  logAt(() =>
    logExperiment({
      kind: 'regression',
      project,
      parameters: { ...base, model: { name: model, params: {} } },
      yTrue: [1, 2, 3, 4],
      yPred,
      plots: false,
      store,
    }),
  );

const logClassification = (store: string, project: string) =>
  logAt(() =>
    logExperiment({
      kind: 'classification',
      project,
      parameters: { ...base, model: { name: 'Forest', params: { trees: 10 } } },
      yTrue: ['x', 'y', 'x', 'y'],
      yPred: ['x', 'y', 'y', 'y'],
      plots: false,
      store,
    }),
  );

// In-process: the stores are memory:// ones, which live as long as this process.
const list = (args: string[]) => cliLines(['list', ...args]);
const show = (args: string[]) => cliLines(['show', ...args]);

describe('ml-tracking list', () => {
  let store: string;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = `memory://${randomUUID()}`;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints one line per experiment, newest first, with the headline metric of its kind', async () => {
    const first = await logRegression(store, 'soil', [1, 2, 3, 6]); // rmse 1
    const second = await logClassification(store, 'texture');
    const lines = await list(['--store', store]);
    expect(lines[0]).toMatch(
      /^prediction_id\s+logged_at \(UTC\)\s+project\s+kind\s+model\s+headline metric$/,
    );
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${second.predictionId}\\s+2026-11-24 10:\\d\\d:00\\s+texture\\s+classification\\s+Forest\\s+f1_macro 0\\.733333$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^${first.predictionId}\\s+.*\\s+soil\\s+regression\\s+Ridge\\s+rmse 1$`),
    );
    // One kind: the metric is the column's name.
    const regression = await list(['--store', store, '--kind', 'regression']);
    expect(regression[0]).toMatch(/\s+rmse$/);
    expect(regression[1]).toMatch(/Ridge\s+1$/);
  });

  it('sorts by --sort, best first or by --order, and says how many more --limit hides', async () => {
    const rmse = { 1: [1, 2, 3, 6], 2: [1, 2, 3, 8], 0.5: [1, 2, 3, 5] } as const;
    const logged: Record<string, string> = {};
    for (const [value, yPred] of Object.entries(rmse)) {
      logged[value] = (await logRegression(store, 'soil', [...yPred])).predictionId;
    }
    const ids = (lines: string[]) => lines.slice(1).map((line) => line.split(/\s+/)[0]);
    const sorted = await list(['--store', store, '--sort', 'rmse']);
    expect(ids(sorted)).toEqual([logged['0.5'], logged['1'], logged['2']]);
    expect(sorted[0]).toMatch(/\s+rmse$/);
    const descending = await list(['--store', store, '--sort', 'rmse', '--order', 'desc']);
    expect(ids(descending)).toEqual([logged['2'], logged['1'], logged['0.5']]);

    const limited = await list(['--store', store, '--sort', 'rmse', '--limit', '1']);
    expect(ids(limited.slice(0, -1))).toEqual([logged['0.5']]);
    expect(limited.at(-1)).toBe('2 more; --limit 3 to see them');
  });

  it('shows 20 experiments by default, and --json prints them all as typed JSON', async () => {
    for (let run = 0; run < 21; run += 1) await logRegression(store, 'soil', [1, 2, 3, 4 + run]);
    await logClassification(store, 'texture');
    const lines = await list(['--store', store]);
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines.at(-1)).toBe('2 more; --limit 22 to see them');

    const json = JSON.parse((await list(['--store', store, '--json'])).join('\n')) as Record<
      string,
      unknown
    >[];
    expect(json).toHaveLength(22);
    const [classification, regression] = json as {
      kind: string;
      metrics: Record<string, unknown>;
    }[];
    expect(classification).toMatchObject({ kind: 'classification', headlineMetric: 'f1_macro' });
    expect(classification!.metrics).toMatchObject({ overall_accuracy: 0.75, log_loss: null });
    expect(regression).toMatchObject({ kind: 'regression', project: 'soil', model: 'Ridge' });
    expect(regression!.metrics.rmse).toBe(10);
    expect(
      JSON.parse((await list(['--store', store, '--json', '--limit', '2'])).join('\n')),
    ).toHaveLength(2);
  });

  it('keeps the tracker view under --trackers', async () => {
    const logged = await logRegression(store, 'soil', [1, 2, 3, 4]);
    await logRegression(store, 'soil', [1, 2, 3, 4]);
    expect(await list(['--store', store, '--trackers'])).toEqual([
      expect.stringMatching(new RegExp(`^${logged.tracker}\\s+2 rows$`)),
    ]);
    const json: unknown = JSON.parse(
      (await list(['--store', store, '--trackers', '--json'])).join('\n'),
    );
    expect(json).toEqual([expect.objectContaining({ path: logged.tracker, rows: 2 })]);
    expect(await list(['--store', store, '--project', 'clay'])).toEqual([
      `No experiments in ${store} for project clay.`,
    ]);
  });

  it('rejects a bad flag: exit 2 and one line that names it and what it accepts', async () => {
    const sort = await cli(['list', '--store', store, '--sort', 'accuracy']);
    expect(sort.code).toBe(2);
    expect(sort.stdout).toBe('');
    expect(sort.stderr).toMatch(/^ml-tracking: Invalid --sort: .*overall_accuracy.*f1_macro.*rmse/);
    expect(sort.stderr.trimEnd().split('\n')).toHaveLength(1);
    for (const [args, parameter] of [
      [['--limit', 'ten'], '--limit'],
      [['--limit', '0'], '--limit'],
      [['--order', 'up'], '--order'],
      [['--kind', 'clustering'], '--kind'],
      [['--trackers', '--sort', 'rmse'], '--sort'],
    ] as const) {
      await expect(list(['--store', store, ...args])).rejects.toMatchObject({
        code: 2,
        message: expect.stringMatching(
          new RegExp(`^ml-tracking: Invalid ${parameter}: `),
        ) as unknown,
      });
    }
  });
});

describe('ml-tracking show', () => {
  const store = `memory://${randomUUID()}`;

  it('prints the row fields, each overall metric once, and the per-class metrics as a table', async () => {
    const logged = await logExperiment({
      kind: 'classification',
      project: 'texture',
      parameters: { ...base, model: { name: 'Forest', params: { trees: 10 } } },
      yTrue: ['x', 'y', 'x', 'y'],
      yPred: ['x', 'y', 'y', 'y'],
      plots: false,
      store,
    });
    const lines = await show([logged.predictionId, '--store', store]);
    const text = lines.join('\n');
    expect(lines[0]).toBe(`tracker: ${logged.tracker}`);
    expect(text).toMatch(new RegExp(`prediction_id\\s+${logged.predictionId}`));
    expect(text).toMatch(/model\s+Forest/);
    expect(text).toMatch(/hyperparameters\s+\{"trees":10\}/);
    for (const metric of ['overall_accuracy', 'f1_macro', 'n_classes', 'log_loss']) {
      expect(lines.filter((line) => line.trim().startsWith(`${metric} `))).toHaveLength(1);
    }
    expect(text).toMatch(/overall_accuracy\s+0\.75\n/);
    expect(text).toMatch(/log_loss\s+-\n/);
    const perClass = lines.slice(lines.indexOf('per class:') + 1);
    expect(perClass.map((line) => line.trim().split(/\s+/))).toEqual([
      ['class', 'precision', 'recall', 'f1', 'support'],
      ['x', '1', '0.5', String(2 / 3), '2'],
      ['y', String(2 / 3), '1', '0.8', '2'],
    ]);
  });

  it('--json prints one object, numbers as numbers and empty cells as null', async () => {
    const logged = await logExperiment({
      kind: 'regression',
      project: 'soil',
      parameters: { ...base, model: { name: 'Ridge', params: { alpha: 1 } } },
      yTrue: [1, 2, 3, 4],
      yPred: [1, 2, 3, 6],
      plots: false,
      store,
    });
    const json = JSON.parse(
      (await show([logged.predictionId.toUpperCase(), '--store', store, '--json'])).join('\n'),
    ) as Record<string, unknown>;
    expect(json).toMatchObject({
      predictionId: logged.predictionId,
      project: 'soil',
      kind: 'regression',
      tracker: logged.tracker,
      fields: { model: 'Ridge', test_set_size: 4, hyperparameters: { alpha: 1 } },
      metrics: { rmse: 1, mae: 0.5, max_error: 2 },
      perClass: [],
    });
    expect((json.fields as Record<string, unknown>).plot_regression).toBeNull();
  });

  it('reports an unknown prediction id as not found (exit 1), a malformed one as bad input (2)', async () => {
    await expect(show([randomUUID(), '--store', store])).rejects.toMatchObject({
      code: 1,
      message: expect.stringMatching(
        /^ml-tracking: .*(not found|no such|No experiment)/i,
      ) as unknown,
    });
    await expect(show(['nope', '--store', store])).rejects.toMatchObject({
      code: 2,
      message: expect.stringMatching(/^ml-tracking: Invalid /) as unknown,
    });
  });
});
