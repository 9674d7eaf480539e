/*
 * A training process that ends without finish() keeps every point addScalar accepted, in real
 * child processes (test/support/run-workers/training-worker.ts: 1000 points, 400 flushed, 300 in
 * a flush left wherever it is, 300 buffered): process.exit(0) and (3), an uncaught exception and
 * an unhandled rejection, on a local folder (written in the exit path) and on the GCS fake
 * (spooled to the journal, uploaded by `ml-tracking sync` or by the next process on the store).
 * Each point is stored exactly once, also when an upload is repeated or two run at once, and the
 * run says how the process ended.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { runNodeProgram, type ProcessResult } from '../support/processes.js';
import { openFakeStore } from './_run-stores.js';
import { builtProgram } from '../support/programs.js';

const WORKER = 'test/support/run-workers/training-worker.ts';
const CLI = 'src/cli/main.ts';
const root = fileURLToPath(new URL('../..', import.meta.url));

/** How each way of ending shows in the exit code and in the run. */
const ENDINGS = [
  { mode: 'exit-0', code: 0, status: 'finished', error: '' },
  { mode: 'exit-3', code: 3, status: 'failed', error: 'exited with code 3' },
  { mode: 'throw', code: 1, status: 'failed', error: 'diverged at step 999' },
  { mode: 'reject', code: 1, status: 'failed', error: 'rejected at step 999' },
] as const;

let folder: string;
let journal: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-exit-durability-'));
  journal = join(folder, 'journal');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** Runs the worker; the journal is the test's own (never the user's cache). */
function worker(store: string, mode: string, env: Record<string, string> = {}) {
  return runNodeProgram(WORKER, [store, mode], {
    env: { ML_TRACKING_JOURNAL_DIR: journal, ...env },
  });
}

function runIdOf(result: ProcessResult): string {
  const id = /^run (\S+)$/m.exec(result.stdout)?.[1];
  if (id === undefined) throw new Error(`the worker printed no run id: ${result.stderr}`);
  return id;
}

/** The run's file as stored (what readers build on), not as readers judge it. */
async function storedRecord(store: Store, id: string): Promise<Record<string, string>> {
  const rows = parse<Record<string, string>>(await store.readText(`runs/${id}.csv`), {
    columns: true,
  });
  return rows[0]!;
}

/** Every stored row's step, duplicates included, in stored order. */
async function storedSteps(store: Store, id: string): Promise<number[]> {
  const rows = parse<Record<string, string>>(await store.readText(`scalars/${id}.csv`), {
    columns: true,
  });
  return rows.map((row) => Number(row.step));
}

const ALL_POINTS = Array.from({ length: 1000 }, (_, step) => step);

/** Exactly the 1000 points, each once, and a record that says how the process ended. */
async function expectKept(store: Store, id: string, ending: (typeof ENDINGS)[number]) {
  expect((await storedSteps(store, id)).sort((a, b) => a - b)).toEqual(ALL_POINTS);
  const record = await storedRecord(store, id);
  expect(record.status).toBe(ending.status);
  expect(record.error).toBe(ending.error);
  expect(record.ended_at).not.toBe('');
  expect(JSON.parse(record.summary!)).toMatchObject({ loss: { count: 1000, last_step: 999 } });
}

async function journalFiles(): Promise<string[]> {
  return (await readdir(journal).catch(() => [])).filter((name) => name.endsWith('.json'));
}

describe('a local store: the exit path writes the last points itself', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(join(folder, 'local'));
  });
  afterAll(() => store.close());

  for (const ending of ENDINGS) {
    it(`${ending.mode}: all 1000 points once, the run ${ending.status}`, async () => {
      const result = await worker(store.url, ending.mode);
      expect(result.code, result.stderr).toBe(ending.code);
      await expectKept(store, runIdOf(result), ending);
      expect(await journalFiles()).toEqual([]);
    });
  }
});

