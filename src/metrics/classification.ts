import { defined } from './_defined.js';
import { encodeLabels } from './_labels.js';
import { probabilityMetrics } from './_probability-metrics.js';
import { lazyConfusionCounts, sparseConfusion } from './confusion.js';
import {
  checkArray,
  checkClassificationOptions,
  checkLabels,
  checkLength,
  labelList,
  problemClasses,
} from './input-checks.js';
import type {
  ClassificationOptions,
  ClassificationOverall,
  ClassificationScores,
  Label,
  PerClassScores,
} from './types.js';

/**
 * Computes the classification metrics of one logged run so that they agree with scikit-learn
 * (to ~1e-12 in practice), the reference a data scientist checks them against, while staying
 * fast on millions of samples: labels are encoded to class indices once, every count-based
 * metric comes from the per-class counts (support, predicted, hits), the confusion matrix is
 * counted sparsely (no K×K work, so 10,000 classes are cheap), and ROC AUC radix-sorts typed
 * arrays. `confusion.counts` is built on first read: K² numbers, so avoid it for many classes
 * and read the non-zero cells with `confusionCells`.
 *
 * Classes are the labels seen in `yTrue` or `yPred`, sorted like `np.unique`. Definitions
 * (scikit-learn names, with `labels` = those classes and `zero_division=0`):
 * - `overall_accuracy`: `accuracy_score`; `balanced_accuracy`: `balanced_accuracy_score` (the
 *   mean recall over the classes present in `yTrue`).
 * - `precision_macro`, `recall_macro`, `f1_macro`, `f1_weighted` and `perClass`:
 *   `precision_recall_fscore_support`.
 * - `mcc`: `matthews_corrcoef` (0 when a marginal is constant, as scikit-learn returns);
 *   `cohen_kappa`: `cohen_kappa_score` (undefined where it is 0/0).
 * - `true_positive_rate` / `true_negative_rate`: for a binary problem (two classes, or one plus
 *   a different `options.positiveLabel`), those of the positive class (`options.positiveLabel`,
 *   else the greater label); otherwise their mean over the classes one-vs-rest, skipping
 *   classes where the rate is 0/0 (so the multiclass TPR equals `balanced_accuracy`).
 *   Undefined when no class has one.
 * - `log_loss`: `log_loss(labels=options.classes)`, probabilities clipped to [eps, 1-eps] and
 *   each row renormalized. Needs `yScore`, and at least two classes.
 * - `roc_auc`: binary: `roc_auc_score` of the positive class's probabilities (the 1-D `yScore`,
 *   or that class's column, even when `options.classes` lists more classes than the run shows,
 *   where scikit-learn would go one-vs-rest and raise). Otherwise
 *   `roc_auc_score(multi_class='ovr', average='macro')` over the columns, undefined (as
 *   scikit-learn raises) unless every column's class occurs in `yTrue` and no class is the
 *   whole of it.
 * - `n_classes`: the number of classes.
 *
 * A metric is `undefined` where scikit-learn raises or returns nan for the same input.
 *
 * @throws ValidationError before any work when an input is wrong: `yTrue` / `yPred` missing,
 *   empty, of different lengths, or holding values that are not labels (strings, integers,
 *   booleans) of one type; `options.classes` not distinct labels of that type covering every
 *   label of the run; `options.positiveLabel` not one of the two classes of a binary run;
 *   `options.yScore` not one finite number (or one row with a number per class) per sample.
 */
