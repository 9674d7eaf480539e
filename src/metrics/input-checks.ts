import { ValidationError } from '../errors.js';
import { compareLabels } from './_labels.js';
import type { Label } from './types.js';

/**
 * The one check of each metric input, shared by the public metric functions and by
 * `validateExperiment`, which pass their own parameter names (`options.yScore` or `yScore`).
 * Each throws a {@link ValidationError} that names the parameter, the value and the fix.
 */

/**
 * The largest magnitude of a regression value. Beyond it, errors, their squares and their sums
 * could overflow float64 and turn metrics and residuals into `Infinity`: within it |error| ≤
 * 2e100 and a sum of 2^53 squared errors stays below 4e216. Such values are almost always a
 * sentinel for "missing" (1e300, `Number.MAX_VALUE`), not a measurement.
 */
export const MAX_REGRESSION_MAGNITUDE = 1e100;

/** The type of the labels of one run: a run uses one. */
export type LabelType = 'string' | 'number' | 'boolean';

/** The parameter names under which a caller receives the classification options. */
export interface ClassificationParameterNames {
  yScore: string;
  classes: string;
  positiveLabel: string;
}

/**
 * Who checks the rows of a row-shaped `yScore`: these checks (`'here'`), or the caller, whose
 * own pass over the rows finds the first bad one (`'caller'`, see {@link throwBadScoreRow}): at
 * a million rows, reading them is most of what the probability metrics cost, so they are read
 * once.
 */
export type RowValueCheck = 'here' | 'caller';

/**
 * What `yScore` holds: `probabilities` in [0, 1] (what `logExperiment` records), or any finite
 * `scores` (decision-function values are fine for ROC AUC).
 */
export type ScoreRange = 'probabilities' | 'scores';

/** Throws unless `values` is a non-empty array or typed array. */
export function checkArray(name: string, values: unknown, what: string): ArrayLike<unknown> {
  const isArrayLike =
    Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
  if (!isArrayLike) {
    throw new ValidationError(
      name,
      'it is missing or not an array',
      `Pass in ${what}, as an array.`,
    );
  }
  const array = values as ArrayLike<unknown>;
  if (array.length === 0) throw new ValidationError(name, 'it is empty', `Pass in ${what}.`);
  return array;
}

/** Throws unless `values` has one entry per entry of `reference` (`length` of them). */
export function checkLength(
  name: string,
  values: ArrayLike<unknown>,
  length: number,
  reference: string,
): void {
  if (values.length !== length) {
    throw new ValidationError(
      name,
      `it has ${values.length} values but ${reference} has ${length}`,
      `Pass one value per test sample, in the order of ${reference}.`,
    );
  }
}

/**
 * Why `value` cannot be a regression value, as the fix to show, or `undefined` when it can: it
 * must be a finite number within ±{@link MAX_REGRESSION_MAGNITUDE}.
 */
export function regressionValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return 'Regression values must be finite numbers: drop or impute NaN and infinite values first.';
  }
  if (Math.abs(value) > MAX_REGRESSION_MAGNITUDE) {
    return 'Regression values must lie within ±1e100 (larger ones are usually sentinels for a missing value, and their squared errors overflow): drop or impute them first.';
  }
  return undefined;
}

/** Throws unless every value passes {@link regressionValueProblem}. */
export function checkRegressionValues(
  name: string,
  values: ArrayLike<unknown>,
): asserts values is ArrayLike<number> {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    // The common case without a call: NaN fails the comparison too.
    if (typeof value === 'number' && Math.abs(value) <= MAX_REGRESSION_MAGNITUDE) continue;
    const fix = regressionValueProblem(value);
    if (fix !== undefined) {
      throw new ValidationError(name, `${name}[${index}] is ${describeValue(value)}`, fix);
    }
  }
}

/**
 * Throws unless every value is a class label (a string, an integer or a boolean) of one type,
 * `expected` when given (the type of the other label array). Returns that type.
 */
export function checkLabels(
  name: string,
  values: ArrayLike<unknown>,
  expected?: LabelType,
): LabelType {
  let type = expected;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    const valueType = labelTypeOf(value);
    if (valueType === undefined) {
      throw new ValidationError(
        name,
        `${name}[${index}] is ${describeValue(value)}`,
        'Classification labels must be strings, integers or booleans (convert BigInts with Number() or String()).',
      );
    }
    type ??= valueType;
    if (valueType !== type) {
      throw new ValidationError(
        name,
        `${name}[${index}] is a ${valueType} but the labels so far are ${type}s`,
        'Use one type of label for yTrue and yPred, e.g. all strings.',
      );
    }
  }
  return type ?? 'string';
}

