/**
 * The exact class distribution of the exercise's data, by BigInt convolution.
 * @module
 */
import { SPEC } from "./spec.ts";

/**
 * Counts, for every sum s, the series of `length` digits (0..digitValues-1) that sum to s.
 *
 * @param length Digits per series (spec: 30).
 * @param digitValues Values a digit takes (spec: 10).
 * @returns `counts[s]` as BigInt, for s = 0..length·(digitValues-1).
 * @throws {RangeError} A length or digit count that is not a positive integer.
 */
export function sumDistribution(
  length: number = SPEC.seriesLength,
  digitValues: number = SPEC.digitValues,
): bigint[] {
  for (
    const [name, v] of [["length", length], [
      "digitValues",
      digitValues,
    ]] as const
  ) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
  }
  let counts = [1n];
  for (let t = 0; t < length; t++) {
    const next = new Array<bigint>(counts.length + digitValues - 1).fill(0n);
    for (let s = 0; s < counts.length; s++) {
      for (let d = 0; d < digitValues; d++) next[s + d] += counts[s];
    }
    counts = next;
  }
  return counts;
}

/** The exact class shares of the exercise's data. */
export interface ClassPrior {
  /** Series with sum < threshold (class 0). */
  negatives: bigint;
  /** All digitValues^length series. */
  total: bigint;
  /** P(class 1) = P(sum >= threshold), as a double. */
  positiveRate: number;
  /** P(class 0) = P(sum < threshold), as a double. */
  negativeRate: number;
}

/**
 * The exact P(sum >= threshold) for iid uniform digits: about 98.825 % for the spec.
 *
 * @param options Sizes; spec defaults.
 * @returns Exact counts and both rates.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(exactClassPrior().negatives, 11749570957227161671138139560n);
 * ```
 */
export function exactClassPrior(
  options: { seriesLength?: number; threshold?: number; digitValues?: number } = {},
): ClassPrior {
  const {
    seriesLength = SPEC.seriesLength,
    threshold = SPEC.threshold,
    digitValues = SPEC.digitValues,
  } = options;
  const counts = sumDistribution(seriesLength, digitValues);
  let negatives = 0n;
  for (let s = 0; s < Math.min(threshold, counts.length); s++) {
    negatives += counts[s];
  }
  const total = BigInt(digitValues) ** BigInt(seriesLength);
  const negativeRate = ratio(negatives, total);
  return {
    negatives,
    total,
    negativeRate,
    positiveRate: ratio(total - negatives, total),
  };
}

/** a / b as a double, exact to the last bit of a 53-bit mantissa for big operands. */
function ratio(a: bigint, b: bigint): number {
  const scale = 10n ** 30n;
  return Number((a * scale) / b) / 1e30;
}

/** The shape of the distribution of a series' sum. */
export interface SumMoments {
  /** The smallest possible sum, 0. */
  min: number;
  /** The largest possible sum, length · (digitValues − 1). */
  max: number;
  /** The mean, length · (digitValues − 1) / 2. */
  mean: number;
  /** The variance, length · (digitValues² − 1) / 12 (a uniform digit has (digitValues² − 1) / 12). */
  variance: number;
  /** The standard deviation, √variance. */
  sd: number;
}

/**
 * The range, mean and spread of the sum of `seriesLength` iid uniform digits 0..digitValues-1.
 *
 * @param options Sizes; spec defaults.
 * @returns The moments and the range.
 * @throws {RangeError} A length or digit count that is not a positive integer.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const m = sumMoments();
 * assertEquals([m.min, m.max, m.mean, m.variance], [0, 270, 135, 247.5]);
 * ```
 */
export function sumMoments(
  options: { seriesLength?: number; digitValues?: number } = {},
): SumMoments {
  const { seriesLength = SPEC.seriesLength, digitValues = SPEC.digitValues } = options;
  for (const [name, v] of [["seriesLength", seriesLength], ["digitValues", digitValues]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const variance = (seriesLength * (digitValues * digitValues - 1)) / 12;
  return {
    min: 0,
    max: seriesLength * (digitValues - 1),
    mean: (seriesLength * (digitValues - 1)) / 2,
    variance,
    sd: Math.sqrt(variance),
  };
}
