/**
 * The fast path of the `rnn` and `gru` archs: SimpleRNN and GRU forward and backward through
 * time written by hand, on the pattern of the LSTM's ({@link fastGradients}). The products run on
 * tfjs's WASM backend with the weight as the right operand; the element-wise parts run as JS
 * loops over zero-copy views of the WASM heap; the weight gradients of all steps are one
 * stacked GEMM per weight block.
 *
 * The maths and the weight layout are tf.layers' (tfjs-layers 4.22, `SimpleRNNCell` and
 * `GRUCell`):
 * - SimpleRNN: h_t = tanh(x_t·K + h_{t−1}·R + b);
 * - GRU, gate blocks z, r, h along the 3H axis:
 *   z = σ(x_t·K_z + h_{t−1}·R_z + b_z), r = σ(x_t·K_r + h_{t−1}·R_r + b_r),
 *   ĥ = tanh(x_t·K_h + (r ⊙ h_{t−1})·R_h + b_h), h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ.
 *   The reset gate acts before the recurrent product: ONNX `GRU` with `linear_before_reset` 0.
 *
 * tanh(a) = 2·σ(2a) − 1, so the tanh products are sigmoid-fused products with doubled weights.
 * Every gradient matches tf.layers' autodiff to 1e-4 relative (tests/fast_rnn_test.ts).
 * Element-wise arithmetic runs in float64 and is stored as float32, so a seed gives the same
 * bytes on every run.
 * @module
 */
import { tf } from "./backend.ts";
import type { Batch } from "./batch.ts";
import { heap, outputBackward, outputLayer, predictInChunks } from "./fast.ts";
import type { RoleVariable } from "./model.ts";
import { binaryCrossEntropy } from "../core/metrics.ts";

/** The archs with a hand-written path here. */
export type FastRecurrentArch = "rnn" | "gru";

/** The archs of {@link FastRecurrentArch}, for narrowing. */
export const FAST_RECURRENT_ARCHS: readonly FastRecurrentArch[] = ["rnn", "gru"];

/** Gate blocks along the weights' last axis: 1 for SimpleRNN, 3 (z, r, h) for GRU. */
const GATES: Readonly<Record<FastRecurrentArch, number>> = { rnn: 1, gru: 3 };

/** The five weights in the order of `model.trainableWeights`. */
interface CellWeights {
  /** `[1, gH]`. */
  kernel: tf.Tensor;
  /** `[H, gH]`. */
  recurrentKernel: tf.Tensor;
  /** `[gH]`. */
  bias: tf.Tensor;
  /** `[H, 1]`. */
  denseKernel: tf.Tensor;
  /** `[1]`. */
  denseBias: tf.Tensor;
}

function cellWeights(roles: readonly RoleVariable[], arch: FastRecurrentArch): CellWeights {
  if (roles.length !== 5) throw new Error(`The ${arch} fast path needs 5 trainable weights, got ${roles.length}`);
  const [kernel, recurrentKernel, bias, denseKernel, denseBias] = roles.map((r) => r.variable);
  const H = recurrentKernel.shape[0];
  if (recurrentKernel.shape[1] !== GATES[arch] * H) {
    throw new Error(`The ${arch} recurrent kernel must be [H, ${GATES[arch]}H], got [${recurrentKernel.shape}]`);
  }
  return { kernel, recurrentKernel, bias, denseKernel, denseBias };
}

/** Buffers for one batch shape, reused across batches. Rows are series, batch-major, step by step. */
class Workspace {
  /** `[T·B, H+2]`: row t·B + n is [h_{t−1}, x_t, 1] of series n; rows of t = 0 hold h = 0. */
  readonly ha: Float32Array;
  /** GRU: `[T·B, H+2]`, [r ⊙ h_{t−1}, x_t, 1]. */
  readonly hra: Float32Array;
  /** SimpleRNN: h_t; GRU: ĥ_t. `[T·B, H]`. */
  readonly act: Float32Array;
  /** GRU: `[T·B, 2H]`, the gates z and r. */
  readonly zr: Float32Array;
  /** d loss / d the pre-activation of h (SimpleRNN) or ĥ (GRU), `[T·B, H]`. */
  readonly da: Float32Array;
  /** GRU: d loss / d the pre-activations of z and r, `[T·B, 2H]`. */
  readonly dzr: Float32Array;
  /** `[B, H]`: d loss / d h_t flowing back. */
  readonly dh: Float32Array;
  /** `[B, H]`: h after the last step. */
  readonly hLast: Float32Array;
  /** GRU, `[B, H]`: d loss / d h_{t−1} through z ⊙ h_{t−1} and r ⊙ h_{t−1}, in float64. */
  readonly carry: Float64Array;

