/**
 * `ml-tracking train-model begin`: the engine's part of a `trainModel` run before the model is
 * fitted in another program (Python's `train_model`, whose classes are registered there). It
 * checks the request and the loaded data as `trainModel` does, refuses a dirty working tree,
 * and answers the seeded split, computed by the same code as TypeScript's, so that a Python and
 * a TypeScript run of the same data and seed train and test on the same samples. It writes
 * nothing: the data set is stored by `finishTraining`, once the model trained.
 */
import type { ExperimentKind } from '../layout/tables.js';
import type { Store } from '../store/types.js';
import { slugifyProject } from '../tracking/project-name.js';
import { readDataFile } from './_data-file.js';
import { withCheckedTree } from './_git-state.js';
import { seededSplit, type Split } from './_split.js';
import { checkKind, checkSeed, checkTestFraction } from './_training-checks.js';

/** Options of {@link beginTraining}. */
export interface BeginTrainingOptions {
  /** The JSON file of the loaded samples, `{ x, y, ids? }`, as the dataset's `load()` gave them. */
  dataFile: string;
  /** The dataset's registered name, for messages. */
  dataset: string;
  kind: unknown;
  project: string;
  /** @default 0.2 */
  testFraction?: unknown;
  /** @default a random one */
  seed?: unknown;
  /** As `trainModel`'s `allowDirty`. @default false */
  allowDirty?: boolean;
  /** The git repository's folder. @default process.cwd() */
  cwd?: string;
  store?: string | Store;
}

/** What the fitting program needs to train, and to hand back to `finishTraining`. */
export interface BeginTrainingAnswer {
  project: string;
  kind: ExperimentKind;
  seed: number;
  testFraction: number;
  /** Row numbers of the loaded samples, each part ascending. */
  split: Split;
  gitCommit: string | null;
  gitDirty: boolean | null;
  /** What the run's warnings say about its git state. */
  warnings: string[];
}

/**
 * Checks a training request and its data, and splits.
 * @throws ValidationError for bad input or a dirty working tree (naming its files).
 */
export async function beginTraining(options: BeginTrainingOptions): Promise<BeginTrainingAnswer> {
  const project = slugifyProject(options.project);
  const kind = checkKind(options.kind, '--kind');
  const testFraction = checkTestFraction(options.testFraction, '--test-fraction');
  const seed = checkSeed(options.seed, '--seed');
  return withCheckedTree(options, async (_store, context, warnings) => {
    const loaded = await readDataFile(
      options.dataFile,
      `dataset (${options.dataset}'s load)`,
      kind,
    );
    return {
      project,
      kind,
      seed,
      testFraction,
      split: seededSplit(loaded.x.length, testFraction, seed),
      gitCommit: context.gitCommit ?? null,
      gitDirty: context.gitDirty ?? null,
      warnings,
    };
  });
}
