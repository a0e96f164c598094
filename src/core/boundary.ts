/**
 * The decision boundary, measured where the data barely reach: series of iid uniform digits
 * conditioned on their sum, drawn exactly, for every sum in a window around the threshold.
 * A model that learnt the rule is right on every one of them; the validation split holds only
 * a handful of series per sum near the threshold, so its accuracy cannot show a boundary that
 * is off by one or two.
 * @module
 */
import { sumDistribution } from "./prior.ts";
import { labelOf } from "./dataset.ts";
import { createRng, deriveSeed, type Rng } from "./rng.ts";
import { decide, DECISION_THRESHOLD } from "./metrics.ts";
import { SPEC } from "./spec.ts";

/** The sums scored around the threshold: threshold − 10 .. threshold + 10. */
export const BOUNDARY_HALF_WIDTH = 10;
/** Series drawn per sum. */
export const BOUNDARY_PER_SUM = 100;
/** The band whose per-sum accuracies are averaged with equal weight: threshold − 5 .. threshold + 5. */
export const BOUNDARY_BAND = 5;

/** Counts of k-digit series by sum, for k = 0..length: `table[k][s]`. */
function countTable(length: number, digitValues: number): bigint[][] {
  return Array.from({ length: length + 1 }, (_, k) => (k === 0 ? [1n] : sumDistribution(k, digitValues)));
}

/** A uniform BigInt in [0, n), by rejection on 32-bit chunks. */
function uniformBigInt(rng: Rng, n: bigint): bigint {
  const bits = n.toString(2).length;
  const chunks = Math.ceil(bits / 32);
  const excess = BigInt(chunks * 32 - bits);
  for (;;) {
    let v = 0n;
    for (let c = 0; c < chunks; c++) v = (v << 32n) | BigInt(rng.nextUint32());
    v >>= excess;
    if (v < n) return v;
  }
}

/** Options of {@link drawSeriesWithSum}. */
export interface SumDrawOptions {
  /** Digits per series (spec: 30). */
  length?: number;
  /** Values a digit takes, 0..digitValues − 1 (spec: 10). */
  digitValues?: number;
}

/**
 * Draws series of iid uniform digits conditioned on their sum, exactly: each digit in turn with
 * probability proportional to the number of ways the remaining digits can make up the rest.
 *
 * @param rng The random stream.
 * @param sum The sum every series must have.
 * @param count How many series.
 * @param options Length and digit values.
 * @returns The digits, row-major `[count, length]`.
 * @throws {RangeError} A sum no series of that length can have.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createRng } from "./rng.ts";
 * const x = drawSeriesWithSum(createRng(1), 100, 2);
 * assertEquals(x.subarray(0, 30).reduce((a, b) => a + b, 0), 100);
 * ```
 */
export function drawSeriesWithSum(rng: Rng, sum: number, count: number, options: SumDrawOptions = {}): Uint8Array {
  const length = options.length ?? SPEC.seriesLength;
  const digitValues = options.digitValues ?? SPEC.digitValues;
  const max = length * (digitValues - 1);
  if (!Number.isSafeInteger(sum) || sum < 0 || sum > max) {
    throw new RangeError(`Sum must be an integer in [0, ${max}], got ${sum}`);
  }
  const table = countTable(length, digitValues);
  const ways = (k: number, s: number) => (s >= 0 && s < table[k].length ? table[k][s] : 0n);
  const out = new Uint8Array(count * length);
  for (let n = 0; n < count; n++) {
    let rest = sum;
    for (let t = 0; t < length; t++) {
      const left = length - t - 1;
      let r = uniformBigInt(rng, ways(left + 1, rest));
      let d = 0;
      for (; d < digitValues - 1; d++) {
        const w = ways(left, rest - d);
        if (r < w) break;
        r -= w;
      }
      out[n * length + t] = d;
      rest -= d;
    }
  }
  return out;
}

/** A boundary set: `perSum` series for every sum of the window, in order of sum. */
export interface BoundarySet {
  /** The sums, ascending. */
  sums: number[];
  /** Digits, row-major `[sums.length · perSum, length]`. */
  x: Uint8Array;
  /** Labels by the rule, one per series. */
  y: Uint8Array;
  /** Series per sum. */
  perSum: number;
  /** Digits per series. */
  length: number;
}