export function classificationMetrics(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ClassificationOptions = {},
): ClassificationScores {
  const labelType = checkLabels('yTrue', checkArray('yTrue', yTrue, 'the actual labels'));
  checkLength('yPred', checkArray('yPred', yPred, 'the predicted labels'), yTrue.length, 'yTrue');
  checkLabels('yPred', yPred, labelType);
  const n = yTrue.length;
  const encoded = encodeLabels(yTrue, yPred);
  const { classes, trueCodes, predCodes } = encoded;
  const k = classes.length;
  const scoreLabels = checkClassificationOptions(
    options,
    { seen: classes, labelType, n },
    OPTION_NAMES,
    'scores',
    'caller',
  );

  // The marginals and the diagonal in one pass over the samples: O(n + K), never O(K²).
  const support = new Float64Array(k); // row sums: samples of each class in yTrue
  const predicted = new Float64Array(k); // column sums
  const hits = new Float64Array(k); // diagonal
  for (let i = 0; i < n; i++) {
    const a = trueCodes[i]!;
    const p = predCodes[i]!;
    support[a] = support[a]! + 1;
    predicted[p] = predicted[p]! + 1;
    if (a === p) hits[a] = hits[a]! + 1;
  }

  const perClass: PerClassScores[] = [];
  let precisionSum = 0;
  let recallSum = 0;
  let f1Sum = 0;
  let f1WeightedSum = 0;
  let balancedSum = 0;
  let balancedCount = 0;
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = hits[c]!;
    const s = support[c]!;
    const pc = predicted[c]!;
    const precision = pc > 0 ? tp / pc : 0;
    const recall = s > 0 ? tp / s : 0;
    const denominator = precision + recall;
    const f1 = denominator > 0 ? (2 * precision * recall) / denominator : 0;
    perClass.push({ label: classes[c]!, precision, recall, f1, support: s });
    precisionSum += precision;
    recallSum += recall;
    f1Sum += f1;
    f1WeightedSum += f1 * s;
    if (s > 0) {
      balancedSum += recall;
      balancedCount++;
    }
    correct += tp;
  }

  // matthews_corrcoef, with scikit-learn's float64 operations.
  let dotTruePred = 0;
  let dotPredPred = 0;
  let dotTrueTrue = 0;
  for (let c = 0; c < k; c++) {
    const t = support[c]!;
    const p = predicted[c]!;
    dotTruePred += t * p;
    dotPredPred += p * p;
    dotTrueTrue += t * t;
  }
  const covTruePred = correct * n - dotTruePred;
  const covPredPred = n * n - dotPredPred;
  const covTrueTrue = n * n - dotTrueTrue;
  const mcc =
    covPredPred * covTrueTrue === 0 ? 0 : covTruePred / Math.sqrt(covTrueTrue * covPredPred);

  // cohen_kappa_score: 1 - observed disagreement / disagreement expected by chance.
  const expectedDisagreement = (n * n - dotTruePred) / n;
  const kappa = 1 - (n - correct) / expectedDisagreement;

  const problem = problemClasses(classes, options.positiveLabel);
  const positive = problem.length === 2 ? (options.positiveLabel ?? problem[1]!) : undefined;
  const rates = positiveRates(classes, hits, support, predicted, problem, positive);
  const scores =
    options.yScore === undefined
      ? { logLoss: undefined, rocAuc: undefined }
      : probabilityMetrics(
          OPTION_NAMES.yScore,
          encoded,
          options.yScore,
          scoreLabels,
          problem,
          positive,
          options.positiveLabel,
        );

  const overall: ClassificationOverall = {
    overall_accuracy: correct / n,
    balanced_accuracy: balancedCount > 0 ? balancedSum / balancedCount : undefined,
    precision_macro: precisionSum / k,
    recall_macro: recallSum / k,
    f1_macro: f1Sum / k,
    f1_weighted: f1WeightedSum / n,
    true_positive_rate: rates.tpr,
    true_negative_rate: rates.tnr,
    mcc: defined(mcc),
    cohen_kappa: defined(kappa),
    log_loss: scores.logLoss,
    roc_auc: scores.rocAuc,
    n_classes: k,
  };
  const sparse = sparseConfusion(classes.slice(), trueCodes, predCodes, support);
  return { classes, overall, perClass, confusion: lazyConfusionCounts(sparse) };
}

/** The names of the options in error messages. */
const OPTION_NAMES = {
  yScore: 'options.yScore',
  classes: 'options.classes',
  positiveLabel: 'options.positiveLabel',
};

/**
 * True positive / true negative rates from the confusion marginals, one-vs-rest: for class c,
 * TPR = TP / support and TNR = TN / (n − support), with TN = n − support − predicted + TP.
 * O(K), so thousands of classes stay cheap (ml-confusion-matrix's per-label getters are O(K²)
 * each; `toConfusionMatrix` (in `confusion.ts`) gives them to callers who want its wider API).
 */
function positiveRates(
  classes: Label[],
  hits: Float64Array,
  support: Float64Array,
  predicted: Float64Array,
  problem: Label[],
  positive: Label | undefined,
): { tpr: number | undefined; tnr: number | undefined } {
  const n = support.reduce((sum, s) => sum + s, 0);
  // A Map, not indexOf: one indexOf per class would make thousands of classes O(K²).
  const codeOf = new Map(classes.map((label, c) => [label, c]));
  const rates = (label: Label): [number, number] => {
    const c = codeOf.get(label) ?? -1;
    // A positive label absent from this run: no true, predicted or hit samples.
    const tp = c < 0 ? 0 : hits[c]!;
    const s = c < 0 ? 0 : support[c]!;
    const p = c < 0 ? 0 : predicted[c]!;
    return [tp / s, (n - s - p + tp) / (n - s)];
  };
  if (positive !== undefined) {
    if (!problem.includes(positive)) {
      throw new Error(
        `Internal error: ${String(positive)} is not one of the classes ${labelList(problem)}, after the input checks`,
      );
    }
    const [tpr, tnr] = rates(positive);
    return { tpr: defined(tpr), tnr: defined(tnr) };
  }
  let tprSum = 0;
  let tprCount = 0;
  let tnrSum = 0;
  let tnrCount = 0;
  for (const label of problem) {
    const [tpr, tnr] = rates(label);
    if (Number.isFinite(tpr)) {
      tprSum += tpr;
      tprCount++;
    }
    if (Number.isFinite(tnr)) {
      tnrSum += tnr;
      tnrCount++;
    }
  }
  return {
    tpr: tprCount > 0 ? tprSum / tprCount : undefined,
    tnr: tnrCount > 0 ? tnrSum / tnrCount : undefined,
  };
}
