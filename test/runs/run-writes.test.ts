/*
 * What a run costs the store: a flush sends the points added since the last one (never the
 * history), a GCS object is written about once a second at most, and faults after a commit on
 * GCS neither lose nor double a point.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openStore,
  readScalars,
  startRun,
  StoreError,
  type ExperimentLogger,
  type Store,
} from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { countingStore, openFakeStore, type CountingStore, type StoreCall } from './_run-stores.js';

const scalarsOf = (id: string) => `scalars/${id}.csv`;
const recordOf = (id: string) => `runs/${id}.csv`;

/** The calls made on `path` since call number `from`. */
const callsOn = (store: CountingStore, path: string, from = 0): StoreCall[] =>
  store.calls.slice(from).filter((call) => call.path === path);

const bytesOf = (calls: StoreCall[]) => calls.reduce((sum, call) => sum + call.bytes, 0);

/** Milliseconds between one call and the next. */
const gapsOf = (calls: StoreCall[]) =>
  calls.slice(1).map((call, index) => call.at - calls[index]!.at);

describe('a flush sends only what was added since the last one', () => {
  it('appends bytes in proportion to the new points, whatever the history', async () => {
    const store = countingStore(await openStore(`memory://${randomUUID()}`));
    // No background flush during the test: each flush below is the only one.
    const run = await startRun({
      project: 'append-cost',
      store,
      closeOnExit: false,
      flushIntervalMs: 600_000,
      heartbeatIntervalSeconds: 3_600,
    });
    const scalars = scalarsOf(run.id);
    const record = recordOf(run.id);
    // Created once, with its header; never rewritten after that.
    expect(callsOn(store, scalars).map((call) => call.method)).toEqual(['write']);

    const perFlush: { scalars: number; record: number; total: number }[] = [];
    const flushWith = async (points: number) => {
      for (let index = 0; index < points; index += 1) {
        run.addScalars({ loss: 1 / (index + 1), accuracy: index / points });
      }
      const from = store.calls.length;
      await run.flush();
      const calls = store.calls.slice(from);
      expect(calls.filter((call) => call.path === scalars).map((call) => call.method)).toEqual([
        'append',
      ]);
      perFlush.push({
        scalars: bytesOf(callsOn(store, scalars, from)),
        record: bytesOf(callsOn(store, record, from)),
        total: bytesOf(calls),
      });
    };
    for (let flush = 0; flush < 10; flush += 1) await flushWith(500);
    await flushWith(5);

    const first = perFlush[0]!;
    // 1,000 rows of about 70 bytes.
    expect(first.scalars / 1_000).toBeGreaterThan(40);
    expect(first.scalars / 1_000).toBeLessThan(120);
    for (const later of perFlush.slice(1, 10)) {
      // Steps gain a digit (499 → 4999): a few per cent, never the history's 10×.
      expect(later.scalars / first.scalars).toBeGreaterThan(0.95);
      expect(later.scalars / first.scalars).toBeLessThan(1.1);
      expect(later.record).toBeLessThan(first.record + 100);
      expect(later.total / first.total).toBeLessThan(1.1);
    }
    // 10 rows cost a hundredth of 1,000.
    const small = perFlush[10]!;
    expect(small.scalars / first.scalars).toBeGreaterThan(0.005);
    expect(small.scalars / first.scalars).toBeLessThan(0.015);

    await run.finish();
    // The file is its header and the appended batches, nothing written twice.
    const size = (await store.stat(scalars))?.size;
    expect(size).toBe(bytesOf(callsOn(store, scalars)));
    const series = await readScalars(run.id, { store });
    expect(series.loss?.step.length).toBe(10 * 500 + 5);
  });
});

