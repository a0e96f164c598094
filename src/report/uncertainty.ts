/**
 * The report's uncertainty facts: the shipped model's proportions with their Wilson intervals,
 * the spec over seeds (from the runner's run files) with t-intervals, and a decision threshold
 * chosen on the training split alone, then applied to validation.
 * @module
 */
import { confusion } from "../core/metrics.ts";
import { type Interval, type SeedSummary, summarize, wilsonInterval } from "../core/stats.ts";
import type { RunRecord } from "../runner/record.ts";

export { type ThresholdFacts, thresholdFacts } from "../core/cutoff.ts";

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
