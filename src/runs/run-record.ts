/**
 * The run record: what every run (a logger in a training loop, a sweep trial, `ml-tracking exec`,
 * an experiment class, a pipeline version) writes to `runs/<run_id>.csv`, and how it reads back.
 * One record for all of them, so every view sees every run.
 */
import { encodeTable, type CellValue } from '../csv/encode.js';
import { decodeTextCell as decodeText, parseRecord } from './_scalar-cells.js';
import { jsonText } from '../_json.js';
import { isSilent } from '../records/liveness.js';
import {
  RUN_ORIGINS,
  RUN_STATUSES,
  RUNS_COLUMNS,
  headerOf,
  type RunOrigin,
  type RunStatus,
} from '../layout/tables.js';

/** What a run's scalars of one tag came to. */
export interface TagSummary {
  /** The value at the highest step (the latest one written, on equal steps). */
  last: number;
  lastStep: number;
  min: number;
  /** Step of the first minimum. */
  minStep: number;
  max: number;
  /** Step of the first maximum. */
  maxStep: number;
  /** Points recorded. */
  count: number;
}

/**
 * Counts one point into a tag's summary (a new summary for the tag's first point): `last` is the
 * value at the highest step, the latest written on equal steps; the first minimum and maximum
 * keep their steps. The logger and anything else that writes summaries (the benchmark's store)
 * share this one definition. Returns the summary, updated in place when one was given.
 */
export function addToTagSummary(
  summary: TagSummary | undefined,
  step: number,
  value: number,
): TagSummary {
  if (summary === undefined) {
    return {
      last: value,
      lastStep: step,
      min: value,
      minStep: step,
      max: value,
      maxStep: step,
      count: 1,
    };
  }
  if (step >= summary.lastStep) {
    summary.last = value;
    summary.lastStep = step;
  }
  if (value < summary.min) {
    summary.min = value;
    summary.minStep = step;
  }
  if (value > summary.max) {
    summary.max = value;
    summary.maxStep = step;
  }
  summary.count += 1;
  return summary;
}

/** A hyperparameter value: anything JSON can hold. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Where a run came from, beyond its `origin`: the tool that started it says which sweep trial,
 * experiment or pipeline version it is, and the command that reproduces it.
 */
export interface RunProvenance {
  sweepId?: string;
  /** Trial number within the sweep, from 0. */
  trial?: number;
  /** Experiment class or model name. */
  experiment?: string;
  pipelineScript?: string;
  pipelineVersion?: string;
  /** The argv that reproduces the run, when known. */
  command?: string[];
  /** The folder `command` ran in (an absolute path on the run's host). */
  workingDirectory?: string;
}

/** One run, as stored and as every reader returns it. */
export interface RunRecord extends RunProvenance {
  /** Sortable by start time: `20261124T101530123Z-1a2b3c4d`. */
  id: string;
  /** Slugified project name. */
  project: string;
  name: string;
  /**
   * `running` until the run ends; a reader reports a running run whose heartbeat stopped more
   * than `LOST_AFTER_HEARTBEATS` intervals ago as `lost` (see `records/liveness.ts`).
   */
  status: RunStatus;
  origin: RunOrigin;
  startedAt: Date;
  endedAt?: Date;
  heartbeatAt: Date;
  heartbeatIntervalSeconds: number;
  host: string;
  gitCommit?: string;
  gitDirty?: boolean;
  hyperparameters: Record<string, JsonValue>;
  summary: Record<string, TagSummary>;
  /** Why a failed run failed. */
  error?: string;
  predictionIds: string[];
  /** URL of the scalars CSV (`scalars/<run_id>.csv`). */
  scalarsUri: string;
  /** URL of the captured output, when the run's output was captured (`exec`, sweeps). */
  logUri?: string;
}

/**
 * The status a reader reports at `now`: a running run whose writer went silent past its lease is
 * lost. `lastWritten` is when the store last wrote the record (its object's `updated` time, the
 * store's clock), which readers that listed or stat'ed the object pass; the record's own
 * `heartbeatAt` (the writer's clock) is the fallback.
 */
export function effectiveStatus(
  record: RunRecord,
  now: Date = new Date(),
  lastWritten: Date = record.heartbeatAt,
): RunStatus {
  if (record.status !== 'running') return record.status;
  return isSilent(lastWritten, now, record.heartbeatIntervalSeconds) ? 'lost' : 'running';
}

const json = (value: unknown): string => jsonText(value) ?? '';

