import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { checkTypedId, PREDICTION_IDS, resolveId } from '../../_id-prefixes.js';
import { findExperiment, type FoundExperiment } from '../../tracking/find-experiment.js';
import type { OnSkipped } from '../../skipped-files.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';

/** Options of {@link showCommand}. */
export interface ShowCommandOptions extends CommandOptions {
  /** The prediction id (a UUID, any case), or its first 8+ characters (the plots' short id). */
  predictionId: string;
  /** Told of each file that could not be read. */
  onSkipped?: OnSkipped;
}

/** `ml-tracking show`: one experiment's tracker row, metrics and per-class metrics. */
export function showCommand(options: ShowCommandOptions): Promise<FoundExperiment> {
  checkTypedId(PREDICTION_IDS, options.predictionId, 'predictionId');
  return withCommandStore(
    options,
    async (store) =>
      findExperiment(
        store,
        await resolveId(store, PREDICTION_IDS, options.predictionId, 'predictionId'),
        options.onSkipped === undefined ? {} : { onSkipped: options.onSkipped },
      ),
    { existing: true },
  );
}

export const showCli = defineCliCommand({
  meta: {
    name: 'show',
    description: COMMAND_DESCRIPTIONS.show,
  },
  args: {
    predictionId: {
      type: 'positional',
      description: 'The prediction id (UUID), or its first 8+ characters as plot titles show it',
      required: true,
    },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) =>
    showCommand({
      predictionId: args.predictionId,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    }),
  render: (found, output) => {
    printExperiment(output, found);
  },
});

/**
 * The tracker, its row's fields (empty cells left out), then each overall metric once (full precision, `-` where not
 * defined), then the per-class metrics as a table with one row per class.
 */
function printExperiment(output: Output, found: FoundExperiment): void {
  const fields = Object.entries(found.fields).flatMap(([column, value]) =>
    value === null
      ? []
      : [[column, typeof value === 'object' ? JSON.stringify(value) : String(value)]],
  );
  const metrics = Object.entries(found.metrics).map(([metric, value]) => [
    metric,
    value === null ? '-' : String(value),
  ]);
  const width = Math.max(...[...fields, ...metrics].map(([label]) => label!.length));
  const pair = (label: string, value: string) => `  ${label.padEnd(width)}  ${value}`;
  output.line(`tracker: ${found.tracker}`);
  for (const [column, value] of fields) output.line(pair(column!, value!));
  output.line('metrics:');
  for (const [metric, value] of metrics) output.line(pair(metric!, value!));
  if (found.perClass.length === 0) return;

  output.line('per class:');
  const names = [...new Set(found.perClass.flatMap((row) => Object.keys(row.metrics)))];
  const table = [
    ['class', ...names],
    ...found.perClass.map((row) => [
      row.class,
      ...names.map((name) => {
        const value = row.metrics[name];
        return value === null || value === undefined ? '-' : String(value);
      }),
    ]),
  ];
  const widths = table[0]!.map((_, column) =>
    Math.max(...table.map((cells) => cells[column]!.length)),
  );
  for (const cells of table) {
    output.line(
      `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  ')}`,
    );
  }
}
