import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, MlTrackingError } from '../../src/errors.js';
import { TRACKER_SCHEMA_VERSION, trackingColumns } from '../../src/layout/tables.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { logExperiment } from '../../src/tracking/log-experiment.js';
import { migrateTrackers, rawRecords } from '../../src/tracking/migrate-trackers.js';
import { OutdatedTrackerError } from '../../src/errors.js';
import { checkTrackerHeader, currentTrackerHeader } from '../../src/tracking/trackers.js';

/** The classification tracker header of schema version 1, as the first release wrote it. */
const V1_CLASSIFICATION = [
  'prediction_id',
  'logged_at',
  'date',
  'project',
  'kind',
  'dataset_uri',
  'target_column',
  'test_set_size',
  'test_set_sha256',
  'model',
  'hyperparameters',
  'model_features',
  'feature_importance',
  'git_commit',
  'git_dirty',
  'host',
  'extra_parameters',
  'prediction_uri',
  'overall_accuracy',
  'balanced_accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'f1_weighted',
  'true_positive_rate',
  'true_negative_rate',
  'mcc',
  'cohen_kappa',
  'log_loss',
  'roc_auc',
  'n_classes',
  'plot_confusion_matrix',
  'plot_regression',
  'plot_residuals',
];
const NEW_CLASSIFICATION_COLUMNS = [
  'plot_confusion_matrix_normalized',
  'plot_roc',
  'plot_precision_recall',
  'plot_calibration',
];

/** A version 1 row, cells as the first release encoded them (quotes, a line break, a comma). */
function v1Row(id: string, note = 'a, "b"\nc'): string {
  const cells: Record<string, string> = {
    prediction_id: id,
    logged_at: '2026-11-20T10:00:00.000Z',
    date: '2026-11-20',
    project: 'soil',
    kind: 'classification',
    dataset_uri: 'gs://b/soil.csv',
    target_column: 'texture',
    test_set_size: '6',
    test_set_sha256: 'ab'.repeat(32),
    model: 'GradientBoostedTrees',
    hyperparameters: '"{""nEstimators"":100}"',
    git_commit: 'abc123',
    git_dirty: 'false',
    host: 'host-1',
    extra_parameters: `"{""note"":""${note.replaceAll('"', '\\""')}""}"`,
    prediction_uri: id,
    overall_accuracy: '0.6666666666666666',
    roc_auc: '',
    n_classes: '3',
    plot_confusion_matrix: `memory://x/plots/classification/${id}_confusion_matrix.png`,
  };
  return `${V1_CLASSIFICATION.map((name) => cells[name] ?? '').join(',')}\n`;
}

const header = (names: readonly string[]) => `${names.join(',')}\n`;
const memory = () => openStore(`memory://${randomUUID()}`);
const records = (text: string) => parse<Record<string, string>>(text, { columns: true });
const TRACKER = 'projects/classification/soil_20261120_1.csv';

