// Python model scripts in the pipeline runner (issue 21): real Python projects in temporary
// folders (test/fixtures/python-pipeline/: seed 004's sample_model.py in the issue's form and a
// second script) run by `python3` through ml_tracking.pipeline._harness, with the same queue,
// claims, runs, log and output files as TypeScript scripts. Test mode and execution mode (every
// point and metric recorded, ctx.outputs and ctx.model_dir, a failing version's traceback,
// resume and --rerun) in-process on a local folder and on the GCS fake; scripts that cannot be
// imported or whose versions are wrong, at --list and before test mode runs anything; the
// `python` key; and, with the built CLI, two processes sharing one pipeline, a kill -9
// mid-version and the resume, and a describing child that does not outlive its pipeline.
import { chmod, mkdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  listPipeline,
  listRuns,
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
import { readVersionClaim } from '../../src/records/pipeline-records.js';
import {
  PYTHON_VERSIONS,
  writePythonPipeline,
  type PythonPipelineFolder,
} from '../fixtures/python-pipeline/python-pipeline-folder.js';
import { startGcsFake } from '../support/gcs-fake/index.js';
import { expectWorkShared } from './_pipeline-processes.js';
import { runsByVersion, starts } from '../support/pipeline-fixture.js';
import { openFakeStore } from '../runs/_run-stores.js';
import {
  cliSandbox,
  isAlive,
  startCli,
  waitFor,
  type CliProcess,
} from '../sweeps/sweep-helpers.js';

const PROJECT = 'shared';
const HOST = hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'host';
/** What second_model:b raises when FAIL_VERSION names it. */
const DIVERGED = 'ValueError: second_model:b diverged at step 3';
/** The training steps of each version: epoc_count × ceil(train samples / batch_size). */
const STEPS: Record<string, number> = {
  'sample_model:large': 3,
  'sample_model:small': 10,
  'second_model:a': 4,
  'second_model:b': 4,
  'second_model:c': 4,
};

let parent = '';
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'ml-tracking-python-pipeline-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

let folders = 0;
const newPipeline = (config: Record<string, unknown> = {}) => {
  folders += 1;
  return writePythonPipeline(join(parent, `pipeline-${folders}`), config);
};

/** `[script:version, status]` of each version of a report, in report order. */
const statuses = (report: PipelineReport) =>
  report.versions.map((each) => [`${each.script}:${each.version}`, each.status]);

/** Runs `action` with `variables` in this process's environment (the versions' processes inherit it). */
async function withEnvironment<T>(
  variables: Record<string, string>,
  action: () => Promise<T>,
): Promise<T> {
  for (const [key, value] of Object.entries(variables)) vi.stubEnv(key, value);
  try {
    return await action();
  } finally {
    vi.unstubAllEnvs();
  }
}

/** What a call rejects with, checked to be a `kind` (fails the test when it resolves). */
async function rejection<E extends Error>(
  promise: Promise<unknown>,
  kind: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof kind)) throw new Error(`expected a ${kind.name}`, { cause: error });
  return error;
}

const ranLines = async (pipeline: PythonPipelineFolder) =>
  (await readFile(pipeline.ranFile, 'utf8')).split('\n').filter((line) => line !== '');

