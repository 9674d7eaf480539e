import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import type { OnSkipped } from '../../skipped-files.js';
import {
  checkListExperimentsOptions,
  LOGGED_AT,
  listExperiments,
  type ExperimentSummary,
  type ListExperimentsOptions,
} from '../../tracking/list-experiments.js';
import { listTrackers, type TrackerSummary } from '../../tracking/list-trackers.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';

/** Experiments shown when `--limit` is not given (`--json` then prints them all). */
export const DEFAULT_LIST_LIMIT = 20;

/** Options of {@link listCommand}. */
export interface ListCommandOptions extends CommandOptions {
  project?: string | undefined;
  /** `classification` or `regression`. */
  kind?: string | undefined;
  /** `logged_at` or a metric column, best first. */
  sort?: string | undefined;
  /** `asc` or `desc` by the raw value instead of best first. */
  order?: string | undefined;
  /** At most this many experiments, as typed (a whole number). @default every one */
  limit?: string | undefined;
  /** List the tracker files instead of the experiments. @default false */
  trackers?: boolean | undefined;
  /** Told of each file that could not be read. */
  onSkipped?: OnSkipped;
}

/** What `ml-tracking list` found. */
export type ListResult =
  | { trackers: TrackerSummary[]; where: string }
  | { experiments: ExperimentSummary[]; total: number; sort: string; where: string };

/** `ml-tracking list`: the experiments, newest or best first, or the trackers. */
export async function listCommand(options: ListCommandOptions = {}): Promise<ListResult> {
  const filters: ListExperimentsOptions = {
    ...(options.project === undefined ? {} : { project: options.project }),
    ...(options.kind === undefined ? {} : { kind: options.kind as ExperimentKind }),
    ...(options.sort === undefined ? {} : { sort: options.sort }),
    ...(options.order === undefined ? {} : { order: options.order as 'asc' | 'desc' }),
    ...(options.limit === undefined ? {} : { limit: parseLimit(options.limit) }),
  };
  if (options.trackers === true) {
    for (const flag of ['sort', 'order', 'limit'] as const) {
      if (options[flag] !== undefined) {
        throw new ValidationError(
          `--${flag}`,
          'it applies to experiments, not to --trackers',
          `Leave out --${flag} or --trackers.`,
        );
      }
    }
  }
  // Checked before the store is opened, so that a wrong flag costs nothing.
  const checked = checkListExperimentsOptions(filters, (option) => `--${option}`);
  const onSkipped = options.onSkipped === undefined ? {} : { onSkipped: options.onSkipped };
  return withCommandStore(
    options,
    async (store) => {
      const where = `${store.url}${checked.project === undefined ? '' : ` for project ${checked.project}`}`;
      if (options.trackers === true) {
        const { project, kind } = filters;
        const trackers = await listTrackers(store, {
          ...(project === undefined ? {} : { project }),
          ...(kind === undefined ? {} : { kind }),
          ...onSkipped,
        });
        return { trackers, where };
      }
      const { experiments, total } = await listExperiments(store, { ...filters, ...onSkipped });
      return { experiments, total, sort: checked.sort, where };
    },
    { existing: true },
  );
}

export const listCli = defineCliCommand({
  meta: {
    name: 'list',
    description: COMMAND_DESCRIPTIONS.list,
  },
  args: {
    project: { type: 'string', description: 'Only this project' },
    kind: { type: 'string', description: 'Only this kind: classification or regression' },
    sort: {
      type: 'string',
      description:
        'Sort by logged_at or a metric column, best first: scores descending, errors ascending',
    },
    order: { type: 'string', description: 'asc or desc by the raw value, instead of best first' },
    limit: {
      type: 'string',
      description: `Show at most this many experiments (default ${DEFAULT_LIST_LIMIT}; all with --json)`,
    },
    trackers: { type: 'boolean', description: 'List the tracker files and their row counts' },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) =>
    listCommand({
      project: args.project,
      kind: args.kind,
      sort: args.sort,
      order: args.order,
      // A terminal gets a screenful of experiments; --json all of them unless told otherwise.
      limit:
        args.limit ??
        (args.json === true || args.trackers === true ? undefined : String(DEFAULT_LIST_LIMIT)),
      trackers: args.trackers,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    }),
  json: (result) => ('trackers' in result ? result.trackers : result.experiments),
  render: (result, output) => {
    if ('trackers' in result) {
      if (result.trackers.length === 0) output.line(`No trackers in ${result.where}.`);
      else printTrackers(output, result.trackers);
      return;
    }
    const { experiments, total } = result;
    if (experiments.length === 0) {
      output.line(`No experiments in ${result.where}.`);
      return;
    }
    printExperiments(output, experiments, result.sort);
    if (total > experiments.length) {
      output.line(`${total - experiments.length} more; --limit ${total} to see them`);
    }
  },
});

function parseLimit(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new ValidationError(
      '--limit',
      `"${text}" is not a whole number`,
      `Give how many experiments to show, e.g. --limit ${DEFAULT_LIST_LIMIT}.`,
    );
  }
  return Number(text);
}

function printTrackers(output: Output, trackers: TrackerSummary[]): void {
  const width = Math.max(...trackers.map((tracker) => tracker.path.length));
  for (const tracker of trackers) {
    output.line(
      `${tracker.path.padEnd(width)}  ${String(tracker.rows).padStart(6)} ${tracker.rows === 1 ? 'row' : 'rows'}`,
    );
  }
}

/**
 * One line per experiment. The metric column shows the sort metric, else each kind's headline
 * metric: under its own name when all rows share it, else as `name value`.
 */
function printExperiments(output: Output, experiments: ExperimentSummary[], sort: string): void {
  const shown = (experiment: ExperimentSummary) =>
    sort === LOGGED_AT ? experiment.headlineMetric : sort;
  const names = new Set(experiments.map(shown));
  const [onlyName] = names.size === 1 ? names : [];
  const rows = experiments.map((experiment) => {
    const metric = shown(experiment);
    const value = formatMetric(experiment.metrics[metric] ?? null);
    return [
      experiment.predictionId,
      experiment.loggedAt.slice(0, 19).replace('T', ' '),
      experiment.project,
      experiment.kind,
      experiment.model,
      onlyName === undefined ? `${metric} ${value}` : value,
    ];
  });
  const header = ['prediction_id', 'logged_at (UTC)', 'project', 'kind', 'model'];
  header.push(onlyName ?? 'headline metric');
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 && onlyName !== undefined
          ? cell.padStart(widths[column]!)
          : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  output.line(line(header));
  for (const row of rows) output.line(line(row));
}

/** Six significant digits for a compact column (`--json` and `show` have full precision). */
function formatMetric(value: number | null): string {
  if (value === null) return '-';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
