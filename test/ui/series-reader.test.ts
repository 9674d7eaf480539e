/**
 * The dashboard decodes scalars files on worker threads when it runs from the built package (the
 * worker is a built file; the TypeScript sources decode in-process). Both paths must answer
 * alike, errors included: this loads the built reader (npm test builds before the tests).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, startRun, type Store } from '../../src/index.js';
import { SeriesReader } from '../../src/ui/server/series-reader.js';

type Built = typeof import('../../src/ui/server/series-reader.js');
type BuiltStore = typeof import('../../src/store/index.js');
const built = (path: string) => pathToFileURL(join(process.cwd(), 'dist', path)).href;
const builtReader = built('ui/server/series-reader.js');

/** The store opened by the built package too: its errors are that package's classes. */
async function openBuiltStore(): Promise<Store> {
  const { openStore: openBuilt } = (await import(built('store/index.js'))) as BuiltStore;
  return openBuilt(folder);
}

let folder: string;
let store: Store;
let runId: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-series-'));
  store = await openStore(folder);
  const run = await startRun({ store, project: 'soil', closeOnExit: false });
  for (let step = 0; step < 5000; step += 1) {
    run.addScalars({ loss: Math.exp(-step / 900) + (step === 4321 ? 3 : 0), lr: 0.1 }, step);
  }
  await run.finish();
  runId = run.id;
});

afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

describe('SeriesReader', () => {
  it('decodes on worker threads from the build, the same series as in-process', async () => {
    const { SeriesReader: BuiltReader } = (await import(builtReader)) as Built;
    const threaded = new BuiltReader(store, { workers: 2 });
    const inProcess = new SeriesReader(store);
    try {
      expect(threaded.threaded).toBe(true);
      expect(inProcess.threaded).toBe(false);
      const [fromWorkers, fromHere] = await Promise.all([
        threaded.read(runId, [], 300),
        inProcess.read(runId, [], 300),
      ]);
      expect(Object.keys(fromWorkers).sort()).toEqual(['loss', 'lr']);
      expect(fromWorkers).toEqual(fromHere);
      expect(fromWorkers.loss!.step.length).toBeLessThanOrEqual(300);
      expect(Math.max(...fromWorkers.loss!.value)).toBeGreaterThan(3);
      // Many at once spread over the pool and all come back.
      const many = await Promise.all(
        Array.from({ length: 12 }, () => threaded.read(runId, ['lr'], 50)),
      );
      for (const series of many) expect(Object.keys(series)).toEqual(['lr']);
    } finally {
      await threaded.close();
    }
  });

  it('streams a file larger than a part through the workers: the same series as whole', async () => {
    const { SeriesReader: BuiltReader } = (await import(builtReader)) as Built;
    // Parts of 16 KB: the 10,000 points' file (about 600 KB) goes in parts, on two threads.
    const streamed = new BuiltReader(store, { workers: 2, partBytes: 16 * 1024 });
    const streamedHere = new SeriesReader(store, { partBytes: 16 * 1024 });
    const whole = new SeriesReader(store);
    try {
      for (const [tags, maxPoints] of [
        [[], 300],
        [['loss'], 7],
        [['lr'], 20_000],
      ] as const) {
        const want = await whole.read(runId, tags, maxPoints);
        expect(await streamed.read(runId, tags, maxPoints)).toEqual(want);
        expect(await streamedHere.read(runId, tags, maxPoints)).toEqual(want);
      }
    } finally {
      await streamed.close();
    }
  });

  it('reports a corrupt file with its code from a worker, and a run without scalars as none', async () => {
    const { SeriesReader: BuiltReader } = (await import(builtReader)) as Built;
    const builtStore = await openBuiltStore();
    const threaded = new BuiltReader(builtStore, { workers: 1 });
    try {
      const broken = '20261124T000000000Z-0badf11e';
      await writeFile(
        join(folder, 'scalars', `${broken}.csv`),
        'run_id,tag,step,value,wall_time\nnot,a,row\n',
      );
      await expect(threaded.read(broken, [], 100)).rejects.toMatchObject({
        code: 'ERR_CORRUPT_FILE',
        path: `scalars/${broken}.csv`,
      });
      expect(await threaded.read('20261124T000000000Z-00000000', [], 100)).toEqual({});
    } finally {
      await threaded.close();
      await builtStore.close();
    }
  });
});
