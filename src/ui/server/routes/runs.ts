/**
 * `/api/runs`, `/api/runs/:id`, `/api/runs/:id/log` and `/api/scalars`: runs from the index, step
 * series read per request and thinned before they travel (a chart gets about one point per
 * pixel, never a million).
 */
import type { Hono } from 'hono';
import { runLogPath } from '../../../layout/paths.js';
import { isTimeSortableId } from '../../../runs/ids.js';
import type { TagSummary } from '../../../runs/run-record.js';
import type { ScalarSeries } from '../../../runs/scalar-table.js';
import { compareRuns } from '../../../experiments/compare-runs.js';
import { reproduceLineIn } from '../../../runs/reproduce-line.js';
import { shellCommand } from '../../../runs/shell-command.js';
import { CorruptFileError, type SkippedFile } from '../../../skipped-files.js';
import type { Store } from '../../../store/types.js';
import { mapConcurrently } from '../../../_map-concurrently.js';
import type {
  RunDetail,
  RunItem,
  RunLog,
  RunsCompareResponse,
  RunsResponse,
  ScalarsResponse,
  SeriesJson,
  TagSummaryJson,
} from '../../api.js';
import { choiceParam, HttpError, integerParam, isoOrNull, listParam, notFound } from '../_http.js';
import { withStatusNow, type IndexedRun, type RunIndex } from '../run-index.js';
import type { SeriesReader } from '../series-reader.js';

/** Runs per `/api/scalars` request: a chart of more lines than this is not readable anyway. */
export const MOST_RUNS_PER_SCALARS_REQUEST = 200;
const MOST_RUNS_PER_PAGE = 1000;
const DEFAULT_MAX_POINTS = 1000;
const MOST_POINTS = 20_000;
const DEFAULT_LOG_TAIL = 64 * 1024;
// Scalars files in flight at once: enough to keep every decoding thread busy while others read.
const SCALAR_READS_AT_ONCE = 8;

