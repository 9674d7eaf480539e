/**
 * The line a person types to run a run again, for every place that shows one (the dashboard's run
 * page; `ml-tracking run` should too): a `trainModel` run is reproduced by `ml-tracking reproduce`
 * from its stored data set, any other run by the command it recorded.
 */
import { fileURLToPath } from 'node:url';
import type { RunRecord } from './run-record.js';
import { shellCommand } from './shell-command.js';

/** How to run a run again. */
export interface ReproduceLine {
  /** One shell line. */
  command: string;
  /** What the line leaves to the reader to fill in, when anything. */
  note?: string;
}

/** Options of {@link reproduceLine}. */
export interface ReproduceLineOptions {
  /** Whether the run has a model_runs row (a `trainModel` run that got as far as recording). */
  hasModelRun: boolean;
  /** The store the run is in: `ml-tracking reproduce` reads the run and its data set there. */
  storeUrl: string;
}

/** The place holder of the script `ml-tracking reproduce` imports, which no record names. */
export const ENTRY_PLACEHOLDER = 'ENTRY';

/**
 * How to run `record` again, or `undefined` when nothing says how (a logger's run without argv).
 * @example reproduceLine(record, { hasModelRun: true, storeUrl: store.url }).command
 * // 'ml-tracking reproduce 20261124T101530123Z-1a2b3c4d --store /data/runs --entry ENTRY'
 */
export function reproduceLine(
  record: RunRecord,
  options: ReproduceLineOptions,
): ReproduceLine | undefined {
  if (options.hasModelRun) {
    // A local store as the path a person would type; a bucket stays a gs:// URL.
    const store = options.storeUrl.startsWith('file:')
      ? fileURLToPath(options.storeUrl)
      : options.storeUrl;
    return {
      command: shellCommand([
        'ml-tracking',
        'reproduce',
        record.id,
        '--store',
        store,
        '--entry',
        ENTRY_PLACEHOLDER,
      ]),
      note: `${ENTRY_PLACEHOLDER}: the training script that registers the run's classes, e.g. train.ts or train.py (ml-tracking reproduce imports it as --entry; the run does not record it).`,
    };
  }
  if (record.command === undefined) return undefined;
  return { command: shellCommand(record.command) };
}
