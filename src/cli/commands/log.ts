import { readFile } from 'node:fs/promises';
import { defineCommand } from 'citty';
import { decodeTable } from '../../csv/decode.js';
import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
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
      const records = await readPredictions(args.predictions);
      const column = (flag: string, name: string) => {
        if (!(name in (records[0] ?? {}))) {
          throw new ValidationError(
            `--${flag}`,
            `${args.predictions} has no column "${name}"`,
            `Name one of its columns: ${Object.keys(records[0] ?? {}).join(', ')}.`,
          );
        }
        return records.map((record) => record[name] ?? '');
      };
      const yTrue = column('y-true', args['y-true']);
      const yPred = column('y-pred', args['y-pred']);
      const logged = await logExperiment({
        kind,
        project: args.project,
        parameters: {
          datasetUri: args['dataset-uri'],
          targetColumn: args['target-column'],
          testSet: column('sample-id', args['sample-id']),
          model: { name: args.model, params: parseJsonObject('--params', args.params) },
        },
        ...labelsOrNumbers(kind, yTrue, yPred),
        extraParameters: parseJsonObject('--extra', args.extra),
        newCsv: args['new-csv'] ?? false,
        plots: args.plots,
        ...(args.store === undefined ? {} : { store: args.store }),
      });
      printLogged(output, logged);
    },
  });
}

async function readPredictions(file: string): Promise<Record<string, string>[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(
      '--predictions',
      `cannot read ${file}`,
      'Give the path of a CSV file with a header row.',
      { cause: error },
    );
  }
  const records = decodeTable(text);
  if (records.length === 0) {
    throw new ValidationError(
      '--predictions',
      `${file} has no rows`,
      'Give a CSV with a header row and one row per test sample.',
    );
  }
  return records;
}

/**
 * CSV cells are text. Regression values become numbers (validation then rejects what is not
 * finite); classification labels become integers when every one of them is an integer, so that
 * they sort as numbers, and otherwise stay strings.
 */
function labelsOrNumbers(
  kind: ExperimentKind,
  yTrue: string[],
  yPred: string[],
): { yTrue: Label[]; yPred: Label[] } {
  const asNumber = (cell: string) => (cell.trim() === '' ? Number.NaN : Number(cell));
  if (kind === 'regression') return { yTrue: yTrue.map(asNumber), yPred: yPred.map(asNumber) };
  const integers = [...yTrue, ...yPred].every((cell) => /^-?\d+$/.test(cell.trim()));
  return integers ? { yTrue: yTrue.map(asNumber), yPred: yPred.map(asNumber) } : { yTrue, yPred };
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
