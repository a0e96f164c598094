import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { drawSeriesWithSum, makeBoundarySet, scoreBoundary } from "../src/core/boundary.ts";
import { createRng } from "../src/core/rng.ts";
import { SPEC } from "../src/core/spec.ts";

const sumOf = (x: Uint8Array, n: number, T: number) => x.subarray(n * T, (n + 1) * T).reduce((a, b) => a + b, 0);

Deno.test("drawSeriesWithSum() draws digits 0..9 that sum to the asked sum, for every sum", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 270 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (sum, seed) => {
      const x = drawSeriesWithSum(createRng(seed), sum, 3);
      assertEquals(x.length, 3 * SPEC.seriesLength);
      for (let n = 0; n < 3; n++) assertEquals(sumOf(x, n, SPEC.seriesLength), sum);
      assert(x.every((d) => d <= 9));
    }),
    { numRuns: 60 },
  );
});

Deno.test("drawSeriesWithSum() is exact: every series with the sum is equally likely (3 digits of 0..2 summing to 3)", () => {
  // the 7 series: the 6 orders of (0, 1, 2) and (1, 1, 1), each with probability 1/7
  const n = 14_000;
  const x = drawSeriesWithSum(createRng(5), 3, n, { length: 3, digitValues: 3 });
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = x.subarray(3 * i, 3 * i + 3).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assertEquals([...counts.keys()].sort(), ["012", "021", "102", "111", "120", "201", "210"]);
  // each count ~ Binomial(14000, 1/7): mean 2000, sd 41; 5 sd either side
  for (const [key, c] of counts) assert(Math.abs(c - 2000) < 5 * 41, `${key}: ${c}`);
});

Deno.test("drawSeriesWithSum() gives the same series for the same seed", () => {
  assertEquals(drawSeriesWithSum(createRng(9), 100, 5), drawSeriesWithSum(createRng(9), 100, 5));
  assert(
    drawSeriesWithSum(createRng(9), 100, 5).some((d, i) => d !== drawSeriesWithSum(createRng(10), 100, 5)[i]),
    "another seed must give other series",
  );
});

Deno.test("drawSeriesWithSum() rejects a sum no series can have", () => {
  assertThrows(
    () => drawSeriesWithSum(createRng(1), 271, 1),
    RangeError,
    "Sum must be an integer in [0, 270], got 271",
  );
  assertThrows(() => drawSeriesWithSum(createRng(1), -1, 1), RangeError, "got -1");
  assertThrows(() => drawSeriesWithSum(createRng(1), 99.5, 1), RangeError, "got 99.5");
});

Deno.test("makeBoundarySet() holds 100 series per sum for the sums 90..110, labelled by the rule", () => {
  const set = makeBoundarySet({ seed: 1 });
  assertEquals(set.sums, Array.from({ length: 21 }, (_, k) => 90 + k));
  assertEquals(set.y.length, 21 * 100);
  for (let k = 0; k < set.sums.length; k++) {
    for (let i = k * 100; i < (k + 1) * 100; i++) {
      assertEquals(sumOf(set.x, i, 30), set.sums[k]);
      assertEquals(set.y[i], set.sums[k] >= 100 ? 1 : 0);
    }
  }
});

const ruleScores = (cut: number) => {
  const set = makeBoundarySet({ seed: 2, perSum: 10 });
  const p = Array.from(set.y, (_, i) => (sumOf(set.x, i, 30) >= cut ? 0.9 : 0.1));
  return scoreBoundary(set, p);
};

Deno.test("scoreBoundary() scores the rule itself as right everywhere, its threshold between 99 and 100", () => {
  const s = ruleScores(100);
  assert(s.accuracy.every((a) => a === 1));
  assertEquals([s.justBelow, s.atThreshold, s.band], [1, 1, 1]);
  assertAlmostEquals(s.effectiveThreshold, 99.5, 1e-12);
});

Deno.test("scoreBoundary() finds a boundary two sums too high: wrong at 100 and 101, threshold 101.5", () => {
  const s = ruleScores(102);
  assertEquals(s.atThreshold, 0);
  assertEquals(s.accuracy[s.sums.indexOf(101)], 0);
  assertEquals(s.accuracy[s.sums.indexOf(102)], 1);
  assertEquals(s.justBelow, 1);
  assertAlmostEquals(s.band, 9 / 11, 1e-12);
  assertAlmostEquals(s.effectiveThreshold, 101.5, 1e-12);
});

Deno.test("scoreBoundary() rejects probabilities of the wrong length", () => {
  const set = makeBoundarySet({ seed: 3, perSum: 2 });
  assertThrows(() => scoreBoundary(set, [0.5]), RangeError, "Boundary scores need 42 probabilities, got 1");
});

Deno.test("scoreBoundary() decides at the cut-off it is given; the effective threshold does not move with it", () => {
  const set = makeBoundarySet({ seed: 2, perSum: 10 });
  const p = Array.from(set.y, (_, i) => (sumOf(set.x, i, 30) >= 102 ? 0.9 : 0.3));
  const atHalf = scoreBoundary(set, p);
  const atQuarter = scoreBoundary(set, p, 100, 0.25);
  assertEquals(atHalf.atThreshold, 0);
  assertEquals([atQuarter.atThreshold, atQuarter.justBelow], [1, 0], "below 0.3 every series is called class 1");
  assertEquals(atQuarter.effectiveThreshold, atHalf.effectiveThreshold);
});