describe('migrateTrackers', () => {
  it('knows the version 1 header', () => {
    expect(trackingColumns('classification', 1).map((column) => column.name)).toEqual(
      V1_CLASSIFICATION,
    );
    expect(trackingColumns('classification').map((column) => column.name)).toEqual([
      ...V1_CLASSIFICATION,
      ...NEW_CLASSIFICATION_COLUMNS,
    ]);
    expect(TRACKER_SCHEMA_VERSION).toBe(2);
  });

  it('lists an old tracker without touching it, then rewrites it: new header, cells kept byte for byte, new columns empty', async () => {
    const store = await memory();
    const [a, b] = [randomUUID(), randomUUID()];
    const old = header(V1_CLASSIFICATION) + v1Row(a) + v1Row(b, 'plain');
    await store.write(TRACKER, old);

    const dry = await migrateTrackers(store);
    expect(dry).toMatchObject({ applied: false, checked: 1, schemaVersion: 2 });
    expect(dry.trackers).toEqual([
      {
        path: TRACKER,
        kind: 'classification',
        fromVersion: 1,
        rows: 2,
        changes: [
          `header: schema version 1 → 2, adds ${NEW_CLASSIFICATION_COLUMNS.join(', ')}`,
          '2 rows get the new columns, empty',
          '2 prediction_uri cells: the prediction id → the predictions URL',
        ],
        migrated: false,
      },
    ]);
    expect(await store.readText(TRACKER)).toBe(old);

    const applied = await migrateTrackers(store, { apply: true });
    expect(applied.trackers.map((tracker) => tracker.migrated)).toEqual([true]);
    const text = await store.readText(TRACKER);
    const lines = text.split(/\n(?=[0-9a-f]{8}-)/);
    expect(`${lines[0]}\n`).toBe(header(trackingColumns('classification').map((c) => c.name)));
    // Each row: the old bytes with prediction_uri now the URL, then four empty cells.
    for (const [index, id] of [a, b].entries()) {
      const expected = v1Row(id, index === 0 ? undefined : 'plain')
        .slice(0, -1)
        .replace(`,${id},0.666`, `,${store.url}/predictions/classification/${id}.csv,0.666`);
      expect(lines[index + 1]).toBe(`${expected},,,,${index === 1 ? '\n' : ''}`);
    }
    // Read back, every old cell is what it was (but prediction_uri).
    const rows = records(text);
    records(old).forEach((original, index) => {
      for (const name of V1_CLASSIFICATION.filter((n) => n !== 'prediction_uri')) {
        expect(rows[index]?.[name], name).toBe(original[name]);
      }
    });
    expect(rows[0]?.extra_parameters).toContain('\n');
    expect(rows[0]).toMatchObject({ plot_roc: '', plot_calibration: '', n_classes: '3' });

    // Nothing left to do.
    expect((await migrateTrackers(store, { apply: true })).trackers).toEqual([]);
  });

  it('maps columns by name from any order, and fills only prediction_uri cells that held the id', async () => {
    const store = await memory();
    const id = randomUUID();
    const regression = trackingColumns('regression').map((column) => column.name);
    // A regression tracker of version 1 has today's columns: only the URL cells change.
    const path = 'projects/regression/carbon_20261120_1.csv';
    const row = regression.map((name) =>
      name === 'prediction_id' || name === 'prediction_uri' ? id : name === 'mae' ? '0.5' : '',
    );
    await store.write(path, header(regression) + header(row));
    // A classification tracker with the columns shuffled: mapped by name.
    const shuffled = [...V1_CLASSIFICATION].reverse();
    const other = 'projects/classification/other_20261120_1.csv';
    const cells = shuffled.map((name) =>
      name === 'prediction_id' ? id : name === 'prediction_uri' ? 'gs://kept/as/is.csv' : '',
    );
    await store.write(other, header(shuffled) + header(cells));

    const report = await migrateTrackers(store, { apply: true });
    expect(report.trackers.map((tracker) => [tracker.path, tracker.fromVersion])).toEqual([
      [other, undefined],
      [path, 2],
    ]);
    const [migrated] = records(await store.readText(path));
    expect(migrated).toMatchObject({
      prediction_uri: `${store.url}/predictions/regression/${id}.csv`,
      mae: '0.5',
    });
    const [mapped] = records(await store.readText(other));
    expect(mapped).toMatchObject({ prediction_id: id, prediction_uri: 'gs://kept/as/is.csv' });
    expect(Object.keys(mapped!)).toEqual(trackingColumns('classification').map((c) => c.name));
  });

  it('leaves alone, and reports, a tracker whose columns the schema does not have', async () => {
    const store = await memory();
    const text =
      header([...V1_CLASSIFICATION, 'my_note']) + v1Row(randomUUID()).slice(0, -1) + ',hi\n';
    await store.write(TRACKER, text);
    const report = await migrateTrackers(store, { apply: true });
    expect(report.trackers).toHaveLength(1);
    expect(report.trackers[0]).toMatchObject({ migrated: false });
    expect(report.trackers[0]?.problem).toMatch(/my_note.*rename or remove/);
    expect(await store.readText(TRACKER)).toBe(text);
  });

  it('maps rows of the old layout that an old writer appended after the migration', async () => {
    const store = await memory();
    await store.write(TRACKER, header(V1_CLASSIFICATION) + v1Row(randomUUID()));
    await migrateTrackers(store, { apply: true });
    const late = randomUUID();
    await store.append(TRACKER, v1Row(late));
    const report = await migrateTrackers(store, { apply: true });
    expect(report.trackers[0]?.changes).toContain(
      '1 rows of an older schema, appended after a migration, mapped',
    );
    const rows = records(await store.readText(TRACKER));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ prediction_id: late, plot_roc: '' });
  });
});

