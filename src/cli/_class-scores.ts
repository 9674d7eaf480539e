import { ValidationError } from '../errors.js';
import type { ExperimentKind } from '../layout/tables.js';
import { compareLabels } from '../metrics/index.js';
import { labelList, problemClasses } from '../metrics/input-checks.js';
import type { Label } from '../metrics/types.js';
import {
  isCanonicalInteger,
  type PredictionColumns,
  type ScoreColumnNames,
} from './_predictions-csv.js';

/** The flags of `log` that describe class probabilities, as given. */
export interface ScoreFlags {
  /** `--y-score`: one column (binary), or a comma-separated list, one column per class. */
  yScore: string | undefined;
  /** `--y-score-prefix`: the columns whose names start with it; the rest of a name is its class. */
  yScorePrefix: string | undefined;
  /** `--positive-label`: the positive class of a binary problem, as written in the CSV. */
  positiveLabel: string | undefined;
}

/** What `logExperiment` takes about probabilities, and what the roc_auc warning needs. */
export interface ClassScoreOptions {
  yScore?: number[] | number[][];
  classes?: Label[];
  positiveLabel?: Label;
  /** How the probability columns were read, for {@link rocAucWarning}. */
  reading: ScoreReading | undefined;
}

/** How the probability columns were read. */
export type ScoreReading =
  /** One column: the probability of `positive`. */
  | { column: string; positive: Label }
  /** One column per class, `classes` in column order. */
  | { columns: string[]; classes: readonly Label[]; byName: boolean };

/**
 * The probability columns to read, from `--y-score` or `--y-score-prefix`, or `undefined` when
 * neither is given. Checked before the file is read: the flags apply to classification, one of
 * them at a time, and a list names each column once.
 */
export function scoreColumnNames(
  kind: ExperimentKind,
  flags: ScoreFlags,
): ScoreColumnNames | undefined {
  const given = (['--y-score', '--y-score-prefix', '--positive-label'] as const).filter(
    (_, index) => [flags.yScore, flags.yScorePrefix, flags.positiveLabel][index] !== undefined,
  );
  if (kind === 'regression' && given.length > 0) {
    throw new ValidationError(
      given[0]!,
      'it only applies to classification',
      'Leave out --y-score, --y-score-prefix and --positive-label for regression.',
    );
  }
  if (flags.yScore !== undefined && flags.yScorePrefix !== undefined) {
    throw new ValidationError(
      '--y-score-prefix',
      'it was given together with --y-score',
      'Name the probability columns one way: --y-score col[,col…] or --y-score-prefix P.',
    );
  }
  if (flags.yScorePrefix !== undefined) {
    if (flags.yScorePrefix === '') {
      throw new ValidationError(
        '--y-score-prefix',
        'it is empty',
        'Give the start that the probability columns share, e.g. --y-score-prefix proba_.',
      );
    }
    return { prefix: flags.yScorePrefix };
  }
  if (flags.yScore === undefined) return undefined;
  const columns = flags.yScore.split(',').map((name) => name.trim());
  const fix =
    'Name one column (binary: the positive class) or one per class, comma-separated, e.g. --y-score proba_0,proba_1,proba_2.';
  if (columns.some((name) => name === ''))
    throw new ValidationError('--y-score', `${JSON.stringify(flags.yScore)} names no column`, fix);
  const twice = columns.find((name, index) => columns.indexOf(name) !== index);
  if (twice !== undefined)
    throw new ValidationError(
      '--y-score',
      `it names the column ${JSON.stringify(twice)} twice`,
      fix,
    );
  return { columns };
}

/**
 * Turns the probability columns read from the CSV into `logExperiment`'s `yScore`, `classes`
 * and `positiveLabel`, checking them against the run with the flags' names in every message:
 *
 * - one column is the probability of the positive class, which is `--positive-label`, else
 *   (with a prefix) the class in the column's name, else the greater of the two labels;
 * - a list of columns holds one per class in sorted class order (as scikit-learn's
 *   `predict_proba` gives them), so it must have as many columns as the run has classes;
 * - prefixed columns name their classes, which must cover every label of the run.
 */