  constructor(readonly arch: FastRecurrentArch, readonly B: number, readonly T: number, readonly H: number) {
    const rows = T * B;
    const K = H + 2;
    const gru = arch === "gru";
    this.ha = new Float32Array(rows * K);
    this.hra = new Float32Array(gru ? rows * K : 0);
    this.act = new Float32Array(rows * H);
    this.zr = new Float32Array(gru ? rows * 2 * H : 0);
    this.da = new Float32Array(rows * H);
    this.dzr = new Float32Array(gru ? rows * 2 * H : 0);
    this.dh = new Float32Array(B * H);
    this.hLast = new Float32Array(B * H);
    this.carry = new Float64Array(gru ? B * H : 0);
  }
}

const workspaces = new Map<string, Workspace>();

function workspaceFor(arch: FastRecurrentArch, B: number, T: number, H: number): Workspace {
  const key = `${arch}/${B}/${T}/${H}`;
  let ws = workspaces.get(key);
  if (!ws) {
    ws = new Workspace(arch, B, T, H);
    workspaces.set(key, ws);
  }
  return ws;
}

/**
 * [R; K; b] of the gate blocks `from` to `to` (exclusive), `[H+2, (to − from)·H]`, times `scale`.
 */
function stacked(w: CellWeights, from: number, to: number, scale: number): tf.Tensor2D {
  const H = w.recurrentKernel.shape[0];
  return tf.tidy(() => {
    const cols = (t: tf.Tensor, rows: number) =>
      tf.slice(tf.reshape(t, [rows, -1]), [0, from * H], [rows, (to - from) * H]);
    const wa = tf.concat([cols(w.recurrentKernel, H), cols(w.kernel, 1), cols(w.bias, 1)], 0);
    return (scale === 1 ? wa : tf.mul(wa, scale)) as tf.Tensor2D;
  });
}

/** R's gate blocks `from` to `to`, transposed: `[(to − from)·H, H]`, for dh_{t−1} = da · Rᵀ. */
function recurrentT(w: CellWeights, from: number, to: number): tf.Tensor2D {
  const H = w.recurrentKernel.shape[0];
  return tf.tidy(() => tf.transpose(tf.slice(w.recurrentKernel, [0, from * H], [H, (to - from) * H])) as tf.Tensor2D);
}

/** Writes x_t and the constant 1 into the rows of `a` (`[T·B, H+2]`). */
function fillInputs(a: Float32Array, x: Float32Array, B: number, T: number, H: number): void {
  const K = H + 2;
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < B; n++) {
      const r = (t * B + n) * K;
      a[r + H] = x[n * T + t];
      a[r + H + 1] = 1;
    }
  }
}

/** `rows` rows of `a` from row `first`, as a `[rows, cols]` tensor. */
function rowsOf(a: Float32Array, first: number, rows: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(a.subarray(first * cols, (first + rows) * cols), [rows, cols]);
}

