/**
 * The `logExperiment` trackers of a store, decoded once per generation: a page of experiments
 * lists the tracker folders (a few objects) and re-reads only a tracker that was appended to since.
 * A tracker that cannot be read is remembered as skipped at its generation, so it is named on
 * every answer without being read again until it changes.
 */
import { trackerFolder } from '../../layout/paths.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../../layout/tables.js';
import { CorruptFileError, type SkippedFile } from '../../skipped-files.js';
import type { TrackerFile } from '../../tracking/list-trackers.js';
import type { Store } from '../../store/types.js';
import { mapConcurrently } from '../../_map-concurrently.js';
import {
  readTrackerRows,
  TRACKER_READS_AT_ONCE,
  trackerFileOfPath,
} from '../../tracking/list-trackers.js';

/** A tracker's rows, as of one generation. */
export interface CachedTracker {
  path: string;
  kind: ExperimentKind;
  project: string;
  /** When it was last appended to. */
  updated: Date;
  rows: Record<string, string>[];
}

/** The trackers that could be read, and the ones that could not. */
export interface TrackerReading {
  /** Oldest first. */
  trackers: CachedTracker[];
  skipped: SkippedFile[];
}

type Cached = { generation: string } & (
  { tracker: CachedTracker; skipped?: undefined } | { tracker?: undefined; skipped: SkippedFile }
);

export class TrackerCache {
  readonly #store: Store;
  #cached = new Map<string, Cached>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Every tracker of the store (of one project when given), oldest first. */
  async trackers(project?: string): Promise<TrackerReading> {
    const listed: { path: string; generation: string; updated: Date; name: TrackerFile }[] = [];
    for (const kind of EXPERIMENT_KINDS) {
      const prefix = `${trackerFolder(kind)}${project === undefined ? '' : `${project}_`}`;
      for await (const object of this.#store.listAll(prefix)) {
        const name = trackerFileOfPath(object.path);
        if (name === undefined || (project !== undefined && name.project !== project)) continue;
        listed.push({ ...object, name });
      }
    }
    const read = await mapConcurrently(listed, TRACKER_READS_AT_ONCE, async (object) => {
      const hit = this.#cached.get(object.path);
      if (hit?.generation === object.generation) return hit;
      let cached: Cached;
      try {
        const rows = await readTrackerRows(this.#store, object.path);
        const { kind, project } = object.name;
        const tracker = { path: object.path, kind, project, updated: object.updated, rows };
        cached = { generation: object.generation, tracker };
      } catch (error) {
        if (!(error instanceof CorruptFileError)) throw error;
        cached = { generation: object.generation, skipped: error.skipped };
      }
      this.#cached.set(object.path, cached);
      return cached;
    });
    if (project === undefined) {
      // Forget trackers that are gone (only a full listing knows).
      const present = new Set(listed.map((object) => object.path));
      for (const path of this.#cached.keys()) if (!present.has(path)) this.#cached.delete(path);
    }
    return {
      trackers: read.flatMap((cached) => (cached.tracker === undefined ? [] : [cached.tracker])),
      skipped: read.flatMap((cached) => (cached.skipped === undefined ? [] : [cached.skipped])),
    };
  }
}
