import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { createRng, deriveSeed, epochPermutation, makeDataset } from "../mod.ts";

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
      assertEquals(Number.isInteger(k) && k >= 0 && k < n, true);
      const f = r.nextFloat();
      assertEquals(f >= 0 && f < 1, true);
    }
  }));
});

Deno.test("createRng() nextInt(10) is uniform: a chi-square test over 100,000 draws passes at 0.1 %", () => {
  const r = createRng(2024);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) counts[r.nextInt(10)]++;
  const chi2 = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
  assertEquals(chi2 < 27.88, true, `chi2 ${chi2}`); // 9 degrees of freedom, p = 0.001
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

Deno.test("makeDataset() and epochPermutation() never call Math.random()", () => {
  const original = Math.random;
  Math.random = () => {
    throw new Error("Math.random() was called");
  };
  try {
    makeDataset({ seed: 3, trainSize: 50, validationSize: 10 });
    epochPermutation({ seed: 3, epoch: 2, size: 100 });
  } finally {
    Math.random = original;
  }
});