describe('on GCS (the fake)', () => {
  let fake: GcsFake;
  const stores: Store[] = [];
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await fake.stop();
  });
  const open = async (options?: Parameters<typeof openFakeStore>[2]) => {
    const store = await openFakeStore(fake, randomUUID(), options);
    stores.push(store);
    return store;
  };
  const start = (store: Store): Promise<ExperimentLogger> =>
    startRun({ project: 'gcs-rate', store, closeOnExit: false });

  /** Google's service takes about one update of an object per second; the fake, any number. */
  const asOnGoogle = { updateIntervalMs: 1000 };

  it('writes the scalars object about once a second while points keep coming', async () => {
    const store = countingStore(await open(asOnGoogle));
    const run = await start(store);
    fake.resetStats();
    const end = Date.now() + 3_500;
    let points = 0;
    while (Date.now() < end) {
      run.addScalar('loss', Math.random());
      points += 1;
      if (points % 20 === 0) await sleep(1);
    }
    await run.finish();

    const scalars = callsOn(store, scalarsOf(run.id));
    const appends = scalars.filter((call) => call.method === 'append');
    // About 1 s, 2 s, 3 s, and finish() a second after the last.
    expect(appends.length).toBeGreaterThanOrEqual(3);
    expect(appends.length).toBeLessThanOrEqual(4);
    // One compose per append to an object that exists (a first append uploads it): no
    // read-modify-write, the series index's appends (scalars-lod/) included.
    const existing = new Set(
      store.calls.filter((call) => call.method === 'write').map((call) => call.path),
    );
    let composes = 0;
    for (const call of store.calls.filter((each) => each.method === 'append')) {
      if (existing.has(call.path)) composes += 1;
      existing.add(call.path);
    }
    expect(fake.stats.byOperation.compose?.requests).toBe(composes);
    for (const path of [scalarsOf(run.id), recordOf(run.id)]) {
      for (const gap of gapsOf(callsOn(store, path))) expect(gap, path).toBeGreaterThanOrEqual(950);
    }
    expect((await readScalars(run.id, { store })).loss?.step.length).toBe(points);
  });

  it('keeps a second between writes of an object when flush() is called in a tight loop', async () => {
    const store = countingStore(await open(asOnGoogle));
    const run = await start(store);
    const end = Date.now() + 3_500;
    let points = 0;
    while (Date.now() < end) {
      run.addScalar('loss', points);
      points += 1;
      await run.flush();
    }
    await run.finish();
    const scalars = callsOn(store, scalarsOf(run.id));
    expect(scalars.filter((call) => call.method === 'append').length).toBeLessThanOrEqual(5);
    for (const path of [scalarsOf(run.id), recordOf(run.id)]) {
      for (const gap of gapsOf(callsOn(store, path))) expect(gap, path).toBeGreaterThanOrEqual(950);
    }
    expect((await readScalars(run.id, { store })).loss?.step.length).toBe(points);
  });

  it('lands every point exactly once when answers are lost after commit', async () => {
    const store = await open();
    const run = await start(store);
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after' });
    fake.injectFault({ operation: 'compose', status: 503, when: 'after' });
    fake.injectFault({ operation: 'upload', status: 503, when: 'after', times: 2 });
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after' });
    for (let batch = 0; batch < 3; batch += 1) {
      for (let index = 0; index < 100; index += 1) run.addScalar('loss', batch * 100 + index);
      await run.flush();
    }
    await run.finish();
    expect(fake.pendingFaults()).toBe(0);

    const text = await store.readText(scalarsOf(run.id));
    const rows = text.split('\n').slice(1, -1);
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((row) => row.split(',')[2])).size).toBe(300);
    const series = await readScalars(run.id, { store });
    expect(Array.from(series.loss?.step ?? [])).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(Array.from(series.loss?.value ?? [])).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const parts = [...fake.objects('runs-bucket').keys()].filter((name) =>
      name.includes('append-parts'),
    );
    expect(parts).toEqual([]);
  });

  // StoreRunWriter sends a failed batch again under the same key; the GCS driver must find that
  // key in the object's append ledger also in a new append() call, or the batch lands twice.
  it('lands a batch once when an append gave up after its compose had committed', async () => {
    const store = await open({ retry: { attempts: 1, minDelayMs: 1, maxDelayMs: 1 } });
    const run = await start(store);
    for (let step = 0; step < 10; step += 1) run.addScalar('loss', step);
    fake.injectFault({ operation: 'compose', status: 503, when: 'after' });
    await expect(run.flush()).rejects.toBeInstanceOf(StoreError);
    expect(fake.pendingFaults()).toBe(0);
    for (let step = 10; step < 20; step += 1) run.addScalar('loss', step);
    await run.finish();
    const series = await readScalars(run.id, { store });
    expect(Array.from(series.loss?.step ?? [])).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
