import { ValidationError } from '../errors.js';
import { describeValue } from '../metrics/input-checks.js';
import { metricGoal } from '../metrics/metric-goals.js';
import { EXPERIMENT_KINDS, metricNames, type ExperimentKind } from '../layout/tables.js';
import { skipIfCorrupt, type SkippedFilesOptions } from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import {
  checkKind,
  findTrackers,
  readTrackerRows,
  TRACKER_READS_AT_ONCE,
  type TrackerFile,
} from './list-trackers.js';
import { slugifyProject } from './project-name.js';

/**
 * The metric each kind is judged by at a glance, shown by `ml-tracking list`: macro F1 for
 * classification (every class counts the same, so a model that ignores a rare class cannot hide
 * behind a high accuracy), RMSE for regression (in the target's own unit; the usual yardstick).
 */
export const HEADLINE_METRICS: Readonly<Record<ExperimentKind, string>> = {
  classification: 'f1_macro',
  regression: 'rmse',
};

// listExperiments sorts by a metric's goal by default; its callers find the goal here too.
export { metricGoal, type MetricGoal } from '../metrics/metric-goals.js';

/** The column experiments are sorted by when no `sort` is given: newest first. */
export const LOGGED_AT = 'logged_at';

/** One logged experiment, as its tracker row summarises it. */
export interface ExperimentSummary {
  predictionId: string;
  /** When it was logged (RFC 3339, UTC), as in the tracker. */
  loggedAt: string;
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  /** The slugified project. */
  project: string;
  kind: ExperimentKind;
  /** Class name of the model. */
  model: string;
  /** Path of the tracker that holds its row. */
  tracker: string;
  /** The kind's headline metric ({@link HEADLINE_METRICS}); its value is in `metrics`. */
  headlineMetric: string;
  /**
   * Every overall metric of its kind, in the tracker's column order; `null` where the metric is
   * not defined for the run (an empty cell, e.g. `log_loss` without scores).
   */
  metrics: Record<string, number | null>;
}

/** Options of {@link listExperiments}. */
export interface ListExperimentsOptions extends SkippedFilesOptions {
  /** Only this project (slugified like everywhere else). */
  project?: string;
  /** Only experiments of this kind. @default both kinds */
  kind?: ExperimentKind;
  /**
   * `logged_at`, or a metric column of the kind (of either kind when `kind` is not given); a
   * metric keeps only the experiments of the kinds that have it. Experiments whose cell is
   * empty come last, whatever the order.
   * @default 'logged_at'
   */
  sort?: string;
  /**
   * `asc` or `desc`, by the raw value. Without it, best first: newest first for `logged_at`,
   * scores (`f1_macro`, `rsquared`…) descending, errors (`rmse`, `log_loss`…) ascending, `mbe`
   * closest to zero first (see {@link metricGoal}).
   */
  order?: 'asc' | 'desc';
  /** At most this many experiments (a positive integer). @default all */
  limit?: number;
}

/** What {@link listExperiments} found. */
export interface ExperimentList {
  /** The experiments, sorted, at most `limit` of them. */
  experiments: ExperimentSummary[];
  /** How many experiments matched before `limit` applied. */
  total: number;
}

/** {@link ListExperimentsOptions} once checked. */
export interface CheckedListOptions {
  project: string | undefined;
  kinds: readonly ExperimentKind[];
  sort: string;
  order: 'asc' | 'desc' | undefined;
  limit: number | undefined;
}

/**
 * The one check of {@link ListExperimentsOptions}, shared by {@link listExperiments} and the CLI.
 *
 * @param parameterOf names an option in an error: the option itself, or the CLI flag.
 * @throws ValidationError naming the option at fault.
 */
export function checkListExperimentsOptions(
  options: ListExperimentsOptions,
  parameterOf: (option: keyof ListExperimentsOptions) => string = (option) => option,
): CheckedListOptions {
  const project = options.project === undefined ? undefined : slugifyProject(options.project);
  let kinds: readonly ExperimentKind[] =
    options.kind === undefined ? EXPERIMENT_KINDS : [checkKind(options.kind, parameterOf('kind'))];
  const sort = options.sort ?? LOGGED_AT;
  if (sort !== LOGGED_AT) {
    const having = kinds.filter((kind) => metricNames(kind).includes(sort));
    if (having.length === 0) {
      throw new ValidationError(
        parameterOf('sort'),
        `"${sort}" is not a column to sort ${options.kind ?? 'experiments'} by`,
        `Use ${LOGGED_AT} or a metric: ${kinds
          .map((kind) => `${metricNames(kind).join(', ')} (${kind})`)
          .join('; ')}.`,
      );
    }
    kinds = having;
  }
  // Typed, but JavaScript callers and the CLI may pass anything.
  const order: unknown = options.order;
  if (order !== undefined && order !== 'asc' && order !== 'desc') {
    throw new ValidationError(
      parameterOf('order'),
      `${describeValue(order)} is not an order`,
      'Use asc or desc, or leave it out for best first (newest first by date).',
    );
  }
  const limit = options.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new ValidationError(
      parameterOf('limit'),
      `${describeValue(limit)} is not a positive whole number`,
      'Give how many experiments to return, e.g. 20, or leave it out for all of them.',
    );
  }
  return { project, kinds, sort, order, limit };
}

