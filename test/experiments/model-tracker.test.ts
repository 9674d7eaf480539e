/*
 * ModelTracker: rows and the ordered union of their columns, upsert by key, find and remove,
 * round trips through JSON and CSV (formula-looking text neutralised in the file, given back
 * whole), and load/save in every store with the generation precondition.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import type { Store } from '../../src/store/types.js';
import { lostUploadAnswers, startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { openFakeStore, openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';

describe('ModelTracker in memory', () => {
  it('keeps the columns in order of first appearance, and rows as given', () => {
    const tracker = new ModelTracker([
      { model_name: 'a', accuracy: 0.5 },
      { model_name: 'b', f1: 0.25, accuracy: 0.75 },
    ]);
    tracker.addRow({ rmse: 3, model_name: 'c' });
    expect(tracker.columnNames).toEqual(['model_name', 'accuracy', 'f1', 'rmse']);
    expect(tracker.length).toBe(3);
    expect(tracker.toRecords()).toEqual([
      { model_name: 'a', accuracy: 0.5 },
      { model_name: 'b', f1: 0.25, accuracy: 0.75 },
      { rmse: 3, model_name: 'c' },
    ]);
  });

  it('copies rows in and out: changing a returned row changes nothing', () => {
    const row = { model_name: 'a', accuracy: 0.5 };
    const tracker = new ModelTracker([row]);
    row.accuracy = 0;
    tracker.find({ model_name: 'a' })[0]!.accuracy = 1;
    tracker.toRecords()[0]!.accuracy = 2;
    expect(tracker.toRecords()).toEqual([{ model_name: 'a', accuracy: 0.5 }]);
  });

  it('upsert replaces the matching row in place, or adds one, and leaves one row per key', () => {
    const tracker = new ModelTracker([
      { model_name: 'a', accuracy: 0.5 },
      { model_name: 'b', accuracy: 0.6 },
      { model_name: 'a', accuracy: 0.7 },
    ]);
    expect(tracker.upsert('model_name', { model_name: 'a', accuracy: 0.9, epochs: 3 })).toBe(
      'replaced',
    );
    expect(tracker.toRecords()).toEqual([
      { model_name: 'a', accuracy: 0.9, epochs: 3 },
      { model_name: 'b', accuracy: 0.6 },
    ]);
    expect(tracker.upsert('model_name', { model_name: 'c', accuracy: 0.1 })).toBe('added');
    expect(tracker.find({ model_name: 'c' })).toEqual([{ model_name: 'c', accuracy: 0.1 }]);
    expect(tracker.columnNames).toEqual(['model_name', 'accuracy', 'epochs']);
    expect(() => tracker.upsert('model_name', { accuracy: 1 })).toThrow(ValidationError);
  });

  it('finds and removes by values or by a predicate; columns stay', () => {
    const tracker = new ModelTracker([
      { model_name: 'a', accuracy: 0.5, params: { depth: 3 } },
      { model_name: 'b', accuracy: 0.95, params: { depth: 5 } },
      { model_name: 'c', accuracy: 0.92 },
    ]);
    expect(tracker.find((row) => Number(row.accuracy) > 0.9).map((row) => row.model_name)).toEqual([
      'b',
      'c',
    ]);
    // Nested values match by content.
    expect(tracker.find({ params: { depth: 5 } }).map((row) => row.model_name)).toEqual(['b']);
    expect(tracker.find({ model_name: 'zzz' })).toEqual([]);
    expect(tracker.remove({ model_name: 'a' })).toBe(1);
    expect(tracker.remove((row) => row.model_name === 'nobody')).toBe(0);
    expect(tracker.toRecords().map((row) => row.model_name)).toEqual(['b', 'c']);
    expect(tracker.columnNames).toEqual(['model_name', 'accuracy', 'params']);
  });

  it('rejects what is not a row or a query with a ValidationError', () => {
    const tracker = new ModelTracker();
    expect(() => tracker.addRow([1, 2] as never)).toThrow(ValidationError);
    expect(() => tracker.addRow(null as never)).toThrow(ValidationError);
    expect(() => tracker.find('a' as never)).toThrow(ValidationError);
    expect(() => ModelTracker.fromJSON('{not json')).toThrow(ValidationError);
    expect(() => ModelTracker.fromJSON({ rows: [3] })).toThrow(ValidationError);
    expect(() => ModelTracker.fromCSV('a,a\n1,2\n')).toThrow(ValidationError);
  });

  it('round trips through JSON with types, nested values and column order', () => {
    const tracker = new ModelTracker([
      { model_name: 'a', accuracy: 0.1 + 0.2, ok: true, params: { layers: [64, 32] } },
      { model_name: 'b', note: '=1+1', accuracy: 1 / 3 },
    ]);
    const text = JSON.stringify(tracker);
    const back = ModelTracker.fromJSON(text);
    expect(back.columnNames).toEqual(['model_name', 'accuracy', 'ok', 'params', 'note']);
    expect(back.toRecords()).toEqual(tracker.toRecords());
    // From the parsed object too, and from a plain array of rows.
    expect(ModelTracker.fromJSON(JSON.parse(text)).toRecords()).toEqual(tracker.toRecords());
    expect(ModelTracker.fromJSON([{ x: 1 }]).toRecords()).toEqual([{ x: 1 }]);
  });

  it('writes CSV through the formula-safe encoder and reads it back as text, in column order', () => {
    const tracker = new ModelTracker([
      { model_name: 'a', note: '=1+1', accuracy: 0.1 + 0.2, params: { depth: 3 }, ok: true },
      { model_name: 'b,"quoted"', label: -1, note: '@SUM(A1)', empty: null },
    ]);
    const csv = tracker.toCSV();
    const cells = parse(csv);
    expect(cells[0]).toEqual(['model_name', 'note', 'accuracy', 'params', 'ok', 'label', 'empty']);
    // What a spreadsheet sees: the formula-looking texts start with ', the number -1 stays.
    expect(cells[1]).toEqual(['a', "'=1+1", '0.30000000000000004', '{"depth":3}', 'true', '', '']);
    expect(cells[2]).toEqual(['b,"quoted"', "'@SUM(A1)", '', '', '', '-1', '']);

    const back = ModelTracker.fromCSV(csv);
    expect(back.columnNames).toEqual(tracker.columnNames);
    expect(back.toRecords()).toEqual([
      {
        model_name: 'a',
        note: '=1+1',
        accuracy: '0.30000000000000004',
        params: '{"depth":3}',
        ok: 'true',
      },
      { model_name: 'b,"quoted"', note: '@SUM(A1)', label: '-1' },
    ]);
    // A second trip changes nothing.
    expect(ModelTracker.fromCSV(back.toCSV()).toRecords()).toEqual(back.toRecords());
  });
});

for (const kind of ['memory', 'local', 'gcs-fake'] as const) {
  describe(`ModelTracker in a ${kind} store`, () => {
    let subject: RunStoreSubject;
    let store: Store;
    beforeAll(async () => {
      subject = await openRunStore(kind);
      store = subject.store;
    });
    afterAll(() => subject.close());

    for (const extension of ['json', 'csv'] as const) {
      it(`loads a missing ${extension} file as an empty tracker, then saves and reloads it`, async () => {
        const path = `experiment-trackers/round-trip.${extension}`;
        const empty = await ModelTracker.load(store, path);
        expect(empty.length).toBe(0);
        expect(empty.generation).toBe('0');
        empty.addRow({ model_name: 'a', accuracy: 0.5, note: '=1+1' });
        const info = await empty.save(store, path);
        expect(empty.generation).toBe(info.generation);

        const loaded = await ModelTracker.load(store, path);
        expect(loaded.generation).toBe(info.generation);
        expect(loaded.columnNames).toEqual(['model_name', 'accuracy', 'note']);
        expect(loaded.toRecords()).toEqual([
          { model_name: 'a', accuracy: extension === 'json' ? 0.5 : '0.5', note: '=1+1' },
        ]);
        // Saving again after its own save needs no reload.
        loaded.addRow({ model_name: 'b' });
        await loaded.save(store, path);
        await loaded.save(store, path);
        expect((await ModelTracker.load(store, path)).length).toBe(2);
      });
    }

    it('makes the second of two writers that loaded the same generation throw ConflictError', async () => {
      const path = 'experiment-trackers/conflict.json';
      await new ModelTracker([{ model_name: 'base' }]).save(store, path);
      const first = await ModelTracker.load(store, path);
      const second = await ModelTracker.load(store, path);
      first.addRow({ model_name: 'first' });
      second.addRow({ model_name: 'second' });
      await first.save(store, path);
      await expect(second.save(store, path)).rejects.toBeInstanceOf(ConflictError);
      // Nothing of the loser's landed; a reload and retry does.
      const reloaded = await ModelTracker.load(store, path);
      expect(reloaded.toRecords().map((row) => row.model_name)).toEqual(['base', 'first']);
      reloaded.addRow({ model_name: 'second' });
      await reloaded.save(store, path);
      expect(
        (await ModelTracker.load(store, path)).toRecords().map((row) => row.model_name),
      ).toEqual(['base', 'first', 'second']);
    });

    it('never overwrites an existing file with a tracker that was not loaded from it', async () => {
      const path = 'experiment-trackers/create-only.csv';
      await new ModelTracker([{ model_name: 'kept' }]).save(store, path);
      await expect(new ModelTracker([{ model_name: 'new' }]).save(store, path)).rejects.toThrow(
        ConflictError,
      );
      expect((await ModelTracker.load(store, path)).toRecords()).toEqual([{ model_name: 'kept' }]);
    });

    for (const extension of ['json', 'csv'] as const) {
      it(`update (${extension}): eight concurrent writers add their rows once each; a repeat is already`, async () => {
        const path = `experiment-trackers/update-${extension}-${randomUUID()}.${extension}`;
        const runIds = Array.from({ length: 8 }, (_, index) => `run-${index}`);
        const outcomes = await Promise.all(
          runIds.map((runId) =>
            ModelTracker.update(store, path, { run_id: runId }, (tracker) => {
              tracker.addRow({ run_id: runId, model_name: 'shared' });
            }),
          ),
        );
        expect(outcomes).toEqual(runIds.map(() => 'applied'));
        const before = await store.stat(path);
        const again = await ModelTracker.update(store, path, { run_id: 'run-3' }, (tracker) => {
          tracker.addRow({ run_id: 'run-3', model_name: 'shared' });
        });
        expect(again).toBe('already');
        expect((await store.stat(path))?.generation).toBe(before?.generation);
        const rows = (await ModelTracker.load(store, path)).toRecords();
        expect(rows.map((row) => row.run_id).sort()).toEqual(runIds);
      });
    }

    it('update refuses an empty key, or a change that leaves no row with the key, writing nothing', async () => {
      const path = `experiment-trackers/update-refused-${randomUUID()}.json`;
      await expect(ModelTracker.update(store, path, {}, () => undefined)).rejects.toThrow(
        ValidationError,
      );
      await expect(
        ModelTracker.update(store, path, { run_id: 'mine' }, (tracker) => {
          tracker.addRow({ run_id: 'someone else' });
        }),
      ).rejects.toThrow(/no row matches/);
      expect(await store.stat(path)).toBeUndefined();
    });

    it('refuses a path that is neither .json nor .csv, before touching the store', async () => {
      await expect(ModelTracker.load(store, 'experiment-trackers/x.txt')).rejects.toThrow(
        ValidationError,
      );
      await expect(new ModelTracker().save(store, 'experiment-trackers/x.txt')).rejects.toThrow(
        ValidationError,
      );
      expect(await store.stat('experiment-trackers/x.txt')).toBeUndefined();
    });
  });
}

describe('ModelTracker.update on the GCS fake losing answers after commit', () => {
  let fake: GcsFake;
  const stores: Store[] = [];
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await fake.stop();
  });

  it('six writers, one handle each, a quarter of the uploads answering 503 after commit: one row each', async () => {
    const handles = await Promise.all(
      Array.from({ length: 6 }, () => openFakeStore(fake, 'model-tracker')),
    );
    stores.push(...handles);
    const path = 'experiment-trackers/lost-answers.json';
    fake.injectFault(lostUploadAnswers(1000));
    try {
      await Promise.all(
        handles.map((handle, index) =>
          ModelTracker.update(handle, path, { run_id: `run-${index}` }, (tracker) => {
            tracker.addRow({ run_id: `run-${index}`, model_name: 'shared' });
          }),
        ),
      );
    } finally {
      fake.clearFaults();
    }
    const rows = (await ModelTracker.load(handles[0]!, path)).toRecords();
    expect(rows.map((row) => row.run_id).sort()).toEqual(handles.map((_, index) => `run-${index}`));
  });
});
