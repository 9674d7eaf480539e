// Hyperband with brackets through a real agent (issue 24): three trials at a time on a local
// store. Each trial is dealt to a bracket by its number, records it, is compared only with the
// trials of its own bracket, and is never stopped before its bracket's first rung.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createSweep } from '../../src/sweeps/create-sweep.js';
import { bracketOf, explainStop } from '../../src/sweeps/early-terminate.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';
import type { EarlyTerminateConfig } from '../../src/sweeps/sweep-config.js';
import { readSweepProgress } from '../../src/sweeps/sweep-progress.js';
import { copySweepFolder, RUNGS_FIXTURE, runsByTrial } from './sweep-helpers.js';

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-smart-brackets-'));
});
afterAll(() => rm(folder, { recursive: true, force: true, maxRetries: 5 }));

it('deals trials to hyperband brackets and decides each within its own bracket', async () => {
  const sweepFolder = join(folder, 'sweep');
  const trials = 12;
  // The fixture's trials report 9 values: rungs at 1, 3 and 9 reports, one bracket per rung.
  const configPath = await copySweepFolder(RUNGS_FIXTURE, sweepFolder, {
    method: 'random',
    max_runs: trials,
    early_terminate: { type: 'hyperband', min_iter: 1, eta: 3, max_iter: 9, brackets: 3 },
  });
  const rule: EarlyTerminateConfig = {
    type: 'hyperband',
    minIter: 1,
    eta: 3,
    maxIter: 9,
    brackets: 3,
  };
  const store = await openStore(join(folder, 'store'));
  const { sweepId } = await createSweep({ config: configPath, store });

  await runSweepAgent({ sweepId, store, cwd: sweepFolder, parallel: 3 });

  const runs = [...(await runsByTrial(store, sweepId)).values()].flat();
  expect(runs.map((run) => run.trial).sort((a, b) => a! - b!)).toEqual(
    Array.from({ length: trials }, (_, trial) => trial),
  );
  const progress = await readSweepProgress(store, sweepId);
  // Every bracket has trials, and each record says which one (bracket 0 says nothing, as before).
  const brackets = progress.map((record) => record.bracket ?? 0);
  expect(brackets).toEqual(progress.map((record) => bracketOf(rule, record.trial)));
  expect(new Set(brackets)).toEqual(new Set([0, 1, 2]));

  const stopped = runs.filter((run) => run.status === 'early_stopped');
  expect(stopped.length).toBeGreaterThan(0);
  for (const run of stopped) {
    const stop = explainStop(run.error);
    const bracket = bracketOf(rule, run.trial!);
    expect(stop, run.error).toMatchObject({ rule: 'hyperband', bracket });
    // Bracket s decides from rung s on: at 3^s reports.
    expect(stop!.step).toBeGreaterThanOrEqual(3 ** bracket);
    // The values that beat it were recorded by trials of its own bracket.
    const step = String(stop!.step);
    const own = progress.find((record) => record.trial === run.trial)!.steps[step]!;
    const kept = Number(/not in the top (\d+)/.exec(run.error!)![1]);
    const better = progress.filter(
      (record) =>
        record.trial !== run.trial &&
        bracketOf(rule, record.trial) === bracket &&
        record.steps[step]! > own,
    );
    expect(better.length).toBeGreaterThanOrEqual(kept);
  }
}, 60_000);
