/** Item (b)'s initialisation (src/mnist/init.ts): a seeded normal, mean 0, sd 0.01, redrawn beyond 2 sd. */
import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { standardNormalCdf, truncatedNormal, truncatedSdRatio } from "../src/mnist/init.ts";

const N = 1_000_000;
const draws = truncatedNormal({ size: N, seed: 2024 });

Deno.test("truncatedNormal() (b) keeps every value within 2 sd (0.02) of the mean, and reaches the cut", () => {
  let max = 0;
  for (const v of draws) max = Math.max(max, Math.abs(v));
  assert(max <= Math.fround(0.02), `a value of magnitude ${max} lies beyond 2 sd`);
  assert(max > 0.0199, `the largest magnitude ${max} stops short of the cut: values are scaled, not redrawn`);
});

Deno.test("truncatedNormal() (b) has the mean 0 and the sd 0.8796 x 0.01 of a normal truncated at ±2 sd", () => {
  let sum = 0;
  let sq = 0;
  for (const v of draws) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / N;
  const sd = Math.sqrt(sq / N - mean * mean);
  const expectedSd = 0.01 * truncatedSdRatio(2);
  assertAlmostEquals(truncatedSdRatio(2), 0.8796, 1e-4);
  assert(Math.abs(mean) < 4 * expectedSd / Math.sqrt(N), `mean ${mean}`); // 4 standard errors
  assert(Math.abs(sd / expectedSd - 1) < 0.005, `sd ${sd}, expected ${expectedSd}`);
});

Deno.test("truncatedNormal() follows the truncated normal's distribution: Kolmogorov–Smirnov D below its 0.1 % bound", () => {
  const sorted = Float64Array.from(draws).sort();
  const lo = standardNormalCdf(-2);
  const mass = standardNormalCdf(2) - lo;
  let d = 0;
  for (let i = 0; i < N; i += 7) {
    const f = (standardNormalCdf(sorted[i] / 0.01) - lo) / mass;
    d = Math.max(d, Math.abs(f - i / N), Math.abs(f - (i + 1) / N));
  }
  assert(d < 1.95 / Math.sqrt(N), `D = ${d}`);
  // the plain (untruncated) normal is rejected by the same test: the test can fail
  let dPlain = 0;
  for (let i = 0; i < N; i += 7) dPlain = Math.max(dPlain, Math.abs(standardNormalCdf(sorted[i] / 0.01) - i / N));
  assert(dPlain > 10 / Math.sqrt(N), `D against the plain normal = ${dPlain}`);
});

Deno.test("truncatedNormal() is deterministic: the same seed gives the same bytes, another seed others", () => {
  const a = truncatedNormal({ size: 1000, seed: 5 });
  assertEquals(truncatedNormal({ size: 1000, seed: 5 }), a);
  assertNotEquals(truncatedNormal({ size: 1000, seed: 6 }), a);
  assertEquals(truncatedNormal({ size: 10, seed: 5 }), a.subarray(0, 10), "a prefix does not depend on the size");
});

Deno.test("truncatedNormal() takes mean, sd and cut, and rejects unknown options and bad values", () => {
  const w = truncatedNormal({ size: 10_000, seed: 1, mean: 3, sd: 2, truncateAtSd: 1 });
  assert(w.every((v) => v >= 1 - 1e-6 && v <= 5 + 1e-6));
  assertThrows(
    () => truncatedNormal({ size: 1, seed: 1, std: 1 } as never),
    TypeError,
    'Unknown truncated-normal option "std"',
  );
  assertThrows(
    () => truncatedNormal({ size: 1.5, seed: 1 }),
    RangeError,
    "Truncated-normal size must be a non-negative integer, got 1.5",
  );
  assertThrows(
    () => truncatedNormal({ size: 1, seed: 1, sd: -1 }),
    RangeError,
    "Truncated-normal sd must be >= 0, got -1",
  );
  assertThrows(
    () => truncatedNormal({ size: 1, seed: 1, truncateAtSd: 0 }),
    RangeError,
    "Truncated-normal cut must be > 0 sd, got 0",
  );
});

Deno.test("standardNormalCdf() matches tabulated values of Φ to 1e-12", () => {
  assertAlmostEquals(standardNormalCdf(0), 0.5, 1e-15);
  assertAlmostEquals(standardNormalCdf(1), 0.8413447460685429, 1e-12);
  assertAlmostEquals(standardNormalCdf(2), 0.9772498680518208, 1e-12);
  assertAlmostEquals(standardNormalCdf(-2), 0.022750131948179195, 1e-12);
});