/** Runs the cell over a batch into `ws`; h after the last step lands in `ws.hLast`. */
function forward(w: CellWeights, x: Float32Array, ws: Workspace): void {
  const { arch, B, T, H, ha, hra, act, zr, hLast } = ws;
  const K = H + 2;
  fillInputs(ha, x, B, T, H);
  if (arch === "rnn") {
    const wa = stacked(w, 0, 1, 2); // doubled: tanh(a) = 2σ(2a) − 1
    for (let t = 0; t < T; t++) {
      const haT = rowsOf(ha, t * B, B, K);
      const s = tf.fused.matMul({ a: haT, b: wa, activation: "sigmoid" }); // [B, H]
      const v = heap(s);
      const last = t + 1 === T;
      const next = last ? hLast : ha.subarray((t + 1) * B * K);
      const stride = last ? H : K;
      for (let n = 0; n < B; n++) {
        for (let j = 0; j < H; j++) {
          const h = 2 * v[n * H + j] - 1;
          act[(t * B + n) * H + j] = h;
          next[n * stride + j] = h;
        }
      }
      tf.dispose([haT, s]);
    }
    wa.dispose();
    return;
  }
  fillInputs(hra, x, B, T, H);
  const wzr = stacked(w, 0, 2, 1); // [H+2, 2H]
  const wh = stacked(w, 2, 3, 2); // [H+2, H], doubled for the tanh
  for (let t = 0; t < T; t++) {
    const haT = rowsOf(ha, t * B, B, K);
    const s1 = tf.fused.matMul({ a: haT, b: wzr, activation: "sigmoid" }); // [B, 2H]: z, r
    const g = heap(s1);
    zr.set(g, t * B * 2 * H);
    for (let n = 0; n < B; n++) {
      const r = (t * B + n) * K;
      for (let j = 0; j < H; j++) hra[r + j] = g[n * 2 * H + H + j] * ha[r + j];
    }
    const hraT = rowsOf(hra, t * B, B, K);
    const s2 = tf.fused.matMul({ a: hraT, b: wh, activation: "sigmoid" }); // [B, H]
    const v = heap(s2);
    const last = t + 1 === T;
    const next = last ? hLast : ha.subarray((t + 1) * B * K);
    const stride = last ? H : K;
    for (let n = 0; n < B; n++) {
      const r = (t * B + n) * K;
      const q = (t * B + n) * 2 * H;
      for (let j = 0; j < H; j++) {
        const hh = 2 * v[n * H + j] - 1;
        const z = zr[q + j];
        act[(t * B + n) * H + j] = hh;
        next[n * stride + j] = z * ha[r + j] + (1 - z) * hh;
      }
    }
    tf.dispose([haT, s1, hraT, s2]);
  }
  tf.dispose([wzr, wh]);
}

/**
 * dW for the stacked weight block of gates `from`..`to`: `daᵀ · a` over all steps, `[(to−from)·H, H+2]`,
 * unpacked into the recurrent kernel's, kernel's and bias's columns.
 */
function unpack(
  da: Float32Array,
  a: Float32Array,
  rows: number,
  H: number,
  gates: number,
  from: number,
  out: { recurrentKernel: Float32Array; kernel: Float32Array; bias: Float32Array },
): void {
  const K = H + 2;
  const width = da.length / rows;
  const G = gates * H;
  // an explicit transpose: matMul's transposeA measured 12x slower on the WASM backend (tfjs 4.22)
  const dw = tf.tidy(() => tf.matMul(tf.transpose(tf.tensor2d(da, [rows, width])), tf.tensor2d(a, [rows, K])));
  const v = heap(dw);
  for (let c = 0; c < width; c++) {
    const g = from * H + c;
    const r = c * K;
    for (let j = 0; j < H; j++) out.recurrentKernel[j * G + g] = v[r + j];
    out.kernel[g] = v[r + H];
    out.bias[g] = v[r + H + 1];
  }
  dw.dispose();
}

/**
 * Loss and gradients of one batch of the `rnn` or `gru` arch by hand-written backpropagation
 * through time. Matches {@link autodiffGradients} on the same weights and batch.
 *
 * @param arch `rnn` or `gru`.
 * @param roles The model's trainable variables with their roles (`roleVariables`).
 * @param batch The mini-batch.
 * @returns Loss, probabilities and gradients keyed by role.
 * @throws {Error} Weights that are not the arch's five.
 */
