import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  epochPermutation,
  INPUT_SCALING,
  labelOf,
  makeDataset,
  permuteWithinSeries,
  scaleDigits,
  seriesSum,
  SPEC,
} from "../mod.ts";

const seed = fc.integer({ min: 0, max: 0xffff_ffff });
const small = { trainSize: 80, validationSize: 20 };

Deno.test("labelOf() (a) gives 1 exactly when the sum is >= 100", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 270 }), (sum) => assertEquals(labelOf(sum), sum >= 100 ? 1 : 0)),
  );
  assertEquals([labelOf(99), labelOf(100)], [0, 1]);
  assertEquals([labelOf(4, 5), labelOf(5, 5)], [0, 1]);
});

Deno.test("seriesSum() adds the digits of a series, typed array or not", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 40 }), (digits) => {
      const sum = digits.reduce((a, b) => a + b, 0);
      assertEquals(seriesSum(digits), sum);
      assertEquals(seriesSum(Uint8Array.from(digits)), sum);
    }),
  );
  assertEquals(labelOf(seriesSum([...new Array(11).fill(9), 1])), 1); // 100
  assertEquals(labelOf(seriesSum([...new Array(11).fill(9), 0])), 0); // 99
});

Deno.test("makeDataset() (a) labels every series 1 exactly when its sum is >= 100", () => {
  fc.assert(
    fc.property(seed, (s) => {
      const data = makeDataset({ seed: s, ...small });
      for (const split of [data.train, data.validation]) {
        let positives = 0;
        for (let n = 0; n < split.size; n++) {
          const label = labelOf(seriesSum(split.x.subarray(n * 30, n * 30 + 30)));
          assertEquals(split.y[n], label);
          positives += label;
        }
        assertEquals([split.positives, split.negatives], [
          positives,
          split.size - positives,
        ]);
      }
    }),
    { numRuns: 30 },
  );
});

Deno.test("makeDataset() (a) draws digits in 0..9 and every one of the ten occurs (no randint(0, 9) bug)", () => {
  fc.assert(
    fc.property(seed, (s) => {
      const { train, validation } = makeDataset({ seed: s, ...small });
      const seen = new Array(10).fill(0);
      for (const d of [...train.x, ...validation.x]) {
        assert(d >= 0 && d <= 9, `digit ${d} outside 0..9`);
        seen[d]++;
      }
      assert(seen.every((c) => c > 0), `a digit never occurs: counts ${seen}`);
    }),
    { numRuns: 30 },
  );
  const full = makeDataset({ seed: 42 });
  const nines = full.train.x.filter((d) => d === 9).length;
  assert(nines > 0.09 * full.train.x.length, `only ${nines} nines`);
});

Deno.test("makeDataset() (a) splits 10,000 series into 8,000 training and 2,000 validation, disjoint and covering", () => {
  const data = makeDataset({ seed: 42 });
  assertEquals([data.train.size, data.validation.size], [
    SPEC.trainSize,
    SPEC.validationSize,
  ]);
  assertEquals([data.train.x.length, data.validation.x.length], [
    8_000 * 30,
    2_000 * 30,
  ]);
  // both splits are consecutive, non-overlapping slices of one draw of 10,000 series
  const whole = makeDataset({ seed: 42, trainSize: 10_000, validationSize: 1 }).train;
  assertEquals(whole.x.subarray(0, 8_000 * 30), data.train.x);
  assertEquals(whole.x.subarray(8_000 * 30), data.validation.x);
  assertEquals(
    data.train.positives + data.validation.positives,
    whole.positives,
  );
});

Deno.test("makeDataset() is deterministic: the same seed gives the same bytes, another seed other data", () => {
  fc.assert(
    fc.property(seed, seed, (a, b) => {
      const x = makeDataset({ seed: a, ...small });
      assertEquals(makeDataset({ seed: a, ...small }), x);
      if (a !== b) {
        assertNotEquals(makeDataset({ seed: b, ...small }).train.x, x.train.x);
      }
    }),
    { numRuns: 30 },
  );
});

Deno.test("makeDataset() rejects unknown options and bad sizes with the value named", () => {
  assertThrows(
    () => makeDataset({ seed: 1, size: 3 } as never),
    TypeError,
    'Unknown dataset option "size"',
  );
  assertThrows(
    () => makeDataset({ seed: 1, trainSize: 0 }),
    RangeError,
    'Dataset option "trainSize" must be a positive integer, got 0',
  );
  assertThrows(
    () => makeDataset({ seed: -2 }),
    RangeError,
    "Seed must be an integer in [0, 4294967295], got -2",
  );
});

Deno.test("epochPermutation() (f) gives a permutation each epoch, and different orders across epochs", () => {
  fc.assert(
    fc.property(
      seed,
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 2, max: 500 }),
      (s, epoch, size) => {
        const order = epochPermutation({ seed: s, epoch, size });
        assertEquals(
          [...order].sort((a, b) => a - b),
          Array.from({ length: size }, (_, i) => i),
        );
        assertEquals(epochPermutation({ seed: s, epoch, size }), order);
      },
    ),
  );
  const a = epochPermutation({ seed: 42, epoch: 0, size: 8_000 });
  for (let e = 1; e < 60; e++) {
    assertNotEquals(epochPermutation({ seed: 42, epoch: e, size: 8_000 }), a);
  }
});

