/**
 * A trial number is claimed once, but run again when its attempt was given up: its agent was lost
 * (the next agent took the claim over and closed the run `lost`) or stopped by SIGINT/SIGTERM (the
 * run reads `failed` with {@link RELEASED_TRIAL_ERROR} and the claim goes back to the queue). Such
 * a trial has a run per attempt; readers show the latest as the trial's and the others as replaced.
 */
import type { RunRecord } from '../runs/run-record.js';

/** The `error` of a trial's run when its agent was stopped and gave the trial back. */
export const RELEASED_TRIAL_ERROR = 'the sweep was interrupted; the trial goes back to the queue';

/** Whether an attempt's run ended in a way that sends its trial to another attempt. */
function givenUp(run: RunRecord): boolean {
  return run.status === 'lost' || (run.status === 'failed' && run.error === RELEASED_TRIAL_ERROR);
}

/**
 * The runs of `runs` that another attempt of the same trial replaced. A trial's own run is the
 * one that was not given up (only a given-up attempt is retried, so there is at most one); while
 * every attempt so far was given up (the last one not yet taken over), the last started.
 */
export function replacedAttempts(runs: readonly RunRecord[]): Set<string> {
  const current = new Map<number, RunRecord>();
  const rank = (run: RunRecord) => [givenUp(run) ? 0 : 1, run.startedAt.getTime()] as const;
  for (const run of runs) {
    if (run.trial === undefined) continue;
    const seen = current.get(run.trial);
    if (seen === undefined) {
      current.set(run.trial, run);
      continue;
    }
    const [a, b] = [rank(run), rank(seen)];
    if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) current.set(run.trial, run);
  }
  const replaced = new Set<string>();
  for (const run of runs) {
    if (run.trial !== undefined && current.get(run.trial) !== run) replaced.add(run.id);
  }
  return replaced;
}
