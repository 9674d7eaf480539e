/**
 * A reproduction's training in a child process: `node [--import tsx] _reproduce-child.js
 * <entry>` in the folder given, its output passed line by line to the caller, its result
 * received over IPC, and SIGINT or SIGTERM passed on to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { typeScriptLoader } from '../_typescript-loader.js';
import { ValidationError } from '../errors.js';
import { RUN_ENVIRONMENT } from '../runs/start-run.js';
import type { Store } from '../store/types.js';
import { REPRODUCE_ENVIRONMENT } from './_reproduce-environment.js';
import type { ReproduceChildMessage } from './_reproduce-child.js';
import { ReproduceError } from './reproduce-error.js';
import type { TrainModelResult } from './train-model-options.js';
import { childEntry } from '../_child-entry.js';

/** Where the child's lines go. */
export type OnOutput = (line: string, stream: 'stdout' | 'stderr') => void;

const TAIL_LINES = 20;

/** The child needs the training script that registers the run's classes. */
export function checkEntry(entry: unknown, runId: string): asserts entry is string {
  if (typeof entry !== 'string' || entry.trim() === '') {
    throw new ValidationError(
      'entry',
      `reproducing run ${runId} runs its training in a child process, which needs the training script that registers its classes`,
      'Name it: ml-tracking reproduce <run-id> --entry train.ts (or trainModel({ runId, entry })).',
    );
  }
}

/** The URL another process opens this store by; refuses a memory store, which it cannot. */
export function childStoreUrl(store: Store): string {
  if (store.kind === 'memory' || store.url.startsWith('memory:')) {
    throw new ValidationError(
      'store',
      `${store.url} is a memory store, which another process cannot open`,
      'Reproducing a run runs its training in a child process: use a local folder or a gs:// store.',
    );
  }
  return store.url;
}

/**
 * Runs `action` with SIGINT and SIGTERM held back: the child is stopped by the same signal,
 * `action` cleans up (the worktree), and the promise rejects with a ReproduceError that says so.
 * The process is not ended here: library code leaves that to its caller (the CLI exits 130).
 */
export async function interruptible<T>(
  runId: string,
  commit: string | undefined,
  action: (started: (stop: (signal: NodeJS.Signals) => void) => void) => Promise<T>,
): Promise<T> {
  let interrupted: NodeJS.Signals | undefined;
  let stopChild: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    stopChild?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await action((stop) => {
      // A signal that came while the worktree was being made stops the child as it starts.
      if (interrupted) stop(interrupted);
      stopChild = stop;
    });
  } catch (error) {
    if (interrupted) throw interruptedError(runId, commit, interrupted);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** What {@link runChild} runs. */
export interface RunChildOptions {
  runId: string;
  commit: string | undefined;
  storeUrl: string;
  /** The child's folder. */
  cwd: string;
  entry: string;
  allowDirty: boolean;
  /** Added to the child's environment. */
  env: Record<string, string>;
  /** @default the lines are dropped */
  onOutput: OnOutput | undefined;
  /** The interpreter of a Python entry (`.py`). @default python3 */
  python?: string | undefined;
  /**
   * Where a Python child writes its result: a folder removed with the worktree, even when this
   * process is killed. @default a temporary folder of its own
   */
  scratch?: string | undefined;
  /** Told the child's pid, once it runs. */
  onSpawn?: (pid: number) => void;
  /** Told how to stop the child, once it runs. */
  started: (stop: (signal: NodeJS.Signals) => void) => void;
}

/** Runs the training in a child process; resolves what its `trainModel` resolved. */
export async function runChild(options: RunChildOptions): Promise<TrainModelResult> {
  const { runId } = options;
  const environment: NodeJS.ProcessEnv = { ...process.env };
  // The reproduction is a run of its own, not part of a run this process may belong to.
  for (const name of Object.values(RUN_ENVIRONMENT)) environment[name] = undefined;
  environment[REPRODUCE_ENVIRONMENT.worktree] = undefined;
  Object.assign(environment, options.env, {
    [REPRODUCE_ENVIRONMENT.runId]: runId,
    [REPRODUCE_ENVIRONMENT.store]: options.storeUrl,
    [REPRODUCE_ENVIRONMENT.allowDirty]: options.allowDirty ? '1' : '0',
  });
  const python = /\.py$/i.test(options.entry);
  const ownFolder =
    python && options.scratch === undefined
      ? await mkdtemp(join(tmpdir(), 'ml-tracking-result-'))
      : undefined;
  const resultFile = join(options.scratch ?? ownFolder ?? '', 'result.json');
  try {
    const child = python
      ? spawnPython(options, environment, resultFile)
      : spawnNode(options, environment);
    return await followChild(child, options, async () =>
      python ? readResultFile(resultFile) : undefined,
    );
  } finally {
    if (ownFolder !== undefined) await rm(ownFolder, { recursive: true, force: true });
  }
}

/** `node [--import tsx] _reproduce-child.js <entry>`, its result sent over IPC. */
function spawnNode(options: RunChildOptions, env: NodeJS.ProcessEnv): ChildProcess {
  const runner = runnerPath();
  const typeScript = [options.entry, runner].some((file) => /\.[mc]?ts$/i.test(file));
  return spawn(
    process.execPath,
    [...(typeScript ? loaderFor(options.cwd) : []), runner, options.entry],
    { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], windowsHide: true },
  );
}

