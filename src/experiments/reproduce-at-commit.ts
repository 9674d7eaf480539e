/**
 * Reproducing a `trainModel` run at the commit it was recorded at: the commit's code is checked
 * out into a temporary `git worktree`, and a child process there imports the user's entry file
 * (which registers the commit's classes) and runs `trainModel({ runId })`, which retrains on the
 * run's stored data set with its recorded parameters and records a new run pointing at it.
 * Whether a run needs this is decided by `reproduceRun` (`reproduce-run.ts`) alone.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { checkRunId } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import {
  checkEntry,
  childStoreUrl,
  interruptible,
  runChild,
  type OnOutput,
} from './_child-training.js';
import { addTemporaryWorktree, type TemporaryWorktree } from './_git-worktree.js';
import { REPRODUCE_ENVIRONMENT } from './_reproduce-environment.js';
import type { TrainModelResult } from './train-model-options.js';

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
   * Called with each line the child prints (the training's progress; a command line passes
   * them to its standard error). @default none: the lines are dropped (library code never
   * prints); the last lines of standard error are in a ReproduceError all the same
   */
  onOutput?: OnOutput | undefined;
  /** The interpreter of a Python entry (`train.py`). @default python3 */
  python?: string | undefined;
}

/**
 * Reproduces a `trainModel` run at the commit it was recorded at, in a child process in a
 * temporary `git worktree` of that commit (the user's work tree is not touched), and removes the
 * worktree afterwards, also when the training fails or this process gets SIGINT or SIGTERM (the
 * child is stopped, and the promise rejects with a ReproduceError whose `interruptedBy` is the
 * signal: while it runs, the signal does not end the process by itself). The worktree
 * gets the repository's `node_modules` by a link: the code is the commit's, the dependencies are
 * today's. `reproduceRun` (and so `trainModel({ runId, entry })`) calls this when the recorded
 * commit is not HEAD.
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
        onOutput: options.onOutput,
        python: options.python,
        scratch: dirname(worktree.path),
        onSpawn: (pid) => {
          worktree.guardProcess(pid);
        },
        started,
      });
    } finally {
      await worktree.remove();
    }
  });
}

/** The store's URL, for the child to open it again (also checks that the store opens). */
function storeUrlOf(store: string | Store | undefined, cwd: string): Promise<string> {
  return withStore(store, (opened) => Promise.resolve(childStoreUrl(opened)), { cwd });
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
