import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { ValidationError } from '../../errors.js';
import { readJsonObjectFile } from '../../experiments/_data-file.js';
import { beginTraining, type BeginTrainingAnswer } from '../../experiments/train-model-begin.js';
import { finishTraining } from '../../experiments/train-model-finish.js';
import { recallTraining, type RecallTrainingAnswer } from '../../experiments/train-model-recall.js';
import type { TrainModelResult } from '../../experiments/train-model-options.js';
import { usageError } from '../_strict-args.js';
import { commandStoreUrl, defineCliCommand, type CommandOptions } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link trainModelCommand}: the flags of `ml-tracking train-model`, as typed. */
export interface TrainModelCommandOptions extends CommandOptions {
  /** begin, finish or recall. */
  action: string | undefined;
  /** begin, finish: the loaded samples' JSON file. */
  data?: string | undefined;
  /** finish: the request's JSON file. */
  request?: string | undefined;
  kind?: string | undefined;
  project?: string | undefined;
  dataset?: string | undefined;
  seed?: string | undefined;
  testFraction?: string | undefined;
  allowDirty?: boolean | undefined;
  runId?: string | undefined;
  entry?: string | undefined;
  name?: string | undefined;
}

/** What `ml-tracking train-model` answers, by action. */
export type TrainModelCommandResult = BeginTrainingAnswer | TrainModelResult | RecallTrainingAnswer;

/**
 * `ml-tracking train-model begin|finish|recall`: the engine's steps of a `trainModel` run whose
 * model is fitted in another program (Python's `train_model`): begin checks and splits, finish
 * stores the data, scores and writes the model_runs row, recall reads a run to reproduce.
 */
export function trainModelCommand(
  options: TrainModelCommandOptions,
): Promise<TrainModelCommandResult> {
  const where = {
    store: commandStoreUrl(options),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  };
  switch (options.action) {
    case 'begin':
      return beginTraining({
        ...where,
        dataFile: required('--data', options.data),
        dataset: required('--dataset', options.dataset),
        kind: options.kind,
        project: required('--project', options.project),
        ...(options.seed !== undefined && { seed: numberOf('--seed', options.seed) }),
        ...(options.testFraction !== undefined && {
          testFraction: numberOf('--test-fraction', options.testFraction),
        }),
        allowDirty: options.allowDirty === true,
      });
    case 'finish':
      return readJsonObjectFile(required('--request', options.request), '--request').then(
        (request) => finishTraining({ ...where, request, dataFile: options.data }),
      );
    case 'recall':
      return recallTraining({
        ...where,
        runId: required('--run-id', options.runId),
        entry: options.entry,
        allowDirty: options.allowDirty === true,
        name: options.name,
        ...(options.env !== undefined && { env: options.env }),
      });
    default:
      throw usageError(
        options.action === undefined
          ? 'ml-tracking train-model needs an action: begin, finish or recall'
          : `unknown train-model action "${options.action}": use begin, finish or recall`,
      );
  }
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new ValidationError(flag, 'it is missing', `Pass ${flag}.`);
  }
  return value;
}

function numberOf(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) {
    throw new ValidationError(flag, `${JSON.stringify(text)} is not a number`, `Pass a number.`);
  }
  return value;
}

export const trainModelCli = defineCliCommand({
  meta: {
    name: 'train-model',
    description: COMMAND_DESCRIPTIONS['train-model'],
  },
  args: {
    action: { type: 'positional', description: 'begin, finish or recall', required: true },
    data: { type: 'string', description: "begin, finish: the loaded samples' JSON file" },
    request: { type: 'string', description: "finish: the request's JSON file" },
    kind: { type: 'string', description: 'begin: classification or regression' },
    project: { type: 'string', description: 'begin: project name (slugified)' },
    dataset: { type: 'string', description: "begin: the dataset's registered name" },
    seed: { type: 'string', description: "begin: the split's seed (default: a random one)" },
    'test-fraction': { type: 'string', description: 'begin: share held out (default 0.2)' },
    'allow-dirty': { type: 'boolean', description: 'begin, recall: train in a dirty tree' },
    'run-id': { type: 'string', description: 'recall: the run to reproduce' },
    entry: { type: 'string', description: 'recall: the training script', valueHint: 'file' },
    name: { type: 'string', description: "recall: the new run's name" },
    json: { type: 'boolean', description: 'Print the answer as one JSON object' },
    ...storeArg,
  },
  run: (args, { cwd, env }) =>
    trainModelCommand({
      action: args.action,
      data: args.data,
      request: args.request,
      kind: args.kind,
      project: args.project,
      dataset: args.dataset,
      seed: args.seed,
      testFraction: args['test-fraction'],
      allowDirty: args['allow-dirty'],
      runId: args['run-id'],
      entry: args.entry,
      name: args.name,
      store: args.store,
      cwd,
      env,
    }),
  // The Python client reads the last line of stdout.
  jsonOnOneLine: true,
  render: (result, output) => {
    output.line(JSON.stringify(result));
  },
});
