import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeRow, type CellValue } from '../../src/csv/encode.js';
import {
  EXPERIMENT_KINDS,
  HEADLINE_METRICS,
  listExperiments,
  logExperiment,
  metricGoal,
  openStore,
  trackingColumns,
  ValidationError,
  type ExperimentKind,
  type Store,
} from '../../src/index.js';
import { metricNames } from '../../src/layout/tables.js';
import { createStore } from '../../src/store/create-store.js';
import { createMemoryDriver } from '../../src/store/drivers/memory.js';
import { TRACKER_READS_AT_ONCE } from '../../src/tracking/list-trackers.js';

const memory = () => openStore(`memory://${randomUUID()}`);

/** A tracker written by hand, so that dates and metrics are exactly what a test needs. */
async function writeTracker(
  store: Store,
  kind: ExperimentKind,
  name: string,
  rows: Record<string, CellValue>[],
): Promise<string[]> {
  const columns = trackingColumns(kind).map((column) => column.name);
  const project = name.slice(0, name.indexOf('_'));
  const ids = rows.map(() => randomUUID());
  const lines = rows.map((row, index) =>
    encodeRow(
      columns.map(
        (column) =>
          ({
            prediction_id: ids[index],
            project,
            kind,
            model: 'M',
            date: typeof row.logged_at === 'string' ? row.logged_at.slice(0, 10) : undefined,
            ...row,
          })[column],
      ),
    ),
  );
  await store.write(`projects/${kind}/${name}.csv`, encodeRow(columns) + lines.join(''));
  return ids;
}

/** A memory store that records every object read, and how many reads were in flight at once. */
function watchedStore(delayMs = 0) {
  const driver = createMemoryDriver({ name: randomUUID() });
  const reads: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const store = createStore({
    ...driver,
    read: async (path, range) => {
      reads.push(path);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        if (delayMs > 0) await sleep(delayMs);
        return await driver.read(path, range);
      } finally {
        inFlight -= 1;
      }
    },
    readStream: (path) => {
      reads.push(path);
      return driver.readStream(path);
    },
  });
  return { store, reads, maxInFlight: () => maxInFlight };
}

const at = (minute: number) => `2026-11-24T10:${String(minute).padStart(2, '0')}:00.000Z`;
const ids = (list: { experiments: { predictionId: string }[] }) =>
  list.experiments.map((experiment) => experiment.predictionId);

