/**
 * Uncertainty of the project's figures: summaries over seeds with Student-t intervals, Wilson
 * score intervals of proportions, seeded bootstrap intervals, and paired differences.
 * @module
 */
import { createRng } from "./rng.ts";

/** The two-sided level every interval here uses. */
export const CONFIDENCE = 0.95;

/** A closed interval. */
export interface Interval {
  /** The lower bound. */
  low: number;
  /** The upper bound. */
  high: number;
}

/** A figure over independent runs (seeds). */
export interface SeedSummary {
  /** Runs summarised. */
  n: number;
  /** The mean over the runs. */
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for one run. */
  sd: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
  /** The 95 % Student-t interval of the mean; NaN bounds for fewer than 2 runs. */
  ci: Interval;
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; relative error below 1e-13). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** I_x(a, b), the regularized incomplete beta function. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/**
 * The cumulative distribution function of Student's t.
 *
 * @param t The value.
 * @param df Degrees of freedom, > 0.
 * @returns P(T ≤ t).
 */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The quantile of Student's t, by bisection on {@link studentTCdf} to 1e-12.
 *
 * @param p A probability in (0, 1).
 * @param df Degrees of freedom, > 0.
 * @returns t with P(T ≤ t) = p.
 * @throws {RangeError} p outside (0, 1) or df not positive.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(studentTQuantile(0.975, 9), 2.2622, 1e-4);
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`Probability must lie in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`Degrees of freedom must be positive, got ${df}`);
  let lo = -1e6;
  let hi = 1e6;
  for (let k = 0; k < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); k++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** z with Φ(z) = 0.975, the normal quantile of a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

/**
 * Summarises a figure over runs: mean, sample sd, range, and the 95 % t-interval of the mean.
 *
 * @param values One value per run.
 * @returns The summary.
 * @throws {RangeError} No values, or a value that is not finite.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(summarize([1, 2, 3]).mean, 2);
 * ```
 */
export function summarize(values: readonly number[]): SeedSummary {
  if (values.length === 0) throw new RangeError("Cannot summarize no values");
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new RangeError(`Cannot summarize a value that is not finite, got ${bad}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? studentTQuantile(1 - (1 - CONFIDENCE) / 2, n - 1) * sd / Math.sqrt(n) : NaN;
  return {
    n,
    mean,
    sd,
    min: Math.min(...values),
    max: Math.max(...values),
    ci: { low: mean - half, high: mean + half },
  };
}

/**
 * The Wilson score interval of a proportion (Wilson, 1927), at 95 %.
 *
 * @param successes Successes, an integer in [0, trials].
 * @param trials Trials, a positive integer.
 * @returns The interval, within [0, 1].
 * @throws {RangeError} Counts that are not integers, or successes outside [0, trials].
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(wilsonInterval(20, 20).low, 0.8389, 1e-4);
 * ```
 */
export function wilsonInterval(successes: number, trials: number): Interval {
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new RangeError(`Trials must be a positive integer, got ${trials}`);
  }
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`Successes must be an integer in [0, ${trials}], got ${successes}`);
  }
  const z2 = Z_95 * Z_95;
  const p = successes / trials;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  // at 0 and at n successes the bounds are exactly 0 and 1; rounding must not move them
  return { low: successes === 0 ? 0 : centre - half, high: successes === trials ? 1 : centre + half };
}

/**
 * A seeded percentile-bootstrap interval of a statistic of paired samples (labels and scores).
 *
 * @param labels Labels, one per sample.
 * @param scores Scores, one per sample.
 * @param statistic The statistic of a resample.
 * @param options `seed` of the resampling, `resamples` (default 1000).
 * @returns The 2.5 % and 97.5 % percentiles; resamples whose statistic is NaN are skipped.
 * @throws {RangeError} Lengths that differ, or no sample.
 */
export function bootstrapInterval(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  statistic: (labels: number[], scores: number[]) => number,
  options: { seed: number; resamples?: number },
): Interval {
  const n = labels.length;
  if (n === 0 || scores.length !== n) {
    throw new RangeError(`Bootstrap needs labels and scores of one non-zero length, got ${n} and ${scores.length}`);
  }
  const rng = createRng(options.seed);
  const resamples = options.resamples ?? 1000;
  const stats: number[] = [];
  const y = new Array<number>(n);
  const s = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = rng.nextInt(n);
      y[i] = labels[k];
      s[i] = scores[k];
    }
    const v = statistic(y, s);
    if (!Number.isNaN(v)) stats.push(v);
  }
  stats.sort((a, b) => a - b);
  return { low: percentile(stats, 0.025), high: percentile(stats, 0.975) };
}

