/**
 * Issue 23, part 2: the dashboard charts from the series index. A long series reads like a full
 * read (its ends, its extremes, its spikes), on the built worker threads as in-process; an old
 * series without an index is indexed in memory on its first chart (its rows decoded on the
 * workers) and the store is left as it was: the dashboard is read-only.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScalars, startRun, type Store } from '../../src/index.js';
import { scalarsLodFolder, scalarsLodTagsPath } from '../../src/layout/paths.js';
import { SeriesReader } from '../../src/ui/server/series-reader.js';
import { openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';
import { expectLikeFullRead, logSeries, type Spikes } from '../runs/_series-checks.js';

type Built = typeof import('../../src/ui/server/series-reader.js');
const builtReader = pathToFileURL(join(process.cwd(), 'dist', 'ui/server/series-reader.js')).href;

let subject: RunStoreSubject;
let store: Store;
const runs: { id: string; spikes: Spikes }[] = [];

beforeAll(async () => {
  subject = await openRunStore('local');
  store = subject.store;
  for (const seed of [21, 22]) {
    const run = await startRun({ store, project: 'lod-ui', closeOnExit: false });
    runs.push({ id: run.id, spikes: await logSeries(run, { seed, to: 25_000 }) });
    await run.finish();
  }
  // The second as a series logged before there was an index.
  await rm(join(fileURLToPath(store.url), scalarsLodFolder(runs[1]!.id)), { recursive: true });
});

afterAll(() => subject.close());

describe('SeriesReader over the series index', () => {
  it('charts indexed and old series on worker threads as in-process, like a full read, writing nothing', async () => {
    const { SeriesReader: BuiltReader } = (await import(builtReader)) as Built;
    const threaded = new BuiltReader(store, { workers: 2 });
    const inProcess = new SeriesReader(store);
    try {
      expect(threaded.threaded).toBe(true);
      for (const { id, spikes } of runs) {
        const full = await readScalars(id, { store });
        for (const steps of [undefined, [5_000, 9_000] as [number, number]]) {
          for (const round of [1, 2]) {
            const [fromWorkers, fromHere] = await Promise.all([
              threaded.read(id, [], 1000, steps),
              inProcess.read(id, [], 1000, steps),
            ]);
            expect(fromWorkers, `round ${round}`).toEqual(fromHere);
            expectLikeFullRead(fromWorkers, full, { maxPoints: 1000, spikes, steps });
          }
        }
        const some = await threaded.read(id, ['loss'], 50);
        expect(Object.keys(some)).toEqual(['loss']);
      }
      expect(await store.stat(scalarsLodTagsPath(runs[1]!.id))).toBeUndefined();
    } finally {
      await threaded.close();
    }
  });
});
