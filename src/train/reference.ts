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
 * @param forward The network's forward pass, `[B, T, F]` to `[B, 1]`; by default `model.apply`.
 * @returns Loss, probabilities and gradients keyed by role.
 */
export function autodiffGradients(
  model: tf.LayersModel,
  batch: Batch,
  roles: readonly RoleVariable[],
  forward: (xs: tf.Tensor3D) => tf.Tensor = (xs) => model.apply(xs, { training: true }) as tf.Tensor,
): { loss: number; probabilities: Float32Array; grads: Record<string, tf.Tensor> } {
  let probabilities: Float32Array = new Float32Array(0);
  const { grads } = tf.tidy(() => {
    const width = batch.x.length / (batch.size * batch.seriesLength); // inputs per step
    const xs = tf.tensor3d(batch.x, [batch.size, batch.seriesLength, width]);
    const ys = tf.tensor2d(batch.y, [batch.size, 1]);
    return tf.variableGrads(() => {
      const p = forward(xs);
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
 * The `conv1d` arch's forward pass without a convolution op: the tfjs WASM backend has no
 * `Conv2DBackpropFilter` kernel (tfjs 4.22), so training unfolds the series into its windows of
 * width K and multiplies them by the kernel, which is the same valid convolution; `predict` and the
 * saved model keep the Conv1D layer.
 *
 * @param model A model from `buildModel` with arch conv1d.
 * @param xs Scaled digits `[B, T, 1]`.
 * @returns P(class 1), `[B, 1]`.
 */
export function conv1dForward(model: tf.LayersModel, xs: tf.Tensor3D): tf.Tensor2D {
  const [kernel, bias] = model.getLayer("conv1d").trainableWeights.map((w) => w.read());
  const [denseKernel, denseBias] = model.getLayer("output").trainableWeights.map((w) => w.read());
  const [K, , F] = kernel.shape;
  const [B, T] = xs.shape;
  const series = tf.reshape(xs, [B, T]);
  // windows [B, T − K + 1, K]: the k-th column is the series shifted by k
  const windows = tf.stack(Array.from({ length: K }, (_, k) => tf.slice(series, [0, k], [B, T - K + 1])), 2);
  const conv = tf.relu(tf.add(tf.matMul(tf.reshape(windows, [-1, K]), tf.reshape(kernel, [K, F])), bias));
  const pooled = tf.mean(tf.reshape(conv, [B, T - K + 1, F]), 1);
  return tf.sigmoid(tf.add(tf.matMul(pooled, denseKernel as tf.Tensor2D), denseBias)) as tf.Tensor2D;
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
 * @param x Scaled digits, shape `[n, seriesLength, F]` with F the model's inputs per step.
 * @param seriesLength Steps per series.
 * @returns Probabilities, shape `[n]`.
 */
export function referencePredict(
  model: tf.LayersModel,
  x: Float32Array,
  seriesLength: number,
): Float32Array {
  const width = model.inputs[0].shape[2] ?? 1;
  const n = x.length / (seriesLength * width);
  return tf.tidy(() => {
    const p = model.predict(tf.tensor3d(x, [n, seriesLength, width]), {
      batchSize: 500,
    }) as tf.Tensor;
    return p.dataSync() as Float32Array;
  });
}
