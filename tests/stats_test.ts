import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  bootstrapInterval,
  leastSquares,
  median,
  pairedDifference,
  percentile,
  studentTCdf,
  studentTQuantile,
  summarize,
  wilsonInterval,
} from "../src/core/stats.ts";
import { confusion, mcc, rocAuc } from "../src/core/metrics.ts";

// Student t, two-sided 95 % critical values t(0.975, df): any printed t table, e.g. NIST/SEMATECH
// e-Handbook of Statistical Methods, section 1.3.6.7.2 ("Critical values of the Student's t
// distribution"): 12.706, 4.303, 2.776, 2.262, 2.045, and 1.962 at df 1000.
Deno.test("studentTQuantile() matches the printed t table at 0.975", () => {
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [4, 2.776], [9, 2.262], [29, 2.045], [1000, 1.962]];
  for (const [df, t] of table) assertAlmostEquals(studentTQuantile(0.975, df), t, 6e-4, `df ${df}`);
});

Deno.test("studentTQuantile() inverts studentTCdf() and is symmetric", () => {
  fc.assert(
    fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 200 }), (p, df) => {
      const t = studentTQuantile(p, df);
      assertAlmostEquals(studentTCdf(t, df), p, 1e-9);
      assertAlmostEquals(studentTQuantile(1 - p, df), -t, 1e-6 * Math.max(1, Math.abs(t)));
    }),
  );
});

Deno.test("studentTQuantile() rejects a probability outside (0, 1) and non-positive degrees of freedom", () => {
  assertThrows(() => studentTQuantile(1, 3), RangeError, "Probability must lie in (0, 1), got 1");
  assertThrows(() => studentTQuantile(0.5, 0), RangeError, "Degrees of freedom must be positive, got 0");
});

// Newcombe, R. G. (1998), "Two-sided confidence intervals for the single proportion: comparison
// of seven methods", Statistics in Medicine 17, 857-872, Table I, method 3 (Wilson score):
// 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718,
// 29/29 -> 0.8830-1.
Deno.test("wilsonInterval() matches Newcombe (1998), Table I", () => {
  const table: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.8830, 1],
  ];
  for (const [s, n, low, high] of table) {
    const ci = wilsonInterval(s, n);
    assertAlmostEquals(ci.low, low, 1e-4, `${s}/${n} low`);
    assertAlmostEquals(ci.high, high, 1e-4, `${s}/${n} high`);
  }
  // the project's own case: 20 of 20 class-0 series right
  assertAlmostEquals(wilsonInterval(20, 20).low, 0.8389, 1e-4);
});

Deno.test("wilsonInterval() lies in [0, 1] and holds the observed proportion", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, q) => {
    const s = Math.round(q * n);
    const { low, high } = wilsonInterval(s, n);
    assert(0 <= low && low <= s / n && s / n <= high && high <= 1, `${s}/${n}: [${low}, ${high}]`);
  }));
});

Deno.test("wilsonInterval() rejects counts that are not a proportion", () => {
  assertThrows(() => wilsonInterval(3, 0), RangeError, "Trials must be a positive integer, got 0");
  assertThrows(() => wilsonInterval(4, 3), RangeError, "Successes must be an integer in [0, 3], got 4");
  assertThrows(() => wilsonInterval(1.5, 3), RangeError, "Successes must be an integer in [0, 3], got 1.5");
});

Deno.test("summarize() gives mean, sample sd, range and the t-interval of the mean", () => {
  // mean 99.575, sd 0.1322876 (n − 1), half-width t(0.975, 3) · sd / 2 = 3.182446 · 0.0661438 = 0.2104990
  const s = summarize([99.45, 99.6, 99.75, 99.5]);
  assertEquals(s.n, 4);
  assertAlmostEquals(s.mean, 99.575, 1e-12);
  assertAlmostEquals(s.sd, 0.1322876, 1e-7);
  assertEquals([s.min, s.max], [99.45, 99.75]);
  assertAlmostEquals(s.ci.low, 99.575 - 0.2104990, 1e-6);
  assertAlmostEquals(s.ci.high, 99.575 + 0.2104990, 1e-6);
  const one = summarize([3]);
  assertEquals([one.mean, one.sd], [3, 0]);
  assert(Number.isNaN(one.ci.low) && Number.isNaN(one.ci.high), "one run has no interval");
});

Deno.test("summarize() rejects no values and values that are not finite", () => {
  assertThrows(() => summarize([]), RangeError, "Cannot summarize no values");
  assertThrows(() => summarize([1, NaN]), RangeError, "Cannot summarize a value that is not finite, got NaN");
});

