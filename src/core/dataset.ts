/**
 * The exercise's data (item a): seeded series of digits, their labels and the split.
 * @module
 */
import { createRng, deriveSeed, shuffleInPlace } from "./rng.ts";
import { digitInputs, type InputEncoding, inputWidth, SPEC, type TrainConfig } from "./spec.ts";

/** One split of the data. */
export interface Split {
  /** Digits, row-major: shape `[size, seriesLength]`, dtype uint8, values 0..9. */
  x: Uint8Array;
  /** Labels: shape `[size]`, 1 when the series sums to >= threshold, else 0. */
  y: Uint8Array;
  /** Number of series. */
  size: number;
  /** Series labelled 1. */
  positives: number;
  /** Series labelled 0. */
  negatives: number;
}

/** The whole data set, split in two. */
export interface Dataset {
  /** The first `trainSize` series drawn. */
  train: Split;
  /** The next `validationSize` series drawn. */
  validation: Split;
  /** Digits per series. */
  seriesLength: number;
  /** The seed the data came from. */
  seed: number;
}

/** Options of {@link makeDataset}; every size defaults to the spec. */
export interface DatasetOptions {
  /** Seed of the draw, an integer in [0, 2^32). */
  seed: number;
  /** Training series (spec: 8,000). */
  trainSize?: number;
  /** Validation series (spec: 2,000). */
  validationSize?: number;
  /** Digits per series (spec: 30). */
  seriesLength?: number;
  /** Label threshold on the sum (spec: 100). */
  threshold?: number;
}

const DATASET_OPTION_KEYS = new Set([
  "seed",
  "trainSize",
  "validationSize",
  "seriesLength",
  "threshold",
]);

/**
 * The sum of a series' digits.
 *
 * @param digits The series.
 * @returns Their sum.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(seriesSum([9, 9, 1]), 19);
 * ```
 */
export function seriesSum(digits: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits[i];
  return sum;
}

/**
 * The label rule (item a): class 1 when a series' sum is at least `threshold`, else class 0.
 *
 * @param sum The sum of the series' digits ({@link seriesSum}).
 * @param threshold The bar on the sum (spec: 100).
 * @returns 0 or 1.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals([labelOf(99), labelOf(100)], [0, 1]);
 * ```
 */
export function labelOf(sum: number, threshold: number = SPEC.threshold): 0 | 1 {
  return sum >= threshold ? 1 : 0;
}

/**
 * Draws the data set: series of digits iid uniform on 0..9, labelled by their sum, and split
 * into the first `trainSize` and the next `validationSize` series (item a).
 *
 * @param options The seed and, for small experiments, other sizes.
 * @returns Typed arrays for both splits, with class counts.
 * @throws {TypeError} An unknown option.
 * @throws {RangeError} A bad seed or size.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const data = makeDataset({ seed: 1 });
 * assertEquals([data.train.size, data.validation.size], [8000, 2000]);
 * ```
 */
export function makeDataset(options: DatasetOptions): Dataset {
  for (const key of Object.keys(options)) {
    if (!DATASET_OPTION_KEYS.has(key)) {
      throw new TypeError(`Unknown dataset option "${key}"`);
    }
  }
  const {
    seed,
    trainSize = SPEC.trainSize,
    validationSize = SPEC.validationSize,
    seriesLength = SPEC.seriesLength,
    threshold = SPEC.threshold,
  } = options;
  for (
    const [name, value] of [["trainSize", trainSize], [
      "validationSize",
      validationSize,
    ], [
      "seriesLength",
      seriesLength,
    ]] as const
  ) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(
        `Dataset option "${name}" must be a positive integer, got ${value}`,
      );
    }
  }
  if (!Number.isFinite(threshold)) {
    throw new RangeError(
      `Dataset option "threshold" must be a finite number, got ${threshold}`,
    );
  }
  const rng = createRng(deriveSeed(seed, "data"));
  const draw = (size: number): Split => {
    const x = new Uint8Array(size * seriesLength);
    const y = new Uint8Array(size);
    let positives = 0;
    for (let n = 0; n < size; n++) {
      const series = x.subarray(n * seriesLength, (n + 1) * seriesLength);
      for (let t = 0; t < seriesLength; t++) series[t] = rng.nextInt(SPEC.digitValues);
      y[n] = labelOf(seriesSum(series), threshold);
      positives += y[n];
    }
    return { x, y, size, positives, negatives: size - positives };
  };
  const train = draw(trainSize);
  const validation = draw(validationSize);
  return { train, validation, seriesLength, seed };
}

/**
 * The data set a training config describes: its data seed, sizes, series length and threshold.
 *
 * @param config A training config.
 * @returns `makeDataset` of those fields, drawn with `dataSeed`.
 */
