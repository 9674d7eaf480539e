/**
 * A random forest on Iris (`RandomForestClassifier` of `ml-random-forest`, ml.js), grown over
 * the epochs, in two versions: `small` (9 trees) and `large` (50 trees, its own model folder).
 *
 * What a step, a batch and an epoch mean for a forest, which no gradient trains: one training
 * step grows one tree, fit on a bootstrap batch (`batchSize` training flowers drawn with
 * replacement); an epoch is `stepsPerEpoch` steps, so it draws as many flowers as the training
 * set holds. After epoch k the forest has k × stepsPerEpoch trees, and it ends with
 * epochCount × stepsPerEpoch: `batchSize` sets how much each tree sees (and so how many trees an
 * epoch grows), `epochCount` how long the forest grows. Every draw is seeded: a version trains
 * the same forest every time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import {
  classificationMetrics,
  defineVersions,
  type PipelineContext,
  type PipelineModel,
  type PipelineModelThis,
  type PipelineVersion,
} from 'ml-tracking';
import { accuracy, IrisLoader, seededRandom, type IrisInput } from './_iris.js';

/** A version of this script: the pipeline's fields and the forest's own. */
interface ForestVersion extends PipelineVersion {
  dataLoader: IrisLoader;
  /** The share of the 4 measurements each tree splits on. */
  maxFeatures: number;
  /** Seed of the bootstrap batches and of each tree's choice of measurements. */
  seed: number;
}

export const versions = defineVersions<ForestVersion>([
  // 105 training flowers: 3 batches of 35 an epoch, 3 epochs, 9 trees.
  {
    name: 'small',
    dataLoader: new IrisLoader(),
    batchSize: 35,
    epochCount: 3,
    maxFeatures: 0.75,
    seed: 7,
  },
  // 5 batches of 21 an epoch, 10 epochs, 50 trees; kept in its own folder (`iris_forest-large`).
  {
    name: 'large',
    dataLoader: new IrisLoader(),
    batchSize: 21,
    epochCount: 10,
    maxFeatures: 0.75,
    seed: 7,
    modelDirSuffix: 'large',
  },
]);

type Context = PipelineContext<ForestVersion>;

/** A forest as ml.js saves it (`toJSON()`) and loads it (`RandomForestClassifier.load`). */
type RandomForestClassifierModel = ReturnType<RandomForestClassifier['toJSON']>;

/** What `model.json` holds: the species in class-number order and the forest as ml.js saves it. */
interface SavedForest {
  classes: string[];
  forest: RandomForestClassifierModel;
}

class IrisForest implements PipelineModel<ForestVersion> {
  // Set by trainModel on this version's `this`, read by evaluateModel of the same version. No
  // initialisers: `this` is a per-version object whose prototype is the exported model, and a
  // shared initial value would be shared by every version.
  declare forest: RandomForestClassifier;
  /** The species, sorted: the forest predicts their indices. */
  declare classes: string[];

  async trainModel(this: PipelineModelThis<IrisForest>, ctx: Context): Promise<void> {
    const { version, stepsPerEpoch } = ctx;
    // IrisLoader answers at once; a loader that reads files would return promises to await.
    const train = version.dataLoader.getTrainInput();
    const test = version.dataLoader.getTestInput();
    this.classes = [...new Set(train.y)].sort();
    const targets = train.y.map((label) => this.classes.indexOf(label));
    const random = seededRandom(version.seed);
    const trees: RandomForestClassifierModel[] = [];
    for (let epoch = 1; epoch <= version.epochCount; epoch++) {
      for (let batch = 0; batch < stepsPerEpoch; batch++) {
        const rows = Array.from({ length: version.batchSize }, () =>
          Math.floor(random() * train.x.length),
        );
        // ml-random-forest fits all its trees at once on one training set; a forest of one tree
        // per batch, joined below through the library's own model format, grows it step by step.
        const tree = new RandomForestClassifier({
          nEstimators: 1,
          maxFeatures: version.maxFeatures,
          replacement: false,
          useSampleBagging: false,
          noOOB: true,
          seed: version.seed + trees.length,
        });
        tree.train(
          rows.map((row) => train.x[row]!),
          rows.map((row) => targets[row]!),
        );
        trees.push(tree.toJSON());
      }
      this.forest = joinTrees(trees);
      const step = epoch * stepsPerEpoch;
      const trainAccuracy = accuracy(train.y, this.predict(train));
      const testAccuracy = accuracy(test.y, this.predict(test));
      ctx.run.addScalar('train/accuracy', trainAccuracy, step);
      ctx.run.addScalar('test/accuracy', testAccuracy, step);
      this.log(
        `epoch ${epoch}/${version.epochCount}: ${trees.length} trees, train accuracy ${trainAccuracy.toFixed(3)}, test accuracy ${testAccuracy.toFixed(3)}`,
      );
    }
    const saved: SavedForest = { classes: this.classes, forest: this.forest.toJSON() };
    const json = JSON.stringify(saved);
    await mkdir(ctx.modelDir, { recursive: true });
    await writeFile(join(ctx.modelDir, 'model.json'), json);
    await ctx.outputs.write('model.json', json);
  }

  evaluateModel(this: PipelineModelThis<IrisForest>, ctx: Context): Record<string, number> {
    const test = ctx.version.dataLoader.getTestInput();
    const { overall } = classificationMetrics(test.y, this.predict(test));
    // Both are defined for any non-empty test set (F1 counts 0/0 as 0, as scikit-learn does).
    return { accuracy: overall.overall_accuracy!, macro_f1: overall.f1_macro! };
  }

  predict(this: PipelineModelThis<IrisForest>, input: IrisInput): string[] {
    return this.forest.predict(input.x).map((index) => this.classes[index]!);
  }
}

/** One forest of the given one-tree forests: its trees vote, as a forest trained at once does. */
function joinTrees(trees: readonly RandomForestClassifierModel[]): RandomForestClassifier {
  const first = trees[0]!.baseModel;
  return RandomForestClassifier.load({
    name: 'RFClassifier',
    baseModel: {
      ...first,
      nEstimators: trees.length,
      // ml-random-forest's types name the tree classes without declaring them.
      estimators: trees.flatMap((tree) => tree.baseModel.estimators as unknown[]),
      indexes: trees.flatMap((tree) => tree.baseModel.indexes),
    },
  });
}

export const model = new IrisForest();
