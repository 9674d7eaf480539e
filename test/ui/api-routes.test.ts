/**
 * What the dashboard's JSON routes answer, checked on the data rather than the page: the thinned
 * series a chart gets (spikes kept, gaps as null, bounded), the runs list's filters and paging,
 * and a sweep's trials sorted and paged on the server. Hono's `app.request()`, no port.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, startRun, type Store } from '../../src/index.js';
import { createSweepRecords } from '../../src/records/sweep-records.js';
import type {
  ErrorResponse,
  ProjectsResponse,
  RunsResponse,
  ScalarsResponse,
  SweepDetail,
} from '../../src/ui/api.js';
import { createUiApp } from '../../src/ui/server/create-ui-app.js';

let store: Store;
let app: ReturnType<typeof createUiApp>;
const ids = { long: '', short: '', other: '', trials: [] as string[] };
const sweepId = `sweep-${randomUUID().slice(0, 8)}`;
const learningRates = [0.3, 0.01, 0.1, 0.001, 0.03];

async function get<T>(path: string, status = 200): Promise<T> {
  const response = await app.request(path, { headers: { host: '127.0.0.1:5000' } });
  expect(response.status, path).toBe(status);
  return (await response.json()) as T;
}

beforeAll(async () => {
  store = await openStore(`memory://ui-api-${randomUUID()}`);
  const long = await startRun({ store, project: 'soil', name: 'long', closeOnExit: false });
  for (let step = 0; step < 10_000; step += 1) {
    // A smooth decay with one spike at step 6,543.
    long.addScalar('loss', step === 6543 ? 50 : 1 / (1 + step), step);
  }
  await long.finish();
  const short = await startRun({ store, project: 'soil', name: 'short', closeOnExit: false });
  short.addScalars({ loss: 0.5, accuracy: 0.7 }, 0);
  await short.finish();
  const other = await startRun({ store, project: 'maize', name: 'needle', closeOnExit: false });
  await other.finish();
  Object.assign(ids, { long: long.id, short: short.id, other: other.id });

  await createSweepRecords(store, {
    sweepId,
    project: 'soil',
    createdAt: new Date().toISOString(),
    seed: 7,
    trialCount: learningRates.length,
    configFolder: '/tmp',
    config: {
      hyperparameters: { lr: { type: 'uniform', min: 0.001, max: 0.3 } },
      method: 'random',
      optimization_metric: 'loss',
      optimization_goal: 'min',
      early_stopping: false,
    },
  });
  for (const [trial, lr] of learningRates.entries()) {
    const run = await startRun({
      store,
      project: 'soil',
      name: `trial-${trial}`,
      origin: 'sweep',
      sweepId,
      trial,
      hyperparameters: { lr },
      closeOnExit: false,
    });
    run.addScalar('loss', lr * 10, 0);
    await run.finish();
    ids.trials.push(run.id);
  }
  app = createUiApp(store, { loopbackHostsOnly: true });
});

afterAll(() => store.close());

describe('/api/scalars', () => {
  it('thins a long series to maxPoints, keeping its ends and its spike', async () => {
    const body = await get<ScalarsResponse>(`/api/scalars?runs=${ids.long}&maxPoints=200`);
    const loss = body.series[ids.long]?.loss;
    expect(loss).toBeDefined();
    expect(loss!.step.length).toBeLessThanOrEqual(200);
    expect(loss!.step.length).toBeGreaterThan(100);
    expect(loss!.step[0]).toBe(0);
    expect(loss!.step.at(-1)).toBe(9999);
    expect(loss!.value[loss!.step.indexOf(6543)]).toBe(50);
    expect(Math.max(...loss!.value.map((value) => value ?? 0))).toBe(50);
    expect(loss!.wallTime).toHaveLength(loss!.step.length);
    expect(body.status[ids.long]).toBe('finished');
  });

  it('answers several runs at once, only the tags asked for, and leaves unknown runs out', async () => {
    const unknown = '20990101T000000000Z-deadbeef';
    const body = await get<ScalarsResponse>(
      `/api/scalars?runs=${ids.long},${ids.short},${unknown}&tags=loss&maxPoints=50`,
    );
    expect(Object.keys(body.series).sort()).toEqual([ids.long, ids.short].sort());
    expect(Object.keys(body.series[ids.short]!)).toEqual(['loss']);
    expect(body.series[ids.short]!.loss!.value).toEqual([0.5]);
    expect(body.status[unknown]).toBeUndefined();
  });

  it('refuses more than 200 runs, or a maxPoints under 2, naming the parameter', async () => {
    const many = Array.from({ length: 201 }, (_, index) => {
      return `20990101T000000000Z-${index.toString(16).padStart(8, '0')}`;
    });
    const tooMany = await get<ErrorResponse>(`/api/scalars?runs=${many.join(',')}`, 400);
    expect(tooMany.error.message).toMatch(/runs.*at most 200/);
    const tiny = await get<ErrorResponse>(`/api/scalars?runs=${ids.long}&maxPoints=1`, 400);
    expect(tiny.error.message).toContain('maxPoints');
  });
});

describe('/api/runs', () => {
  it('lists runs that are not trials, newest first, with the projects for the filter', async () => {
    const body = await get<RunsResponse>('/api/runs');
    expect(body.runs.map((run) => run.id)).toEqual([ids.other, ids.short, ids.long]);
    expect(body.projects).toEqual(['maize', 'soil']);
    expect(body.runs.find((run) => run.id === ids.short)?.tags.sort()).toEqual([
      'accuracy',
      'loss',
    ]);
  });

  it('filters by project, text and sweep, and pages', async () => {
    expect((await get<RunsResponse>('/api/runs?project=maize')).runs.map((r) => r.id)).toEqual([
      ids.other,
    ]);
    expect((await get<RunsResponse>('/api/runs?q=NEEDLE')).runs.map((r) => r.id)).toEqual([
      ids.other,
    ]);
    const trials = await get<RunsResponse>(`/api/runs?trials=only&sweep=${sweepId}`);
    expect(trials.total).toBe(learningRates.length);
    const page = await get<RunsResponse>('/api/runs?offset=1&limit=1');
    expect(page).toMatchObject({ total: 3, offset: 1 });
    expect(page.runs.map((run) => run.id)).toEqual([ids.short]);
    const bad = await get<ErrorResponse>('/api/runs?limit=-1', 400);
    expect(bad.error.message).toContain('limit');
  });
});

describe('/api/sweeps/:id', () => {
  it('ranks trials best first by the sweep’s goal, and sorts by a hyperparameter', async () => {
    const best = await get<SweepDetail>(`/api/sweeps/${sweepId}`);
    expect(best).toMatchObject({ metric: 'loss', goal: 'min', total: 5, best: 0.01 });
    expect(best.trials.map((trial) => trial.hyperparameters.lr)).toEqual([
      0.001, 0.01, 0.03, 0.1, 0.3,
    ]);
    expect(best.allTrials).toHaveLength(5);
    expect(best.hyperparameterNames).toEqual(['lr']);
    const byLr = await get<SweepDetail>(`/api/sweeps/${sweepId}?sort=hp.lr&order=desc&limit=2`);
    expect(byLr.trials.map((trial) => trial.hyperparameters.lr)).toEqual([0.3, 0.1]);
    const second = await get<SweepDetail>(`/api/sweeps/${sweepId}?sort=trial&offset=2&limit=2`);
    expect(second.trials.map((trial) => trial.trial)).toEqual([2, 3]);
    await get<ErrorResponse>(`/api/sweeps/${sweepId}?sort=color`, 400);
  });
});

describe('/api/projects and the Host check', () => {
  it('counts each project’s runs (sweep trials are under its sweeps) and sweeps', async () => {
    const body = await get<ProjectsResponse>('/api/projects');
    const soil = body.projects.find((project) => project.project === 'soil');
    expect(soil).toMatchObject({ runs: 2, sweeps: 1, experiments: 0 });
    expect(body.projects.find((project) => project.project === 'maize')?.runs).toBe(1);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const response = await app.request('/api/runs', { headers: { host: 'evil.example:5000' } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorResponse).error.code).toBe('ERR_HOST_NOT_ALLOWED');
  });
});
