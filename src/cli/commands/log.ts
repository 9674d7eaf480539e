import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { defineCommand } from 'citty';
import { CsvError, parse, type Info } from 'csv-parse';
import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import { regressionValueProblem } from '../../metrics/input-checks.js';
import type { Label } from '../../metrics/types.js';
import { logExperiment, type LoggedExperiment } from '../../tracking/log-experiment.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { kindArg, parseKind } from './new-csv.js';

/** Prints what was logged: shared by `log` and `demo`. */
export function printLogged(output: Output, logged: LoggedExperiment): void {
  output.line(`prediction id  ${logged.predictionId}`);
  output.line(`project        ${logged.project}`);
  output.line(`tracker        ${logged.tracker}`);
  for (const [table, file] of Object.entries(logged.files))
    output.line(`  ${table.padEnd(12)} ${file.url}`);
  for (const file of Object.values(logged.plots)) output.line(`  ${'plot'.padEnd(12)} ${file.url}`);
  const defined = Object.entries(logged.scores).filter(([, value]) => value !== undefined);
  output.line(
    `scores         ${defined.map(([name, value]) => `${name}=${formatScore(value)}`).join('  ')}`,
  );
}

function formatScore(value: number | undefined): string {
  return value === undefined ? '' : Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

export function logCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'log',
      description: 'Log an experiment from a CSV of predictions (for any language)',
    },
    args: {
      ...kindArg,
      project: { type: 'string', description: 'Project name (slugified)', required: true },
      predictions: {
        type: 'string',
        description: 'CSV file with one row per test sample',
        required: true,
      },
      'y-true': { type: 'string', description: 'Column of actual values', default: 'y_true' },
      'y-pred': { type: 'string', description: 'Column of predicted values', default: 'y_pred' },
      'sample-id': { type: 'string', description: 'Column of sample ids', default: 'sample_id' },
      'dataset-uri': {
        type: 'string',
        description: 'Where the data set came from',
        required: true,
      },
      'target-column': { type: 'string', description: 'Column the model predicts', required: true },
      model: { type: 'string', description: 'Model class name', required: true },
      params: { type: 'string', description: 'Hyperparameters as a JSON object' },
      extra: { type: 'string', description: 'Extra parameters as a JSON object' },
      'new-csv': { type: 'boolean', description: 'Start a new tracker first' },
      plots: {
        type: 'boolean',
        description: 'Render the PNG plots (--no-plots skips them)',
        default: true,
      },
      ...storeArg,
    },
    async run({ args }) {
      const kind = parseKind(args.kind);
      const predictions = await readPredictions(args.predictions, kind, {
        yTrue: args['y-true'],
        yPred: args['y-pred'],
        sampleId: args['sample-id'],
      });
      const logged = await logExperiment({
        kind,
        project: args.project,
        parameters: {
          datasetUri: args['dataset-uri'],
          targetColumn: args['target-column'],
          testSet: predictions.sampleIds,
          model: { name: args.model, params: parseJsonObject('--params', args.params) },
        },
        yTrue: predictions.yTrue,
        yPred: predictions.yPred,
        extraParameters: parseJsonObject('--extra', args.extra),
        newCsv: args['new-csv'] ?? false,
        plots: args.plots,
        ...(args.store === undefined ? {} : { store: args.store }),
      });
      printLogged(output, logged);
    },
  });
}

/** The names of the three columns `log` reads (`--y-true`, `--y-pred`, `--sample-id`). */
export interface PredictionColumnNames {
  yTrue: string;
  yPred: string;
  sampleId: string;
}

/** The three columns `log` needs, and nothing else of the file. */
export interface PredictionColumns {
  sampleIds: string[];
  /** Numbers for regression; labels for classification (see {@link ColumnReader.values}). */
  yTrue: Label[];
  yPred: Label[];
}

/**
 * Streams the predictions CSV and keeps only the sample id, actual and predicted columns, so
 * memory grows with those three columns and not with the file (a predictions CSV can hold
 * hundreds of megabytes of other columns). Regression cells become numbers as they are read.
 *
 * @throws ValidationError when the file cannot be read or is not CSV, a column is missing (the
 *   flag that names it is blamed), it has no data rows, or a regression cell is not a decimal
 *   number within the accepted range.
 */
