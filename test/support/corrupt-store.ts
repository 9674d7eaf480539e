/**
 * A store with one good object and one unreadable file of every kind a reader meets, written
 * through the public API and then damaged the way users damage them (a tracker edited by hand, a
 * copy cut short, a foreign file dropped in): the readers must list the good ones and name the
 * bad ones.
 */
import { logExperiment, startRun, type Store } from '../../src/index.js';
import { scalarsPath, sweepDescriptionPath, runPath } from '../../src/layout/paths.js';
import { createSweepRecords, type SweepDescription } from '../../src/records/sweep-records.js';

/** What {@link seedCorruptStore} wrote. */
export interface CorruptStore {
  good: {
    /** A classification experiment of project `good`, in a readable tracker. */
    predictionId: string;
    /** A finished run of project `good` with scalars `loss` (steps 0–9). */
    runId: string;
    sweepId: string;
  };
  bad: {
    /** A tracker (project `quoted`) whose last line opens a quote that never closes. */
    quoteTracker: string;
    /** The experiment whose row is in `quoteTracker`, before the bad line. */
    quotedPredictionId: string;
    /** A tracker (project `cut`) cut short in the middle of a quoted cell. */
    truncatedTracker: string;
    /** A tracker name holding binary bytes (project `binary`). */
    binaryTracker: string;
    /** A sweep whose `experiment_description.json` is not JSON. */
    sweepId: string;
    sweepDescription: string;
    /** A run whose record was overwritten with garbage. */
    runId: string;
    runRecord: string;
    /** A run (project `good`) whose record is fine and whose scalars file is garbage. */
    scalarsRunId: string;
    scalars: string;
  };
}

const experiment = (store: Store, project: string) =>
  logExperiment({
    kind: 'classification',
    project,
    parameters: {
      datasetUri: 'memory://data.csv',
      targetColumn: 'label',
      testSet: ['a', 'b', 'c', 'd'],
      model: { name: 'Forest', params: { trees: 10 } },
    },
    yTrue: ['x', 'y', 'x', 'y'],
    yPred: ['x', 'y', 'y', 'y'],
    plots: false,
    store,
  });

async function finishedRun(store: Store, name: string): Promise<string> {
  const run = await startRun({ project: 'good', name, store, closeOnExit: false });
  for (let step = 0; step < 10; step += 1) run.addScalar('loss', 1 / (step + 1), step);
  await run.finish();
  return run.id;
}

function sweepDescription(sweepId: string): SweepDescription {
  return {
    sweepId,
    project: 'good',
    createdAt: new Date().toISOString(),
    seed: 1,
    trialCount: 2,
    configFolder: '/nowhere',
    config: {
      main_script_name: 'train.py',
      method: 'random',
      optimization_metric: 'loss',
      optimization_goal: 'min',
      early_stopping: false,
      hyperparameters: { lr: { distribution: 'uniform', min: 0, max: 1 } },
    },
  };
}

/** Seeds `store` (empty) with the good and the bad objects. */
export async function seedCorruptStore(store: Store): Promise<CorruptStore> {
  const good = await experiment(store, 'good');
  const quoted = await experiment(store, 'quoted');
  await store.append(quoted.tracker, '"unclosed,quote,edited by hand\n');
  const cut = await experiment(store, 'cut');
  const cutText = await store.readText(cut.tracker);
  // Inside the quoted JSON of the hyperparameters cell: a copy that stopped halfway.
  const cutAt = cutText.indexOf('"{');
  if (cutAt < 0) throw new Error(`no quoted JSON cell in ${cut.tracker}`);
  await store.write(cut.tracker, cutText.slice(0, cutAt + 4));
  const binaryTracker = 'projects/regression/binary_20260101_1.csv';
  await store.write(
    binaryTracker,
    Uint8Array.from({ length: 600 }, (_, at) => (at * 37) % 256),
  );

  const goodRunId = await finishedRun(store, 'good-run');
  const badRunId = await finishedRun(store, 'overwritten');
  await store.write(runPath(badRunId), '\u0000\u0001PK\u0003\u0004 not a run record\n');
  const scalarsRunId = await finishedRun(store, 'bad-scalars');
  await store.write(scalarsPath(scalarsRunId), 'this,is,not\nthe,scalars,table\n');

  const goodSweep = '20260101T000000000Z-goodswee';
  await createSweepRecords(store, sweepDescription(goodSweep));
  const badSweep = '20260101T000000000Z-badsweep';
  await createSweepRecords(store, sweepDescription(badSweep));
  await store.write(sweepDescriptionPath(badSweep), '{"sweepId": "20260101T0000');

  return {
    good: { predictionId: good.predictionId, runId: goodRunId, sweepId: goodSweep },
    bad: {
      quoteTracker: quoted.tracker,
      quotedPredictionId: quoted.predictionId,
      truncatedTracker: cut.tracker,
      binaryTracker,
      sweepId: badSweep,
      sweepDescription: sweepDescriptionPath(badSweep),
      runId: badRunId,
      runRecord: runPath(badRunId),
      scalarsRunId,
      scalars: scalarsPath(scalarsRunId),
    },
  };
}