/**
 * The classes of a problem: those seen, plus an explicit positive label that the run never
 * shows when it shows only one class (a binary problem whose run lacks one class).
 */
export function problemClasses(seen: readonly Label[], positiveLabel: Label | undefined): Label[] {
  if (positiveLabel === undefined || seen.length >= 2 || seen.includes(positiveLabel)) {
    return seen.slice();
  }
  return [...seen, positiveLabel].sort(compareLabels);
}

/**
 * Checks `positiveLabel`, `classes` and `yScore` against the labels of a run (`seen`, sorted,
 * all of type `labelType`, `n` samples) and returns the labels of the `yScore` columns:
 * `classes`, else the problem's classes.
 *
 * - `positiveLabel`: a label of the run's type; one of the two classes of a binary run.
 * - `classes`: an array of distinct labels of the run's type, holding every label of the run
 *   and the positive label of a binary problem.
 * - `yScore`: one value per sample (at most two classes) or one row per sample with one value
 *   per class, each a number in [0, 1] (`probabilities`) or finite (`scores`).
 *
 * @param rowValues `'caller'` leaves the rows of a row-shaped `yScore` unread: the caller reads
 *   every row anyway and reports the first bad one with {@link throwBadScoreRow}.
 */
export function checkClassificationOptions(
  options: { yScore?: unknown; classes?: unknown; positiveLabel?: unknown },
  run: { seen: readonly Label[]; labelType: LabelType; n: number },
  names: ClassificationParameterNames,
  range: ScoreRange,
  rowValues: RowValueCheck = 'here',
): readonly Label[] {
  const { seen, labelType, n } = run;
  const positiveLabel = checkPositiveLabel(names.positiveLabel, options.positiveLabel, run);
  const problem = problemClasses(seen, positiveLabel);
  let columns: readonly Label[] = problem;
  if (options.classes !== undefined) {
    columns = checkClasses(names.classes, options.classes, labelType);
    const known = new Set(columns);
    for (const label of problem) {
      if (!known.has(label)) {
        const where = seen.includes(label)
          ? 'which occurs in yTrue or yPred'
          : 'the positive label';
        throw new ValidationError(
          names.classes,
          `it lacks the label ${describeLabel(label)}, ${where}`,
          'List every class of the model (every label of yTrue and yPred), in the order of the yScore columns.',
        );
      }
    }
  }
  if (options.yScore !== undefined) {
    checkScores(names.yScore, options.yScore, n, columns, range, rowValues);
  }
  return columns;
}

function checkPositiveLabel(
  name: string,
  positiveLabel: unknown,
  run: { seen: readonly Label[]; labelType: LabelType },
): Label | undefined {
  if (positiveLabel === undefined) return undefined;
  const type = labelTypeOf(positiveLabel);
  if (type !== run.labelType) {
    throw new ValidationError(
      name,
      `it is ${describeValue(positiveLabel)} but the labels are ${run.labelType}s`,
      'Pass one of the labels of yTrue and yPred, of the same type.',
    );
  }
  const label = positiveLabel as Label;
  if (run.seen.length === 2 && !run.seen.includes(label)) {
    throw new ValidationError(
      name,
      `${String(label)} is not one of the classes ${labelList(run.seen)}`,
      'Pass one of the two labels of the binary problem.',
    );
  }
  return label;
}

function checkClasses(name: string, classes: unknown, labelType: LabelType): readonly Label[] {
  const fix = `Pass the labels of the yScore columns as an array of ${labelType}s, each once (e.g. Array.from(model.classes)).`;
  if (!Array.isArray(classes)) {
    throw new ValidationError(name, `it is ${describeValue(classes)}, not an array`, fix);
  }
  const known = new Set<unknown>();
  (classes as unknown[]).forEach((label, index) => {
    if (labelTypeOf(label) !== labelType) {
      throw new ValidationError(
        name,
        `${name}[${index}] is ${describeValue(label)} but the labels are ${labelType}s`,
        fix,
      );
    }
    if (known.has(label)) {
      throw new ValidationError(name, `it lists ${describeLabel(label as Label)} twice`, fix);
    }
    known.add(label);
  });
  return classes as Label[];
}

