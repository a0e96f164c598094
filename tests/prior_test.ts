import { assertAlmostEquals, assertEquals } from "@std/assert";
import { exactClassPrior, makeDataset, sumDistribution } from "../mod.ts";

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
    assertEquals(
      Math.abs(share - p) < 4 * Math.sqrt((p * (1 - p)) / 10_000),
      true,
      `seed ${seed}: ${share}`,
    );
  }
});
