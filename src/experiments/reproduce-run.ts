/**
 * Reproducing a `trainModel` run from its id: the one place that decides where it trains again.
 * In this process when the code at hand is the run's and the caller registered the classes
 * (`trainModel({ runId })`); in a child process through the user's entry file otherwise: in a
 * temporary worktree at the recorded commit when HEAD is another (`reproduceAtCommit`), else in
 * the working tree itself (`reproduceRun`, what `ml-tracking reproduce` runs).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NotFoundError, ValidationError } from '../errors.js';
import { modelRunPath } from '../layout/paths.js';
import { readModelRun, type ModelRunRow } from '../records/model-run-records.js';
import { checkRunId } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import type { RunContext } from '../tracking/run-context.js';
import {
  checkEntry,
  childStoreUrl,
  interruptible,
  runChild,
  type OnOutput,
} from './_child-training.js';
import { gitContext } from './_git-state.js';
import { reproduceHere } from './_reproduce-here.js';
import { REPRODUCE_ENVIRONMENT } from './_reproduce-environment.js';
import { reproduceAtCommit } from './reproduce-at-commit.js';
import { registry as sharedRegistry } from './registry.js';
import type { ReproduceModelOptions, TrainModelResult } from './train-model-options.js';

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
  /**
   * The training script that registers the classes. The child imports it, so it must train
   * only when run as the main module (`process.argv[1] === fileURLToPath(import.meta.url)`).
   */
  entry: string;
  /**
   * Reproduce even when the working tree has uncommitted changes (the new run records
   * `git_dirty`), as `trainModel`'s `allowDirty`. A worktree at the recorded commit is clean.
   * @default false
   */
  allowDirty?: boolean;
  /**
   * Called with each line the training prints, with its stream (a command line passes them to
   * its standard error). @default none: the lines are dropped (library code never prints)
   */
  onOutput?: OnOutput | undefined;
  /**
   * The interpreter of a Python entry (`train.py`): one that has `ml_tracking` installed, such
   * as a virtual environment's. @default python3
   */
  python?: string | undefined;
}

/** Where a reproduction trained. */
export interface RanAt {
  /** The commit of the code it ran (`undefined` outside a git repository). */
  commit: string | undefined;
  /**
   * `true`: in a temporary worktree at the recorded commit, which was not HEAD; `false`: in
   * the working tree itself, whose HEAD is the recorded commit.
   */
  worktree: boolean;
}

/** What {@link reproduceRun} did. */
export interface ReproduceRunResult extends TrainModelResult {
  /** Where the training ran. */
  ranAt: RanAt;
}

/**
 * Reproduces a `trainModel` run through the user's entry file, in a child process (so that the
 * entry registers its classes in the ml-tracking the project installed, whichever ml-tracking
 * calls this): at the recorded commit in a temporary worktree when HEAD is another commit (see
 * `reproduceAtCommit`), else in the working tree itself. What `ml-tracking reproduce` runs.
 * Nothing is printed: the training's lines go to `onOutput`.
 *
 * @throws NotFoundError when the run has no model_runs row (it is not a `trainModel` run).
 * @throws ValidationError for a missing entry or run id, a memory store, a run recorded at a
 *   commit outside a git repository, an entry outside the repository or not at that commit.
 * @throws CommitNotFoundError when the recorded commit is not in the repository.
 * @throws ReproduceError when the training fails in the child (its message, exit code and last
 *   lines), or SIGINT or SIGTERM stopped it (`interruptedBy`).
 * @example
 * const result = await reproduceRun({
 *   runId, entry: 'train.ts', store: './ml-tracking',
 *   onOutput: (line) => console.error(line),
 * });
 * console.log(result.ranAt.worktree, result.reproduced?.metricDifferences);
 */
export async function reproduceRun(options: ReproduceRunOptions): Promise<ReproduceRunResult> {
  const { result, ranAt } = await reproduce({ ...options, inThisProcess: false });
  return { ...result, ranAt };
}

/**
 * `trainModel({ runId })`: in this process with the caller's registry when the code at hand is
 * the run's, else at the recorded commit through `entry`.
 */
export async function reproduceModel(options: ReproduceModelOptions): Promise<TrainModelResult> {
  return (await reproduce({ ...options, inThisProcess: true })).result;
}

/** A reproduction asked for by {@link reproduceRun} or `trainModel`. */
interface Reproduction extends Omit<ReproduceModelOptions, 'entry'> {
  entry?: string | undefined;
  python?: string | undefined;
  /**
   * `true`: train in this process when the code at hand is the run's (the caller registered
   * the classes); `false`: always in a child process through `entry`.
   */
  inThisProcess: boolean;
}

/** Where a reproduction trains: decided by {@link placeReproduction} alone. */
export type Placement =
  | { where: 'this-process' }
  /** A child process in the working tree, whose HEAD is the recorded commit. */
  | { where: 'working-tree' }
  /** A child process in a temporary worktree at the recorded commit. */
  | { where: 'worktree'; commit: string };

