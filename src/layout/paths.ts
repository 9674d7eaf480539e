import { EXPERIMENT_KINDS, type ExperimentKind } from './tables.js';

/** A tracker's identity: `projects/<kind>/<project>_<YYYYMMDD>_<index>.csv`. */
export interface TrackerName {
  kind: ExperimentKind;
  project: string;
  /** `YYYYMMDD`, UTC. */
  date: string;
  /** 1 for the first tracker of the day. */
  index: number;
}

/** The folder of every tracker, one sub-folder per kind: every CSV file under it is a tracker. */
export const TRACKERS_FOLDER = 'projects/';

export const trackerFolder = (kind: ExperimentKind): string => `${TRACKERS_FOLDER}${kind}/`;

export const trackerPath = ({ kind, project, date, index }: TrackerName): string =>
  `${trackerFolder(kind)}${project}_${date}_${index}.csv`;

/**
 * Reads a tracker's name back, for exactly this project: project slugs never contain `_`, so
 * `soil_…` can never be mistaken for `soil-carbon_…`.
 */
export function parseTrackerPath(
  path: string,
  kind: ExperimentKind,
  project: string,
): TrackerName | undefined {
  const prefix = `${trackerFolder(kind)}${project}_`;
  if (!path.startsWith(prefix)) return undefined;
  const match = /^(\d{8})_([1-9]\d*)\.csv$/.exec(path.slice(prefix.length));
  if (!match?.[1] || !match[2]) return undefined;
  return { kind, project, date: match[1], index: Number(match[2]) };
}

/** The folder of the scoring tables: one file per prediction, named by its id. */
export const SCORING_FOLDER = 'scoring/';

export const scoringPath = (predictionId: string): string => `${SCORING_FOLDER}${predictionId}.csv`;

/** The prediction id of a scoring table's path, or `undefined` for another path. */
export const predictionIdOfScoringPath = (path: string): string | undefined =>
  idOfTableFile(SCORING_FOLDER, path);

export const predictionsPath = (kind: ExperimentKind, predictionId: string): string =>
  `predictions/${kind}/${predictionId}.csv`;

export const confusionPath = (predictionId: string): string => `confusion/${predictionId}.csv`;

/**
 * The URL of an object under the store's own URL: `gs://bucket/prefix/<path>` on GCS,
 * `file:///…/<path>` locally, `memory://name/<path>` in memory; what tools that read the store
 * take (gsutil, pandas, DuckDB). `Store.objectUrl` is for a browser instead (the Cloud console
 * on GCS). Object names stay as they are in a `gs://` URL; a `file://` URL gets them
 * percent-encoded, as a file URL must.
 */
export function storeObjectUri(storeUrl: string, path: string): string {
  const name = storeUrl.startsWith('file:')
    ? path.split('/').map(encodeURIComponent).join('/')
    : path;
  return `${storeUrl.replace(/\/+$/, '')}/${name}`;
}

/** `YYYYMMDD` of a moment, in UTC. */
export const utcDay = (moment: Date): string =>
  moment.toISOString().slice(0, 10).replaceAll('-', '');

/** `plots/<kind>/<id>_<plot>.png`; the Vega-Lite spec sits beside it as `.vl.json`. */
export const plotPath = (
  kind: ExperimentKind,
  predictionId: string,
  plot: string,
  extension: 'png' | 'vl.json',
): string => `plots/${kind}/${predictionId}_${plot}.${extension}`;

/**
 * The folders whose files are named by a prediction id (`<id>.csv`, `<id>_<plot>.png`): the
 * outputs of an experiment, which its tracker row references.
 */
export const predictionOutputFolders = (): string[] => [
  'scoring/',
  'confusion/',
  ...EXPERIMENT_KINDS.flatMap((kind) => [`predictions/${kind}/`, `plots/${kind}/`]),
];

/** The prediction id that names an output file, or `undefined` when the name holds none. */
export function predictionIdOfOutput(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})[_.]/.exec(name)?.[1];
}

/** The runs table's folder: one record per run. */
export const RUNS_FOLDER = 'runs/';

/** The run's record: `runs/<run_id>.csv` (header and one row). */
export const runPath = (runId: string): string => `${RUNS_FOLDER}${runId}.csv`;

/** The run id of a run record's path, or `undefined` for any other path under `runs/`. */
export const runIdOfPath = (path: string): string | undefined => idOfTableFile(RUNS_FOLDER, path);

/** The run's step series: `scalars/<run_id>.csv`, appended in batches. */
export const scalarsPath = (runId: string): string => `scalars/${runId}.csv`;

/**
 * The folder of the series index of every run (not a table: binary files that make a chart of a
 * long series read fast; the scalars CSV stays the one table of points). See
 * `src/series/lod-format.ts` for the format.
 */
export const SCALARS_LOD_FOLDER = 'scalars-lod/';

/** One run's series index, version `v1` of its format: `scalars-lod/<run_id>/v1/`. */
export const scalarsLodFolder = (runId: string): string => `${SCALARS_LOD_FOLDER}${runId}/v1/`;

/** The index's tag names, one JSON string per line; line `i` names tag number `i`. */
export const scalarsLodTagsPath = (runId: string): string => `${scalarsLodFolder(runId)}tags.jsonl`;

