/**
 * The order mean: a model's logit averaged over fixed reorderings of each series' digits. The label
 * depends on the digits alone, not on their order, so every order of a series has the same answer;
 * a trained LSTM's logit still varies from one order to another, and averaging over orders removes
 * that part of its scatter at a given sum. A prediction rule measured here, not the default.
 * @module
 */
import { createRng, deriveSeed, shuffleInPlace } from "./rng.ts";
import { logit, type LogitFit, logitFit } from "./diagnosis.ts";

/** Orders averaged over in the run files' `orderMean` (the first of them the digits as drawn). */
export const ORDER_MEAN_COUNT = 16;

/**
 * The seed of a run's fixed orders (after the first, the digits as drawn), from its data seed: the run files'
 * `orderMean` and the report's diagnosis of a model use the same orders.
 *
 * @param dataSeed The data seed of the run or model.
 * @returns The seed for {@link fixedOrders}.
 */
export function orderMeanSeed(dataSeed: number): number {
  return deriveSeed(dataSeed, "orders");
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Order count must be a positive integer, got ${count}`);
  }
}

/**
 * Fixed orders of a series' positions: the identity first, then seeded random permutations.
 *
 * @param count Orders.
 * @param seriesLength Positions per series.
 * @param seed The seed of the permutations after the first.
 * @returns `count` permutations of 0..seriesLength−1; the same arguments always give the same orders.
 * @throws {RangeError} A count or length that is not a positive integer, or a bad seed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(fixedOrders(2, 3, 7)[0], [0, 1, 2]);
 * ```
 */
export function fixedOrders(count: number, seriesLength: number, seed: number): number[][] {
  checkCount(count);
  if (!Number.isSafeInteger(seriesLength) || seriesLength < 1) {
    throw new RangeError(`Series length must be a positive integer, got ${seriesLength}`);
  }
  const rng = createRng(seed);
  const identity = () => Array.from({ length: seriesLength }, (_, t) => t);
  return Array.from({ length: count }, (_, k) => (k === 0 ? identity() : shuffleInPlace(rng, identity())));
}

/**
 * Every series in every order: block k (of `orders.length`) holds all series, each read in order k.
 *
 * @param x Digits, row-major `[n, seriesLength]`.
 * @param seriesLength Digits per series.
 * @param orders Permutations of 0..seriesLength−1.
 * @returns Digits `[orders.length · n, seriesLength]`; series s of block k is at row k·n + s.
 * @throws {RangeError} Digits that do not fill whole series, or an order that is not a permutation, named.
 */
export function reorderSeries(x: Uint8Array, seriesLength: number, orders: readonly (readonly number[])[]): Uint8Array {
  if (x.length % seriesLength !== 0) {
    throw new RangeError(`Digits must fill whole series of ${seriesLength}, got ${x.length}`);
  }
  orders.forEach((q, k) => {
    const seen = new Set(q);
    if (q.length !== seriesLength || seen.size !== seriesLength || q.some((t) => !(t >= 0 && t < seriesLength))) {
      throw new RangeError(
        `Order ${k} must be a permutation of 0..${seriesLength - 1}, got ${q.join(",").slice(0, 120)}`,
      );
    }
  });
  const n = x.length / seriesLength;
  const out = new Uint8Array(orders.length * x.length);
  orders.forEach((q, k) => {
    for (let s = 0; s < n; s++) {
      const from = s * seriesLength;
      const to = (k * n + s) * seriesLength;
      for (let t = 0; t < seriesLength; t++) out[to + t] = x[from + q[t]];
    }
  });
  return out;
}

/**
 * The order mean of each series: the sigmoid of its mean logit over the orders.
 *
 * @param p P(class 1) of {@link reorderSeries}' rows: `count` blocks of n series each.
 * @param count The orders.
 * @returns P(class 1) per series, `[n]`.
 * @throws {RangeError} A bad count, or probabilities that are not `count` non-empty blocks of equal size.
 */
export function orderMeanProbabilities(p: ArrayLike<number>, count: number): Float64Array {
  checkCount(count);
  if (p.length === 0 || p.length % count !== 0) {
    throw new RangeError(`Order means need ${count} blocks of equal size, got ${p.length} probabilities`);
  }
  const n = p.length / count;
  const sum = new Float64Array(n);
  for (let k = 0; k < count; k++) for (let s = 0; s < n; s++) sum[s] += logit(p[k * n + s]);
  return sum.map((z) => 1 / (1 + Math.exp(-z / count)));
}

/**
 * {@link logitFit} of a model's order mean: its logit against the sum, and what that leaves, when each series is
 * decided by its mean logit over `count` fixed orders of its digits ({@link fixedOrders}, the digits as drawn
 * first).
 *
 * @param x Digits, row-major `[n, seriesLength]`.
 * @param seriesLength Digits per series.
 * @param predict P(class 1) of series, row-major digits in, one probability per series out.
 * @param seed The seed of the orders after the first.
 * @param count The orders; {@link ORDER_MEAN_COUNT} unless given.
 * @returns The fit.
 * @throws {RangeError} Digits that do not fill whole series, or a bad count or seed.
 */
export async function orderMeanFit(
  x: Uint8Array,
  seriesLength: number,
  predict: (x: Uint8Array) => Promise<ArrayLike<number>>,
  seed: number,
  count: number = ORDER_MEAN_COUNT,
): Promise<LogitFit> {
  const rows = reorderSeries(x, seriesLength, fixedOrders(count, seriesLength, seed));
  return logitFit(x, seriesLength, orderMeanProbabilities(await predict(rows), count));
}
