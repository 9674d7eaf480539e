import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import type { ScoreColumnNames } from './_find-columns.js';
import { worded, type PredictionsCsvInputNames } from './_input-names.js';

/** How the class probabilities were asked for, as given. */
export interface ScoreOptions {
  /**
   * One column (binary), or one column per class: a list, or a text of comma-separated names
   * (as the command line's `--y-score` takes them).
   */
  yScore?: string | readonly string[] | undefined;
  /** The columns whose names start with it; the rest of a name is its class. */
  yScorePrefix?: string | undefined;
  /** The positive class of a binary problem, as written in the CSV. */
  positiveLabel?: string | number | undefined;
}

/**
 * The probability columns to read, from `yScore` or `yScorePrefix`, or `undefined` when neither
 * is given. Checked before the file is read: they apply to classification, one of them at a
 * time, and a list names each column once.
 */
export function scoreColumnNames(
  kind: ExperimentKind,
  scores: ScoreOptions,
  names: PredictionsCsvInputNames,
): ScoreColumnNames | undefined {
  const given = (['yScore', 'yScorePrefix', 'positiveLabel'] as const).filter(
    (input) => scores[input] !== undefined,
  );
  if (kind === 'regression' && given.length > 0) {
    throw new ValidationError(
      names[given[0]!],
      'it only applies to classification',
      `Leave out ${names.yScore}, ${names.yScorePrefix} and ${names.positiveLabel} for regression.`,
    );
  }
  if (scores.yScore !== undefined && scores.yScorePrefix !== undefined) {
    throw new ValidationError(
      names.yScorePrefix,
      `it was given together with ${names.yScore}`,
      `Name the probability columns one way: ${worded(
        names,
        `${names.yScore} col[,col…] or ${names.yScorePrefix} P`,
        `${names.yScore}: ['col', …] or ${names.yScorePrefix}: 'P'`,
      )}.`,
    );
  }
  if (scores.yScorePrefix !== undefined) {
    if (typeof scores.yScorePrefix !== 'string' || scores.yScorePrefix === '') {
      throw new ValidationError(
        names.yScorePrefix,
        typeof scores.yScorePrefix === 'string' ? 'it is empty' : 'it is not a text',
        `Give the start that the probability columns share, e.g. ${worded(
          names,
          `${names.yScorePrefix} proba_`,
          `${names.yScorePrefix}: 'proba_'`,
        )}.`,
      );
    }
    return { prefix: scores.yScorePrefix };
  }
  if (scores.yScore === undefined) return undefined;
  const columns =
    typeof scores.yScore === 'string'
      ? scores.yScore.split(',').map((name) => name.trim())
      : [...scores.yScore];
  const fix = worded(
    names,
    `Name one column (binary: the positive class) or one per class, comma-separated, e.g. ${names.yScore} proba_0,proba_1,proba_2.`,
    `Name one column (binary: the positive class) or one per class, e.g. ${names.yScore}: ['proba_0', 'proba_1', 'proba_2'].`,
  );
  if (columns.length === 0 || columns.some((name) => typeof name !== 'string' || name === ''))
    throw new ValidationError(
      names.yScore,
      `${JSON.stringify(scores.yScore)} names no column`,
      fix,
    );
  const twice = columns.find((name, index) => columns.indexOf(name) !== index);
  if (twice !== undefined)
    throw new ValidationError(
      names.yScore,
      `it names the column ${JSON.stringify(twice)} twice`,
      fix,
    );
  return { columns };
}
