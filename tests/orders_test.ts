import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  fixedOrders,
  ORDER_MEAN_COUNT,
  orderMeanFit,
  orderMeanProbabilities,
  reorderSeries,
} from "../src/core/orders.ts";
import { seriesSum } from "../src/core/dataset.ts";
import { logit, logitFit } from "../src/core/diagnosis.ts";
import { makeBoundarySet } from "../src/core/boundary.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const digits = (n: number, T: number) => fc.uint8Array({ min: 0, max: 9, minLength: n * T, maxLength: n * T });

Deno.test("fixedOrders: the first order is the digits as drawn, each order a permutation, a seed gives the same orders", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 40 }), fc.nat(1e6), (k, T, seed) => {
    const orders = fixedOrders(k, T, seed);
    assertEquals(orders.length, k);
    assertEquals(orders[0], Array.from({ length: T }, (_, i) => i));
    for (const q of orders) assertEquals([...q].sort((a, b) => a - b), Array.from({ length: T }, (_, i) => i));
    assertEquals(fixedOrders(k, T, seed), orders);
  }));
  // the spec's 16 orders of 30 digits are 16 different orders
  const spec = fixedOrders(ORDER_MEAN_COUNT, 30, 1);
  assertEquals(new Set(spec.map((q) => q.join())).size, ORDER_MEAN_COUNT);
});

Deno.test("fixedOrders: a count or a length that is not a positive integer is refused, named", () => {
  for (const k of [0, -1, 1.5, NaN]) {
    assertThrows(() => fixedOrders(k, 30, 1), RangeError, `Order count must be a positive integer, got ${k}`);
  }
  for (const T of [0, 2.5]) {
    assertThrows(() => fixedOrders(4, T, 1), RangeError, `Series length must be a positive integer, got ${T}`);
  }
});

Deno.test("reorderSeries: block k holds every series in order k, each keeping its digits and so its sum", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 1, max: 8 }),
    fc.integer({ min: 1, max: 5 }),
    fc.nat(1e6),
    (n, T, k, seed) => {
      const x = fc.sample(digits(n, T), { seed, numRuns: 1 })[0];
      const orders = fixedOrders(k, T, seed);
      const out = reorderSeries(x, T, orders);
      assertEquals(out.length, k * n * T);
      for (let b = 0; b < k; b++) {
        for (let s = 0; s < n; s++) {
          const row = out.subarray((b * n + s) * T, (b * n + s + 1) * T);
          assertEquals(Array.from(row), orders[b].map((t) => x[s * T + t]));
          assertEquals(seriesSum(row), seriesSum(x.subarray(s * T, (s + 1) * T)));
        }
      }
      assertEquals(out.subarray(0, n * T), x); // the first block is the series as drawn
    },
  ));
});

Deno.test("reorderSeries: digits that do not fill whole series, or an order of another length, are refused, named", () => {
  assertThrows(
    () => reorderSeries(new Uint8Array(7), 3, fixedOrders(2, 3, 1)),
    RangeError,
    "Digits must fill whole series of 3, got 7",
  );
  assertThrows(
    () => reorderSeries(new Uint8Array(6), 3, [[0, 1, 2], [0, 1]]),
    RangeError,
    "Order 1 must be a permutation of 0..2, got 0,1",
  );
  assertThrows(
    () => reorderSeries(new Uint8Array(6), 3, [[0, 0, 2]]),
    RangeError,
    "Order 0 must be a permutation of 0..2, got 0,0,2",
  );
});

Deno.test("orderMeanProbabilities: p is the sigmoid of the mean logit over the orders, series by series", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 5 }),
    fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 30 }),
    (k, z) => {
      const n = z.length;
      // order b shifts every logit by a different amount; the shifts sum to zero over the orders
      const shift = (b: number) => b - (k - 1) / 2;
      const p = new Float32Array(k * n);
      for (let b = 0; b < k; b++) for (let s = 0; s < n; s++) p[b * n + s] = sigmoid(z[s] + shift(b));
      const mean = orderMeanProbabilities(p, k);
      assertEquals(mean.length, n);
      for (let s = 0; s < n; s++) {
        let want = 0;
        for (let b = 0; b < k; b++) want += logit(p[b * n + s]) / k;
        assertAlmostEquals(mean[s], sigmoid(want), 1e-12);
        assertAlmostEquals(mean[s], sigmoid(z[s]), 1e-5); // float32 p: the shifts cancel to within its precision
      }
    },
  ));
});

Deno.test("orderMeanProbabilities: a model that ignores the order gives the same p as one pass", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 10 }), fc.nat(1e6), (n, k, seed) => {
    const T = 30;
    const x = fc.sample(digits(n, T), { seed, numRuns: 1 })[0];
    // a gentle slope keeps p inside the logit's clamp at every sum 0..270
    const bySum = (xs: Uint8Array) =>
      Float64Array.from(
        { length: xs.length / T },
        (_, s) => sigmoid(0.05 * (seriesSum(xs.subarray(s * T, (s + 1) * T)) - 99.5)),
      );
    const mean = orderMeanProbabilities(bySum(reorderSeries(x, T, fixedOrders(k, T, seed))), k);
    const once = bySum(x);
    for (let s = 0; s < n; s++) assertAlmostEquals(mean[s], once[s], 1e-9);
  }));
});

Deno.test("orderMeanProbabilities: probabilities that are not whole blocks, or a bad count, are refused, named", () => {
  assertThrows(
    () => orderMeanProbabilities(new Float32Array(7), 2),
    RangeError,
    "Order means need 2 blocks of equal size, got 7 probabilities",
  );
  assertThrows(
    () => orderMeanProbabilities(new Float32Array(0), 2),
    RangeError,
    "Order means need 2 blocks of equal size, got 0 probabilities",
  );
  assertThrows(
    () => orderMeanProbabilities(new Float32Array(4), 0),
    RangeError,
    "Order count must be a positive integer, got 0",
  );
  assert(ORDER_MEAN_COUNT > 1);
});

Deno.test("orderMeanFit() fits the order mean: an order effect leaves its scatter, a digit's unequal weight stays", async () => {
  const set = makeBoundarySet({ seed: 3, perSum: 20 });
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const rows = (x: Uint8Array) => Array.from({ length: x.length / 30 }, (_, s) => x.subarray(30 * s, 30 * s + 30));
  // a model that counts the first digit twice: its scatter at one sum is an order effect, and the mean over
  // orders takes most of it away
  const first = (x: Uint8Array) => Promise.resolve(rows(x).map((r) => sig(0.5 * (seriesSum(r) + r[0] - 104))));
  const single = logitFit(set.x, 30, await first(set.x));
  const mean = await orderMeanFit(set.x, 30, first, 11);
  assert(mean.scatterSums < 0.5 * single.scatterSums, `${mean.scatterSums} against ${single.scatterSums}`);
  // a model whose 9s count 0.4 more than their value, wherever they sit: no order changes it
  const nines = (x: Uint8Array) =>
    Promise.resolve(rows(x).map((r) => sig(0.5 * (seriesSum(r) - 99.5) + 0.4 * r.filter((d) => d === 9).length)));
  const heavy = await orderMeanFit(set.x, 30, nines, 11);
  assertAlmostEquals(heavy.scatterSums, logitFit(set.x, 30, await nines(set.x)).scatterSums, 1e-9);
  assertAlmostEquals(heavy.countsResidualSd, 0, 1e-6);
  // the first order is the digits as drawn: one order is the model itself
  assertAlmostEquals((await orderMeanFit(set.x, 30, first, 11, 1)).scatterSums, single.scatterSums, 1e-9);
});
