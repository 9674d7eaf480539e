/**
 * Issue 18, defect 6, through the dashboard's JSON API (`app.request()`, no port): every listing
 * answers with what it could read and names each file it left out in `skipped`; a request about
 * the one corrupt object is a 422 naming its file, not a 500 and not a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/index.js';
import type {
  ErrorResponse,
  ExperimentsResponse,
  ProjectsResponse,
  RunsResponse,
  ScalarsResponse,
  SkippedFileJson,
  SweepsResponse,
} from '../../src/ui/api.js';
import { createUiApp } from '../../src/ui/server/create-ui-app.js';
import { openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';
import { seedCorruptStore, type CorruptStore } from '../support/corrupt-store.js';

const paths = (skipped: SkippedFileJson[]) => skipped.map((file) => file.path).sort();

describe.each(['local', 'gcs-fake'] as const)('the JSON API over corrupt files (%s)', (kind) => {
  let subject: RunStoreSubject;
  let store: Store;
  let seeded: CorruptStore;
  let app: ReturnType<typeof createUiApp>;
  beforeAll(async () => {
    subject = await openRunStore(kind);
    store = subject.store;
    seeded = await seedCorruptStore(store);
    app = createUiApp(store);
  }, 60_000);
  afterAll(() => subject.close());

  async function get<T>(path: string, status = 200): Promise<T> {
    const response = await app.request(path);
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body)).toBe(status);
    return body;
  }

  it('/api/projects lists the readable projects and names every unreadable file', async () => {
    const body = await get<ProjectsResponse>('/api/projects');
    const good = body.projects.find((project) => project.project === 'good');
    expect(good).toMatchObject({ experiments: 1, sweeps: 1 });
    expect(paths(body.skipped)).toEqual(
      [
        seeded.bad.quoteTracker,
        seeded.bad.truncatedTracker,
        seeded.bad.binaryTracker,
        seeded.bad.runRecord,
        seeded.bad.sweepDescription,
      ].sort(),
    );
    for (const file of body.skipped) expect(file.problem).not.toBe('');
  });

  it("a project's experiments, and a project whose only tracker is corrupt", async () => {
    const good = await get<ExperimentsResponse>('/api/projects/good/experiments');
    expect(good.experiments.map((row) => row.predictionId)).toEqual([seeded.good.predictionId]);
    expect(good.skipped).toEqual([]);
    const quoted = await get<ErrorResponse>('/api/projects/quoted/experiments', 422);
    expect(quoted.error).toMatchObject({ code: 'ERR_CORRUPT_FILE', path: seeded.bad.quoteTracker });
    const experiment = await get<ErrorResponse>(
      `/api/experiments/${seeded.bad.quotedPredictionId}`,
      422,
    );
    expect(experiment.error.message).toContain(seeded.bad.quoteTracker);
  });

  it('/api/runs skips the corrupt record; /api/runs/:id calls it corrupt', async () => {
    const body = await get<RunsResponse>('/api/runs');
    expect(body.runs.map((run) => run.id)).toContain(seeded.good.runId);
    expect(body.runs.map((run) => run.id)).not.toContain(seeded.bad.runId);
    expect(paths(body.skipped)).toEqual([seeded.bad.runRecord]);
    const one = await get<ErrorResponse>(`/api/runs/${seeded.bad.runId}`, 422);
    expect(one.error).toMatchObject({ code: 'ERR_CORRUPT_FILE', path: seeded.bad.runRecord });
  });

  it('/api/scalars charts the good runs and names the garbage scalars file', async () => {
    const { good, bad } = seeded;
    const body = await get<ScalarsResponse>(
      `/api/scalars?runs=${good.runId},${bad.scalarsRunId},${bad.runId}&maxPoints=100`,
    );
    expect(Object.keys(body.series)).toEqual([good.runId]);
    expect(body.series[good.runId]!.loss!.step).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(paths(body.skipped)).toEqual([bad.runRecord, bad.scalars].sort());
  });

  it('/api/sweeps skips the bad description; its page is a 422 naming it', async () => {
    const body = await get<SweepsResponse>('/api/sweeps');
    expect(body.sweeps.map((sweep) => sweep.id)).toEqual([seeded.good.sweepId]);
    expect(paths(body.skipped)).toContain(seeded.bad.sweepDescription);
    const one = await get<ErrorResponse>(`/api/sweeps/${seeded.bad.sweepId}`, 422);
    expect(one.error).toMatchObject({ path: seeded.bad.sweepDescription });
    expect(one.error.message).toMatch(/not valid JSON/);
  });
});
