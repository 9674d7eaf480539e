import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { confusionPath, predictionsPath, scoringPath, storeObjectUri } from '../layout/paths.js';
import { classificationMetrics } from '../metrics/classification.js';
import { regressionMetrics } from '../metrics/regression.js';
import { openStore } from '../store/open-store.js';
import type { ObjectData, Store } from '../store/types.js';
import {
  confusionTable,
  overallMetrics,
  predictionsTable,
  scoringTable,
  type ExperimentScores,
} from './experiment-tables.js';
import { renderExperimentPlots } from './experiment-plots.js';
import { describeModel } from './model-info.js';
import { readRunContext } from './run-context.js';
import { trackingRow } from './tracking-row.js';
import { checkTrackerHeader, openTracker } from './trackers.js';
import { validateExperiment, type ExperimentInput, type ValidExperiment } from './validate.js';

/** Options of {@link logExperiment}. */
export interface LogExperimentOptions extends ExperimentInput {
  /** Start a new tracker for the project first. @default false */
  newCsv?: boolean;
  /**
   * Where to record: a store URL or an opened store.
   * @default $ML_TRACKING_STORE, else the folder ./ml-tracking
   */
  store?: string | Store;
  /**
   * Render the plots (confusion matrix, counts and normalised, plus ROC, precision–recall and
   * calibration curves when `yScore` is given; or predicted vs actual and residuals) as PNG with
   * their Vega-Lite specs, and put their URLs in the tracker row. Turn off for speed.
   * @default true
   */
  plots?: boolean;
  /** Working directory for the git commit and relative store paths. @default process.cwd() */
  cwd?: string;
}

/** One file written for an experiment. */
export interface LoggedFile {
  /** Path inside the store. */
  path: string;
  /** A URL a person can open. */
  url: string;
}

/** What {@link logExperiment} recorded. */
export interface LoggedExperiment {
  predictionId: string;
  /** The slugified project. */
  project: string;
  /** Path of the tracker the row was appended to. */
  tracker: string;
  /** The overall metrics, as in the tracker row (`undefined` = not defined for this run). */
  scores: Record<string, number | undefined>;
  /** Everything written: predictions, scoring, confusion (classification) and the tracker. */
  files: Record<'predictions' | 'scoring' | 'tracker', LoggedFile> & { confusion?: LoggedFile };
  /**
   * The PNG of each plot by name (`confusion_matrix`, `confusion_matrix_normalized`, `roc`,
   * `precision_recall`, `calibration`, `regression`, `residuals`); empty with `plots: false`.
   */
  plots: Record<string, LoggedFile>;
  /** Milliseconds spent per stage, for benchmarks and curious users. */
  timings: Record<'validate' | 'metrics' | 'tables' | 'plots' | 'write', number>;
  /**
   * Results that were logged but look wrong, one line each. Today: `roc_auc` below 0.5, which
   * almost always means `yScore` holds the other class's probabilities (binary) or its columns
   * are not in the order of `classes`. Empty when nothing looks wrong.
   */
  warnings: string[];
}

/**
 * Records one experiment: validates the inputs (nothing is written if any is wrong), computes
 * the metrics, writes the predictions, scoring and confusion tables, and then — last, as the
 * commit point — appends one row to the project's latest tracker.
 *
 * @throws OutdatedTrackerError (before anything is written) when the tracker's header is of an
 *   older schema version: run `ml-tracking migrate` (see `migrateTrackers`).
 *
 * @example
 * const logged = await logExperiment({
 *   kind: 'classification',
 *   project: 'soil texture',
 *   parameters: { datasetUri: 'gs://bucket/soil.csv', targetColumn: 'texture', testSet: ids, model },
 *   yTrue, yPred,
 * });
 * console.log(logged.scores.f1_macro, logged.tracker);
 */
