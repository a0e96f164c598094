import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { labelOf, makeBalancedDataset, makeDataset, oversampleClass0, seriesSum } from "../mod.ts";

Deno.test("makeBalancedDataset() draws 5,000 series per class, labelled by their sums, split 8,000/2,000", () => {
  const data = makeBalancedDataset({ seed: 42 });
  assertEquals([data.train.size, data.validation.size], [8_000, 2_000]);
  assertEquals(data.train.negatives + data.validation.negatives, 5_000);
  for (const split of [data.train, data.validation]) {
    for (let n = 0; n < split.size; n += 97) {
      assertEquals(split.y[n], labelOf(seriesSum(split.x.subarray(n * 30, n * 30 + 30))));
    }
  }
  assertEquals(makeBalancedDataset({ seed: 42 }), data);
});

Deno.test("makeBalancedDataset() rejects a training size that leaves no validation", () => {
  assertThrows(
    () => makeBalancedDataset({ seed: 1, perClass: 10, trainSize: 20 }),
    RangeError,
    "Balanced data needs 0 < trainSize < 2·perClass, got 20 and 10",
  );
});

Deno.test("oversampleClass0() balances the classes with copies of class-0 series, to a multiple of 50", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
      const { train } = makeDataset({ seed, trainSize: 1_000, validationSize: 1 });
      if (train.negatives === 0) return;
      const before = train.x.slice();
      const over = oversampleClass0(train, seed);
      assertEquals(over.size % 50, 0);
      assertEquals(over.positives, train.positives);
      assert(
        over.negatives >= train.positives && over.negatives < train.positives + 50,
        `${over.negatives} class-0 series against ${train.positives} of class 1`,
      );
      assertEquals(over.x.subarray(0, train.x.length), train.x); // the original rows come first
      assertEquals(train.x, before); // the input is untouched
      for (let n = train.size; n < over.size; n++) assertEquals(over.y[n], 0);
    }),
    { numRuns: 20 },
  );
});

Deno.test("oversampleClass0() rejects a split without class 0", () => {
  const split = { x: new Uint8Array(60).fill(9), y: Uint8Array.of(1, 1), size: 2, positives: 2, negatives: 0 };
  assertThrows(() => oversampleClass0(split, 1), RangeError, "Cannot oversample class 0: the split has none");
});
