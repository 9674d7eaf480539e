/**
 * `logPredictionsCsv()`: what `ml-tracking log` does, for Node callers: a predictions CSV read
 * with `readPredictionsCsv` and logged with `logExperiment` in one call.
 */
import {
  logExperiment,
  type LogExperimentOptions,
  type LoggedExperiment,
} from '../log-experiment.js';
import type { ExperimentParameters } from '../validate.js';
import { rocAucWarning } from './_class-scores.js';
import { inputNames } from './_input-names.js';
import { readPredictionsCsv, type ReadPredictionsCsvOptions } from './read-predictions-csv.js';

/** Options of {@link logPredictionsCsv}: which columns to read, and what `logExperiment` records. */
export interface LogPredictionsCsvOptions
  extends
    ReadPredictionsCsvOptions,
    Omit<
      LogExperimentOptions,
      'kind' | 'parameters' | 'yTrue' | 'yPred' | 'yScore' | 'classes' | 'positiveLabel'
    > {
  /** As `logExperiment`'s, without `testSet`: the CSV's sample ids are the test set. */
  parameters: Omit<ExperimentParameters, 'testSet'>;
}

/**
 * Reads a predictions CSV (see `readPredictionsCsv`: only the needed columns, strict numbers, a
 * pandas index or byte-order mark handled, probability columns by name or prefix) and logs it
 * with `logExperiment`, its sample ids as the test set. Bad input, in the file or the options,
 * is refused before anything is written. The result's `warnings` name the probability columns
 * when `roc_auc` is below 0.5 (they probably hold the other class's probabilities, or are out of
 * order).
 *
 * @throws ValidationError for bad input, naming the input (a bad cell: its column, data row and
 *   line); nothing is written.
 * @throws OutdatedTrackerError as `logExperiment`.
 * @example
 * const logged = await logPredictionsCsv('predictions.csv', {
 *   kind: 'classification',
 *   project: 'churn',
 *   parameters: { datasetUri: 'gs://bucket/churn.csv', targetColumn: 'churned', model: { name: 'xgboost', params: { max_depth: 5 } } },
 *   yScore: 'proba_1',
 *   store: 'gs://my-bucket/ml-tracking',
 * });
 * console.log(logged.scores.roc_auc, logged.warnings);
 */
export async function logPredictionsCsv(
  file: string,
  options: LogPredictionsCsvOptions,
): Promise<LoggedExperiment> {
  const read = await readPredictionsCsv(file, options);
  const logged = await logExperiment({
    kind: options.kind,
    project: options.project,
    parameters: { ...options.parameters, testSet: read.sampleIds },
    yTrue: read.yTrue,
    yPred: read.yPred,
    ...(read.yScore !== undefined && { yScore: read.yScore }),
    ...(read.classes !== undefined && { classes: read.classes }),
    ...(read.positiveLabel !== undefined && { positiveLabel: read.positiveLabel }),
    ...(options.extraParameters !== undefined && { extraParameters: options.extraParameters }),
    ...(options.newCsv !== undefined && { newCsv: options.newCsv }),
    ...(options.store !== undefined && { store: options.store }),
    ...(options.plots !== undefined && { plots: options.plots }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  });
  if (read.scoreColumns === undefined) return logged;
  // The same finding as logExperiment's, said in the file's terms: which column holds what.
  const warning = rocAucWarning(
    logged.scores.roc_auc,
    read.scoreColumns,
    inputNames(options.inputNames),
  );
  return { ...logged, warnings: warning === undefined ? [] : [warning] };
}
