import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import type { LoggedExperiment } from '../../tracking/log-experiment.js';
import { logPredictionsCsv } from '../../tracking/predictions-csv/log-predictions-csv.js';
import type { PredictionsCsvInputNames } from '../../tracking/predictions-csv/read-predictions-csv.js';
import { commandStoreUrl, defineCliCommand, type CommandOptions } from '../_command.js';
import { parseJsonObject } from '../_json-flag.js';
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

/** What `log --json` prints: the logged experiment (without timings) and its warnings. */
export interface LogResult {
  predictionId: string;
  project: string;
  tracker: string;
  /** Every metric of the kind; `null` when it is not defined for this run (an empty cell). */
  scores: Record<string, number | null>;
  files: LoggedExperiment['files'];
  plots: LoggedExperiment['plots'];
  /** One line each, also printed on stderr. */
  warnings: string[];
}

/** The result of `log --json`, from what was logged. */
export function logResult(logged: LoggedExperiment, warnings: string[]): LogResult {
  return {
    predictionId: logged.predictionId,
    project: logged.project,
    tracker: logged.tracker,
    scores: Object.fromEntries(
      Object.entries(logged.scores).map(([name, value]) => [name, value ?? null]),
    ),
    files: logged.files,
    plots: logged.plots,
    warnings,
  };
}

/** The flags that name each input of the predictions CSV, for the library's messages. */
const FLAGS: PredictionsCsvInputNames = {
  file: '--predictions',
  yTrue: '--y-true',
  yPred: '--y-pred',
  sampleId: '--sample-id',
  yScore: '--y-score',
  yScorePrefix: '--y-score-prefix',
  positiveLabel: '--positive-label',
};

/** Options of {@link logCommand}: the flags of `ml-tracking log`, as typed. */
export interface LogCommandOptions extends CommandOptions {
  /** `classification` or `regression`. */
  kind: string;
  /** The project's name, slugified. */
  project: string;
  /** The predictions CSV, relative to `cwd`. */
  predictions: string;
  /** @default 'y_true' */
  yTrue?: string | undefined;
  /** @default 'y_pred' */
  yPred?: string | undefined;
  sampleId?: string | undefined;
  /** One probability column, or a comma-separated list, one per class. */
  yScore?: string | undefined;
  /** The probability columns are those whose names start with this. */
  yScorePrefix?: string | undefined;
  positiveLabel?: string | undefined;
  datasetUri: string;
  targetColumn: string;
  /** The model's class name. */
  model: string;
  /** Hyperparameters as a JSON object's text. */
  params?: string | undefined;
  /** Extra parameters as a JSON object's text. */
  extra?: string | undefined;
  /** Start a new tracker first. @default false */
  newCsv?: boolean | undefined;
  /** Render the PNG plots. @default true */
  plots?: boolean | undefined;
}

/** `ml-tracking log`: logs an experiment from a CSV of predictions; resolves what was logged. */
export function logCommand(options: LogCommandOptions): Promise<LoggedExperiment> {
  // Checked before the file is read: a bad flag costs nothing.
  const kind = parseKind(options.kind);
  const params = parseJsonObject('--params', options.params);
  const extraParameters = parseJsonObject('--extra', options.extra);
  return logPredictionsCsv(options.predictions, {
    kind,
    ...(options.yTrue !== undefined && { yTrue: options.yTrue }),
    ...(options.yPred !== undefined && { yPred: options.yPred }),
    ...(options.sampleId !== undefined && { sampleId: options.sampleId }),
    ...(options.yScore !== undefined && { yScore: options.yScore }),
    ...(options.yScorePrefix !== undefined && { yScorePrefix: options.yScorePrefix }),
    ...(options.positiveLabel !== undefined && { positiveLabel: options.positiveLabel }),
    inputNames: FLAGS,
    project: options.project,
    parameters: {
      datasetUri: options.datasetUri,
      targetColumn: options.targetColumn,
      model: { name: options.model, params },
    },
    extraParameters,
    newCsv: options.newCsv ?? false,
    plots: options.plots ?? true,
    store: commandStoreUrl(options),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  });
}

export const logCli = defineCliCommand({
  meta: {
    name: 'log',
    description: COMMAND_DESCRIPTIONS.log,
  },
  args: {
    ...kindArg,
    project: { type: 'string', description: 'Project name (slugified)', required: true },
    predictions: {
      type: 'string',
      description: 'CSV file with one row per test sample (UTF-8, with or without a BOM)',
      required: true,
    },
    'y-true': { type: 'string', description: 'Column of actual values', default: 'y_true' },
    'y-pred': { type: 'string', description: 'Column of predicted values', default: 'y_pred' },
    'sample-id': {
      type: 'string',
      description:
        "Column of sample ids. Default: sample_id, else the unnamed first column (pandas' index), else the row's position counting from 0 (like pandas)",
      valueHint: 'column',
    },
    'y-score': {
      type: 'string',
      description:
        "Classification: probability column(s). One column: the positive class's probability (binary); or a comma-separated list, one column per class in sorted class order (as predict_proba gives them)",
      valueHint: 'column[,column...]',
    },
    'y-score-prefix': {
      type: 'string',
      description:
        'Classification: the probability columns are those whose names start with this, each named after its class (proba_0, proba_1, ...)',
      valueHint: 'prefix',
    },
    'positive-label': {
      type: 'string',
      description:
        'Binary classification: the positive class, whose probability a single --y-score column holds. Default: the greater label (numbers by value, text by code point: 1 over 0, yes over no)',
      valueHint: 'label',
    },
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
    json: {
      type: 'boolean',
      description:
        'Print the result as one JSON object: predictionId, project, tracker, scores, files, plots, warnings',
    },
    ...storeArg,
  },
  run: async (args, { cwd, env, stderr }) => {
    const logged = await logCommand({
      kind: args.kind,
      project: args.project,
      predictions: args.predictions,
      yTrue: args['y-true'],
      yPred: args['y-pred'],
      sampleId: args['sample-id'],
      yScore: args['y-score'],
      yScorePrefix: args['y-score-prefix'],
      positiveLabel: args['positive-label'],
      datasetUri: args['dataset-uri'],
      targetColumn: args['target-column'],
      model: args.model,
      params: args.params,
      extra: args.extra,
      newCsv: args['new-csv'],
      plots: args.plots,
      store: args.store,
      cwd,
      env,
    });
    // On stderr, so that stdout stays the result alone (and in --json's "warnings").
    for (const warning of logged.warnings) stderr.line(`ml-tracking: warning: ${warning}`);
    return logged;
  },
  json: (logged) => logResult(logged, logged.warnings),
  // The Python client reads the last line of stdout.
  jsonOnOneLine: true,
  render: (logged, output) => {
    printLogged(output, logged);
  },
});