Deno.test("pairedDifference() summarises a − b per seed, and is 0 for identical variants", () => {
  const d = pairedDifference([0.9, 0.8, 0.7], [0.85, 0.8, 0.6]);
  assertAlmostEquals(d.mean, (0.05 + 0 + 0.1) / 3, 1e-12);
  const same = pairedDifference([1, 2, 3], [1, 2, 3]);
  assertEquals([same.mean, same.sd, same.ci.low, same.ci.high], [0, 0, 0, 0]);
  assertThrows(() => pairedDifference([1], [1, 2]), RangeError, "Paired values need one non-zero length, got 1 and 2");
});

Deno.test("percentile() interpolates between order statistics as numpy does", () => {
  assertEquals(percentile([1, 2, 3, 4], 0.5), 2.5);
  assertEquals(percentile([1, 2, 3, 4], 0), 1);
  assertEquals(percentile([1, 2, 3, 4], 1), 4);
  assertAlmostEquals(percentile([10, 20, 30], 0.025), 10.5, 1e-12);
});

Deno.test("bootstrapInterval() is seeded: the same seed gives the same interval, around the statistic", () => {
  const y = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 0 : 1));
  const p = y.map((v, i) => (v ? 0.6 + 0.4 * ((i * 37) % 11) / 11 : 0.3 + 0.5 * ((i * 13) % 5) / 5));
  const stat = (a: number[], b: number[]) => mcc(confusion(a, b));
  const a = bootstrapInterval(y, p, stat, { seed: 3, resamples: 300 });
  assertEquals(bootstrapInterval(y, p, stat, { seed: 3, resamples: 300 }), a);
  const full = stat(y, p);
  assert(a.low <= full && full <= a.high, `${full} outside [${a.low}, ${a.high}]`);
  assert(a.high - a.low > 0, "the resamples must vary, or the test proves nothing");
  const auc = bootstrapInterval(y, p, rocAuc, { seed: 3, resamples: 300 });
  assert(auc.low <= rocAuc(y, p) && rocAuc(y, p) <= auc.high);
  assertThrows(() => bootstrapInterval([], [], stat, { seed: 1 }), RangeError);
});

Deno.test("leastSquares() matches the worked example of Wikipedia's 'Linear least squares' (y = 3.5 + 1.4x)", () => {
  // x = 1, 2, 3, 4 and y = 6, 5, 7, 10: β = (3.5, 1.4), residuals 1.1, −1.3, −0.7, 0.9, RSS 4.2
  const fit = leastSquares([[1, 1], [1, 2], [1, 3], [1, 4]], [6, 5, 7, 10]);
  assertAlmostEquals(fit.coefficients[0], 3.5, 1e-12);
  assertAlmostEquals(fit.coefficients[1], 1.4, 1e-12);
  assertEquals(fit.rank, 2);
  assertAlmostEquals(fit.residualSd, Math.sqrt(4.2 / 2), 1e-12);
});

Deno.test("leastSquares() recovers exact coefficients, and gives a column the others span coefficient 0", () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 3, maxLength: 3 }),
    fc.array(fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 2, maxLength: 2 }), {
      minLength: 8,
      maxLength: 20,
    }),
    (beta, xs) => {
      const rows = xs.map(([a, b]) => [1, a, b]);
      const y = rows.map((r) => r.reduce((s, v, i) => s + v * beta[i], 0));
      const fit = leastSquares(rows, y);
      if (fit.rank < 3) return; // a degenerate draw (the columns are dependent)
      fit.coefficients.forEach((c, i) => assertAlmostEquals(c, beta[i], 1e-8));
      assertAlmostEquals(fit.residualSd, 0, 1e-8);
    },
  ));
  const dup = leastSquares([[1, 1, 2], [1, 2, 4], [1, 3, 6], [1, 4, 8]], [6, 5, 7, 10]);
  assertEquals(dup.rank, 2);
  assertEquals(dup.coefficients[2], 0);
  assertAlmostEquals(dup.residualSd, Math.sqrt(4.2 / 2), 1e-9);
});

Deno.test("leastSquares() rejects ragged rows and too few rows, naming the counts", () => {
  assertThrows(() => leastSquares([[1, 2], [1]], [1, 2]), RangeError, "got 2 rows and 2 values");
  assertThrows(
    () => leastSquares([[1, 2], [1, 3]], [1, 2]),
    RangeError,
    "more rows than columns, got 2 rows and 2 columns",
  );
});

Deno.test("median() leaves at most half of the values on either side, whatever their order, and changes nothing", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }), (xs) => {
      const copy = [...xs];
      const m = median(xs);
      const below = xs.filter((x) => x < m).length;
      const above = xs.filter((x) => x > m).length;
      return below <= xs.length / 2 && above <= xs.length / 2 && copy.every((x, i) => x === xs[i]);
    }),
  );
  assertEquals(Number.isNaN(median([])), true);
});