/** The run's file: the runs table's header and the run's row. */
export function encodeRunRecord(record: RunRecord): string {
  const cells: Record<string, CellValue> = {
    run_id: record.id,
    project: record.project,
    name: record.name,
    status: record.status,
    origin: record.origin,
    started_at: record.startedAt.toISOString(),
    ended_at: record.endedAt?.toISOString(),
    heartbeat_at: record.heartbeatAt.toISOString(),
    heartbeat_interval_seconds: record.heartbeatIntervalSeconds,
    host: record.host,
    git_commit: record.gitCommit,
    git_dirty: record.gitDirty,
    hyperparameters: json(record.hyperparameters),
    summary: json(summaryToJson(record.summary)),
    sweep_id: record.sweepId,
    trial: record.trial,
    experiment: record.experiment,
    pipeline_script: record.pipelineScript,
    pipeline_version: record.pipelineVersion,
    command: record.command === undefined ? undefined : json(record.command),
    error: record.error,
    prediction_ids: json(record.predictionIds),
    scalars_uri: record.scalarsUri,
    log_uri: record.logUri,
    working_directory: record.workingDirectory,
  };
  const header = headerOf(RUNS_COLUMNS);
  return encodeTable(header, [header.map((name) => cells[name])]);
}

/**
 * The header and first row of a one-row table, by column name. Read by hand: listing 10,000
 * runs decodes 10,000 of these, and csv-parse's set-up per call cost more than the reading.
 */
function firstRow(text: string): Record<string, string> | undefined {
  const header = parseRecord(text, 0);
  const values = header && parseRecord(text, header.next);
  if (header === undefined || values === undefined) return undefined;
  const row: Record<string, string> = {};
  header.cells.forEach((name, index) => {
    row[name] = values.cells[index] ?? '';
  });
  return row;
}

/** Reads a run's file back; `undefined` when it holds no valid run row (a foreign file). */
export function decodeRunRecord(text: string): RunRecord | undefined {
  const row = firstRow(text);
  if (row === undefined) return undefined;
  const status = row.status as RunStatus;
  const origin = row.origin as RunOrigin;
  const startedAt = date(row.started_at);
  const heartbeatAt = date(row.heartbeat_at);
  if (
    !row.run_id ||
    !RUN_STATUSES.includes(status) ||
    !RUN_ORIGINS.includes(origin) ||
    startedAt === undefined ||
    heartbeatAt === undefined
  ) {
    return undefined;
  }
  const record: RunRecord = {
    id: row.run_id,
    project: row.project ?? '',
    name: decodeText(row.name ?? ''),
    status,
    origin,
    startedAt,
    heartbeatAt,
    heartbeatIntervalSeconds: Number(row.heartbeat_interval_seconds) || 10,
    host: row.host ?? '',
    hyperparameters: parseJson(row.hyperparameters, {}),
    summary: summaryFromJson(parseJson(row.summary, {})),
    predictionIds: parseJson(row.prediction_ids, []),
    scalarsUri: row.scalars_uri ?? '',
  };
  const endedAt = date(row.ended_at);
  if (endedAt !== undefined) record.endedAt = endedAt;
  if (row.git_commit) record.gitCommit = row.git_commit;
  if (row.git_dirty === 'true' || row.git_dirty === 'false') {
    record.gitDirty = row.git_dirty === 'true';
  }
  if (row.sweep_id) record.sweepId = row.sweep_id;
  if (row.trial) record.trial = Number(row.trial);
  if (row.experiment) record.experiment = decodeText(row.experiment);
  if (row.pipeline_script) record.pipelineScript = decodeText(row.pipeline_script);
  if (row.pipeline_version) record.pipelineVersion = decodeText(row.pipeline_version);
  if (row.command) record.command = parseJson(row.command, []);
  if (row.error) record.error = decodeText(row.error);
  if (row.log_uri) record.logUri = row.log_uri;
  if (row.working_directory) record.workingDirectory = decodeText(row.working_directory);
  return record;
}

function date(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const moment = new Date(text);
  return Number.isNaN(moment.getTime()) ? undefined : moment;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

// The CSV keeps snake_case keys, like every column name of the data contract (Looker Studio
// and BigQuery users extract them with JSON paths).
function summaryToJson(summary: Record<string, TagSummary>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [tag, s] of Object.entries(summary)) {
    out[tag] = {
      last: s.last,
      last_step: s.lastStep,
      min: s.min,
      min_step: s.minStep,
      max: s.max,
      max_step: s.maxStep,
      count: s.count,
    };
  }
  return out;
}

function summaryFromJson(value: unknown): Record<string, TagSummary> {
  const out: Record<string, TagSummary> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [tag, raw] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    const n = (key: string) => Number(raw[key]);
    out[tag] = {
      last: n('last'),
      lastStep: n('last_step'),
      min: n('min'),
      minStep: n('min_step'),
      max: n('max'),
      maxStep: n('max_step'),
      count: n('count'),
    };
  }
  return out;
}
