import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage, logExperiment, openStore, type Store } from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { runNodeProgram } from '../support/processes.js';
import { builtProgram } from '../support/programs.js';

const DAY_MS = 86_400_000;
const inTwoDays = () => new Date(Date.now() + 2 * DAY_MS);

function logOne(store: Store) {
  return logExperiment({
    kind: 'classification',
    project: 'gc',
    parameters: {
      datasetUri: 'memory://data.csv',
      targetColumn: 'label',
      testSet: ['a', 'b', 'c', 'd'],
      model: { name: 'M', params: {} },
    },
    yTrue: ['x', 'y', 'x', 'y'],
    yPred: ['x', 'y', 'y', 'y'],
    store,
  });
}

/** Starts the endless writer and kills it with SIGKILL once its staging file is half written. */
async function crashMidWrite(root: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      builtProgram('test/support/endless-write-worker.ts'),
      root,
      'predictions/classification/big.csv',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('writing')) resolve();
    });
    child.on('exit', (code) => {
      reject(new Error(`the writer exited with ${code} before writing`));
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
}

describe('collectGarbage on a local folder', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-gc-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('finds what a killed writer left, keeps every experiment, deletes only with apply', async () => {
    const store = await openStore(root);
    const logged = await logOne(store);
    await crashMidWrite(root);
    // An experiment whose writer died before its tracker row: outputs that nothing references.
    const orphan = randomUUID();
    await store.write(`scoring/${orphan}.csv`, 'prediction_id\n');
    await store.write(`confusion/${orphan}.csv`, 'prediction_id\n');
    // What earlier versions left beside the data.
    const legacyLock = join(root, 'projects', 'classification', '.gc_20240101_1.csv.lock');
    await mkdir(legacyLock, { recursive: true });
    await writeFile(join(root, 'scoring', '.x.csv.0123456789ab.tmp'), 'half');
    const old = new Date(Date.now() - 3 * DAY_MS);
    await utimes(legacyLock, old, old);

    // Nothing is old enough today but the legacy lock that was dated back.
    const today = await collectGarbage(store);
    expect(today.garbage.map((item) => item.path)).toEqual([
      'projects/classification/.gc_20240101_1.csv.lock',
    ]);

    const report = await collectGarbage(store, { now: inTwoDays() });
    const found = report.garbage.map((item) => `${item.reason} ${item.path}`);
    expect(found).toContain(`unreferenced scoring/${orphan}.csv`);
    expect(found).toContain(`unreferenced confusion/${orphan}.csv`);
    expect(found).toContain('leftover scoring/.x.csv.0123456789ab.tmp');
    const staging = report.garbage.filter((item) => item.path.startsWith('.ml-tracking/staging/'));
    expect(staging).toHaveLength(1);
    expect(staging[0]!.size).toBeGreaterThanOrEqual(5 << 20);
    expect(found.some((line) => line.includes(logged.predictionId))).toBe(false);
    expect(report.deleted).toBe(false);
    expect(report.bytes).toBe(report.garbage.reduce((sum, item) => sum + item.size, 0));
    expect(await store.stat(`scoring/${orphan}.csv`)).toBeDefined();

    const applied = await collectGarbage(store, { now: inTwoDays(), apply: true });
    expect(applied.deleted).toBe(true);
    expect((await collectGarbage(store, { now: inTwoDays() })).garbage).toEqual([]);
    expect(await readdir(join(root, '.ml-tracking', 'staging'))).toEqual([]);
    expect(await store.stat(`scoring/${orphan}.csv`)).toBeUndefined();
    // The logged experiment is whole.
    for (const file of Object.values(logged.files))
      expect(await store.stat(file.path)).toBeDefined();
    for (const file of Object.values(logged.plots))
      expect(await store.stat(file.path)).toBeDefined();
    await store.close();
  }, 60_000);
});

describe('collectGarbage on GCS', () => {
  let fake: GcsFake;
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(() => fake.stop());

  it('removes append parts whose delete was lost, and nothing else', async () => {
    const store = await openStore('gs://gc-bucket/store', { storage: fake.createClient() });
    await store.append('projects/rows.csv', 'header\n');
    fake.injectFault({ operation: 'delete', status: 'reset', times: 2 });
    await store.append('projects/rows.csv', 'row-1\n');
    await store.append('projects/rows.csv', 'row-2\n');
    const parts = () =>
      [...fake.objects('gc-bucket').keys()].filter((name) => name.includes('append-parts'));
    expect(parts()).toHaveLength(2);

    expect((await collectGarbage(store)).garbage).toEqual([]);
    const report = await collectGarbage(store, { now: inTwoDays(), apply: true });
    expect(report.garbage.map((item) => item.reason)).toEqual(['leftover', 'leftover']);
    expect(parts()).toEqual([]);
    expect(await store.readText('projects/rows.csv')).toBe('header\nrow-1\nrow-2\n');
    await store.close();
  });
});

describe('ml-tracking gc', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-gc-cli-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    runNodeProgram(fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), args, {
      cwd,
      env: { ML_TRACKING_STORE: '' },
    });

  it('lists by default, deletes with --apply, and rejects a bad --min-age', async () => {
    const store = await openStore(join(cwd, 'ml-tracking'));
    const orphan = `scoring/${randomUUID()}.csv`;
    await store.write(orphan, 'prediction_id\n');
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(cwd, 'ml-tracking', ...orphan.split('/')), old, old);

    const dry = await cli(['gc', '--min-age', '1h']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`unreferenced`);
    expect(dry.stdout).toContain(orphan);
    expect(dry.stdout).toMatch(/1 files, 14 bytes to delete; run again with --apply/);
    expect(await store.stat(orphan)).toBeDefined();

    const kept = await cli(['gc']);
    expect(kept.stdout).toContain('0 files, 0 bytes');

    const applied = await cli(['gc', '--min-age', '1h', '--apply']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('deleted 1 files, 14 bytes');
    expect(await store.stat(orphan)).toBeUndefined();

    const bad = await cli(['gc', '--min-age', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--min-age');
    await store.close();
  }, 60_000);
});
