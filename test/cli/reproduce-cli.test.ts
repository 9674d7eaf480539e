// `ml-tracking reproduce <run-id> --entry train.ts`, as a user runs it in their project, in a
// temporary git repository whose model code changed after the run was recorded: through runCli in
// this process, and Ctrl-C to the built CLI (npm run build) in a child process.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelRunPath } from '../../src/layout/paths.js';
import type { TrainModelResult } from '../../src/experiments/train-model.js';
import { readModelRun } from '../../src/records/model-run-records.js';
import { openStore } from '../../src/store/open-store.js';
import {
  createGitProject,
  reproductionLeftovers,
  temporaryFolder,
  trainInProject,
  type GitProject,
} from '../fixtures/reproduce/git-project.js';
import { dataset, lineData, modelV1, modelV2, train } from '../fixtures/reproduce/line-project.js';
import { startCli, waitFor, type CliProcess } from '../sweeps/sweep-helpers.js';
import { cli } from './_in-process.js';

let folder: string;
let project: GitProject;
let store: string;
let first: string;
let second: string;
let original: TrainModelResult;
let atHead: TrainModelResult;
const started: CliProcess[] = [];

/** This project's reproductions' temporary folders still there: one must leave none behind. */
const leftovers = () => reproductionLeftovers(project);

const reproduce = (args: string[]) => cli(['reproduce', ...args], { cwd: project.path });

beforeAll(async () => {
  folder = await temporaryFolder('ml-tracking-reproduce-cli-');
  project = await createGitProject(folder, 'built');
  store = join(folder, 'store');
  const dataFile = join(folder, 'data.json');
  await writeFile(dataFile, lineData(30, 2));
  first = await project.commit('least squares', {
    'train.ts': train,
    'dataset.ts': dataset,
    'model.ts': modelV1,
    // An entry whose import takes a minute: the reproduction is still running when interrupted.
    'slow.ts': [
      "import './train.js';",
      "console.error('slow entry started');",
      'await new Promise((resolve) => setTimeout(resolve, 60_000));',
      '',
    ].join('\n'),
  });
  const env = { ML_TRACKING_STORE: store, DATA_FILE: dataFile };
  original = await trainInProject(project, env);
  second = await project.commit('predict the mean', { 'model.ts': modelV2 });
  atHead = await trainInProject(project, env);
}, 120_000);
afterEach(() => {
  for (const running of started.splice(0)) running.child.kill('SIGKILL');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** The rows of the metrics table: [metric, value, difference]. */
function metricRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('metric '));
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length !== 3) break;
    rows.push(cells);
  }
  return rows;
}

