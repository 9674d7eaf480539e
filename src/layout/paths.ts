import type { ExperimentKind } from './tables.js';

/** A tracker's identity: `projects/<kind>/<project>_<YYYYMMDD>_<index>.csv`. */
export interface TrackerName {
  kind: ExperimentKind;
  project: string;
  /** `YYYYMMDD`, UTC. */
  date: string;
  /** 1 for the first tracker of the day. */
  index: number;
}

export const trackerFolder = (kind: ExperimentKind): string => `projects/${kind}/`;

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

export const scoringPath = (predictionId: string): string => `scoring/${predictionId}.csv`;

export const predictionsPath = (kind: ExperimentKind, predictionId: string): string =>
  `predictions/${kind}/${predictionId}.csv`;

export const confusionPath = (predictionId: string): string => `confusion/${predictionId}.csv`;

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
