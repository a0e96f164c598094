/**
 * A decision cut-off on P(class 1) chosen on the training split alone, then applied elsewhere:
 * the calibration item (e) allows, which never looks at validation.
 * @module
 */
import { accuracy, confusion, DECISION_THRESHOLD, mcc, recall, specificity } from "./metrics.ts";
import { logit } from "./diagnosis.ts";

/** What the cut-off records keep of a split decided at one cut-off. */
export interface CutValidation {
  accuracy: number;
  specificity: number;
  recall: number;
  mcc: number;
}

/**
 * Accuracy, class-0 recall (specificity), class-1 recall and MCC of probabilities decided at a cut-off.
 *
 * @param labels 0/1 labels.
 * @param p P(class 1), one per label.
 * @param cutoff Class 1 when p ≥ cutoff.
 * @returns The four figures.
 */
export function validationAt(labels: ArrayLike<number>, p: ArrayLike<number>, cutoff: number): CutValidation {
  const c = confusion(labels, p, cutoff);
  return { accuracy: accuracy(c), specificity: specificity(c), recall: recall(c), mcc: mcc(c) };
}

/** A cut-off chosen on the training split: the one of highest training accuracy. */
export interface ThresholdFacts {
  /** The chosen cut-off on P(class 1). */
  cutoff: number;
  /** Training accuracy at the chosen cut-off and at 0.5. */
  trainAccuracy: number;
  trainAccuracyAtHalf: number;
  /** Validation at the chosen cut-off. */
  validation: CutValidation;
}

/**
 * Chooses the cut-off of highest training accuracy among the training probabilities themselves
 * (and 0.5), ties going to the one nearest 0.5; never looks at validation.
 *
 * @param train Training labels and probabilities.
 * @param validation Validation labels and probabilities, scored at the chosen cut-off.
 * @returns The cut-off and its figures.
 */
export function thresholdFacts(
  train: { labels: ArrayLike<number>; p: ArrayLike<number> },
  validation: { labels: ArrayLike<number>; p: ArrayLike<number> },
): ThresholdFacts {
  const candidates = [...new Set([DECISION_THRESHOLD, ...Array.from(train.p)])].sort((a, b) => a - b);
  let best: number = DECISION_THRESHOLD;
  let bestAcc = accuracy(confusion(train.labels, train.p, DECISION_THRESHOLD));
  // one pass over the sorted scores: predicting 1 when p >= cut, the right count changes by one series at a time
  const order = Array.from(train.p, (_, i) => i).sort((a, b) => train.p[a] - train.p[b]);
  let right = order.reduce((a, i) => a + (train.labels[i] === 1 ? 1 : 0), 0); // cut below every score: all 1
  let k = 0;
  for (const cut of candidates) {
    while (k < order.length && train.p[order[k]] < cut) {
      right += train.labels[order[k]] === 1 ? -1 : 1;
      k++;
    }
    const acc = right / order.length;
    if (
      acc > bestAcc || (acc === bestAcc && Math.abs(cut - DECISION_THRESHOLD) < Math.abs(best - DECISION_THRESHOLD))
    ) {
      best = cut;
      bestAcc = acc;
    }
  }
  return {
    cutoff: best,
    trainAccuracy: bestAcc,
    trainAccuracyAtHalf: accuracy(confusion(train.labels, train.p, DECISION_THRESHOLD)),
    validation: validationAt(validation.labels, validation.p, best),
  };
}

/** Sums on each side of the midpoint that {@link sumLineCutoff} fits: 97..102 around 99.5 in the spec. */
export const SUM_LINE_HALF_WIDTH = 3;

/** Fewest training series {@link sumLineCutoff} fits a line to. */
export const SUM_LINE_MIN_SERIES = 20;

