/**
 * Issue 18, defect 6: one unreadable file must not take a reader down. Listings return the good
 * objects and name each bad file; a function about the one object says it is corrupt, with its
 * path, instead of failing with a parser's error or calling it "no such object".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  findExperiment,
  getRun,
  getSweep,
  listExperiments,
  listRuns,
  listSweeps,
  listTrackers,
  readScalars,
  type SkippedFile,
  type Store,
} from '../../src/index.js';
import { openRunStore, type RunStoreSubject } from '../runs/_run-stores.js';
import { seedCorruptStore, type CorruptStore } from '../support/corrupt-store.js';

function collect() {
  const skipped: SkippedFile[] = [];
  return { skipped, onSkipped: (file: SkippedFile) => skipped.push(file) };
}

const paths = (skipped: SkippedFile[]) => skipped.map((file) => file.path).sort();

describe.each(['local', 'gcs-fake'] as const)('readers over corrupt files (%s)', (kind) => {
  let subject: RunStoreSubject;
  let store: Store;
  let seeded: CorruptStore;
  beforeAll(async () => {
    subject = await openRunStore(kind);
    store = subject.store;
    seeded = await seedCorruptStore(store);
  }, 60_000);
  afterAll(() => subject.close());

  const badTrackers = () =>
    [seeded.bad.quoteTracker, seeded.bad.truncatedTracker, seeded.bad.binaryTracker].sort();

  it('lists experiments and trackers, naming every tracker it could not read', async () => {
    const { skipped, onSkipped } = collect();
    const { experiments } = await listExperiments(store, { onSkipped });
    expect(experiments.map((experiment) => experiment.predictionId)).toEqual([
      seeded.good.predictionId,
    ]);
    expect(paths(skipped)).toEqual(badTrackers());
    expect(skipped.find((file) => file.path === seeded.bad.quoteTracker)?.problem).toMatch(
      /not valid CSV.*quote/i,
    );
    expect(skipped.find((file) => file.path === seeded.bad.binaryTracker)?.problem).toMatch(
      /binary/,
    );

    const trackers = collect();
    const listed = await listTrackers(store, { onSkipped: trackers.onSkipped });
    expect(listed.map((tracker) => tracker.project)).toEqual(['good']);
    expect(paths(trackers.skipped)).toEqual(badTrackers());
  });

  it('finds an experiment past unreadable trackers, and calls one in them corrupt', async () => {
    // Without its scoring table every tracker is searched, the bad ones too.
    const { skipped, onSkipped } = collect();
    await store.delete(`scoring/${seeded.good.predictionId}.csv`);
    const found = await findExperiment(store, seeded.good.predictionId, { onSkipped });
    expect(found.tracker).toMatch(/^projects\/classification\/good_/);
    expect(paths(skipped).length).toBeGreaterThan(0);

    const error = await findExperiment(store, seeded.bad.quotedPredictionId).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ path: seeded.bad.quoteTracker, code: 'ERR_CORRUPT_FILE' });
    expect((error as Error).message).toContain(seeded.bad.quoteTracker);
  });

  it('lists runs without the corrupt record, and getRun calls it corrupt, not missing', async () => {
    const { skipped, onSkipped } = collect();
    const runs = await listRuns({ store, onSkipped });
    expect(runs.map((run) => run.id)).toContain(seeded.good.runId);
    expect(runs.map((run) => run.id)).not.toContain(seeded.bad.runId);
    expect(skipped).toEqual([
      { path: seeded.bad.runRecord, problem: expect.stringMatching(/binary/) as string },
    ]);

    const error = await getRun(seeded.bad.runId, { store }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toContain(seeded.bad.runRecord);
    expect((error as Error).message).not.toContain('no such object');
  });

  it('lists sweeps without the one whose description is not JSON, and getSweep names it', async () => {
    const { skipped, onSkipped } = collect();
    const sweeps = await listSweeps({ store, onSkipped });
    expect(sweeps.map((sweep) => sweep.description.sweepId)).toEqual([seeded.good.sweepId]);
    expect(paths(skipped)).toEqual([seeded.bad.runRecord, seeded.bad.sweepDescription].sort());

    const error = await getSweep(seeded.bad.sweepId, { store }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ path: seeded.bad.sweepDescription });
    expect((error as CorruptFileError).problem).toMatch(/not valid JSON/);
  });

  it('reads good scalars, and calls a garbage scalars file corrupt with its path', async () => {
    const good = await readScalars(seeded.good.runId, { store, maxPoints: 100 });
    expect(Array.from(good.loss!.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const error = await readScalars(seeded.bad.scalarsRunId, { store }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toContain(seeded.bad.scalars);
    expect((error as CorruptFileError).problem).toMatch(/header/);
  });
});
