/**
 * What both trainers consume and produce for one mini-batch.
 * @module
 */
import type { tf } from "./backend.ts";
import type { LstmWeights } from "./model.ts";

/** A mini-batch in the network's input representation. */
export interface Batch {
  /** Scaled digits, row-major, shape `[size, seriesLength, F]` (F inputs per step: 1, or 10 one-hot), float32. */
  x: Float32Array;
  /** Labels 0 or 1, shape `[size]`, float32. */
  y: Float32Array;
  /** Series in the batch. */
  size: number;
  /** Steps per series. */
  seriesLength: number;
  /** Per-series loss weights, shape `[size]`; all 1 when omitted (the spec's plain mean). */
  w?: Float32Array;
}

/** The loss, the predictions and the gradient of every weight for one batch. */
export interface BatchGradients {
  /** Mean binary cross-entropy over the batch. */
  loss: number;
  /** P(class 1) per series, shape `[size]`. */
  probabilities: Float32Array;
  /** d loss / d weight, each shaped like its weight. The caller disposes them. */
  grads: { [K in keyof LstmWeights]: tf.Tensor };
}
