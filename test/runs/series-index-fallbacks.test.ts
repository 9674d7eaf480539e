/**
 * Issue 23, part 2: a series whose index is missing (logged before there was one), torn, stale
 * or wrong still reads right (slower, never wrong, never an error), and one without an index
 * gets it on its first read once its run has ended, never while it runs. Also the values the
 * table allows and a logger never writes: NaN, ±Infinity, steps out of order and repeated.
 */
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  migrateRuns,
  readScalars,
  startRun,
  type ScalarSeries,
  type Store,
} from '../../src/index.js';
import {
  scalarsLodFolder,
  scalarsLodLevelPath,
  scalarsLodTagsPath,
  scalarsPath,
} from '../../src/layout/paths.js';
import { readStoredIndex } from '../../src/series/lod-index.js';
import {
  expectIndexMatchesFile,
  expectLikeFullRead,
  logSeries,
  random,
  readCountingStore,
  type Spikes,
} from './_series-checks.js';
import { openRunStore, type RunStoreSubject } from './_run-stores.js';
import { cli } from '../cli/_in-process.js';

const STEPS = 30_000;

describe('series without a usable index', () => {
  let subject: RunStoreSubject;
  let store: Store;
  let folder: string;
  beforeAll(async () => {
    subject = await openRunStore('local');
    store = subject.store;
    folder = fileURLToPath(store.url);
  });
  afterAll(() => subject.close());

  /** A finished run holding the seeded series, its index as the writer left it. */
  async function finishedRun(seed: number): Promise<{ id: string; spikes: Spikes }> {
    const run = await startRun({ project: 'lod', store, closeOnExit: false });
    const spikes = await logSeries(run, { seed, to: STEPS });
    await run.finish();
    return { id: run.id, spikes };
  }

  it('ignores a torn, stale or wrong index and answers from the file, without an error', async () => {
    const { id, spikes } = await finishedRun(5);
    const levels = [];
    for (
      let level = 1;
      (await store.stat(scalarsLodLevelPath(id, level))) !== undefined;
      level += 1
    ) {
      levels.push(level);
    }
    expect(levels.length).toBeGreaterThanOrEqual(3);
    const top = levels.at(-1)!;
    const file = (path: string) => join(folder, path);
    const original = new Map<string, Uint8Array>();
    for (const path of [
      scalarsLodTagsPath(id),
      ...levels.map((level) => scalarsLodLevelPath(id, level)),
    ]) {
      original.set(path, await store.read(path));
    }
    const restore = async () => {
      for (const [path, bytes] of original) await writeFile(file(path), bytes);
    };
    const damages: [string, () => Promise<void>][] = [
      [
        'level 1 cut mid-record',
        () =>
          truncate(
            file(scalarsLodLevelPath(id, 1)),
            original.get(scalarsLodLevelPath(id, 1))!.length - 77,
          ),
      ],
      ['level 1 cut to nothing', () => truncate(file(scalarsLodLevelPath(id, 1)), 0)],
      [
        'the top level is garbage',
        () => writeFile(file(scalarsLodLevelPath(id, top)), Buffer.alloc(5000, 0x41)),
      ],
      ['a level is missing', () => rm(file(scalarsLodLevelPath(id, 2)))],
      ['the tag file is not JSON', () => writeFile(file(scalarsLodTagsPath(id)), 'loss\nacc\n')],
      [
        'the tag file names too few tags',
        () => writeFile(file(scalarsLodTagsPath(id)), '"loss"\n'),
      ],
      [
        'a count is wrong',
        async () => {
          const bytes = Buffer.from(original.get(scalarsLodLevelPath(id, 2))!);
          // Record 3's count (field 5) one higher: its children no longer add up to it.
          bytes.writeDoubleLE(bytes.readDoubleLE(3 * 144 + 5 * 8) + 1, 3 * 144 + 5 * 8);
          await writeFile(file(scalarsLodLevelPath(id, 2)), bytes);
        },
      ],
      [
        'the index covers bytes the file does not hold',
        async () => {
          const path = file(scalarsPath(id));
          await writeFile(path, (await store.read(scalarsPath(id))).subarray(0, 300_000));
        },
      ],
    ];
    const scalars = await store.read(scalarsPath(id));
    for (const [damage, apply] of damages) {
      await apply();
      const full = await readScalars(id, { store });
      for (const maxPoints of [7, 2000]) {
        const answer = await readScalars(id, { store, maxPoints }).catch((error: unknown) => {
          throw new Error(`${damage}: ${String(error)}`);
        });
        expectLikeFullRead(answer, full, { maxPoints, spikes });
        const zoomed = await readScalars(id, { store, maxPoints, steps: [10_000, 11_000] });
        expectLikeFullRead(zoomed, full, { maxPoints, steps: [10_000, 11_000], spikes });
      }
      await restore();
      await writeFile(file(scalarsPath(id)), scalars);
    }
  });

  it('builds the index of an old series on its first read, once the run has ended', async () => {
    const { id, spikes } = await finishedRun(6);
    // As a run logged before there was an index left it.
    await rm(join(folder, scalarsLodFolder(id)), { recursive: true });
    const full = await readScalars(id, { store });
    expect(await readStoredIndex(store, id)).toBeUndefined();
    expectLikeFullRead(await readScalars(id, { store, maxPoints: 2000 }), full, {
      maxPoints: 2000,
      spikes,
    });
    const size = (await store.stat(scalarsPath(id)))!.size;
    expect(await expectIndexMatchesFile(store, id)).toBe(size);
    const counting = readCountingStore(store);
    expectLikeFullRead(await readScalars(id, { store: counting, maxPoints: 2000 }), full, {
      maxPoints: 2000,
      spikes,
    });
    expect(counting.bytesRead.get(scalarsPath(id)) ?? 0).toBeLessThan(size / 10);
  });

  it('ml-tracking migrate indexes ended runs whose series has no usable index', async () => {
    const old = await finishedRun(9);
    const torn = await finishedRun(10);
    await rm(join(folder, scalarsLodFolder(old.id)), { recursive: true });
    await truncate(join(folder, scalarsLodLevelPath(torn.id, 1)), 1000);
    const running = await startRun({ project: 'lod', store, closeOnExit: false });
    try {
      await logSeries(running, { seed: 11, to: STEPS });
      await rm(join(folder, scalarsLodFolder(running.id)), { recursive: true });
      const dry = await migrateRuns(store);
      expect(dry.seriesIndexes.missing.sort()).toEqual([old.id, torn.id].sort());
      expect(dry.seriesIndexes.indexed).toEqual([]);
      expect(await readStoredIndex(store, old.id)).toBeUndefined();
      const listed = await cli(['migrate', '--store', folder]);
      expect(listed.stdout).toContain('2 long series without a series index');
      const applied = await migrateRuns(store, { apply: true });
      expect(applied.seriesIndexes.indexed.sort()).toEqual([old.id, torn.id].sort());
      expect((await cli(['migrate', '--store', folder])).stdout).toContain(
        'every long series has its series index',
      );
      for (const { id, spikes } of [old, torn]) {
        const size = (await store.stat(scalarsPath(id)))!.size;
        expect(await expectIndexMatchesFile(store, id)).toBe(size);
        const full = await readScalars(id, { store });
        const answer = await readScalars(id, { store, maxPoints: 2000 });
        expectLikeFullRead(answer, full, { maxPoints: 2000, spikes });
      }
      expect(await store.stat(scalarsLodTagsPath(running.id))).toBeUndefined();
      expect((await migrateRuns(store)).seriesIndexes.missing).toEqual([]);
    } finally {
      await running.finish();
    }
  });

  it('builds no index into the store for a run still running (its writer owns it)', async () => {
    const run = await startRun({ project: 'lod', store, closeOnExit: false });
    try {
      const spikes = await logSeries(run, { seed: 7, to: 30_000 });
      await run.flush();
      await rm(join(folder, scalarsLodFolder(run.id)), { recursive: true });
      const full = await readScalars(run.id, { store });
      expectLikeFullRead(await readScalars(run.id, { store, maxPoints: 300 }), full, {
        maxPoints: 300,
        spikes,
      });
      expect(await store.stat(scalarsLodTagsPath(run.id))).toBeUndefined();
    } finally {
      await run.finish();
    }
  });

  it('reads NaN and ±Infinity values, steps out of order and repeated, in a file written by hand', async () => {
    const run = await startRun({ project: 'lod', store, closeOnExit: false });
    await run.finish();
    const next = random(8);
    const lines = ['run_id,tag,step,value,wall_time\n'];
    const wall = (index: number) => new Date(1_800_000_000_000 + index).toISOString();
    for (let index = 0; index < 40_000; index += 1) {
      const step = index % 5_000 === 0 ? 17 : index;
      const roll = next();
      const value =
        roll < 0.02 ? '' : roll < 0.025 ? 'Infinity' : roll < 0.03 ? '-Infinity' : String(next());
      lines.push(`${run.id},wild,${step},${value},${wall(index)}\n`);
      lines.push(
        `${run.id},nan,${Math.floor(next() * 1000)},${next() < 0.9 ? '' : '1'},${wall(index)}\n`,
      );
      // A tag with a line break: quoted, one record over two lines.
      if (index % 100 === 0)
        lines.push(`${run.id},"two\nlines",${index},${next()},${wall(index)}\n`);
    }
    await writeFile(join(folder, scalarsPath(run.id)), lines.join(''));
    await rm(join(folder, scalarsLodFolder(run.id)), { recursive: true, force: true });
    const full = await readScalars(run.id, { store });
    const checks = async () => {
      for (const maxPoints of [3, 4, 50, 2000]) {
        const answer = await readScalars(run.id, { store, maxPoints });
        expectLikeFullRead(answer, full, { maxPoints });
        const wild: ScalarSeries = answer.wild!;
        if (maxPoints >= 4) {
          expect(Array.from(wild.value)).toContain(Infinity);
          expect(Array.from(wild.value)).toContain(-Infinity);
        }
        // NaN only where its range holds nothing else.
        if (maxPoints >= 50) expect(Array.from(answer.nan!.value)).toContain(1);
      }
      for (const steps of [
        [17, 17],
        [100, 4000],
      ] as [number, number][]) {
        expectLikeFullRead(await readScalars(run.id, { store, steps }), full, {
          maxPoints: Infinity,
          steps,
        });
      }
    };
    await checks();
    await expectIndexMatchesFile(store, run.id);
    await checks();
  });
});