describe('test mode', () => {
  it('runs every version of both scripts once, ordered, with ctx, and records nothing', async () => {
    const pipeline = await newPipeline();
    const events: PipelineEvent[] = [];
    const report = await withEnvironment({ PIPELINE_RAN_FILE: pipeline.ranFile }, () =>
      runPipeline({
        cwd: pipeline.folder,
        store: join(pipeline.folder, 'store'),
        onEvent: (event) => events.push(event),
      }),
    );
    // large has order=1: it runs before small, defined first.
    expect(statuses(report)).toEqual(PYTHON_VERSIONS.map((name) => [name, 'finished']));
    expect(report.versions[0]!.metrics).toEqual({ accuracy: 0.93, steps: 3 });
    expect(report.versions[1]!.metrics).toEqual({ accuracy: 0.93, steps: 10 });
    expect(report.versions[2]!.metrics.accuracy).toBeCloseTo(0.6);
    const output = events.flatMap((event) =>
      event.type === 'output' ? [`${event.script}:${event.version} ${event.line}`] : [],
    );
    expect(output).toContain('sample_model:small trained small for 10 steps in test mode');
    expect(output).toContain('second_model:c second model c done');
    // The epochs were reported from the steps and steps_per_epoch (40 samples of 8: 5 an epoch).
    const epochs = events.flatMap((event) =>
      event.type === 'epoch' && event.script === 'sample_model' && event.version === 'small'
        ? [event.epoch]
        : [],
    );
    expect(epochs).toEqual([1, 2]);
    expect((await ranLines(pipeline)).map((line) => line.split(' ')[0])).toEqual(PYTHON_VERSIONS);
    // Nothing recorded, no checkpoint folder in the project.
    expect(existsSync(join(pipeline.folder, 'store'))).toBe(false);
    expect(existsSync(join(pipeline.folder, 'checkpoints'))).toBe(false);
  }, 60_000);
});

