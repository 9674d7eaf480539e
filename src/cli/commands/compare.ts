import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { checkTypedId, resolveId, RUN_IDS } from '../../_id-prefixes.js';
import {
  compareRuns,
  type ComparedRow,
  type RunComparison,
} from '../../experiments/compare-runs.js';
import type { JsonValue } from '../../runs/run-record.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { formatTime } from '../_table.js';

const GOAL_WORDS = {
  higher: 'higher is better',
  lower: 'lower is better',
  zero: 'closer to zero is better',
  none: 'no known goal: in the order given',
} as const;

/** Options of {@link compareCommand}. */
export interface CompareCommandOptions extends CommandOptions {
  /** The runs' ids, as `ml-tracking runs` prints them, or their first 8+ characters. */
  runIds: string[];
  /** Order the runs best first by this metric. */
  metric?: string | undefined;
}

/** `ml-tracking compare`: runs side by side, the parameters that differ first. */
export function compareCommand(options: CompareCommandOptions): Promise<RunComparison> {
  for (const id of options.runIds) checkTypedId(RUN_IDS, id, 'runIds');
  return withCommandStore(
    options,
    async (store) =>
      compareRuns(
        await Promise.all(options.runIds.map((id) => resolveId(store, RUN_IDS, id, 'runIds'))),
        { store, ...(options.metric !== undefined && { metric: options.metric }) },
      ),
    { existing: true },
  );
}

export const compareCli = defineCliCommand({
  meta: {
    name: 'compare',
    description: COMMAND_DESCRIPTIONS.compare,
  },
  args: {
    'run-ids': {
      type: 'positional',
      description:
        'The ids of the runs to compare, as ml-tracking runs prints them (or their first 8+ characters)',
      required: true,
      valueHint: 'argv',
    },
    metric: {
      type: 'string',
      description: 'Order the runs best first by this metric (e.g. f1_macro, rmse)',
    },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env }) =>
    compareCommand({
      runIds: args._.map(String),
      metric: args.metric,
      store: args.store,
      cwd,
      env,
    }),
  render: (comparison, output) => {
    printComparison(output, comparison);
  },
});

/**
 * One table, one column per run: who each run is, the parameters that differ, those that are
 * the same, then the metrics (full precision: a difference in the sixth digit is a difference).
 * Section titles are lines of their own, so they do not widen the first column.
 */
function printComparison(output: Output, comparison: RunComparison): void {
  const { runs, parameters, metrics, orderedBy } = comparison;
  const cells = (row: ComparedRow) => [
    row.name,
    ...row.values.map((value) => shortened(row.name, cell(value))),
  ];
  const differ = parameters.filter((row) => row.differs);
  const same = parameters.filter((row) => !row.differs);
  const lines: (string | string[])[] = [
    ['run', ...runs.map((run) => run.id)],
    ['name', ...runs.map((run) => run.name)],
    ['project', ...runs.map((run) => run.project)],
    ['status', ...runs.map((run) => run.status)],
    ['origin', ...runs.map((run) => run.origin)],
    ['started (UTC)', ...runs.map((run) => formatTime(run.startedAt))],
    '',
    differ.length === 0 ? 'Parameters that differ: none' : 'Parameters that differ:',
    ...differ.map(cells),
  ];
  if (same.length > 0) lines.push('', 'Parameters that are the same:', ...same.map(cells));
  lines.push(
    '',
    metrics.length === 0
      ? 'Metrics: none'
      : orderedBy === undefined
        ? 'Metrics:'
        : `Metrics (runs ordered by ${orderedBy.metric}, ${GOAL_WORDS[orderedBy.goal]}):`,
    ...metrics.map(cells),
  );
  const rows = lines.filter((line): line is string[] => typeof line !== 'string');
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const line of lines) {
    output.line(
      typeof line === 'string'
        ? line
        : line
            .map((text, column) => text.padEnd(widths[column] ?? 0))
            .join('  ')
            .trimEnd(),
    );
  }
}

/**
 * Hashes as `git log --oneline` shows them, so that the runs fit side by side; twelve hex
 * digits still tell a hundred thousand apart (`--json` has them whole).
 */
function shortened(name: string, text: string): string {
  if (name === 'git_commit') return /^[0-9a-f]{40}$/.test(text) ? text.slice(0, 12) : text;
  if (name === 'dataset')
    return text.replace(/^artifacts\/sha256\/([0-9a-f]{12})[0-9a-f]{52}$/, 'sha256:$1');
  return text;
}

function cell(value: JsonValue | null): string {
  if (value === null) return '-';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