describe('GCS: the exit path spools to the journal, which is uploaded once', () => {
  let fake: GcsFake;
  beforeAll(async () => {
    fake = await startGcsFake();
  });
  afterAll(() => fake.stop());

  /** A fresh prefix on the fake: the URL children use and the store the test reads. */
  async function gcsStore(): Promise<{ url: string; store: Store }> {
    const prefix = randomUUID();
    return { url: `gs://runs-bucket/${prefix}`, store: await openFakeStore(fake, prefix) };
  }
  const onFake = () => ({ STORAGE_EMULATOR_HOST: fake.host });
  const sync = (url: string) =>
    runNodeProgram(CLI, ['sync', '--store', url], {
      env: { ML_TRACKING_JOURNAL_DIR: journal, ...onFake() },
    });

  for (const ending of ENDINGS) {
    it(`${ending.mode}: kept in the journal, then ml-tracking sync stores all 1000 points once`, async () => {
      const { url, store } = await gcsStore();
      const result = await worker(url, ending.mode, onFake());
      expect(result.code, result.stderr).toBe(ending.code);
      const id = runIdOf(result);
      // What the exit path could not send waits in the journal; the store still says running.
      expect((await storedRecord(store, id)).status).toBe('running');
      expect((await storedSteps(store, id)).length).toBeLessThan(1000);
      expect(await journalFiles()).toHaveLength(1);

      const synced = await sync(url);
      expect(synced.code, synced.stderr).toBe(0);
      expect(synced.stdout).toContain(id);
      await expectKept(store, id, ending);
      expect(await journalFiles()).toEqual([]);
      await store.close();
    });
  }

  it('the next process that opens the store uploads the journal', async () => {
    const { url, store } = await gcsStore();
    const crashed = await worker(url, 'exit-3', onFake());
    expect(crashed.code, crashed.stderr).toBe(3);
    const next = await worker(url, 'exit', onFake());
    expect(next.code, next.stderr).toBe(0);
    await expectKept(store, runIdOf(crashed), ENDINGS[1]);
    expect(await journalFiles()).toEqual([]);
    // The next run itself is whole too.
    expect(await storedSteps(store, runIdOf(next))).toHaveLength(250);
    await store.close();
  });

  it('an upload repeated after it was killed before removing the entry adds nothing twice', async () => {
    const { url, store } = await gcsStore();
    const result = await worker(url, 'throw', onFake());
    const id = runIdOf(result);
    const [entry] = await journalFiles();
    // The entry as a sync killed after uploading, before removing it, would leave it.
    await copyFile(join(journal, entry!), join(folder, 'kept-entry'));
    expect((await sync(url)).code).toBe(0);
    await expectKept(store, id, ENDINGS[2]);
    await copyFile(join(folder, 'kept-entry'), join(journal, entry!));
    const again = await sync(url);
    expect(again.code, again.stderr).toBe(0);
    await expectKept(store, id, ENDINGS[2]);
    expect(await journalFiles()).toEqual([]);
    await store.close();
  });

  it('two uploads at once add nothing twice', async () => {
    const { url, store } = await gcsStore();
    const result = await worker(url, 'reject', onFake());
    const id = runIdOf(result);
    expect(await journalFiles()).toHaveLength(1);
    const both = await Promise.all([sync(url), sync(url)]);
    for (const each of both) expect(each.code, each.stderr).toBe(0);
    await expectKept(store, id, ENDINGS[3]);
    expect(await journalFiles()).toEqual([]);
    await store.close();
  });
});

describe('SIGTERM to a training loop that yields, on a local store', () => {
  it('ends the process by the signal at once, with every point the loop added stored', async () => {
    const store = await openStore(join(folder, 'signalled'));
    const child = spawn(process.execPath, [builtProgram(WORKER), store.url, 'bounded-loop'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => {
        resolve({ code, signal });
      }),
    );
    const added = () =>
      Math.max(0, ...[...stdout.matchAll(/^added (\d+)$/gm)].map((m) => Number(m[1])));
    await vi.waitFor(
      () => {
        if (added() < 100) throw new Error(`not yet; stderr: ${stderr}`);
      },
      { timeout: 10_000, interval: 10 },
    );
    child.kill('SIGTERM');
    expect(await exited, stderr).toEqual({ code: null, signal: 'SIGTERM' });
    // The loop did not go on to its end, and no point it said it added was dropped.
    expect(stdout).not.toContain('loop done');
    const id = /^run (\S+)$/m.exec(stdout)?.[1];
    const steps = await storedSteps(store, id!);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, step) => step));
    expect(steps.length).toBe(added());
    const record = await storedRecord(store, id!);
    expect(record.status).toBe('failed');
    expect(record.error).toBe('interrupted by SIGTERM');
    expect(JSON.parse(record.summary!)).toMatchObject({ loss: { count: steps.length } });
    await store.close();
  });
});
