/**
 * Classification measures as pure functions. Positive means class 1 (sum >= 100).
 *
 * Zero-division rule: a ratio whose denominator is 0 is reported as 0 (as scikit-learn's
 * `zero_division=0`), MCC is 0 when any margin is empty, and ROC-AUC is NaN when one
 * class is absent (no ranking exists); JSON writes NaN as null.
 * @module
 */
import { decide, DECISION_THRESHOLD } from "./digits.js";

export { decide, DECISION_THRESHOLD } from "./digits.js";

/** Confusion counts. */
export interface Confusion {
  /** Class 1 predicted 1. */
  tp: number;
  /** Class 0 predicted 1. */
  fp: number;
  /** Class 0 predicted 0. */
  tn: number;
  /** Class 1 predicted 0. */
  fn: number;
}

/** Every measure the project reports for a split. */
export interface ClassificationReport {
  /** Mean binary cross-entropy. */
  loss: number;
  /** Share of decisions that are right. */
  accuracy: number;
  /** The confusion matrix at the decision cut-off (positive = class 1). */
  confusion: Confusion;
  /** tp / (tp + fp). */
  precision: number;
  /** tp / (tp + fn): recall of class 1. */
  recall: number;
  /** tn / (tn + fp): recall of class 0. */
  specificity: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Mean of the recalls of both classes. */
  balancedAccuracy: number;
  /** Matthews correlation coefficient. */
  mcc: number;
  /** Area under the ROC curve. */
  rocAuc: number;
}

function checkPair(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new RangeError(
      `Labels and scores must have the same length, got ${labels.length} and ${scores.length}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new RangeError(
        `Label at index ${i} must be 0 or 1, got ${labels[i]}`,
      );
    }
    if (Number.isNaN(scores[i])) {
      throw new RangeError(`Score at index ${i} is NaN`);
    }
  }
}

/**
 * Counts the confusion matrix, predicting 1 when the score is >= `cutoff`.
 *
 * @param labels True classes, 0 or 1.
 * @param scores Predicted probabilities of class 1.
 * @param cutoff Decision threshold, default `DECISION_THRESHOLD` (0.5).
 * @returns The four counts.
 * @throws {RangeError} Different lengths, a label that is not 0 or 1, or a NaN score.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(confusion([1, 0, 1], [0.9, 0.8, 0.1]), { tp: 1, fp: 1, tn: 0, fn: 1 });
 * ```
 */
export function confusion(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  cutoff: number = DECISION_THRESHOLD,
): Confusion {
  checkPair(labels, scores);
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = decide(scores[i], cutoff) === 1;
    if (labels[i] === 1) predicted ? c.tp++ : c.fn++;
    else predicted ? c.fp++ : c.tn++;
  }
  return c;
}

const safeDiv = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Share of correct decisions; 0 on an empty set. */
export const accuracy = (c: Confusion): number => safeDiv(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn);
/** tp / (tp + fp); 0 when nothing is predicted positive. */
export const precision = (c: Confusion): number => safeDiv(c.tp, c.tp + c.fp);
/** tp / (tp + fn), the recall of class 1; 0 when class 1 is absent. */
export const recall = (c: Confusion): number => safeDiv(c.tp, c.tp + c.fn);
/** tn / (tn + fp), the recall of class 0; 0 when class 0 is absent. */
export const specificity = (c: Confusion): number => safeDiv(c.tn, c.tn + c.fp);
/** Harmonic mean of precision and recall, 2tp / (2tp + fp + fn); 0 when tp = 0. */
export const f1 = (c: Confusion): number => safeDiv(2 * c.tp, 2 * c.tp + c.fp + c.fn);
/** Mean of the recalls of both classes. */
export const balancedAccuracy = (c: Confusion): number => (recall(c) + specificity(c)) / 2;

/** Matthews correlation coefficient in [-1, 1]; 0 when any row or column of the matrix is empty. */
export function mcc(c: Confusion): number {
  const den = Math.sqrt(
    (c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn),
  );
  return den === 0 ? 0 : (c.tp * c.tn - c.fp * c.fn) / den;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half (Mann-Whitney U with mid-ranks).
 *
 * @returns The AUC, or NaN when one class is absent.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(rocAuc([0, 1, 0, 1], [0.1, 0.9, 0.5, 0.5]), 0.875);
 * ```
 */
export function rocAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): number {
  checkPair(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) /
    (positives * negatives);
}

/** Probabilities are clipped to [EPS, 1 - EPS] before the log, as Keras does. */
export const BCE_EPSILON = 1e-7;

/**
 * Mean binary cross-entropy (item c), with Keras's clipping of p to [1e-7, 1 - 1e-7].
 *
 * @param labels True classes.
 * @param probabilities Predicted P(class 1).
 * @param weights Optional per-series weights (Keras `sample_weight`): the mean of w·loss.
 * @returns The mean loss; 0 on an empty set.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(binaryCrossEntropy([1, 0], [0.5, 0.5]), Math.LN2);
 * ```
 */
export function binaryCrossEntropy(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkPair(labels, probabilities);
  if (weights && weights.length !== labels.length) {
    throw new RangeError(`Weights must have the labels' length ${labels.length}, got ${weights.length}`);
  }
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], BCE_EPSILON), 1 - BCE_EPSILON);
    total -= (weights ? weights[i] : 1) * (labels[i] === 1 ? Math.log(p) : Math.log(1 - p));
  }
  return labels.length === 0 ? 0 : total / labels.length;
}

