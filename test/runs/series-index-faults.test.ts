/**
 * Issue 23, part 2: the run writer keeps the series index exactly once and never ahead of the
 * scalars file, whatever happens to it: answers lost after GCS committed an append (the fake), a
 * process SIGKILLed between flushes, a process that exits without finish() (its last rows are
 * written on the way out, the index stays behind them). Every index left is checked record for
 * record against an index built afresh from the rows it covers, and reads as a full read does.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, readScalars, startRun, type Store } from '../../src/index.js';
import { scalarsPath } from '../../src/layout/paths.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { builtProgram } from '../support/programs.js';
import { openFakeStore } from './_run-stores.js';
import { expectIndexMatchesFile, expectLikeFullRead, logSeries } from './_series-checks.js';

async function expectReadsLikeFull(store: Store, runId: string, steps: [number, number]) {
  const full = await readScalars(runId, { store });
  for (const maxPoints of [5, 2000]) {
    expectLikeFullRead(await readScalars(runId, { store, maxPoints }), full, { maxPoints });
    const zoomed = await readScalars(runId, { store, maxPoints, steps });
    expectLikeFullRead(zoomed, full, { maxPoints, steps });
  }
}

describe('on GCS (the fake), with answers lost after the store committed', () => {
  let fake: GcsFake;
  let store: Store;
  beforeAll(async () => {
    fake = await startGcsFake();
    store = await openFakeStore(fake, randomUUID());
  });
  afterAll(async () => {
    await store.close();
    await fake.stop();
  });

  it('appends each index record once and covers the whole file after finish()', async () => {
    const run = await startRun({ project: 'lod-faults', store, closeOnExit: false });
    await logSeries(run, { seed: 11, to: 20_000, flushEvery: 4_000 });
    // The flushes and finish() ahead: the index's appends among them lose their answers.
    fake.injectFault({ operation: 'compose', status: 503, when: 'after', times: 3 });
    fake.injectFault({ operation: 'upload', status: 503, when: 'after', times: 3 });
    await logSeries(run, { seed: 12, from: 20_000, to: 30_000, flushEvery: 4_000 });
    fake.injectFault({ operation: 'compose', status: 'reset', when: 'after', times: 2 });
    fake.injectFault({ operation: 'upload', status: 503, when: 'after', times: 2 });
    await run.finish();
    expect(fake.pendingFaults()).toBe(0);
    const size = (await store.stat(scalarsPath(run.id)))!.size;
    expect(await expectIndexMatchesFile(store, run.id)).toBe(size);
    await expectReadsLikeFull(store, run.id, [12_000, 14_000]);
  });
});

describe('a process that ends without finish()', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-lod-ends-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  /**
   * A training loop in the built package: 4,000 steps of two tags per flush, printing `flushed
   * <steps>` after each; it stops after `steps` with `process.exit(0)` and points not flushed.
   */
  function trainer(steps: number) {
    const source = `
      import { startRun } from ${JSON.stringify(builtProgram('src/index.ts'))};
      const run = await startRun({ project: 'lod-ends', store: ${JSON.stringify(folder)} });
      process.stdout.write('run ' + run.id + '\\n');
      for (let step = 0; ; step += 1) {
        run.addScalar('loss', Math.sin(step / 300) + (step % 9_973 === 0 ? 1e6 : 0), step);
        if (step % 2 === 0) run.addScalar('acc', Math.cos(step / 700), step);
        if (step === ${steps}) process.exit(0);
        if ((step + 1) % 4_000 === 0) {
          await run.flush();
          process.stdout.write('flushed ' + (step + 1) + '\\n');
        }
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const ended = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    const waitFor = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const look = () => {
          const match = pattern.exec(output);
          if (match) {
            child.stdout.off('data', onData);
            resolve(match);
          }
        };
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          look();
        };
        child.stdout.on('data', onData);
        child.once('exit', () => {
          reject(new Error(`the trainer ended first:\n${output}`));
        });
        look();
      });
    return { child, ended, waitFor };
  }

  it('leaves an index that matches the file after a SIGKILL between flushes', async () => {
    const { child, ended, waitFor } = trainer(Infinity);
    const id = (await waitFor(/run (\S+)\n/))[1]!;
    // Well past the size from which the index is stored.
    await waitFor(/flushed 6[0-9]000\n/);
    child.kill('SIGKILL');
    await ended;
    const store = await openStore(folder);
    try {
      const coverage = await expectIndexMatchesFile(store, id);
      expect(coverage).toBeGreaterThan(0);
      await expectReadsLikeFull(store, id, [50_000, 60_000]);
    } finally {
      await store.close();
    }
  });

  it('reads the rows written on the way out of process.exit() beyond the index', async () => {
    const { ended, waitFor } = trainer(42_345);
    const id = (await waitFor(/run (\S+)\n/))[1]!;
    await ended;
    const store = await openStore(folder);
    try {
      const size = (await store.stat(scalarsPath(id)))!.size;
      const coverage = await expectIndexMatchesFile(store, id);
      expect(coverage).toBeLessThan(size);
      const full = await readScalars(id, { store });
      expect(full.loss?.step.at(-1)).toBe(42_345);
      await expectReadsLikeFull(store, id, [40_000, 42_345]);
    } finally {
      await store.close();
    }
  });
});
