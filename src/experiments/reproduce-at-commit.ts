/**
 * Reproducing a `trainModel` run at the commit it was recorded at: the commit's code is checked
 * out into a temporary `git worktree`, and a child process there imports the user's entry file
 * (which registers the commit's classes) and runs `trainModel({ runId })`, which retrains on the
 * run's stored data set with its recorded parameters and records a new run pointing at it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { typeScriptLoader } from '../_typescript-loader.js';
import { MlTrackingError, NotFoundError, ValidationError } from '../errors.js';
import { modelRunPath } from '../layout/paths.js';
import { readModelRun } from '../runs/model-run-records.js';
import { checkRunId } from '../runs/read-runs.js';
import { RUN_ENVIRONMENT } from '../runs/start-run.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { readRunContext } from '../tracking/run-context.js';
import { addTemporaryWorktree, type TemporaryWorktree } from './_git-worktree.js';
import type { ReproduceChildMessage } from './_reproduce-child.js';
import type { TrainModelResult } from './train-model.js';

export { CommitNotFoundError } from './_git-worktree.js';

/** The variables the child process is started with. */
export const REPRODUCE_ENVIRONMENT = {
  /** The worktree the child runs in: `trainModel` reproduces in place when it is set. */
  worktree: 'ML_TRACKING_REPRODUCE_WORKTREE',
  /** The run to reproduce. */
  runId: 'ML_TRACKING_REPRODUCE_RUN_ID',
  /** The store's URL. */
  store: 'ML_TRACKING_STORE',
  /** `1`: pass `allowDirty: true` to `trainModel`. */
  allowDirty: 'ML_TRACKING_REPRODUCE_ALLOW_DIRTY',
} as const;

/** Options of {@link reproduceAtCommit}. */
export interface ReproduceAtCommitOptions {
  /** The run to reproduce. */
  runId: string;
  /**
   * The store the run is in: a URL or an opened store. The child process opens it again by URL,
   * so a `memory://` store cannot be used. @default $ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store;
  /** The commit the run was recorded at. */
  commit: string;
  /** A folder in the repository, the one `entry` is relative to. @default process.cwd() */
  cwd?: string;
  /**
   * The training script, as it is named at that commit (relative to `cwd`). The child imports
   * it so that it registers its classes; it must not train when imported rather than run, e.g.
   * by training only `if (process.argv[1] === fileURLToPath(import.meta.url))`. TypeScript
   * entries run through the project's `tsx`.
   */
  entry?: string;
  /**
   * Reproduce even when the working tree has uncommitted changes (the new run records
   * `git_dirty`), as `trainModel`'s `allowDirty`. A worktree at the recorded commit is clean.
   * @default false
   */
  allowDirty?: boolean;
  /**
   * Called with each line the child prints. @default every line goes to this process's standard
   * error, so that the training's progress shows and standard output stays the caller's
   */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** The reproduction's child process failed, or ended without a result. */
export class ReproduceError extends MlTrackingError {
  override name = 'ReproduceError' as const;
  readonly runId: string;
  /** The commit of the code that ran; `undefined` outside a git repository. */
  readonly commit: string | undefined;
  /** The child's exit code; `null` when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The `code` of the error the child reported, when it reported one. */
  readonly childErrorCode: string | undefined;
  /** The last lines of the child's standard error. */
  readonly outputTail: string[];
  /** The signal (SIGINT, SIGTERM) this process received, which stopped the reproduction. */
  readonly interruptedBy: NodeJS.Signals | undefined;

