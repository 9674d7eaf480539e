/**
 * `/api/projects`, `/api/projects/:project/experiments` and `/api/experiments/:id`: what
 * `logExperiment` recorded (trackers, scoring, confusion and plot files), with the runs of each
 * project counted from the run index.
 */
import type { Hono } from 'hono';
import { decodeTable } from '../../../csv/decode.js';
import { NotFoundError } from '../../../errors.js';
import { confusionPath, plotPath, predictionsPath } from '../../../layout/paths.js';
import { EXPERIMENT_KINDS, metricNames, type ExperimentKind } from '../../../layout/tables.js';
import { CorruptFileError } from '../../../skipped-files.js';
import type { Store } from '../../../store/types.js';
import { findExperiment } from '../../../tracking/find-experiment.js';
import { metricGoal } from '../../../metrics/metric-goals.js';
import { HEADLINE_METRICS, metricValue, metricsOfRow } from '../../../tracking/list-experiments.js';
import type {
  ExperimentDetail,
  ExperimentItem,
  ExperimentsResponse,
  FieldValue,
  FileLink,
  ProjectItem,
  ProjectsResponse,
} from '../../api.js';
import { choiceParam, notFound } from '../_http.js';
import type { RunIndex } from '../run-index.js';
import type { SweepDescriptions } from './sweeps.js';
import type { TrackerCache } from '../tracker-cache.js';
import { readStringIfExists } from '../../../store/outcomes.js';

const PREDICTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ExperimentSources {
  store: Store;
  trackers: TrackerCache;
  runs: RunIndex;
  sweeps: SweepDescriptions;
}

export function experimentRoutes(app: Hono, sources: ExperimentSources): void {
  app.get('/api/projects', async (c) => {
    const [{ trackers, skipped: trackersSkipped }, runs, sweeps] = await Promise.all([
      sources.trackers.trackers(),
      sources.runs.runs(),
      sources.sweeps.all(),
    ]);
    const projects = new Map<string, ProjectItem>();
    const projectItem = (project: string): ProjectItem => {
      let item = projects.get(project);
      if (item === undefined) {
        item = { project, experiments: 0, kinds: [], runs: 0, sweeps: 0, lastActivity: null };
        projects.set(project, item);
      }
      return item;
    };
    const later = (item: ProjectItem, moment: Date) => {
      const text = moment.toISOString();
      if (item.lastActivity === null || text > item.lastActivity) item.lastActivity = text;
    };
    for (const tracker of trackers) {
      const item = projectItem(tracker.project);
      item.experiments += tracker.rows.length;
      if (!item.kinds.includes(tracker.kind)) item.kinds.push(tracker.kind);
      later(item, tracker.updated);
    }
    // The index's own fields, not the records: after a restart from the cache of 100,000 runs,
    // decoding every record for this page cost 2 s.
    for (const run of runs) {
      const item = projectItem(run.project);
      // The Runs tab this count links to lists runs that are not sweep trials.
      if (run.sweepId === undefined) item.runs += 1;
      // When the store last wrote the record: its last heartbeat or its end.
      later(item, run.updated);
    }
    for (const sweep of sweeps.descriptions) projectItem(sweep.project).sweeps += 1;
    const body: ProjectsResponse = {
      projects: [...projects.values()].sort(
        (a, b) =>
          (b.lastActivity ?? '').localeCompare(a.lastActivity ?? '') ||
          a.project.localeCompare(b.project),
      ),
      skipped: [...trackersSkipped, ...sources.runs.skipped(), ...sweeps.skipped],
    };
    return c.json(body);
  });

  app.get('/api/projects/:project/experiments', async (c) => {
    const project = c.req.param('project');
    const { trackers, skipped } = await sources.trackers.trackers(project);
    const kinds = EXPERIMENT_KINDS.filter((kind) => trackers.some((t) => t.kind === kind));
    const first = kinds[0];
    if (first === undefined) {
      const unreadable = skipped[0];
      // Its only trackers are damaged: say so, rather than that the project does not exist.
      if (unreadable !== undefined) {
        throw new CorruptFileError({ store: sources.store.url, ...unreadable });
      }
      // A project of runs or sweeps only is a project all the same (every run links here).
      if (!(await hasRunsOrSweeps(sources, project))) throw notFound(`Project ${project}`);
    }
    const kind = choiceParam<ExperimentKind>(c, 'kind', EXPERIMENT_KINDS, first ?? HEADLINE_KIND);
    const metrics = [...metricNames(kind)];
    const experiments: ExperimentItem[] = [];
    for (const tracker of trackers) {
      if (tracker.kind !== kind) continue;
      for (const row of tracker.rows) {
        experiments.push({
          predictionId: row.prediction_id ?? '',
          loggedAt: row.logged_at ?? '',
          model: row.model ?? '',
          kind,
          metrics: metricsOfRow(kind, row),
        });
      }
    }
    // Trackers come oldest first and rows are appended: reversed, newest first.
    experiments.reverse();
    const body: ExperimentsResponse = {
      project,
      kind,
      kinds,
      metrics,
      headlineMetric: HEADLINE_METRICS[kind],
      goals: Object.fromEntries(metrics.map((metric) => [metric, metricGoal(metric)])),
      experiments,
      skipped,
    };
    return c.json(body);
  });

  app.get('/api/experiments/:id', async (c) => {
    const predictionId = c.req.param('id').toLowerCase();
    if (!PREDICTION_ID.test(predictionId)) throw notFound(`Experiment ${c.req.param('id')}`);
    const { store } = sources;
    let found;
    try {
      found = await findExperiment(store, predictionId);
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(`Experiment ${predictionId}`);
      throw error;
    }
    const [plots, confusion, runs] = await Promise.all([
      plotLinks(store, found.kind, predictionId),
      found.kind === 'classification' ? readConfusion(store, predictionId) : undefined,
      sources.runs.runs(),
    ]);
    const body: ExperimentDetail = {
      predictionId,
      project: found.project,
      kind: found.kind,
      fields: found.fields,
      hyperparameters: flatHyperparameters(found.fields.hyperparameters),
      metrics: found.metrics,
      perClass: found.perClass,
      ...(confusion !== undefined && { confusion }),
      plots,
      predictions: {
        name: `${predictionId}.csv`,
        href: fileHref(predictionsPath(found.kind, predictionId)),
      },
      runIds: runs
        .filter(({ record }) => record.predictionIds.includes(predictionId))
        .map(({ record }) => record.id),
    };
    return c.json(body);
  });
}

