/**
 * A store with something on every page of the dashboard, logged through the library's public
 * functions as a user's code would: experiments (`logExperiment`), runs (`startRun`), a run of a
 * command (`runCommand`, what `ml-tracking exec` does) and a sweep (`createSweep` +
 * `runSweepAgent`), plus names and values that are HTML, for the XSS tests.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSweep,
  logExperiment,
  runCommand,
  runSweepAgent,
  slugifyProject,
  startRun,
  type Label,
  type Store,
} from '../../src/index.js';

/** Markup that runs a script if a page ever puts it into its DOM as HTML. */
export const EVIL_IMG = '<img src=x onerror=alert(1)>';
export const EVIL_SCRIPT = '<script>alert(1)</script>';

/** What the pages need to know about the seeded store. */
export interface SeededUi {
  /** Project slugs. */
  projects: {
    /** Three classification experiments, one regression; runs and the sweep. */
    soil: string;
    /** One regression experiment and one run. */
    house: string;
    /** `EVIL_IMG` slugified (project names become slugs: nothing of the markup survives). */
    evil: string;
  };
  /** Prediction ids. */
  experiments: {
    /** soil, classification, RandomForestClassifier: accuracy 0.9 (the best). */
    forest: string;
    /** soil, classification, LogisticRegression C=0.1: accuracy 0.7 (the worst). */
    logisticSmall: string;
    /** soil, classification, LogisticRegression C=1: accuracy 0.8. */
    logisticLarge: string;
    /** soil, regression (Ridge). */
    soilRegression: string;
    /** house, regression (GradientBoostingRegressor). */
    houseRegression: string;
    /** evil, classification: the model is named `EVIL_IMG`, labels and values are markup. */
    evil: string;
  };
  /** Model names by the key of `experiments`. */
  models: Record<keyof SeededUi['experiments'], string>;
  /** Run ids. */
  runs: {
    /** Three finished runs of `soil`, `loss` and `accuracy` over 200 steps each. */
    baseline: string;
    wideNet: string;
    deepNet: string;
    /** Failed with {@link FAILED_RUN_ERROR} after 12 steps. */
    failed: string;
    /** A command's run (origin exec): captured log, command, linked to `experiments.forest`. */
    exec: string;
    /** The only run of `house`. */
    house: string;
    /** A command's run in the evil project: name, hyperparameters, tag and log are markup. */
    evil: string;
  };
  /** The command of `runs.exec`, as given. */
  execCommand: string[];
  /** The folder it ran in (gone after seeding): its reproduce line starts with `cd` there. */
  execFolder: string;
  /** Lines the exec run printed that are kept as its log. */
  execLogLines: string[];
  sweep: {
    id: string;
    project: string;
    trials: number;
    /** Run ids of the trials, by trial number. */
    trialRunIds: string[];
    /** Trial numbers that were stopped early. */
    earlyStopped: number[];
    /** The optimisation metric. */
    metric: string;
  };
}

export const FAILED_RUN_ERROR = 'loss became NaN at step 12';

export interface SeedUiOptions {
  /** Trials of the sweep; 25 makes two pages of 20. @default 25 */
  sweepTrials?: number;
}

const LABELS = ['clay', 'loam', 'sand'] as const;
const SAMPLES = 20;
const yTrue: string[] = Array.from({ length: SAMPLES }, (_, index) => LABELS[index % 3]!);

/** `yTrue` with the first `errors` predictions moved to the next class. */
function predictionsWithErrors(errors: number): string[] {
  return yTrue.map((label, index) =>
    index < errors ? LABELS[(LABELS.indexOf(label as (typeof LABELS)[number]) + 1) % 3]! : label,
  );
}

const testSet = Array.from({ length: SAMPLES }, (_, index) => `sample-${index + 1}`);

// A command that reports as exec's children do: protocol lines for scalars and the prediction,
// everything else is its log. `evil` prints markup instead of ordinary lines.
const TRAIN_SCRIPT = `
const [mode, predictionId] = process.argv.slice(2);
const say = (message) => console.log(JSON.stringify({ ml_tracking: 'scalar', ...message }));
if (mode === 'evil') {
  console.log(${JSON.stringify(EVIL_SCRIPT)});
  console.log(${JSON.stringify(EVIL_IMG)});
  for (let step = 0; step < 10; step++) say({ tag: ${JSON.stringify(EVIL_SCRIPT)}, value: step / 10, step });
} else {
  console.log('loading 20 samples from gs://demo/soil.csv');
  for (let step = 0; step < 50; step++) say({ tag: 'loss', value: 1 / (step + 1), step });
  console.log(JSON.stringify({ ml_tracking: 'prediction', prediction_id: predictionId }));
  console.log('training done');
}
`;

const EXEC_LOG_LINES = ['loading 20 samples from gs://demo/soil.csv', 'training done'];

