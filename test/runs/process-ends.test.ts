/*
 * How a run ends with its process, in a real child process on a local store: a normal exit
 * without finish() finishes it, SIGTERM and SIGINT mark it failed (and the process still dies by
 * the signal), and a SIGKILLed run reads lost once its heartbeat stops.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRun, listRuns, openStore, readScalars, startRun, type Store } from '../../src/index.js';
import { fenceRun } from '../../src/records/fence-run.js';
import { runNodeProgram } from '../support/processes.js';
import { builtProgram } from '../support/programs.js';

const WORKER = 'test/support/run-workers/training-worker.ts';
const root = fileURLToPath(new URL('../..', import.meta.url));

let folder: string;
let store: Store;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-process-ends-'));
  store = await openStore(folder);
});
afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The worker, running; `lines` grows as it prints. */
interface Worker {
  child: ChildProcessByStdio<null, Readable, Readable>;
  lines: string[];
  stderr: () => string;
  exited: Promise<Ending>;
}

function startWorker(mode: string, ...args: string[]): Worker {
  const child = spawn(process.execPath, [builtProgram(WORKER), folder, mode, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    lines.push(...complete);
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Ending>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    }),
  );
  return { child, lines, stderr: () => stderr, exited };
}

/** The points the worker said it added (it prints every 50th). */
const reportedPoints = (worker: Worker) =>
  Math.max(
    0,
    ...worker.lines
      .filter((line) => line.startsWith('added '))
      .map((line) => Number(line.slice(6))),
  );

/** Waits until the worker has printed its run id and added at least `points` points. */
async function runningWorker(worker: Worker, points: number): Promise<string> {
  await vi.waitFor(
    () => {
      if (reportedPoints(worker) < points) throw new Error(`not yet; stderr: ${worker.stderr()}`);
    },
    { timeout: 10_000, interval: 20 },
  );
  const id = worker.lines.find((line) => line.startsWith('run '))?.slice(4);
  if (id === undefined) throw new Error('the worker printed no run id');
  return id;
}