/** One level of the index: fixed-size records of float64 (`level-01.f64`, `level-02.f64`…). */
export const scalarsLodLevelPath = (runId: string, level: number): string =>
  `${scalarsLodFolder(runId)}level-${String(level).padStart(2, '0')}.f64`;

/** The run's captured standard output and error (plain text, not a table). */
export const runLogPath = (runId: string): string => `run-logs/${runId}.log`;

/** The sweeps table's folder: one record per sweep. */
export const SWEEPS_FOLDER = 'sweeps/';

/** The sweep's record: `sweeps/<sweep_id>.csv` (header and one row). */
export const sweepPath = (sweepId: string): string => `${SWEEPS_FOLDER}${sweepId}.csv`;

/** The sweep id of a sweep record's path, or `undefined` for any other path under `sweeps/`. */
export const sweepIdOfPath = (path: string): string | undefined =>
  idOfTableFile(SWEEPS_FOLDER, path);

/** `<id>` of `<folder><id>.csv` directly in `folder` (not in a sub-folder). */
function idOfTableFile(folder: string, path: string): string | undefined {
  if (!path.startsWith(folder) || !path.endsWith('.csv')) return undefined;
  const id = path.slice(folder.length, -'.csv'.length);
  return id === '' || id.includes('/') ? undefined : id;
}

/**
 * The sweep's working files, beside (not in) the `sweeps/` table folder so that a Looker Studio
 * data source over `sweeps/` sees only CSV files of one header.
 */
export const sweepFilesFolder = (sweepId: string): string => `sweep-files/${sweepId}/`;

/** The configuration as resolved, with its seed and start time. */
export const sweepDescriptionPath = (sweepId: string): string =>
  `${sweepFilesFolder(sweepId)}experiment_description.json`;

/** Who holds trial `trial` of a sweep: created only if absent, re-taken by a compare-and-swap. */
export const trialClaimPath = (sweepId: string, trial: number): string =>
  `${trialClaimsFolder(sweepId)}${String(trial).padStart(6, '0')}.json`;

/** The folder of a sweep's trial claims. */
export const trialClaimsFolder = (sweepId: string): string => `${sweepFilesFolder(sweepId)}claims/`;

/** The folder of a sweep's progress records (TPE's history, the values at each rung). */
export const progressFolder = (sweepId: string): string => `${sweepFilesFolder(sweepId)}progress/`;

/** Where trial `trial`'s progress record is. */
export const trialProgressPath = (sweepId: string, trial: number): string =>
  `${progressFolder(sweepId)}${String(trial).padStart(6, '0')}.json`;

/** A `trainModel` run's row of the model_runs table: `model_runs/<run_id>.csv` (header, one row). */
export const modelRunPath = (runId: string): string => `model_runs/${runId}.csv`;

/**
 * A stored artifact (a training data set), named by the SHA-256 of its bytes so that the same
 * content is stored once however many runs use it. Not a table.
 */
export const artifactPath = (sha256: string): string => `artifacts/sha256/${sha256}`;

/**
 * The experiment tracker of a project's `Experiment` classes (a `ModelTracker` as JSON: its
 * columns vary with the experiments, so it is not a table of the data contract).
 */
export const experimentTrackerPath = (project: string): string =>
  `experiment-trackers/${project}.json`;

/** Where an `Experiment` run writes its files (plots, checkpoints): one folder per run. */
export const experimentOutputsFolder = (
  project: string,
  modelName: string,
  runId: string,
): string => `experiment-outputs/${project}/${modelName}/${runId}/`;

/**
 * A pipeline's working files, beside the table folders: one claim per (script, version), which
 * is how pipeline processes on many machines share the versions.
 */
export const pipelineFilesFolder = (project: string): string => `pipeline-files/${project}/`;

/** Who runs version `version` of `script`: created only if absent, re-taken by a compare-and-swap. */
export const pipelineClaimPath = (project: string, script: string, version: string): string =>
  `${pipelineFilesFolder(project)}claims/${script}/${version}.json`;

/**
 * Every line the pipeline processes of one host logged, timestamped (plain text, appended):
 * `outputs/log-<hostname>`, as in the pipeline runner ml-tracking absorbed.
 */
export const pipelineLogPath = (host: string): string => `outputs/log-${host}`;

/** One JSON line per version a host's pipeline ran, with its results: `outputs/output-<hostname>`. */
export const pipelineOutputPath = (host: string): string => `outputs/output-${host}`;

/** A pipeline model's folder in the store (`ctx.outputs`): one per script and `modelDirSuffix`. */
export const pipelineModelFolder = (project: string, modelDir: string): string =>
  `pipeline-models/${project}/${modelDir}/`;

/**
 * A probe a process writes (and removes at once) to read the store's clock: its `updated` time
 * is the store's now. Not a table; `ml-tracking gc` may remove probes a killed process left.
 */
export const storeClockPath = (probe: string): string => `coordination/clock/${probe}`;

/** Where `ml-tracking check-store` writes (and removes) its scratch objects. Not a table. */
export const STORE_CHECKS_FOLDER = 'checks/';

/** A scratch object of `ml-tracking check-store`, under {@link STORE_CHECKS_FOLDER}. */
export const storeCheckPath = (name: string): string => `${STORE_CHECKS_FOLDER}${name}`;