describe('migrateTrackers under concurrent appends', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-migrate-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('retries when a row lands between its read and its write, and keeps that row', async () => {
    const inner = await memory();
    await inner.write(TRACKER, header(V1_CLASSIFICATION) + v1Row(randomUUID()));
    const sneaky = randomUUID();
    let conflicts = 0;
    let appended = false;
    const store: Store = {
      ...inner,
      // A writer appends right after the migration read the tracker.
      readText: async (path) => {
        const text = await inner.readText(path);
        if (!appended) {
          appended = true;
          await inner.append(path, v1Row(sneaky));
        }
        return text;
      },
      write: async (path, data, options) => {
        try {
          return await inner.write(path, data, options);
        } catch (error) {
          if (error instanceof ConflictError) conflicts += 1;
          throw error;
        }
      },
    };
    const report = await migrateTrackers(store, { apply: true });
    expect(conflicts).toBe(1);
    expect(report.trackers[0]).toMatchObject({ migrated: true, rows: 2 });
    const rows = records(await inner.readText(TRACKER));
    expect(rows.map((row) => row.prediction_id)).toContain(sneaky);
    expect(rows.every((row) => row.plot_roc === '')).toBe(true);
  });

  it.each([
    ['memory', () => memory()],
    ['local folder', () => openStore(join(root, randomUUID()))],
  ] as const)('loses none of 60 rows appended while it runs (%s store)', async (_, open) => {
    const inner = await open();
    let conflicts = 0;
    const store: Store = {
      ...inner,
      write: async (path, data, options) => {
        try {
          return await inner.write(path, data, options);
        } catch (error) {
          if (error instanceof ConflictError) conflicts += 1;
          throw error;
        }
      },
    };
    const before = Array.from({ length: 300 }, () => randomUUID());
    await store.write(TRACKER, header(V1_CLASSIFICATION) + before.map((id) => v1Row(id)).join(''));
    const during = Array.from({ length: 60 }, () => randomUUID());
    const appends = (async () => {
      for (const id of during) {
        await store.append(TRACKER, v1Row(id));
        // Let the migration run between appends.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const migrations = Promise.all([
      migrateTrackers(store, { apply: true }),
      migrateTrackers(store, { apply: true }),
    ]);
    await Promise.all([appends, migrations]);
    // Rows an old writer appended after the rewrite are mapped by running it again.
    await migrateTrackers(store, { apply: true });
    const text = await store.readText(TRACKER);
    const ids = records(text).map((row) => row.prediction_id);
    expect(ids.sort()).toEqual([...before, ...during].sort());
    expect(rawRecords(text).every((fields) => fields.length === V1_CLASSIFICATION.length + 4)).toBe(
      true,
    );
    // The rewrites did race the appends (and each other): compare-and-swap had to retry.
    expect(conflicts).toBeGreaterThan(0);
    await store.close();
  });
});

describe('logging into a tracker of an older schema', () => {
  const experiment = (store: Store) =>
    logExperiment({
      kind: 'classification',
      project: 'soil',
      parameters: { datasetUri: 'x', targetColumn: 'y', testSet: ['a', 'b', 'c'], model: {} },
      yTrue: ['x', 'y', 'x'],
      yPred: ['x', 'y', 'y'],
      plots: false,
      store,
    });

  it('is refused before anything is written, with the fix named; after ml-tracking migrate it works', async () => {
    const store = await memory();
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const path = `projects/classification/soil_${today}_1.csv`;
    const old = header(V1_CLASSIFICATION) + v1Row(randomUUID());
    await store.write(path, old);

    const error = await experiment(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutdatedTrackerError);
    expect(error).toBeInstanceOf(MlTrackingError);
    expect(error).toMatchObject({ code: 'ERR_OUTDATED_TRACKER', path, store: store.url });
    expect((error as Error).message).toContain(
      `${path} in ${store.url}: its header is that of schema version 1, not that of tracker schema version 2`,
    );
    expect((error as Error).message).toContain(`ml-tracking migrate --store ${store.url}`);
    expect(await store.readText(path)).toBe(old);
    const written = [];
    for await (const object of store.listAll()) written.push(object.path);
    expect(written).toEqual([path]);

    await migrateTrackers(store, { apply: true });
    const logged = await experiment(store);
    expect(logged.tracker).toBe(path);
    const rows = records(await store.readText(path));
    expect(rows.map((row) => row.prediction_id)[1]).toBe(logged.predictionId);
  });

  it('reads only the first line of the tracker, once per process', async () => {
    const inner = await memory();
    const tracker = {
      kind: 'classification' as const,
      project: 'soil',
      date: '20261120',
      index: 1,
      path: TRACKER,
    };
    await inner.write(TRACKER, `${currentTrackerHeader('classification')}\n`);
    // The tracker holds far more than its header: only a byte range at its start may be read.
    const ranges: { start?: number; end?: number }[] = [];
    const store: Store = {
      ...inner,
      read: (path, range = {}) => {
        if (range.end === undefined) return Promise.reject(new Error('read the whole tracker'));
        ranges.push(range);
        return inner.read(path, range);
      },
      readText: () => Promise.reject(new Error('read the whole tracker')),
      readStream: () => Promise.reject(new Error('streamed the whole tracker')),
    };
    await checkTrackerHeader(store, tracker);
    await checkTrackerHeader(store, tracker);
    expect(ranges).toEqual([{ start: 0, end: 4096 }]);
    // An outdated verdict is not kept: a migration may come in between.
    const other = { ...tracker, path: 'projects/classification/soil_20261120_2.csv' };
    await inner.write(other.path, header(V1_CLASSIFICATION));
    const outdated = { ...inner };
    await expect(checkTrackerHeader(outdated, other)).rejects.toThrow(OutdatedTrackerError);
    await expect(checkTrackerHeader(outdated, other)).rejects.toThrow(/ml-tracking migrate/);
  });
});
