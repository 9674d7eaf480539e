/**
 * Python training loops recording runs with no wrapper command (issue 20): the scripts of
 * `test/fixtures/python-runs/`, run with python3 as a user runs them, against the built CLI (the
 * `ml-tracking run-sink` child that owns each run). Every check reads the store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRun, listRuns, openStore, readScalars, type Store } from '../../src/index.js';
import { ENDED_WITHOUT_STATUS } from '../../src/runs/run-sink.js';
import { openFakeStore } from '../runs/_run-stores.js';
import { startGcsFake } from '../support/gcs-fake/index.js';
import { runProcess, type ProcessResult } from '../support/processes.js';
import { BUILT_CLI, root } from '../support/programs.js';
import { python, pythonEnvironment, SKIP_NO_PYTHON } from '../support/python.js';

const fixtures = join(root, 'test/fixtures/python-runs');
function runScript(
  script: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<ProcessResult> {
  return runProcess(python!, [join(fixtures, script), ...args], {
    cwd,
    env: pythonEnvironment(env),
  });
}

/** What the scripts print on their last line. */
interface ScriptAnswer {
  run_id: string;
  prediction_id?: string;
  /** calls.py: each call refused, the parameter its ValidationError named, its message. */
  refused?: [string, string | null, string][];
  /** calls.py: the MlTrackingWarnings report_scalar issued with no run listening. */
  warnings?: string[];
}

/** The last line of a script's stdout, as JSON. */
function lastJson(result: ProcessResult): ScriptAnswer {
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines.at(-1) ?? '') as ScriptAnswer;
}

/** Runs a script that must succeed; its last line of stdout names the run. */
async function runScriptOk(
  script: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const result = await runScript(script, args, cwd, env);
  if (result.code !== 0) throw new Error(`${script} exited with ${result.code}:\n${result.stderr}`);
  return lastJson(result);
}

/** A script left running: its first line of stdout (JSON), and its end. */
function startScript(
  script: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const child: ChildProcess = spawn(python!, [join(fixtures, script), ...args], {
    cwd,
    env: { ...process.env, ...pythonEnvironment(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(stdout.slice(0, end)) as Record<string, unknown>);
    });
    child.once('exit', () => {
      reject(new Error(`${script} ended before it was ready:\n${stderr}`));
    });
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    }),
  );
  return { child, ready, ended, stderr: () => stderr };
}

/** Whether a process runs (a zombie, dead but not yet reaped, does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function kill(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Waits until the run has ended (the sink writes it after its program died). */
function endedRun(runId: string, store: Store) {
  return vi.waitFor(
    async () => {
      const run = await getRun(runId, { store });
      if (run.status === 'running') throw new Error(`run ${runId} is still running`);
      return run;
    },
    { timeout: 20_000, interval: 100 },
  );
}

const range = (count: number, from = 0) => Array.from({ length: count }, (_, at) => from + at);

/** A case that needs python3, skipped with the reason without it. */
const pythonIt = (name: string, body: () => Promise<void>) => {
  it(name, async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    await body();
  });
};

/** Where a case's stores are: folders of a local folder, or of one bucket on the GCS fake. */
interface Backend {
  /** A store's URL, as the scripts and the CLI get it. */
  url(name: string): string;
  /** What the scripts' environment needs to reach the stores. */
  env: Record<string, string>;
  /** The store at `url`, opened for the test's reading (closed by `close`). */
  open(url: string): Promise<Store>;
  close(): Promise<void>;
}

function localBackend(cwd: string): Promise<Backend> {
  const opened: Store[] = [];
  return Promise.resolve({
    url: (name) => join(cwd, name),
    env: {},
    open: async (url) => {
      const store = await openStore(url);
      opened.push(store);
      return store;
    },
    close: async () => {
      await Promise.all(opened.map((store) => store.close()));
    },
  });
}

async function gcsFakeBackend(): Promise<Backend> {
  const fake = await startGcsFake();
  const prefix = `python-runs-${Date.now()}`;
  const opened: Store[] = [];
  return {
    url: (name) => `gs://runs-bucket/${prefix}/${name}`,
    env: { STORAGE_EMULATOR_HOST: fake.host },
    open: async (url) => {
      const store = await openFakeStore(fake, url.slice('gs://runs-bucket/'.length));
      opened.push(store);
      return store;
    },
    close: async () => {
      await Promise.all(opened.map((store) => store.close()));
      await fake.stop();
    },
  };
}

