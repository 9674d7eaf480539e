/*
 * What a user of startRun() relies on, on every store: a run recorded with addScalar/addScalars
 * reads back whole through getRun, readScalars and listRuns, also while it is still going.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  getRun,
  listRuns,
  NotFoundError,
  readScalars,
  startRun,
  storeObjectUri,
  ValidationError,
  type RunRecord,
  type StartRunOptions,
  type Store,
} from '../../src/index.js';
import { openRunStore, RUN_STORE_KINDS, type RunStoreSubject } from './_run-stores.js';

const RUN_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;
const GENERATED_NAME = /^[a-z]+(?:[-_][a-z]+)*-\d{1,2}$/;
// Values whose shortest round-trip text is long: any rounding on the way shows.
const EXACT = [0.1 + 0.2, 1 / 3, -1e-300, 123456789.12345679, Number.MAX_SAFE_INTEGER, 2 ** -1074];

/** Starts a run that the test process never closes behind the test's back. */
function start(store: Store, options: Omit<StartRunOptions, 'store'>) {
  return startRun({ closeOnExit: false, ...options, store });
}

/** Ids are sortable to the millisecond: two runs started in one millisecond have no order. */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() === now) await sleep(1);
}

const array = (values: ArrayLike<number> | undefined) => Array.from(values ?? []);