// The kind a project without experiments answers with: its list is empty either way.
const HEADLINE_KIND: ExperimentKind = 'classification';

async function hasRunsOrSweeps(sources: ExperimentSources, project: string): Promise<boolean> {
  const runs = await sources.runs.runs();
  if (runs.some((run) => run.project === project)) return true;
  const { descriptions } = await sources.sweeps.all();
  return descriptions.some((description) => description.project === project);
}

/** The URL on this server of a stored file (see `routes/files.ts`). */
export const fileHref = (path: string): string =>
  `/files/${path.split('/').map(encodeURIComponent).join('/')}`;

/** The PNG plots stored for an experiment, by name (`plots/<kind>/<id>_<name>.png`). */
async function plotLinks(
  store: Store,
  kind: ExperimentKind,
  predictionId: string,
): Promise<FileLink[]> {
  const prefix = plotPath(kind, predictionId, '', 'png').replace(/\.png$/, '');
  const links: FileLink[] = [];
  for await (const object of store.listAll(prefix)) {
    if (!object.path.endsWith('.png')) continue;
    links.push({
      name: object.path.slice(prefix.length, -'.png'.length),
      href: fileHref(object.path),
    });
  }
  return links;
}

/** The confusion table as a matrix: labels in first-seen order, missing pairs 0. */
async function readConfusion(
  store: Store,
  predictionId: string,
): Promise<{ labels: string[]; counts: number[][] } | undefined> {
  const text = await readStringIfExists(store, confusionPath(predictionId));
  if (text === undefined) return undefined;
  const rows = decodeTable(text);
  const labels: string[] = [];
  const position = new Map<string, number>();
  const at = (label: string) => {
    let index = position.get(label);
    if (index === undefined) {
      index = labels.push(label) - 1;
      position.set(label, index);
    }
    return index;
  };
  const cells = rows.map((row) => ({
    actual: at(row.actual ?? ''),
    predicted: at(row.predicted ?? ''),
    count: metricValue(row.count) ?? 0,
  }));
  const counts = labels.map(() => labels.map(() => 0));
  for (const cell of cells) counts[cell.actual]![cell.predicted] = cell.count;
  return { labels, counts };
}

/** The tracker's `hyperparameters` cell as name → value (nested objects stay as they are). */
function flatHyperparameters(cell: FieldValue | undefined): Record<string, FieldValue> {
  if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) return {};
  return cell as Record<string, FieldValue>;
}