/**
 * The logged experiments of a store, one per tracker row, newest first unless `sort` says
 * otherwise. The trackers are the index: their rows hold every overall metric, so no scoring
 * table is read. Each tracker is read and parsed once, {@link TRACKER_READS_AT_ONCE} at a time;
 * one that cannot be read is left out and named to `onSkipped`.
 *
 * @example
 * const { experiments, total } = await listExperiments(store, { project: 'soil', sort: 'rmse', limit: 5 });
 * for (const e of experiments) console.log(e.predictionId, e.model, e.metrics.rmse);
 *
 * @throws ValidationError when an option is wrong (the error names it).
 */
export async function listExperiments(
  store: Store,
  options: ListExperimentsOptions = {},
): Promise<ExperimentList> {
  const checked = checkListExperimentsOptions(options);
  const trackers = (
    await Promise.all(
      checked.kinds.map((kind) =>
        findTrackers(
          store,
          checked.project === undefined ? { kind } : { kind, project: checked.project },
        ),
      ),
    )
  ).flat();
  const perTracker = await mapConcurrently(trackers, TRACKER_READS_AT_ONCE, (tracker) =>
    skipIfCorrupt(
      async () =>
        (await readTrackerRows(store, tracker.path)).map((record) => summarise(record, tracker)),
      options.onSkipped,
    ),
  );
  const experiments = perTracker.flatMap((summaries) => summaries ?? []);
  sortExperiments(experiments, checked.sort, checked.order);
  return {
    experiments: checked.limit === undefined ? experiments : experiments.slice(0, checked.limit),
    total: experiments.length,
  };
}

/** The overall metrics of a tracker row, in the column order of its kind. */
export function metricsOfRow(
  kind: ExperimentKind,
  record: Record<string, string>,
): Record<string, number | null> {
  const metrics: Record<string, number | null> = {};
  for (const name of metricNames(kind)) metrics[name] = metricValue(record[name]);
  return metrics;
}

/** A metric cell: a number, or `null` where it is empty (not defined for the run). */
export function metricValue(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function summarise(record: Record<string, string>, tracker: TrackerFile): ExperimentSummary {
  return {
    predictionId: record.prediction_id ?? '',
    loggedAt: record.logged_at ?? '',
    date: record.date ?? '',
    project: record.project ?? tracker.project,
    kind: tracker.kind,
    model: record.model ?? '',
    tracker: tracker.path,
    headlineMetric: HEADLINE_METRICS[tracker.kind],
    metrics: metricsOfRow(tracker.kind, record),
  };
}

/**
 * Sorts in place. Ties, and the order of equal dates, go newest first: trackers are read oldest
 * first and rows are appended, so a later position is a later row.
 */
function sortExperiments(
  experiments: ExperimentSummary[],
  sort: string,
  order: 'asc' | 'desc' | undefined,
): void {
  const position = new Map(experiments.map((experiment, index) => [experiment, index]));
  const newestFirst = (a: ExperimentSummary, b: ExperimentSummary) =>
    compareText(b.loggedAt, a.loggedAt) || position.get(b)! - position.get(a)!;
  if (sort === LOGGED_AT) {
    const sign = order === 'asc' ? -1 : 1;
    experiments.sort((a, b) => sign * newestFirst(a, b));
    return;
  }
  const goal = metricGoal(sort);
  const direction = order ?? (goal === 'higher' ? 'desc' : 'asc');
  const key = (value: number) => (order === undefined && goal === 'zero' ? Math.abs(value) : value);
  experiments.sort((a, b) => {
    const x = a.metrics[sort] ?? null;
    const y = b.metrics[sort] ?? null;
    if (x === null || y === null)
      return (x === null ? 1 : 0) - (y === null ? 1 : 0) || newestFirst(a, b);
    const difference = direction === 'asc' ? key(x) - key(y) : key(y) - key(x);
    return difference || newestFirst(a, b);
  });
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
