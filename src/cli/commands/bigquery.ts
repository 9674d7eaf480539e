import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { bigQueryDdl } from '../../looker/bigquery-ddl.js';
import { ValidationError } from '../../errors.js';
import { defineCliCommand, type Environment } from '../_command.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link bigqueryCommand}. */
export interface BigqueryCommandOptions {
  /** `dataset` or `project.dataset`. */
  dataset: string;
  /** The type of the JSON columns, `STRING` or `JSON` (any case). @default 'STRING' */
  json?: string | undefined;
  /** A `gs://` store. @default ML_TRACKING_STORE */
  store?: string | undefined;
  /** @default process.env */
  env?: Environment;
}

/** `ml-tracking bigquery`: the DDL of external tables over the store. */
export function bigqueryCommand(options: BigqueryCommandOptions): string {
  const json = options.json?.toUpperCase();
  if (json !== undefined && json !== 'STRING' && json !== 'JSON') {
    throw new ValidationError(
      '--json',
      `"${options.json ?? ''}" is not a column type`,
      'Use STRING or JSON.',
    );
  }
  return bigQueryDdl({
    dataset: options.dataset,
    store: options.store ?? (options.env ?? process.env).ML_TRACKING_STORE ?? '',
    ...(json === undefined ? {} : { jsonAs: json }),
  });
}

export const bigqueryCli = defineCliCommand({
  meta: {
    name: 'bigquery',
    description: COMMAND_DESCRIPTIONS.bigquery,
  },
  args: {
    dataset: {
      type: 'string',
      description: 'BigQuery dataset: dataset or project.dataset',
      required: true,
    },
    json: {
      type: 'string',
      description: 'Type of the JSON columns: STRING (default) or JSON',
    },
    ...storeArg,
  },
  run: (args, { env }) =>
    bigqueryCommand({ dataset: args.dataset, json: args.json, store: args.store, env }),
  render: (ddl, output) => {
    output.line(ddl.trimEnd());
  },
});
