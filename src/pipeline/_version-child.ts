/**
 * The process one pipeline step runs in: `node [--import tsx] _version-child.js`, told its job by
 * `ML_TRACKING_PIPELINE_JOB` (JSON). A child per step keeps the pipeline alive whatever a model
 * does (a synchronous training loop, `process.exit`, running out of memory): the parent keeps
 * writing the run's heartbeat, reads the outcome, and goes on.
 *
 * - `describe`: imports the script, checks `model` and `versions`, and sends the versions over
 *   IPC (what `--list` and the queue need), or the error.
 * - `run`: imports the script and runs one version. It reports through the run its parent
 *   opened (`startRun()` joins it: scalars and results travel on standard output), `ctx.log`
 *   lines are plain output, and a failure is printed with its stack on standard error.
 */
import { mkdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { MlTrackingError, ValidationError } from '../errors.js';
import { localOutputs, storeOutputs } from '../experiments/experiment-outputs.js';
import type { ExperimentOutputs } from '../experiments/experiment-outputs.js';
import { pipelineModelLocation } from '../records/pipeline-records.js';
import { startRun } from '../runs/start-run.js';
import { openStore } from '../store/open-store.js';
import type {
  ModelScriptExports,
  PipelineContext,
  PipelineModel,
  PipelineModelThis,
} from './pipeline-model.js';
import { checkVersions, versionParameters, type PipelineVersion } from './versions.js';
import {
  PIPELINE_JOB_VARIABLE,
  type DescribeAnswer,
  type DescribedVersion,
  type VersionChildJob,
} from './_version-job.js';

async function main(): Promise<void> {
  const job = JSON.parse(process.env[PIPELINE_JOB_VARIABLE] ?? '{}') as VersionChildJob;
  if (job.action === 'describe') {
    // Its IPC channel closes when the pipeline process dies, however it died: nobody is left to
    // describe the script to. (A version runs under runCommand's guard, which ends it then.)
    process.once('disconnect', () => process.exit(1));
    if (!process.connected) process.exit(1);
    const answer = await describe(job);
    // The script may have started timers or opened handles: the answer is all that matters.
    process.send?.(answer, () => process.exit(0));
    return;
  }
  await runVersion(job);
  // Whatever the model left open (timers, sockets), the version is over.
  process.exit();
}

async function describe(job: Extract<VersionChildJob, { action: 'describe' }>) {
  try {
    const { model, versions } = await loadScript(job.file, job.script);
    const answer: DescribeAnswer = {
      ok: true,
      kind: isExperiment(model) ? 'experiment' : 'model',
      versions: versions.map((version) => {
        const described: DescribedVersion = {
          name: version.name,
          batchSize: version.batchSize,
          epochCount: version.epochCount,
          parameters: versionParameters(version),
        };
        if (version.order !== undefined) described.order = version.order;
        if (version.modelDirSuffix !== undefined) described.modelDirSuffix = version.modelDirSuffix;
        return described;
      }),
    };
    return answer;
  } catch (error) {
    return failure(error);
  }
}

async function runVersion(job: Extract<VersionChildJob, { action: 'run' }>): Promise<void> {
  // Joins the run the parent opened: what it records travels on standard output.
  const run = await startRun({ project: job.project });
  try {
    const { model, versions } = await loadScript(job.file, job.script);
    const version = versions.find((each) => each.name === job.version);
    if (version === undefined) {
      throw new ValidationError(
        `${job.script}: versions`,
        `there is no version "${job.version}" any more (the script has ${versions.map((each) => each.name).join(', ')})`,
        'The script changed while the pipeline ran: run the pipeline again.',
      );
    }
    const trainSampleCount = await sampleCount(job.script, version, 'getTrainSampleCount');
    const testSampleCount = await sampleCount(job.script, version, 'getTestSampleCount');
    const stepsPerEpoch = Math.max(1, Math.ceil(trainSampleCount / version.batchSize));
    run.setHyperparameters({
      train_samples: trainSampleCount,
      test_samples: testSampleCount,
      steps_per_epoch: stepsPerEpoch,
    });
    // Before any scalar: the parent turns steps into epochs with it.
    await run.flush();
    await mkdir(job.modelDir, { recursive: true });
    let metrics: Record<string, number>;
    if (isExperiment(model)) {
      // An experiment records itself (its tracker row; its run is this one, joined); in test
      // mode it runs in debug mode, which records nothing.
      model.hyperparameters = { ...model.hyperparameters, ...versionParameters(version) };
      const result = await model.run({ onDuplicate: 'duplicate', debug: job.mode === 'test' });
      metrics = experimentMetrics(result.row);
    } else {
      const outputs = await outputsOf(job);
      const log = (message: unknown) => {
        // Whatever a model logs (an object, a number) becomes text, as console.log would make it.
        for (const line of String(message).split(/\r?\n/)) process.stdout.write(`${line}\n`);
      };
      const ctx: PipelineContext = {
        script: job.script,
        version,
        mode: job.mode,
        modelDir: job.modelDir,
        outputs,
        run,
        trainSampleCount,
        testSampleCount,
        stepsPerEpoch,
        log,
      };
      // `this` in the model's methods: the model through its prototype, with `log`, one per
      // version so that what training keeps on it reaches this version's evaluation only.
      const self = Object.create(model, {
        log: { value: log },
      }) as PipelineModelThis<PipelineModel>;
      await model.trainModel.call(self, ctx);
      metrics = checkMetrics(job.script, version.name, await model.evaluateModel.call(self, ctx));
    }
    if (Object.keys(metrics).length > 0) run.setSummary(metrics);
    await run.finish();
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await run.finish({ status: 'failed', error }).catch(() => undefined);
    process.exitCode = 1;
  }
}

async function loadScript(file: string, script: string): Promise<ModelScriptExports> {
  const exports = (await import(pathToFileURL(file).href)) as Partial<ModelScriptExports>;
  const versions = checkVersions(exports.versions, script);
  const model = exports.model as unknown;
  if (!isExperiment(model) && !isPipelineModel(model)) {
    throw new ValidationError(
      `${script}: model`,
      model === undefined
        ? 'the script exports no `model`'
        : 'is neither a model nor an Experiment',
      'Export `model = { trainModel(ctx) {…}, evaluateModel(ctx) { return { accuracy } } }`, or an Experiment instance.',
    );
  }
  return { model, versions };
}

const isPipelineModel = (value: unknown): value is PipelineModel =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as PipelineModel).trainModel === 'function' &&
  typeof (value as PipelineModel).evaluateModel === 'function';