export function datasetFor(
  config: Pick<TrainConfig, "dataSeed" | "trainSize" | "validationSize" | "seriesLength" | "threshold">,
): Dataset {
  const { dataSeed, trainSize, validationSize, seriesLength, threshold } = config;
  return makeDataset({ seed: dataSeed, trainSize, validationSize, seriesLength, threshold });
}

/** Refuses an epoch index that is not a non-negative integer (0-based), naming it. */
function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`Epoch must be a non-negative integer, got ${epoch}`);
  }
}

/**
 * A seeded random order of `size` items for one epoch (item f: shuffled every epoch, as
 * `SPEC.shuffleEveryEpoch` says), by {@link shuffleInPlace} on its own stream per (seed, epoch).
 *
 * @param options `seed`, `epoch` (0-based) and `size`.
 * @returns A permutation of 0..size-1.
 * @throws {RangeError} A negative or fractional epoch or size, or a bad seed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const order = epochPermutation({ seed: 1, epoch: 0, size: 5 });
 * assertEquals([...order].sort(), [0, 1, 2, 3, 4]);
 * ```
 */
export function epochPermutation(
  options: { seed: number; epoch: number; size: number },
): Uint32Array {
  const { seed, epoch, size } = options;
  checkEpoch(epoch);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(
      `Permutation size must be a non-negative integer, got ${size}`,
    );
  }
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  return shuffleInPlace(createRng(deriveSeed(seed, "shuffle", epoch)), order);
}

/**
 * The training series of one epoch with each series' digits in a fresh seeded order (item e's
 * `permuteDigits`): every series keeps its digits, so its sum and label, and the split keeps its
 * series and their order. Each series is shuffled by {@link shuffleInPlace} in turn, on one stream
 * per (seed, epoch), so a resumed run sees the same digits.
 *
 * @param options `seed`, `epoch` (0-based), the digits `x` (shape `[n, seriesLength]`, not changed)
 *   and `seriesLength`.
 * @returns New digits, same shape.
 * @throws {RangeError} A negative or fractional epoch, a bad series length, digits that do not fill
 *   whole series, or a bad seed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const out = permuteWithinSeries({ seed: 1, epoch: 0, x: Uint8Array.of(1, 2, 3, 9, 9, 0), seriesLength: 3 });
 * assertEquals([...out.subarray(0, 3)].sort(), [1, 2, 3]);
 * ```
 */
export function permuteWithinSeries(
  options: { seed: number; epoch: number; x: Uint8Array; seriesLength: number },
): Uint8Array {
  const { seed, epoch, x, seriesLength } = options;
  checkEpoch(epoch);
  if (!Number.isSafeInteger(seriesLength) || seriesLength < 1) {
    throw new RangeError(`Series length must be a positive integer, got ${seriesLength}`);
  }
  if (x.length % seriesLength !== 0) {
    throw new RangeError(`Digits must fill whole series of ${seriesLength}, got ${x.length} digits`);
  }
  const rng = createRng(deriveSeed(seed, "permute-digits", epoch));
  const out = Uint8Array.from(x);
  for (let start = 0; start < out.length; start += seriesLength) {
    shuffleInPlace(rng, out.subarray(start, start + seriesLength));
  }
  return out;
}

/**
 * Scales digits into the network's input (item e), as `INPUT_SCALING` says: (digit − offset) /
 * divisor, e.g. offset 0 and divisor 9 for `"digit/9"` so inputs lie in [0, 1]; or one-hot, 10
 * inputs per digit. Computed in float64 ({@link digitInputs}), stored as float32.
 *
 * @param x Digits, shape `[n, seriesLength]`.
 * @param seriesLength Digits per series.
 * @param scaling The encoding.
 * @param rows Which rows to take, in order; all rows when omitted.
 * @returns Float32 inputs, shape `[rows, seriesLength, inputWidth(scaling)]`.
 * @throws {RangeError} A digit outside 0..9 in the rows taken, named with its index.
 */
export function scaleDigits(
  x: Uint8Array,
  seriesLength: number,
  scaling: InputEncoding,
  rows?: ArrayLike<number>,
): Float32Array {
  const table = digitInputs(scaling);
  const F = inputWidth(scaling);
  const n = rows ? rows.length : x.length / seriesLength;
  const out = new Float32Array(n * seriesLength * F);
  // only the rows taken are read and checked: a batch reads 50 series, not the whole split
  for (let r = 0; r < n; r++) {
    const src = (rows ? rows[r] : r) * seriesLength;
    for (let t = 0; t < seriesLength; t++) {
      const input = table[x[src + t]];
      if (input === undefined) {
        throw new RangeError(`Digits must be 0..${table.length - 1}, got ${x[src + t]} at index ${src + t}`);
      }
      out.set(input, (r * seriesLength + t) * F);
    }
  }
  return out;
}
