/**
 * A class label as a classifier reports it. One run uses one label type; labels sort the way
 * scikit-learn sorts them (numbers numerically, strings by code point, `false` before `true`).
 */
export type Label = string | number | boolean;

/** Options of `classificationMetrics`. */
export interface ClassificationOptions {
  /**
   * Predicted probabilities, needed for `log_loss` and `roc_auc`. Either one row per sample
   * with one column per class (in the order of {@link ClassificationOptions.classes}), or, for a
   * binary problem, one probability per sample: that of the positive class.
   */
  yScore?: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /**
   * The class of each column of {@link ClassificationOptions.yScore} (for instance a model's
   * `classes_`). It may hold classes that this run never shows. Default: the sorted classes.
   */
  classes?: readonly Label[];
  /**
   * The positive class of a binary problem. Default: the greater of the two labels. Ignored
   * when the run has more than two classes.
   */
  positiveLabel?: Label;
}

/**
 * Run-level classification metrics, named as the experiment tables name them. `undefined` means
 * "not defined for this run" (no scores given, a 0/0, or scikit-learn would raise or return nan).
 */
export interface ClassificationOverall {
  overall_accuracy: number | undefined;
  balanced_accuracy: number | undefined;
  precision_macro: number | undefined;
  recall_macro: number | undefined;
  f1_macro: number | undefined;
  f1_weighted: number | undefined;
  true_positive_rate: number | undefined;
  true_negative_rate: number | undefined;
  mcc: number | undefined;
  cohen_kappa: number | undefined;
  log_loss: number | undefined;
  roc_auc: number | undefined;
  /** Number of classes seen in `yTrue` or `yPred`. */
  n_classes: number;
}

/** Precision, recall and F1 of one class against the rest (0 where they are 0/0). */
export interface PerClassScores {
  label: Label;
  precision: number;
  recall: number;
  f1: number;
  /** Number of samples of this class in `yTrue`. */
  support: number;
}

/** Confusion counts: `counts[actual][predicted]`, both indexed like `labels`. */
export interface ConfusionCounts {
  labels: Label[];
  counts: number[][];
}

/** Everything `classificationMetrics` computes for one run. */
export interface ClassificationScores {
  /** The classes seen in `yTrue` or `yPred`, sorted. */
  classes: Label[];
  overall: ClassificationOverall;
  /** One entry per class, in the order of {@link ClassificationScores.classes}. */
  perClass: PerClassScores[];
  confusion: ConfusionCounts;
}

/** Regression metrics of one run; `undefined` where scikit-learn would give nan. */
export interface RegressionScores {
  mae: number | undefined;
  mape: number | undefined;
  rmse: number | undefined;
  mse: number | undefined;
  mbe: number | undefined;
  rsquared: number | undefined;
  explained_variance: number | undefined;
  median_absolute_error: number | undefined;
  max_error: number | undefined;
}
