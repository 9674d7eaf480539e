/**
 * A store the query tests read: two experiments logged through the public API, a run with its
 * scalars, and files written by hand that a store collects over its life: a tracker and a run
 * record of schema 1 (older headers), a foreign file in a table folder, a scalars line that is
 * not a row. The same seed on every store, so the views can be held to the same values.
 */
import { encodeRow, type CellValue } from '../../src/csv/encode.js';
import { logExperiment, startRun, type Store } from '../../src/index.js';
import {
  headerOf,
  RUNS_COLUMNS,
  SWEEPS_COLUMNS,
  trackingColumns,
} from '../../src/layout/tables.js';
import { runPath, sweepPath, trackerPath } from '../../src/layout/paths.js';

/** A table file: its header, then each row given by column name. */
function tableFile(header: readonly string[], rows: Record<string, CellValue>[]): string {
  return [encodeRow(header), ...rows.map((row) => encodeRow(header.map((name) => row[name])))].join(
    '',
  );
}

export const OLD_TRACKER = trackerPath({
  kind: 'classification',
  project: 'legacy',
  date: '20250101',
  index: 1,
});
export const OLD_RUN_ID = '20250101T000000000Z-0000abcd';
export const SWEEP_ID = '20250102T000000000Z-0000beef';
export const FOREIGN_FILE = 'runs/notes.csv';

/** What {@link seedQueryStore} wrote that the tests check. */
export interface Seed {
  regressionId: string;
  classificationId: string;
  runId: string;
  /** The tracker rows' overall metrics, as logExperiment returned them. */
  regressionScores: Record<string, number | undefined>;
  classificationScores: Record<string, number | undefined>;
}

export async function seedQueryStore(store: Store): Promise<Seed> {
  const base = { datasetUri: 'file:///data.csv', targetColumn: 't', testSet: ['a', 'b', 'c', 'd'] };
  const regression = await logExperiment({
    kind: 'regression',
    project: 'soil',
    parameters: { ...base, model: { name: 'Ridge', params: { alpha: 0.5 } } },
    yTrue: [1, 2, 3, 4],
    yPred: [1, 3, 3, 4],
    plots: false,
    store,
  });
  const classification = await logExperiment({
    kind: 'classification',
    project: 'soil',
    parameters: { ...base, model: { name: 'Forest', params: { trees: 10 } } },
    yTrue: ['x', 'y', 'x', 'y'],
    yPred: ['x', 'y', 'y', 'y'],
    plots: false,
    store,
  });
  const run = await startRun({
    store,
    project: 'soil',
    name: 'first',
    hyperparameters: { lr: 0.01 },
    closeOnExit: false,
  });
  for (let step = 0; step < 10; step += 1)
    run.addScalars({ loss: 1 / (step + 1), acc: step / 10 }, step);
  await run.finish();

  // Schema 1 of the classification tracker: without the four plot columns of schema 2.
  await store.write(
    OLD_TRACKER,
    tableFile(headerOf(trackingColumns('classification', 1)), [
      {
        prediction_id: 'old-prediction',
        logged_at: '2025-01-01T10:00:00.000Z',
        date: '2025-01-01',
        project: 'legacy',
        kind: 'classification',
        model: 'OldModel',
        hyperparameters: '{"depth":3}',
        git_dirty: false,
        test_set_size: 10,
        f1_macro: 0.5,
        prediction_uri: 'old-prediction',
      },
    ]),
  );
  // Schema 1 of the runs table: without working_directory.
  const runsV1 = headerOf(RUNS_COLUMNS).filter((name) => name !== 'working_directory');
  await store.write(
    runPath(OLD_RUN_ID),
    tableFile(runsV1, [
      {
        run_id: OLD_RUN_ID,
        project: 'legacy',
        name: 'old-run',
        status: 'finished',
        origin: 'logger',
        started_at: '2025-01-01T00:00:00.000Z',
        ended_at: '2025-01-01T01:00:00.000Z',
        heartbeat_at: '2025-01-01T01:00:00.000Z',
        heartbeat_interval_seconds: 30,
        hyperparameters: '{}',
        summary: '{}',
      },
    ]),
  );
  await store.write(
    sweepPath(SWEEP_ID),
    tableFile(headerOf(SWEEPS_COLUMNS), [
      {
        sweep_id: SWEEP_ID,
        project: 'soil',
        created_at: '2025-01-02T00:00:00.000Z',
        main_script_name: 'train.py',
        method: 'grid',
        max_runs: 4,
        seed: 7,
        early_stopping: true,
        search_space: '{"lr":[0.1,0.01]}',
      },
    ]),
  );
  // Not a table of its folder: binary bytes and no header of the runs table.
  await store.write(FOREIGN_FILE, new Uint8Array([0x00, 0xff, 0x10, 0x0a, 0x01, 0x02, 0x0a]));
  // A line that is not a scalars row (a step that is no number), after the writer's rows.
  await store.append(`scalars/${run.id}.csv`, `${run.id},loss,not-a-step,1,2025-01-01T00:00:00Z\n`);
  return {
    regressionId: regression.predictionId,
    classificationId: classification.predictionId,
    runId: run.id,
    regressionScores: regression.scores,
    classificationScores: classification.scores,
  };
}
