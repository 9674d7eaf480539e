// runPipeline() on real pipeline folders (test/fixtures/pipeline/): which scripts the allow and
// deny lists run and in what order, the list edited while the pipeline runs, test mode stopping at
// the first error and writing nothing, execution mode logging an error and going on, --rerun,
// what a model's ctx reaches (log, scalars, outputs, model folder), an Experiment as a model, and
// `ml-tracking pipeline` as a user runs it. Every version runs in a child process, and every
// version appends a line to `ran.txt`, so "ran" and "did not run" are counted by the models
// themselves. The scripts import `ml-tracking` by name (the build: run `npm run build` first).
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listRuns,
  ModelTracker,
  openStore,
  PipelineScriptError,
  readScalars,
  runPipeline,
  ValidationError,
  type PipelineEvent,
  type PipelineReport,
  type RunRecord,
  type Store,
} from '../../src/index.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import {
  allowList,
  createPipelineFolder,
  denyList,
  experimentScript,
  numbersScript,
  plainScript,
  type PipelineFolder,
} from '../fixtures/pipeline/pipeline-folder.js';
import { BUILT_CLI, cli } from '../sweeps/sweep-helpers.js';

/** The host as the per-host files name it. */
const HOST = hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'host';
const LOG = `outputs/log-${HOST}`;
const OUTPUT = `outputs/output-${HOST}`;
/** What b:v1 of {@link FAILING} throws. */
const THROWN = 'b-broke-here';

/**
 * a (two versions sharing the model folder `a-wide`), b (v1 throws, v2 is fine) and c: the
 * fixture of test mode stopping and execution mode going on.
 */
const FAILING = {
  'a.mjs': numbersScript([
    {
      name: 'v1',
      modelDirSuffix: 'wide',
      inspectModelDir: true,
      writeOutput: true,
      accuracy: 0.75,
    },
    { name: 'v2', modelDirSuffix: 'wide', inspectModelDir: true },
  ]),
  'b.mjs': numbersScript([{ name: 'v1', fail: THROWN }, { name: 'v2' }]),
  'c.mjs': plainScript(),
};

let parent = '';
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'ml-tracking-run-pipeline-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

const pipelineFolder = (options: Parameters<typeof createPipelineFolder>[1]) =>
  createPipelineFolder(parent, options);

/** What a call rejects with, checked to be a `kind` (fails the test when it resolves). */
async function rejection<E extends Error>(
  promise: Promise<unknown>,
  kind: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if ('resolved' in outcome) {
    throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  }
  if (!(outcome.error instanceof kind)) {
    throw new Error(`expected a ${kind.name}, got ${String(outcome.error)}`, {
      cause: outcome.error,
    });
  }
  return outcome.error;
}

/** `[script:version, status]` of each version of a report, in report order. */
const statuses = (report: PipelineReport) =>
  report.versions.map((each) => [`${each.script}:${each.version}`, each.status]);

