// `ml-tracking runs` and `ml-tracking run <id>` on a store holding a sweep's trials and a run
// a training loop logged itself, through runCli in this process.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../src/runs/read-runs.js';
import { runFilesCachePath } from '../../src/runs/run-files-cache.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { startRun } from '../../src/runs/start-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import { fixtureConfig } from '../sweeps/sweep-helpers.js';
import { cli } from './_in-process.js';

let folder: string;
let store: Store;
let sweepId: string;
let trialRuns: Map<number, string>;
let loggerRun: RunRecord;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-runs-cli-'));
  store = await openStore(join(folder, 'store'));
  ({ sweepId } = await createSweep({ config: fixtureConfig('failing'), store }));
  const report = await runSweepAgent({ sweepId, store, heartbeatIntervalSeconds: 1 });
  trialRuns = new Map(report.trials.map(({ trial, runId }) => [trial, runId]));
  const run = await startRun({
    project: 'Soil Carbon',
    name: 'by hand',
    store,
    hyperparameters: { lr: 0.01, layers: [64, 32] },
    closeOnExit: false,
  });
  for (let step = 0; step < 5; step += 1) run.addScalars({ loss: 1 / (step + 1), f1: step / 10 });
  loggerRun = await run.finish();
}, 60_000);
afterAll(() => rm(folder, { recursive: true, force: true }));

const runs = (...args: string[]) => cli(['runs', '--store', store.url, ...args]);

/** A printed table as objects keyed by its header's column names. */
function table(stdout: string): Record<string, string>[] {
  const [header, ...rows] = stdout.trimEnd().split('\n');
  const names = header!.trim().split(/\s{2,}/);
  return rows.map((row) => {
    const cells = row.trim().split(/\s{2,}/);
    return Object.fromEntries(names.map((name, index) => [name, cells[index] ?? '']));
  });
}

describe('ml-tracking runs', () => {
  it('lists every run newest first with its project, name, status and tag count', async () => {
    const result = await runs();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = table(result.stdout);
    expect(rows.map((row) => row.run_id)).toEqual([
      loggerRun.id,
      ...[3, 2, 1, 0].map((trial) => trialRuns.get(trial)),
    ]);
    expect(rows[0]).toMatchObject({
      project: 'soil-carbon',
      name: 'by hand',
      status: 'finished',
      tags: '2',
    });
    expect(rows.find((row) => row.run_id === trialRuns.get(1))).toMatchObject({
      project: 'failing-trials',
      name: 'trial-1',
      status: 'failed',
      tags: '1',
    });
  });

  it('--sweep, --project and --status filter', async () => {
    const ofSweep = table((await runs('--sweep', sweepId)).stdout);
    expect(ofSweep.map((row) => row.run_id).sort()).toEqual([...trialRuns.values()].sort());
    const ofProject = table((await runs('--project', 'Soil Carbon')).stdout);
    expect(ofProject.map((row) => row.run_id)).toEqual([loggerRun.id]);
    const failed = table((await runs('--status', 'failed')).stdout);
    expect(failed.map((row) => row.run_id)).toEqual([trialRuns.get(1)]);
    expect((await runs('--status', 'lost')).stdout.trim()).toBe('No runs.');
  });

  it('--json parses to the runs, dates as ISO strings', async () => {
    const result = await runs('--json');
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(parsed).toHaveLength(5);
    const mine = parsed.find((run) => run.id === loggerRun.id)!;
    expect(mine).toMatchObject({
      project: 'soil-carbon',
      status: 'finished',
      origin: 'logger',
      hyperparameters: { lr: 0.01, layers: [64, 32] },
      summary: { loss: { last: 0.2, count: 5 }, f1: { last: 0.4, max: 0.4 } },
      startedAt: loggerRun.startedAt.toISOString(),
    });
  });

  it('keeps the runs in the cache folder, so the next listing reads only what changed', async () => {
    // The tests' cache folder is a temporary one (test/support/global-setup.ts).
    const first = await runs('--json');
    expect(first.code).toBe(0);
    expect(existsSync(runFilesCachePath(store.url))).toBe(true);
    const reads: string[] = [];
    const counted = await openStore(store.url);
    const read = counted.read.bind(counted);
    counted.read = (path, ...rest) => {
      reads.push(path);
      return read(path, ...rest);
    };
    try {
      const again = await listRuns({ store: counted, cache: true });
      expect(again.map((run) => run.id)).toEqual(
        (JSON.parse(first.stdout) as { id: string }[]).map((run) => run.id),
      );
      expect(reads).toEqual([]);
    } finally {
      await counted.close();
    }
  });

  it('a status that does not exist: exit 2 naming the statuses', async () => {
    const result = await runs('--status', 'done');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('finished');
  });
});

describe('ml-tracking run <id>', () => {
  it('prints the record and every tag with its last, min and max', async () => {
    const result = await cli(['run', loggerRun.id, '--store', store.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^run_id\\s+${loggerRun.id}$`, 'm'));
    expect(result.stdout).toMatch(/^status\s+finished$/m);
    expect(result.stdout).toMatch(/^hyperparameters\s+\{"lr":0\.01,"layers":\[64,32\]\}$/m);
    const start = result.stdout.indexOf('\ntag ');
    const tags = table(result.stdout.slice(start + 1));
    expect(tags).toEqual([
      { tag: 'loss', last: '0.2', step: '4', min: '0.2', max: '1', count: '5' },
      { tag: 'f1', last: '0.4', step: '4', min: '0', max: '0.4', count: '5' },
    ]);
  });

  it('a failed trial: its sweep, trial, error and command', async () => {
    const result = await cli(['run', trialRuns.get(1)!, '--store', store.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^status\s+failed$/m);
    expect(result.stdout).toMatch(/^origin\s+sweep$/m);
    expect(result.stdout).toMatch(new RegExp(`^sweep\\s+${sweepId} trial 1$`, 'm'));
    expect(result.stdout).toMatch(/^error\s+exited with code 3$/m);
    expect(result.stdout).toMatch(/^command\s+python3 trial\.py --x=1 --logdir=\/\S+$/m);
    expect(result.stdout).toMatch(/^Accuracy\s+0\.1\s+0\s/m);
  });

  it('--json parses to the record', async () => {
    const result = await cli(['run', loggerRun.id, '--store', store.url, '--json']);
    const parsed = JSON.parse(result.stdout) as { id: string; summary: Record<string, unknown> };
    expect(parsed.id).toBe(loggerRun.id);
    expect(parsed.summary.loss).toMatchObject({ last: 0.2, lastStep: 4, min: 0.2, max: 1 });
  });

  it('an id of the wrong shape: exit 2; a well-formed unknown id: exit 1', async () => {
    const malformed = await cli(['run', 'not-a-run', '--store', store.url]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('not-a-run');
    const unknown = await cli(['run', '20261124T000000000Z-00000000', '--store', store.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('20261124T000000000Z-00000000');
  });
});
