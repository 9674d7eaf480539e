import { decodeTable } from '../csv/decode.js';
import { ValidationError, NotFoundError } from '../errors.js';
import { scoringPath } from '../layout/paths.js';
import type { Store } from '../store/types.js';
import { listTrackers } from './list-trackers.js';

/** A logged experiment as the store holds it. */
export interface FoundExperiment {
  /** The tracker that holds its row. */
  tracker: string;
  /** Its tracker row, column by column (text as stored). */
  row: Record<string, string>;
  /** Its scoring table rows. */
  scores: Record<string, string>[];
}

/** A UUID in lower case, as prediction ids are written. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Finds an experiment by prediction id: its tracker row and its scores. The id may be in any
 * case (a UUID's hex digits are case-insensitive; ids are written in lower case).
 *
 * @throws ValidationError when `id` is not a UUID.
 * @throws NotFoundError when no tracker holds it.
 */
export async function findExperiment(store: Store, id: string): Promise<FoundExperiment> {
  const predictionId = id.toLowerCase();
  if (!UUID.test(predictionId)) {
    throw new ValidationError(
      'predictionId',
      `"${id}" is not a prediction id`,
      'Pass the UUID that logExperiment returned (column prediction_id).',
    );
  }
  // Newest trackers first: recent experiments are the ones people look up.
  for (const tracker of (await listTrackers(store)).reverse()) {
    const row = decodeTable(await store.readText(tracker.path)).find(
      (record) => record.prediction_id === predictionId,
    );
    if (row) {
      const scores = decodeTable(await store.readText(scoringPath(predictionId)));
      return { tracker: tracker.path, row, scores };
    }
  }
  throw new NotFoundError({ operation: 'find experiment', store: store.url, path: predictionId });
}