async function reproduce(
  request: Reproduction,
): Promise<{ result: TrainModelResult; ranAt: RanAt }> {
  const { runId, entry, inThisProcess } = request;
  checkRunId(runId);
  if (!inThisProcess) checkEntry(entry, runId);
  const cwd = request.cwd ?? process.cwd();
  // Set in the child process of a worktree at the recorded commit, by its parent.
  const inWorktree = inThisProcess && Boolean(process.env[REPRODUCE_ENVIRONMENT.worktree]);

  const decided = await withStore(
    request.store,
    async (store) => {
      // A child opens the store again by its URL: a memory store is refused before anything.
      if (!inThisProcess) childStoreUrl(store);
      const { original, context, placement } = await locateReproduction(store, {
        runId,
        cwd,
        entry,
        inThisProcess,
        inWorktree,
      });
      if (placement.where !== 'this-process') {
        return { placement, storeUrl: childStoreUrl(store), head: context.gitCommit };
      }
      const result = await reproduceHere(original, {
        store,
        registry: request.registry ?? sharedRegistry,
        context,
        cwd: request.cwd,
        allowDirty: request.allowDirty,
        name: request.name,
        plots: request.plots ?? true,
        inWorktree,
      });
      return { done: { result, ranAt: { commit: context.gitCommit, worktree: false } } };
    },
    request.cwd === undefined ? {} : { cwd: request.cwd },
  );
  if ('done' in decided) return decided.done;

  const { placement, storeUrl, head } = decided;
  const folder = resolve(cwd);
  const allowDirty = request.allowDirty === true;
  if (placement.where === 'worktree') {
    const result = await reproduceAtCommit({
      runId,
      store: storeUrl,
      commit: placement.commit,
      cwd: folder,
      entry: entry!,
      allowDirty,
      onOutput: request.onOutput,
      python: request.python,
    });
    return { result, ranAt: { commit: placement.commit, worktree: true } };
  }
  const path = resolve(folder, entry!);
  if (!existsSync(path)) {
    throw new ValidationError(
      'entry',
      `${entry} does not exist in ${folder}`,
      'Name the training script that registers the classes, relative to the current folder.',
    );
  }
  const result = await interruptible(runId, head, (started) =>
    runChild({
      allowDirty,
      runId,
      commit: head,
      storeUrl,
      cwd: folder,
      entry: path,
      env: {},
      onOutput: request.onOutput,
      python: request.python,
      started,
    }),
  );
  return { result, ranAt: { commit: head, worktree: false } };
}

/** What is needed to reproduce a run, once read, and where it trains. */
export interface LocatedReproduction {
  original: ModelRunRow;
  context: RunContext;
  placement: Placement;
}

/**
 * Reads the run to reproduce and the git state at `cwd`, and decides where it trains by
 * {@link placeReproduction}: the first steps of every reproduction, whichever language trains.
 * @throws NotFoundError when the run has no model_runs row; ValidationError from the rule.
 */
export async function locateReproduction(
  store: Store,
  request: Omit<Parameters<typeof placeReproduction>[0], 'recorded' | 'head'>,
): Promise<LocatedReproduction> {
  const original = await readReproducibleRun(store, request.runId);
  const context = await gitContext(request.cwd, store);
  const placement = placeReproduction({
    ...request,
    recorded: original.gitCommit,
    head: context.gitCommit,
  });
  return { original, context, placement };
}

/**
 * The one rule for where a run trains again. Its code is the recorded commit's: the working
 * tree's when HEAD is that commit (or none was recorded), else a worktree's, which needs the
 * entry file to register that commit's classes.
 */
export function placeReproduction(facts: {
  runId: string;
  recorded: string | undefined;
  head: string | undefined;
  cwd: string;
  entry: string | undefined;
  inThisProcess: boolean;
  inWorktree: boolean;
  /** The entry named in messages. @default train.ts */
  exampleEntry?: string;
}): Placement {
  const { runId, recorded, head, cwd } = facts;
  // The child of a worktree at the recorded commit: the code at hand is the run's.
  if (facts.inWorktree) return { where: 'this-process' };
  if (recorded !== undefined && recorded !== head) {
    if (head === undefined) {
      throw new ValidationError(
        'cwd',
        `run ${runId} was trained at commit ${recorded}, and ${cwd} is not in a git repository`,
        'Reproduce from a clone of the repository the run was trained in.',
      );
    }
    if (facts.entry === undefined) {
      throw new ValidationError(
        'entry',
        `run ${runId} was trained at commit ${recorded}, but the working tree at ${cwd} is at ${head}`,
        `Pass entry (the training script that registers the classes) to reproduce it at its commit in a temporary worktree, e.g. ml-tracking reproduce ${runId} --entry ${facts.exampleEntry ?? 'train.ts'}; or check out ${recorded} and reproduce there.`,
      );
    }
    return { where: 'worktree', commit: recorded };
  }
  return facts.inThisProcess ? { where: 'this-process' } : { where: 'working-tree' };
}

/** The run's model_runs row, which only a `trainModel` run has. */
export async function readReproducibleRun(store: Store, runId: string): Promise<ModelRunRow> {
  const original = await readModelRun(store, runId);
  if (original !== undefined) return original;
  // The generic "no such object" would not say why a model_runs row is needed.
  throw new NotFoundError({
    operation: 'reproduce',
    store: store.url,
    path: modelRunPath(runId),
    message: `Cannot reproduce run ${runId}: ${store.url} has no ${modelRunPath(runId)}, so it holds no trainModel run of that id (only those can be reproduced).`,
    hint: `Check the id and the store: ml-tracking runs --store ${store.url} lists the runs, and ml-tracking run <id> shows a run's origin.`,
  });
}
