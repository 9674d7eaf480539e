// An agent killed mid-trial (SIGKILL: no chance to close anything) loses its trial; another agent
// hands that trial number out again once the run has missed its heartbeats. In the end the
// trial has one lost run and one finished run, and every other trial exactly one finished run.
// Needs the built CLI: npm run build.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPath } from '../../src/layout/paths.js';
import { decodeRunRecord, type RunRecord } from '../../src/runs/run-record.js';
import { createTimeSortableId } from '../../src/runs/ids.js';
import { createClaim } from '../../src/records/claims.js';
import { processLabel } from '../../src/records/process-identity.js';
import { trialClaimPath } from '../../src/layout/paths.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import { startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import {
  cliSandbox,
  isAlive,
  runsByTrial,
  startCli,
  trialPids,
  waitFor,
  type CliProcess,
  claimsByTrial,
  slowSweep,
} from './sweep-helpers.js';

const sandbox = cliSandbox('ml-tracking-lost-agent-');
const started = sandbox.started;

function agent(
  sweepId: string,
  store: Store,
  env: Record<string, string>,
  pids: string,
): CliProcess {
  const running = startCli(['sweep', 'agent', sweepId, '--store', store.url, '--quiet'], {
    env: { SLOW_TRIAL_PID_DIR: pids, ...env },
  });
  started.push(running);
  return running;
}

/** The trial a given agent process holds a running run for. */
async function runningTrialOf(store: Store, sweepId: string, pid: number) {
  for (const { claim } of (await claimsByTrial(store, sweepId)).values()) {
    if (!claim.agent.endsWith(`:${pid}`)) continue;
    const text = await store.readText(runPath(claim.runId)).catch(() => undefined);
    const record = text === undefined ? undefined : decodeRunRecord(text);
    if (record?.status === 'running') return { trial: claim.trial, runId: claim.runId };
  }
  return undefined;
}

/** The run's file as stored (not as readers judge it). */
async function storedRecord(store: Store, runId: string): Promise<RunRecord | undefined> {
  return decodeRunRecord(await store.readText(runPath(runId)));
}

/** The lost trial has a lost run and a finished one; every other trial one finished run. */
async function expectTrialRunAgain(
  store: Store,
  sweepId: string,
  trials: number,
  lost: { trial: number; runId: string },
) {
  const byTrial = await runsByTrial(store, sweepId);
  expect([...byTrial.keys()].sort()).toEqual(Array.from({ length: trials }, (_, trial) => trial));
  for (const [trial, runs] of byTrial) {
    const statuses = runs.map((run) => run.status).sort();
    if (trial === lost.trial) expect(statuses, `trial ${trial}`).toEqual(['finished', 'lost']);
    else expect(statuses, `trial ${trial}`).toEqual(['finished']);
  }
  // The file itself says lost now (the agent that took over wrote it), not only readers.
  expect((await storedRecord(store, lost.runId))?.status).toBe('lost');
  const claim = (await claimsByTrial(store, sweepId)).get(lost.trial)?.claim;
  expect(claim?.attempt).toBe(2);
  expect(claim?.runId).not.toBe(lost.runId);
}

describe('an agent killed mid-trial', () => {
  it('local folder: an agent started afterwards runs the lost trial again', async () => {
    const store = await openStore(join(sandbox.folder, 'store-local'));
    const { sweepId, pids } = await slowSweep(sandbox, store, 3);
    // Its trials would take a minute: it is surely killed mid-trial.
    const first = agent(
      sweepId,
      store,
      { SLOW_TRIAL_SECONDS: '60', ML_TRACKING_HEARTBEAT_SECONDS: '0.3' },
      pids,
    );
    const lost = await waitFor('the first agent to run a trial', () =>
      runningTrialOf(store, sweepId, first.child.pid!),
    );
    await waitFor('the trial process', async () => (await trialPids(pids)).length === 1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = agent(
      sweepId,
      store,
      { SLOW_TRIAL_SECONDS: '0.3', ML_TRACKING_HEARTBEAT_SECONDS: '0.3' },
      pids,
    );
    expect(await second.exited, second.stderr).toBe(0);
    expect(second.stdout).toContain('agent done: 3 trials run here');
    await expectTrialRunAgain(store, sweepId, 3, lost);

    // The orphaned trial process died too (its output pipe closed with its agent).
    const orphan = (await trialPids(pids)).find((each) => each.trial === lost.trial)!;
    await waitFor('the orphaned trial to exit', () => !isAlive(orphan.pid), 5000);
  }, 60_000);

  it('an agent that died between its claim and its run: the claim is taken over once silent', async () => {
    const store = await openStore(join(sandbox.folder, 'store-claim-only'));
    const { sweepId, pids } = await slowSweep(sandbox, store, 2);
    const deadClaim = {
      trial: 0,
      runId: createTimeSortableId(),
      agent: 'elsewhere:1',
      claimedAt: new Date().toISOString(),
      attempt: 1,
    };
    expect(await createClaim(store, trialClaimPath(sweepId, 0), deadClaim)).toBeDefined();
    vi.stubEnv('SLOW_TRIAL_SECONDS', '0.3');
    vi.stubEnv('SLOW_TRIAL_PID_DIR', pids);
    try {
      const report = await runSweepAgent({ sweepId, store, heartbeatIntervalSeconds: 0.3 });
      expect(report.trials.map(({ trial, status }) => [trial, status])).toEqual([
        [1, 'finished'],
        [0, 'finished'],
      ]);
    } finally {
      vi.unstubAllEnvs();
    }
    const byTrial = await runsByTrial(store, sweepId);
    // The dead attempt's run id holds a lost tombstone: were its agent only paused between its
    // claim and its run, it could not start that run any more (fencing).
    const trial0 = byTrial.get(0) ?? [];
    expect(trial0.map((run) => run.status).sort()).toEqual(['finished', 'lost']);
    expect(trial0.find((run) => run.status === 'lost')?.id).toBe(deadClaim.runId);
    expect(byTrial.get(1)?.map((run) => run.status)).toEqual(['finished']);
    const claim = (await claimsByTrial(store, sweepId)).get(0)?.claim;
    expect(claim).toMatchObject({ attempt: 2, agent: processLabel() });
    expect(claim?.runId).not.toBe(deadClaim.runId);
  }, 30_000);

  describe('GCS (fake server with preconditions)', () => {
    let fake: GcsFake;
    beforeAll(async () => {
      fake = await startGcsFake();
    });
    afterAll(() => fake.stop());

    it('agents still running take the lost trial over', async () => {
      const store = await openStore('gs://sweep-lost/agents', { storage: fake.createClient() });
      const trials = 5;
      const { sweepId, pids } = await slowSweep(sandbox, store, trials);
      // 0.5 s heartbeats: a GCS run record is written at most once a second, so a live run
      // misses none of its 4 × 0.5 s.
      const env = {
        STORAGE_EMULATOR_HOST: fake.host,
        SLOW_TRIAL_SECONDS: '1.5',
        ML_TRACKING_HEARTBEAT_SECONDS: '0.5',
      };
      const agents = [0, 1, 2].map(() => agent(sweepId, store, env, pids));
      const victim = agents[0]!;
      const lost = await waitFor('the first agent to run a trial', () =>
        runningTrialOf(store, sweepId, victim.child.pid!),
      );
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');
      for (const survivor of agents.slice(1)) {
        expect(await survivor.exited, survivor.stderr).toBe(0);
      }
      await expectTrialRunAgain(store, sweepId, trials, lost);
    }, 60_000);
  });
});