/**
 * Every measure at once, for metrics.json.
 *
 * @param labels True classes.
 * @param probabilities Predicted P(class 1).
 * @returns Loss, accuracy, confusion counts and the measures derived from them.
 */
export function classificationReport(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
): ClassificationReport {
  const c = confusion(labels, probabilities);
  return {
    loss: binaryCrossEntropy(labels, probabilities),
    accuracy: accuracy(c),
    confusion: c,
    precision: precision(c),
    recall: recall(c),
    specificity: specificity(c),
    f1: f1(c),
    balancedAccuracy: balancedAccuracy(c),
    mcc: mcc(c),
    rocAuc: rocAuc(labels, probabilities),
  };
}

/** Points of a curve swept over every distinct score as threshold, highest first. */
export interface Curve {
  /** x coordinates (false-positive rate for ROC, recall for PR). */
  x: number[];
  /** y coordinates (true-positive rate for ROC, precision for PR). */
  y: number[];
  /** The threshold of each point (predict 1 when score >= threshold); Infinity for the start. */
  thresholds: number[];
}

/** Counts tp and fp at each distinct threshold, from the highest score down. */
function sweep(labels: ArrayLike<number>, scores: ArrayLike<number>) {
  checkPair(labels, scores);
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    labels[order[k]] === 1 ? tp++ : fp++;
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[order[k]]);
    }
  }
  return { tps, fps, thresholds, positives: tp, negatives: fp };
}

/**
 * The ROC curve: (false-positive rate, true-positive rate) at every distinct threshold,
 * starting at (0, 0). Rates are 0 when their class is absent.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(rocCurve([0, 1], [0.2, 0.8]).y, [0, 1, 1]);
 * ```
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): Curve {
  const s = sweep(labels, scores);
  return {
    x: [0, ...s.fps.map((f) => safeDiv(f, s.negatives))],
    y: [0, ...s.tps.map((t) => safeDiv(t, s.positives))],
    thresholds: [Infinity, ...s.thresholds],
  };
}

/**
 * The precision-recall curve: (recall, precision) at every distinct threshold, starting at
 * (0, 1) as scikit-learn does.
 */
export function prCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): Curve {
  const s = sweep(labels, scores);
  return {
    x: [0, ...s.tps.map((t) => safeDiv(t, s.positives))],
    y: [1, ...s.tps.map((t, k) => safeDiv(t, t + s.fps[k]))],
    thresholds: [Infinity, ...s.thresholds],
  };
}

/**
 * Area under the precision-recall curve as average precision: Σ (R_k − R_{k−1}) · P_k
 * (scikit-learn's definition, no interpolation).
 *
 * @returns The average precision, or NaN when class 1 is absent.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333);
 * ```
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { x, y } = prCurve(labels, scores);
  if (!labels.length || Array.prototype.every.call(labels, (l: number) => l === 0)) return NaN;
  let ap = 0;
  for (let k = 1; k < x.length; k++) ap += (x[k] - x[k - 1]) * y[k];
  return ap;
}

/**
 * Swaps the roles of the classes: labels become 1 − y and P(class 1) becomes 1 − p, so that
 * class 0 is the positive class (for the minority's precision-recall curve). Applying it twice
 * gives the input back; the input is not touched.
 *
 * @param y True classes, 0 or 1.
 * @param p Predicted P(class 1).
 * @returns `{ y, p }` with class 0 as the positive class.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(flipClasses([1, 0], [0.75, 0.25]), { y: [0, 1], p: [0.25, 0.75] });
 * ```
 */
export function flipClasses(y: ArrayLike<number>, p: ArrayLike<number>): { y: number[]; p: number[] } {
  return { y: Array.from(y, (v) => 1 - v), p: Array.from(p, (v) => 1 - v) };
}