/** An `Experiment` of any copy of ml-tracking: by its methods, not its class. */
function isExperiment(
  value: unknown,
): value is import('../experiments/experiment.js').Experiment<unknown, unknown> {
  const methods = value as Record<string, unknown> | null;
  return (
    typeof methods === 'object' &&
    methods !== null &&
    ['run', 'preprocess', 'train', 'evaluate'].every((name) => typeof methods[name] === 'function')
  );
}

async function sampleCount(
  script: string,
  version: PipelineVersion,
  method: 'getTrainSampleCount' | 'getTestSampleCount',
): Promise<number> {
  const count = await version.dataLoader[method]();
  if (!Number.isInteger(count) || count < 0) {
    throw new ValidationError(
      `${script}: versions "${version.name}".dataLoader.${method}()`,
      `returned ${JSON.stringify(count)}, not a whole number of samples`,
      'Return the number of samples (0 or more).',
    );
  }
  return count;
}

function checkMetrics(script: string, version: string, value: unknown): Record<string, number> {
  const fix = 'Return the metrics by name, e.g. { accuracy: 0.95 } (finite numbers).';
  const parameter = `${script}: versions "${version}": evaluateModel()`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(parameter, 'did not resolve to an object of metrics', fix);
  }
  for (const [name, metric] of Object.entries(value)) {
    if (typeof metric !== 'number' || !Number.isFinite(metric)) {
      throw new ValidationError(parameter, `metric "${name}" is ${String(metric)}`, fix);
    }
  }
  return value as Record<string, number>;
}

/** The results in an experiment's tracker row: its numbers, without the stage timings. */
function experimentMetrics(row: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(row).filter(
      (entry): entry is [string, number] =>
        typeof entry[1] === 'number' && Number.isFinite(entry[1]) && !entry[0].endsWith('_seconds'),
    ),
  );
}

async function outputsOf(
  job: Extract<VersionChildJob, { action: 'run' }>,
): Promise<ExperimentOutputs> {
  if (job.outputs.kind === 'local') return localOutputs(job.outputs.folder, true);
  // The store the parent records into (ML_TRACKING_STORE, set by the parent); open until the
  // process ends, as the model may write until then.
  const store = await openStore();
  return storeOutputs(store, pipelineModelLocation(store, job.project, job.outputs.modelDirName));
}

function failure(error: unknown): DescribeAnswer {
  if (error instanceof MlTrackingError) {
    return {
      ok: false,
      message: error.message,
      code: error.code,
      ...(error.stack && { stack: error.stack }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    message,
    code: 'ERR_PIPELINE_SCRIPT',
    ...(error instanceof Error && error.stack !== undefined && { stack: error.stack }),
  };
}

void main();