  constructor(context: {
    runId: string;
    commit: string | undefined;
    problem: string;
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    childErrorCode?: string | undefined;
    outputTail: string[];
    interruptedBy?: NodeJS.Signals;
  }) {
    const tail =
      context.outputTail.length === 0
        ? ''
        : `\nLast lines of its output:\n${context.outputTail.map((line) => `  ${line}`).join('\n')}`;
    super(
      `Cannot reproduce run ${context.runId}${context.commit === undefined ? '' : ` at commit ${context.commit}`}: ${context.problem}${/[.!?]$/.test(context.problem) ? '' : '.'}${tail}`,
      { code: 'ERR_REPRODUCE' },
    );
    this.runId = context.runId;
    this.commit = context.commit;
    this.exitCode = context.exitCode;
    this.signal = context.signal;
    this.childErrorCode = context.childErrorCode;
    this.outputTail = context.outputTail;
    this.interruptedBy = context.interruptedBy;
  }
}

const TAIL_LINES = 20;

/**
 * Reproduces a `trainModel` run at the commit it was recorded at, in a child process in a
 * temporary `git worktree` of that commit (the user's work tree is not touched), and removes the
 * worktree afterwards, also when the training fails or this process gets SIGINT or SIGTERM (the
 * child is stopped, and the promise rejects with a ReproduceError whose `interruptedBy` is the
 * signal: while it runs, the signal does not end the process by itself). The worktree
 * gets the repository's `node_modules` by a link: the code is the commit's, the dependencies are
 * today's. `trainModel({ runId })` calls this when the recorded commit is not HEAD.
 *
 * @returns what `trainModel` resolved to in the child: the new run, its metrics and their
 *   differences from the original's.
 * @throws ValidationError for a missing entry or run id, a memory store, an entry outside the
 *   repository or not at that commit.
 * @throws CommitNotFoundError when the commit is not in the repository.
 * @throws ReproduceError when the child fails (its message, exit code and last lines).
 * @example
 * const { runId, reproduced } = await reproduceAtCommit({
 *   runId: '20261124T101530123Z-1a2b3c4d',
 *   commit: 'e83c5163316f89bfbde7d9ab23ca2e25604af290',
 *   entry: 'train.ts',
 *   store: 'gs://my-bucket/ml-tracking',
 * });
 */
export async function reproduceAtCommit(
  options: ReproduceAtCommitOptions,
): Promise<TrainModelResult> {
  const { runId, commit, entry } = options;
  const cwd = resolve(options.cwd ?? process.cwd());
  checkRunId(runId);
  if (typeof commit !== 'string' || commit.trim() === '') {
    throw new ValidationError('commit', 'missing', 'Give the commit the run was recorded at.');
  }
  checkEntry(entry, runId);
  const storeUrl = await storeUrlOf(options.store, cwd);
  return interruptible(runId, commit, async (started) => {
    const worktree = await addTemporaryWorktree({ cwd, commit });
    try {
      const path = await entryPath(entry, cwd, worktree, commit);
      return await runChild({
        allowDirty: options.allowDirty === true,
        runId,
        commit,
        storeUrl,
        cwd: worktree.cwd,
        entry: path,
        env: {
          ...worktree.gitEnvironment,
          [REPRODUCE_ENVIRONMENT.worktree]: worktree.path,
        },
        onOutput: options.onOutput ?? toStandardError,
        started,
      });
    } finally {
      await worktree.remove();
    }
  });
}

/** Options of {@link reproduceRun}. */
export interface ReproduceRunOptions {
  /** The `trainModel` run to reproduce. */
  runId: string;
  /**
   * The store the run is in: a URL or an opened store (not `memory://`: the training runs in a
   * child process). @default $ML_TRACKING_STORE, else ./ml-tracking
   */
  store?: string | Store;
  /** A folder in the repository, the one `entry` is relative to. @default process.cwd() */
  cwd?: string;
  /** The training script that registers the classes (see {@link ReproduceAtCommitOptions}). */
  entry: string;
  /**
   * Reproduce even when the working tree has uncommitted changes (the new run records
   * `git_dirty`), as `trainModel`'s `allowDirty`. A worktree at the recorded commit is clean.
   * @default false
   */
  allowDirty?: boolean;
  /** Called with each line the child prints. @default every line to standard error */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** What {@link reproduceRun} did. */
export interface ReproduceRunResult extends TrainModelResult {
  /** Where the training ran. */
  ranAt: {
    /** The commit of the code it ran (`undefined` outside a git repository). */
    commit: string | undefined;
    /**
     * `true`: in a temporary worktree at the recorded commit, which was not HEAD; `false`: in
     * the working tree itself, whose HEAD is the recorded commit.
     */
    worktree: boolean;
  };
}

/**
 * Reproduces a `trainModel` run through the user's entry file, in a child process (so that the
 * entry registers its classes in the ml-tracking the project installed, whichever ml-tracking
 * calls this): at the recorded commit in a temporary worktree when HEAD is another commit (see
 * {@link reproduceAtCommit}), else in the working tree itself. What `ml-tracking reproduce` runs.
 *
 * @throws NotFoundError when the run has no model_runs row (it is not a `trainModel` run).
 * @throws ValidationError, CommitNotFoundError, ReproduceError as {@link reproduceAtCommit}.
 * @example
 * const result = await reproduceRun({ runId, entry: 'train.ts', store: './ml-tracking' });
 * console.log(result.ranAt.worktree, result.reproduced?.metricDifferences);
 */
export async function reproduceRun(options: ReproduceRunOptions): Promise<ReproduceRunResult> {
  const { runId, entry } = options;
  const cwd = resolve(options.cwd ?? process.cwd());
  checkRunId(runId);
  checkEntry(entry, runId);
  // One opening of the store: a gs:// one costs a client.
  const { storeUrl, recorded } = await withStore(
    options.store,
    async (store) => {
      const url = childStoreUrl(store);
      const row = await readModelRun(store, runId);
      if (row === undefined) {
        throw new NotFoundError({
          operation: `reproduce run ${runId}: it has no model_runs row (only trainModel runs can be reproduced), so read`,
          store: store.url,
          path: modelRunPath(runId),
        });
      }
      return { storeUrl: url, recorded: row.gitCommit };
    },
    { cwd },
  );
  const head = (await readRunContext(cwd)).gitCommit;
  if (recorded !== undefined && recorded !== head) {
    const result = await reproduceAtCommit({ ...options, store: storeUrl, cwd, commit: recorded });
    return { ...result, ranAt: { commit: recorded, worktree: true } };
  }
  const path = resolve(cwd, entry);
  if (!existsSync(path)) {
    throw new ValidationError(
      'entry',
      `${entry} does not exist in ${cwd}`,
      'Name the training script that registers the classes, relative to the current folder.',
    );
  }
  const result = await interruptible(runId, head, (started) =>
    runChild({
      allowDirty: options.allowDirty === true,
      runId,
      commit: head,
      storeUrl,
      cwd,
      entry: path,
      env: {},
      onOutput: options.onOutput ?? toStandardError,
      started,
    }),
  );
  return { ...result, ranAt: { commit: head, worktree: false } };
}

const toStandardError = (line: string) => process.stderr.write(`${line}\n`);

function checkEntry(entry: unknown, runId: string): asserts entry is string {
  if (typeof entry !== 'string' || entry.trim() === '') {
    throw new ValidationError(
      'entry',
      `reproducing run ${runId} runs its training in a child process, which needs the training script that registers its classes`,
      'Name it: ml-tracking reproduce <run-id> --entry train.ts (or trainModel({ runId, entry })).',
    );
  }
}

/**
 * Runs `action` with SIGINT and SIGTERM held back: the child is stopped by the same signal,
 * `action` cleans up (the worktree), and the promise rejects with a ReproduceError that says so.
 * The process is not ended here: library code leaves that to its caller (the CLI exits 130).
 */
async function interruptible<T>(
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

/** The store's URL, for the child to open it again (also checks that the store opens). */
function storeUrlOf(store: string | Store | undefined, cwd: string): Promise<string> {
  return withStore(store, (opened) => Promise.resolve(childStoreUrl(opened)), { cwd });
}

/** The URL another process opens this store by; refuses a memory store, which it cannot. */
function childStoreUrl(store: Store): string {
  if (store.kind === 'memory' || store.url.startsWith('memory:')) {
    throw new ValidationError(
      'store',
      `${store.url} is a memory store, which another process cannot open`,
      'Reproducing a run runs its training in a child process: use a local folder or a gs:// store.',
    );
  }
  return store.url;
}

/** The entry's path in the worktree; it must be in the repository and exist at the commit. */
async function entryPath(
  entry: string,
  cwd: string,
  worktree: TemporaryWorktree,
  commit: string,
): Promise<string> {
  let path: string;
  if (isAbsolute(entry)) {
    // Through the real paths on both sides: git reports the repository's.
    const real = await realpath(entry).catch(() => entry);
    const inside = relative(worktree.repository, real);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new ValidationError(
        'entry',
        `${entry} is outside the repository at ${worktree.repository}`,
        'Name a training script of the repository, relative to the current folder.',
      );
    }
    path = join(worktree.path, inside);
  } else {
    path = resolve(worktree.cwd, entry);
    const inside = relative(worktree.path, path);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new ValidationError(
        'entry',
        `${entry} is outside the repository at ${worktree.repository}`,
        'Name a training script of the repository, relative to the current folder.',
      );
    }
  }
  if (!existsSync(path)) {
    throw new ValidationError(
      'entry',
      `${relative(cwd, resolve(cwd, entry)) || entry} does not exist at commit ${commit}`,
      'Name the training script as it was at that commit (git show --stat <commit> lists its files).',
    );
  }
  return path;
}

interface RunChildOptions {
  runId: string;
  commit: string | undefined;
  storeUrl: string;
  /** The child's folder. */
  cwd: string;
  entry: string;
  allowDirty: boolean;
  /** Added to the child's environment. */
  env: Record<string, string>;
  onOutput: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Told how to stop the child, once it runs. */
  started: (stop: (signal: NodeJS.Signals) => void) => void;
}

async function runChild(options: RunChildOptions): Promise<TrainModelResult> {
  const { runId, commit } = options;
  const runner = runnerPath();
  const typeScript = [options.entry, runner].some((file) => /\.[mc]?ts$/i.test(file));
  const environment: NodeJS.ProcessEnv = { ...process.env };
  // The reproduction is a run of its own, not part of a run this process may belong to.
  for (const name of Object.values(RUN_ENVIRONMENT)) environment[name] = undefined;
  environment[REPRODUCE_ENVIRONMENT.worktree] = undefined;
  const child = spawn(
    process.execPath,
    [...(typeScript ? loaderFor(options.cwd) : []), runner, options.entry],
    {
      cwd: options.cwd,
      env: {
        ...environment,
        ...options.env,
        [REPRODUCE_ENVIRONMENT.runId]: runId,
        [REPRODUCE_ENVIRONMENT.store]: options.storeUrl,
        [REPRODUCE_ENVIRONMENT.allowDirty]: options.allowDirty ? '1' : '0',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      windowsHide: true,
    },
  );
  options.started((signal) => child.kill(signal));

  const tail: string[] = [];
  const lines = (['stdout', 'stderr'] as const).map((stream) => {
    const reader = createInterface({ input: child[stream]!, crlfDelay: Infinity });
    reader.on('line', (line) => {
      if (stream === 'stderr') {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
      options.onOutput(line, stream);
    });
    return new Promise<void>((done) => reader.once('close', done));
  });
  let message: ReproduceChildMessage | undefined;
  child.on('message', (received: ReproduceChildMessage) => {
    message ??= received;
  });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (done, fail) => {
      child.once('error', fail);
      child.once('close', (code, killedBy) => {
        done([code, killedBy]);
      });
    },
  );
  await Promise.all(lines);

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

/** The child's entry: built beside this file, or its TypeScript source when run from `src/`. */
function runnerPath(): string {
  const built = fileURLToPath(new URL('./_reproduce-child.js', import.meta.url));
  return existsSync(built)
    ? built
    : fileURLToPath(new URL('./_reproduce-child.ts', import.meta.url));
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
