import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { exactClassPrior, makeDataset, sumDistribution, sumMoments } from "../mod.ts";

Deno.test("exactClassPrior() gives P(sum < 100) = 11749570957227161671138139560 / 10^30", () => {
  const prior = exactClassPrior();
  assertEquals(prior.negatives, 11749570957227161671138139560n);
  assertEquals(prior.total, 10n ** 30n);
  assertAlmostEquals(prior.negativeRate, 0.011749570957227162, 1e-15);
  assertAlmostEquals(
    prior.positiveRate,
    1 - 11749570957227161671138139560 / 1e30,
    1e-15,
  );
});

Deno.test("sumDistribution() counts all 10^30 series, symmetric about 135", () => {
  const counts = sumDistribution();
  assertEquals(counts.length, 271);
  assertEquals(counts.reduce((a, b) => a + b, 0n), 10n ** 30n);
  for (let s = 0; s <= 270; s++) assertEquals(counts[s], counts[270 - s]);
});

Deno.test("makeDataset() class-0 share agrees with the exact prior within 4 standard errors", () => {
  const p = exactClassPrior().negativeRate;
  for (const seed of [1, 2, 42]) {
    const { train, validation } = makeDataset({ seed });
    const share = (train.negatives + validation.negatives) / 10_000;
    assert(Math.abs(share - p) < 4 * Math.sqrt((p * (1 - p)) / 10_000), `seed ${seed}: ${share}`);
  }
});

Deno.test("sumMoments() gives the range, mean and variance of the exact distribution: 0..270, 135, 247.5", () => {
  const m = sumMoments();
  assertEquals([m.min, m.max, m.mean, m.variance], [0, 270, 135, 247.5]);
  assertAlmostEquals(m.sd, 15.732132722552274, 1e-12);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (seriesLength, digitValues) => {
      const counts = sumDistribution(seriesLength, digitValues).map(Number);
      const total = counts.reduce((a, b) => a + b, 0);
      const mean = counts.reduce((a, c, s) => a + c * s, 0) / total;
      const variance = counts.reduce((a, c, s) => a + c * (s - mean) ** 2, 0) / total;
      const m = sumMoments({ seriesLength, digitValues });
      assertEquals([m.min, m.max], [0, counts.length - 1]);
      assertAlmostEquals(m.mean, mean, 1e-9 * (1 + mean));
      assertAlmostEquals(m.variance, variance, 1e-9 * (1 + variance));
    }),
    { numRuns: 40 },
  );
  assertThrows(() => sumMoments({ digitValues: 0 }), RangeError, "digitValues must be a positive integer, got 0");
});
