import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Info } from 'csv-parse';
import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import type { Label } from '../../metrics/types.js';
import { ColumnReader, ScoreReader, type ScoreColumns } from './_column-readers.js';
import { findColumns, type ColumnIndices, type PredictionColumnNames } from './_find-columns.js';
import type { PredictionsCsvInputNames } from './_input-names.js';

/** The columns a predictions CSV is read for, and nothing else of the file. */
export interface PredictionColumns {
  sampleIds: string[];
  /** Numbers for regression; labels for classification (see {@link ColumnReader.values}). */
  yTrue: Label[];
  yPred: Label[];
  /** Whether the labels were read as numbers (every one a canonical integer). */
  labelsAreNumbers: boolean;
  /** The probability columns, when `columns.yScore` asked for them. */
  yScore: ScoreColumns | undefined;
}

/** What {@link readPredictionColumns} reads. */
export interface ColumnsSource {
  /** The file as the caller named it: what messages say. */
  file: string;
  /** Where it is read from (the file resolved against a working folder). @default file */
  path?: string;
  kind: ExperimentKind;
  columns: PredictionColumnNames;
  names: PredictionsCsvInputNames;
}

/**
 * Streams the predictions CSV and keeps only the sample id, actual, predicted and probability
 * columns, so memory grows with those columns and not with the file (a predictions CSV can
 * hold hundreds of megabytes of other columns). Regression values and probabilities become
 * numbers as they are read. A UTF-8 byte-order mark (Excel, pandas `encoding='utf-8-sig'`) is
 * dropped.
 *
 * @throws ValidationError when the file cannot be read or is not CSV (naming its line), a
 *   column is missing (the input that names it is blamed), it has no data rows, or a regression
 *   value or probability is not a decimal number within the accepted range.
 */
export async function readPredictionColumns(source: ColumnsSource): Promise<PredictionColumns> {
  const { file, kind, columns, names } = source;
  const sampleIds: string[] = [];
  const actual = new ColumnReader(file, columns.yTrue, kind, names);
  const predicted = new ColumnReader(file, columns.yPred, kind, names);
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
        const found = findColumns(file, record, columns, names);
        if (found instanceof ValidationError) {
          headerProblem = found;
          indices = { yTrue: -1, yPred: -1, sampleId: undefined, scores: [] };
        } else {
          indices = found;
          if (columns.yScore !== undefined)
            scores = new ScoreReader(
              file,
              found.scores.map((index) => record[index] ?? ''),
              names,
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
      createReadStream(source.path ?? file),
      parse({ bom: true, skip_empty_lines: true, info: true }),
      readRecords,
    );
  } catch (error) {
    if (inputProblem) throw inputProblem;
    if (error instanceof ValidationError) throw error;
    if (error instanceof CsvError) {
      throw new ValidationError(
        names.file,
        `${file} is not a valid CSV file (${error.message})`,
        'Give a CSV file with a header row and the same number of cells in every row.',
        { cause: error },
      );
    }
    throw new ValidationError(
      names.file,
      `cannot read ${file}`,
      'Give the path of a CSV file with a header row.',
      { cause: error },
    );
  }
  if (rows === 0) {
    throw new ValidationError(
      names.file,
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
      columns.yScore !== undefined && 'prefix' in columns.yScore
        ? columns.yScore.prefix
        : undefined,
      labelsAreNumbers,
    ),
  };
}
