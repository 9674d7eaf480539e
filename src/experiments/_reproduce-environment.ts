/**
 * The variables a reproduction's child process is started with: read by its runner
 * (`_reproduce-child.ts`) and by `trainModel` in the child, written by the parent. An installed
 * ml-tracking of another version reads the same names, so they never change.
 */
export const REPRODUCE_ENVIRONMENT = {
  /** The worktree the child runs in: `trainModel` reproduces in place when it is set. */
  worktree: 'ML_TRACKING_REPRODUCE_WORKTREE',
  /** The run to reproduce. */
  runId: 'ML_TRACKING_REPRODUCE_RUN_ID',
  /** The store's URL. */
  store: 'ML_TRACKING_STORE',
  /** `1`: pass `allowDirty: true` to `trainModel`. */
  allowDirty: 'ML_TRACKING_REPRODUCE_ALLOW_DIRTY',
  /** A Python entry's child writes its result (a ReproduceChildMessage) to this file. */
  result: 'ML_TRACKING_REPRODUCE_RESULT',
} as const;