/** The runs of the project by `script:version`, oldest first. */
async function runsOf(store: Store): Promise<Map<string, RunRecord[]>> {
  const byVersion = new Map<string, RunRecord[]>();
  for (const run of (await listRuns({ store, project: PROJECT })).reverse()) {
    const key = `${run.pipelineScript}:${run.pipelineVersion}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), run]);
  }
  return byVersion;
}

describe('execution mode on a local folder, second_model:b failing', () => {
  let pipeline: PythonPipelineFolder;
  let store: Store;
  let report: PipelineReport;
  beforeAll(async () => {
    pipeline = await newPipeline();
    store = await openStore(join(pipeline.folder, 'store'));
    report = await withEnvironment(
      { PIPELINE_RAN_FILE: pipeline.ranFile, FAIL_VERSION: 'second_model:b' },
      () => runPipeline({ cwd: pipeline.folder, mode: 'execution', store }),
    );
  }, 60_000);
  afterAll(() => store.close());

  it('runs every version, logs the failure and goes on', () => {
    expect(statuses(report)).toEqual(
      PYTHON_VERSIONS.map((name) => [name, name === 'second_model:b' ? 'failed' : 'finished']),
    );
    expect(report.versions.find((each) => each.version === 'b')?.error).toBe(DIVERGED);
  });

  it('records a run of origin pipeline per version: every point, the metrics, the Python fields', async () => {
    const runs = await runsOf(store);
    expect([...runs.keys()].sort()).toEqual(PYTHON_VERSIONS);
    for (const name of PYTHON_VERSIONS) {
      const [run, ...others] = runs.get(name)!;
      expect(others, name).toEqual([]);
      expect(run!.origin, name).toBe('pipeline');
      const series = await readScalars(run!.id, { store });
      const steps = name === 'second_model:b' ? 2 : STEPS[name]!;
      expect(Array.from(series.loss?.step ?? []), name).toEqual(
        Array.from({ length: steps }, (_, index) => index + 1),
      );
    }
    const large = runs.get('sample_model:large')![0]!;
    expect(large.status).toBe('finished');
    expect(large.summary.accuracy?.last).toBe(0.93);
    expect(large.summary.steps?.last).toBe(3);
    expect(large.hyperparameters).toEqual({
      name: 'large',
      dataloader: 'Loader',
      batch_size: 16,
      epoc_count: 1,
      model_dir_suffix: 'large',
      order: 1,
      train_samples: 40,
      test_samples: 10,
      steps_per_epoch: 3,
    });
    expect(runs.get('second_model:c')![0]!.hyperparameters.lr).toBeCloseTo(0.3);
    const failed = runs.get('second_model:b')![0]!;
    expect([failed.status, failed.error]).toEqual(['failed', DIVERGED]);
  });

  it("writes ctx.log lines and the failure's Python traceback to outputs/log-<host>", async () => {
    const log = (await store.readText(`outputs/log-${HOST}`)).split('\n');
    const at = (version: string) => log.filter((line) => line.includes(`[${version}]`));
    expect(
      at('sample_model:small').some((line) =>
        line.endsWith('trained small for 10 steps in execution mode'),
      ),
    ).toBe(true);
    const failure = at('second_model:b').join('\n');
    expect(failure).toContain(`failed: ${DIVERGED}`);
    expect(failure).toContain('Traceback (most recent call last)');
    expect(failure).toMatch(/_marks\.py", line \d+, in pause/);
  });

  it('writes one JSON line per version to outputs/output-<host>', async () => {
    const lines = (await store.readText(`outputs/output-${HOST}`))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => `${String(line.script)}:${String(line.version)}`)).toEqual(
      PYTHON_VERSIONS,
    );
    expect(lines[0]).toMatchObject({ status: 'finished', metrics: { accuracy: 0.93, steps: 3 } });
  });

  it('ctx.outputs lands in pipeline-models/<project>/<script>[-<suffix>]/ in the store', async () => {
    expect(await store.readText(`pipeline-models/${PROJECT}/sample_model-large/summary.txt`)).toBe(
      'large trained 3 steps',
    );
    expect(await store.readText(`pipeline-models/${PROJECT}/sample_model/summary.txt`)).toBe(
      'small trained 10 steps',
    );
  });

  it('ctx.model_dir is <config folder>/checkpoints/<script>[-<suffix>], kept', async () => {
    const checkpoint = (dir: string) =>
      readFile(join(pipeline.folder, 'checkpoints', dir, 'checkpoint.txt'), 'utf8');
    expect(await checkpoint('sample_model-large')).toBe('large\n');
    expect(await checkpoint('sample_model')).toBe('small\n');
  });

  it('the next -r runs nothing; --rerun second_model:b runs the failed version again', async () => {
    const again = await runPipeline({ cwd: pipeline.folder, mode: 'execution', store });
    expect(statuses(again)).toEqual(
      PYTHON_VERSIONS.map((name) => [name, name === 'second_model:b' ? 'done-failed' : 'done']),
    );
    const rerun = await runPipeline({
      cwd: pipeline.folder,
      mode: 'execution',
      store,
      rerun: ['second_model:b'],
    });
    expect(rerun.versions.filter((each) => each.status === 'finished')).toMatchObject([
      { script: 'second_model', version: 'b' },
    ]);
    const statusesOfB = (await runsOf(store)).get('second_model:b')?.map((run) => run.status);
    expect(statusesOfB).toEqual(['failed', 'finished']);
  }, 60_000);
});

describe('execution mode on the GCS fake', () => {
  it('records the runs and copies ctx.outputs into the bucket', async () => {
    const fake = await startGcsFake();
    const store = await openFakeStore(fake, 'python-pipeline');
    try {
      const pipeline = await newPipeline();
      const report = await runPipeline({ cwd: pipeline.folder, mode: 'execution', store });
      expect(statuses(report)).toEqual(PYTHON_VERSIONS.map((name) => [name, 'finished']));
      const runs = await runsOf(store);
      const small = runs.get('sample_model:small')![0]!;
      expect(small.summary.accuracy?.last).toBe(0.93);
      expect((await readScalars(small.id, { store })).loss?.step).toHaveLength(10);
      expect(await store.readText(`pipeline-models/${PROJECT}/sample_model/summary.txt`)).toBe(
        'small trained 10 steps',
      );
    } finally {
      await store.close();
      await fake.stop();
    }
  }, 60_000);
});

describe('a script that cannot be loaded', () => {
  const SYNTAX_ERROR = 'from ml_tracking.pipeline import Model\n\ndef broken(:\n    pass\n';

  it("a syntax error: --list names the script and Python's message, and lists the others", async () => {
    const pipeline = await newPipeline();
    await pipeline.addModel('zz_broken.py', SYNTAX_ERROR);
    await pipeline.addModel('zz_missing.py', 'import a_module_nobody_installed\n');
    const listing = await listPipeline({ cwd: pipeline.folder });
    const byScript = new Map(listing.scripts.map((script) => [script.script, script]));
    expect(byScript.get('zz_broken')?.error).toBe(
      'Model script zz_broken failed: cannot be imported: SyntaxError: invalid syntax (zz_broken.py, line 3)',
    );
    expect(byScript.get('zz_missing')?.error).toBe(
      "Model script zz_missing failed: cannot be imported: ModuleNotFoundError: No module named 'a_module_nobody_installed'",
    );
    expect(byScript.get('sample_model')?.versions.map((version) => version.name)).toEqual([
      'large',
      'small',
    ]);
  }, 60_000);

  it('a syntax error stops test mode before any version runs, with the traceback as detail', async () => {
    const pipeline = await newPipeline();
    // Named to come last in the queue: the scripts before it must not have run either.
    await pipeline.addModel('zz_broken.py', SYNTAX_ERROR);
    const error = await withEnvironment({ PIPELINE_RAN_FILE: pipeline.ranFile }, () =>
      rejection(runPipeline({ cwd: pipeline.folder }), PipelineScriptError),
    );
    expect(error.script).toBe('zz_broken');
    expect(error.message).toContain('SyntaxError: invalid syntax (zz_broken.py, line 3)');
    expect(error.detail).toContain('zz_broken.py", line 3');
    expect(await ranLines(pipeline)).toEqual([]);
  }, 60_000);

  const loader =
    'from ml_tracking.pipeline import DataLoader, Model, Versions\n' +
    'class L(DataLoader):\n    def get_train_sample_count(self): return 4\n' +
    '    def get_test_sample_count(self): return 1\n' +
    'class M(Model):\n    def train_model(self, ctx): pass\n' +
    '    def evaluate_model(self, ctx): return {}\n';
  it.each([
    [
      'MODEL = M()\nVERSIONS = Versions()\nVERSIONS.add_version("tiny", dataloader=L(), batch_size=0, epoc_count=1)\n',
      'zz_bad: VERSIONS[0] "tiny".batch_size: 0 is not a positive integer. Set batch_size to a whole number of 1 or more.',
    ],
    [
      'MODEL = M()\nVERSIONS = Versions()\nVERSIONS.add_version("tiny", dataloader=L(), batch_size=2)\n',
      'zz_bad: VERSIONS[0] "tiny".epoc_count: is missing. Set epoc_count to a whole number of 1 or more.',
    ],
    [
      'MODEL = M()\nVERSIONS = Versions()\nVERSIONS.add_version("tiny", dataloader=[1, 2], batch_size=2, epoc_count=1)\n',
      'zz_bad: VERSIONS[0] "tiny".dataloader: is not a DataLoader. Pass an instance of a subclass of ml_tracking.pipeline.DataLoader',
    ],
    [
      'MODEL = M()\nVERSIONS = Versions()\nVERSIONS.add_version("tiny", dataloader=L(), batch_size=2, epoc_count=1, model_dir_suffix="a/b")\n',
      'zz_bad: VERSIONS[0] "tiny".model_dir_suffix: "a/b" cannot name a folder.',
    ],
    [
      'MODEL = M()\nVERSIONS = Versions()\nVERSIONS.add_version("tiny", dataloader=L(), batch_size=2, epoc_count=1)\nVERSIONS.add_version("tiny", dataloader=L(), batch_size=2, epoc_count=1)\n',
      'zz_bad: VERSIONS[1] "tiny".name: another version has this name.',
    ],
    [
      'MODEL = M()\nVERSIONS = Versions()\n',
      'zz_bad: VERSIONS: the list is empty. Set `VERSIONS = Versions()`',
    ],
    [
      'VERSIONS = Versions()\nVERSIONS.add_version("tiny", dataloader=L(), batch_size=2, epoc_count=1)\n',
      'zz_bad: MODEL: the script sets no MODEL.',
    ],
  ])(
    'a bad version field or MODEL names the script, the version and the Python field (%#)',
    async (tail, expected) => {
      const pipeline = await newPipeline();
      await pipeline.addModel('zz_bad.py', loader + tail);
      const error = await withEnvironment({ PIPELINE_RAN_FILE: pipeline.ranFile }, () =>
        rejection(runPipeline({ cwd: pipeline.folder }), PipelineScriptError),
      );
      expect(error.code).toBe('ERR_VALIDATION');
      expect(error.message).toContain(`Invalid ${expected}`);
      expect(await ranLines(pipeline)).toEqual([]);
    },
    60_000,
  );

  it('a list naming a helper says why the file was skipped, and lists the .py scripts', async () => {
    const pipeline = await newPipeline();
    await writeFile(
      join(pipeline.folder, 'models_test.config'),
      'use_blacklist = false\n\n[WHITELISTED_MODELS]\nmarks\n\n[BLACKLISTED_MODELS]\n',
    );
    const error = await rejection(listPipeline({ cwd: pipeline.folder }), ValidationError);
    expect(error.message).toContain(
      `${join(pipeline.folder, 'models', '_marks.py')}: its name starts with _, which marks a helper`,
    );
    expect(error.hint).toContain('sample_model, second_model');
  });
});

describe('the "python" key of ml-tracking.pipeline.json', () => {
  it('names the interpreter (a virtual environment), relative to the file', async () => {
    const pipeline = await newPipeline({ python: 'venv/bin/python' });
    await mkdir(join(pipeline.folder, 'venv', 'bin'), { recursive: true });
    const interpreter = join(pipeline.folder, 'venv', 'bin', 'python');
    // A stand-in for a virtual environment's python: notes each start, then is python3.
    await writeFile(
      interpreter,
      `#!/bin/sh\necho started >> "${join(pipeline.folder, 'venv', 'starts.txt')}"\nexec python3 "$@"\n`,
    );
    await chmod(interpreter, 0o755);
    const report = await runPipeline({ cwd: pipeline.folder });
    expect(statuses(report)).toEqual(PYTHON_VERSIONS.map((name) => [name, 'finished']));
    const started = await readFile(join(pipeline.folder, 'venv', 'starts.txt'), 'utf8');
    // Two scripts described, five versions run.
    expect(started.trim().split('\n')).toHaveLength(7);
  }, 60_000);

  it.each([
    [{ python: 'venv/bin/python' }, /the interpreter \S+venv\/bin\/python does not exist/],
    [{ python: 3 }, /it is 3, not a non-empty string/],
    [{ python: './models' }, /models is a folder, not an interpreter/],
  ])(
    'a bad value is a ValidationError naming the key, before anything runs (%o)',
    async (config, problem) => {
      const pipeline = await newPipeline(config);
      const error = await rejection(runPipeline({ cwd: pipeline.folder }), ValidationError);
      expect(error.parameter).toBe(`${join(pipeline.folder, 'ml-tracking.pipeline.json')}: python`);
      expect(error.message).toMatch(problem);
      expect(await ranLines(pipeline)).toEqual([]);
    },
  );

  it('an interpreter not on PATH is a ValidationError naming the key', async () => {
    const pipeline = await newPipeline({ python: 'python-that-is-not-installed' });
    const error = await rejection(listPipeline({ cwd: pipeline.folder }), ValidationError);
    expect(error.parameter).toBe(`${join(pipeline.folder, 'ml-tracking.pipeline.json')}: python`);
    expect(error.message).toContain('"python-that-is-not-installed" was not found');
  });
});

