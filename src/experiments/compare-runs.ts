/**
 * `compareRuns()`: runs side by side, the parameters that differ first, then their metrics
 * (`ml-tracking compare`). Works for any run: the run record gives hyperparameters, commit and
 * summary; a `trainModel` run's model_runs row adds its classes, their params, the seed and the
 * data set it trained on.
 */
import { ValidationError } from '../errors.js';
import { readModelRun, type ModelRunRow } from '../records/model-run-records.js';
import { checkRunId, getRun } from '../runs/read-runs.js';
import type { JsonValue, RunRecord } from '../runs/run-record.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { metricGoal, type MetricGoal } from '../metrics/metric-goals.js';
import { closest } from '../_suggest.js';

/** Options of {@link compareRuns}. */
export interface CompareRunsOptions {
  /** A store URL or an opened store. @default $ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /**
   * Order the runs best first by this metric (a tag of their summaries, e.g. `f1_macro`), as
   * its goal says (higher, lower or closest to zero is better); runs without it go last.
   * @default the order the ids were given in
   */
  metric?: string;
}

/** One run, as the comparison heads its column. */
export interface ComparedRun {
  id: string;
  name: string;
  project: string;
  status: RunRecord['status'];
  origin: RunRecord['origin'];
  startedAt: Date;
}

/** One parameter or metric across the runs: one value per run, in the order of `runs`. */
export interface ComparedRow {
  /** e.g. `hyperparameters.lr`, `model_class`, `dataset`, `git_commit`, or a metric's tag. */
  name: string;
  /** `null` where a run has no such parameter or metric. */
  values: (JsonValue | null)[];
  /** Whether the runs' values are not all the same. */
  differs: boolean;
}

/** What {@link compareRuns} found. */
export interface RunComparison {
  /** The runs, in column order: best first by `metric` when given. */
  runs: ComparedRun[];
  /** Parameters, those that differ first. */
  parameters: ComparedRow[];
  /** Each metric's last value (the summary); `metric` first when given, then by name. */
  metrics: ComparedRow[];
  /** The metric the runs are ordered by, and which way is better. */
  orderedBy?: { metric: string; goal: MetricGoal };
}

/**
 * Compares runs: their parameters (hyperparameters, the classes and data set of a `trainModel`
 * run, the commit), those that differ first, and their metrics.
 *
 * @throws ValidationError for no run ids, a malformed or repeated one, or a `metric` none of the
 *   runs has; NotFoundError when a run is not in the store.
 * @example
 * const { parameters, metrics } = await compareRuns([a, b], { metric: 'f1_macro' });
 * console.log(parameters.filter((row) => row.differs));
 */
