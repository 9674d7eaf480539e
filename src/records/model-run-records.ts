/**
 * A `trainModel` run's objects in the store: its row of the model_runs table (what it takes to
 * reproduce the run) and the content-addressed artifacts it trained on. The only code that
 * writes these paths.
 */
import { commitKeyed } from './keyed-commit.js';
import { ConflictError, MlTrackingError } from '../errors.js';
import { encodeTable, type CellValue } from '../csv/encode.js';
import { decodeTable } from '../csv/decode.js';
import { jsonText } from '../_json.js';
import { artifactPath, modelRunPath } from '../layout/paths.js';
import {
  EXPERIMENT_KINDS,
  MODEL_RUNS_COLUMNS,
  headerOf,
  type ExperimentKind,
} from '../layout/tables.js';
import { readTextIfExists, writeIfGeneration } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import { decodeTextCell } from '../runs/_scalar-cells.js';
import type { JsonValue } from '../runs/run-record.js';
import { createHash } from 'node:crypto';

/** One row of the model_runs table, as written and as read back. */
export interface ModelRunRow {
  runId: string;
  /** Slugified project. */
  project: string;
  kind: ExperimentKind;
  /** Registered name of the model class. */
  modelClass: string;
  /** The params the model was constructed with (its `params()` extras are in the run record). */
  hyperparameters: Record<string, JsonValue>;
  featureGeneratorClass?: string;
  featureGeneratorParams?: Record<string, JsonValue>;
  datasetClass: string;
  datasetParams: Record<string, JsonValue>;
  testFraction: number;
  seed: number;
  /** Absent outside a git repository. */
  gitCommit?: string;
  /** Absent when unknown. */
  gitDirty?: boolean;
  metrics: Record<string, number>;
  predictionId: string;
  /** Store paths of the artifacts by role, e.g. `{ dataset: 'artifacts/sha256/<hex>' }`. */
  artifacts: Record<string, string>;
  /** The run this one reproduces. */
  reproduces?: string;
  startTime: Date;
  endTime: Date;
}

/**
 * Writes a run's model_runs row. Create-only: a run has one row, written once, when it ends. A
 * keyed commit whose key is the row's own text: a retry after an answer lost on the way back
 * finds its row there and is done, where a bare create-only write would call it a conflict.
 * @throws ConflictError when the run already has another row.
 */
export async function writeModelRun(store: Store, row: ModelRunRow): Promise<void> {
  const json = (value: unknown) => (value === undefined ? undefined : (jsonText(value) ?? ''));
  const cells: Record<string, CellValue> = {
    run_id: row.runId,
    project: row.project,
    kind: row.kind,
    model_class: row.modelClass,
    hyperparameters: json(row.hyperparameters),
    feature_generator_class: row.featureGeneratorClass,
    feature_generator_params: json(row.featureGeneratorParams),
    dataset_class: row.datasetClass,
    dataset_params: json(row.datasetParams),
    test_fraction: row.testFraction,
    seed: row.seed,
    git_commit: row.gitCommit,
    git_dirty: row.gitDirty,
    metrics: json(row.metrics),
    prediction_id: row.predictionId,
    artifacts: json(row.artifacts),
    reproduces: row.reproduces,
    start_time: row.startTime.toISOString(),
    end_time: row.endTime.toISOString(),
  };
  const header = headerOf(MODEL_RUNS_COLUMNS);
  const text = encodeTable(header, [header.map((name) => cells[name])]);
  const path = modelRunPath(row.runId);
  await commitKeyed(store, path, {
    hasKey: (stored) => stored === text,
    apply: (current) => {
      if (current === undefined) return text;
      throw new ConflictError({
        operation: 'write model run',
        store: store.url,
        path,
        expectedGeneration: '0',
        actualGeneration: current.generation,
      });
    },
    contentType: 'text/csv',
  });
}