Deno.test("epochPermutation() rejects a bad epoch or size", () => {
  assertThrows(
    () => epochPermutation({ seed: 1, epoch: -1, size: 3 }),
    RangeError,
    "Epoch must be a non-negative integer, got -1",
  );
  assertThrows(
    () => epochPermutation({ seed: 1, epoch: 0, size: 1.5 }),
    RangeError,
    "Permutation size must be a non-negative integer, got 1.5",
  );
});

Deno.test("scaleDigits() (e) maps digits to (d - offset) / divisor, rows in the order asked, without touching its input", () => {
  const x = Uint8Array.of(0, 9, 3, 6);
  const copy = x.slice();
  assertEquals(scaleDigits(x, 2, INPUT_SCALING["digit/9"]), Float32Array.of(0, 1, 3 / 9, 6 / 9));
  assertEquals(scaleDigits(x, 2, INPUT_SCALING.centered), Float32Array.of(-1, 1, -1.5 / 4.5, 1.5 / 4.5));
  assertEquals(scaleDigits(x, 2, INPUT_SCALING.digit, [1, 0]), Float32Array.of(3, 6, 0, 9));
  assertEquals(x, copy);
});

Deno.test("scaleDigits() (e) one-hot: 10 inputs per digit, a single 1 at the digit's own value (property)", () => {
  const oneHot = INPUT_SCALING["one-hot"];
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 60 }).map((a) => a.map((d) => d % 10)), (x) => {
      const out = scaleDigits(x, x.length, oneHot);
      if (out.length !== 10 * x.length) return false;
      return Array.from(x).every((d, t) => {
        const row = out.subarray(10 * t, 10 * t + 10);
        return row[d] === 1 && row.reduce((a, b) => a + b, 0) === 1;
      });
    }),
  );
  assertEquals(
    scaleDigits(Uint8Array.of(0, 9, 3, 6), 2, oneHot, [1]),
    Float32Array.from([3, 6].flatMap((d) => Array.from({ length: 10 }, (_, k) => (k === d ? 1 : 0)))),
  );
});

Deno.test("scaleDigits() names a digit outside 0..9 and its index (RangeError)", () => {
  for (const name of ["centered", "one-hot"] as const) {
    assertThrows(
      () => scaleDigits(Uint8Array.of(3, 12, 4, 5), 2, INPUT_SCALING[name]),
      RangeError,
      "Digits must be 0..9, got 12 at index 1",
    );
  }
});

Deno.test("permuteWithinSeries() reorders each series' digits: the same digits, so the same sum and label", () => {
  fc.assert(
    fc.property(
      seed,
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 40 }),
      (s, epoch, seriesLength, flat) => {
        const x = Uint8Array.from(flat.slice(0, flat.length - (flat.length % seriesLength)));
        const out = permuteWithinSeries({ seed: s, epoch, x, seriesLength });
        assertEquals(out.length, x.length);
        for (let r = 0; r < x.length / seriesLength; r++) {
          const row = (a: Uint8Array) => [...a.subarray(r * seriesLength, (r + 1) * seriesLength)].sort();
          assertEquals(row(out), row(x));
        }
        assertEquals(permuteWithinSeries({ seed: s, epoch, x, seriesLength }), out);
      },
    ),
  );
  const { train } = makeDataset({ seed: 7, ...small });
  const before = Uint8Array.from(train.x);
  const epoch0 = permuteWithinSeries({ seed: 7, epoch: 0, x: train.x, seriesLength: SPEC.seriesLength });
  assertEquals(train.x, before, "the split is not changed");
  assertNotEquals(epoch0, train.x);
  assertNotEquals(permuteWithinSeries({ seed: 7, epoch: 1, x: train.x, seriesLength: SPEC.seriesLength }), epoch0);
  assertNotEquals(permuteWithinSeries({ seed: 8, epoch: 0, x: train.x, seriesLength: SPEC.seriesLength }), epoch0);
  // each series draws its own order: 20 copies of 0..9 come out in 20 different orders
  const copies = permuteWithinSeries({
    seed: 7,
    epoch: 0,
    x: new Uint8Array(200).map((_, i) => i % 10),
    seriesLength: 10,
  });
  const orders = new Set(Array.from({ length: 20 }, (_, r) => copies.subarray(10 * r, 10 * r + 10).join("")));
  assertEquals(orders.size, 20);
});

Deno.test("permuteWithinSeries() rejects a bad epoch or a split that is not whole series", () => {
  assertThrows(
    () => permuteWithinSeries({ seed: 1, epoch: -1, x: new Uint8Array(6), seriesLength: 3 }),
    RangeError,
    "Epoch must be a non-negative integer, got -1",
  );
  assertThrows(
    () => permuteWithinSeries({ seed: 1, epoch: 0.5, x: new Uint8Array(6), seriesLength: 3 }),
    RangeError,
    "Epoch must be a non-negative integer, got 0.5",
  );
  assertThrows(
    () => permuteWithinSeries({ seed: -1, epoch: 0, x: new Uint8Array(6), seriesLength: 3 }),
    RangeError,
    "Seed must be an integer in [0, 4294967295], got -1",
  );
  assertThrows(
    () => permuteWithinSeries({ seed: 1, epoch: 0, x: new Uint8Array(7), seriesLength: 3 }),
    RangeError,
    "Digits must fill whole series of 3, got 7 digits",
  );
  assertThrows(
    () => permuteWithinSeries({ seed: 1, epoch: 0, x: new Uint8Array(6), seriesLength: 0 }),
    RangeError,
    "Series length must be a positive integer, got 0",
  );
});
