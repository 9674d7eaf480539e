/**
 * `/api/sweeps` and `/api/sweeps/:id`: sweep descriptions (read once: a description never
 * changes after the sweep is created) and their trials, from the run index; one sweep's page
 * also reads its trials' progress records when it has `early_terminate` (the rung each reached).
 */
import type { Hono } from 'hono';
import { NotFoundError } from '../../../errors.js';
import type { RunStatus } from '../../../layout/tables.js';
import type { RunRecord } from '../../../runs/run-record.js';
import { listSweepIds, type SweepDescription } from '../../../records/sweep-records.js';
import { CorruptFileError, type SkippedFile } from '../../../skipped-files.js';
import {
  earlyTerminateRule,
  readCheckedSweepDescription,
  summariseSweep,
  type SweepSummary,
  type SweepTrial,
} from '../../../sweeps/list-sweeps.js';
import type { Store } from '../../../store/types.js';
import { mapConcurrently } from '../../../_map-concurrently.js';
import type { SweepDetail, SweepItem, SweepsResponse, TrialItem } from '../../api.js';
import { choiceParam, HttpError, integerParam, isoOrNull, notFound } from '../_http.js';
import { withStatusNow, type RunIndex } from '../run-index.js';
import type { SweepProgressCache } from '../sweep-progress-cache.js';

const MOST_TRIALS_PER_PAGE = 500;

