/**
 * The line a person types to run a run again, for every place that shows one (the dashboard's run
 * page and `ml-tracking run`): a `trainModel` run is reproduced by `ml-tracking reproduce` from
 * its stored data set, any other run by the command it recorded.
 */
import { fileURLToPath } from 'node:url';
import { MlTrackingError } from '../errors.js';
import { readModelRun } from '../records/model-run-records.js';
import type { Store } from '../store/types.js';
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
  if (record.command === undefined || record.command.length === 0) return undefined;
  const command = shellCommand(record.command);
  // Its relative paths (`python train.py`) mean something only in the folder it ran in.
  return {
    command:
      record.workingDirectory === undefined
        ? command
        : `cd ${shellCommand([record.workingDirectory])} && ${command}`,
  };
}

/** {@link reproduceLine} for a run of `store`, which is read for the run's model_runs row. */
export async function reproduceLineIn(
  store: Store,
  record: RunRecord,
): Promise<ReproduceLine | undefined> {
  return reproduceLine(record, {
    hasModelRun: await hasModelRun(store, record),
    storeUrl: store.url,
  });
}

/**
 * Whether a `trainModel` run has its model_runs row, which `ml-tracking reproduce` needs. A row
 * changed by hand reads as none: the run cannot be reproduced, and it is still shown.
 */
async function hasModelRun(store: Store, record: RunRecord): Promise<boolean> {
  if (record.origin !== 'train_model') return false;
  try {
    return (await readModelRun(store, record.id)) !== undefined;
  } catch (error) {
    if (error instanceof MlTrackingError && error.code === 'ERR_MODEL_RUN') return false;
    throw error;
  }
}
