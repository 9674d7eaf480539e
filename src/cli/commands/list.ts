import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import {
  checkListExperimentsOptions,
  LOGGED_AT,
  listExperiments,
  type ExperimentSummary,
  type ListExperimentsOptions,
} from '../../tracking/list-experiments.js';
import { listTrackers, type TrackerSummary } from '../../tracking/list-trackers.js';
import type { Output } from '../_output.js';
import { stderrOutput, warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';
import { withStore } from '../../store/with-store.js';

/** Experiments shown when `--limit` is not given (`--json` then prints them all). */
export const DEFAULT_LIST_LIMIT = 20;

export function listCommand(output: Output, warnings: Output = stderrOutput) {
  return defineCommand({
    meta: {
      name: 'list',
      description:
        'List logged experiments, newest first, with the headline metric of their kind (f1_macro, rmse)',
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
    run: async ({ args }) => {
      const options: ListExperimentsOptions = {
        ...(args.project === undefined ? {} : { project: args.project }),
        ...(args.kind === undefined ? {} : { kind: args.kind as ExperimentKind }),
        ...(args.sort === undefined ? {} : { sort: args.sort }),
        ...(args.order === undefined ? {} : { order: args.order as 'asc' | 'desc' }),
        ...(args.limit === undefined ? {} : { limit: parseLimit(args.limit) }),
      };
      if (args.trackers) {
        for (const flag of ['sort', 'order', 'limit'] as const) {
          if (args[flag] !== undefined) {
            throw new ValidationError(
              `--${flag}`,
              'it applies to experiments, not to --trackers',
              `Leave out --${flag} or --trackers.`,
            );
          }
        }
      }
      // Checked before the store is opened, so that a wrong flag costs nothing.
      const checked = checkListExperimentsOptions(options, (option) => `--${option}`);
      const limit = checked.limit ?? (args.json ? undefined : DEFAULT_LIST_LIMIT);
      const onSkipped = warnSkipped(warnings);
      await withStore(args.store, async (store) => {
        const where = `${store.url}${checked.project === undefined ? '' : ` for project ${checked.project}`}`;
        if (args.trackers) {
          const { project, kind } = options;
          const trackers = await listTrackers(store, {
            ...(project === undefined ? {} : { project }),
            ...(kind === undefined ? {} : { kind }),
            onSkipped,
          });
          if (args.json) output.line(JSON.stringify(trackers, null, 2));
          else if (trackers.length === 0) output.line(`No trackers in ${where}.`);
          else printTrackers(output, trackers);
          return;
        }
        const { experiments, total } = await listExperiments(store, {
          ...options,
          ...(limit === undefined ? {} : { limit }),
          onSkipped,
        });
        if (args.json) {
          output.line(JSON.stringify(experiments, null, 2));
        } else if (experiments.length === 0) {
          output.line(`No experiments in ${where}.`);
        } else {
          printExperiments(output, experiments, checked.sort);
          if (total > experiments.length) {
            output.line(`${total - experiments.length} more; --limit ${total} to see them`);
          }
        }
      });
    },
  });
}

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
