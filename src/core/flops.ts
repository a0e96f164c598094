/**
 * The arithmetic of one training batch of the exercise's LSTM, counted from the config.
 * @module
 */
import { inputWidthOf, type TrainConfig } from "./spec.ts";

/** Floating-point operations of one mini-batch, by phase (a multiply-add counts 2). */
export interface BatchFlops {
  /** T steps of the gate product `[B, H+F+1] × [H+F+1, 4H]` (the F inputs and the bias folded in). */
  forward: number;
  /** T − 1 steps of `[B, 4H] × [4H, H]` carrying dh back (step 0 needs none). */
  backward: number;
  /** The weight and bias gradients of all steps: `[4H, T·B] × [T·B, H+F+1]`. */
  weightGradients: number;
  /** The dense output layer, forward and both its gradients. */
  output: number;
  /** The sum of the phases. */
  total: number;
}

/**
 * Counts the matrix-product work of one batch of forward and backward through time; the
 * element-wise work (a few dozen operations per cell and step) is left out, as it is two
 * orders of magnitude smaller. It is the network's count: the fast path's own kernels (`matmul`
 * `fma`) leave out the terms with h_{−1} = 0 (step 0's recurrent rows of the gate product and
 * of the weight gradient, 2.2 % of the total), and rates are quoted against this count.
 *
 * @param config `units` (H), `seriesLength` (T), `batchSize` (B), and `inputScaling` (F inputs a step; absent, 1).
 * @returns The FLOP count by phase.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_CONFIG } from "./spec.ts";
 * // the spec's batch: about 1.43 GFLOP
 * assertEquals(Math.round(batchFlops(DEFAULT_CONFIG).total / 1e7), 143);
 * // one-hot: 9 more rows of [h, x, 1] in the gate and weight-gradient products, 2 · 2 · 9 · 4H · T · B more
 * const more = batchFlops({ ...DEFAULT_CONFIG, inputScaling: "one-hot" }).total - batchFlops(DEFAULT_CONFIG).total;
 * assertEquals(more, 2 * 2 * 9 * 800 * 30 * 50);
 * ```
 */
export function batchFlops(
  config: Pick<TrainConfig, "units" | "seriesLength" | "batchSize"> & Partial<Pick<TrainConfig, "inputScaling">>,
): BatchFlops {
  const { units: H, seriesLength: T, batchSize: B } = config;
  const K = H + inputWidthOf(config) + 1; // [h, x, 1]
  const forward = T * 2 * B * K * 4 * H;
  const backward = (T - 1) * 2 * B * 4 * H * H;
  const weightGradients = 2 * 4 * H * T * B * K;
  const output = 3 * 2 * B * H;
  return { forward, backward, weightGradients, output, total: forward + backward + weightGradients + output };
}
