import { decodeTable } from '../csv/decode.js';
import { noSuchId, PREDICTION_IDS } from '../_id-prefixes.js';
import { ValidationError } from '../errors.js';
import { scoringPath } from '../layout/paths.js';
import {
  EXPERIMENT_KINDS,
  metricNames,
  trackingColumns,
  type Column,
  type ExperimentKind,
} from '../layout/tables.js';
import {
  CorruptFileError,
  problemOf,
  type OnSkipped,
  type SkippedFilesOptions,
} from '../skipped-files.js';
import type { Store } from '../store/types.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { metricValue, metricsOfRow } from './list-experiments.js';
import {
  decodeTrackerRows,
  findTrackers,
  TRACKER_READS_AT_ONCE,
  type TrackerFile,
} from './list-trackers.js';
import { readStringIfExists } from '../store/outcomes.js';

/** A tracker cell typed by its column: numbers and booleans parsed, JSON decoded, empty `null`. */
export type FieldValue =
  string | number | boolean | null | readonly FieldValue[] | { readonly [key: string]: FieldValue };

/** The per-class metrics of one class (classification). */
export interface ClassMetrics {
  /** The class label, as written in the scoring table. */
  class: string;
  /** `precision`, `recall`, `f1`, `support`, in the scoring table's order. */
  metrics: Record<string, number | null>;
}

/** A logged experiment as the store holds it, each value once. */
export interface FoundExperiment {
  predictionId: string;
  /** The slugified project. */
  project: string;
  kind: ExperimentKind;
  /** The tracker that holds its row. */
  tracker: string;
  /**
   * Every column of its tracker row except the metrics, in column order and typed by the data
   * contract (`src/layout/tables.ts`): numbers and booleans parsed, JSON columns decoded, empty
   * cells `null`.
   */
  fields: Record<string, FieldValue>;
  /** Its overall metrics, from the tracker row; `null` where not defined for the run. */
  metrics: Record<string, number | null>;
  /** Per-class metrics from its scoring table, one entry per class; empty for regression. */
  perClass: ClassMetrics[];
}

/** A UUID in lower case, as prediction ids are written. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Finds an experiment by prediction id: its tracker row and its per-class scores. The id may be
 * in any case (a UUID's hex digits are case-insensitive; ids are written in lower case).
 *
 * Its scoring table (`scoring/<id>.csv`, written before the row) names its project and kind, so
 * only that project's trackers are read, newest first, until the row turns up. Only when the
 * scoring table is missing (or does not say) are all trackers searched. A tracker that cannot be
 * read is skipped (and named to `onSkipped`) unless the id is in its text.
 *
 * @throws ValidationError when `id` is not a UUID.
 * @throws NotFoundError when no tracker holds it.
 * @throws CorruptFileError when its row is in a tracker that cannot be read, or its scoring
 * table cannot be read.
 */
export async function findExperiment(
  store: Store,
  id: string,
  options: SkippedFilesOptions = {},
): Promise<FoundExperiment> {
  const predictionId = id.toLowerCase();
  if (!UUID.test(predictionId)) {
    throw new ValidationError(
      'predictionId',
      `"${id}" is not a prediction id`,
      'Pass the UUID that logExperiment returned (column prediction_id).',
    );
  }
  const scores = await readScores(store, predictionId);
  const owner = scores[0];
  const kind = EXPERIMENT_KINDS.find((known) => known === owner?.kind);
  // Without a scoring table that names the project (deleted by hand, say), the trackers are
  // the only place left to look.
  const search: Search = { store, predictionId, onSkipped: options.onSkipped };
  const hit =
    owner?.project && kind
      ? await searchNewestFirst(search, { kind, project: owner.project })
      : await searchAll(search);
  if (!hit) throw noSuchId(store, PREDICTION_IDS, predictionId);
  const { tracker, row } = hit;
  return {
    predictionId,
    project: tracker.project,
    kind: tracker.kind,
    tracker: tracker.path,
    fields: fieldsOfRow(tracker.kind, row),
    metrics: metricsOfRow(tracker.kind, row),
    perClass: perClassMetrics(scores),
  };
}

interface Hit {
  tracker: TrackerFile;
  row: Record<string, string>;
}

interface Search {
  store: Store;
  predictionId: string;
  onSkipped: OnSkipped | undefined;
}

async function readScores(store: Store, predictionId: string): Promise<Record<string, string>[]> {
  const path = scoringPath(predictionId);
  const text = await readStringIfExists(store, path);
  if (text === undefined) return [];
  try {
    return decodeTable(text);
  } catch (error) {
    throw new CorruptFileError({
      store: store.url,
      path,
      problem: `it is not valid CSV (${problemOf(error)})`,
      cause: error,
    });
  }
}

/**
 * The id's row in `tracker`. A tracker that cannot be read holds the row if the id is in its
 * text (then the experiment itself cannot be read); otherwise it is skipped.
 */
async function findRow(
  { store, predictionId, onSkipped }: Search,
  tracker: TrackerFile,
): Promise<Record<string, string> | undefined> {
  const text = await store.readText(tracker.path);
  try {
    const rows = decodeTrackerRows(text, { store: store.url, path: tracker.path });
    return rows.find((record) => record.prediction_id === predictionId);
  } catch (error) {
    if (!(error instanceof CorruptFileError) || text.includes(predictionId)) throw error;
    onSkipped?.(error.skipped);
    return undefined;
  }
}

/** One project's trackers, newest first: recent experiments are the ones people look up. */
async function searchNewestFirst(
  search: Search,
  options: { kind: ExperimentKind; project: string },
): Promise<Hit | undefined> {
  for (const tracker of (await findTrackers(search.store, options)).reverse()) {
    const row = await findRow(search, tracker);
    if (row) return { tracker, row };
  }
  return undefined;
}

/** Every tracker, a few at a time; a prediction id is in one row only, so any hit is the hit. */
async function searchAll(search: Search): Promise<Hit | undefined> {
  let hit: Hit | undefined;
  await mapConcurrently(
    await findTrackers(search.store),
    TRACKER_READS_AT_ONCE,
    async (tracker) => {
      if (hit) return;
      const row = await findRow(search, tracker);
      if (row) hit = { tracker, row };
    },
  );
  return hit;
}

function perClassMetrics(scores: Record<string, string>[]): ClassMetrics[] {
  const byClass = new Map<string, Record<string, number | null>>();
  for (const score of scores) {
    const label = score.class;
    if (label === undefined || label === '' || score.metric === undefined) continue;
    let metrics = byClass.get(label);
    if (!metrics) byClass.set(label, (metrics = {}));
    metrics[score.metric] = metricValue(score.value);
  }
  return [...byClass].map(([label, metrics]) => ({ class: label, metrics }));
}

/** The tracker row's columns other than its metrics, typed by the data contract. */
function fieldsOfRow(
  kind: ExperimentKind,
  record: Record<string, string>,
): Record<string, FieldValue> {
  const metrics = new Set(metricNames(kind));
  const fields: Record<string, FieldValue> = {};
  for (const column of trackingColumns(kind)) {
    if (!metrics.has(column.name)) fields[column.name] = typedCell(column, record[column.name]);
  }
  return fields;
}

/** A JSON or number cell that does not parse is kept as text rather than lost. */
function typedCell(column: Column, text: string | undefined): FieldValue {
  if (text === undefined || text === '') return null;
  switch (column.type) {
    case 'number':
    case 'integer':
      return metricValue(text) ?? text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'json':
      try {
        return JSON.parse(text) as FieldValue;
      } catch {
        return text;
      }
    default:
      return text;
  }
}