/** A cut-off placed by the line of logit(p) against the sum on the training split. */
export interface SumLineCut {
  /** Midway between the largest sum labelled 0 and the smallest labelled 1 in the training split (99.5 in the spec). */
  midpoint: number;
  /** Training series fitted: those with sums within {@link SUM_LINE_HALF_WIDTH} of the midpoint. */
  series: number;
  /** On them, logit(p) ≈ slope · (sum − crossing), least squares. */
  slope: number;
  crossing: number;
  /** The cut-off on P(class 1): the line's value at the midpoint, σ(slope · (midpoint − crossing)). */
  cutoff: number;
  /** Validation at that cut-off. */
  validation: CutValidation;
}

/**
 * Places the cut-off where the model's own trend against the sum, fitted on the training split
 * alone, crosses the middle between the two classes' sums. The label is a threshold on the sum,
 * so the training labels say where the boundary lies (between sums 99 and 100); the fit says
 * where the model puts it (its p at a sum varies with the digits, so a line through the training
 * series near the boundary is the model's mean decision there). Moving the cut-off to the line's
 * value at the midpoint centres the model's boundary on the rule's, whatever side it erred to.
 * Never looks at validation.
 *
 * @param train Per training series: its digit sum, label and P(class 1).
 * @param validation Validation labels and probabilities, scored at the chosen cut-off.
 * @returns The fit, the cut-off and its validation figures.
 * @throws {RangeError} Arrays of different lengths, a class missing, labels that no sum threshold separates,
 * fewer than {@link SUM_LINE_MIN_SERIES} series near the midpoint, or a logit(p) that does not rise with the sum.
 */
export function sumLineCutoff(
  train: { sums: ArrayLike<number>; labels: ArrayLike<number>; p: ArrayLike<number> },
  validation: { labels: ArrayLike<number>; p: ArrayLike<number> },
): SumLineCut {
  const { sums, labels, p } = train;
  if (sums.length !== labels.length || sums.length !== p.length) {
    throw new RangeError(
      `The sum line needs one sum, label and P per series, got ${sums.length} sums, ${labels.length} labels and ${p.length} P`,
    );
  }
  let top0 = -Infinity;
  let bottom1 = Infinity;
  let n0 = 0;
  for (let i = 0; i < sums.length; i++) {
    if (labels[i] === 1) bottom1 = Math.min(bottom1, sums[i]);
    else (n0++, top0 = Math.max(top0, sums[i]));
  }
  if (n0 === 0 || n0 === sums.length) {
    throw new RangeError(
      `The sum line needs both classes in the training split, got ${n0} of class 0 in ${sums.length}`,
    );
  }
  if (top0 >= bottom1) {
    throw new RangeError(
      `The sum line needs labels that a sum threshold separates, got class 0 up to sum ${top0} and class 1 from sum ${bottom1}`,
    );
  }
  const midpoint = (top0 + bottom1) / 2;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < sums.length; i++) {
    if (Math.abs(sums[i] - midpoint) <= SUM_LINE_HALF_WIDTH) (xs.push(sums[i]), ys.push(logit(p[i])));
  }
  if (xs.length < SUM_LINE_MIN_SERIES) {
    throw new RangeError(
      `The sum line needs at least ${SUM_LINE_MIN_SERIES} training series with sums in ${
        midpoint - SUM_LINE_HALF_WIDTH
      }..${midpoint + SUM_LINE_HALF_WIDTH}, got ${xs.length}`,
    );
  }
  // the line about the means, not leastSquares's normal equations in the raw sums: sums near 100 that spread by a few
  // make those ill-conditioned, and this is what the committed run files' sumLineCut came from
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  if (!(slope > 0)) {
    throw new RangeError(`The sum line needs logit(p) rising with the sum, got slope ${Number(slope.toPrecision(3))}`);
  }
  const crossing = mx - my / slope;
  const cutoff = 1 / (1 + Math.exp(-slope * (midpoint - crossing)));
  return {
    midpoint,
    series: xs.length,
    slope,
    crossing,
    cutoff,
    validation: validationAt(validation.labels, validation.p, cutoff),
  };
}
