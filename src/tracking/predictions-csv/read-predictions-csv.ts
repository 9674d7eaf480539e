/**
 * `readPredictionsCsv()`: a user's predictions CSV (one row per test sample, as pandas'
 * `to_csv()` or any language writes it) read into what `logExperiment` takes.
 */
import { resolve } from 'node:path';
import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import type { Label } from '../../metrics/types.js';
import { checkKind } from '../validate.js';
import { classScoreOptions, type ScoreReading } from './_class-scores.js';
import { inputNames, type PredictionsCsvInputNames } from './_input-names.js';
import { readPredictionColumns } from './_read-columns.js';
import { scoreColumnNames, type ScoreOptions } from './_score-column-names.js';

export type { PredictionsCsvInputNames } from './_input-names.js';
export type { ScoreReading } from './_class-scores.js';

/** Options of {@link readPredictionsCsv}. */
export interface ReadPredictionsCsvOptions extends ScoreOptions {
  /**
   * `classification` (labels: numbers when every label of both columns is an integer written
   * as itself, else text, so `01` and `1` stay two classes) or `regression` (decimal numbers).
   */
  kind: ExperimentKind;
  /** The column of actual values. @default 'y_true' */
  yTrue?: string | undefined;
  /** The column of predicted values. @default 'y_pred' */
  yPred?: string | undefined;
  /**
   * The column of sample ids. @default `sample_id`, else an unnamed first column (the index that
   * pandas' `to_csv()` writes), else the row's position counting from 0, as pandas' default
   * index
   */
  sampleId?: string | undefined;
  /** The folder a relative `file` is read from. @default process.cwd() */
  cwd?: string;
  /**
   * What error messages and warnings call each input. A command-line front end passes its
   * flags (`{ file: '--predictions', yTrue: '--y-true', … }`) so that they name what its user
   * typed. @default the options' names (`file`, `yTrue`, `yScorePrefix`, …)
   */
  inputNames?: Partial<PredictionsCsvInputNames> | undefined;
}

/**
 * What {@link readPredictionsCsv} read: `sampleIds` are `parameters.testSet`, and the rest are
 * `logExperiment`'s options of the same names.
 */
export interface PredictionsCsv {
  /** One per row, in file order. */
  sampleIds: string[];
  /** Numbers for regression; labels for classification (numbers when `labelsAreNumbers`). */
  yTrue: Label[];
  yPred: Label[];
  /** The probability of the positive class (one column), or one row per sample (a column per class). */
  yScore?: number[] | number[][];
  /** With `yScorePrefix`: the class of each probability column, from its name. */
  classes?: Label[];
  /** The positive class: `positiveLabel` as a label of the run, or the class a single column holds. */
  positiveLabel?: Label;
  /** Whether the labels were read as numbers (every one an integer written as itself). */
  labelsAreNumbers: boolean;
  /** How the probability columns were read (which class each holds); `undefined` without them. */
  scoreColumns: ScoreReading | undefined;
}

/**
 * Reads a predictions CSV: streams it and keeps only the sample id, actual, predicted and
 * probability columns, so memory grows with those and not with the file. A UTF-8 byte-order
 * mark (Excel, pandas `encoding='utf-8-sig'`) is dropped; a pandas index column is the sample
 * id. Numbers are read strictly: a regression value or a probability is a plain decimal number
 * (not `0x10`, `Infinity`, `50%` or blank), and a bad cell is named by its column, data row
 * and line. Probability columns are named one by one (`yScore`: one column, the positive
 * class's, or one per class in sorted class order, as `predict_proba` gives them) or by a
 * prefix (`yScorePrefix`: each column named after its class, in any order).
 *
 * @throws ValidationError when the file cannot be read or is not CSV, a column is missing, it
 *   has no data rows, a cell is not a number where one is needed, or the probability columns
 *   do not fit the run's classes. Each names the input at fault.
 * @example
 * const read = await readPredictionsCsv('predictions.csv', {
 *   kind: 'classification',
 *   yScorePrefix: 'proba_',
 * });
 * const { sampleIds, scoreColumns, labelsAreNumbers, ...scores } = read;
 * await logExperiment({
 *   kind: 'classification',
 *   project: 'churn',
 *   parameters: { datasetUri: 'gs://bucket/churn.csv', targetColumn: 'churned', testSet: sampleIds, model },
 *   ...scores,
 * });
 */
export async function readPredictionsCsv(
  file: string,
  options: ReadPredictionsCsvOptions,
): Promise<PredictionsCsv> {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new ValidationError(
      'options',
      'no options were given',
      "Pass { kind: 'classification' } or { kind: 'regression' }, and the columns when they are not y_true and y_pred.",
    );
  }
  const names = inputNames(options.inputNames);
  const kind = checkKind(options.kind);
  if (typeof file !== 'string') {
    throw new ValidationError(
      names.file,
      'it is not a path',
      'Give the path of a CSV file with a header row.',
    );
  }
  const columns = {
    yTrue: options.yTrue ?? 'y_true',
    yPred: options.yPred ?? 'y_pred',
    sampleId: options.sampleId,
    yScore: scoreColumnNames(kind, options, names),
  };
  const read = await readPredictionColumns({
    file,
    path: resolve(options.cwd ?? '', file),
    kind,
    columns,
    names,
  });
  const { reading, ...scores } =
    kind === 'classification' ? classScoreOptions(read, options, names) : { reading: undefined };
  return {
    sampleIds: read.sampleIds,
    yTrue: read.yTrue,
    yPred: read.yPred,
    ...scores,
    labelsAreNumbers: read.labelsAreNumbers,
    scoreColumns: reading,
  };
}