/** Sweep descriptions by id: written once when a sweep is created, so read once. */
export class SweepDescriptions {
  readonly #store: Store;
  readonly #read = new Map<string, Promise<SweepDescription>>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Every sweep's description, newest first, and the descriptions that cannot be read (a sweep
   * listed in the sweeps table whose description is gone or damaged).
   */
  async all(): Promise<{ descriptions: SweepDescription[]; skipped: SkippedFile[] }> {
    const ids = (await listSweepIds(this.#store)).reverse();
    const skipped: SkippedFile[] = [];
    const found = await mapConcurrently(ids, 16, async (id) => {
      try {
        return await this.get(id, { missing: 'corrupt' });
      } catch (error) {
        if (!(error instanceof CorruptFileError)) throw error;
        skipped.push(error.skipped);
        return undefined;
      }
    });
    return { descriptions: found.filter((description) => description !== undefined), skipped };
  }

  /**
   * One sweep's description.
   * @throws NotFoundError when there is no such sweep (`missing: 'corrupt'`: a CorruptFileError).
   * @throws CorruptFileError when its description cannot be read.
   */
  get(
    sweepId: string,
    options: { missing?: 'not-found' | 'corrupt' } = {},
  ): Promise<SweepDescription> {
    let description = this.#read.get(sweepId);
    if (description === undefined) {
      description = readCheckedSweepDescription(this.#store, sweepId, options);
      // A failed read is not remembered: the next request reads again.
      description.catch(() => this.#read.delete(sweepId));
      this.#read.set(sweepId, description);
    }
    return description;
  }
}

export function sweepRoutes(
  app: Hono,
  descriptions: SweepDescriptions,
  index: RunIndex,
  progress: SweepProgressCache,
): void {
  app.get('/api/sweeps', async (c) => {
    const [all, trials] = await Promise.all([descriptions.all(), trialsBySweep(index)]);
    const body: SweepsResponse = {
      sweeps: all.descriptions.map((description) =>
        sweepItem(summariseSweep(description, trials.get(description.sweepId) ?? [])),
      ),
      skipped: [...all.skipped, ...index.skipped()],
    };
    return c.json(body);
  });

  app.get('/api/sweeps/:id', async (c) => {
    const sweepId = c.req.param('id');
    if (!/^[\w.-]{1,128}$/.test(sweepId)) throw notFound(`Sweep ${sweepId}`);
    const offset = integerParam(c, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam(c, 'limit', 20, MOST_TRIALS_PER_PAGE);
    const sort = c.req.query('sort') ?? 'best';
    if (!/^(best|trial|status|started|hp\..+)$/.test(sort)) {
      throw new HttpError(
        400,
        'ERR_VALIDATION',
        `Query parameter sort is "${sort}": pass best, trial, status, started or hp.<hyperparameter>.`,
      );
    }
    const order = choiceParam(c, 'order', ['asc', 'desc'], sort === 'trial' ? 'asc' : 'desc');
    let description: SweepDescription;
    try {
      description = await descriptions.get(sweepId);
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(`Sweep ${sweepId}`);
      throw error;
    }
    // Other sweeps have no rungs: no request for their records (a tpe sweep keeps some).
    const [bySweep, records] = await Promise.all([
      trialsBySweep(index),
      earlyTerminateRule(description) === undefined ? undefined : progress.read(sweepId),
    ]);
    const summary = summariseSweep(description, bySweep.get(sweepId) ?? [], records?.records);
    const sorted = sortTrials(summary.trials, sort, order);
    const names = hyperparameterNames(description, summary.trials);
    const config = description.config;
    const body: SweepDetail = {
      ...sweepItem(summary),
      config,
      parameters: objectOr(config.hyperparameters, {}),
      earlyStopping: config.early_stopping === true ? earlyStoppingRule(config) : null,
      seed: description.seed,
      hyperparameterNames: names,
      skipped: [...index.skipped(), ...(records?.skipped ?? [])],
      total: summary.trials.length,
      offset,
      trials: sorted.slice(offset, offset + limit).map(trialItem),
      allTrials: summary.trials.map((trial) => ({
        trial: trial.trial,
        runId: trial.runId,
        status: trial.status,
        hyperparameters: trial.hyperparameters,
        best: trial.best ?? null,
      })),
    };
    return c.json(body);
  });
}

/** Each sweep's trial runs, with the status readers see now. */
async function trialsBySweep(index: RunIndex): Promise<Map<string, RunRecord[]>> {
  const now = new Date();
  const bySweep = new Map<string, RunRecord[]>();
  for (const run of await index.runs()) {
    // Only the trials' records are decoded (the index knows each run's sweep without it).
    if (run.sweepId === undefined) continue;
    let trials = bySweep.get(run.sweepId);
    if (trials === undefined) bySweep.set(run.sweepId, (trials = []));
    trials.push(withStatusNow(run, now));
  }
  return bySweep;
}

function sweepItem(summary: SweepSummary): SweepItem {
  const { description } = summary;
  const config = description.config;
  const metric = config.optimization_metric;
  return {
    id: description.sweepId,
    project: description.project,
    createdAt: description.createdAt,
    method: typeof config.method === 'string' ? config.method : 'random',
    metric: typeof metric === 'string' ? metric : null,
    goal: config.optimization_goal === 'min' ? 'min' : 'max',
    trialCount: description.trialCount,
    counts: summary.counts,
    best: finiteOrNull(summary.best?.best),
  };
}

const trialItem = (trial: SweepTrial): TrialItem => ({
  trial: trial.trial,
  runId: trial.runId,
  status: trial.status,
  hyperparameters: trial.hyperparameters,
  best: finiteOrNull(trial.best),
  startedAt: trial.startedAt.toISOString(),
  endedAt: isoOrNull(trial.endedAt),
  stoppedBy:
    trial.stoppedBy === undefined
      ? null
      : { ...trial.stoppedBy, rung: trial.stoppedBy.rung ?? null },
  reached:
    trial.reached === undefined ? null : { ...trial.reached, rung: trial.reached.rung ?? null },
  replaced: trial.replaced === true,
});

const finiteOrNull = (value: number | undefined): number | null =>
  value !== undefined && Number.isFinite(value) ? value : null;

const objectOr = (value: unknown, fallback: Record<string, unknown>): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : fallback;

function earlyStoppingRule(config: Record<string, unknown>): Record<string, unknown> {
  const rule: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith('early_stopping_')) rule[key.slice('early_stopping_'.length)] = value;
  }
  return rule;
}

/** The search space's names, then any other a trial reported (a grid adds none). */
function hyperparameterNames(description: SweepDescription, trials: SweepTrial[]): string[] {
  const names = new Set(Object.keys(objectOr(description.config.hyperparameters, {})));
  for (const trial of trials)
    for (const name of Object.keys(trial.hyperparameters)) names.add(name);
  return [...names];
}

const STATUS_ORDER: Record<RunStatus, number> = {
  running: 0,
  finished: 1,
  early_stopped: 2,
  failed: 3,
  lost: 4,
};

/**
 * Trials in the order asked for. `best` in `desc` order means best first by the sweep's goal
 * (the order `summariseSweep` already gives); trials without a value go last either way.
 */
function sortTrials(trials: SweepTrial[], sort: string, order: 'asc' | 'desc'): SweepTrial[] {
  if (sort === 'best') {
    if (order === 'desc') return trials;
    const valued = trials.filter((trial) => trial.best !== undefined);
    return [...valued.reverse(), ...trials.filter((trial) => trial.best === undefined)];
  }
  const sign = order === 'asc' ? 1 : -1;
  const key = sortKey(sort);
  return [...trials].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || y === undefined) {
      return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0) || a.trial - b.trial;
    }
    const difference =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * difference || a.trial - b.trial;
  });
}

function sortKey(sort: string): (trial: SweepTrial) => string | number | undefined {
  switch (sort) {
    case 'trial':
      return (trial) => trial.trial;
    case 'status':
      return (trial) => STATUS_ORDER[trial.status];
    case 'started':
      return (trial) => trial.startedAt.getTime();
    default: {
      const name = sort.slice(3);
      return (trial) => {
        const value = trial.hyperparameters[name];
        if (value === undefined || value === null) return undefined;
        return typeof value === 'number' || typeof value === 'string'
          ? value
          : JSON.stringify(value);
      };
    }
  }
}
