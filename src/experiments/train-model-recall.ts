/**
 * `ml-tracking train-model recall`: what another program (Python's `train_model(run_id=…)`)
 * needs to reproduce a `trainModel` run: the recorded spec, the stored data set (not the source,
 * which may have changed) and its seeded split, or, when the run's commit is not HEAD, that it
 * must run at that commit (`ml-tracking reproduce --entry`). Where it trains is decided by
 * `reproduceRun`'s rule, which this shares; it writes nothing.
 */
import { checkRunId } from '../runs/read-runs.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { REPRODUCE_ENVIRONMENT } from './_reproduce-environment.js';
import { planReproduction } from './_reproduction-plan.js';
import { seededSplit, type Split } from './_split.js';
import type { TrainingSpec } from './_train-run.js';
import type { Samples } from './registry.js';
import { locateReproduction } from './reproduce-run.js';

/** Options of {@link recallTraining}. */
export interface RecallTrainingOptions {
  runId: string;
  /** The training script, for a run at another commit than HEAD. */
  entry?: string | undefined;
  allowDirty?: boolean | undefined;
  name?: string | undefined;
  cwd?: string;
  store?: string | Store;
  /** Where `ML_TRACKING_REPRODUCE_WORKTREE` is read. @default process.env */
  env?: Record<string, string | undefined>;
}

/** What {@link recallTraining} answers. */
export type RecallTrainingAnswer =
  | {
      where: 'here';
      runId: string;
      spec: TrainingSpec;
      /** The stored data set and its path. */
      data: Samples;
      artifact: string;
      split: Split;
      /** The new run's name. */
      name: string | null;
      gitCommit: string | null;
      gitDirty: boolean | null;
      warnings: string[];
    }
  /** The code at hand is not the run's: reproduce it at `commit` through the entry. */
  | { where: 'worktree'; runId: string; commit: string };

/**
 * Reads a run to reproduce.
 * @throws NotFoundError when it has no model_runs row; ValidationError for a dirty tree or a
 *   run at another commit without an entry.
 */
export function recallTraining(options: RecallTrainingOptions): Promise<RecallTrainingAnswer> {
  const { runId } = options;
  checkRunId(runId);
  const cwd = options.cwd ?? process.cwd();
  const inWorktree = Boolean((options.env ?? process.env)[REPRODUCE_ENVIRONMENT.worktree]);
  return withStore(
    options.store,
    async (store) => {
      const { original, context, placement } = await locateReproduction(store, {
        runId,
        cwd,
        entry: options.entry,
        inThisProcess: true,
        inWorktree,
        exampleEntry: 'train.py',
      });
      if (placement.where === 'worktree') {
        return { where: 'worktree', runId, commit: placement.commit };
      }
      const plan = await planReproduction(original, {
        store,
        context,
        cwd: options.cwd,
        allowDirty: options.allowDirty,
        name: options.name,
        inWorktree,
      });
      return {
        where: 'here',
        runId,
        spec: plan.spec,
        data: plan.loaded,
        artifact: plan.datasetPath,
        split: seededSplit(plan.loaded.x.length, plan.spec.testFraction, plan.spec.seed),
        name: plan.name ?? null,
        gitCommit: context.gitCommit ?? null,
        gitDirty: context.gitDirty ?? null,
        warnings: plan.warnings,
      };
    },
    options.cwd === undefined ? {} : { cwd: options.cwd },
  );
}
