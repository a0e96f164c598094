/**
 * Pure arithmetic on the networks' `[n, 10]` outputs, shared by training, the ONNX cross-check and the
 * CLIs; it loads neither tfjs nor onnxruntime.
 * @module
 */
import { H61 } from "./spec.ts";

/**
 * The predicted digit of each row: the index of the largest score (softmax or its argument alike).
 *
 * @param scores `[n, 10]`.
 * @returns `[n]` digits.
 */
export function argmaxRows(scores: Float32Array): Uint8Array {
  const K = H61.classes;
  const n = scores.length / K;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (scores[i * K + c] > scores[i * K + best]) best = c;
    out[i] = best;
  }
  return out;
}
