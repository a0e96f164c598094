/**
 * The fast path: the same LSTM, forward and backward through time written by hand on tfjs
 * ops chosen to stay on the WASM backend's fast kernels (FACTS.md):
 * - one fused matMul + sigmoid per gate and step, against per-gate weights cut once per
 *   batch, with the input digit and the bias folded in as two more columns: `[h, x_t, 1]`;
 * - tanh computed as 2·sigmoid(2x) − 1 (the c-gate weights are doubled once per batch);
 * - no transpose flags: the recurrent weight is transposed once per batch;
 * - the weight and bias gradients of all 30 steps as one stacked GEMM, oriented so that the
 *   operand XNNPACK repacks per call is the small `[T·B, H+2]` one (measured: about 2x on this GEMM).
 * The maths and the weight layout are those of tf.layers' LSTM (gates i, f, c, o; sigmoid
 * recurrent activation; tanh activation).
 * @module
 */
import { tf } from "./backend.ts";
import type { Batch, BatchGradients } from "./batch.ts";
import type { LstmWeights } from "./model.ts";
import { BCE_EPSILON, binaryCrossEntropy } from "../core/metrics.ts";

interface Step {
  ha: tf.Tensor2D; // [B, H+2] = [h_{t-1}, x_t, 1]
  i: tf.Tensor2D; // [B, H] input gate
  f: tf.Tensor2D; // [B, H] forget gate
  g: tf.Tensor2D; // [B, H] candidate, tanh
  o: tf.Tensor2D; // [B, H] output gate
  cPrev: tf.Tensor2D; // [B, H]
  tc: tf.Tensor2D; // [B, H] tanh(c_t)
}

/** Runs the LSTM over a batch; returns the last h and, when asked, every step's state. */
function forward(
  w: LstmWeights,
  x: Float32Array,
  size: number,
  seriesLength: number,
  keep: boolean,
) {
  const H = w.recurrentKernel.shape[0];
  const one = tf.scalar(1);
  const two = tf.scalar(2);
  // [h, x_t, 1] · Wa: the input digit and the bias ride in the recurrent product
  const wa = tf.concat([w.recurrentKernel, w.kernel, tf.reshape(w.bias, [1, 4 * H])], 0); // [H+2, 4H]
  const gate = (k: number, scale: number) => {
    const wk = tf.slice(wa, [0, k * H], [H + 2, H]); // [H+2, H], once per batch
    return scale === 1 ? wk : tf.mul(wk, scale);
  };
  const wi = gate(0, 1);
  const wf = gate(1, 1);
  const wc = gate(2, 2); // doubled: sigmoid(2z) gives tanh(z) = 2·sigmoid(2z) − 1
  const wo = gate(3, 1);
  const inputs = new Float32Array(2 * size).fill(1); // rows [x_t, 1]
  let h = tf.zeros([size, H]) as tf.Tensor2D;
  let c = tf.zeros([size, H]) as tf.Tensor2D;
  const steps: Step[] = [];
  for (let t = 0; t < seriesLength; t++) {
    for (let n = 0; n < size; n++) inputs[2 * n] = x[n * seriesLength + t];
    const ha = tf.concat([h, tf.tensor2d(inputs, [size, 2])], 1); // [B, H+2]
    const act = (wk: tf.Tensor) => tf.fused.matMul({ a: ha, b: wk as tf.Tensor2D, activation: "sigmoid" }); // [B, H]
    const i = act(wi);
    const f = act(wf);
    const g = tf.sub(tf.mul(act(wc), two), one);
    const o = act(wo);
    const cPrev = c;
    c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
    const tc = tf.sub(
      tf.mul(tf.sigmoid(tf.mul(c, two)), two),
      one,
    ) as tf.Tensor2D;
    h = tf.mul(o, tc);
    if (keep) steps.push({ ha, i, f, g, o, cPrev, tc } as Step);
  }
  return { h, steps };
}

/**
 * Loss and gradients of one batch by hand-written backpropagation through time.
 * Matches {@link referenceGradients} on the same weights and batch (tests/fast_test.ts).
 *
 * @param w The weights, in tf.layers layout.
 * @param batch The mini-batch.
 * @returns Loss, probabilities and gradients keyed by weight role.
 */
