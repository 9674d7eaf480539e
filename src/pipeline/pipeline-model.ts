/**
 * The contract between the pipeline and a model script: what the script exports (`model`,
 * `versions`) and the context each version's `trainModel` and `evaluateModel` receive.
 */
import type { Experiment } from '../experiments/experiment.js';
import type { ExperimentOutputs } from '../experiments/experiment-outputs.js';
import type { Run } from '../runs/experiment-logger.js';
import type { PipelineVersion } from './versions.js';

/** `test` (the default: nothing recorded) or `execution` (`-r`: a run per version). */
export type PipelineMode = 'test' | 'execution';

/** What `trainModel(ctx)` and `evaluateModel(ctx)` receive for one version. */
export interface PipelineContext<V extends PipelineVersion = PipelineVersion> {
  /** The script's name: its file name without the extension. */
  readonly script: string;
  /** The version, as the script defined it (with its data loader and other parameters). */
  readonly version: V;
  readonly mode: PipelineMode;
  /**
   * A local folder for checkpoints. Execution mode: `<checkpointDir>/<script>[-<modelDirSuffix>]`,
   * kept between versions and runs. Test mode: a temporary folder, emptied before each version.
   */
  readonly modelDir: string;
  /**
   * The model's folder in the store (`pipeline-models/<project>/<script>[-<suffix>]/`), for
   * files to keep with the results; a local temporary folder in test mode.
   */
  readonly outputs: ExperimentOutputs;
  /**
   * The version's run: `ctx.run.addScalar('loss', value, step)`. Steps are training steps
   * (`batchSize` samples each), from which the pipeline reports the epoch. In test mode nothing
   * it records is kept.
   */
  readonly run: Run;
  /** Training samples, from the data loader. */
  readonly trainSampleCount: number;
  readonly testSampleCount: number;
  /** `ceil(trainSampleCount / batchSize)`: steps that make one epoch. */
  readonly stepsPerEpoch: number;
  /**
   * Writes a line to the pipeline's log (`outputs/log-<hostname>` in the store, timestamped,
   * and the run's log); also `this.log(…)` inside `trainModel` and `evaluateModel`.
   */
  log(message: string): void;
}

/** A model a script exports as `model`: a trainer and an evaluator. */
export interface PipelineModel<V extends PipelineVersion = PipelineVersion> {
  trainModel(this: PipelineModelThis<this>, ctx: PipelineContext<V>): unknown;
  /** Resolves to the version's metrics by name, e.g. `{ accuracy: 0.95 }`: its results. */
  evaluateModel(
    this: PipelineModelThis<this>,
    ctx: PipelineContext<V>,
  ): Record<string, number> | Promise<Record<string, number>>;
}

/**
 * `this` inside a model's methods: the model (its fields and methods, through the prototype)
 * with `log`. One per version, so what `trainModel` keeps on `this` reaches `evaluateModel` of
 * the same version and no other.
 */
export type PipelineModelThis<M> = M & { log(message: string): void };

/** What a model script exports. */
export interface ModelScriptExports {
  /** A {@link PipelineModel}, or an `Experiment` (its `run()` is called per version). */
  model: PipelineModel | Experiment<unknown, unknown>;
  versions: PipelineVersion[];
}
