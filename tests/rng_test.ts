import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { createRng, deriveSeed, epochPermutation, makeDataset, permuteWithinSeries, shuffleInPlace } from "../mod.ts";

const seed = fc.integer({ min: 0, max: 0xffff_ffff });

Deno.test("createRng() gives the same stream for the same seed", () => {
  fc.assert(fc.property(seed, (s) => {
    const a = createRng(s);
    const b = createRng(s);
    for (let i = 0; i < 16; i++) assertEquals(a.nextUint32(), b.nextUint32());
  }));
});

Deno.test("createRng() nextInt(n) stays in [0, n) and nextFloat in [0, 1)", () => {
  fc.assert(fc.property(seed, fc.integer({ min: 1, max: 1000 }), (s, n) => {
    const r = createRng(s);
    for (let i = 0; i < 50; i++) {
      const k = r.nextInt(n);
      assert(Number.isInteger(k) && k >= 0 && k < n, `nextInt(${n}) gave ${k}`);
      const f = r.nextFloat();
      assert(f >= 0 && f < 1, `nextFloat() gave ${f}`);
    }
  }));
});

Deno.test("createRng() nextInt(10) is uniform: a chi-square test over 100,000 draws passes at 0.1 %", () => {
  const r = createRng(2024);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) counts[r.nextInt(10)]++;
  const chi2 = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
  assert(chi2 < 27.88, `chi2 ${chi2}`); // 9 degrees of freedom, p = 0.001
});

Deno.test("createRng() rejects a seed that is not an integer in [0, 2^32)", () => {
  assertThrows(
    () => createRng(1.5),
    RangeError,
    "Seed must be an integer in [0, 4294967295], got 1.5",
  );
  assertThrows(() => createRng(2 ** 32), RangeError, "got 4294967296");
  assertThrows(
    () => createRng(0).nextInt(0),
    RangeError,
    "Range size must be an integer in [1, 2^32], got 0",
  );
});

Deno.test("deriveSeed() separates streams by tag", () => {
  assertNotEquals(deriveSeed(1, "data"), deriveSeed(1, "shuffle", 0));
  assertNotEquals(deriveSeed(1, "shuffle", 0), deriveSeed(1, "shuffle", 1));
  assertEquals(deriveSeed(1, "data"), deriveSeed(1, "data"));
});

Deno.test("makeDataset(), epochPermutation() and permuteWithinSeries() never call Math.random()", () => {
  const original = Math.random;
  Math.random = () => {
    throw new Error("Math.random() was called");
  };
  try {
    makeDataset({ seed: 3, trainSize: 50, validationSize: 10 });
    epochPermutation({ seed: 3, epoch: 2, size: 100 });
    permuteWithinSeries({ seed: 3, epoch: 2, x: new Uint8Array(60).map((_, i) => i % 10), seriesLength: 30 });
  } finally {
    Math.random = original;
  }
});

Deno.test("shuffleInPlace() gives a permutation of its items, the same one for the same seed", () => {
  fc.assert(fc.property(seed, fc.array(fc.integer(), { maxLength: 200 }), (s, items) => {
    const a = shuffleInPlace(createRng(s), items.slice());
    assertEquals([...a].sort((x, y) => x - y), items.slice().sort((x, y) => x - y));
    assertEquals(shuffleInPlace(createRng(s), items.slice()), a);
    assertEquals(shuffleInPlace(createRng(s), Int32Array.from(items)), Int32Array.from(a));
  }));
});

Deno.test("shuffleInPlace() is Fisher-Yates: it draws nextInt(i + 1) for i from the last index down to 1", () => {
  fc.assert(fc.property(seed, fc.integer({ min: 0, max: 300 }), (s, size) => {
    const items = Array.from({ length: size }, (_, i) => i);
    const rng = createRng(s);
    const shuffled = shuffleInPlace(rng, items.slice());
    // the draws it must have made, replayed on a twin stream
    const twin = createRng(s);
    const expected = items.slice();
    for (let i = size - 1; i > 0; i--) {
      const j = twin.nextInt(i + 1);
      [expected[i], expected[j]] = [expected[j], expected[i]];
    }
    assertEquals(shuffled, expected);
    assertEquals(rng.nextUint32(), twin.nextUint32(), "it consumed another number of draws");
  }));
});

Deno.test("shuffleInPlace() reorders the array it is given and returns it", () => {
  const items = [1, 2, 3, 4, 5, 6, 7, 8];
  assert(shuffleInPlace(createRng(9), items) === items);
  assertNotEquals(items, [1, 2, 3, 4, 5, 6, 7, 8]);
});
