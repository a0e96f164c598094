/**
 * The second thread of `split_gemm.ts`: its own tfjs-WASM instance, computing the right half of the
 * columns of the gate product whenever the main thread bumps the shared generation counter.
 * @module
 */
import { initBackend, tf } from "../src/train/backend.ts";
import { heap } from "../src/train/fast.ts";

/** What the main thread shares: control words, the left operand, the weights and the output. */
export interface SplitShared {
  /** Int32 words: [0] the generation to compute (negative: stop), [1] the last generation done. */
  ctrl: SharedArrayBuffer;
  /** `[B, K]` float32. */
  a: SharedArrayBuffer;
  /** `[K, N]` float32. */
  w: SharedArrayBuffer;
  /** `[B, N]` float32. */
  out: SharedArrayBuffer;
  B: number;
  K: number;
  N: number;
  /** The first column this thread computes. */
  half: number;
}

await initBackend();
const self_ = self as unknown as Worker;
self_.postMessage("loaded");
self_.onmessage = (e: MessageEvent<SplitShared>) => {
  const { ctrl, a, w, out, B, K, N, half } = e.data;
  const c = new Int32Array(ctrl);
  const A = new Float32Array(a);
  const W = new Float32Array(w);
  const O = new Float32Array(out);
  const cols = N - half;
  const right = new Float32Array(K * cols);
  for (let k = 0; k < K; k++) right.set(W.subarray(k * N + half, (k + 1) * N), k * cols);
  const wRight = tf.tensor2d(right, [K, cols]);
  self_.postMessage("ready");
  let seen = 0;
  while (true) {
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    if (seen < 0) break;
    const at = tf.tensor2d(A, [B, K]);
    const z = tf.fused.matMul({ a: at, b: wRight, activation: "sigmoid" });
    const v = heap(z);
    for (let n = 0; n < B; n++) O.set(v.subarray(n * cols, (n + 1) * cols), n * N + half);
    tf.dispose([at, z]);
    Atomics.store(c, 1, seen);
    Atomics.notify(c, 1);
  }
  wRight.dispose();
  self.close();
};