export function runRoutes(app: Hono, store: Store, index: RunIndex, reader: SeriesReader): void {
  app.get('/api/runs', async (c) => {
    const project = c.req.query('project') ?? '';
    const sweep = c.req.query('sweep') ?? '';
    const text = (c.req.query('q') ?? '').trim().toLowerCase();
    const trials = choiceParam(c, 'trials', ['exclude', 'include', 'only'], 'exclude');
    const offset = integerParam(c, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam(c, 'limit', 100, MOST_RUNS_PER_PAGE);
    const runs = await index.runs();
    const projects = new Set<string>();
    // By the index's own fields: a record is decoded only for the page that shows it.
    const matching = runs.filter((run) => {
      const isTrial = run.sweepId !== undefined;
      if (trials === 'exclude' ? isTrial : trials === 'only' && !isTrial) return false;
      projects.add(run.project);
      return (
        (project === '' || run.project === project) &&
        (sweep === '' || run.sweepId === sweep) &&
        (text === '' || run.searchText.includes(text))
      );
    });
    const now = new Date();
    const body: RunsResponse = {
      total: matching.length,
      offset,
      runs: matching.slice(offset, offset + limit).map((run) => runItem(run, now)),
      projects: [...projects].sort(),
      skipped: index.skipped(),
      checkedAt: isoOrNull(index.checkedAt),
    };
    return c.json(body);
  });

  // Before `/api/runs/:id`, which would take `compare` for a run id.
  app.get('/api/runs/compare', async (c) => {
    const runIds = [...new Set(listParam(c, 'ids'))];
    if (runIds.length > MOST_RUNS_PER_SCALARS_REQUEST) {
      throw new HttpError(
        400,
        'ERR_VALIDATION',
        `Query parameter ids names ${runIds.length} runs: compare at most ${MOST_RUNS_PER_SCALARS_REQUEST} at once.`,
      );
    }
    for (const id of runIds) checkedRunId(id);
    // The one comparison `ml-tracking compare` prints, so both show the same facts.
    const comparison = await compareRuns(runIds, { store });
    const body: RunsCompareResponse = {
      runIds: comparison.runs.map((run) => run.id),
      parameters: comparison.parameters,
    };
    return c.json(body);
  });

  app.get('/api/runs/:id', async (c) => {
    const run = await index.get(checkedRunId(c.req.param('id')));
    if (run === undefined) throw notFound(`Run ${c.req.param('id')}`);
    const line = await reproduceLineIn(store, run.record);
    const reproduce =
      line === undefined ? null : { command: line.command, note: line.note ?? null };
    return c.json(runDetail(run, new Date(), reproduce));
  });

  app.get('/api/runs/:id/log', async (c) => {
    const record = (await index.get(checkedRunId(c.req.param('id'))))?.record;
    if (record === undefined) throw notFound(`Run ${c.req.param('id')}`);
    const tail = integerParam(c, 'tail', DEFAULT_LOG_TAIL, 16 * 1024 * 1024);
    const body: RunLog = await readLogTail(store, record.id, tail);
    return c.json(body);
  });

  app.get('/api/scalars', async (c) => {
    const runIds = [...new Set(listParam(c, 'runs'))];
    if (runIds.length > MOST_RUNS_PER_SCALARS_REQUEST) {
      throw new HttpError(
        400,
        'ERR_VALIDATION',
        `Query parameter runs names ${runIds.length} runs: ask for at most ${MOST_RUNS_PER_SCALARS_REQUEST} per request.`,
      );
    }
    for (const id of runIds) checkedRunId(id);
    const tags = listParam(c, 'tags');
    const maxPoints = integerParam(c, 'maxPoints', DEFAULT_MAX_POINTS, MOST_POINTS);
    if (maxPoints < 2) {
      throw new HttpError(400, 'ERR_VALIDATION', 'Query parameter maxPoints must be 2 or more.');
    }
    const now = new Date();
    const skipped: SkippedFile[] = [];
    const records = await Promise.all(
      runIds.map((id) =>
        index.get(id).catch((error: unknown) => {
          if (!(error instanceof CorruptFileError)) throw error;
          skipped.push(error.skipped);
          return undefined;
        }),
      ),
    );
    const known = records.flatMap((run) => (run === undefined ? [] : [run]));
    const body: ScalarsResponse = { series: {}, status: {}, skipped };
    // One unreadable file leaves its run out of the chart, not the whole chart.
    const series = await mapConcurrently(known, SCALAR_READS_AT_ONCE, async ({ record }) => {
      try {
        return await reader.read(record.id, tags, maxPoints);
      } catch (error) {
        if (!(error instanceof CorruptFileError)) throw error;
        skipped.push(error.skipped);
        return undefined;
      }
    });
    // In the order asked for, whichever file was decoded first.
    for (const [at, run] of known.entries()) {
      const record = run.record;
      body.status[record.id] = withStatusNow(run, now).status;
      const read = series[at];
      if (read === undefined) continue;
      const byTag: Record<string, SeriesJson> = {};
      for (const [tag, points] of Object.entries(read)) byTag[tag] = seriesJson(points);
      body.series[record.id] = byTag;
    }
    return c.json(body);
  });
}

function checkedRunId(id: string): string {
  if (!isTimeSortableId(id)) throw notFound(`Run ${id}`);
  return id;
}

export function runItem(run: IndexedRun, now: Date): RunItem {
  const record = run.record;
  return {
    id: record.id,
    project: record.project,
    name: record.name,
    status: withStatusNow(run, now).status,
    origin: record.origin,
    startedAt: record.startedAt.toISOString(),
    endedAt: isoOrNull(record.endedAt),
    sweepId: record.sweepId ?? null,
    trial: record.trial ?? null,
    tags: Object.keys(record.summary),
  };
}

function runDetail(run: IndexedRun, now: Date, reproduce: RunDetail['reproduce']): RunDetail {
  const record = run.record;
  const item = runItem(run, now);
  const end = record.endedAt ?? (item.status === 'running' ? now : record.heartbeatAt);
  const summary: Record<string, TagSummaryJson> = {};
  for (const [tag, tagSummary] of Object.entries(record.summary)) {
    summary[tag] = summaryJson(tagSummary);
  }
  return {
    ...item,
    heartbeatAt: record.heartbeatAt.toISOString(),
    durationSeconds: Math.max(0, (end.getTime() - record.startedAt.getTime()) / 1000),
    host: record.host,
    gitCommit: record.gitCommit ?? null,
    gitDirty: record.gitDirty ?? null,
    hyperparameters: record.hyperparameters,
    summary,
    error: record.error ?? null,
    predictionIds: record.predictionIds,
    experiment: record.experiment ?? null,
    pipelineScript: record.pipelineScript ?? null,
    pipelineVersion: record.pipelineVersion ?? null,
    command: record.command === undefined ? null : shellCommand(record.command),
    reproduce,
    hasLog: record.logUri !== undefined,
    scalarsUri: record.scalarsUri,
  };
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

const summaryJson = (summary: TagSummary): TagSummaryJson => ({
  last: finiteOrNull(summary.last),
  lastStep: summary.lastStep,
  min: finiteOrNull(summary.min),
  minStep: summary.minStep,
  max: finiteOrNull(summary.max),
  maxStep: summary.maxStep,
  count: summary.count,
});

/** Plain arrays for JSON; a value that is not finite becomes `null` (a gap in the chart). */
function seriesJson(points: ScalarSeries): SeriesJson {
  const value: (number | null)[] = new Array<number | null>(points.value.length);
  for (let index = 0; index < points.value.length; index += 1) {
    value[index] = finiteOrNull(points.value[index]!);
  }
  return { step: Array.from(points.step), value, wallTime: Array.from(points.wallTime) };
}

/** The last `tail` bytes of a run's log, from the start of a line. */
async function readLogTail(store: Store, runId: string, tail: number): Promise<RunLog> {
  const info = await store.stat(runLogPath(runId));
  if (info === undefined) return { text: '', truncated: false, size: 0 };
  const start = Math.max(0, info.size - tail);
  let bytes = await store.read(runLogPath(runId), { start });
  if (start > 0) {
    // Skip the cut line (and any cut UTF-8 character with it).
    const newline = bytes.indexOf(0x0a);
    bytes = newline < 0 ? new Uint8Array() : bytes.subarray(newline + 1);
  }
  return { text: new TextDecoder().decode(bytes), truncated: start > 0, size: info.size };
}
