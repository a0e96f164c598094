/**
 * Data for the class-imbalance study (deliverable 2): a balanced draw (series are drawn as usual and
 * kept while their class is not yet full, as a published Keras solution of the exercise does it, but
 * seeded and in one pass), and random oversampling of class 0.
 * @module
 */
import { type Dataset, labelOf, seriesSum, type Split } from "./dataset.ts";
import { createRng, deriveSeed, shuffleInPlace } from "./rng.ts";
import { SPEC } from "./spec.ts";

function splitOf(x: Uint8Array, y: Uint8Array, rows: ArrayLike<number>, T: number): Split {
  const out = new Uint8Array(rows.length * T);
  const labels = new Uint8Array(rows.length);
  let positives = 0;
  for (let r = 0; r < rows.length; r++) {
    out.set(x.subarray(rows[r] * T, rows[r] * T + T), r * T);
    labels[r] = y[rows[r]];
    positives += labels[r];
  }
  return { x: out, y: labels, size: rows.length, positives, negatives: rows.length - positives };
}

/**
 * Draws `perClass` series of each class by rejection sampling (a series whose class is full is
 * dropped), shuffles them, and splits them `trainSize` / rest.
 *
 * @param options `seed`; sizes default to 5,000 per class and 8,000 for training.
 * @returns A balanced data set.
 * @throws {RangeError} A training size larger than the data.
 */
export function makeBalancedDataset(options: { seed: number; perClass?: number; trainSize?: number }): Dataset {
  const { seed, perClass = 5_000, trainSize = SPEC.trainSize } = options;
  if (!Number.isSafeInteger(perClass) || perClass < 1 || trainSize >= 2 * perClass || trainSize < 1) {
    throw new RangeError(`Balanced data needs 0 < trainSize < 2·perClass, got ${trainSize} and ${perClass}`);
  }
  const T = SPEC.seriesLength;
  const rng = createRng(deriveSeed(seed, "balanced"));
  const x = new Uint8Array(2 * perClass * T);
  const y = new Uint8Array(2 * perClass);
  const filled = [0, 0];
  const series = new Uint8Array(T);
  while (filled[0] < perClass || filled[1] < perClass) {
    for (let t = 0; t < T; t++) series[t] = rng.nextInt(SPEC.digitValues);
    const label = labelOf(seriesSum(series));
    if (filled[label] === perClass) continue;
    const row = label * perClass + filled[label]++;
    x.set(series, row * T);
    y[row] = label;
  }
  const order = shuffleInPlace(rng, Array.from({ length: 2 * perClass }, (_, i) => i));
  return {
    train: splitOf(x, y, order.slice(0, trainSize), T),
    validation: splitOf(x, y, order.slice(trainSize), T),
    seriesLength: T,
    seed,
  };
}

/**
 * Random oversampling: appends class-0 series drawn with replacement until class 0 is as
 * large as class 1, rounding the total up to a multiple of `multipleOf` (the batch size).
 *
 * @param split The training split.
 * @param seed Seed of the draw.
 * @param multipleOf The total is a multiple of it.
 * @returns A new, larger split; the input is not touched.
 * @throws {RangeError} A split without class 0.
 */
export function oversampleClass0(split: Split, seed: number, multipleOf = SPEC.batchSize): Split {
  const T = split.x.length / split.size;
  const zeros: number[] = [];
  for (let n = 0; n < split.size; n++) if (split.y[n] === 0) zeros.push(n);
  if (!zeros.length) throw new RangeError("Cannot oversample class 0: the split has none");
  let extra = split.positives - split.negatives;
  extra += (multipleOf - ((split.size + extra) % multipleOf)) % multipleOf;
  const rng = createRng(deriveSeed(seed, "oversample"));
  const rows = Array.from({ length: split.size }, (_, i) => i);
  for (let k = 0; k < extra; k++) rows.push(zeros[rng.nextInt(zeros.length)]);
  return splitOf(split.x, split.y, rows, T);
}
