/**
 * The progress records of the sweeps the dashboard shows, kept between requests: the sweep page
 * polls while a trial runs, and each poll then costs one listing of the sweep's progress folder
 * plus a read of each record rewritten since the last one (a trial that reached a new rung), not
 * a read per trial.
 */
import type { SkippedFile } from '../../skipped-files.js';
import { syncTrialProgress, type ProgressFiles } from '../../sweeps/read-trial-progress.js';
import type { TrialProgress } from '../../sweeps/sweep-progress.js';
import type { Store } from '../../store/types.js';

/** What one sweep's progress records hold now. */
export interface SweepProgressNow {
  records: TrialProgress[];
  /** Records that could not be read. */
  skipped: SkippedFile[];
}

/** Progress records by sweep, each brought up to date when asked for. */
export class SweepProgressCache {
  readonly #store: Store;
  readonly #known = new Map<string, ProgressFiles>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** `sweepId`'s records as the store holds them now. */
  async read(sweepId: string): Promise<SweepProgressNow> {
    const files = await syncTrialProgress(this.#store, sweepId, this.#known.get(sweepId));
    // Two requests at once each sync from what was known; either result is a whole, newer state.
    this.#known.set(sweepId, files);
    const now: SweepProgressNow = { records: [], skipped: [] };
    for (const file of files.values()) {
      if ('progress' in file) now.records.push(file.progress);
      else now.skipped.push(file.skipped);
    }
    return now;
  }
}