/** A run's model_runs row; `undefined` when the run has none (it is not a `trainModel` run). */
export async function readModelRun(store: Store, runId: string): Promise<ModelRunRow | undefined> {
  const stored = await readTextIfExists(store, modelRunPath(runId));
  if (stored === undefined) return undefined;
  const cells = decodeTable(stored.text)[0];
  const kind = cells?.kind as ExperimentKind | undefined;
  if (cells?.run_id !== runId || !EXPERIMENT_KINDS.includes(kind!)) {
    throw new MlTrackingError(
      `Cannot read ${modelRunPath(runId)} in ${store.url}: it holds no model_runs row of run ${runId}. The file was changed by hand; restore it from a backup to reproduce the run.`,
      { code: 'ERR_MODEL_RUN' },
    );
  }
  const text_ = (name: string) => decodeTextCell(cells[name] ?? '');
  // An empty cell is an empty object (a column added to a row written without it).
  const object = (name: string) =>
    JSON.parse(cells[name] === undefined || cells[name] === '' ? '{}' : cells[name]) as Record<
      string,
      JsonValue
    >;
  const row: ModelRunRow = {
    runId,
    project: cells.project ?? '',
    kind: kind!,
    modelClass: text_('model_class'),
    hyperparameters: object('hyperparameters'),
    datasetClass: text_('dataset_class'),
    datasetParams: object('dataset_params'),
    testFraction: Number(cells.test_fraction),
    seed: Number(cells.seed),
    metrics: object('metrics') as Record<string, number>,
    predictionId: cells.prediction_id ?? '',
    artifacts: object('artifacts') as Record<string, string>,
    startTime: new Date(cells.start_time ?? ''),
    endTime: new Date(cells.end_time ?? ''),
  };
  if (cells.feature_generator_class) {
    row.featureGeneratorClass = text_('feature_generator_class');
    row.featureGeneratorParams = object('feature_generator_params');
  }
  if (cells.git_commit) row.gitCommit = cells.git_commit;
  if (cells.git_dirty === 'true' || cells.git_dirty === 'false') {
    row.gitDirty = cells.git_dirty === 'true';
  }
  if (cells.reproduces) row.reproduces = cells.reproduces;
  return row;
}

/** An artifact in the store. */
export interface StoredArtifact {
  /** SHA-256 of its bytes, in hex: its name. */
  sha256: string;
  /** Its path in the store (`artifacts/sha256/<hex>`). */
  path: string;
  /** `false` when the same bytes were already stored (by this run's data or another's). */
  created: boolean;
}

/**
 * Stores bytes under the SHA-256 of their content: the same data used by a hundred runs is
 * stored once. A look first spares re-uploading what is there; the create-only write then makes
 * two writers of the same new content safe (losing it means the identical object is already
 * there). Idempotent by its name: whatever is at the path is these bytes, so a retry after a lost
 * answer has nothing to tell apart.
 */
export async function storeArtifact(
  store: Store,
  bytes: Uint8Array,
  contentType: string,
): Promise<StoredArtifact> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const path = artifactPath(sha256);
  if ((await store.stat(path)) !== undefined) return { sha256, path, created: false };
  const created = await writeIfGeneration(store, path, bytes, '0', { contentType });
  return { sha256, path, created: created !== undefined };
}

/**
 * Reads an artifact back and checks its bytes still hash to its name.
 * @throws NotFoundError when it is not in the store; MlTrackingError `ERR_ARTIFACT_CHANGED`
 *   when its content no longer matches its name.
 */
export async function readArtifact(store: Store, path: string): Promise<Uint8Array> {
  const bytes = await store.read(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (path !== artifactPath(sha256)) {
    throw new MlTrackingError(
      `The artifact ${path} in ${store.url} no longer holds the bytes it was named after (their SHA-256 is ${sha256}): it was changed after it was stored, so it cannot be trusted to reproduce a run. Restore it from a backup.`,
      { code: 'ERR_ARTIFACT_CHANGED' },
    );
  }
  return bytes;
}
