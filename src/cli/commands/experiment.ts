import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { jsonText } from '../../_json.js';
import { ValidationError } from '../../errors.js';
import {
  checkExperiment,
  checkOnDuplicate,
  commitExperiment,
  type ExperimentCheck,
  type ExperimentCommit,
} from '../../experiments/experiment-steps.js';
import { checkModelName } from '../../experiments/experiment-row.js';
import type { JsonValue } from '../../runs/run-record.js';
import { slugifyProject } from '../../tracking/project-name.js';
import { usageError } from '../_strict-args.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { parseJsonObject } from '../_json-flag.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link experimentCommand}: the flags of `ml-tracking experiment`, as typed. */
export interface ExperimentCommandOptions extends CommandOptions {
  /** `check` (the policy, before any stage) or `commit` (the row, after every stage). */
  action: string | undefined;
  project: string;
  modelName: string;
  /** overwrite, duplicate, skip or error. */
  onDuplicate: string;
  /** commit: the experiment's run. */
  runId?: string | undefined;
  /** commit: the results as a JSON object's text. */
  metrics?: string | undefined;
  /** commit: seconds by stage as a JSON object's text. */
  stageSeconds?: string | undefined;
  /** commit: other columns of the row as a JSON object's text. */
  columns?: string | undefined;
  /** commit: hyperparameters as a JSON object's text. @default the run's */
  hyperparameters?: string | undefined;
  /** commit: when the stages ended (ISO 8601). @default now */
  endedAt?: string | undefined;
}

/** What `ml-tracking experiment` answers. */
export type ExperimentCommandResult = ExperimentCheck | ExperimentCommit;

/**
 * `ml-tracking experiment check|commit`: the engine's steps of an experiment whose stages run in
 * another program (the Python client's `Experiment`): the duplicate policy before any stage, and
 * the tracker row committed last.
 */
export function experimentCommand(
  options: ExperimentCommandOptions,
): Promise<ExperimentCommandResult> {
  // Every flag is checked before the store is opened.
  const onDuplicate = checkOnDuplicate(options.onDuplicate, '--on-duplicate');
  const common = {
    project: slugifyProject(options.project),
    modelName: checkModelName(options.modelName, '--model-name'),
    onDuplicate,
  };
  switch (options.action) {
    case 'check':
      return withCommandStore(options, (store) => checkExperiment({ ...common, store }));
    case 'commit': {
      if (options.runId === undefined) {
        throw new ValidationError(
          '--run-id',
          'it is missing',
          "Pass the experiment's run id: the row records it, and its record gives the start time and the commit.",
        );
      }
      const { runId } = options;
      const results = parseJsonObject('--metrics', options.metrics);
      const stageSeconds = parseJsonObject('--stage-seconds', options.stageSeconds);
      const columns = parseJsonObject('--columns', options.columns);
      const hyperparameters =
        options.hyperparameters === undefined
          ? undefined
          : (parseJsonObject('--hyperparameters', options.hyperparameters) as Record<
              string,
              JsonValue
            >);
      const endedAt = parseTime('--ended-at', options.endedAt);
      return withCommandStore(options, (store) =>
        commitExperiment({
          ...common,
          store,
          runId,
          results,
          stageSeconds,
          columns,
          ...(hyperparameters !== undefined && { hyperparameters }),
          ...(endedAt !== undefined && { endedAt }),
        }),
      );
    }
    default:
      throw usageError(
        options.action === undefined
          ? 'ml-tracking experiment needs an action: check or commit'
          : `unknown experiment action "${options.action}": use check or commit`,
      );
  }
}

export const experimentCli = defineCliCommand({
  meta: {
    name: 'experiment',
    description: COMMAND_DESCRIPTIONS.experiment,
  },
  args: {
    action: { type: 'positional', description: 'check or commit', required: true },
    project: { type: 'string', description: 'Project name (slugified)', required: true },
    'model-name': {
      type: 'string',
      description: "The experiment's model name: the tracker's duplicate key",
      required: true,
    },
    'on-duplicate': {
      type: 'string',
      description:
        'When the tracker has a row for the model name: overwrite, duplicate, skip or error (required)',
      required: true,
    },
    'run-id': { type: 'string', description: "commit: the experiment's run id" },
    metrics: {
      type: 'string',
      description: 'commit: the results as a JSON object of numbers',
    },
    'stage-seconds': {
      type: 'string',
      description:
        'commit: seconds each stage took as a JSON object (preprocess, preprocess_debug, train, evaluate)',
    },
    columns: {
      type: 'string',
      description: 'commit: other columns of the row as a JSON object (e.g. prediction_id)',
    },
    hyperparameters: {
      type: 'string',
      description: "commit: hyperparameters as a JSON object (default: the run's)",
    },
    'ended-at': {
      type: 'string',
      description: 'commit: when the stages ended, ISO 8601 (default: now)',
    },
    json: { type: 'boolean', description: 'Print the answer as one JSON object' },
    ...storeArg,
  },
  run: (args, { cwd, env }) =>
    experimentCommand({
      action: args.action,
      project: args.project,
      modelName: args['model-name'],
      onDuplicate: args['on-duplicate'],
      runId: args['run-id'],
      metrics: args.metrics,
      stageSeconds: args['stage-seconds'],
      columns: args.columns,
      hyperparameters: args.hyperparameters,
      endedAt: args['ended-at'],
      store: args.store,
      cwd,
      env,
    }),
  // The Python client reads the last line of stdout.
  jsonOnOneLine: true,
  render: (result, output) => {
    if ('decision' in result) {
      output.line(
        result.decision === 'run'
          ? `run: the duplicate policy lets the experiment train (${result.tracker})`
          : `skip: ${result.tracker} has a row for ${cell(result.row.model_name)} already (run ${cell(result.row.run_id)})`,
      );
      return;
    }
    const model = cell(result.row.model_name);
    output.line(
      result.status === 'recorded'
        ? `recorded: the row of run ${cell(result.row.run_id)} in ${result.tracker}`
        : `skipped: ${result.tracker} kept the row of run ${cell(result.row.run_id)} for ${model}`,
    );
  },
});

function parseTime(flag: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const time = /^\d{4}-\d{2}-\d{2}T/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw new ValidationError(
      flag,
      `${JSON.stringify(text)} is not an ISO 8601 time`,
      `Pass a time such as 2026-12-06T10:15:30.123Z.`,
    );
  }
  return time;
}

/** A row's value on a line of text. */
function cell(value: unknown): string {
  return typeof value === 'string' ? value : (jsonText(value) ?? '-');
}