export async function readPredictions(
  file: string,
  kind: ExperimentKind,
  names: PredictionColumnNames,
): Promise<PredictionColumns> {
  const sampleIds: string[] = [];
  const actual = new ColumnReader(file, names.yTrue, kind);
  const predicted = new ColumnReader(file, names.yPred, kind);
  let indices: { sampleId: number; yTrue: number; yPred: number } | undefined;
  let missingColumn: ValidationError | undefined;
  let rows = 0;

  const readRecords = async (records: AsyncIterable<{ record: string[]; info: Info }>) => {
    for await (const { record, info } of records) {
      if (indices === undefined) {
        // The header. Columns are looked up as csv-parse's `columns: true` would: the last of
        // duplicate names wins.
        const find = (flag: string, name: string) => {
          const index = record.lastIndexOf(name);
          if (index < 0) {
            missingColumn ??= new ValidationError(
              `--${flag}`,
              `${file} has no column "${name}"`,
              `Name one of its columns: ${record.join(', ')}.`,
            );
          }
          return index;
        };
        indices = {
          yTrue: find('y-true', names.yTrue),
          yPred: find('y-pred', names.yPred),
          sampleId: find('sample-id', names.sampleId),
        };
        continue;
      }
      // A file without data rows says so first, as it did when the file was read whole.
      if (missingColumn) throw missingColumn;
      rows += 1;
      const where = { row: rows, line: info.lines };
      actual.add(record[indices.yTrue] ?? '', where);
      predicted.add(record[indices.yPred] ?? '', where);
      sampleIds.push(record[indices.sampleId] ?? '');
    }
  };

  try {
    await pipeline(
      createReadStream(file),
      parse({ bom: true, skip_empty_lines: true, info: true }),
      readRecords,
    );
  } catch (error) {
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
  const labelsAreNumbers = actual.allIntegers && predicted.allIntegers;
  return {
    sampleIds,
    yTrue: actual.values(labelsAreNumbers),
    yPred: predicted.values(labelsAreNumbers),
  };
}

/** A decimal number: an optional sign, digits with an optional point (or a point and digits), an optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const NOT_DECIMAL_FIX =
  'Write regression values as decimal numbers such as 12, -0.5 or 1.5e-3 (not hexadecimal, binary, octal, with underscores, Infinity or blank).';

/**
 * Collects one column of the predictions. Regression cells are parsed as they come: only plain
 * decimal numbers (`Number()` would also take `0x10`, `0b11`, `Infinity` and blank cells as
 * numbers). Classification cells stay text, while noting whether every one is an integer that
 * reads back as itself.
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

  add(cell: string, where: { row: number; line: number }): void {
    if (this.kind === 'classification') {
      this.cells.push(cell);
      if (this.allIntegers) {
        const number = Number(cell);
        this.allIntegers = Number.isSafeInteger(number) && String(number) === cell;
      }
      return;
    }
    // Spaces around a number are harmless (hand-written CSVs have them); a blank cell is not.
    const text = cell.trim();
    if (!DECIMAL.test(text)) throw this.invalid(cell, where, 'a decimal number', NOT_DECIMAL_FIX);
    const number = Number(text);
    const problem = regressionValueProblem(number);
    if (problem !== undefined)
      throw this.invalid(cell, where, 'a usable regression value', problem);
    this.numbers.push(number);
  }

  private invalid(
    cell: string,
    where: { row: number; line: number },
    what: string,
    fix: string,
  ): ValidationError {
    return new ValidationError(
      '--predictions',
      `${this.file}, column "${this.name}", data row ${where.row} (line ${where.line}): ${describeCell(cell)} is not ${what}`,
      fix,
    );
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

function describeCell(cell: string): string {
  if (cell.trim() === '')
    return cell === '' ? 'the empty cell' : `the blank cell ${JSON.stringify(cell)}`;
  const shown = JSON.stringify(cell);
  return `the cell ${shown.length > 40 ? `${shown.slice(0, 37)}..."` : shown}`;
}

function parseJsonObject(flag: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(
      flag,
      `${text} is not valid JSON`,
      `Pass a JSON object, e.g. ${flag} '{"max_depth": 5}'.`,
      { cause: error },
    );
  }
  throw new ValidationError(
    flag,
    `${text} is not a JSON object`,
    `Pass a JSON object, e.g. ${flag} '{"max_depth": 5}'.`,
  );
}