export async function compareRuns(
  runIds: readonly string[],
  options: CompareRunsOptions = {},
): Promise<RunComparison> {
  // Array.isArray would type them `any[]`; a string is not an array of ids.
  if (typeof runIds !== 'object' || runIds.length === 0) {
    throw new ValidationError(
      'runIds',
      'no run ids were given',
      'Pass the ids of the runs to compare, as `ml-tracking runs` prints them.',
    );
  }
  for (const [index, runId] of runIds.entries()) {
    checkRunId(runId);
    if (runIds.indexOf(runId) !== index) {
      throw new ValidationError('runIds', `run ${runId} is given twice`, 'Give each run once.');
    }
  }
  return withStore(options.store, async (store) => {
    const found = await mapConcurrently([...runIds], 16, async (runId) => ({
      record: await getRun(runId, { store }),
      modelRun: await readModelRun(store, runId),
    }));
    let orderedBy: RunComparison['orderedBy'];
    if (options.metric !== undefined) {
      const metric = options.metric;
      const tags = [...new Set(found.flatMap(({ record }) => Object.keys(record.summary)))].sort();
      if (!tags.includes(metric)) {
        const suggestion = closest(metric, tags);
        throw new ValidationError(
          'metric',
          `none of the runs has the metric ${JSON.stringify(metric)}`,
          tags.length === 0
            ? 'These runs recorded no metrics; leave the metric out.'
            : `${suggestion === undefined ? '' : `Did you mean ${suggestion}? `}Use one of: ${tags.join(', ')}.`,
        );
      }
      orderedBy = { metric, goal: metricGoal(metric) };
      const goal = orderedBy.goal;
      const rank = (record: RunRecord): number => {
        const value = record.summary[metric]?.last;
        if (value === undefined || Number.isNaN(value)) return Infinity;
        if (goal === 'higher') return -value;
        if (goal === 'lower') return value;
        if (goal === 'zero') return Math.abs(value);
        return 0; // no known goal: keep the order given, runs with the metric first
      };
      // A stable sort: ties keep the order the ids were given in.
      found.sort((a, b) => rank(a.record) - rank(b.record) || 0);
    }

    const columns = found.map(({ record, modelRun }) => parametersOf(record, modelRun));
    const parameterNames = unionInOrder(columns.map((column) => [...column.keys()]));
    const parameters = parameterNames
      .map((name) =>
        compared(
          name,
          columns.map((column) => column.get(name)),
        ),
      )
      // A parameter no run has (no feature generator, no commit) says nothing.
      .filter((row) => row.values.some((value) => value !== null));
    const metricNames = [
      ...new Set(found.flatMap(({ record }) => Object.keys(record.summary))),
    ].sort();
    if (orderedBy !== undefined) {
      metricNames.splice(metricNames.indexOf(orderedBy.metric), 1);
      metricNames.unshift(orderedBy.metric);
    }
    const metrics = metricNames.map((name) =>
      compared(
        name,
        found.map(({ record }) => record.summary[name]?.last),
      ),
    );
    return {
      runs: found.map(({ record }) => ({
        id: record.id,
        name: record.name,
        project: record.project,
        status: record.status,
        origin: record.origin,
        startedAt: record.startedAt,
      })),
      // Differing first; each group keeps the order of parametersOf (sort is stable).
      parameters: parameters.sort((a, b) => Number(b.differs) - Number(a.differs)),
      metrics,
      ...(orderedBy !== undefined && { orderedBy }),
    };
  });
}

/** A run's parameters by name, in the order a reader looks for them. */
function parametersOf(record: RunRecord, modelRun: ModelRunRow | undefined): Map<string, unknown> {
  const parameters = new Map<string, unknown>();
  const flatten = (prefix: string, values: Record<string, JsonValue> | undefined) => {
    for (const key of Object.keys(values ?? {}).sort()) {
      parameters.set(`${prefix}.${key}`, values?.[key]);
    }
  };
  // The record's: a trainModel run's constructor params and what its model's params() added.
  flatten('hyperparameters', record.hyperparameters);
  if (modelRun !== undefined) {
    parameters.set('model_class', modelRun.modelClass);
    parameters.set('feature_generator_class', modelRun.featureGeneratorClass);
    flatten('feature_generator_params', modelRun.featureGeneratorParams);
    parameters.set('dataset_class', modelRun.datasetClass);
    flatten('dataset_params', modelRun.datasetParams);
    parameters.set('dataset', modelRun.artifacts.dataset);
    parameters.set('test_fraction', modelRun.testFraction);
    parameters.set('seed', modelRun.seed);
    parameters.set('reproduces', modelRun.reproduces);
  }
  if (record.experiment !== undefined) parameters.set('experiment', record.experiment);
  if (record.sweepId !== undefined) parameters.set('sweep_id', record.sweepId);
  parameters.set('git_commit', record.gitCommit);
  parameters.set('git_dirty', record.gitDirty);
  return parameters;
}

/** Every name of the lists, each once, in the order they first appear. */
function unionInOrder(lists: readonly string[][]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const name of list) seen.add(name);
  return [...seen];
}

function compared(name: string, raw: readonly unknown[]): ComparedRow {
  const values = raw.map((value) => (value === undefined ? null : (value as JsonValue)));
  const first = JSON.stringify(values[0]);
  return { name, values, differs: values.some((value) => JSON.stringify(value) !== first) };
}
