/**
 * Issue 18, defect 6, through runCli in this process: listings
 * print what they could read, one warning line per skipped file on stderr, exit 0; a command
 * about the one corrupt object exits 1 saying so, with its path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { seedCorruptStore, type CorruptStore } from '../support/corrupt-store.js';
import { cli as runInProcess } from './_in-process.js';

describe('the CLI over corrupt files', () => {
  let root: string;
  let store: Store;
  let seeded: CorruptStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ml-tracking-corrupt-cli-'));
    store = await openStore(join(root, 'store'));
    seeded = await seedCorruptStore(store);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runInProcess([...args, '--store', join(root, 'store')]);
  const warningLines = (stderr: string) =>
    stderr.split('\n').filter((line) => line.startsWith('ml-tracking: warning: skipped '));

  it('list and list --trackers show the good tracker and warn once per bad one', async () => {
    for (const args of [['list'], ['list', '--json'], ['list', '--trackers']]) {
      const result = await cli(...args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(
        args.includes('--trackers') ? 'good_' : seeded.good.predictionId,
      );
      const warnings = warningLines(result.stderr);
      expect(warnings).toHaveLength(3);
      for (const tracker of [
        seeded.bad.quoteTracker,
        seeded.bad.truncatedTracker,
        seeded.bad.binaryTracker,
      ]) {
        expect(warnings.some((line) => line.includes(tracker))).toBe(true);
      }
    }
  });

  it('show of an experiment in a corrupt tracker exits 1 naming the tracker', async () => {
    const result = await cli('show', seeded.bad.quotedPredictionId);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(seeded.bad.quoteTracker);
    expect(result.stderr).toMatch(/corrupt/);
    const good = await cli('show', seeded.good.predictionId);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('tracker: projects/classification/good_');
  });

  it('runs lists the good runs and warns about the corrupt record; run <id> calls it corrupt', async () => {
    const runs = await cli('runs');
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toContain(seeded.good.runId);
    expect(runs.stdout).not.toContain(seeded.bad.runId);
    expect(warningLines(runs.stderr)).toEqual([
      expect.stringContaining(seeded.bad.runRecord) as string,
    ]);

    const one = await cli('run', seeded.bad.runId);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain(seeded.bad.runRecord);
    expect(one.stderr).toMatch(/corrupt/);
    expect(one.stderr).not.toContain('no such object');
  });

  it('sweeps lists the good sweep and warns about the bad description', async () => {
    const result = await cli('sweeps');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(seeded.good.sweepId);
    expect(result.stdout).not.toContain(seeded.bad.sweepId);
    const warnings = warningLines(result.stderr);
    expect(warnings.some((line) => line.includes(seeded.bad.sweepDescription))).toBe(true);
  });
});
