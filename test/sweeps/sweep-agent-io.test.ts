import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweep, openStore, runSweepAgent, type Store } from '../../src/index.js';
import { writeTrivialSweep } from '../support/trivial-sweep.js';

const TRIALS = 8;

describe('a sweep agent reads the store in proportion to the sweep', () => {
  let folder: string;
  let config: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-agent-io-'));
    config = await writeTrivialSweep(folder, TRIALS);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('takes free trial numbers from the listing, and reads claims only once all are taken', async () => {
    const real = await openStore(join(folder, 'store'));
    const claimReads: string[] = [];
    const store: Store = {
      ...real,
      readText: (path) => {
        if (path.includes('/claims/')) claimReads.push(path);
        return real.readText(path);
      },
    };
    const { sweepId } = await createSweep({ config, store });
    const report = await runSweepAgent({ sweepId, store, cwd: folder });
    expect(report.trials.map((trial) => trial.status)).toEqual(Array(TRIALS).fill('finished'));
    // One look at every claim when no number is left, to see whether one was lost; reading
    // them all before each trial would be TRIALS × TRIALS / 2.
    expect(claimReads.length).toBe(TRIALS);
    await real.close();
  }, 60_000);
});