describe('ml-tracking reproduce', () => {
  it('reproduces a run of an older commit in a worktree: the same metrics, every difference 0, a new run pointing at the original', async () => {
    expect(atHead.metrics).not.toEqual(original.metrics);
    const before = await leftovers();
    const result = await reproduce([original.runId, '--entry', 'train.ts', '--store', store]);
    expect(result.code, result.stderr).toBe(0);
    const newRunId = new RegExp(`^reproduced run ${original.runId} as run (\\S+)$`, 'm').exec(
      result.stdout,
    )?.[1];
    expect(newRunId, result.stdout).toBeDefined();
    expect(result.stdout).toContain(
      `ran at the recorded commit ${first} in a temporary git worktree (removed)`,
    );
    const rows = metricRows(result.stdout);
    expect(rows.map(([metric]) => metric).sort()).toEqual(Object.keys(original.metrics).sort());
    for (const [, , difference] of rows) expect(difference).toBe('0');
    expect(result.stdout).toContain("identical: every metric equals the original run's");

    const row = await readModelRun(await openStore(store), newRunId!);
    expect(row?.reproduces).toBe(original.runId);
    expect(row?.gitCommit).toBe(first);
    expect(row?.metrics).toEqual(original.metrics);
    expect(await project.worktrees()).toEqual([project.path]);
    expect(await leftovers()).toEqual(before);
    expect(await project.git('status', '--porcelain')).toBe('');
  }, 60_000);

  it('reproduces a run of HEAD in place, named by the first characters of its id, and prints JSON with --json', async () => {
    const result = await reproduce([
      atHead.runId.slice(0, -2),
      '--entry',
      'train.ts',
      '--store',
      store,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as TrainModelResult & {
      ranAt: { commit: string; worktree: boolean };
    };
    expect(printed.ranAt).toEqual({ commit: second, worktree: false });
    expect(printed.metrics).toEqual(atHead.metrics);
    expect(printed.reproduced?.runId).toBe(atHead.runId);
    for (const difference of Object.values(printed.reproduced?.metricDifferences ?? {}))
      expect(difference).toBe(0);
  }, 60_000);

  it('ml-tracking run names the command that reproduces a trainModel run, as its dashboard page does', async () => {
    const shown = await cli(['run', original.runId, '--store', store], { cwd: project.path });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(
        `^reproduce +ml-tracking reproduce ${original.runId} --store \\S+ --entry ENTRY$`,
        'm',
      ),
    );
    expect(shown.stdout).toMatch(/^ +ENTRY: the training script that registers the run's classes/m);
    const json = await cli(['run', original.runId, '--store', store, '--json'], {
      cwd: project.path,
    });
    const printed = JSON.parse(json.stdout) as { reproduce?: { command: string } };
    expect(printed.reproduce?.command).toContain(`ml-tracking reproduce ${original.runId}`);
  });

  it('says to fetch a recorded commit the repository does not have (exit 1)', async () => {
    // A copy of the store whose row names a commit this repository never had.
    const copy = join(folder, 'store-unknown-commit');
    await cp(store, copy, { recursive: true });
    const path = join(copy, modelRunPath(original.runId));
    await writeFile(path, (await readFile(path, 'utf8')).replace(first, 'f'.repeat(40)));
    const result = await reproduce([original.runId, '--entry', 'train.ts', '--store', copy]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^ml-tracking: Cannot reproduce at commit f{40}: .*git fetch`),
    );
    expect(await project.worktrees()).toEqual([project.path]);
  }, 30_000);

  it('refuses a memory store and a missing --entry as bad input (exit 2)', async () => {
    const memory = await reproduce([
      original.runId,
      '--entry',
      'train.ts',
      '--store',
      'memory://x',
    ]);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(/^ml-tracking: Invalid store: memory:\/\/x is a memory store/);
    const noEntry = await reproduce([original.runId, '--store', store]);
    expect(noEntry.code).toBe(2);
    expect(noEntry.stderr).toMatch(/^ml-tracking: Invalid --entry: missing\. .*--entry train\.ts/);
  }, 30_000);

  it('fails with the training error and exit 1 when the entry does not register the classes', async () => {
    const result = await reproduce([original.runId, '--entry', 'dataset.ts', '--store', store]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `ml-tracking: Cannot reproduce run ${original.runId} at commit ${first}: .*"line" is not a registered model`,
      ),
    );
    expect(await project.worktrees()).toEqual([project.path]);
  }, 30_000);

  it('removes the worktree on Ctrl-C, and exits 130', async () => {
    const before = await leftovers();
    const running = startCli(
      ['reproduce', original.runId, '--entry', 'slow.ts', '--store', store],
      {
        cwd: project.path,
        ownProcessGroup: true,
      },
    );
    started.push(running);
    await waitFor('the slow entry to start', () => running.stderr.includes('slow entry started'));
    expect((await project.worktrees()).length).toBe(2);
    // What a terminal's Ctrl-C does: SIGINT to the whole foreground process group.
    process.kill(-running.child.pid!, 'SIGINT');
    expect(await running.exited).toBe(130);
    expect(running.stderr).toContain('ml-tracking: reproduce interrupted by SIGINT');
    expect(await project.worktrees()).toEqual([project.path]);
    expect(await leftovers()).toEqual(before);
  }, 60_000);
});
