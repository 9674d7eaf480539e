/**
 * Softmax (multinomial logistic) regression on Iris, written out in plain TypeScript and trained
 * by mini-batch gradient descent: `batchSize` flowers a step, `epochCount` passes over the
 * training set, each pass in a new seeded order. One version, `default`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineVersions,
  type PipelineContext,
  type PipelineModel,
  type PipelineModelThis,
  type PipelineVersion,
} from 'ml-tracking';
import { accuracy, IrisLoader, shuffled, type IrisInput } from './_iris.js';

interface SoftmaxVersion extends PipelineVersion {
  dataLoader: IrisLoader;
  /** Step size of gradient descent. */
  learningRate: number;
  /** Seed of the order of the training flowers in each epoch. */
  seed: number;
}

export const versions = defineVersions<SoftmaxVersion>([
  // 105 training flowers: 7 steps of 16 (the last of 9) an epoch, 30 epochs, 210 steps.
  {
    name: 'default',
    dataLoader: new IrisLoader(),
    batchSize: 16,
    epochCount: 30,
    learningRate: 0.1,
    seed: 11,
  },
]);

type Context = PipelineContext<SoftmaxVersion>;

/** The trained model: what `model.json` holds and `predict` needs. */
interface SoftmaxWeights {
  classes: string[];
  /** Mean and standard deviation of each measurement on the training flowers. */
  mean: number[];
  scale: number[];
  /** `weights[class][feature]` and `bias[class]`, on standardised measurements. */
  weights: number[][];
  bias: number[];
}

class IrisSoftmax implements PipelineModel<SoftmaxVersion> {
  // Set by trainModel on this version's `this` for evaluateModel; no initialiser, since every
  // version's `this` has the exported model as its prototype.
  declare trained: SoftmaxWeights;

  async trainModel(this: PipelineModelThis<IrisSoftmax>, ctx: Context): Promise<void> {
    const { version, stepsPerEpoch } = ctx;
    const train = version.dataLoader.getTrainInput();
    const test = version.dataLoader.getTestInput();
    const classes = [...new Set(train.y)].sort();
    const featureCount = train.x[0]!.length;
    // Standardised measurements: one learning rate suits all four, whatever their units.
    const { mean, scale } = standardisation(train.x);
    const model: SoftmaxWeights = {
      classes,
      mean,
      scale,
      weights: classes.map(() => new Array<number>(featureCount).fill(0)),
      bias: classes.map(() => 0),
    };
    const x = train.x.map((row) => standardise(model, row));
    const targets = train.y.map((label) => classes.indexOf(label));
    let step = 0;
    for (let epoch = 1; epoch <= version.epochCount; epoch++) {
      const order = shuffled(x.length, version.seed + epoch);
      for (let start = 0; start < order.length; start += version.batchSize) {
        const batch = order.slice(start, start + version.batchSize);
        step += 1;
        ctx.run.addScalar('train/loss', gradientStep(model, batch, x, targets, version), step);
      }
      this.trained = model;
      const testAccuracy = accuracy(test.y, this.predict(test));
      // step is now epoch × stepsPerEpoch: the test score sits on the epoch's last loss point.
      ctx.run.addScalar('test/accuracy', testAccuracy, step);
      if (epoch % 10 === 0 || epoch === version.epochCount) {
        this.log(
          `epoch ${epoch}/${version.epochCount} (${step} steps of ${stepsPerEpoch} an epoch): test accuracy ${testAccuracy.toFixed(3)}`,
        );
      }
    }
    const json = JSON.stringify(model);
    await mkdir(ctx.modelDir, { recursive: true });
    await writeFile(join(ctx.modelDir, 'model.json'), json);
    await ctx.outputs.write('model.json', json);
  }

  evaluateModel(this: PipelineModelThis<IrisSoftmax>, ctx: Context): Record<string, number> {
    const test = ctx.version.dataLoader.getTestInput();
    return { accuracy: accuracy(test.y, this.predict(test)) };
  }

  predict(this: PipelineModelThis<IrisSoftmax>, input: IrisInput): string[] {
    const model = this.trained;
    return input.x.map((row) => {
      const scores = probabilities(model, standardise(model, row));
      return model.classes[scores.indexOf(Math.max(...scores))]!;
    });
  }
}

/**
 * One step of gradient descent on the mean cross-entropy of `batch`; returns that loss, as it
 * was before the step.
 */
function gradientStep(
  model: SoftmaxWeights,
  batch: readonly number[],
  x: readonly number[][],
  targets: readonly number[],
  version: SoftmaxVersion,
): number {
  const weightGradient = model.weights.map((row) => row.map(() => 0));
  const biasGradient = model.bias.map(() => 0);
  let loss = 0;
  for (const sample of batch) {
    const features = x[sample]!;
    const target = targets[sample]!;
    const p = probabilities(model, features);
    loss -= Math.log(Math.max(p[target]!, Number.EPSILON));
    p.forEach((probability, label) => {
      // d(cross-entropy)/d(score) = probability − 1 for the true class, probability otherwise.
      const error = probability - (label === target ? 1 : 0);
      biasGradient[label]! += error;
      features.forEach((value, feature) => {
        weightGradient[label]![feature]! += error * value;
      });
    });
  }
  const rate = version.learningRate / batch.length;
  model.weights.forEach((row, label) => {
    row.forEach((_, feature) => {
      row[feature]! -= rate * weightGradient[label]![feature]!;
    });
    model.bias[label]! -= rate * biasGradient[label]!;
  });
  return loss / batch.length;
}

/** The class probabilities of one standardised row (softmax of the class scores). */
function probabilities(model: SoftmaxWeights, features: readonly number[]): number[] {
  const scores = model.weights.map(
    (row, label) =>
      model.bias[label]! +
      row.reduce((sum, weight, feature) => sum + weight * features[feature]!, 0),
  );
  // Subtracting the largest score keeps exp() from overflowing; the ratios are unchanged.
  const largest = Math.max(...scores);
  const exponentials = scores.map((score) => Math.exp(score - largest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
}

function standardisation(rows: readonly number[][]): { mean: number[]; scale: number[] } {
  const mean = rows[0]!.map((_, column) => average(rows.map((row) => row[column]!)));
  const scale = mean.map((centre, column) => {
    const deviation = Math.sqrt(average(rows.map((row) => (row[column]! - centre) ** 2)));
    return deviation > 0 ? deviation : 1;
  });
  return { mean, scale };
}

function standardise(model: SoftmaxWeights, row: readonly number[]): number[] {
  return row.map((value, column) => (value - model.mean[column]!) / model.scale[column]!);
}

const average = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

export const model = new IrisSoftmax();
