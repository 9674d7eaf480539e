import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, trackingColumns, type Store } from '../../src/index.js';
import { encodeRow } from '../../src/csv/encode.js';
import { utcDay } from '../../src/layout/paths.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { runNodeProgramOk } from '../support/processes.js';

/*
 * Rows go to the right tracker however many processes log at once: the latest one, or with
 * newCsv one that did not exist before the request. Each process logs several experiments at
 * once, so the race is both between processes and inside each.
 */
const PROCESSES = 4;
const AT_ONCE = 8;
const folder = 'projects/classification/';
const header = encodeRow(trackingColumns('classification').map((column) => column.name));

async function logFromProcesses(
  store: string,
  project: string,
  env: Record<string, string>,
  flags: string[] = [],
) {
  await Promise.all(
    Array.from({ length: PROCESSES }, (_, worker) =>
      runNodeProgramOk(
        'test/support/log-worker.ts',
        [store, project, String(worker), String(AT_ONCE), ...flags],
        env,
      ),
    ),
  );
}

async function rowsByTracker(store: Store, project: string): Promise<Map<string, string[]>> {
  const trackers = new Map<string, string[]>();
  for await (const object of store.listAll(`${folder}${project}_`)) {
    const rows = parse<Record<string, string>>(await store.readText(object.path), {
      columns: true,
    });
    trackers.set(
      object.path.slice(folder.length),
      rows.map((row) => row.extra_parameters ?? ''),
    );
  }
  return trackers;
}

const expectedRows = () =>
  Array.from({ length: PROCESSES }, (_, worker) =>
    Array.from({ length: AT_ONCE }, (__, index) => JSON.stringify({ workerId: worker, index })),
  )
    .flat()
    .sort();

const subjects: {
  name: string;
  url: () => string;
  env: () => Record<string, string>;
  open: () => Promise<Store>;
}[] = [];
let root: string;
let fake: GcsFake;
subjects.push({
  name: 'local folder',
  url: () => root,
  env: () => ({}),
  open: () => openStore(root),
});
subjects.push({
  name: 'GCS fake',
  url: () => 'gs://routing/store',
  env: () => ({ STORAGE_EMULATOR_HOST: fake.host }),
  open: () => openStore('gs://routing/store', { storage: fake.createClient() }),
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ml-tracking-routing-'));
  fake = await startGcsFake();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await fake.stop();
});

describe.each(subjects)(`${PROCESSES} processes × ${AT_ONCE} logs at once: $name`, (subject) => {
  const today = utcDay(new Date());

  it('all rows go to the latest of three trackers', async () => {
    const store = await subject.open();
    for (const index of [1, 2, 3])
      await store.write(`${folder}three_${today}_${index}.csv`, header);
    await logFromProcesses(subject.url(), 'three', subject.env());
    const trackers = await rowsByTracker(store, 'three');
    expect([...trackers.keys()]).toEqual([1, 2, 3].map((index) => `three_${today}_${index}.csv`));
    expect(trackers.get(`three_${today}_1.csv`)).toEqual([]);
    expect(trackers.get(`three_${today}_2.csv`)).toEqual([]);
    expect(trackers.get(`three_${today}_3.csv`)?.sort()).toEqual(expectedRows());
    await store.close();
  }, 180_000);

  it('an earlier day’s only tracker gets every row, and no tracker is created', async () => {
    const store = await subject.open();
    await store.write(`${folder}old_20240101_1.csv`, header);
    await logFromProcesses(subject.url(), 'old', subject.env());
    const trackers = await rowsByTracker(store, 'old');
    expect([...trackers.keys()]).toEqual(['old_20240101_1.csv']);
    expect(trackers.get('old_20240101_1.csv')?.sort()).toEqual(expectedRows());
    await store.close();
  }, 180_000);

  it('newCsv never appends to a tracker that existed before, and no new tracker stays empty', async () => {
    const store = await subject.open();
    await store.write(`${folder}fresh_${today}_1.csv`, header);
    await logFromProcesses(subject.url(), 'fresh', subject.env(), ['--new-csv']);
    const trackers = await rowsByTracker(store, 'fresh');
    expect(trackers.get(`fresh_${today}_1.csv`)).toEqual([]);
    trackers.delete(`fresh_${today}_1.csv`);
    expect(trackers.size).toBeGreaterThan(0);
    for (const rows of trackers.values()) expect(rows.length).toBeGreaterThan(0);
    expect([...trackers.values()].flat().sort()).toEqual(expectedRows());
    await store.close();
  }, 180_000);
});