export function classScoreOptions(
  predictions: PredictionColumns,
  flags: ScoreFlags,
): ClassScoreOptions {
  const seen = sortedLabels(predictions.yTrue, predictions.yPred);
  const scores = predictions.yScore;
  let positive =
    flags.positiveLabel === undefined
      ? undefined
      : parsePositiveLabel(flags.positiveLabel, predictions.labelsAreNumbers, seen);
  const flag = flags.yScorePrefix === undefined ? '--y-score' : '--y-score-prefix';

  if (scores === undefined) {
    return { ...(positive === undefined ? {} : { positiveLabel: positive }), reading: undefined };
  }
  if (scores.names.length === 1) {
    const column = scores.names[0]!;
    const named = scores.classes?.[0];
    if (named !== undefined) {
      if (positive !== undefined && positive !== named) {
        throw new ValidationError(
          '--positive-label',
          `it is ${showLabel(positive)}, but the only probability column, ${JSON.stringify(column)}, holds the probabilities of ${showLabel(named)}`,
          'Leave out --positive-label, or give the column of that class.',
        );
      }
      if (seen.length === 2 && !seen.includes(named)) {
        throw new ValidationError(
          flag,
          `the column ${JSON.stringify(column)} names the class ${showLabel(named)}, which is not one of the classes ${labelList(seen)}`,
          'Name the probability column after one of the two classes.',
        );
      }
      positive = named;
    }
    const problem = problemClasses(seen, positive);
    if (problem.length > 2) {
      throw new ValidationError(
        flag,
        `it names one column, ${JSON.stringify(column)}, which holds the probability of the positive class of a binary problem, but the run has ${problem.length} classes (${labelList(problem)})`,
        'Give one probability column per class: --y-score with a comma-separated list in sorted class order, or --y-score-prefix.',
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
        flag,
        `it names ${scores.names.length} columns, but the run has ${problem.length} classes (${labelList(problem)})`,
        'Name one column per class in sorted class order; for classes that the test set never shows, name the columns after their classes and use --y-score-prefix.',
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
      flag,
      `no column is named after the class ${showLabel(missing)} (${seen.includes(missing) ? 'a label of the run' : 'the positive label'}); the columns are ${scores.names.join(', ')}`,
      `Give every class a probability column named ${flags.yScorePrefix ?? ''}<class>.`,
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
 * `--positive-label` as a label of the run: a number when the labels are numbers. It must be
 * one of the two classes of a binary run; more than two classes have no positive class.
 */
function parsePositiveLabel(text: string, labelsAreNumbers: boolean, seen: Label[]): Label {
  const fix = `Give one of the labels as the CSV writes them: ${labelList(seen)}.`;
  if (labelsAreNumbers && !isCanonicalInteger(text)) {
    throw new ValidationError(
      '--positive-label',
      `${JSON.stringify(text)} is not one of the labels, which are integers`,
      fix,
    );
  }
  const label = labelsAreNumbers ? Number(text) : text;
  if (seen.length > 2) {
    throw new ValidationError(
      '--positive-label',
      `it applies to binary problems, and this run has ${seen.length} classes (${labelList(seen)})`,
      'Leave it out: every class of a multiclass problem is scored one-vs-rest.',
    );
  }
  if (seen.length === 2 && !seen.includes(label)) {
    throw new ValidationError(
      '--positive-label',
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
): string | undefined {
  if (rocAuc === undefined || reading === undefined || !(rocAuc < 0.5)) return undefined;
  const auc = `roc_auc is ${rocAuc.toPrecision(4)}, below 0.5 (worse than chance)`;
  if ('column' in reading) {
    return `${auc}: the column ${JSON.stringify(reading.column)} is read as the probability of the positive class, ${showLabel(reading.positive)}, but probably holds the other class's: give that class as --positive-label, or the other column.`;
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
