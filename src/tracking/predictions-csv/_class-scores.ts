import { ValidationError } from '../../errors.js';
import { compareLabels } from '../../metrics/index.js';
import { labelList, problemClasses } from '../../metrics/input-checks.js';
import type { Label } from '../../metrics/types.js';
import { isCanonicalInteger } from './_cells.js';
import { worded, type PredictionsCsvInputNames } from './_input-names.js';
import type { PredictionColumns } from './_read-columns.js';
import type { ScoreOptions } from './_score-column-names.js';

/** What `logExperiment` takes about probabilities, and what the roc_auc warning needs. */
export interface ClassScoreOptions {
  yScore?: number[] | number[][];
  classes?: Label[];
  positiveLabel?: Label;
  /** How the probability columns were read, for {@link rocAucWarning}. */
  reading: ScoreReading | undefined;
}

/** How the probability columns of a predictions CSV were read. */
export type ScoreReading =
  /** One column: the probability of `positive`. */
  | { column: string; positive: Label }
  /** One column per class, `classes` in column order. */
  | { columns: string[]; classes: readonly Label[]; byName: boolean };

/**
 * Turns the probability columns read from the CSV into `logExperiment`'s `yScore`, `classes`
 * and `positiveLabel`, checking them against the run with the inputs' names in every message:
 *
 * - one column is the probability of the positive class, which is `positiveLabel`, else
 *   (with a prefix) the class in the column's name, else the greater of the two labels;
 * - a list of columns holds one per class in sorted class order (as scikit-learn's
 *   `predict_proba` gives them), so it must have as many columns as the run has classes;
 * - prefixed columns name their classes, which must cover every label of the run.
 */
export function classScoreOptions(
  predictions: PredictionColumns,
  given: ScoreOptions,
  names: PredictionsCsvInputNames,
): ClassScoreOptions {
  const seen = sortedLabels(predictions.yTrue, predictions.yPred);
  const scores = predictions.yScore;
  let positive =
    given.positiveLabel === undefined
      ? undefined
      : parsePositiveLabel(String(given.positiveLabel), predictions.labelsAreNumbers, seen, names);
  const parameter = given.yScorePrefix === undefined ? names.yScore : names.yScorePrefix;

  if (scores === undefined) {
    return { ...(positive === undefined ? {} : { positiveLabel: positive }), reading: undefined };
  }
  if (scores.names.length === 1) {
    const column = scores.names[0]!;
    const named = scores.classes?.[0];
    if (named !== undefined) {
      if (positive !== undefined && positive !== named) {
        throw new ValidationError(
          names.positiveLabel,
          `it is ${showLabel(positive)}, but the only probability column, ${JSON.stringify(column)}, holds the probabilities of ${showLabel(named)}`,
          `Leave out ${names.positiveLabel}, or give the column of that class.`,
        );
      }
      if (seen.length === 2 && !seen.includes(named)) {
        throw new ValidationError(
          parameter,
          `the column ${JSON.stringify(column)} names the class ${showLabel(named)}, which is not one of the classes ${labelList(seen)}`,
          'Name the probability column after one of the two classes.',
        );
      }
      positive = named;
    }
    const problem = problemClasses(seen, positive);
    if (problem.length > 2) {
      throw new ValidationError(
        parameter,
        `it names one column, ${JSON.stringify(column)}, which holds the probability of the positive class of a binary problem, but the run has ${problem.length} classes (${labelList(problem)})`,
        `Give one probability column per class: ${worded(
          names,
          `${names.yScore} with a comma-separated list in sorted class order`,
          `${names.yScore} with a list in sorted class order`,
        )}, or ${names.yScorePrefix}.`,
      );
    }
    positive ??= problem[problem.length - 1]!;
    return {
      yScore: scores.values,
      positiveLabel: positive,
      reading: { column, positive },
    };
  }

  const rows = scores.values as number[][];
  const problem = problemClasses(seen, positive);
  if (scores.classes === undefined) {
    if (scores.names.length !== problem.length) {
      throw new ValidationError(
        parameter,
        `it names ${scores.names.length} columns, but the run has ${problem.length} classes (${labelList(problem)})`,
        `Name one column per class in sorted class order; for classes that the test set never shows, name the columns after their classes and use ${names.yScorePrefix}.`,
      );
    }
    return {
      yScore: rows,
      ...(positive === undefined ? {} : { positiveLabel: positive }),
      reading: { columns: scores.names, classes: problem, byName: false },
    };
  }
  const classes = scores.classes;
  const missing = problem.find((label) => !classes.includes(label));
  if (missing !== undefined) {
    throw new ValidationError(
      parameter,
      `no column is named after the class ${showLabel(missing)} (${seen.includes(missing) ? 'a label of the run' : 'the positive label'}); the columns are ${scores.names.join(', ')}`,
      `Give every class a probability column named ${given.yScorePrefix ?? ''}<class>.`,
    );
  }
  return {
    yScore: rows,
    classes,
    ...(positive === undefined ? {} : { positiveLabel: positive }),
    reading: { columns: scores.names, classes, byName: true },
  };
}