for (const kind of RUN_STORE_KINDS) {
  describe(`runs on ${kind}`, () => {
    let subject: RunStoreSubject;
    let store: Store;
    beforeAll(async () => {
      subject = await openRunStore(kind);
      store = subject.store;
    });
    afterAll(() => subject.close());

    it('records scalars with steps counted per tag and reads back every documented field', async () => {
      const before = Date.now();
      const run = await start(store, {
        project: 'Soil Texture/2024 Q1',
        hyperparameters: { lr: 0.001, layers: [64, 32], optimizer: { name: 'adam', beta: 0.9 } },
      });
      expect(run.id).toMatch(RUN_ID);
      expect(run.project).toBe('soil-texture-2024-q1');
      expect(run.name).toMatch(GENERATED_NAME);

      // loss: steps 0, 1, 2, then 10 given, then 11 counted on from it.
      for (const value of [0.9, 0.5, 0.7]) run.addScalar('loss', value);
      run.addScalar('loss', 0.3, 10);
      run.addScalar('loss', 0.4);
      // accuracy and f1 count their own steps: 0, 1, then 5 for both.
      run.addScalars({ accuracy: 0.5, f1: 0.25 });
      run.addScalars({ accuracy: 0.75, f1: 0.5 });
      run.addScalars({ accuracy: 0.8, f1: 0.6 }, 5);
      EXACT.forEach((value, step) => {
        run.addScalar('exact', value, step);
      });
      const finished = await run.finish();
      const after = Date.now();

      const stored = await getRun(run.id, { store });
      // What finish() returned is what the store holds, field for field.
      expect(stored).toEqual(finished);
      expect(stored).toMatchObject({
        id: run.id,
        project: 'soil-texture-2024-q1',
        name: run.name,
        status: 'finished',
        origin: 'logger',
        host: hostname(),
        hyperparameters: { lr: 0.001, layers: [64, 32], optimizer: { name: 'adam', beta: 0.9 } },
        predictionIds: [],
        scalarsUri: storeObjectUri(store.url, `scalars/${run.id}.csv`),
      });
      // Started in a git work tree (the repository): its commit is recorded.
      expect(stored.gitCommit).toMatch(/^[0-9a-f]{40}$/);
      expect(stored.startedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(stored.endedAt?.getTime()).toBeGreaterThanOrEqual(stored.startedAt.getTime());
      expect(stored.endedAt?.getTime()).toBeLessThanOrEqual(after);
      expect(stored.summary).toEqual({
        loss: { last: 0.4, lastStep: 11, min: 0.3, minStep: 10, max: 0.9, maxStep: 0, count: 5 },
        accuracy: { last: 0.8, lastStep: 5, min: 0.5, minStep: 0, max: 0.8, maxStep: 5, count: 3 },
        f1: { last: 0.6, lastStep: 5, min: 0.25, minStep: 0, max: 0.6, maxStep: 5, count: 3 },
        exact: {
          last: 2 ** -1074,
          lastStep: 5,
          min: -1e-300,
          minStep: 2,
          max: Number.MAX_SAFE_INTEGER,
          maxStep: 4,
          count: 6,
        },
      });

      const scalars = await readScalars(run.id, { store });
      expect(Object.keys(scalars).sort()).toEqual(['accuracy', 'exact', 'f1', 'loss']);
      expect(array(scalars.loss?.step)).toEqual([0, 1, 2, 10, 11]);
      expect(array(scalars.loss?.value)).toEqual([0.9, 0.5, 0.7, 0.3, 0.4]);
      expect(array(scalars.accuracy?.step)).toEqual([0, 1, 5]);
      expect(array(scalars.f1?.value)).toEqual([0.25, 0.5, 0.6]);
      expect(array(scalars.exact?.value)).toEqual(EXACT);
      for (const [tag, series] of Object.entries(scalars)) {
        expect(series.value.length, tag).toBe(series.step.length);
        expect(series.wallTime.length, tag).toBe(series.step.length);
        for (const wallTime of series.wallTime) {
          expect(wallTime).toBeGreaterThanOrEqual(stored.startedAt.getTime());
          expect(wallTime).toBeLessThanOrEqual(stored.endedAt!.getTime());
        }
      }
      const onlyLoss = await readScalars(run.id, { store, tags: ['loss'] });
      expect(Object.keys(onlyLoss)).toEqual(['loss']);
      expect(array(onlyLoss.loss?.value)).toEqual([0.9, 0.5, 0.7, 0.3, 0.4]);
    });

    it('keeps the name given, and no commit outside a git work tree', async () => {
      const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-not-git-'));
      try {
        const run = await start(store, { project: 'named', name: '  warm-up  ', cwd: folder });
        await run.finish();
        const stored = await getRun(run.id, { store });
        expect(stored.name).toBe('warm-up');
        expect(stored.gitCommit).toBeUndefined();
        expect(stored.summary).toEqual({});
        expect(await readScalars(run.id, { store })).toEqual({});
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('lists runs newest first, filtered by project, status and sweep', async () => {
      const suffix = kind.replace(/[^a-z]/g, '');
      const first = await start(store, { project: `Alpha ${suffix}` });
      await nextMillisecond();
      const second = await start(store, { project: `beta-${suffix}`, sweepId: `sweep-${suffix}` });
      await nextMillisecond();
      const third = await start(store, { project: `alpha-${suffix}` });
      await Promise.all([first.finish(), second.finish({ error: new Error('diverged') })]);
      try {
        const ids = (records: RunRecord[]) => records.map((record) => record.id);
        const all = await listRuns({ store });
        const mine = ids(all).filter((id) => [first.id, second.id, third.id].includes(id));
        expect(mine).toEqual([third.id, second.id, first.id]);
        const started = all.map((record) => record.startedAt.getTime());
        expect(started).toEqual([...started].sort((a, b) => b - a));

        expect(ids(await listRuns({ store, project: `ALPHA ${suffix}` }))).toEqual([
          third.id,
          first.id,
        ]);
        const alpha = (status: RunRecord['status']) =>
          listRuns({ store, project: `alpha-${suffix}`, status });
        expect(ids(await alpha('running'))).toEqual([third.id]);
        expect(ids(await alpha('finished'))).toEqual([first.id]);
        const failed = await listRuns({ store, project: `beta-${suffix}`, status: 'failed' });
        expect(failed).toMatchObject([{ id: second.id, status: 'failed', error: 'diverged' }]);
        expect(ids(await listRuns({ store, sweep: `sweep-${suffix}` }))).toEqual([second.id]);
        expect(await listRuns({ store, sweep: 'no-such-sweep' })).toEqual([]);
        await expect(
          listRuns({ store, status: 'paused' as RunRecord['status'] }),
        ).rejects.toMatchObject({ name: 'ValidationError', parameter: 'status' });
      } finally {
        await third.finish();
      }
    });

    it('refuses a run id that is already taken, and leaves that run as it was', async (context) => {
      context.skip(subject.noPreconditions !== undefined, subject.noPreconditions);
      const first = await start(store, { project: 'taken', name: 'first' });
      first.addScalar('loss', 1);
      await first.finish();
      const error: unknown = await start(store, {
        project: 'taken',
        name: 'second',
        runId: first.id,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ parameter: 'runId' });
      expect(await getRun(first.id, { store })).toMatchObject({
        name: 'first',
        status: 'finished',
      });
      expect(array((await readScalars(first.id, { store })).loss?.value)).toEqual([1]);
    });

    it('says NotFoundError for a run id it does not hold, ValidationError for a malformed one', async () => {
      const absent = '20261124T101530123Z-1a2b3c4d';
      await expect(getRun(absent, { store })).rejects.toBeInstanceOf(NotFoundError);
      await expect(readScalars(absent, { store })).rejects.toBeInstanceOf(NotFoundError);
      for (const malformed of ['nope', '../runs/x', `${absent}.csv`, '']) {
        await expect(getRun(malformed, { store })).rejects.toMatchObject({
          name: 'ValidationError',
          parameter: 'runId',
        });
        const error: unknown = await readScalars(malformed, { store }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ parameter: 'runId' });
      }
    });

    it('is readable while it goes: points appear without flush() and the run reads running', async () => {
      const run = await start(store, {
        project: 'live',
        flushIntervalMs: 100,
        heartbeatIntervalSeconds: 1,
      });
      try {
        for (let step = 0; step < 50; step += 1) run.addScalar('loss', 1 / (step + 1));
        const begun = Date.now();
        // The interval is never under the store's updateIntervalMs (a second on GCS).
        await vi.waitFor(
          async () => {
            const scalars = await readScalars(run.id, { store });
            expect(scalars.loss?.step.length).toBe(50);
          },
          { timeout: 4_000, interval: 50 },
        );
        expect(Date.now() - begun).toBeLessThan(store.updateIntervalMs + 1_500);
        // The record follows within half a heartbeat, with the summary so far.
        await vi.waitFor(
          async () => {
            const record = await getRun(run.id, { store });
            expect(record.status).toBe('running');
            expect(record.summary.loss?.count).toBe(50);
          },
          { timeout: 4_000, interval: 50 },
        );
        expect(
          (await listRuns({ store, project: 'live', status: 'running' })).map((r) => r.id),
        ).toContain(run.id);

        for (let step = 50; step < 60; step += 1) run.addScalar('loss', 1 / (step + 1));
        await vi.waitFor(
          async () => {
            const scalars = await readScalars(run.id, { store });
            expect(array(scalars.loss?.step)).toEqual(Array.from({ length: 60 }, (_, i) => i));
          },
          { timeout: 4_000, interval: 50 },
        );
      } finally {
        await run.finish();
      }
      expect((await getRun(run.id, { store })).status).toBe('finished');
    });
  });
}

describe('a run with a short heartbeat', () => {
  // The record is rewritten on flush ticks: a heartbeat shorter than the flush interval must
  // bring the ticks closer (or be stretched to the store's minimum), or a live run reads lost.
  it('never reads lost while it runs', async () => {
    const subject = await openRunStore('memory');
    const { store } = subject;
    const heartbeatMs = 100;
    const run = await start(store, {
      project: 'short-heartbeat',
      heartbeatIntervalSeconds: heartbeatMs / 1000,
    });
    try {
      // Writer and reader share this process: when the machine holds the whole process longer
      // than the run may be silent (4 heartbeats), the writer could not have written, and that
      // reading says nothing about the run. Such readings are left out; the others must say
      // running, and there must be many of them.
      const silentMs = 4 * heartbeatMs;
      const until = Date.now() + 1_500;
      let judged = 0;
      let previous = performance.now();
      while (Date.now() < until) {
        run.addScalar('loss', Math.random());
        const status = (await getRun(run.id, { store })).status;
        const now = performance.now();
        if (now - previous < silentMs / 2) {
          expect(status).toBe('running');
          judged += 1;
        }
        previous = now;
        await sleep(20);
      }
      expect(judged).toBeGreaterThan(10);
    } finally {
      await run.finish();
      await subject.close();
    }
  });
});

describe('readScalars with maxPoints', () => {
  it('thins a long series for a chart and keeps its spikes, its first and its last point', async () => {
    const subject = await openRunStore('memory');
    const { store } = subject;
    try {
      const run = await start(store, { project: 'thinning' });
      for (let step = 0; step < 10_000; step += 1) {
        const value = step === 6_131 ? 100 : step === 2_711 ? -100 : Math.sin(step / 50);
        run.addScalar('curve', value);
      }
      run.addScalar('short', 1);
      await run.finish();
      const thinned = await readScalars(run.id, { store, maxPoints: 50 });
      const curve = thinned.curve!;
      expect(curve.step.length).toBeLessThanOrEqual(50);
      expect(curve.value.length).toBe(curve.step.length);
      expect(curve.wallTime.length).toBe(curve.step.length);
      const steps = array(curve.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(steps[0]).toBe(0);
      expect(steps.at(-1)).toBe(9_999);
      expect(steps).toContain(6_131);
      expect(steps).toContain(2_711);
      expect(array(curve.value)).toContain(100);
      expect(array(curve.value)).toContain(-100);
      // Each point kept is a point of the series, value and step together.
      for (let index = 0; index < curve.step.length; index += 1) {
        const step = curve.step[index]!;
        const expected = step === 6_131 ? 100 : step === 2_711 ? -100 : Math.sin(step / 50);
        expect(curve.value[index]).toBe(expected);
      }
      expect(array(thinned.short?.value)).toEqual([1]);
      for (const maxPoints of [1, 2.5, 0, -10]) {
        await expect(readScalars(run.id, { store, maxPoints })).rejects.toMatchObject({
          name: 'ValidationError',
          parameter: 'maxPoints',
        });
      }
    } finally {
      await subject.close();
    }
  });
});
