/**
 * The reference path: tf.layers' own LSTM and tfjs autodiff. Slow (about 6x the fast path per batch: see
 * the README's Performance section), kept as
 * the correctness oracle and benchmark baseline of the fast path.
 * @module
 */
import { tf } from "./backend.ts";
import type { Batch, BatchGradients } from "./batch.ts";
import { type RoleVariable, roleVariables } from "./model.ts";
import { binaryCrossEntropy } from "../core/metrics.ts";
import { SPEC } from "../core/spec.ts";

/**
 * Loss and gradients of one batch through `model.apply` and `tf.variableGrads`, with
 * Keras's binary cross-entropy (item c), for any arch.
 *
 * @param model The network from `buildModel`.
 * @param batch The mini-batch.
 * @param roles The model's trainable variables with their roles ({@link roleVariables}).
 * @returns Loss, probabilities and gradients keyed by role.
 */
export function autodiffGradients(
  model: tf.LayersModel,
  batch: Batch,
  roles: readonly RoleVariable[],
): { loss: number; probabilities: Float32Array; grads: Record<string, tf.Tensor> } {
  let probabilities: Float32Array = new Float32Array(0);
  const { grads } = tf.tidy(() => {
    const xs = tf.tensor3d(batch.x, [batch.size, batch.seriesLength, 1]);
    const ys = tf.tensor2d(batch.y, [batch.size, 1]);
    return tf.variableGrads(() => {
      const p = model.apply(xs, { training: true }) as tf.Tensor;
      probabilities = p.dataSync() as Float32Array;
      const perSeries = tf.metrics[SPEC.loss](ys, p); // [B], binary cross-entropy (item c)
      return tf.mean(batch.w ? tf.mul(perSeries, tf.tensor1d(batch.w)) : perSeries) as tf.Scalar;
    }, roles.map((r) => r.variable));
  });
  return {
    loss: binaryCrossEntropy(batch.y, probabilities, batch.w),
    probabilities,
    grads: Object.fromEntries(roles.map((r) => [r.role, grads[r.variable.name]])),
  };
}

/**
 * The LSTM's loss and gradients by autodiff ({@link autodiffGradients}), keyed by weight role:
 * the oracle the fast path is tested against.
 *
 * @param model The network from `buildModel`.
 * @param batch The mini-batch.
 * @returns Loss, probabilities and gradients keyed by weight role.
 */
export function referenceGradients(
  model: tf.LayersModel,
  batch: Batch,
): BatchGradients {
  const { loss, probabilities, grads } = autodiffGradients(model, batch, roleVariables(model, "lstm"));
  return { loss, probabilities, grads: grads as BatchGradients["grads"] };
}

/**
 * P(class 1) for many series through `model.predict`.
 *
 * @param model The network.
 * @param x Scaled digits, shape `[n, seriesLength]`.
 * @param seriesLength Steps per series.
 * @returns Probabilities, shape `[n]`.
 */
export function referencePredict(
  model: tf.LayersModel,
  x: Float32Array,
  seriesLength: number,
): Float32Array {
  const n = x.length / seriesLength;
  return tf.tidy(() => {
    const p = model.predict(tf.tensor3d(x, [n, seriesLength, 1]), {
      batchSize: 500,
    }) as tf.Tensor;
    return p.dataSync() as Float32Array;
  });
}