export async function logExperiment(options: LogExperimentOptions): Promise<LoggedExperiment> {
  const clock = stopwatch();
  const experiment = validateExperiment(options);
  const store =
    typeof options.store === 'object'
      ? options.store
      : await openStore(options.store, options.cwd === undefined ? {} : { cwd: options.cwd });
  const timings = { validate: clock.lap(), metrics: 0, tables: 0, plots: 0, write: 0 };
  // git runs in a child process: let it work while the metrics are computed.
  const runContext = readRunContext(options.cwd ?? process.cwd(), {
    // A local store inside the repository is written by every run: it never makes a tree dirty.
    exclude: store.kind === 'local' ? [fileURLToPath(store.url)] : [],
  });
  const loggedAt = new Date();
  // The tracker is found (or created) and its header checked while the metrics and plots are
  // computed: one of an older schema then stops the run before anything is written, and the
  // check's read (the whole tracker on GCS, see readFirstLine) costs no wall time.
  const trackerReady = (async () => {
    const tracker = await openTracker(store, experiment.kind, experiment.project, {
      newCsv: options.newCsv ?? false,
      now: loggedAt,
    });
    await checkTrackerHeader(store, tracker);
    return tracker;
  })();
  // Awaited after the plots; if they fail first, this one's failure is not the one to report.
  trackerReady.catch(() => undefined);
  try {
    const scores = computeScores(experiment);
    timings.metrics = clock.lap();

    const predictionId = randomUUID();
    const [model, context] = [describeModel(experiment.model), await runContext];
    const outputs: Output[] = [
      {
        path: predictionsPath(experiment.kind, predictionId),
        data: predictionsTable(experiment, predictionId),
        contentType: 'text/csv',
      },
      {
        path: scoringPath(predictionId),
        data: scoringTable(scores, experiment.project, predictionId),
        contentType: 'text/csv',
      },
    ];
    if (scores.kind === 'classification') {
      outputs.push({
        path: confusionPath(predictionId),
        data: confusionTable(scores.scores, predictionId),
        contentType: 'text/csv',
      });
    }
    const testSetSha256 = testSetDigest(experiment.testSet);
    timings.tables = clock.lap();

    const plots =
      options.plots === false ? [] : await renderExperimentPlots(experiment, scores, predictionId);
    for (const plot of plots) {
      outputs.push({ path: plot.pngPath, data: plot.png, contentType: 'image/png' });
      outputs.push({ path: plot.specPath, data: plot.spec, contentType: 'application/json' });
    }
    const plotUrls = Object.fromEntries(
      plots.map((plot) => [plot.column, store.objectUrl(plot.pngPath)]),
    );
    timings.plots = clock.lap();

    const tracker = await trackerReady;
    // The outputs next, the tracker row last: a failure in between leaves no row behind.
    await Promise.all(
      outputs.map(({ path, data, contentType }) => store.write(path, data, { contentType })),
    );
    const row = trackingRow({
      experiment,
      predictionId,
      loggedAt,
      testSetSha256,
      predictionsUri: storeObjectUri(store.url, predictionsPath(experiment.kind, predictionId)),
      model,
      context,
      scores,
      plots: plotUrls,
    });
    // Keyed by the prediction id: however often the store retries, the row lands once.
    await store.append(tracker.path, row, { key: predictionId });
    timings.write = clock.lap();

    const file = (path: string): LoggedFile => ({ path, url: store.objectUrl(path) });
    const [predictions, scoring] = outputs.map(({ path }) => file(path));
    const overall = overallMetrics(scores);
    return {
      predictionId,
      project: experiment.project,
      tracker: tracker.path,
      scores: overall,
      warnings: resultWarnings(overall),
      files: {
        predictions: predictions!,
        scoring: scoring!,
        tracker: file(tracker.path),
        ...(scores.kind === 'classification'
          ? { confusion: file(confusionPath(predictionId)) }
          : {}),
      },
      plots: Object.fromEntries(
        plots.map((plot) => [plotNameOf(plot.pngPath), file(plot.pngPath)]),
      ),
      timings,
    };
  } finally {
    // Never close the store under the tracker's open (a lock or a create may be in flight).
    await trackerReady.catch(() => undefined);
    if (typeof options.store !== 'object') await store.close();
  }
}

/** One object written for an experiment. */
interface Output {
  path: string;
  /** The predictions and confusion tables are chunks, encoded as the store writes them. */
  data: ObjectData;
  contentType: string;
}

/** `plots/<kind>/<id>_<plot>.png` → `<plot>`. */
function plotNameOf(pngPath: string): string {
  return pngPath.slice(pngPath.indexOf('_') + 1, -'.png'.length);
}

function computeScores(experiment: ValidExperiment): ExperimentScores {
  if (experiment.kind === 'regression') {
    return {
      kind: 'regression',
      scores: regressionMetrics(
        experiment.yTrue as ArrayLike<number>,
        experiment.yPred as ArrayLike<number>,
      ),
    };
  }
  return {
    kind: 'classification',
    scores: classificationMetrics(experiment.yTrue, experiment.yPred, {
      ...(experiment.yScore === undefined ? {} : { yScore: experiment.yScore }),
      ...(experiment.classes === undefined ? {} : { classes: experiment.classes }),
      ...(experiment.positiveLabel === undefined
        ? {}
        : { positiveLabel: experiment.positiveLabel }),
    }),
  };
}

function resultWarnings(scores: Record<string, number | undefined>): string[] {
  const rocAuc = scores.roc_auc;
  if (rocAuc === undefined || !(rocAuc < 0.5)) return [];
  return [
    `roc_auc is ${rocAuc.toPrecision(4)}, below 0.5 (worse than chance): yScore probably holds the other class's probabilities (binary: pass positiveLabel), or its columns are not in the order of classes`,
  ];
}

/** Ids hashed per update: far cheaper than one update per id, and far below V8's string limit. */
const DIGEST_BATCH_IDS = 65_536;

/**
 * SHA-256 of the test sample ids, one per line: equal digests mean the same test split. Hashed
 * in batches, since one string of 2e7 UUIDs would pass V8's limit of about 5e8 characters.
 */
export function testSetDigest(ids: readonly string[]): string {
  const hash = createHash('sha256');
  if (ids.length === 0) hash.update('\n'); // the join of no ids, then its line end
  for (let from = 0; from < ids.length; from += DIGEST_BATCH_IDS) {
    hash.update(`${ids.slice(from, from + DIGEST_BATCH_IDS).join('\n')}\n`);
  }
  return hash.digest('hex');
}

function stopwatch() {
  let last = performance.now();
  return {
    lap(): number {
      const now = performance.now();
      const elapsed = now - last;
      last = now;
      return elapsed;
    },
  };
}