function checkScores(
  name: string,
  yScore: unknown,
  n: number,
  columns: readonly Label[],
  range: ScoreRange,
  rowValues: RowValueCheck,
): void {
  const rows = checkArray(name, yScore, 'the predicted probabilities');
  if (rows.length !== n) {
    throw new ValidationError(
      name,
      `it has ${rows.length} rows for ${n} test samples`,
      'Pass one probability (row) per test sample.',
    );
  }
  if (typeof rows[0] === 'number') {
    if (columns.length > 2) {
      throw new ValidationError(
        name,
        `it holds one probability per sample, but there are ${columns.length} classes`,
        'For more than two classes, pass one row of probabilities per sample (one column per class).',
      );
    }
    checkScoreValues(name, rows, range, undefined);
    return;
  }
  if (rowValues === 'caller') return;
  const index = firstBadRow(rows, columns.length, range === 'probabilities');
  if (index >= 0) throwBadScoreRow(name, rows, index, columns, range);
}

/**
 * Throws the {@link ValidationError} for row `index` of `yScore`, found wrong by a pass over the
 * rows: not an array of one number per class, or holding a value out of `range`.
 */
export function throwBadScoreRow(
  name: string,
  rows: ArrayLike<unknown>,
  index: number,
  columns: readonly Label[],
  range: ScoreRange,
): never {
  const width = columns.length;
  const row = rows[index];
  const isRow = Array.isArray(row) || (ArrayBuffer.isView(row) && !(row instanceof DataView));
  const length = isRow ? (row as ArrayLike<unknown>).length : undefined;
  if (length !== width) {
    throw new ValidationError(
      name,
      isRow
        ? `row ${index} has ${length} probabilities for ${width} classes (${labelList(columns)})`
        : `row ${index} is ${describeValue(row)}, not a row of probabilities`,
      'Pass one probability per class in every row, columns in the order of classes (sorted labels by default).',
    );
  }
  checkScoreValues(name, row as ArrayLike<unknown>, range, index);
  throw new Error(`Internal error: row ${index} of ${name} was found wrong, then right`);
}

/**
 * The index of the first row that is not an array of `width` numbers in range (see
 * {@link checkScoreValues}), or -1. Only finds it: the caller says what is wrong. A loop alone
 * in its function, with nothing allocated per row: V8 then compiles it whole, and a million rows
 * take a few tens of milliseconds.
 */
function firstBadRow(rows: ArrayLike<unknown>, width: number, probabilities: boolean): number {
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index];
    const isRow = Array.isArray(row) || (ArrayBuffer.isView(row) && !(row instanceof DataView));
    if (!isRow || (row as ArrayLike<unknown>).length !== width) return index;
    for (let column = 0; column < width; column += 1) {
      const value = (row as ArrayLike<unknown>)[column];
      const fine =
        typeof value === 'number' &&
        (probabilities ? value >= 0 && value <= 1 : Number.isFinite(value));
      if (!fine) return index;
    }
  }
  return -1;
}

/**
 * Throws unless every value is a probability (or a finite score); `row` is the row's index in
 * yScore, undefined for one value per sample. No closure for the message: this runs once per
 * row, a million times for a million samples.
 */
function checkScoreValues(
  name: string,
  values: ArrayLike<unknown>,
  range: ScoreRange,
  row: number | undefined,
): void {
  const probabilities = range === 'probabilities';
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    const fine =
      typeof value === 'number' &&
      (probabilities ? value >= 0 && value <= 1 : Number.isFinite(value));
    if (!fine) {
      const where = row === undefined ? `${name}[${index}]` : `${name}[${row}][${index}]`;
      throw new ValidationError(
        name,
        `${where} is ${describeValue(value)}`,
        probabilities
          ? 'Probabilities must be numbers between 0 and 1.'
          : 'Scores must be finite numbers: probabilities, or decision-function values.',
      );
    }
  }
}

function labelTypeOf(value: unknown): LabelType | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as LabelType;
  return Number.isInteger(value) ? 'number' : undefined;
}

/** Labels as an error message lists them. */
export function labelList(labels: readonly Label[]): string {
  return labels.map(String).join(', ');
}

function describeLabel(label: Label): string {
  return typeof label === 'string' ? JSON.stringify(label) : String(label);
}

/** Any value, as an error message shows it; never throws (BigInts, cycles, hostile getters). */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `the string ${truncate(JSON.stringify(value))}`;
    case 'number':
      return String(value);
    case 'bigint':
      return `the BigInt ${value}n`;
    case 'undefined':
      return 'missing';
    case 'symbol':
      return `a symbol (${String(value.description)})`;
    case 'function':
      return 'a function';
    case 'boolean':
      return `${value} (boolean)`;
    default:
      break;
  }
  if (value === null) return 'null';
  let json: string | undefined;
  try {
    // undefined for objects JSON cannot represent (e.g. a toJSON that returns undefined).
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return json === undefined ? 'an object that has no JSON form' : `${truncate(json)} (object)`;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
