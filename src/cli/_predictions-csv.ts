import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Info } from 'csv-parse';
import { ValidationError } from '../errors.js';
import type { ExperimentKind } from '../layout/tables.js';
import { regressionValueProblem } from '../metrics/input-checks.js';
import type { Label } from '../metrics/types.js';

/** The default name of the sample-id column. */
export const SAMPLE_ID_COLUMN = 'sample_id';

/** Which columns hold the class probabilities (`--y-score`, `--y-score-prefix`). */
export type ScoreColumnNames =
  /** These columns, in this order. */
  | { columns: readonly string[] }
  /** Every column whose name starts with `prefix`, in file order; the rest of a name is its class. */
  | { prefix: string };

/** The names of the columns `log` reads. */
export interface PredictionColumnNames {
  yTrue: string;
  yPred: string;
  /**
   * The sample-id column (`--sample-id`). When not given: {@link SAMPLE_ID_COLUMN}, else an
   * unnamed first column (the index that pandas' `to_csv()` writes), else the row's position
   * in the file counting from 0, as a pandas default index does.
   */
  sampleId?: string | undefined;
  /** The probability columns, if any. */
  yScore?: ScoreColumnNames | undefined;
}

/** The probability columns of a predictions CSV. */
export interface ScoreColumns {
  /** Their names, in the order of {@link ScoreColumns.values}. */
  names: string[];
  /**
   * With a prefix: each column's class, read from the rest of its name as the labels are read
   * (numbers when the labels are numbers). `undefined` for a list of columns.
   */
  classes: Label[] | undefined;
  /** One probability per sample when there is one column; else one row per sample. */
  values: number[] | number[][];
}

/** The columns `log` needs, and nothing else of the file. */
export interface PredictionColumns {
  sampleIds: string[];
  /** Numbers for regression; labels for classification (see {@link ColumnReader.values}). */
  yTrue: Label[];
  yPred: Label[];
  /** Whether the labels were read as numbers (every one a canonical integer). */
  labelsAreNumbers: boolean;
  /** The probability columns, when `names.yScore` asked for them. */
  yScore: ScoreColumns | undefined;
}

interface ColumnIndices {
  yTrue: number;
  yPred: number;
  /** `undefined`: the row's position counting from 0. */
  sampleId: number | undefined;
  scores: number[];
}

/**
 * Streams the predictions CSV and keeps only the sample id, actual, predicted and probability
 * columns, so memory grows with those columns and not with the file (a predictions CSV can
 * hold hundreds of megabytes of other columns). Regression values and probabilities become
 * numbers as they are read. A UTF-8 byte-order mark (Excel, pandas `encoding='utf-8-sig'`) is
 * dropped.
 *
 * @throws ValidationError when the file cannot be read or is not CSV (naming its line), a
 *   column is missing (the flag that names it is blamed), it has no data rows, or a regression
 *   value or probability is not a decimal number within the accepted range.
 */
export async function readPredictions(
  file: string,
  kind: ExperimentKind,
  names: PredictionColumnNames,
): Promise<PredictionColumns> {
  const sampleIds: string[] = [];
  const actual = new ColumnReader(file, names.yTrue, kind);
  const predicted = new ColumnReader(file, names.yPred, kind);
  let scores: ScoreReader | undefined;
  let indices: ColumnIndices | undefined;
  let headerProblem: ValidationError | undefined;
  // What readRecords threw: when the consumer of a pipeline throws, the pipeline may reject
  // with the AbortError of the stream it tears down instead.
  let inputProblem: ValidationError | undefined;
  let rows = 0;

  const readRecords = async (records: AsyncIterable<{ record: string[]; info: Info }>) => {
    for await (const { record, info } of records) {
      if (indices === undefined) {
        const found = findColumns(file, record, names);
        if (found instanceof ValidationError) {
          headerProblem = found;
          indices = { yTrue: -1, yPred: -1, sampleId: undefined, scores: [] };
        } else {
          indices = found;
          if (names.yScore !== undefined)
            scores = new ScoreReader(
              file,
              found.scores.map((index) => record[index] ?? ''),
            );
        }
        continue;
      }
      try {
        // A file without data rows says so first, as it did when the file was read whole.
        if (headerProblem) throw headerProblem;
        const where = { row: rows + 1, line: info.lines };
        actual.add(record[indices.yTrue] ?? '', where);
        predicted.add(record[indices.yPred] ?? '', where);
        sampleIds.push(
          indices.sampleId === undefined ? String(rows) : (record[indices.sampleId] ?? ''),
        );
        scores?.add(record, indices.scores, where);
      } catch (error) {
        if (error instanceof ValidationError) inputProblem = error;
        throw error;
      }
      rows += 1;
    }
  };

  try {
    await pipeline(
      createReadStream(file),
      parse({ bom: true, skip_empty_lines: true, info: true }),
      readRecords,
    );
  } catch (error) {
    if (inputProblem) throw inputProblem;
    if (error instanceof ValidationError) throw error;
    if (error instanceof CsvError) {
      throw new ValidationError(
        '--predictions',
        `${file} is not a valid CSV file (${error.message})`,
        'Give a CSV file with a header row and the same number of cells in every row.',
        { cause: error },
      );
    }
    throw new ValidationError(
      '--predictions',
      `cannot read ${file}`,
      'Give the path of a CSV file with a header row.',
      { cause: error },
    );
  }
  if (rows === 0) {
    throw new ValidationError(
      '--predictions',
      `${file} has no rows`,
      'Give a CSV with a header row and one row per test sample.',
    );
  }
  const labelsAreNumbers = kind === 'classification' && actual.allIntegers && predicted.allIntegers;
  return {
    sampleIds,
    yTrue: actual.values(labelsAreNumbers),
    yPred: predicted.values(labelsAreNumbers),
    labelsAreNumbers,
    yScore: scores?.columns(
      names.yScore !== undefined && 'prefix' in names.yScore ? names.yScore.prefix : undefined,
      labelsAreNumbers,
    ),
  };
}

