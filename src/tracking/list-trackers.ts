import { decodeTable } from '../csv/decode.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import type { Store } from '../store/types.js';
import { slugifyProject } from './project-name.js';

/** A tracker file and how many experiments it holds. */
export interface TrackerSummary {
  path: string;
  kind: ExperimentKind;
  project: string;
  /** `YYYYMMDD`. */
  date: string;
  index: number;
  /** Logged experiments (data rows). */
  rows: number;
}

/** Options of {@link listTrackers}. */
export interface ListTrackersOptions {
  /** Only this project (slugified like everywhere else). */
  project?: string;
}

const TRACKER_NAME =
  /^projects\/(classification|regression)\/([a-z0-9-]+)_(\d{8})_([1-9]\d*)\.csv$/;

/** Every tracker in the store, by kind, project, date and index, with its row count. */
export async function listTrackers(
  store: Store,
  options: ListTrackersOptions = {},
): Promise<TrackerSummary[]> {
  const project = options.project === undefined ? undefined : slugifyProject(options.project);
  const found: Omit<TrackerSummary, 'rows'>[] = [];
  for (const kind of EXPERIMENT_KINDS) {
    for await (const object of store.listAll(
      `projects/${kind}/${project === undefined ? '' : `${project}_`}`,
    )) {
      const match = TRACKER_NAME.exec(object.path);
      if (!match || (project !== undefined && match[2] !== project)) continue;
      found.push({
        path: object.path,
        kind: match[1] as ExperimentKind,
        project: match[2] ?? '',
        date: match[3] ?? '',
        index: Number(match[4]),
      });
    }
  }
  const rows = await Promise.all(
    found.map(async ({ path }) => decodeTable(await store.readText(path)).length),
  );
  return found
    .map((tracker, position) => ({ ...tracker, rows: rows[position] ?? 0 }))
    .sort(
      (a, b) =>
        a.project.localeCompare(b.project) ||
        a.kind.localeCompare(b.kind) ||
        a.date.localeCompare(b.date) ||
        a.index - b.index,
    );
}
