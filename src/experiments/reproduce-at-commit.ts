/**
 * Reproducing a `trainModel` run at the commit it was recorded at: the commit's code is checked
 * out into a temporary `git worktree`, and a child process there imports the user's entry file
 * (which registers the commit's classes) and runs `trainModel({ runId })`, which retrains on the
 * run's stored data set with its recorded parameters and records a new run pointing at it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MlTrackingError, ValidationError } from '../errors.js';
import { RUN_ENVIRONMENT } from '../runs/start-run.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { addTemporaryWorktree, type TemporaryWorktree } from './_git-worktree.js';
import type { ReproduceChildMessage } from './_reproduce-child.js';

export { CommitNotFoundError } from './_git-worktree.js';

/**
 * What `trainModel` resolves to. Declared here with the same shape until `train-model.ts`
 * exports it (the child's result crosses a process boundary as JSON, so only the shape matters).
 */
export interface TrainModelResult {
  runId: string;
  predictionId: string;
  metrics: Record<string, number>;
  /** Set when the run reproduced another one. */
  reproduced?: {
    /** The run reproduced. */
    runId: string;
    /** New metric minus the original's, by metric. */
    metricDifferences: Record<string, number>;
  };
}

/** The variables the child process is started with. */
export const REPRODUCE_ENVIRONMENT = {
  /** The worktree the child runs in: `trainModel` reproduces in place when it is set. */
  worktree: 'ML_TRACKING_REPRODUCE_WORKTREE',
  /** The run to reproduce. */
  runId: 'ML_TRACKING_REPRODUCE_RUN_ID',
  /** The store's URL. */
  store: 'ML_TRACKING_STORE',
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
   * Called with each line the child prints. @default every line goes to this process's standard
   * error, so that the training's progress shows and standard output stays the caller's
   */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** The reproduction's child process failed, or ended without a result. */
export class ReproduceError extends MlTrackingError {
  override name = 'ReproduceError';
  readonly runId: string;
  readonly commit: string;
  /** The child's exit code; `null` when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The `code` of the error the child reported, when it reported one. */
  readonly childErrorCode: string | undefined;
  /** The last lines of the child's standard error. */
  readonly outputTail: string[];

  constructor(context: {
    runId: string;
    commit: string;
    problem: string;
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    childErrorCode?: string | undefined;
    outputTail: string[];
  }) {
    const tail =
      context.outputTail.length === 0
        ? ''
        : `\nLast lines of its output:\n${context.outputTail.map((line) => `  ${line}`).join('\n')}`;
    super(
      `Cannot reproduce run ${context.runId} at commit ${context.commit}: ${context.problem}.${tail}`,
      { code: 'ERR_REPRODUCE' },
    );
    this.runId = context.runId;
    this.commit = context.commit;
    this.exitCode = context.exitCode;
    this.signal = context.signal;
    this.childErrorCode = context.childErrorCode;
    this.outputTail = context.outputTail;
  }
}

const TAIL_LINES = 20;

/**
 * Reproduces a `trainModel` run at the commit it was recorded at, in a child process in a
 * temporary `git worktree` of that commit (the user's work tree is not touched), and removes the
 * worktree afterwards, also when the training fails or the process is interrupted. The worktree
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
  if (typeof runId !== 'string' || runId.trim() === '') {
    throw new ValidationError('runId', 'missing', 'Give the id of the run to reproduce.');
  }
  if (typeof commit !== 'string' || commit.trim() === '') {
    throw new ValidationError('commit', 'missing', 'Give the commit the run was recorded at.');
  }
  if (typeof entry !== 'string' || entry.trim() === '') {
    throw new ValidationError(
      'entry',
      `run ${runId} was recorded at commit ${commit}, not at HEAD, and reproducing it there needs the training script that registers its classes`,
      'Name it: ml-tracking reproduce <run-id> --entry train.ts (or trainModel({ runId, entry })).',
    );
  }
  const storeUrl = await storeUrlOf(options.store, cwd);

  let interrupted: NodeJS.Signals | undefined;
  let stopChild: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    stopChild?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let worktree: TemporaryWorktree | undefined;
  try {
    worktree = await addTemporaryWorktree({ cwd, commit });
    const entryInWorktree = await entryPath(entry, cwd, worktree, commit);
    if (interrupted) throw interruptedError(runId, commit, interrupted);
    return await runChild({
      runId,
      commit,
      storeUrl,
      worktree,
      entry: entryInWorktree,
      onOutput: options.onOutput ?? ((line) => process.stderr.write(`${line}\n`)),
      onStart: (stop) => {
        stopChild = stop;
      },
    });
  } finally {
    stopChild = undefined;
    await worktree?.remove();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Our listener kept the signal from ending the process until the worktree was gone; now it
    // does what it would have done.
    if (interrupted) process.kill(process.pid, interrupted);
  }
}

/** The store's URL, for the child to open it again (also checks that the store opens). */
async function storeUrlOf(store: string | Store | undefined, cwd: string): Promise<string> {
  const url = await withStore(store, (opened) => Promise.resolve(opened.url), { cwd });
  if (url.startsWith('memory:')) {
    throw new ValidationError(
      'store',
      `${url} is a memory store, which another process cannot open`,
      'Reproducing at another commit runs the training in a child process: use a local folder or a gs:// store.',
    );
  }
  return url;
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
  commit: string;
  storeUrl: string;
  worktree: TemporaryWorktree;
  entry: string;
  onOutput: (line: string, stream: 'stdout' | 'stderr') => void;
  onStart: (stop: (signal: NodeJS.Signals) => void) => void;
}

async function runChild(options: RunChildOptions): Promise<TrainModelResult> {
  const { runId, commit, worktree } = options;
  const runner = runnerPath();
  const typeScript = [options.entry, runner].some((file) => /\.[mc]?ts$/i.test(file));
  const environment: NodeJS.ProcessEnv = { ...process.env };
  // The reproduction is a run of its own, not part of a run this process may belong to.
  for (const name of Object.values(RUN_ENVIRONMENT)) environment[name] = undefined;
  const child = spawn(
    process.execPath,
    [...(typeScript ? typeScriptLoader(worktree.cwd) : []), runner, options.entry],
    {
      cwd: worktree.cwd,
      env: {
        ...environment,
        ...worktree.gitEnvironment,
        [REPRODUCE_ENVIRONMENT.worktree]: worktree.path,
        [REPRODUCE_ENVIRONMENT.runId]: runId,
        [REPRODUCE_ENVIRONMENT.store]: options.storeUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      windowsHide: true,
    },
  );
  options.onStart((signal) => child.kill(signal));

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

/**
 * `--import <tsx>`: the project's own tsx (resolved from the worktree, so from its linked
 * node_modules), else ours. Node 22.18+ strips types by itself.
 */
function typeScriptLoader(folder: string): string[] {
  for (const base of [join(folder, 'package.json'), import.meta.url]) {
    try {
      return ['--import', createRequire(base).resolve('tsx')];
    } catch {
      // Not installed there.
    }
  }
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return [];
  throw new ValidationError(
    'entry',
    `a TypeScript entry needs a loader and tsx is not installed (Node ${process.versions.node})`,
    'Run `npm install --save-dev tsx` in the project, or name the compiled JavaScript entry.',
  );
}

function interruptedError(runId: string, commit: string, signal: NodeJS.Signals): ReproduceError {
  return new ReproduceError({
    runId,
    commit,
    problem: `interrupted by ${signal}`,
    exitCode: null,
    signal,
    outputTail: [],
  });
}

function isTrainModelResult(value: unknown): value is TrainModelResult {
  const result = value as Partial<TrainModelResult> | null;
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof result.runId === 'string' &&
    typeof result.metrics === 'object'
  );
}