/**
 * The positive label as a label of the run: a number when the labels are numbers. It must be
 * one of the two classes of a binary run; more than two classes have no positive class.
 */
function parsePositiveLabel(
  text: string,
  labelsAreNumbers: boolean,
  seen: Label[],
  names: PredictionsCsvInputNames,
): Label {
  const fix = `Give one of the labels as the CSV writes them: ${labelList(seen)}.`;
  if (labelsAreNumbers && !isCanonicalInteger(text)) {
    throw new ValidationError(
      names.positiveLabel,
      `${JSON.stringify(text)} is not one of the labels, which are integers`,
      fix,
    );
  }
  const label = labelsAreNumbers ? Number(text) : text;
  if (seen.length > 2) {
    throw new ValidationError(
      names.positiveLabel,
      `it applies to binary problems, and this run has ${seen.length} classes (${labelList(seen)})`,
      'Leave it out: every class of a multiclass problem is scored one-vs-rest.',
    );
  }
  if (seen.length === 2 && !seen.includes(label)) {
    throw new ValidationError(
      names.positiveLabel,
      `${JSON.stringify(text)} is not one of the two classes`,
      fix,
    );
  }
  return label;
}

/**
 * A one-line warning when `roc_auc` is below 0.5: scores that rank the classes backwards almost
 * always mean that a column holds the other class's probabilities, not a model worse than chance.
 */
export function rocAucWarning(
  rocAuc: number | undefined,
  reading: ScoreReading | undefined,
  names: PredictionsCsvInputNames,
): string | undefined {
  if (rocAuc === undefined || reading === undefined || !(rocAuc < 0.5)) return undefined;
  const auc = `roc_auc is ${rocAuc.toPrecision(4)}, below 0.5 (worse than chance)`;
  if ('column' in reading) {
    return `${auc}: the column ${JSON.stringify(reading.column)} is read as the probability of the positive class, ${showLabel(reading.positive)}, but probably holds the other class's: give that class as ${names.positiveLabel}, or the other column.`;
  }
  const pairs = reading.columns.map(
    (column, index) => `${column}=${showLabel(reading.classes[index]!)}`,
  );
  return `${auc}: the probability columns are probably ${reading.byName ? 'misnamed' : 'out of order'}; they are read as ${pairs.join(', ')}${reading.byName ? '' : ' (sorted class order)'}.`;
}

/** A label as messages show it: text quoted, so that "1" and 1 differ. */
function showLabel(label: Label): string {
  return typeof label === 'string' ? JSON.stringify(label) : String(label);
}

/** The labels of the run, in scikit-learn's order. */
function sortedLabels(...arrays: Label[][]): Label[] {
  const labels = new Set<Label>();
  for (const values of arrays) for (const label of values) labels.add(label);
  return [...labels].sort(compareLabels);
}
