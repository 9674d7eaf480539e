// `ml-tracking compare`: in process for the output, and once through the CLI entry (strict
// arguments, exit codes) on a local store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunComparison } from '../../src/experiments/compare-runs.js';
import { trainModel, type TrainModelResult } from '../../src/experiments/train-model.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { tempRepository, testRegistry } from '../experiments/_train-fixtures.js';
import { cli, cliLines } from './_in-process.js';

let repository: Awaited<ReturnType<typeof tempRepository>>;
let folder: string;
let store: Store;
let runs: TrainModelResult[];

beforeAll(async () => {
  repository = await tempRepository();
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-compare-cli-'));
  store = await openStore(join(folder, 'store'));
  const registry = testRegistry();
  runs = [];
  for (const shrink of [0, 0.95]) {
    runs.push(
      await trainModel({
        model: 'nearest-centroid',
        modelParams: { shrink },
        dataset: 'two-blobs',
        datasetParams: { n: 60 },
        kind: 'classification',
        seed: 7,
        project: 'compare',
        name: `shrink ${shrink}`,
        store,
        cwd: repository.path,
        registry,
        plots: false,
      }),
    );
  }
}, 30_000);
afterAll(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
  await repository.remove();
});

const compare = (args: string[]) => cliLines(['compare', ...args, '--store', store.url]);

describe('ml-tracking compare', () => {
  it('prints the runs side by side, the parameters that differ first', async () => {
    const lines = await compare([runs[0]!.runId, runs[1]!.runId]);
    expect(lines[0]).toMatch(new RegExp(`^run\\s+${runs[0]!.runId}\\s+${runs[1]!.runId}$`));
    expect(lines[1]).toMatch(/^name\s+shrink 0\s+shrink 0.95$/);
    const differ = lines.indexOf('Parameters that differ:');
    const same = lines.indexOf('Parameters that are the same:');
    const metrics = lines.indexOf('Metrics:');
    expect([differ, same, metrics].every((index) => index > 0)).toBe(true);
    expect(differ < same && same < metrics).toBe(true);
    expect(lines[differ + 1]).toMatch(/^hyperparameters\.shrink\s+0\s+0\.95$/);
    expect(lines.slice(same, metrics).join('\n')).toMatch(
      /model_class\s+nearest-centroid\s+nearest-centroid/,
    );
    // Hashes shortened to fit, as git log --oneline shows them.
    const commit = repository.head().slice(0, 12);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^git_commit\\s+${commit}\\s+${commit}$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^dataset\s+sha256:[0-9a-f]{12}\s+sha256:[0-9a-f]{12}$/),
    );
    // Columns line up: every cell of the second run starts where its id does.
    const column = lines[0]!.indexOf(runs[1]!.runId);
    expect(lines[differ + 1]!.indexOf('0.95')).toBe(column);
    const accuracy = lines.slice(metrics).find((line) => line.startsWith('overall_accuracy'));
    expect(accuracy).toContain(String(runs[0]!.metrics.overall_accuracy));
  });

  it('--metric orders the runs best first and says how; --json prints the comparison', async () => {
    const ids = [runs[0]!.runId, runs[1]!.runId];
    const best = [...runs].sort(
      (a, b) => b.metrics.overall_accuracy! - a.metrics.overall_accuracy!,
    );
    const lines = await compare([...ids.reverse(), '--metric', 'overall_accuracy']);
    expect(lines[0]).toMatch(new RegExp(`^run\\s+${best[0]!.runId}\\s+${best[1]!.runId}$`));
    expect(lines).toContain('Metrics (runs ordered by overall_accuracy, higher is better):');

    const json = JSON.parse(
      (await compare([...ids, '--json', '--metric', 'f1_macro'])).join('\n'),
    ) as RunComparison;
    expect(json.orderedBy).toEqual({ metric: 'f1_macro', goal: 'higher' });
    expect(json.metrics[0]!.name).toBe('f1_macro');
    expect(json.parameters[0]).toEqual({
      name: 'hyperparameters.shrink',
      values: expect.any(Array) as unknown,
      differs: true,
    });
  });

  it('several ids are accepted, a bad flag or an unknown metric exits 2 with one line', async () => {
    const compareCli = (...args: string[]) => cli(['compare', ...args, '--store', store.url]);
    const ok = await compareCli(runs[0]!.runId, runs[1]!.runId, '--json');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as RunComparison).runs).toHaveLength(2);

    const typo = await compareCli(runs[0]!.runId, '--metrik', 'f1_macro');
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe(
      'ml-tracking: unknown flag --metrik for "compare"; did you mean --metric?',
    );
    const unknown = await compareCli(runs[0]!.runId, '--metric', 'f1_macr');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/Invalid metric: .*Did you mean f1_macro\?/);
  });
});