/** How the worker ended, or `hung` (and then it is SIGKILLed) when it is still alive after 2 s. */
async function endingOf(worker: Worker): Promise<Ending | 'hung'> {
  const ending = await Promise.race([worker.exited, sleep(2_000, 'hung' as const)]);
  if (ending === 'hung') {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  return ending;
}

/** The run's file as stored (not as readers report it). */
async function storedRow(id: string): Promise<Record<string, string>> {
  const rows = parse<Record<string, string>>(await store.readText(`runs/${id}.csv`), {
    columns: true,
  });
  return rows[0]!;
}

/**
 * Sends `signal` to a worker in `mode` that is adding points, and waits until its run has closed.
 * Checks that the run is failed with every point added before the signal; returns how the
 * process ended.
 */
async function stopBySignal(
  mode: 'loop' | 'stop-on-signal',
  signal: 'SIGTERM' | 'SIGINT',
): Promise<Ending | 'hung'> {
  const worker = startWorker(mode);
  const id = await runningWorker(worker, 100);
  worker.child.kill(signal);
  await Promise.race([
    worker.exited,
    vi.waitFor(
      async () => {
        expect((await getRun(id, { store })).status).not.toBe('running');
      },
      { timeout: 5_000, interval: 20 },
    ),
  ]);
  const ending = await endingOf(worker);

  const record = await getRun(id, { store });
  expect(record.status, worker.stderr()).toBe('failed');
  expect(record.error).toContain(signal);
  expect(record.endedAt).toBeInstanceOf(Date);
  // Every point added before the signal is there, and the summary counts what is there.
  const steps = Array.from((await readScalars(id, { store })).loss?.step ?? []);
  expect(steps.length).toBeGreaterThanOrEqual(reportedPoints(worker));
  expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
  expect(record.summary.loss?.count).toBe(steps.length);
  return ending;
}

/** What a fenced run that never started holds. */
const TOMBSTONE = {
  project: 'process-ends',
  name: 'never started',
  origin: 'sweep' as const,
};

describe('a run whose process ends without finish()', () => {
  it('is finished, with every point, when the process exits normally', async () => {
    const result = await runNodeProgram(WORKER, [folder, 'exit']);
    expect(result.code, result.stderr).toBe(0);
    const id = /^run (\S+)$/m.exec(result.stdout)?.[1];
    expect(id).toBeDefined();
    const record = await getRun(id!, { store });
    expect(record).toMatchObject({ status: 'finished', hyperparameters: { mode: 'exit' } });
    expect(record.error).toBeUndefined();
    expect(record.endedAt).toBeInstanceOf(Date);
    expect(record.summary.loss).toMatchObject({ count: 250, lastStep: 249, last: 1 / 250 });
    const scalars = await readScalars(id!, { store });
    expect(Array.from(scalars.loss?.step ?? [])).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`is failed on ${signal}, with every point flushed`, async () => {
      await stopBySignal('stop-on-signal', signal);
    });

    // Importing the package loads proper-lockfile, whose signal-exit listeners act only when
    // they alone listen: the hooks must re-raise the signal whatever else listens, or a busy
    // program goes on running after SIGTERM or Ctrl-C.
    it(`then the process dies by ${signal}`, async () => {
      expect(await stopBySignal('stop-on-signal', signal)).toEqual({ code: null, signal });
    });

    // A training loop keeps running until the re-raised signal ends it: its calls after the
    // hooks closed the run are ignored, not thrown at, so the final flush lands.
    it(`is failed on ${signal} with every point when the loop goes on adding`, async () => {
      await stopBySignal('loop', signal);
    });
  }

  it('reads lost about a second after a SIGKILL with a 0.2 s heartbeat, and fenceRun writes it', async () => {
    const worker = startWorker('loop', '0.2');
    const id = await runningWorker(worker, 50);
    // Alive, it reads running however often one looks, while its points and summary arrive.
    const watchUntil = Date.now() + 1_500;
    while (Date.now() < watchUntil) {
      expect((await getRun(id, { store })).status).toBe('running');
      await sleep(25);
    }
    expect((await getRun(id, { store })).summary.loss?.count).toBeGreaterThan(50);
    expect((await readScalars(id, { store })).loss?.step.length).toBeGreaterThan(50);
    worker.child.kill('SIGKILL');
    expect(await worker.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();

    // Its file still says running; readers say lost once 4 heartbeats (0.8 s) went by.
    expect((await storedRow(id)).status).toBe('running');
    await vi.waitFor(
      async () => {
        expect((await getRun(id, { store })).status).toBe('lost');
      },
      { timeout: 3_000, interval: 50 },
    );
    expect(Date.now() - killedAt).toBeLessThan(1_500);
    const lost = await listRuns({ store, project: 'process-ends', status: 'lost' });
    expect(lost.map((record) => record.id)).toContain(id);
    expect((await storedRow(id)).status).toBe('running');

    // What a process that takes the run's work over does: the file says lost from then on.
    expect(await fenceRun(store, id, 'its process was killed', TOMBSTONE)).toEqual({
      outcome: 'fenced',
    });
    const row = await storedRow(id);
    expect(row.status).toBe('lost');
    expect(row.ended_at).toBe(row.heartbeat_at);
    expect(row.error).toBe('its process was killed');
    // Done once: the second call finds it fenced already and changes nothing.
    expect(await fenceRun(store, id, 'again', TOMBSTONE)).toEqual({ outcome: 'fenced' });
    expect((await storedRow(id)).error).toBe('its process was killed');
    const record = await getRun(id, { store });
    expect(record.status).toBe('lost');
    expect(record.summary.loss?.count).toBeGreaterThan(50);
  });

  it('fenceRun leaves a finished run alone, and puts a tombstone where no run started yet', async () => {
    const result = await runNodeProgram(WORKER, [folder, 'exit']);
    const id = /^run (\S+)$/m.exec(result.stdout)?.[1];
    expect(await fenceRun(store, id!, 'too late', TOMBSTONE)).toMatchObject({
      outcome: 'ended',
      status: 'finished',
    });
    expect((await storedRow(id!)).status).toBe('finished');
    // A writer paused between its claim and its record can no longer start that run.
    const unborn = '20261124T101530123Z-1a2b3c4d';
    expect(await fenceRun(store, unborn, 'taken over', TOMBSTONE)).toEqual({ outcome: 'fenced' });
    expect((await storedRow(unborn)).status).toBe('lost');
    await expect(
      startRun({ project: 'process-ends', store, runId: unborn, closeOnExit: false }),
    ).rejects.toMatchObject({ parameter: 'runId' });
  });
});