/**
 * Draws the boundary set of a seed: for every sum in threshold ± {@link BOUNDARY_HALF_WIDTH},
 * {@link BOUNDARY_PER_SUM} series, each on its own stream derived from the seed and the sum.
 *
 * @param options `seed`, and the config's `seriesLength` and `threshold`.
 * @returns The set.
 */
export function makeBoundarySet(
  options: { seed: number; seriesLength?: number; threshold?: number; perSum?: number },
): BoundarySet {
  const length = options.seriesLength ?? SPEC.seriesLength;
  const threshold = options.threshold ?? SPEC.threshold;
  const perSum = options.perSum ?? BOUNDARY_PER_SUM;
  const max = length * (SPEC.digitValues - 1);
  const sums: number[] = [];
  for (let s = threshold - BOUNDARY_HALF_WIDTH; s <= threshold + BOUNDARY_HALF_WIDTH; s++) {
    if (s >= 0 && s <= max) sums.push(s);
  }
  const x = new Uint8Array(sums.length * perSum * length);
  const y = new Uint8Array(sums.length * perSum);
  sums.forEach((s, k) => {
    x.set(
      drawSeriesWithSum(createRng(deriveSeed(options.seed, "boundary", s)), s, perSum, { length }),
      k * perSum * length,
    );
    y.fill(labelOf(s, threshold), k * perSum, (k + 1) * perSum);
  });
  return { sums, x, y, perSum, length };
}

/** How a model does on a boundary set. */
export interface BoundaryScores {
  /** The sums scored, ascending. */
  sums: number[];
  /** Share classified right, per sum. */
  accuracy: number[];
  /** Mean P(class 1), per sum. */
  meanP: number[];
  /** Accuracy on the sum threshold − 1 (99 in the spec); NaN when the window lacks it. */
  justBelow: number;
  /** Accuracy on the sum threshold (100 in the spec); NaN when the window lacks it. */
  atThreshold: number;
  /** Mean of the per-sum accuracies over threshold ± {@link BOUNDARY_BAND}, each sum weighted equally. */
  band: number;
  /** The sum at which the mean P crosses 0.5, interpolated linearly; NaN when it never does. */
  effectiveThreshold: number;
}

/**
 * Scores a model's probabilities on a boundary set.
 *
 * @param set The set.
 * @param p P(class 1) per series, in the set's order.
 * @param threshold The label threshold (spec: 100).
 * @param cutoff The decision cut-off on p (default 0.5); the effective threshold does not depend on it.
 * @returns Per-sum accuracy and mean P, the accuracies just below and at the threshold, the
 * band accuracy and the effective threshold.
 * @throws {RangeError} Probabilities of the wrong length.
 */
export function scoreBoundary(
  set: BoundarySet,
  p: ArrayLike<number>,
  threshold: number = SPEC.threshold,
  cutoff: number = DECISION_THRESHOLD,
): BoundaryScores {
  if (p.length !== set.y.length) {
    throw new RangeError(`Boundary scores need ${set.y.length} probabilities, got ${p.length}`);
  }
  const accuracy: number[] = [];
  const meanP: number[] = [];
  set.sums.forEach((_, k) => {
    let right = 0;
    let total = 0;
    for (let i = k * set.perSum; i < (k + 1) * set.perSum; i++) {
      if (decide(p[i], cutoff) === set.y[i]) right++;
      total += p[i];
    }
    accuracy.push(right / set.perSum);
    meanP.push(total / set.perSum);
  });
  const at = (s: number) => accuracy[set.sums.indexOf(s)] ?? NaN;
  const band = set.sums.map((s, k) => [s, accuracy[k]]).filter(([s]) => Math.abs(s - threshold) <= BOUNDARY_BAND);
  let effectiveThreshold = NaN;
  for (let k = 1; k < set.sums.length; k++) {
    const [a, b] = [meanP[k - 1], meanP[k]];
    if (a < 0.5 && b >= 0.5) {
      effectiveThreshold = set.sums[k - 1] + (0.5 - a) / (b - a);
      break;
    }
  }
  if (Number.isNaN(effectiveThreshold) && meanP[0] >= 0.5) effectiveThreshold = -Infinity;
  return {
    sums: set.sums,
    accuracy,
    meanP,
    justBelow: at(threshold - 1),
    atThreshold: at(threshold),
    band: band.reduce((a, [, v]) => a + v, 0) / band.length,
    effectiveThreshold,
  };
}
