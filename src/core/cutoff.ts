/**
 * A decision cut-off on P(class 1) chosen on the training split alone, then applied elsewhere:
 * the calibration item (e) allows, which never looks at validation.
 * @module
 */
import { accuracy, confusion, DECISION_THRESHOLD, mcc, recall, specificity } from "./metrics.ts";

/** A cut-off chosen on the training split: the one of highest training accuracy. */
export interface ThresholdFacts {
  /** The chosen cut-off on P(class 1). */
  cutoff: number;
  /** Training accuracy at the chosen cut-off and at 0.5. */
  trainAccuracy: number;
  trainAccuracyAtHalf: number;
  /** Validation at the chosen cut-off. */
  validation: { accuracy: number; specificity: number; recall: number; mcc: number };
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
  const c = confusion(validation.labels, validation.p, best);
  return {
    cutoff: best,
    trainAccuracy: bestAcc,
    trainAccuracyAtHalf: accuracy(confusion(train.labels, train.p, DECISION_THRESHOLD)),
    validation: { accuracy: accuracy(c), specificity: specificity(c), recall: recall(c), mcc: mcc(c) },
  };
}
