/*
 * Six concurrent Experiment.run() on the GCS fake while the store loses answers after it
 * committed (`when: 'after'`): a writer that retries its tracker commit must find its own row and
 * not add it again, whatever the duplicate policy. Issue 18, defect 3: before the fix,
 * `duplicate` gave 7–8 rows for 6 runs, `skip` could report its own row as someone else's, and a
 * run that `error` rejected was recorded `finished`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateModelError,
  type ExperimentRunResult,
  type OnDuplicate,
} from '../../src/experiments/experiment.js';
import { ModelTracker } from '../../src/experiments/model-tracker.js';
import { experimentTrackerPath } from '../../src/layout/paths.js';
import { listRuns } from '../../src/runs/read-runs.js';
import type { Store } from '../../src/store/types.js';
import { lostUploadAnswers, startGcsFake, type GcsFake } from '../support/gcs-fake/index.js';
import { openFakeStore } from '../runs/_run-stores.js';
import { raceExperimentRuns, type Raced } from '../support/experiment-race.js';

const RUNS = 6;
/** How many times the test is repeated per policy: lost answers land at random places. */
const ROUNDS = 3;

describe(`${RUNS} concurrent Experiment.run on the GCS fake, tracker answers lost after commit`, () => {
  let fake: GcsFake;
  let prefix: string;
  let reader: Store;
  const handles: Store[] = [];
  beforeAll(async () => {
    fake = await startGcsFake();
    prefix = randomUUID();
    reader = await openFakeStore(fake, prefix);
    handles.push(reader);
  });
  afterAll(async () => {
    for (const handle of handles) await handle.close();
    await fake.stop();
  });

  /**
   * Every run trains, then waits in evaluate until all have arrived; from then on a quarter of all
   * uploads (tracker, records) commit and lose their answer, so retries meet their own writes
   * and each other's.
   */
  async function race(project: string, onDuplicate: OnDuplicate): Promise<Raced> {
    const stores = await Promise.all(
      Array.from({ length: RUNS }, () => openFakeStore(fake, prefix)),
    );
    handles.push(...stores);
    try {
      return await raceExperimentRuns({
        stores,
        project,
        onDuplicate,
        whenAllArrived: () => {
          fake.injectFault(lostUploadAnswers(1000));
        },
      });
    } finally {
      fake.clearFaults();
    }
  }

  const trackerRows = async (project: string) =>
    (await ModelTracker.load(reader, experimentTrackerPath(project))).toRecords();
  const fulfilled = (raced: Raced) =>
    raced.settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const runIdOf = (result: ExperimentRunResult) => ('runId' in result ? result.runId : undefined);

  for (let round = 1; round <= ROUNDS; round += 1) {
    describe(`round ${round}`, () => {
      it('duplicate: exactly one row per run', async () => {
        const project = `lost-${randomUUID().slice(0, 8)}`;
        const raced = await race(project, 'duplicate');
        const results = fulfilled(raced);
        expect(results.map((result) => result.status)).toEqual(Array(RUNS).fill('recorded'));
        const rows = await trackerRows(project);
        expect(rows.map((row) => row.run_id).sort()).toEqual(results.map(runIdOf).sort());
      });

      it('overwrite: exactly one row in all, of a run that was recorded', async () => {
        const project = `lost-${randomUUID().slice(0, 8)}`;
        const raced = await race(project, 'overwrite');
        const results = fulfilled(raced);
        expect(results.map((result) => result.status)).toEqual(Array(RUNS).fill('recorded'));
        const rows = await trackerRows(project);
        expect(rows).toHaveLength(1);
        expect(results.map(runIdOf)).toContain(rows[0]!.run_id);
      });

      it('skip: one row; its run alone says recorded, the others skipped with that row', async () => {
        const project = `lost-${randomUUID().slice(0, 8)}`;
        const raced = await race(project, 'skip');
        const results = fulfilled(raced);
        expect(results).toHaveLength(RUNS);
        const rows = await trackerRows(project);
        expect(rows).toHaveLength(1);
        const winner = rows[0]!.run_id;
        const recorded = results.filter((result) => result.status === 'recorded');
        expect(recorded.map(runIdOf)).toEqual([winner]);
        for (const result of results.filter((r) => r.status === 'skipped')) {
          expect(result.row.run_id).toBe(winner);
          expect(runIdOf(result)).not.toBe(winner);
        }
      });

      it('error: one row; every other run rejected and recorded failed, not finished', async () => {
        const project = `lost-${randomUUID().slice(0, 8)}`;
        const raced = await race(project, 'error');
        const rows = await trackerRows(project);
        expect(rows).toHaveLength(1);
        const winner = rows[0]!.run_id;
        const results = fulfilled(raced);
        expect(results.map((result) => [result.status, runIdOf(result)])).toEqual([
          ['recorded', winner],
        ]);
        const rejected = raced.settled.flatMap((outcome, index) =>
          outcome.status === 'rejected' ? [{ reason: outcome.reason as unknown, index }] : [],
        );
        expect(rejected).toHaveLength(RUNS - 1);
        for (const { reason } of rejected) expect(reason).toBeInstanceOf(DuplicateModelError);

        const runs = new Map((await listRuns({ store: reader, project })).map((r) => [r.id, r]));
        expect(runs.size).toBe(RUNS);
        expect(runs.get(String(winner))?.status).toBe('finished');
        for (const { index } of rejected) {
          const record = runs.get(raced.runIds[index]!);
          expect(record?.status).toBe('failed');
          expect(record?.error).toMatch(/already has a row for it/);
        }
      });
    });
  }
});