/** The q-quantile of sorted values, linear between order statistics (numpy's default). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The median of values in any order: the middle one, or the mean of the middle two.
 *
 * @param values The values (not changed).
 * @returns Their median; NaN when there are none.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals([median([3, 1, 2]), median([4, 1, 3, 2])], [2, 2.5]);
 * ```
 */
export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * The paired difference a − b of two variants run on the same seeds, summarised over seeds.
 *
 * @param a The first variant's value per seed.
 * @param b The second variant's value on the same seeds, in the same order.
 * @returns The summary of the differences; its `ci` excludes 0 when the gap is significant at 5 %.
 * @throws {RangeError} Lengths that differ or are 0.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): SeedSummary {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`Paired values need one non-zero length, got ${a.length} and ${b.length}`);
  }
  return summarize(a.map((v, i) => v - b[i]));
}

/** An ordinary least-squares fit. */
export interface LeastSquaresFit {
  /** One coefficient per column; 0 for a column that the others already span. */
  coefficients: number[];
  /** Columns that entered the fit. */
  rank: number;
  /** √(residual sum of squares / (rows − rank)). */
  residualSd: number;
}

/**
 * Ordinary least squares by the normal equations, with partial pivoting; a column the others
 * span (a pivot below 1e-10 of the largest diagonal) gets coefficient 0 and leaves the rank.
 *
 * @param rows The design matrix, one row per observation (put a 1 in it for an intercept).
 * @param y The observations.
 * @returns The coefficients, the rank and the residual standard deviation.
 * @throws {RangeError} No rows, rows of different lengths, or as many columns as rows.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * const fit = leastSquares([[1, 1], [1, 2], [1, 3], [1, 4]], [6, 5, 7, 10]);
 * assertAlmostEquals(fit.coefficients[1], 1.4);
 * ```
 */
export function leastSquares(rows: readonly (readonly number[])[], y: readonly number[]): LeastSquaresFit {
  const n = rows.length;
  const k = rows[0]?.length ?? 0;
  if (n === 0 || k === 0 || y.length !== n || rows.some((r) => r.length !== k)) {
    throw new RangeError(
      `Least squares needs rows of one length and one value per row, got ${n} rows and ${y.length} values`,
    );
  }
  if (k >= n) throw new RangeError(`Least squares needs more rows than columns, got ${n} rows and ${k} columns`);
  // normal equations [XᵀX | Xᵀy]
  const a = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    for (let i = 0; i < k; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < k; j++) a[i][j] += row[i] * row[j];
      a[i][k] += row[i] * y[r];
    }
  }
  const scale = Math.max(...a.map((row, i) => Math.abs(row[i])));
  const used: boolean[] = new Array(k).fill(false);
  const pivotRow: number[] = new Array(k).fill(-1);
  for (let col = 0; col < k; col++) {
    let best = -1;
    for (let r = 0; r < k; r++) {
      if (!used[r] && (best < 0 || Math.abs(a[r][col]) > Math.abs(a[best][col]))) best = r;
    }
    if (best < 0 || Math.abs(a[best][col]) <= 1e-10 * scale) continue;
    used[best] = true;
    pivotRow[col] = best;
    for (let r = 0; r < k; r++) {
      if (r === best || a[r][col] === 0) continue;
      const f = a[r][col] / a[best][col];
      for (let c = col; c <= k; c++) a[r][c] -= f * a[best][c];
    }
  }
  const coefficients = pivotRow.map((r, col) => (r < 0 ? 0 : a[r][k] / a[r][col]));
  const rank = pivotRow.filter((r) => r >= 0).length;
  let rss = 0;
  for (let r = 0; r < n; r++) {
    const fitted = rows[r].reduce((s, v, i) => s + v * coefficients[i], 0);
    rss += (y[r] - fitted) ** 2;
  }
  return { coefficients, rank, residualSd: Math.sqrt(rss / (n - rank)) };
}