/**
 * Finds the columns in the header. Columns are looked up as csv-parse's `columns: true` would:
 * the last of duplicate names wins. Returns the first problem instead of throwing it, so that a
 * file without data rows can say that first.
 */
function findColumns(
  file: string,
  header: string[],
  names: PredictionColumnNames,
): ColumnIndices | ValidationError {
  let problem: ValidationError | undefined;
  const find = (flag: string, name: string) => {
    const index = header.lastIndexOf(name);
    if (index < 0) {
      problem ??= new ValidationError(
        `--${flag}`,
        `${file} has no column ${JSON.stringify(name)}`,
        `Name one of its columns: ${header.join(', ')}.`,
      );
    }
    return index;
  };
  const yTrue = find('y-true', names.yTrue);
  const yPred = find('y-pred', names.yPred);
  let sampleId: number | undefined;
  if (names.sampleId !== undefined) {
    sampleId = find('sample-id', names.sampleId);
  } else if (header.includes(SAMPLE_ID_COLUMN)) {
    sampleId = header.lastIndexOf(SAMPLE_ID_COLUMN);
  } else if (header[0] === '' && header.length > 1) {
    // pandas' to_csv() writes the index first, under an empty name.
    sampleId = 0;
  }
  let scores: number[] = [];
  if (names.yScore !== undefined && 'columns' in names.yScore) {
    scores = names.yScore.columns.map((name) => find('y-score', name));
  } else if (names.yScore !== undefined) {
    const taken = [yTrue, yPred, sampleId];
    const prefixed = prefixedColumns(file, header, names.yScore.prefix, taken);
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
): number[] | ValidationError {
  const flag = '--y-score-prefix';
  const fix = `Name each probability column after its class, e.g. ${prefix}a, ${prefix}b, and give a prefix that only they share.`;
  const indices: number[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < header.length; index += 1) {
    const name = header[index]!;
    if (!name.startsWith(prefix)) continue;
    if (taken.includes(index)) {
      return new ValidationError(
        flag,
        `${JSON.stringify(prefix)} also matches the column ${JSON.stringify(name)} of ${file}, which holds labels or sample ids`,
        fix,
      );
    }
    if (name === prefix) {
      return new ValidationError(flag, `the column ${JSON.stringify(name)} names no class`, fix);
    }
    if (seen.has(name)) {
      return new ValidationError(
        flag,
        `${file} has two columns named ${JSON.stringify(name)}`,
        'Give each class one probability column.',
      );
    }
    seen.add(name);
    indices.push(index);
  }
  if (indices.length === 0) {
    return new ValidationError(
      flag,
      `${file} has no column whose name starts with ${JSON.stringify(prefix)}`,
      `Name the prefix of its probability columns; its columns are: ${header.join(', ')}.`,
    );
  }
  return indices;
}

/** A decimal number: an optional sign, digits with an optional point (or a point and digits), an optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const NOT_DECIMAL_FIX =
  'Write regression values as decimal numbers such as 12, -0.5 or 1.5e-3 (not hexadecimal, binary, octal, with underscores, Infinity or blank).';

const NOT_PROBABILITY_FIX =
  'Write probabilities as decimal numbers from 0 to 1, such as 0.25 or 1.5e-3 (not percentages, Infinity or blank).';

/**
 * A cell as a number, when it is written as a plain decimal number (`Number()` would also take
 * `0x10`, `0b11`, `Infinity` and blank cells). Spaces around a number are harmless: hand-written
 * CSVs have them; a blank cell is not.
 */
function decimalNumber(cell: string): number | undefined {
  const text = cell.trim();
  return DECIMAL.test(text) ? Number(text) : undefined;
}

interface CellPosition {
  row: number;
  line: number;
}

function invalidCell(
  file: string,
  column: string,
  cell: string,
  where: CellPosition,
  what: string,
  fix: string,
): ValidationError {
  return new ValidationError(
    '--predictions',
    `${file}, column ${JSON.stringify(column)}, data row ${where.row} (line ${where.line}): ${describeCell(cell)} is not ${what}`,
    fix,
  );
}

/**
 * Collects one column of the predictions. Regression cells are parsed as they come: only plain
 * decimal numbers. Classification cells stay text, while noting whether every one is an integer
 * that reads back as itself.
 */
class ColumnReader {
  private readonly numbers: number[] = [];
  private readonly cells: string[] = [];
  /** Every cell so far is the canonical text of a safe integer (`7`, `-3`; not `07`, `+3`, `1.0`). */
  allIntegers = true;

  constructor(
    private readonly file: string,
    private readonly name: string,
    private readonly kind: ExperimentKind,
  ) {}

  add(cell: string, where: CellPosition): void {
    if (this.kind === 'classification') {
      this.cells.push(cell);
      if (this.allIntegers) this.allIntegers = isCanonicalInteger(cell);
      return;
    }
    const number = decimalNumber(cell);
    if (number === undefined)
      throw invalidCell(this.file, this.name, cell, where, 'a decimal number', NOT_DECIMAL_FIX);
    const problem = regressionValueProblem(number);
    if (problem !== undefined)
      throw invalidCell(this.file, this.name, cell, where, 'a usable regression value', problem);
    this.numbers.push(number);
  }

  /**
   * The column's values: numbers for regression; for classification numbers when `asNumbers`
   * (every label of both columns is an integer that reads back as itself, so that they sort as
   * numbers), else the text itself, so `01` and `1` stay two classes.
   */
  values(asNumbers: boolean): Label[] {
    if (this.kind === 'regression') return this.numbers;
    return asNumbers ? this.cells.map(Number) : this.cells;
  }
}

/** Whether a cell is the canonical text of a safe integer, which a label read as a number keeps. */
export function isCanonicalInteger(cell: string): boolean {
  const number = Number(cell);
  return Number.isSafeInteger(number) && String(number) === cell;
}

/** Collects the probability columns: decimal numbers from 0 to 1, read as they come. */
class ScoreReader {
  private readonly single: number[] = [];
  private readonly rows: number[][] = [];

  constructor(
    private readonly file: string,
    private readonly names: string[],
  ) {}

  add(record: string[], indices: number[], where: CellPosition): void {
    if (indices.length === 1) {
      this.single.push(this.read(record, indices[0]!, 0, where));
      return;
    }
    const row = new Array<number>(indices.length);
    for (let column = 0; column < indices.length; column += 1)
      row[column] = this.read(record, indices[column]!, column, where);
    this.rows.push(row);
  }

  private read(record: string[], index: number, column: number, where: CellPosition): number {
    const cell = record[index] ?? '';
    const number = decimalNumber(cell);
    if (number === undefined || !(number >= 0 && number <= 1)) {
      throw invalidCell(
        this.file,
        this.names[column]!,
        cell,
        where,
        number === undefined ? 'a decimal number' : 'a probability between 0 and 1',
        NOT_PROBABILITY_FIX,
      );
    }
    return number;
  }

  /** The columns read; with a prefix, each column's class from the rest of its name. */
  columns(prefix: string | undefined, labelsAreNumbers: boolean): ScoreColumns {
    const values = this.names.length === 1 ? this.single : this.rows;
    if (prefix === undefined) return { names: this.names, classes: undefined, values };
    const classes = this.names.map((name) => {
      const text = name.slice(prefix.length);
      if (!labelsAreNumbers) return text;
      if (!isCanonicalInteger(text)) {
        throw new ValidationError(
          '--y-score-prefix',
          `the column ${JSON.stringify(name)} names the class ${JSON.stringify(text)}, but the labels of ${this.file} are integers`,
          `Name each probability column after its class as the labels are written, e.g. ${prefix}0, ${prefix}1.`,
        );
      }
      return Number(text);
    });
    return { names: this.names, classes, values };
  }
}

function describeCell(cell: string): string {
  if (cell.trim() === '')
    return cell === '' ? 'the empty cell' : `the blank cell ${JSON.stringify(cell)}`;
  const shown = JSON.stringify(cell);
  return `the cell ${shown.length > 40 ? `${shown.slice(0, 37)}..."` : shown}`;
}