export function fastRecurrentGradients(
  arch: FastRecurrentArch,
  roles: readonly RoleVariable[],
  batch: Batch,
): { loss: number; probabilities: Float32Array; grads: Record<string, tf.Tensor> } {
  const w = cellWeights(roles, arch);
  const { size: B, seriesLength: T } = batch;
  const H = w.recurrentKernel.shape[0];
  const G = GATES[arch] * H;
  const ws = workspaceFor(arch, B, T, H);
  const wd = w.denseKernel.dataSync() as Float32Array;
  const bd = w.denseBias.dataSync()[0];

  forward(w, batch.x, ws);
  const probabilities = outputLayer(ws.hLast, B, H, wd, bd);
  const { dh, da, dzr, act, zr, ha } = ws;
  const { denseKernel, denseBias } = outputBackward(ws.hLast, H, wd, probabilities, batch, dh);
  const K = H + 2;

  if (arch === "rnn") {
    const rT = recurrentT(w, 0, 1); // [H, H]
    for (let t = T - 1; t >= 0; t--) {
      for (let n = 0; n < B; n++) {
        for (let j = 0; j < H; j++) {
          const k = (t * B + n) * H + j;
          const h = act[k];
          da[k] = dh[n * H + j] * (1 - h * h);
        }
      }
      if (t === 0) break;
      const daT = rowsOf(da, t * B, B, H);
      const next = tf.matMul(daT, rT);
      dh.set(heap(next));
      tf.dispose([daT, next]);
    }
    rT.dispose();
  } else {
    const rhT = recurrentT(w, 2, 3); // [H, H]
    const rzrT = recurrentT(w, 0, 2); // [2H, H]
    const carry = ws.carry; // every element is written before it is read, step by step
    for (let t = T - 1; t >= 0; t--) {
      for (let n = 0; n < B; n++) {
        const r = (t * B + n) * K;
        const q = (t * B + n) * 2 * H;
        for (let j = 0; j < H; j++) {
          const k = (t * B + n) * H + j;
          const d = dh[n * H + j];
          const z = zr[q + j];
          const hh = act[k];
          da[k] = d * (1 - z) * (1 - hh * hh);
          dzr[q + j] = d * (ha[r + j] - hh) * z * (1 - z);
          carry[n * H + j] = d * z;
        }
      }
      if (t === 0) {
        // h_{−1} = 0: the reset gate's gradient is 0, and nothing flows further back
        for (let n = 0; n < B; n++) dzr.fill(0, n * 2 * H + H, (n + 1) * 2 * H);
        break;
      }
      const daT = rowsOf(da, t * B, B, H);
      const drh = tf.matMul(daT, rhT); // d loss / d (r ⊙ h_{t−1}), [B, H]
      const v = heap(drh);
      for (let n = 0; n < B; n++) {
        const r = (t * B + n) * K;
        const q = (t * B + n) * 2 * H;
        for (let j = 0; j < H; j++) {
          const rr = zr[q + H + j];
          const d = v[n * H + j];
          dzr[q + H + j] = d * ha[r + j] * rr * (1 - rr);
          carry[n * H + j] += d * rr;
        }
      }
      const dzrT = rowsOf(dzr, t * B, B, 2 * H);
      const back = tf.matMul(dzrT, rzrT); // [B, H]
      const u = heap(back);
      for (let k = 0; k < B * H; k++) dh[k] = carry[k] + u[k];
      tf.dispose([daT, drh, dzrT, back]);
    }
    tf.dispose([rhT, rzrT]);
  }

  const out = { recurrentKernel: new Float32Array(H * G), kernel: new Float32Array(G), bias: new Float32Array(G) };
  if (arch === "rnn") unpack(da, ha, T * B, H, 1, 0, out);
  else {
    unpack(dzr, ha, T * B, H, 3, 0, out);
    unpack(da, ws.hra, T * B, H, 3, 2, out);
  }
  const [kernel, recurrentKernel, bias, dense, denseB] = roles.map((r) => r.role);
  return {
    loss: binaryCrossEntropy(batch.y, probabilities, batch.w),
    probabilities,
    grads: {
      [kernel]: tf.tensor2d(out.kernel, [1, G]),
      [recurrentKernel]: tf.tensor2d(out.recurrentKernel, [H, G]),
      [bias]: tf.tensor1d(out.bias),
      [dense]: tf.tensor2d(denseKernel, [H, 1]),
      [denseB]: tf.tensor1d([denseBias]),
    },
  };
}

/**
 * P(class 1) for many series of the `rnn` or `gru` arch, forward only, in chunks.
 *
 * @param arch `rnn` or `gru`.
 * @param roles The model's trainable variables with their roles.
 * @param x Scaled digits, shape `[n, seriesLength]`.
 * @param seriesLength Steps per series.
 * @param chunk Series per forward pass.
 * @returns Probabilities, shape `[n]`.
 */
export function fastRecurrentPredict(
  arch: FastRecurrentArch,
  roles: readonly RoleVariable[],
  x: Float32Array,
  seriesLength: number,
  chunk = 250,
): Float32Array {
  const w = cellWeights(roles, arch);
  const H = w.recurrentKernel.shape[0];
  return predictInChunks(w, { x, seriesLength, chunk }, (xs, size) => {
    const ws = workspaceFor(arch, size, seriesLength, H);
    forward(w, xs, ws);
    return ws.hLast;
  });
}
