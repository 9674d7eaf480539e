import { defineCommand } from 'citty';
import { bigQueryDdl } from '../../looker/bigquery-ddl.js';
import { ValidationError } from '../../errors.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';

export function bigqueryCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'bigquery',
      description:
        'Print the BigQuery DDL of external tables over the store (gs:// only), one per folder',
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
    run: ({ args }) => {
      const json = args.json?.toUpperCase();
      if (json !== undefined && json !== 'STRING' && json !== 'JSON') {
        throw new ValidationError(
          '--json',
          `"${args.json ?? ''}" is not a column type`,
          'Use STRING or JSON.',
        );
      }
      const ddl = bigQueryDdl({
        dataset: args.dataset,
        store: args.store ?? process.env.ML_TRACKING_STORE ?? '',
        ...(json === undefined ? {} : { jsonAs: json }),
      });
      output.line(ddl.trimEnd());
    },
  });
}
