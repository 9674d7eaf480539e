// Several agent processes share one sweep through the store alone: every trial number is run
// exactly once, on a local folder and on GCS (the fake, which honours generation preconditions).
// Needs the built CLI: npm run build.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { claimsByTrial, copyFixture, runsByTrial, startCli } from './sweep-helpers.js';

const AGENTS = 3;
const TRIALS = 6;

let folder: string;
let configPath: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-agents-'));
  configPath = await copyFixture('slow', join(folder, 'slow'), { max_runs: TRIALS });
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/**
 * Creates a sweep of the slow trial (1 s each), runs it with {@link AGENTS} agent processes
 * started together, and checks that each trial number has exactly one finished run.
 */
async function shareOneSweep(store: Store, env: Record<string, string> = {}) {
  const { sweepId } = await createSweep({ config: configPath, store });
  const agents = Array.from({ length: AGENTS }, () =>
    startCli(['sweep', 'agent', sweepId, '--store', store.url, '--quiet'], {
      env: { SLOW_TRIAL_SECONDS: '1', ML_TRACKING_HEARTBEAT_SECONDS: '1', ...env },
    }),
  );
  const codes = await Promise.all(agents.map((agent) => agent.exited));
  expect(codes, agents.map((agent) => agent.stderr).join('\n')).toEqual(
    Array<number>(AGENTS).fill(0),
  );

  const byTrial = await runsByTrial(store, sweepId);
  expect([...byTrial.keys()].sort()).toEqual(Array.from({ length: TRIALS }, (_, trial) => trial));
  for (const [trial, runs] of byTrial) {
    expect(runs, `trial ${trial}`).toHaveLength(1);
    expect(runs[0]!.status, `trial ${trial}`).toBe('finished');
  }
  // Never more runs than max_runs.
  expect([...byTrial.values()].flat()).toHaveLength(TRIALS);

  // Each agent says how many trials it ran: together, each trial once.
  const ranHere = agents.map((agent) =>
    Number(/agent done: (\d+) trials run here/.exec(agent.stdout)?.[1]),
  );
  expect(ranHere.reduce((sum, ran) => sum + ran, 0)).toBe(TRIALS);
  // The agents really shared the work: they start within a second of each other, and each
  // trial takes 1 s.
  const claims = await claimsByTrial(store, sweepId);
  expect(claims.size).toBe(TRIALS);
  expect(new Set([...claims.values()].map(({ claim }) => claim.agent)).size).toBeGreaterThan(1);
  for (const { claim } of claims.values()) expect(claim.attempt).toBe(1);
}

describe(`${AGENTS} agent processes on one sweep of ${TRIALS} trials`, () => {
  it('local folder: each trial number has exactly one finished run', async () => {
    const store = await openStore(join(folder, 'store'));
    await shareOneSweep(store);
  }, 60_000);

  describe('GCS (fake server with preconditions)', () => {
    let fake: GcsFake;
    beforeAll(async () => {
      fake = await startGcsFake();
    });
    afterAll(() => fake.stop());

    it('each trial number has exactly one finished run', async () => {
      const store = await openStore('gs://sweep-agents/shared', { storage: fake.createClient() });
      await shareOneSweep(store, { STORAGE_EMULATOR_HOST: fake.host });
    }, 60_000);
  });
});
