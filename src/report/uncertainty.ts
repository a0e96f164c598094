/**
 * The report's uncertainty facts: the shipped model's proportions with their Wilson intervals,
 * the spec over seeds (from the runner's run files) with t-intervals, and a decision threshold
 * chosen on the training split alone, then applied to validation.
 * @module
 */
import { accuracy, confusion, DECISION_THRESHOLD, mcc, recall, specificity } from "../core/metrics.ts";
import { type Interval, type SeedSummary, summarize, wilsonInterval } from "../core/stats.ts";
import type { RunRecord } from "../runner/record.ts";

/** A proportion with its count and 95 % Wilson interval. */
export interface ProportionFacts {
  right: number;
  total: number;
  value: number;
  wilson: Interval;
}

/** The spec over seeds. */
export interface SeedFacts {
  /** The seeds summarised. */
  seeds: number[];
  accuracy: SeedSummary;
  /** Recall of class 0. */
  specificity: SeedSummary;
  mcc: SeedSummary;
  /** Accuracy on series summing to exactly the threshold. */
  boundaryAtThreshold: SeedSummary;
  /** Class-0 series recognised over all seeds' validation splits. */
  class0Pooled: ProportionFacts;
  /** Per run, in seed order: seed, accuracy and MCC (for the spread figure). */
  perRun: { seed: number; accuracy: number; mcc: number }[];
}

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

const proportion = (right: number, total: number): ProportionFacts => ({
  right,
  total,
  value: right / total,
  wilson: wilsonInterval(right, total),
});

/**
 * The shipped model's accuracy and both recalls with their Wilson intervals.
 *
 * @param labels Validation labels.
 * @param p Validation probabilities.
 * @returns Accuracy, recall of class 0 and of class 1.
 */
export function proportionFacts(labels: ArrayLike<number>, p: ArrayLike<number>) {
  const c = confusion(labels, p);
  return {
    accuracy: proportion(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn),
    class0Recall: proportion(c.tn, c.tn + c.fp),
    class1Recall: proportion(c.tp, c.tp + c.fn),
  };
}

/**
 * Summarises spec runs over their seeds.
 *
 * @param runs Run files of the spec variant, one per seed.
 * @returns The summary, or undefined for no runs.
 */
export function seedFacts(runs: readonly RunRecord[]): SeedFacts | undefined {
  if (!runs.length) return undefined;
  const sorted = [...runs].sort((a, b) => a.config.seed - b.config.seed);
  const right = sorted.reduce((a, r) => a + r.validation.confusion.tn, 0);
  const total = sorted.reduce((a, r) => a + r.validation.confusion.tn + r.validation.confusion.fp, 0);
  return {
    seeds: sorted.map((r) => r.config.seed),
    accuracy: summarize(sorted.map((r) => r.validation.accuracy)),
    specificity: summarize(sorted.map((r) => r.validation.specificity)),
    mcc: summarize(sorted.map((r) => r.validation.mcc)),
    boundaryAtThreshold: summarize(sorted.map((r) => r.boundary.atThreshold)),
    class0Pooled: proportion(right, total),
    perRun: sorted.map((r) => ({ seed: r.config.seed, accuracy: r.validation.accuracy, mcc: r.validation.mcc })),
  };
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