/**
 * `python -m ml_tracking._reproduce_child <entry>`: the Python client's runner, from the
 * `ml_tracking` the entry itself imports (the interpreter's), its result written to a file.
 */
function spawnPython(options: RunChildOptions, env: NodeJS.ProcessEnv, result: string) {
  return spawn(options.python ?? 'python3', ['-m', 'ml_tracking._reproduce_child', options.entry], {
    cwd: options.cwd,
    env: { ...env, [REPRODUCE_ENVIRONMENT.result]: result },
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** What a Python child wrote, if it got that far. */
async function readResultFile(path: string): Promise<ReproduceChildMessage | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as ReproduceChildMessage;
  } catch {
    return undefined;
  }
}

/** Passes the child's lines on, and resolves its result once it ended. */
async function followChild(
  child: ChildProcess,
  options: RunChildOptions,
  readResult: () => Promise<ReproduceChildMessage | undefined>,
): Promise<TrainModelResult> {
  const { runId, commit } = options;
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  options.started((signal) => child.kill(signal));

  const tail: string[] = [];
  const lines = (['stdout', 'stderr'] as const).map((stream) => {
    const reader = createInterface({ input: child[stream]!, crlfDelay: Infinity });
    reader.on('line', (line) => {
      if (stream === 'stderr') {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
      options.onOutput?.(line, stream);
    });
    return new Promise<void>((done) => reader.once('close', done));
  });
  let message: ReproduceChildMessage | undefined;
  child.on('message', (received: ReproduceChildMessage) => {
    message ??= received;
  });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (done, fail) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        fail(
          error.code === 'ENOENT' && options.python !== undefined
            ? new ValidationError(
                '--python',
                `${options.python} cannot be started (${error.message})`,
                'Name a Python interpreter that has ml_tracking installed, e.g. --python .venv/bin/python.',
                { cause: error },
              )
            : error,
        );
      });
      child.once('close', (code, killedBy) => {
        done([code, killedBy]);
      });
    },
  );
  await Promise.all(lines);
  message ??= await readResult();

  const failure = (problem: string, childErrorCode?: string) =>
    new ReproduceError({
      runId,
      commit,
      problem,
      exitCode,
      signal,
      childErrorCode,
      outputTail: tail,
    });
  if (message?.type === 'error') throw failure(message.message, message.code);
  if (signal !== null) throw failure(`the training process was ended by ${signal}`);
  if (exitCode !== 0) throw failure(`the training process exited with code ${exitCode}`);
  if (message?.type !== 'result' || !isTrainModelResult(message.result)) {
    throw failure('the training process ended without a result');
  }
  return message.result;
}

/** The child's entry (see `childEntry`). */
function runnerPath(): string {
  return childEntry(import.meta.url, '_reproduce-child').file;
}

/** The loader for a TypeScript entry, or a ValidationError that says how to get one. */
function loaderFor(folder: string): string[] {
  const loader = typeScriptLoader(folder);
  if (loader !== undefined) return loader;
  throw new ValidationError(
    'entry',
    `a TypeScript entry needs a loader and tsx is not installed (Node ${process.versions.node})`,
    'Run `npm install --save-dev tsx` in the project, or name the compiled JavaScript entry.',
  );
}

function interruptedError(
  runId: string,
  commit: string | undefined,
  signal: NodeJS.Signals,
): ReproduceError {
  return new ReproduceError({
    runId,
    commit,
    problem: `interrupted by ${signal} (the worktree was removed)`,
    exitCode: null,
    signal,
    interruptedBy: signal,
    outputTail: [],
  });
}

function isTrainModelResult(value: unknown): value is TrainModelResult {
  const result = value as Partial<TrainModelResult> | null;
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof result.runId === 'string' &&
    typeof result.metrics === 'object' &&
    Array.isArray(result.warnings)
  );
}