export function fastGradients(w: LstmWeights, batch: Batch): BatchGradients {
  const { size: B, seriesLength: T } = batch;
  const H = w.recurrentKernel.shape[0];
  let probabilities: Float32Array = new Float32Array(0);
  const grads = tf.tidy(() => {
    const one = tf.scalar(1);
    const { h, steps } = forward(w, batch.x, B, T, true);
    // output: p = sigmoid(h_T · Wd + bd)                                  [B, 1]
    const p = tf.sigmoid(tf.add(tf.matMul(h, w.denseKernel), w.denseBias));
    probabilities = p.dataSync() as Float32Array;
    // d mean(w·BCE) / d logit = w·(p − y) / B, zero where Keras's clip of p is active
    const dLogitValues = new Float32Array(B);
    for (let n = 0; n < B; n++) {
      const pn = probabilities[n];
      const clipped = pn < BCE_EPSILON || pn > 1 - BCE_EPSILON;
      dLogitValues[n] = clipped ? 0 : ((batch.w ? batch.w[n] : 1) * (pn - batch.y[n])) / B;
    }
    const dLogit = tf.tensor2d(dLogitValues, [B, 1]);
    const denseKernel = tf.matMul(tf.transpose(h), dLogit); // [H, 1]
    const denseBias = tf.sum(dLogit, 0); // [1]
    let dh: tf.Tensor2D = tf.matMul(dLogit, tf.transpose(w.denseKernel)); // [B, H]
    const rT = tf.transpose(w.recurrentKernel); // [4H, H], once per batch
    let dc: tf.Tensor2D | undefined;
    const dz: tf.Tensor2D[] = new Array(T);
    for (let t = T - 1; t >= 0; t--) {
      const { i, f, g, o, cPrev, tc } = steps[t];
      const dO = tf.mul(dh, tc);
      const dcT = tf.mul(tf.mul(dh, o), tf.sub(one, tf.mul(tc, tc)));
      const dcSum = (dc ? tf.add(dc, dcT) : dcT) as tf.Tensor2D;
      const dzi = tf.mul(tf.mul(dcSum, g), tf.mul(i, tf.sub(one, i)));
      const dzf = tf.mul(tf.mul(dcSum, cPrev), tf.mul(f, tf.sub(one, f)));
      const dzg = tf.mul(tf.mul(dcSum, i), tf.sub(one, tf.mul(g, g)));
      const dzo = tf.mul(dO, tf.mul(o, tf.sub(one, o)));
      dz[t] = tf.concat([dzi, dzf, dzg, dzo], 1) as tf.Tensor2D; // [B, 4H], gates i, f, c, o
      if (t > 0) {
        dh = tf.matMul(dz[t], rT); // [B, H]
        dc = tf.mul(dcSum, f);
      }
    }
    // all steps' weight gradients (bias included, by the column of ones) in one GEMM whose right
    // operand is the small one: XNNPACK repacks the right operand on every call
    const dzAllT = tf.transpose(tf.concat(dz, 0)); // [4H, T·B]
    const haAll = tf.concat(steps.map((s) => s.ha), 0); // [T·B, H+2]
    const dWa = tf.transpose(tf.matMul(dzAllT, haAll)); // [H+2, 4H]
    return {
      kernel: tf.slice(dWa, [H, 0], [1, 4 * H]),
      recurrentKernel: tf.slice(dWa, [0, 0], [H, 4 * H]),
      bias: tf.reshape(tf.slice(dWa, [H + 1, 0], [1, 4 * H]), [4 * H]),
      denseKernel,
      denseBias,
    };
  }) as BatchGradients["grads"];
  return {
    loss: binaryCrossEntropy(batch.y, probabilities, batch.w),
    probabilities,
    grads,
  };
}

/**
 * P(class 1) for many series, forward only, in chunks.
 *
 * @param w The weights.
 * @param x Scaled digits, shape `[n, seriesLength]`.
 * @param seriesLength Steps per series.
 * @param chunk Series per forward pass.
 * @returns Probabilities, shape `[n]`.
 */
export function fastPredict(
  w: LstmWeights,
  x: Float32Array,
  seriesLength: number,
  chunk = 1000,
): Float32Array {
  const n = x.length / seriesLength;
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const part = x.subarray(
      start * seriesLength,
      (start + size) * seriesLength,
    );
    out.set(
      tf.tidy(() => {
        const { h } = forward(w, part, size, seriesLength, false);
        return tf.sigmoid(tf.add(tf.matMul(h, w.denseKernel), w.denseBias))
          .dataSync() as Float32Array;
      }),
      start,
    );
  }
  return out;
}
