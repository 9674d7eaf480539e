// Claims, the unit of coordination (records/claims.ts): one winner for a create and for a
// take-over, standings judged by the store's times and by pids only where pids mean something,
// and an unreadable claim named and taken over after a lease instead of crashing an agent.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimStanding,
  createClaim,
  readClaim,
  replaceClaim,
  type ClaimBody,
} from '../../src/records/claims.js';
import { holdLease } from '../../src/records/lease.js';
import { thisProcess } from '../../src/records/process-identity.js';
import { createStoreClock } from '../../src/records/store-clock.js';
import { sweepDescriptionPath, trialClaimPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import type { SweepEvent } from '../../src/sweeps/run-trial.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import { writeTrivialSweep } from '../support/trivial-sweep.js';

let folder: string;
let store: Store;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-claims-'));
  store = await openStore(join(folder, 'store'));
});
afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

const body = (runId: string, extra: Partial<ClaimBody> = {}): ClaimBody => ({
  runId,
  agent: 'here:1',
  claimedAt: new Date().toISOString(),
  attempt: 1,
  heartbeatIntervalSeconds: 1,
  state: 'held',
  ...extra,
});
const seconds = (at: Date, s: number) => new Date(at.getTime() + s * 1000);

describe('createClaim and replaceClaim', () => {
  it('give one winner among concurrent creators and concurrent takers', async () => {
    const path = 'claims/one.json';
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createClaim(store, path, body(`run-${i}`))),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    const read = (await readClaim<ClaimBody>(store, path))!;
    const taken = await Promise.all(
      Array.from({ length: 8 }, (_, i) => replaceClaim(store, read, body(`take-${i}`))),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
    // The loser's stale generation can no longer write either.
    expect(await replaceClaim(store, read, body('late'))).toBeUndefined();
  });
});

describe('claimStanding', () => {
  it('is live within 4 heartbeats of the store time of its last write, expired after', async () => {
    const held = (await createClaim(store, 'claims/lease.json', body('r')))!;
    expect(claimStanding(held, seconds(held.updated, 4), 10)).toBe('live');
    expect(claimStanding(held, seconds(held.updated, 4.01), 10)).toBe('expired');
  });

  it('says released and done whatever the time', async () => {
    const released = (await createClaim(store, 'claims/r.json', body('r', { state: 'released' })))!;
    const done = (await createClaim(store, 'claims/d.json', body('d', { state: 'done' })))!;
    expect(claimStanding(released, released.updated, 10)).toBe('released');
    expect(claimStanding(done, seconds(done.updated, 3600), 10)).toBe('done');
  });

  it('takes a dead pid as evidence only in this boot and PID namespace', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    const here = { ...thisProcess(), pid };
    const gone = (await createClaim(store, 'claims/gone.json', body('g', { process: here })))!;
    expect(claimStanding(gone, gone.updated, 10)).toBe('expired');
    // The same pid in another PID namespace (another container on this host) says nothing.
    const elsewhere = { ...here, pidNamespace: 'other' };
    const far = (await createClaim(store, 'claims/far.json', body('f', { process: elsewhere })))!;
    expect(claimStanding(far, far.updated, 10)).toBe('live');
  });

  it('names what is wrong with an unreadable claim, and lets it expire after a lease', async () => {
    await store.write('claims/garbage.json', '{"runId": ');
    const stored = (await readClaim<ClaimBody>(store, 'claims/garbage.json'))!;
    expect(stored.claim).toBeUndefined();
    expect(stored.problem).toMatch(/not JSON/);
    expect(claimStanding(stored, stored.updated, 1)).toBe('live');
    expect(claimStanding(stored, seconds(stored.updated, 5), 1)).toBe('expired');
  });
});

describe('holdLease', () => {
  it('renews by compare-and-swap, and aborts the work when another process takes over', async () => {
    const held = (await createClaim(store, 'claims/held.json', body('mine')))!;
    const lease = holdLease(store, held, 0.05);
    await expect.poll(() => lease.current.generation !== held.generation).toBe(true);
    // Another process takes it over (retrying: the holder renews every 50 ms in between).
    await expect
      .poll(async () => {
        const current = (await readClaim<ClaimBody>(store, held.path))!;
        return replaceClaim(store, current, body('theirs', { attempt: 2 }));
      })
      .toBeDefined();
    await expect.poll(() => lease.lost.aborted, { timeout: 5000 }).toBe(true);
    expect(await lease.end('done')).toBe(false);
    expect((await readClaim<ClaimBody>(store, held.path))?.claim?.runId).toBe('theirs');
  });
});

describe('the store clock', () => {
  it("reads the store's time from a probe it removes", async () => {
    const clock = createStoreClock(store);
    const now = await clock.now();
    const written = await store.write('claims/now.json', '{}');
    expect(Math.abs(written.updated.getTime() - now.getTime())).toBeLessThan(5000);
    const probes = [];
    for await (const object of store.listAll('coordination/')) probes.push(object.path);
    expect(probes).toEqual([]);
  });
});

describe('a sweep agent meeting a garbage claim', () => {
  it('warns naming the file, waits out a lease, then runs the trial', async () => {
    const config = await writeTrivialSweep(join(folder, 'garbage-sweep'), 2);
    const { sweepId } = await createSweep({ config, store });
    await store.write(trialClaimPath(sweepId, 0), 'not a claim \u0000');
    const events: SweepEvent[] = [];
    const report = await runSweepAgent({
      sweepId,
      store,
      cwd: join(folder, 'garbage-sweep'),
      heartbeatIntervalSeconds: 0.2,
      onEvent: (event) => events.push(event),
    });
    const warnings = events.flatMap((event) => (event.type === 'warning' ? [event.message] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(trialClaimPath(sweepId, 0));
    expect(report.trials.map(({ trial, status }) => [trial, status]).sort()).toEqual([
      [0, 'finished'],
      [1, 'finished'],
    ]);
    expect((await listRuns({ store, sweep: sweepId })).map((run) => run.status)).toEqual([
      'finished',
      'finished',
    ]);
  }, 30_000);
});

describe('a sweep agent meeting a garbage description', () => {
  it('stops with a CorruptFileError naming the file, not a raw SyntaxError', async () => {
    const config = await writeTrivialSweep(join(folder, 'bad-description'), 1);
    const { sweepId } = await createSweep({ config, store });
    await store.write(sweepDescriptionPath(sweepId), '{"sweepId": ');
    await expect(runSweepAgent({ sweepId, store })).rejects.toMatchObject({
      code: 'ERR_CORRUPT_FILE',
      path: sweepDescriptionPath(sweepId),
    });
  });
});