describe('pipeline processes (the built CLI)', () => {
  const sandbox = cliSandbox('ml-tracking-python-pipeline-processes-');

  function pipelineProcess(
    args: string[],
    pipeline: PythonPipelineFolder,
    env: Record<string, string> = {},
  ): CliProcess {
    const running = startCli(args, {
      cwd: pipeline.folder,
      env: { PIPELINE_RAN_FILE: pipeline.ranFile, ML_TRACKING_HEARTBEAT_SECONDS: '0.5', ...env },
    });
    sandbox.started.push(running);
    return running;
  }

  /** Every version finished once, except `lost`: started twice, a lost run beside its finished one. */
  async function expectEachVersionFinishedOnce(store: Store, ranFile: string, lost?: string) {
    const started = await starts(ranFile);
    const runs = await runsByVersion(store);
    expect([...runs.keys()].sort()).toEqual(PYTHON_VERSIONS);
    for (const name of PYTHON_VERSIONS) {
      const runStatuses = (runs.get(name) ?? []).map((run) => run.status).sort();
      expect(runStatuses, name).toEqual(name === lost ? ['finished', 'lost'] : ['finished']);
      expect(started.get(name), name).toHaveLength(name === lost ? 2 : 1);
    }
  }

  it('two processes share one pipeline: every version runs once, and both took some', async () => {
    const pipeline = await writePythonPipeline(join(sandbox.folder, 'shared'));
    const storeFolder = join(sandbox.folder, 'shared-store');
    const processes = [0, 1].map(() =>
      pipelineProcess(['pipeline', '-r', '--store', storeFolder], pipeline, {
        SLOW_VERSION_MS: '800',
      }),
    );
    for (const running of processes) expect(await running.exited, running.stderr).toBe(0);
    const store = await openStore(storeFolder);
    try {
      await expectEachVersionFinishedOnce(store, pipeline.ranFile);
    } finally {
      await store.close();
    }
    expectWorkShared(processes, PYTHON_VERSIONS.length);
  }, 120_000);

  it('kill -9 mid-version: its Python process ends too, and the next start takes the version over', async () => {
    const pipeline = await writePythonPipeline(join(sandbox.folder, 'killed'));
    const storeFolder = join(sandbox.folder, 'killed-store');
    const args = ['pipeline', '-r', '--store', storeFolder];
    const victim = pipelineProcess(args, pipeline, { SLOW_VERSION: 'second_model:b' });
    const orphan = await waitFor(
      'second_model:b to start',
      async () => (await starts(pipeline.ranFile)).get('second_model:b')?.[0],
      60_000,
    );
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    // The version's Python process did not survive its pipeline (runCommand's guard ended it).
    try {
      await waitFor('the killed version process to end', () => !isAlive(orphan), 15_000);
    } finally {
      if (isAlive(orphan)) process.kill(orphan, 'SIGKILL');
    }

    const resumed = pipelineProcess(args, pipeline);
    expect(await resumed.exited, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('sample_model:small skipped: it finished before');
    const store = await openStore(storeFolder);
    try {
      await expectEachVersionFinishedOnce(store, pipeline.ranFile, 'second_model:b');
      const claim = (await readVersionClaim(store, PROJECT, 'second_model', 'b'))?.claim;
      expect(claim).toMatchObject({ attempt: 2, state: 'done' });
      expect(claim?.agent.endsWith(`:${resumed.child.pid}`)).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('a Python script being described ends with its pipeline process (kill -9 during --list)', async () => {
    const pipeline = await writePythonPipeline(join(sandbox.folder, 'describe'));
    const pidFile = join(pipeline.folder, 'describing.pid');
    // A script whose import never ends: its harness is still describing it when the list dies.
    await pipeline.addModel(
      'slow_import.py',
      `import os, time\nopen(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))\ntime.sleep(120)\n`,
    );
    const listing = pipelineProcess(['pipeline', '--list'], pipeline);
    const pid = await waitFor(
      'the slow script to be imported',
      async () => Number(await readFile(pidFile, 'utf8').catch(() => '')) || undefined,
      60_000,
    );
    expect(isAlive(pid)).toBe(true);
    listing.child.kill('SIGKILL');
    expect(await listing.exited).toBe('SIGKILL');
    try {
      await waitFor('the describing Python process to end', () => !isAlive(pid), 15_000);
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 90_000);
});
