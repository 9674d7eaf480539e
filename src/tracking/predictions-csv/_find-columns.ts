import { ValidationError } from '../../errors.js';
import type { PredictionsCsvInputNames } from './_input-names.js';

/** The default name of the sample-id column. */
export const SAMPLE_ID_COLUMN = 'sample_id';

/** Which columns hold the class probabilities. */
export type ScoreColumnNames =
  /** These columns, in this order. */
  | { columns: readonly string[] }
  /** Every column whose name starts with `prefix`, in file order; the rest of a name is its class. */
  | { prefix: string };

/** The names of the columns to read. */
export interface PredictionColumnNames {
  yTrue: string;
  yPred: string;
  /**
   * The sample-id column. When not given: {@link SAMPLE_ID_COLUMN}, else an unnamed first column
   * (the index that pandas' `to_csv()` writes), else the row's position in the file counting
   * from 0, as a pandas default index does.
   */
  sampleId?: string | undefined;
  /** The probability columns, if any. */
  yScore?: ScoreColumnNames | undefined;
}

/** Where the columns are in each record. */
export interface ColumnIndices {
  yTrue: number;
  yPred: number;
  /** `undefined`: the row's position counting from 0. */
  sampleId: number | undefined;
  scores: number[];
}

/**
 * Finds the columns in the header. Columns are looked up as csv-parse's `columns: true` would:
 * the last of duplicate names wins. Returns the first problem instead of throwing it, so that a
 * file without data rows can say that first.
 */
export function findColumns(
  file: string,
  header: string[],
  columns: PredictionColumnNames,
  names: PredictionsCsvInputNames,
): ColumnIndices | ValidationError {
  let problem: ValidationError | undefined;
  const find = (parameter: string, name: string) => {
    const index = header.lastIndexOf(name);
    if (index < 0) {
      problem ??= new ValidationError(
        parameter,
        `${file} has no column ${JSON.stringify(name)}`,
        `Name one of its columns: ${header.join(', ')}.`,
      );
    }
    return index;
  };
  const yTrue = find(names.yTrue, columns.yTrue);
  const yPred = find(names.yPred, columns.yPred);
  let sampleId: number | undefined;
  if (columns.sampleId !== undefined) {
    sampleId = find(names.sampleId, columns.sampleId);
  } else if (header.includes(SAMPLE_ID_COLUMN)) {
    sampleId = header.lastIndexOf(SAMPLE_ID_COLUMN);
  } else if (header[0] === '' && header.length > 1) {
    // pandas' to_csv() writes the index first, under an empty name.
    sampleId = 0;
  }
  let scores: number[] = [];
  if (columns.yScore !== undefined && 'columns' in columns.yScore) {
    scores = columns.yScore.columns.map((name) => find(names.yScore, name));
  } else if (columns.yScore !== undefined) {
    const taken = [yTrue, yPred, sampleId];
    const prefixed = prefixedColumns(file, header, columns.yScore.prefix, taken, names);
    if (prefixed instanceof ValidationError) problem ??= prefixed;
    else scores = prefixed;
  }
  return problem ?? { yTrue, yPred, sampleId, scores };
}

function prefixedColumns(
  file: string,
  header: string[],
  prefix: string,
  taken: (number | undefined)[],
  names: PredictionsCsvInputNames,
): number[] | ValidationError {
  const parameter = names.yScorePrefix;
  const fix = `Name each probability column after its class, e.g. ${prefix}a, ${prefix}b, and give a prefix that only they share.`;
  const indices: number[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < header.length; index += 1) {
    const name = header[index]!;
    if (!name.startsWith(prefix)) continue;
    if (taken.includes(index)) {
      return new ValidationError(
        parameter,
        `${JSON.stringify(prefix)} also matches the column ${JSON.stringify(name)} of ${file}, which holds labels or sample ids`,
        fix,
      );
    }
    if (name === prefix) {
      return new ValidationError(
        parameter,
        `the column ${JSON.stringify(name)} names no class`,
        fix,
      );
    }
    if (seen.has(name)) {
      return new ValidationError(
        parameter,
        `${file} has two columns named ${JSON.stringify(name)}`,
        'Give each class one probability column.',
      );
    }
    seen.add(name);
    indices.push(index);
  }
  if (indices.length === 0) {
    return new ValidationError(
      parameter,
      `${file} has no column whose name starts with ${JSON.stringify(prefix)}`,
      `Name the prefix of its probability columns; its columns are: ${header.join(', ')}.`,
    );
  }
  return indices;
}
