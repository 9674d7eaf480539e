// Exactly-once trials under the faults of real fleets (issue 18): agents whose clocks are wrong,
// an agent paused past its lease and resumed, an agent stopped by SIGTERM (preemption, `kubectl
// delete`). The bucket is the only coordinator: each trial number must end with exactly one
// finished run. Needs the built CLI: npm run build.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { openFakeStore } from '../runs/_run-stores.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { processGroupOf } from '../support/processes.js';
import {
  claimsByTrial,
  cliSandbox,
  isAlive,
  runsByTrial,
  startCli,
  trialPids,
  waitFor,
  type CliProcess,
  slowSweep,
} from './sweep-helpers.js';
import { skewedClock } from '../support/skewed-clock.js';

const HEAVY = process.env.ML_TRACKING_HEAVY_FAULTS === '1';
const sandbox = cliSandbox('ml-tracking-coordination-');
let count = 0;

/** What agent processes need to reach the store (the GCS fake's address). */
let storeEnvironment: Record<string, string> = {};

function agent(
  sweepId: string,
  store: Store,
  pids: string,
  env: Record<string, string> = {},
): CliProcess {
  const running = startCli(['sweep', 'agent', sweepId, '--store', store.url, '--quiet'], {
    env: {
      SLOW_TRIAL_PID_DIR: pids,
      ML_TRACKING_HEARTBEAT_SECONDS: '0.4',
      SLOW_TRIAL_SECONDS: '1',
      ...storeEnvironment,
      ...env,
    },
    ownProcessGroup: true,
  });
  sandbox.started.push(running);
  return running;
}

/** Each trial number's runs by status, sorted, e.g. `{ 0: ['finished', 'lost'] }`. */
async function statusesByTrial(store: Store, sweepId: string) {
  const byTrial: Record<number, string[]> = {};
  for (const [trial, runs] of await runsByTrial(store, sweepId)) {
    byTrial[trial] = runs.map((run) => run.status).sort();
  }
  return byTrial;
}

const finishedOnce = (trials: number, except: Record<number, string[]> = {}) =>
  Object.fromEntries(
    Array.from({ length: trials }, (_, trial) => [trial, except[trial] ?? ['finished']]),
  );

function eachStore(name: string, body: (open: () => Promise<Store>) => void) {
  describe(name, () => {
    describe('local folder', () => {
      beforeAll(() => {
        storeEnvironment = {};
      });
      body(() => openStore(join(sandbox.folder, `store-${(count += 1)}`)));
    });
    describe('GCS (fake server with preconditions)', () => {
      let fake: GcsFake;
      beforeAll(async () => {
        fake = await startGcsFake();
        storeEnvironment = { STORAGE_EMULATOR_HOST: fake.host };
      });
      afterAll(() => fake.stop());
      body(() => openFakeStore(fake, `coordination-${(count += 1)}`));
    });
  });
}

eachStore('agents whose clocks are 60 s wrong', (open) => {
  it('take over nothing: every trial runs once, by the store clock', async () => {
    const store = await open();
    const { sweepId, pids } = await slowSweep(sandbox, store, 6);
    // A slow trial on a right clock, which the others see running while they have nothing left.
    const right = agent(sweepId, store, pids, { SLOW_TRIAL_SECONDS: '3' });
    await waitFor('the first trial to run', async () => (await trialPids(pids)).length === 1);
    const agents = [
      right,
      agent(sweepId, store, pids, { ...skewedClock(60_000), SLOW_TRIAL_SECONDS: '0.5' }),
      agent(sweepId, store, pids, { ...skewedClock(-60_000), SLOW_TRIAL_SECONDS: '0.5' }),
    ];
    for (const running of agents) expect(await running.exited, running.stderr).toBe(0);
    expect(await statusesByTrial(store, sweepId)).toEqual(finishedOnce(6));
    for (const { claim } of (await claimsByTrial(store, sweepId)).values()) {
      expect(claim).toMatchObject({ attempt: 1, state: 'done' });
    }
  }, 90_000);
});

eachStore('an agent paused past its lease (SIGSTOP), then resumed', (open) => {
  it('its trial is taken over once, and the paused copy stops when it wakes', async () => {
    const store = await open();
    const { sweepId, pids } = await slowSweep(sandbox, store, 2);
    // Its trial would run for a minute: it ends sooner only if it is stopped.
    const paused = agent(sweepId, store, pids, { SLOW_TRIAL_SECONDS: '60' });
    const [first] = await waitFor('the first trial to run', async () => {
      const found = await trialPids(pids);
      return found.length === 1 && found;
    });
    // The whole machine stops: the agent's process group and its trial's.
    const trialGroup = processGroupOf(first!.pid);
    process.kill(-paused.child.pid!, 'SIGSTOP');
    process.kill(-trialGroup, 'SIGSTOP');
    try {
      const taker = agent(sweepId, store, pids, { SLOW_TRIAL_SECONDS: '0.5' });
      await waitFor('the trial to be taken over', async () => {
        const claim = (await claimsByTrial(store, sweepId)).get(first!.trial)?.claim;
        return (claim?.attempt ?? 0) >= 2;
      });
      expect(await taker.exited, taker.stderr).toBe(0);
    } finally {
      process.kill(-trialGroup, 'SIGCONT');
      process.kill(-paused.child.pid!, 'SIGCONT');
    }
    // Awake, it finds its lease lost at its next renewal: it stops its copy of the trial
    // rather than finish it a second time.
    await waitFor('the paused copy of the trial to stop', () => !isAlive(first!.pid), 20_000);
    expect(await paused.exited, paused.stderr).toBe(0);
    expect(await statusesByTrial(store, sweepId)).toEqual(
      finishedOnce(2, { [first!.trial]: ['finished', 'lost'] }),
    );
  }, 90_000);
});

eachStore('SIGTERM to one agent of three', (open) => {
  it('gives its trial back to the queue, and the sweep still runs every trial', async () => {
    const store = await open();
    const trials = HEAVY ? 9 : 6;
    const { sweepId, pids } = await slowSweep(sandbox, store, trials);
    const agents = [0, 1, 2].map(() => agent(sweepId, store, pids, { SLOW_TRIAL_SECONDS: '1.5' }));
    const stopped = agents[1]!;
    const held = await waitFor('the second agent to run a trial', async () => {
      for (const { claim } of (await claimsByTrial(store, sweepId)).values()) {
        if (claim.agent.endsWith(`:${stopped.child.pid}`) && claim.state === 'held') return claim;
      }
      return undefined;
    });
    stopped.child.kill('SIGTERM');
    expect(await stopped.exited).not.toBe(0);
    for (const running of [agents[0]!, agents[2]!]) {
      expect(await running.exited, running.stderr).toBe(0);
    }
    expect(await statusesByTrial(store, sweepId)).toEqual(
      finishedOnce(trials, { [held.trial]: ['failed', 'finished'] }),
    );
    const claim = (await claimsByTrial(store, sweepId)).get(held.trial)?.claim;
    expect(claim).toMatchObject({ attempt: 2, state: 'done' });
  }, 90_000);
});