// A sweep trial: accuracy climbs for lr <= 0.7; above, it falls from the start, so early
// stopping (patience 3) stops it. The trial exits at once either way: nothing waits on a timer.
const TRIAL_SCRIPT = `
const values = Object.fromEntries(
  process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)),
);
const lr = Number(values.lr);
const layers = Number(values.layers);
for (let step = 0; step < 10; step++) {
  const value = lr > 0.7 ? 0.6 - step * 0.02 : 0.5 + lr * 0.4 * (1 - Math.exp(-step / 3)) + layers * 0.01;
  console.log(JSON.stringify({ ml_tracking: 'scalar', tag: 'accuracy', value, step }));
}
`;

/**
 * Logs everything the dashboard shows into `store` (which stays open). Takes a few seconds on a
 * local store; the GCS fake is slower (a second per write of one object), so give it fewer
 * sweep trials.
 */
export async function seedUiStore(store: Store, options: SeedUiOptions = {}): Promise<SeededUi> {
  const sweepTrials = options.sweepTrials ?? 25;
  const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-ui-seed-'));
  try {
    const projectNames = { soil: 'Soil texture', house: 'House prices', evil: EVIL_IMG };

    const classification = (
      project: string,
      model: object,
      yPred: Label[],
      extra: Record<string, unknown> = {},
      labels: { yTrue: Label[] } = { yTrue },
    ) =>
      logExperiment({
        store,
        cwd: folder,
        kind: 'classification',
        project,
        parameters: {
          datasetUri: 'gs://demo/soil.csv',
          targetColumn: 'texture',
          testSet: testSet.slice(0, labels.yTrue.length),
          model,
        },
        yTrue: labels.yTrue,
        yPred,
        extraParameters: extra,
      });
    const regression = (project: string, model: object, offset: number) =>
      logExperiment({
        store,
        cwd: folder,
        kind: 'regression',
        project,
        parameters: {
          datasetUri: 'gs://demo/prices.csv',
          targetColumn: 'price',
          testSet: testSet.slice(0, 10),
          model,
        },
        yTrue: [10, 12, 15, 11, 9, 14, 13, 16, 10, 12],
        yPred: [10.5, 11 + offset, 15.5, 10, 9.5, 14 + offset, 12, 17, 10.2, 12.4],
      });

    const models = {
      forest: 'RandomForestClassifier',
      logisticSmall: 'LogisticRegression',
      logisticLarge: 'LogisticRegression',
      soilRegression: 'Ridge',
      houseRegression: 'GradientBoostingRegressor',
      evil: EVIL_IMG,
    };
    const evilLabels = [EVIL_IMG, EVIL_SCRIPT];
    // Experiments are logged one after the other: each appends to its project's tracker.
    const forest = await classification(
      projectNames.soil,
      { name: models.forest, params: { n_estimators: 200, max_depth: 8, criterion: 'gini' } },
      predictionsWithErrors(2),
    );
    const logisticSmall = await classification(
      projectNames.soil,
      { name: models.logisticSmall, params: { C: 0.1, penalty: 'l2', max_iter: 100 } },
      predictionsWithErrors(6),
    );
    const logisticLarge = await classification(
      projectNames.soil,
      { name: models.logisticLarge, params: { C: 1, penalty: 'l2', max_iter: 100 } },
      predictionsWithErrors(4),
    );
    const soilRegression = await regression(
      projectNames.soil,
      { name: models.soilRegression, params: { alpha: 0.5 } },
      0.5,
    );
    const houseRegression = await regression(
      projectNames.house,
      { name: models.houseRegression, params: { learning_rate: 0.1, n_estimators: 300 } },
      1.5,
    );
    const evilTruth = Array.from({ length: 8 }, (_, index) => evilLabels[index % 2]!);
    const evil = await classification(
      projectNames.evil,
      { name: EVIL_IMG, params: { note: EVIL_SCRIPT, [EVIL_IMG]: EVIL_IMG } },
      evilTruth.map((label, index) => (index === 0 ? evilLabels[1]! : label)),
      { comment: EVIL_SCRIPT },
      { yTrue: evilTruth },
    );

    // Runs of the soil project: written side by side (on GCS each run's final write waits for
    // the per-object rate limit).
    const trainingRun = async (name: string, lr: number, width: number) => {
      const run = await startRun({
        store,
        cwd: folder,
        project: projectNames.soil,
        name,
        hyperparameters: { lr, width, optimizer: 'adam' },
        // What a training script would have been started with (a logger records its argv).
        command: ['python3', 'train.py', `--lr=${lr}`, `--width=${width}`],
        closeOnExit: false,
      });
      for (let step = 0; step < 200; step++) {
        run.addScalars(
          {
            loss: Math.exp(-step * lr * 0.2) + 0.05 * width * 0.01,
            accuracy: 0.5 + 0.45 * (1 - Math.exp(-step * lr * 0.2)) - width * 0.0001,
          },
          step,
        );
      }
      if (name === 'baseline') run.linkPrediction(forest.predictionId);
      await run.finish();
      return run.id;
    };
    const failedRun = async () => {
      const run = await startRun({
        store,
        cwd: folder,
        project: projectNames.soil,
        name: 'diverged',
        hyperparameters: { lr: 3, width: 64, optimizer: 'sgd' },
        command: ['python3', 'train.py', '--lr=3', '--width=64', '--optimizer=sgd'],
        closeOnExit: false,
      });
      for (let step = 0; step < 12; step++) run.addScalar('loss', 1 + step * step, step);
      await run.finish({ error: new Error(FAILED_RUN_ERROR) });
      return run.id;
    };
    const houseRun = async () => {
      const run = await startRun({
        store,
        cwd: folder,
        project: projectNames.house,
        name: 'house-baseline',
        hyperparameters: { learning_rate: 0.1 },
        command: ['python3', 'prices.py'],
        closeOnExit: false,
      });
      for (let step = 0; step < 50; step++) run.addScalar('rmse', 5 / (step + 1), step);
      await run.finish();
      return run.id;
    };

    const script = join(folder, 'train.mjs');
    await writeFile(script, TRAIN_SCRIPT);
    const execCommand = [process.execPath, script, 'normal', forest.predictionId];
    const commandRun = async (
      project: string,
      name: string,
      command: string[],
      hyperparameters: Record<string, string>,
    ) => {
      const run = await startRun({
        store,
        cwd: folder,
        project,
        name,
        hyperparameters,
        origin: 'exec',
        command,
        captureLog: true,
        closeOnExit: false,
      });
      const outcome = await runCommand({
        command,
        logger: run,
        storeUrl: store.url,
        cwd: folder,
        stdin: 'ignore',
      }).done;
      await run.finish(
        outcome.exitCode === 0 ? {} : { error: `exited with ${String(outcome.exitCode)}` },
      );
      return run.id;
    };

    const sweep = seedSweep(store, folder, projectNames.soil, sweepTrials);
    const [baseline, wideNet, deepNet, failed, house, exec, evilRun] = await Promise.all([
      trainingRun('baseline', 0.1, 64),
      trainingRun('wide-net', 0.05, 512),
      trainingRun('deep-net', 0.02, 128),
      failedRun(),
      houseRun(),
      commandRun(projectNames.soil, 'exec-train', execCommand, {}),
      commandRun(projectNames.evil, EVIL_IMG, [process.execPath, script, 'evil'], {
        note: EVIL_SCRIPT,
        markup: EVIL_IMG,
      }),
    ]);

    return {
      projects: { soil: forest.project, house: houseRegression.project, evil: evil.project },
      experiments: {
        forest: forest.predictionId,
        logisticSmall: logisticSmall.predictionId,
        logisticLarge: logisticLarge.predictionId,
        soilRegression: soilRegression.predictionId,
        houseRegression: houseRegression.predictionId,
        evil: evil.predictionId,
      },
      models,
      runs: { baseline, wideNet, deepNet, failed, exec, house, evil: evilRun },
      execCommand,
      execFolder: folder,
      execLogLines: EXEC_LOG_LINES,
      sweep: await sweep,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function seedSweep(
  store: Store,
  folder: string,
  project: string,
  trials: number,
): Promise<SeededUi['sweep']> {
  const sweepFolder = join(folder, 'sweep');
  await mkdir(sweepFolder, { recursive: true });
  await writeFile(join(sweepFolder, 'trial.mjs'), TRIAL_SCRIPT);
  const config = join(sweepFolder, 'experiment_cfg.json');
  await writeFile(
    config,
    JSON.stringify({
      main_script_name: 'trial.mjs',
      project,
      hyperparameters: {
        lr: { type: 'uniform', min: 0, max: 1 },
        layers: { type: 'choice', candidates: [1, 2, 3] },
      },
      max_runs: trials,
      method: 'random',
      seed: 7,
      early_stopping: true,
      early_stopping_patience: 3,
      early_stopping_grace_seconds: 1,
      optimization_metric: 'accuracy',
      optimization_goal: 'max',
    }),
  );
  const { sweepId } = await createSweep({ config, store });
  const report = await runSweepAgent({ sweepId, store, cwd: sweepFolder, parallel: 4 });
  const byTrial = [...report.trials].sort((a, b) => a.trial - b.trial);
  const earlyStopped = byTrial.filter((t) => t.status === 'early_stopped').map((t) => t.trial);
  if (earlyStopped.length === 0 || earlyStopped.length === trials) {
    throw new Error(
      `the seeded sweep should have some trials stopped early and some not: ${JSON.stringify(report.trials)}`,
    );
  }
  return {
    id: sweepId,
    project: slugifyProject(project),
    trials,
    trialRunIds: byTrial.map((t) => t.runId),
    earlyStopped,
    metric: 'accuracy',
  };
}
