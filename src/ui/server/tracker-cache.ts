/**
 * The `logExperiment` trackers of a store, decoded once per generation: a page of experiments
 * lists the tracker folders (a few objects) and re-reads only a tracker that was appended to since.
 */
import { decodeTable } from '../../csv/decode.js';
import { trackerFolder } from '../../layout/paths.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../../layout/tables.js';
import type { TrackerFile } from '../../tracking/list-trackers.js';
import type { Store } from '../../store/types.js';
import { mapConcurrently } from '../../_map-concurrently.js';
import { TRACKER_READS_AT_ONCE, trackerFileOfPath } from '../../tracking/list-trackers.js';

/** A tracker's rows, as of one generation. */
export interface CachedTracker {
  path: string;
  kind: ExperimentKind;
  project: string;
  /** When it was last appended to. */
  updated: Date;
  rows: Record<string, string>[];
}

export class TrackerCache {
  readonly #store: Store;
  #cached = new Map<string, { generation: string; tracker: CachedTracker }>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Every tracker of the store (of one project when given), oldest first. */
  async trackers(project?: string): Promise<CachedTracker[]> {
    const listed: { path: string; generation: string; updated: Date; name: TrackerFile }[] = [];
    for (const kind of EXPERIMENT_KINDS) {
      const prefix = `${trackerFolder(kind)}${project === undefined ? '' : `${project}_`}`;
      for await (const object of this.#store.listAll(prefix)) {
        const name = trackerFileOfPath(object.path);
        if (name === undefined || (project !== undefined && name.project !== project)) continue;
        listed.push({ ...object, name });
      }
    }
    const trackers = await mapConcurrently(listed, TRACKER_READS_AT_ONCE, async (object) => {
      const hit = this.#cached.get(object.path);
      if (hit?.generation === object.generation) return hit.tracker;
      const tracker: CachedTracker = {
        path: object.path,
        kind: object.name.kind,
        project: object.name.project,
        updated: object.updated,
        rows: decodeTable(await this.#store.readText(object.path)),
      };
      this.#cached.set(object.path, { generation: object.generation, tracker });
      return tracker;
    });
    if (project === undefined) {
      // Forget trackers that are gone (only a full listing knows).
      const present = new Set(listed.map((object) => object.path));
      for (const path of this.#cached.keys()) if (!present.has(path)) this.#cached.delete(path);
    }
    return trackers;
  }
}