// The tier runs on both kinds of store the issue names: what the engine does differs (a local
// folder writes in place, GCS composes uploads); what a Python user sees must not.
describe.each([
  ['a local folder', localBackend],
  ['GCS (the fake)', gcsFakeBackend],
] as const)('Python runs with no wrapper command, on %s', (kind, makeBackend) => {
  // What the Python side alone decides (its checks, its warnings, how each ending maps to a
  // status) is the same on any store: those cases run on the local folder; the fake runs every
  // case whose points and records the engine writes to GCS.
  const pythonSideIt = kind === 'a local folder' ? pythonIt : () => undefined;
  let cwd: string;
  let backend: Backend;
  /** The tier's main store: its URL, and the store opened on it. */
  let store: string;
  let reader: Store;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-python-runs-'));
    backend = await makeBackend(cwd);
    store = backend.url('store');
    reader = await backend.open(store);
  });
  afterAll(async () => {
    await backend.close();
    await rm(cwd, { recursive: true, force: true });
  });
  const script = (name: string, args: string[]) => runScript(name, args, cwd, backend.env);
  // calls.py is run once for the two cases that read it.
  let calls: Promise<ProcessResult> | undefined;
  const callsStore = () => backend.url('calls-store');
  const runCalls = () => (calls ??= script('calls.py', [callsStore()]));

  pythonIt(
    'a plain loop of 20,000 points: every point stored once, steps counted per tag',
    async () => {
      const { run_id: runId } = await runScriptOk('loop.py', [store, '20000'], cwd, backend.env);
      const run = await getRun(runId, { store: reader });
      expect(run).toMatchObject({
        status: 'finished',
        project: 'python-loop',
        name: 'plain',
        origin: 'logger',
        hyperparameters: { lr: 0.001, batch_size: 64 },
      });
      expect(run.command?.slice(1)).toEqual([join(fixtures, 'loop.py'), store, '20000']);
      expect(run.summary.test_accuracy?.last).toBe(0.91);
      const { loss, accuracy } = await readScalars(runId, { store: reader });
      expect([...loss!.step]).toEqual(range(20_000));
      expect([...loss!.value]).toEqual(range(20_000).map((step) => 1 / (step + 1)));
      expect([...accuracy!.step]).toEqual(range(20, 0).map((at) => at * 1000));
    },
  );

  pythonIt(
    "seed 003's script, its import changed only: ExperimentLogger(logdir=…), add_scalar, close",
    async () => {
      const result = await script('seed003.py', [store]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Epoch: 2');
      const { run_id: runId } = lastJson(result);
      // The project defaults to the folder the script runs in.
      expect(await getRun(runId, { store: reader })).toMatchObject({
        status: 'finished',
        project: expect.stringMatching(/^ml-tracking-python-runs-/) as unknown,
      });
      const { Loss, Accuracy } = await readScalars(runId, { store: reader });
      expect([...Loss!.step]).toEqual(range(30, 1));
      expect([...Loss!.value]).toEqual(range(30, 1).map((step) => 1 / step));
      // numpy-like scalars (np.float32) are read through item() without numpy.
      expect([...Accuracy!.value]).toEqual([0.5, 0.6, 0.7]);
    },
  );

  pythonIt(
    'an uncaught exception mid-loop fails the run with its message and keeps its points',
    async () => {
      const result = await script('crash.py', [store]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('RuntimeError: loss diverged at step 50');
      const { run_id: runId } = JSON.parse(result.stdout.split('\n')[0]!) as { run_id: string };
      expect(await getRun(runId, { store: reader })).toMatchObject({
        status: 'failed',
        error: 'RuntimeError: loss diverged at step 50',
      });
      expect([...(await readScalars(runId, { store: reader })).loss!.step]).toEqual(range(50));
    },
  );

  // Python tells no atexit function the exit code: the client takes it where the program asks.
  for (const [how, code, status, error] of [
    ['sys.exit-3', 3, 'failed', 'exited with code 3'],
    ['exit-text', 1, 'failed', 'exited with code 1: no data'],
    ['builtin-exit-4', 4, 'failed', 'exited with code 4'],
    ['sys.exit-0', 0, 'finished', undefined],
    ['with-sys.exit-5', 5, 'failed', 'exited with code 5'],
    ['with-sys.exit-0', 0, 'finished', undefined],
    ['raise-in-with-2', 2, 'failed', 'exited with code 2'],
  ] as const) {
    const caseIt = how === 'sys.exit-3' || how === 'with-sys.exit-0' ? pythonIt : pythonSideIt;
    caseIt(`${how} without finish(): the run reads ${status}, every point kept`, async () => {
      const result = await script('exits.py', [store, how]);
      expect(result.code, result.stderr).toBe(code);
      const { run_id: runId } = JSON.parse(result.stdout.split('\n')[0]!) as { run_id: string };
      const run = await getRun(runId, { store: reader });
      expect(run.status).toBe(status);
      expect(run.error).toBe(error);
      expect([...(await readScalars(runId, { store: reader })).loss!.step]).toEqual(range(40));
    });
  }

  // Ctrl-C is SIGINT to the program alone (the sink runs in a session of its own): Python raises
  // KeyboardInterrupt, which fails the run as any uncaught exception does.
  for (const [signal, error] of [
    ['SIGTERM', 'terminated (SIGTERM)'],
    ['SIGINT', 'KeyboardInterrupt'],
  ] as const) {
    (signal === 'SIGTERM' ? pythonIt : pythonSideIt)(
      `${signal}: the run fails (${error}) with every accepted point, and Python dies by ${signal}`,
      async () => {
        const waiting = startScript('waiting.py', [store], cwd, backend.env);
        try {
          const { run_id: runId, sink_pid: sinkPid } = (await waiting.ready) as {
            run_id: string;
            sink_pid: number;
          };
          waiting.child.kill(signal);
          expect(await waiting.ended).toEqual({ code: null, signal });
          // Python waited for the sink to write the run before it went.
          expect(running(sinkPid)).toBe(false);
          expect(await getRun(runId, { store: reader })).toMatchObject({ status: 'failed', error });
          expect([...(await readScalars(runId, { store: reader })).loss!.step]).toEqual(range(150));
        } finally {
          kill(waiting.child.pid);
        }
      },
    );
  }

  pythonIt(
    'SIGKILL, with a forked child holding the pipe open: the sink fails the run with the points sent and exits',
    async () => {
      const waiting = startScript('waiting.py', [store, '--fork'], cwd, backend.env);
      let childPid: number | undefined;
      try {
        const ready = (await waiting.ready) as {
          run_id: string;
          sink_pid: number;
          child_pid: number;
        };
        childPid = ready.child_pid;
        waiting.child.kill('SIGKILL');
        await waiting.ended;
        const run = await endedRun(ready.run_id, reader);
        expect(run).toMatchObject({ status: 'failed', error: ENDED_WITHOUT_STATUS });
        // The 100 points flush() sent, and as many of the next 50 as the background thread had
        // sent before the kill: no gap, no duplicate.
        const steps = [...(await readScalars(ready.run_id, { store: reader })).loss!.step];
        expect(steps.length).toBeGreaterThanOrEqual(100);
        expect(steps).toEqual(range(steps.length));
        await vi.waitFor(
          () => {
            expect(running(ready.sink_pid)).toBe(false);
          },
          { timeout: 10_000, interval: 50 },
        );
        // The stdin of the sink was still open: its parent's death, not an end of input, ended it.
        expect(running(childPid)).toBe(true);
      } finally {
        kill(waiting.child.pid);
        kill(childPid);
      }
    },
  );

  pythonIt(
    'log_experiment inside a run logs into the run’s store and links the prediction to it',
    async () => {
      const { run_id: runId, prediction_id: predictionId } = await runScriptOk(
        'linked.py',
        [store],
        cwd,
        backend.env,
      );
      expect(await getRun(runId, { store: reader })).toMatchObject({
        status: 'finished',
        predictionIds: [predictionId],
      });
    },
  );

  pythonIt(
    'under ml-tracking exec, start_run joins the parent’s run: one run, every point',
    async () => {
      const execStore = backend.url('exec-store');
      const result = await runProcess(
        process.execPath,
        [
          BUILT_CLI,
          'exec',
          '--project',
          'python exec',
          '--store',
          execStore,
          '--',
          python!,
          join(fixtures, 'joined.py'),
          '500',
        ],
        { cwd, env: pythonEnvironment(backend.env) },
      );
      expect(result.code, result.stderr).toBe(0);
      const opened = await backend.open(execStore);
      const runs = await listRuns({ store: opened });
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      expect(result.stderr).toContain(`joined ${run.id}`);
      expect(run).toMatchObject({
        status: 'finished',
        origin: 'exec',
        project: 'python-exec',
        hyperparameters: { depth: 3 },
      });
      expect(run.summary.test_accuracy?.last).toBe(0.9);
      const { loss, val_loss: validation } = await readScalars(run.id, { store: opened });
      expect([...loss!.step]).toEqual(range(500));
      expect([...validation!.value]).toEqual([0.25]);
      // The script's own lines pass through, between the protocol lines exec read.
      expect(result.stdout).toContain('step 499');
      expect(result.stdout).not.toContain('ml_tracking');
    },
  );

  pythonSideIt(
    'bad input raises ValidationError at the call naming the parameter, and nothing is sent',
    async () => {
      const result = await runCalls();
      expect(result.code, result.stderr).toBe(0);
      const { refused = [], run_id: runId } = lastJson(result);
      expect(refused.map(([call, parameter]) => [call, parameter])).toEqual([
        ['start_run nan', 'hyperparameters.lr'],
        ['start_run set', 'hyperparameters.layers'],
        ['nan', 'value'],
        ['inf', 'value'],
        ['empty tag', 'tag'],
        ['negative step', 'step'],
        ['float step', 'step'],
        ['text value', 'value'],
        ['scalars nan', 'value'],
        ['hyperparameters object', 'hyperparameters.model'],
        ['summary inf', 'summary.test'],
      ]);
      // Each message says how to fix it.
      for (const [, , message] of refused) expect(message).toMatch(/Pass /);
      // The refused start_run calls started nothing; the run holds the good points alone.
      const opened = await backend.open(callsStore());
      const runs = await listRuns({ store: opened });
      expect(runs.map((run) => run.id)).toEqual([runId]);
      expect(runs[0]).toMatchObject({ status: 'finished', hyperparameters: {} });
      expect(Object.keys(runs[0]!.summary)).toEqual(['loss']);
      const { loss } = await readScalars(runId, { store: opened });
      expect([...loss!.step]).toEqual([0, 1]);
      expect([...loss!.value]).toEqual([0.125, 0.0625]);
    },
  );

  pythonSideIt('report_scalar with no run listening prints its lines and warns once', async () => {
    const result = await runCalls();
    expect(result.code, result.stderr).toBe(0);
    const { warnings = [] } = lastJson(result);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/No ml-tracking run is listening.*start_run/);
    const lines = result.stdout.trim().split('\n').slice(0, -1);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { ml_tracking: 'scalar', tag: 'loss', value: 0.5, step: 0 },
      { ml_tracking: 'scalar', tag: 'loss', value: 0.25, step: 1 },
    ]);
  });

  pythonIt(
    "seed 003's loop as a sweep trial: it joins the trial's run, one run per trial, every point",
    async () => {
      const sweepFolder = await mkdtemp(join(cwd, 'sweep-'));
      await copyFile(join(fixtures, 'trial.py'), join(sweepFolder, 'trial.py'));
      const config = {
        main_script_name: 'trial.py',
        hyperparameters: { lr: { type: 'choice', candidates: [0.1, 0.2] } },
        max_runs: 2,
        early_stopping: false,
        optimization_metric: 'Loss',
        optimization_goal: 'min',
        seed: 3,
        project: 'python trials',
      };
      await writeFile(join(sweepFolder, 'experiment_cfg.json'), JSON.stringify(config));
      const sweepStore = backend.url('sweep-store');
      const result = await runProcess(
        process.execPath,
        [BUILT_CLI, 'sweep', '--config', 'experiment_cfg.json', '--store', sweepStore, '--json'],
        { cwd: sweepFolder, env: pythonEnvironment(backend.env) },
      );
      expect(result.code, result.stderr).toBe(0);
      const opened = await backend.open(sweepStore);
      const runs = await listRuns({ store: opened });
      // The trials' runs only: the loggers joined them rather than opening runs of their own.
      expect(runs.map((run) => [run.origin, run.status])).toEqual([
        ['sweep', 'finished'],
        ['sweep', 'finished'],
      ]);
      for (const run of runs) {
        const { Loss } = await readScalars(run.id, { store: opened });
        expect([...Loss!.step]).toEqual(range(300));
        expect(Loss!.value[1]).toBeCloseTo(Number(run.hyperparameters.lr) / 2);
      }
    },
  );
});