describe('listExperiments', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('summarises every logged experiment from its tracker row, typed, newest first', async () => {
    // Only Date is faked: two runs logged within one millisecond would tie on logged_at.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-24T10:00:00Z'));
    const store = await memory();
    const base = { datasetUri: 'd', targetColumn: 't', testSet: ['a', 'b', 'c', 'd'] };
    const classification = await logExperiment({
      kind: 'classification',
      project: 'Soil Texture',
      parameters: { ...base, model: { name: 'Forest', params: {} } },
      yTrue: ['x', 'y', 'x', 'y'],
      yPred: ['x', 'y', 'y', 'y'],
      plots: false,
      store,
    });
    vi.setSystemTime(new Date('2026-11-24T10:05:00Z'));
    const regression = await logExperiment({
      kind: 'regression',
      project: 'carbon',
      parameters: { ...base, model: { name: 'Ridge', params: {} } },
      yTrue: [1, 2, 3, 4],
      yPred: [1, 2, 3, 6],
      plots: false,
      store,
    });

    const { experiments, total } = await listExperiments(store);
    expect(total).toBe(2);
    const [newest, oldest] = experiments;
    expect(newest).toMatchObject({
      predictionId: regression.predictionId,
      project: 'carbon',
      kind: 'regression',
      model: 'Ridge',
      tracker: regression.tracker,
      headlineMetric: 'rmse',
    });
    expect(newest!.metrics.rmse).toBe(regression.scores.rmse);
    expect(newest!.metrics.rmse).toBe(1);
    expect(Object.keys(newest!.metrics)).toEqual(metricNames('regression'));
    expect(oldest).toMatchObject({
      predictionId: classification.predictionId,
      project: 'soil-texture',
      kind: 'classification',
      model: 'Forest',
      headlineMetric: 'f1_macro',
    });
    expect(oldest!.metrics.overall_accuracy).toBe(0.75);
    expect(oldest!.metrics.n_classes).toBe(2);
    // Not defined without yScore: an empty cell, listed as null rather than 0 or "".
    expect(oldest!.metrics.log_loss).toBeNull();
    expect([oldest!.loggedAt, oldest!.date]).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-24']);
    expect(newest!.loggedAt).toBe('2026-11-24T10:05:00.000Z');
  });

  it('goes newest first across projects and trackers; equal times, the later row first', async () => {
    const store = await memory();
    const [old] = await writeTracker(store, 'regression', 'soil_20261123_1', [
      { logged_at: at(1) },
    ]);
    const [tieFirst, tieSecond] = await writeTracker(store, 'regression', 'soil_20261124_1', [
      { logged_at: at(30) },
      { logged_at: at(30) },
    ]);
    const [middle] = await writeTracker(store, 'classification', 'clay_20261124_1', [
      { logged_at: at(20) },
    ]);
    expect(ids(await listExperiments(store))).toEqual([tieSecond, tieFirst, middle, old]);
    expect(ids(await listExperiments(store, { order: 'asc' }))).toEqual([
      old,
      middle,
      tieFirst,
      tieSecond,
    ]);
  });

  it('sorts by a metric best first: errors ascending, scores descending, bias nearest zero; empty cells last', async () => {
    const store = await memory();
    const rows = [
      { logged_at: at(1), rmse: 3, rsquared: 0.2, mbe: -2 },
      { logged_at: at(2), rmse: 1, rsquared: 0.9, mbe: 0.5 },
      { logged_at: at(3), rmse: undefined, rsquared: undefined, mbe: undefined },
      { logged_at: at(4), rmse: 2, rsquared: 0.5, mbe: -0.1 },
    ];
    const [r3, r1, empty, r2] = await writeTracker(store, 'regression', 'soil_20261124_1', rows);
    const [classified] = await writeTracker(store, 'classification', 'soil_20261124_1', [
      { logged_at: at(5), f1_macro: 0.5 },
    ]);

    expect(ids(await listExperiments(store, { sort: 'rmse' }))).toEqual([r1, r2, r3, empty]);
    expect(ids(await listExperiments(store, { sort: 'rsquared' }))).toEqual([r1, r2, r3, empty]);
    expect(ids(await listExperiments(store, { sort: 'mbe' }))).toEqual([r2, r1, r3, empty]);
    // An explicit order is by the raw value; empty cells stay last.
    expect(ids(await listExperiments(store, { sort: 'rmse', order: 'desc' }))).toEqual([
      r3,
      r2,
      r1,
      empty,
    ]);
    expect(ids(await listExperiments(store, { sort: 'mbe', order: 'asc' }))).toEqual([
      r3,
      r2,
      r1,
      empty,
    ]);
    // A metric of one kind keeps that kind only.
    expect(ids(await listExperiments(store, { sort: 'f1_macro' }))).toEqual([classified]);
    expect((await listExperiments(store)).total).toBe(5);
  });

  it('filters by project (slugified, never a prefix of another) and kind, and limits', async () => {
    const store = await memory();
    const soilCarbon = await writeTracker(store, 'regression', 'soil-carbon_20261124_1', [
      { logged_at: at(1) },
      { logged_at: at(2) },
      { logged_at: at(3) },
    ]);
    await writeTracker(store, 'regression', 'soil_20261124_1', [{ logged_at: at(4) }]);
    const soilCarbonClassified = await writeTracker(
      store,
      'classification',
      'soil-carbon_20261124_1',
      [{ logged_at: at(5) }],
    );

    const project = await listExperiments(store, { project: 'Soil Carbon' });
    expect(new Set(ids(project))).toEqual(new Set([...soilCarbon, ...soilCarbonClassified]));
    const regression = await listExperiments(store, { project: 'soil carbon', kind: 'regression' });
    expect(ids(regression)).toEqual([...soilCarbon].reverse());

    const limited = await listExperiments(store, { kind: 'regression', limit: 2 });
    expect(limited.experiments).toHaveLength(2);
    expect(limited.total).toBe(4);
  });

  it('rejects a wrong option, naming it and what it accepts', async () => {
    const store = await memory();
    const error = await listExperiments(store, { sort: 'accuracy' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).parameter).toBe('sort');
    for (const metric of [...metricNames('classification'), ...metricNames('regression')]) {
      expect((error as Error).message).toContain(metric);
    }
    const ofKind = await listExperiments(store, { sort: 'rmse', kind: 'classification' }).catch(
      (e: unknown) => e,
    );
    expect((ofKind as ValidationError).parameter).toBe('sort');
    expect((ofKind as Error).message).toContain('f1_macro');
    expect((ofKind as Error).message).not.toContain('rmse,');

    for (const [options, parameter] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 1.5 }, 'limit'],
      [{ order: 'up' }, 'order'],
      [{ kind: 'clustering' }, 'kind'],
      [{ project: '%%' }, 'project'],
    ] as const) {
      await expect(listExperiments(store, options as never)).rejects.toMatchObject({
        name: 'ValidationError',
        parameter,
      });
    }
  });

  it('reads each tracker once, a bounded number at a time, and no scoring table', async () => {
    const { store, reads, maxInFlight } = watchedStore(5);
    for (let tracker = 1; tracker <= 3 * TRACKER_READS_AT_ONCE; tracker += 1) {
      await writeTracker(store, 'regression', `p${tracker}_20261124_1`, [
        { logged_at: at(1), rmse: tracker },
        { logged_at: at(2), rmse: tracker + 0.5 },
      ]);
      await store.write(`scoring/${randomUUID()}.csv`, 'prediction_id\n');
    }
    const { experiments, total } = await listExperiments(store, { sort: 'rmse', limit: 3 });
    expect(total).toBe(6 * TRACKER_READS_AT_ONCE);
    expect(experiments.map((experiment) => experiment.metrics.rmse)).toEqual([1, 1.5, 2]);

    expect(reads.filter((path) => !path.startsWith('projects/'))).toEqual([]);
    expect(reads).toHaveLength(new Set(reads).size);
    expect(reads).toHaveLength(3 * TRACKER_READS_AT_ONCE);
    expect(maxInFlight()).toBeGreaterThan(1);
    expect(maxInFlight()).toBeLessThanOrEqual(TRACKER_READS_AT_ONCE);
  });
});

describe('headline metrics and metric goals', () => {
  it('name a metric of their kind, and every metric column has a direction', () => {
    for (const kind of EXPERIMENT_KINDS) {
      expect(metricNames(kind)).toContain(HEADLINE_METRICS[kind]);
      expect(metricGoal(HEADLINE_METRICS[kind])).not.toBe('none');
    }
    // A new metric column must say which way is better; only the class count has no better.
    const undirected = EXPERIMENT_KINDS.flatMap((kind) => metricNames(kind)).filter(
      (metric) => metricGoal(metric) === 'none',
    );
    expect(undirected).toEqual(['n_classes']);
  });
});