/** Every file under `folder`, relative, but the link to this repository. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory() && !entry.isSymbolicLink())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort();
}

async function withStoreAt<T>(path: string, read: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(path);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/** The project's runs by `script:version` (several when a version ran again), oldest first. */
async function runsByVersion(folder: PipelineFolder): Promise<Map<string, RunRecord[]>> {
  const byVersion = new Map<string, RunRecord[]>();
  const runs = await listRuns({ store: folder.store, project: folder.project });
  for (const run of runs.reverse()) {
    const key = `${run.pipelineScript ?? '?'}:${run.pipelineVersion ?? '?'}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), run]);
  }
  return byVersion;
}

/** What `ran.txt` gained while `action` ran. */
async function ranDuring<T>(
  folder: PipelineFolder,
  action: () => Promise<T>,
): Promise<{ ran: string[]; result: T }> {
  const before = (await folder.ran()).length;
  const result = await action();
  return { ran: (await folder.ran()).slice(before), result };
}

describe('the allow and deny lists', () => {
  it('an allow list runs the listed scripts only, in the order listed', async () => {
    const folder = await pipelineFolder({
      scripts: { 'a.mjs': plainScript(), 'b.mjs': plainScript(), 'c.mjs': plainScript() },
      testList: allowList('c', 'a'),
    });
    const report = await runPipeline({ cwd: folder.folder, mode: 'test' });
    expect(await folder.ran()).toEqual(['c:v1', 'a:v1']);
    expect(statuses(report)).toEqual([
      ['c:v1', 'finished'],
      ['a:v1', 'finished'],
    ]);
  });

  it('a listed name the folder lacks is a ValidationError at its line, and nothing runs', async () => {
    const folder = await pipelineFolder({
      scripts: { 'a.mjs': plainScript(), 'b.mjs': plainScript() },
      testList: allowList('a', 'missing'),
      executionList: allowList('b', 'a', 'gone'),
    });
    for (const [mode, line, name] of [
      ['test', 5, 'missing'],
      ['execution', 6, 'gone'],
    ] as const) {
      const error = await rejection(
        runPipeline({ cwd: folder.folder, mode, store: folder.store }),
        ValidationError,
      );
      expect(error.message).toContain(`${folder.listFile(mode)}:${line}`);
      expect(error.message).toContain(`"${name}"`);
    }
    expect(await folder.ran()).toEqual([]);
    expect(existsSync(folder.store)).toBe(false);
  });

  it('a deny list runs every other script, in name order', async () => {
    const folder = await pipelineFolder({
      scripts: { 'c.mjs': plainScript(), 'a.mjs': plainScript(), 'b.mjs': plainScript() },
      testList: denyList('b'),
    });
    const report = await runPipeline({ cwd: folder.folder, mode: 'test' });
    expect(await folder.ran()).toEqual(['a:v1', 'c:v1']);
    expect(statuses(report).map(([name]) => name)).toEqual(['a:v1', 'c:v1']);
  });
});

describe('execution mode refuses a memory store', () => {
  it("which the versions' processes could not open: a ValidationError before anything runs", async () => {
    const folder = await pipelineFolder({ scripts: { 'a.mjs': plainScript() } });
    const error = await rejection(
      runPipeline({ cwd: folder.folder, mode: 'execution', store: 'memory://pipeline' }),
      ValidationError,
    );
    expect(error.message).toContain('memory');
    expect(await folder.ran()).toEqual([]);
  });
});

describe('the list is read again after each model', () => {
  for (const mode of ['test', 'execution'] as const) {
    it(`${mode} mode: a script added while the first runs runs, one removed does not`, async () => {
      const folder = await pipelineFolder({
        scripts: { 'a.mjs': plainScript(), 'b.mjs': plainScript(), 'c.mjs': plainScript() },
        testList: allowList('a', 'b'),
        executionList: allowList('a', 'b'),
      });
      const events: PipelineEvent[] = [];
      const report = await runPipeline({
        cwd: folder.folder,
        mode,
        store: folder.store,
        onEvent: (event) => {
          events.push(event);
          // While a's version runs: b has not started, and the list now names c instead.
          if (event.type === 'version-started' && event.script === 'a') {
            writeFileSync(folder.listFile(mode), allowList('a', 'c'));
          }
        },
      });
      expect(await folder.ran()).toEqual(['a:v1', 'c:v1']);
      expect(statuses(report)).toEqual([
        ['a:v1', 'finished'],
        ['c:v1', 'finished'],
      ]);
      expect(events).toContainEqual({ type: 'list-changed', added: ['c'], removed: ['b'] });
      if (mode === 'execution') {
        const log = await withStoreAt(folder.store, (store) => store.readText(LOG));
        expect(log).toContain('changed: added c; removed b');
      } else {
        expect(existsSync(folder.store)).toBe(false);
      }
    });
  }
});

describe('test mode', () => {
  it('stops at the first error, names the script, the version and the error, and writes nothing', async () => {
    const folder = await pipelineFolder({ scripts: FAILING });
    const before = await filesUnder(folder.folder);
    const failure = await rejection(
      runPipeline({ cwd: folder.folder, mode: 'test', store: folder.store }),
      PipelineScriptError,
    );
    expect([failure.script, failure.version]).toEqual(['b', 'v1']);
    expect(failure.message).toContain('b:v1');
    expect(failure.detail).toContain('explodeInTraining');
    // b's second version and c never started.
    expect(await folder.ran()).toEqual(['a:v1', 'a:v2', 'b:v1']);
    // Nothing in the project folder but the models' own ran.txt and model-dirs.txt: no store
    // (not even created), no checkpoints.
    expect(await filesUnder(folder.folder)).toEqual(
      [...before, 'model-dirs.txt', 'ran.txt'].sort(),
    );
    expect(existsSync(folder.store)).toBe(false);
    // The message a user reads (the CLI prints it alone) says what the model threw.
    expect(failure.message).toContain(THROWN);
  });

  it('empties the model folder before each version, outside the project', async () => {
    const folder = await pipelineFolder({
      scripts: {
        'a.mjs': numbersScript([
          { name: 'v1', inspectModelDir: true },
          { name: 'v2', inspectModelDir: true },
        ]),
      },
    });
    await runPipeline({ cwd: folder.folder, mode: 'test' });
    const seen = await folder.modelDirs();
    // v1 left v1.ckpt in its folder; v2 found it empty.
    expect(seen.map((each) => [each.version, each.found])).toEqual([
      ['v1', []],
      ['v2', []],
    ]);
    for (const each of seen) expect(each.modelDir.startsWith(folder.folder)).toBe(false);
    expect(existsSync(seen[0]!.modelDir)).toBe(false);
    expect(existsSync(join(folder.folder, 'checkpoints'))).toBe(false);
  });
});

describe('execution mode, with a version that fails', () => {
  let folder: PipelineFolder;
  let report: PipelineReport;

  beforeAll(async () => {
    folder = await pipelineFolder({ scripts: FAILING });
    report = await runPipeline({ cwd: folder.folder, mode: 'execution', store: folder.store });
  });

  const reported = (name: string) => {
    const found = report.versions.find((each) => `${each.script}:${each.version}` === name);
    if (found === undefined) throw new Error(`${name} is not in the report`);
    return found;
  };

  it('logs the error and goes on: every other version finishes', async () => {
    expect(statuses(report)).toEqual([
      ['a:v1', 'finished'],
      ['a:v2', 'finished'],
      ['b:v1', 'failed'],
      ['b:v2', 'finished'],
      ['c:v1', 'finished'],
    ]);
    expect(report.scriptErrors).toEqual([]);
    expect(report.interrupted).toBe(false);
    expect(reported('a:v1').metrics).toEqual({ accuracy: 0.75, steps: 4 });
    expect(await folder.ran()).toEqual(['a:v1', 'a:v2', 'b:v1', 'b:v2', 'c:v1']);
    expect(reported('b:v1').error).toContain(THROWN);
  });

  it('records a run of origin pipeline per version; the failed one holds its error', async () => {
    const runs = await runsByVersion(folder);
    expect([...runs.keys()].sort()).toEqual(['a:v1', 'a:v2', 'b:v1', 'b:v2', 'c:v1']);
    for (const [name, [run, ...more]] of runs) {
      expect(more, name).toEqual([]);
      expect(run!.origin, name).toBe('pipeline');
      expect(run!.name, name).toBe(name);
      expect(run!.id, name).toBe(reported(name).runId);
      expect(run!.status, name).toBe(name === 'b:v1' ? 'failed' : 'finished');
    }
    const a1 = runs.get('a:v1')![0]!;
    expect(a1.summary.accuracy?.last).toBe(0.75);
    expect(a1.hyperparameters).toMatchObject({
      name: 'v1',
      batchSize: 4,
      epochCount: 2,
      modelDirSuffix: 'wide',
      dataLoader: 'Numbers',
      steps_per_epoch: 2,
    });
    expect(runs.get('b:v1')![0]!.error).toContain(THROWN);
  });

  it("writes the failure's stack to outputs/log-<host>, at the version", async () => {
    const log = await withStoreAt(folder.store, (store) => store.readText(LOG));
    const atB1 = log.split('\n').filter((line) => line.includes('[b:v1]'));
    expect(atB1.some((line) => line.includes('at explodeInTraining'))).toBe(true);
    expect(atB1.some((line) => line.includes(THROWN))).toBe(true);
  });

  it('writes one JSON line per version, with its status, to outputs/output-<host>', async () => {
    const text = await withStoreAt(folder.store, (store) => store.readText(OUTPUT));
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.map((line) => [`${String(line.script)}:${String(line.version)}`, line.status]),
    ).toEqual(statuses(report));
    for (const line of lines) {
      const name = `${String(line.script)}:${String(line.version)}`;
      expect(line.run_id, name).toBe(reported(name).runId);
      expect(line.project, name).toBe(folder.project);
    }
    expect(lines[0]!.metrics).toEqual({ accuracy: 0.75, steps: 4 });
  });

  it('ctx: this.log and ctx.log lines land in the log with the [script:version] prefix', async () => {
    const log = await withStoreAt(folder.store, (store) => store.readText(LOG));
    const lines = log.split('\n');
    const stamped = (text: string) =>
      lines.some(
        (line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z \S+ \[a:v1\] /.test(line) && line.endsWith(text),
      );
    expect(stamped('this.log says hello from a:v1')).toBe(true);
    expect(stamped('ctx.log says hello from a:v1')).toBe(true);
    expect(stamped('and a second line')).toBe(true);
  });

  it("ctx: ctx.run.addScalar points are the version's run's scalars", async () => {
    const series = await readScalars(reported('a:v1').runId!, { store: folder.store });
    // 8 samples in batches of 4 for 2 epochs: steps 1 to 4.
    expect(Array.from(series.loss?.step ?? [])).toEqual([1, 2, 3, 4]);
    expect(Array.from(series.loss?.value ?? [])).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
  });

  it('ctx: ctx.outputs.write lands in pipeline-models/<project>/<script>-<suffix>/', async () => {
    const text = await withStoreAt(folder.store, (store) =>
      store.readText(`pipeline-models/${folder.project}/a-wide/weights.json`),
    );
    expect(JSON.parse(text)).toEqual({ trainedBy: 'a:v1' });
  });

  it('ctx: ctx.modelDir is <config folder>/checkpoints/<script>-<suffix>, kept', async () => {
    const modelDir = join(folder.folder, 'checkpoints', 'a-wide');
    expect(await folder.modelDirs()).toEqual(
      expect.arrayContaining([
        { version: 'v1', modelDir, found: [] },
        // v2 shares the suffix: it finds what v1 left.
        { version: 'v2', modelDir, found: ['v1.ckpt'] },
      ]),
    );
    expect(await readdir(modelDir)).toEqual(expect.arrayContaining(['v1.ckpt', 'v2.ckpt']));
  });

  it('the next -r runs nothing: the finished versions are done, the failed one done-failed', async () => {
    const runsBefore = await listRuns({ store: folder.store });
    const { ran, result } = await ranDuring(folder, () =>
      runPipeline({ cwd: folder.folder, mode: 'execution', store: folder.store }),
    );
    expect(ran).toEqual([]);
    const byName = new Map(result.versions.map((each) => [`${each.script}:${each.version}`, each]));
    for (const name of ['a:v1', 'a:v2', 'b:v2', 'c:v1'])
      expect(byName.get(name)?.status).toBe('done');
    expect(byName.get('b:v1')?.status).toBe('done-failed');
    expect(await listRuns({ store: folder.store })).toHaveLength(runsBefore.length);
  });

  it('--rerun b:v1 runs the failed version again (a new run), and nothing else', async () => {
    const runsBefore = await runsByVersion(folder);
    const { ran, result } = await ranDuring(folder, () =>
      runPipeline({ cwd: folder.folder, mode: 'execution', store: folder.store, rerun: ['b:v1'] }),
    );
    expect(ran).toEqual(['b:v1']);
    const again = result.versions.find((each) => each.script === 'b' && each.version === 'v1');
    expect(again?.status).toBe('failed');
    const runs = await runsByVersion(folder);
    expect(runs.get('b:v1')).toHaveLength(runsBefore.get('b:v1')!.length + 1);
    expect(runs.get('b:v1')!.at(-1)!.id).toBe(again?.runId);
  });

  it('--rerun a runs every version of a again, with new run ids', async () => {
    const runsBefore = await runsByVersion(folder);
    const { ran, result } = await ranDuring(folder, () =>
      runPipeline({ cwd: folder.folder, mode: 'execution', store: folder.store, rerun: ['a'] }),
    );
    expect(ran).toEqual(['a:v1', 'a:v2']);
    expect(statuses(result)).toEqual([
      ['a:v1', 'finished'],
      ['a:v2', 'finished'],
      ['b:v1', 'done-failed'],
      ['b:v2', 'done'],
      ['c:v1', 'done'],
    ]);
    const oldIds = [...runsBefore.values()].flat().map((run) => run.id);
    for (const each of result.versions.slice(0, 2)) expect(oldIds).not.toContain(each.runId);
  });

  it('--rerun a:v2 runs that one version again', async () => {
    const { ran, result } = await ranDuring(folder, () =>
      runPipeline({ cwd: folder.folder, mode: 'execution', store: folder.store, rerun: ['a:v2'] }),
    );
    expect(ran).toEqual(['a:v2']);
    expect(statuses(result).filter(([, status]) => status === 'finished')).toEqual([
      ['a:v2', 'finished'],
    ]);
  });

  it('--rerun of an unknown script, a malformed one, or in test mode is a ValidationError; nothing runs', async () => {
    const runsBefore = await listRuns({ store: folder.store });
    const { ran } = await ranDuring(folder, async () => {
      for (const [mode, rerun] of [
        ['execution', 'nope'],
        ['execution', 'a:v1:x'],
        ['test', 'a:v1'],
      ] as const) {
        const error = await rejection(
          runPipeline({ cwd: folder.folder, mode, store: folder.store, rerun: [rerun] }),
          ValidationError,
        );
        expect(error.message, rerun).toMatch(mode === 'test' ? /test mode/ : /rerun/);
      }
    });
    expect(ran).toEqual([]);
    expect(await listRuns({ store: folder.store })).toHaveLength(runsBefore.length);
  });

  it('`ml-tracking pipeline --list -r` prints each version with its state', async () => {
    const { code, stdout, stderr } = await cli(
      ['pipeline', '--list', '-r', '--store', folder.store],
      {
        cwd: folder.folder,
      },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const row = (script: string, version: string) =>
      stdout.split('\n').find((line) => new RegExp(`^${script}\\s+${version}\\s`).test(line));
    expect(row('a', 'v1')).toMatch(/\sdone\s/);
    expect(row('b', 'v1')).toMatch(/\sdone \(failed\)\s/);
    expect(row('c', 'v1')).toMatch(/\sdone\s/);
  });
});

describe('versions', () => {
  it('run in `order`, then as defined', async () => {
    const folder = await pipelineFolder({
      scripts: {
        'a.mjs': numbersScript([
          { name: 'late', order: 2, epochCount: 1 },
          { name: 'plain', epochCount: 1 },
          { name: 'early', order: -1, epochCount: 1 },
        ]),
      },
    });
    const report = await runPipeline({ cwd: folder.folder, mode: 'test' });
    expect(await folder.ran()).toEqual(['a:early', 'a:late', 'a:plain']);
    expect(statuses(report).map(([name]) => name)).toEqual(['a:early', 'a:late', 'a:plain']);
  });

  // Without defineVersions the pipeline's own check finds it; with it, the script fails to load.
  const missingBatchSize = (defined: boolean) =>
    `import { Numbers } from './_numbers-model.mjs';
import { defineVersions } from 'ml-tracking';
export { model } from './_numbers-model.mjs';
const versions_ = [
  { name: 'ok', dataLoader: new Numbers(), batchSize: 4, epochCount: 1 },
  { name: 'nobatch', dataLoader: new Numbers(), epochCount: 1 },
];
export const versions = ${defined ? 'defineVersions(versions_)' : 'versions_'};
`;

  it('a missing batchSize stops test mode with an error naming the script, the version and the field', async () => {
    const folder = await pipelineFolder({
      scripts: { 'bad.mjs': missingBatchSize(false), 'a.mjs': plainScript() },
      testList: allowList('bad', 'a'),
    });
    const error = await rejection(
      runPipeline({ cwd: folder.folder, mode: 'test' }),
      PipelineScriptError,
    );
    expect(error.script).toBe('bad');
    expect(error.message).toMatch(/\bbad\b/);
    expect(error.message).toContain('"nobatch"');
    expect(error.message).toContain('batchSize');
    expect(await folder.ran()).toEqual([]);
  });

  it('a missing batchSize is a scriptError in execution mode, which goes on', async () => {
    const folder = await pipelineFolder({
      scripts: { 'bad.mjs': missingBatchSize(true), 'a.mjs': plainScript() },
      executionList: allowList('bad', 'a'),
    });
    const report = await runPipeline({
      cwd: folder.folder,
      mode: 'execution',
      store: folder.store,
    });
    expect(report.scriptErrors).toHaveLength(1);
    const [failure] = report.scriptErrors;
    expect(failure!.script).toBe('bad');
    expect(failure!.error).toMatch(/\bbad\b/);
    expect(failure!.error).toContain('"nobatch"');
    expect(failure!.error).toContain('batchSize');
    expect(statuses(report)).toEqual([['a:v1', 'finished']]);
    expect(await folder.ran()).toEqual(['a:v1']);
    const runs = await runsByVersion(folder);
    expect([...runs.keys()]).toEqual(['a:v1']);
    const log = await withStoreAt(folder.store, (store) => store.readText(LOG));
    expect(
      log.split('\n').some((line) => line.includes('[bad]') && line.includes('batchSize')),
    ).toBe(true);
  });
});

describe('an Experiment as the model', () => {
  const scripts = (project: string) => ({
    'exp.mjs': experimentScript(project, [
      { name: 'first', accuracy: 0.7 },
      { name: 'second', accuracy: 0.9 },
    ]),
  });

  it('execution mode: one run per version, of origin pipeline, and its experiment tracker row', async () => {
    const folder = await pipelineFolder({
      project: 'exp-pipeline',
      scripts: scripts('exp-pipeline'),
    });
    const report = await runPipeline({
      cwd: folder.folder,
      mode: 'execution',
      store: folder.store,
    });
    expect(statuses(report)).toEqual([
      ['exp:first', 'finished'],
      ['exp:second', 'finished'],
    ]);
    expect(await folder.ran()).toEqual(['experiment:first', 'experiment:second']);
    const runs = await runsByVersion(folder);
    expect([...runs.keys()].sort()).toEqual(['exp:first', 'exp:second']);
    for (const each of report.versions) {
      const [run, ...more] = runs.get(`${each.script}:${each.version}`)!;
      expect(more).toEqual([]);
      expect(run!.id).toBe(each.runId);
      expect(run!.origin).toBe('pipeline');
      expect(run!.experiment).toBe('exp');
      expect(run!.status).toBe('finished');
    }
    const tracker = await withStoreAt(folder.store, (store) =>
      ModelTracker.load(store, experimentTrackerPath(folder.project)),
    );
    const rows = tracker.toRecords();
    expect(rows.map((row) => [row.model_name, row.status])).toEqual([
      ['tiny-experiment', 'finished'],
      ['tiny-experiment', 'finished'],
    ]);
    expect(rows.map((row) => [row.run_id, row.accuracy])).toEqual(
      expect.arrayContaining([
        [report.versions[0]!.runId, 0.7],
        [report.versions[1]!.runId, 0.9],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(report.versions.map((each) => each.metrics.accuracy)).toEqual([0.7, 0.9]);
  });

  it('test mode: runs every version and writes nothing', async () => {
    const folder = await pipelineFolder({
      project: 'exp-pipeline',
      scripts: scripts('exp-pipeline'),
    });
    const before = await filesUnder(folder.folder);
    const report = await runPipeline({ cwd: folder.folder, mode: 'test', store: folder.store });
    expect(statuses(report)).toEqual([
      ['exp:first', 'finished'],
      ['exp:second', 'finished'],
    ]);
    expect(await folder.ran()).toEqual(['experiment:first', 'experiment:second']);
    expect(existsSync(folder.store)).toBe(false);
    expect(await filesUnder(folder.folder)).toEqual([...before, 'ran.txt'].sort());
  });
});

describe('`ml-tracking pipeline` (the built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build`);
  });

  it('test mode: a failing version exits 1 with one line naming the script and the version', async () => {
    const folder = await pipelineFolder({ scripts: FAILING });
    const { code, stderr } = await cli(['pipeline', '--quiet'], { cwd: folder.folder });
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ml-tracking: .*b:v1/);
    expect(await folder.ran()).toEqual(['a:v1', 'a:v2', 'b:v1']);
    expect(lines[0]).toContain(THROWN);
  });

  it('-r: a failed version exits 1 after running the rest', async () => {
    const folder = await pipelineFolder({ scripts: FAILING });
    const { code, stdout } = await cli(['pipeline', '-r', '--quiet', '--store', folder.store], {
      cwd: folder.folder,
    });
    expect(code).toBe(1);
    expect(await folder.ran()).toEqual(['a:v1', 'a:v2', 'b:v1', 'b:v2', 'c:v1']);
    expect(stdout).toMatch(/^b\s+v1\s+failed\s/m);
    expect(stdout).toMatch(/^c\s+v1\s+finished\s/m);
    expect(stdout).toContain('5 versions run, 1 failed');
  });
});
