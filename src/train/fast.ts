/**
 * The fast path: the same LSTM, forward and backward through time written by hand, in one of two arithmetics
 * (config field `matmul`):
 * - `fma`, the default: every product, sigmoid and cell step runs on the project's WebAssembly kernels
 *   (`wasm_kernels.ts`: 128-bit SIMD with relaxed SIMD's fused multiply-add, the gates' sigmoid fused into their
 *   product, the cell in float32 SIMD), on buffers of one WebAssembly memory; tfjs keeps the weights and Adam.
 *   About 1.3 times as fast as `xnnpack` (`deno task bench` times both, interleaved);
 * - `xnnpack`, what every committed run was trained with: the matrix products run on tfjs's WASM backend
 *   (XNNPACK); the element-wise cell runs as plain JS loops over zero-copy views of the WASM heap, one pass per
 *   step instead of a dozen tfjs ops. The rest of this comment is about this path.
 *
 * Performance choices (each measured with `deno task bench` on a 2-core machine):
 * - batch-major products only, `[B, K] × [K, N]`, with the weight as the right operand: the
 *   backend caches XNNPACK's packed copy of the right operand per tensor, so the weights are
 *   packed once per batch; the transposed (feature-major) layout measured 15–25 % slower;
 * - all four gates in one product per step, `[h_{t-1}, x_t, 1] · Wa`, the input (F values: 1, or
 *   10 one-hot) and the bias folded in as F + 1 more rows of Wa, and the sigmoid fused into it; the c-gate columns of Wa
 *   are doubled once per batch so that tanh(z) = 2·sigmoid(2z) − 1 needs no tanh kernel;
 * - tanh of the cell state as one tfjs sigmoid per step over `[B, H]` (a JS `Math.tanh` loop
 *   costs several times more);
 * - the cell update, and the whole backward cell, as one JS loop per step: no tfjs op, so no
 *   per-op dispatch and allocation, and the loops write the gate gradients straight into the
 *   layout the next product reads;
 * - the weight and bias gradients of all steps as one stacked GEMM `[4H, T·B] × [T·B, H+F+1]`;
 * - buffers reused from batch to batch (no allocation on the hot path).
 *
 * The maths and the weight layout are those of tf.layers' LSTM (gates i, f, c, o; sigmoid
 * recurrent activation; tanh activation), and every gradient matches tf.layers' autodiff to
 * 1e-4 relative with either arithmetic (tests/fast_test.ts). On the `xnnpack` path element-wise arithmetic runs
 * in float64 and is stored as float32; on `fma` it runs in float32. On `xnnpack` a seed gives the same bytes on
 * every run and machine; on `fma` on every run of one machine, and of every machine whose CPU fuses
 * `f32x4.relaxed_madd` (x86-64 with FMA3), since the relaxed SIMD proposal leaves that choice to the engine.
 * @module
 */
import { tf } from "./backend.ts";
import type { Batch, BatchGradients } from "./batch.ts";
import type { LstmWeights } from "./model.ts";
import { BCE_EPSILON, binaryCrossEntropy } from "../core/metrics.ts";
import type { Matmul } from "../core/spec.ts";
import { type GemmShape, WasmArena } from "./wasm_kernels.ts";

/** The WASM backend's view of a tensor's memory (tfjs-backend-wasm `typedArrayFromHeap`). */
interface WasmHeap {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * A zero-copy float32 view of a tensor on the WASM heap. Valid only until the next tfjs call
 * that may grow the heap: take it right before a loop, never keep it.
 *
 * @param t A tensor on the WASM backend.
 * @returns Its values, not a copy.
 * @throws {Error} Another backend.
 */
export function heap(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as Partial<WasmHeap>;
  if (typeof backend.typedArrayFromHeap !== "function") {
    throw new Error(`The fast trainer needs the tfjs WASM backend, got "${tf.getBackend()}"`);
  }
  return backend.typedArrayFromHeap(t);
}

/** Buffers for one batch shape, reused across batches. Rows are series, batch-major. With `matmul` `fma` they all
 * live on one {@link WasmArena}, where the kernels read and write them in place. */
class Workspace {
  /** `[T·B, H+F+1]`: row t·B + n is [h_{t-1}, x_t, 1] of series n (x_t: F inputs); rows of t = 0 hold h = 0. */
  readonly ha: Float32Array;
  /** `[T·B, 4H]`: the gates' sigmoid outputs (the c gate as sigmoid(2z)), kept for backward. */
  readonly gates: Float32Array;
  /** `[T·B, H]`: the cell state c_t. */
  readonly c: Float32Array;
  /** `[T·B, H]`: tanh(c_t). */
  readonly tc: Float32Array;
  /** `[T·B, 4H]`: d loss / d pre-activations, every step. */
  readonly dz: Float32Array;
  /** `[B, H]` running state: c of the current step; `xnnpack` only: 2c for the tanh. */
  readonly cNow: Float32Array;
  readonly c2: Float32Array;
  /** `[B, H]`: d loss / d h_t and d loss / d c_t flowing back. */
  readonly dh: Float32Array;
  readonly dc: Float32Array;
  /** `[B, H]`: h after the last step. */
  readonly hLast: Float32Array;
  /** `[H+F+1, 4H]`: the stacked weights Wa of the batch. */
  readonly wa: Float32Array;
  /** `fma` only: `[4H, H]` Rᵀ; `[H+F+1, 4H]` dWa; `[B, H]` c_{−1} = 0. */
  readonly rT: Float32Array;
  readonly dwa: Float32Array;
  readonly zeros: Float32Array;
  /** The kernels' memory, with `matmul` `fma`. */
  readonly arena?: WasmArena;

  constructor(
    readonly B: number,
    readonly T: number,
    readonly H: number,
    readonly F: number,
    readonly training: boolean,
    matmul: Matmul,
  ) {
    const rows = T * B;
    const K = H + F + 1;
    const G = 4 * H;
    // backward needs every step; inference keeps one step's gates and states
    const kept = training ? rows : B;
    const fma = matmul === "fma";
    const sizes = {
      ha: rows * K,
      gates: kept * G,
      c: kept * H,
      tc: kept * H,
      dz: training ? rows * G : 0,
      cNow: B * H,
      c2: fma ? 0 : B * H, // the fma cell kernel doubles c in its registers
      dh: B * H,
      dc: B * H,
      hLast: B * H,
      wa: K * G,
      rT: fma && training ? G * H : 0,
      dwa: fma && training ? K * G : 0,
      zeros: fma && training ? B * H : 0,
    };
    const floats = Object.values(sizes).reduce((a, n) => a + n + 4, 0);
    const arena = fma ? new WasmArena(floats, { threads: kernelThreads }) : undefined;
    const alloc = (n: number) => (arena ? arena.alloc(n) : new Float32Array(n));
    this.arena = arena;
    this.ha = alloc(sizes.ha);
    this.gates = alloc(sizes.gates);
    this.c = alloc(sizes.c);
    this.tc = alloc(sizes.tc);
    this.dz = alloc(sizes.dz);
    this.cNow = alloc(sizes.cNow);
    this.c2 = alloc(sizes.c2);
    this.dh = alloc(sizes.dh);
    this.dc = alloc(sizes.dc);
    this.hLast = alloc(sizes.hLast);
    this.wa = alloc(sizes.wa);
    this.rT = alloc(sizes.rT);
    this.dwa = alloc(sizes.dwa);
    this.zeros = alloc(sizes.zeros);
  }

  /** Row offset of step t in the per-step buffers (always 0 for inference). */
  step(t: number): number {
    return this.training ? t * this.B : 0;
  }
}

/** Milliseconds spent per phase of {@link fastGradients}, summed over calls (for `deno task bench`). */
export interface FastProfile {
  /** The gate products `[B, H+F+1] × [H+F+1, 4H]` with their fused sigmoid, and the sigmoid of 2c. */
  forwardGemm: number;
  /** The JS cell loops of the forward pass. */
  forwardCell: number;
  /** The products dz · Rᵀ carrying dh back. */
  backwardGemm: number;
  /** The JS cell loops of the backward pass. */
  backwardCell: number;
  /** The stacked weight-gradient product and unpacking its result. */
  weightGemm: number;
  /** Everything else: weights stacked per batch, the output layer, tensors made and freed. */
  other: number;
  /** The optimizer's update, when timed by {@link trainStep}. */
  adam: number;
}

/** A profile with every phase at 0. */
export function emptyProfile(): FastProfile {
  return { forwardGemm: 0, forwardCell: 0, backwardGemm: 0, backwardCell: 0, weightGemm: 0, other: 0, adam: 0 };
}

/** Adds the time since `start` to `phase`, when profiling; returns the new start. */
function lap(profile: FastProfile | undefined, phase: keyof FastProfile, start: number): number {
  if (!profile) return 0;
  const now = performance.now();
  profile[phase] += now - start;
  return now;
}

const workspaces = new Map<string, Workspace>();
let kernelThreads = 1;

/**
 * Sets the threads of the fast path's own kernels (`matmul` `fma`) for the calls from now on: 1, or 2, where each
 * large product is split with a worker. Either gives the same bytes ({@link WasmArena}). The workspaces of each
 * count are kept apart, and each two-thread workspace (one per batch or chunk size) has its own worker;
 * {@link closeKernelWorkers} stops them, which otherwise keep the process alive.
 *
 * @param threads 1 or 2.
 * @throws {RangeError} Any other number.
 */
export function setKernelThreads(threads: number): void {
  if (threads !== 1 && threads !== 2) throw new RangeError(`The kernels' threads must be 1 or 2, got ${threads}`);
  kernelThreads = threads;
}

/** Closes every workspace and so stops every kernel worker; the next call makes its workspace again. */
export function closeKernelWorkers(): void {
  for (const ws of workspaces.values()) ws.arena?.close();
  workspaces.clear();
}

function workspaceFor(B: number, T: number, H: number, F: number, training: boolean, matmul: Matmul): Workspace {
  const key = `${B}/${T}/${H}/${F}/${training}/${matmul}/${kernelThreads}`;
  let ws = workspaces.get(key);
  if (!ws) {
    ws = new Workspace(B, T, H, F, training, matmul);
    workspaces.set(key, ws);
  }
  return ws;
}

/** How many of the workspaces' two-thread arenas have their worker running ({@link setKernelThreads}). */
export function kernelWorkersReady(): number {
  return [...workspaces.values()].filter((ws) => ws.arena?.workerReady).length;
}

/**
 * Waits until at least `count` of the workspaces' kernel workers run ({@link kernelWorkersReady}); a worker starts
 * asynchronously after its workspace is made.
 *
 * @param count How many.
 * @param timeoutMs How long to wait.
 * @throws {Error} When fewer have started within `timeoutMs`.
 */
export async function kernelWorkersStarted(count = 1, timeoutMs = 10_000): Promise<void> {
  const started = performance.now();
  while (kernelWorkersReady() < count) {
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${count} kernel workers did not start in ${timeoutMs / 1000} s: ${kernelWorkersReady()} did`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** c_t = f·c_{t−1} + i·g for every series; also 2·c_t for the tanh, and c_t into the tape. */
function cellState(s: Float32Array, ws: Workspace, row: number): void {
  const { B, H, cNow, c2, c } = ws;
  const G = 4 * H;
  const out = row * H;
  for (let n = 0; n < B; n++) {
    const r = n * G;
    const q = n * H;
    for (let j = 0; j < H; j++) {
      const k = q + j;
      const next = s[r + H + j] * cNow[k] + s[r + j] * (2 * s[r + 2 * H + j] - 1);
      cNow[k] = next;
      c2[k] = 2 * next;
      c[out + k] = next;
    }
  }
}

/** h_t = o·tanh(c_t), tanh(c_t) = 2·sigmoid(2c_t) − 1; h goes to `h` with row stride `stride`. */
function cellOutput(
  s: Float32Array,
  sig2c: Float32Array,
  ws: Workspace,
  row: number,
  h: Float32Array,
  stride: number,
): void {
  const { B, H, tc } = ws;
  const G = 4 * H;
  const out = row * H;
  for (let n = 0; n < B; n++) {
    const r = n * G + 3 * H;
    const q = n * H;
    const w = n * stride;
    for (let j = 0; j < H; j++) {
      const t = 2 * sig2c[q + j] - 1;
      h[w + j] = s[r + j] * t;
      tc[out + q + j] = t;
    }
  }
}

/** One step back through the cell: dz_t from dh_t and dc_{t+1}, and dc_t for the step before. */
function cellBackward(ws: Workspace, t: number): void {
  const { B, H, gates: S, c: C, tc: TC, dh, dc, dz } = ws;
  const G = 4 * H;
  const row = t * B;
  for (let n = 0; n < B; n++) {
    const q = n * H;
    const r = (row + n) * G;
    const cs = (row + n) * H;
    const cp = (row - B + n) * H; // c_{t−1}; c_{−1} = 0
    for (let j = 0; j < H; j++) {
      const k = q + j;
      const i = S[r + j];
      const f = S[r + H + j];
      const g = 2 * S[r + 2 * H + j] - 1;
      const o = S[r + 3 * H + j];
      const tc = TC[cs + j];
      const cPrev = t > 0 ? C[cp + j] : 0;
      const d = dh[k];
      const dcSum = dc[k] + d * o * (1 - tc * tc);
      dc[k] = dcSum * f;
      dz[r + j] = dcSum * g * i * (1 - i);
      dz[r + H + j] = dcSum * cPrev * f * (1 - f);
      dz[r + 2 * H + j] = dcSum * i * (1 - g * g);
      dz[r + 3 * H + j] = d * tc * o * (1 - o);
    }
  }
}

/**
 * Wa = [R; K; b] with the c-gate columns doubled, `[H+F+1, 4H]`, into `wa`: the right operand of every step's gate
 * product, on either path. ×2 is exact in float32.
 */
function stackWeights(w: LstmWeights, wa: Float32Array): Float32Array {
  const [H, G] = w.recurrentKernel.shape;
  const F = w.kernel.shape[0];
  wa.set(w.recurrentKernel.dataSync() as Float32Array);
  wa.set(w.kernel.dataSync() as Float32Array, H * G);
  wa.set(w.bias.dataSync() as Float32Array, (H + F) * G);
  for (let r = 0; r < H + F + 1; r++) for (let j = 2 * H; j < 3 * H; j++) wa[r * G + j] *= 2;
  return wa;
}

/** Runs the LSTM over a batch into `ws`; h after the last step lands in `ws.hLast`. */
function forward(w: LstmWeights, x: Float32Array, ws: Workspace, profile?: FastProfile): void {
  const { B, T, H, F, ha } = ws;
  const K = H + F + 1;
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < B; n++) {
      const r = (t * B + n) * K;
      const src = (n * T + t) * F;
      for (let f = 0; f < F; f++) ha[r + H + f] = x[src + f];
      ha[r + H + F] = 1;
    }
  }
  ws.cNow.fill(0);
  if (ws.arena) return forwardWasm(w, ws, ws.arena, profile);
  let t0 = profile ? performance.now() : 0;
  const wa = tf.tensor2d(stackWeights(w, ws.wa), [K, 4 * H]);
  t0 = lap(profile, "other", t0);
  for (let t = 0; t < T; t++) {
    const haT = tf.tensor2d(ha.subarray(t * B * K, (t + 1) * B * K), [B, K]); // [B, H+F+1]
    const z = tf.fused.matMul({ a: haT, b: wa, activation: "sigmoid" }); // [B, 4H]
    t0 = lap(profile, "forwardGemm", t0);
    const row = ws.step(t);
    if (ws.training) ws.gates.set(heap(z), row * 4 * H);
    cellState(heap(z), ws, row);
    t0 = lap(profile, "forwardCell", t0);
    const c2 = tf.tensor2d(ws.c2, [B, H]);
    const sig2c = tf.sigmoid(c2); // [B, H]
    t0 = lap(profile, "forwardGemm", t0);
    const last = t + 1 === T;
    const h = last ? ws.hLast : ha.subarray((t + 1) * B * K);
    cellOutput(heap(z), heap(sig2c), ws, row, h, last ? H : K);
    t0 = lap(profile, "forwardCell", t0);
    tf.dispose([haT, z, c2, sig2c]);
    t0 = lap(profile, "other", t0);
  }
  wa.dispose();
}

/** One product on the project's kernels: its shape, and where its operands start. */
export interface LstmProduct {
  /** The shape and strides. */
  shape: GemmShape;
  /** Floats into A where element (0, 0) is. */
  a: number;
  /** Floats into B where element (0, 0) is. */
  b: number;
  /** Floats into C where element (0, 0) is. */
  c: number;
}

/**
 * The products of a batch on the project's kernels (`matmul` `fma`), one owner for the step and the bench
 * (K = H + F + 1; A, B and C as in {@link Workspace}):
 * - `gates`: the gates of step t ≥ 1, `[B, K] · Wa` with the sigmoid fused (offsets of step 0; a step adds
 *   t·B·K to A and t·B·4H to C);
 * - `gatesFirst`: step 0's, `[B, F + 1] · Wa[H:]`, since h_{−1} = 0;
 * - `dh`: dh of step t ≥ 1, `dz_t · Rᵀ` (step 0's is not needed);
 * - `weightsRecurrent`: the rows of R in the weight gradient, `h_{t−1}ᵀ · dz_t` over steps 1…T−1;
 * - `weightsInput`: the rows of the kernel and the bias, `[x_t, 1]ᵀ · dz_t` over every step.
 *
 * What is left out multiplies h_{−1} = 0. A float32 sum that starts at +0 stays +0 through products of 0 with finite
 * numbers (+0 + −0 is +0), so leaving those terms out, at the start of each sum, gives the same bytes while the
 * weights and dz are finite.
 *
 * @param B Series.
 * @param T Steps (with 1, `weightsRecurrent` has K = 0: R's gradient is 0).
 * @param H Units.
 * @param F Inputs a step.
 * @returns The products.
 */
export function lstmProducts(
  B: number,
  T: number,
  H: number,
  F: number,
): Record<"gates" | "gatesFirst" | "dh" | "weightsRecurrent" | "weightsInput", LstmProduct> {
  const K = H + F + 1;
  const G = 4 * H;
  return {
    gates: { shape: { M: B, K, N: G, aRow: K, aK: 1, ldb: G, ldc: G, sigmoid: true }, a: 0, b: 0, c: 0 },
    gatesFirst: {
      shape: { M: B, K: F + 1, N: G, aRow: K, aK: 1, ldb: G, ldc: G, sigmoid: true },
      a: H,
      b: H * G,
      c: 0,
    },
    dh: { shape: { M: B, K: G, N: H, aRow: G, aK: 1, ldb: H, ldc: H }, a: 0, b: 0, c: 0 },
    weightsRecurrent: {
      shape: { M: H, K: (T - 1) * B, N: G, aRow: 1, aK: K, ldb: G, ldc: G },
      a: B * K,
      b: B * G,
      c: 0,
    },
    weightsInput: { shape: { M: F + 1, K: T * B, N: G, aRow: 1, aK: K, ldb: G, ldc: G }, a: H, b: 0, c: H * G },
  };
}

/** {@link forward} on the project's kernels: the products write the gates in place and the cell runs in float32
 * SIMD, no copy and no tfjs op. */
function forwardWasm(w: LstmWeights, ws: Workspace, arena: WasmArena, profile?: FastProfile): void {
  const { B, T, H, F, ha } = ws;
  const K = H + F + 1;
  const G = 4 * H;
  let t0 = profile ? performance.now() : 0;
  const wa = stackWeights(w, ws.wa);
  const { gates, gatesFirst } = lstmProducts(B, T, H, F);
  t0 = lap(profile, "other", t0);
  for (let t = 0; t < T; t++) {
    const row = ws.step(t);
    const z = ws.gates.subarray(row * G, (row + B) * G);
    const p = t === 0 ? gatesFirst : gates; // the gates' sigmoid fused
    arena.gemm(p.shape, ha.subarray(t * B * K + p.a), wa.subarray(p.b), z.subarray(p.c));
    t0 = lap(profile, "forwardGemm", t0);
    const last = t + 1 === T;
    arena.cellForward(B, H, {
      z,
      cNow: ws.cNow,
      cTape: ws.c.subarray(row * H),
      tcTape: ws.tc.subarray(row * H),
      h: last ? ws.hLast : ha.subarray((t + 1) * B * K),
      hStride: last ? H : K,
    });
    t0 = lap(profile, "forwardCell", t0);
  }
}

/**
 * The output layer, p = sigmoid(h_T · Wd + bd) per series.
 *
 * @param hLast h after the last step, `[B, H]`.
 * @param B Series.
 * @param H Units.
 * @param wd The output kernel, `[H]`.
 * @param bd The output bias.
 * @returns P(class 1), `[B]`.
 */
export function outputLayer(hLast: Float32Array, B: number, H: number, wd: Float32Array, bd: number): Float32Array {
  const p = new Float32Array(B);
  for (let n = 0; n < B; n++) {
    let logit = bd;
    for (let j = 0; j < H; j++) logit += hLast[n * H + j] * wd[j];
    p[n] = 1 / (1 + Math.exp(-logit));
  }
  return p;
}

/**
 * Back through the output layer and the loss: the output layer's gradients, and d loss / d h_T.
 * d mean(w·BCE) / d logit = w·(p − y) / B, zero where Keras's clip of p is active.
 *
 * @param hLast h after the last step, `[B, H]`.
 * @param H Units.
 * @param wd The output kernel, `[H]`.
 * @param probabilities The output layer's p, `[B]`.
 * @param batch The batch's labels and loss weights.
 * @param dh Receives d loss / d h_T, `[B, H]`.
 * @returns The output kernel's and bias's gradients.
 */
export function outputBackward(
  hLast: Float32Array,
  H: number,
  wd: Float32Array,
  probabilities: Float32Array,
  batch: Batch,
  dh: Float32Array,
): { denseKernel: Float32Array; denseBias: number } {
  const B = batch.size;
  const dLogit = new Float64Array(B);
  for (let n = 0; n < B; n++) {
    const p = probabilities[n];
    const clipped = p < BCE_EPSILON || p > 1 - BCE_EPSILON;
    dLogit[n] = clipped ? 0 : ((batch.w ? batch.w[n] : 1) * (p - batch.y[n])) / B;
  }
  const denseKernel = new Float32Array(H);
  for (let j = 0; j < H; j++) {
    let sum = 0;
    for (let n = 0; n < B; n++) sum += hLast[n * H + j] * dLogit[n];
    denseKernel[j] = sum;
  }
  const denseBias = dLogit.reduce((a, b) => a + b, 0);
  for (let n = 0; n < B; n++) {
    for (let j = 0; j < H; j++) dh[n * H + j] = dLogit[n] * wd[j];
  }
  return { denseKernel, denseBias };
}

/**
 * Loss and gradients of one batch by hand-written backpropagation through time.
 * Matches {@link referenceGradients} on the same weights and batch (tests/fast_test.ts).
 *
 * @param w The weights, in tf.layers layout.
 * @param batch The mini-batch.
 * @param profile When given, the time of each phase is added to it.
 * @param matmul Whose products and sigmoids: tfjs-WASM's XNNPACK, or the project's fused multiply-add kernels.
 * @returns Loss, probabilities and gradients keyed by weight role.
 */
export function fastGradients(
  w: LstmWeights,
  batch: Batch,
  profile?: FastProfile,
  matmul: Matmul = "xnnpack",
): BatchGradients {
  const { size: B, seriesLength: T } = batch;
  const H = w.recurrentKernel.shape[0];
  const F = w.kernel.shape[0];
  if (batch.x.length !== B * T * F) {
    throw new RangeError(
      `A batch of ${B} series of ${T} steps needs ${B * T * F} inputs (${F} a step), got ${batch.x.length}`,
    );
  }
  const ws = workspaceFor(B, T, H, F, true, matmul);
  const wd = w.denseKernel.dataSync() as Float32Array;
  const bd = w.denseBias.dataSync()[0];

  // forward
  let t0 = profile ? performance.now() : 0;
  forward(w, batch.x, ws, profile);
  t0 = profile ? performance.now() : 0;
  const probabilities = outputLayer(ws.hLast, B, H, wd, bd);
  const { denseKernel, denseBias } = outputBackward(ws.hLast, H, wd, probabilities, batch, ws.dh);

  ws.dc.fill(0);
  lap(profile, "other", t0);
  const grads = ws.arena ? backwardWasm(w, ws, ws.arena, profile) : backwardXnnpack(w, ws, profile);
  t0 = profile ? performance.now() : 0;
  const result = {
    loss: binaryCrossEntropy(batch.y, probabilities, batch.w),
    probabilities,
    grads: {
      ...grads,
      denseKernel: tf.tensor2d(denseKernel, [H, 1]),
      denseBias: tf.tensor1d([denseBias]),
    },
  };
  lap(profile, "other", t0);
  return result;
}

/** The LSTM's three weight gradients, in tf.layers' layout. */
type LstmGradients = { kernel: tf.Tensor2D; recurrentKernel: tf.Tensor2D; bias: tf.Tensor1D };

/** Back through time with the products on tfjs-WASM's XNNPACK and the cell in JS. */
function backwardXnnpack(w: LstmWeights, ws: Workspace, profile?: FastProfile): LstmGradients {
  const { B, T, H, F } = ws;
  const G = 4 * H;
  const K = H + F + 1;
  // dh_{t−1} = dz_t · Rᵀ                                                                    [B, H]
  let t0 = profile ? performance.now() : 0;
  const rT = tf.transpose(w.recurrentKernel); // [4H, H], packed once per batch
  t0 = lap(profile, "other", t0);
  for (let t = T - 1; t >= 0; t--) {
    cellBackward(ws, t);
    t0 = lap(profile, "backwardCell", t0);
    if (t === 0) break;
    const dzT = tf.tensor2d(ws.dz.subarray(t * B * G, (t + 1) * B * G), [B, G]);
    const dhT = tf.matMul(dzT, rT);
    ws.dh.set(heap(dhT));
    tf.dispose([dzT, dhT]);
    t0 = lap(profile, "backwardGemm", t0);
  }
  rT.dispose();

  // every step's weight and bias gradients in one GEMM: dWaᵀ = dzᵀ · ha             [4H, H+F+1]
  const dwT = tf.tidy(() => tf.matMul(tf.transpose(tf.tensor2d(ws.dz, [T * B, G])), tf.tensor2d(ws.ha, [T * B, K])));
  const v = heap(dwT);
  const recurrentKernel = new Float32Array(H * G);
  const kernel = new Float32Array(F * G);
  const bias = new Float32Array(G);
  for (let g = 0; g < G; g++) {
    const r = g * K;
    for (let j = 0; j < H; j++) recurrentKernel[j * G + g] = v[r + j];
    for (let f = 0; f < F; f++) kernel[f * G + g] = v[r + H + f];
    bias[g] = v[r + H + F];
  }
  dwT.dispose();
  const grads = {
    kernel: tf.tensor2d(kernel, [F, G]),
    recurrentKernel: tf.tensor2d(recurrentKernel, [H, G]),
    bias: tf.tensor1d(bias),
  };
  lap(profile, "weightGemm", t0);
  return grads;
}

/** Back through time on the project's kernels; the LSTM's weight gradients, in tf.layers' layout. */
function backwardWasm(w: LstmWeights, ws: Workspace, arena: WasmArena, profile?: FastProfile): LstmGradients {
  const { B, T, H, F, rT, dz, dwa } = ws;
  const G = 4 * H;
  const K = H + F + 1;
  let t0 = profile ? performance.now() : 0;
  const r = w.recurrentKernel.dataSync() as Float32Array; // [H, 4H]
  for (let j = 0; j < H; j++) for (let g = 0; g < G; g++) rT[g * H + j] = r[j * G + g];
  const products = lstmProducts(B, T, H, F);
  t0 = lap(profile, "other", t0);
  for (let t = T - 1; t >= 0; t--) {
    arena.cellBackward(B, H, {
      s: ws.gates.subarray(t * B * G),
      cPrev: t > 0 ? ws.c.subarray((t - 1) * B * H) : ws.zeros,
      tc: ws.tc.subarray(t * B * H),
      dh: ws.dh,
      dc: ws.dc,
      dz: dz.subarray(t * B * G),
    });
    t0 = lap(profile, "backwardCell", t0);
    if (t === 0) break;
    arena.gemm(products.dh.shape, dz.subarray(t * B * G), rT, ws.dh);
    t0 = lap(profile, "backwardGemm", t0);
  }
  // every step's weight and bias gradients: dWa = haᵀ · dz                 [H+F+1, 4H]
  for (const p of [products.weightsRecurrent, products.weightsInput]) {
    if (p.shape.K > 0) arena.gemm(p.shape, ws.ha.subarray(p.a), dz.subarray(p.b), dwa.subarray(p.c));
    else dwa.fill(0, p.c, p.c + p.shape.M * G); // one step: R meets only h_{−1} = 0
  }
  const grads = {
    recurrentKernel: tf.tensor2d(dwa.slice(0, H * G), [H, G]),
    kernel: tf.tensor2d(dwa.slice(H * G, (H + F) * G), [F, G]),
    bias: tf.tensor1d(dwa.slice((H + F) * G, K * G)),
  };
  lap(profile, "weightGemm", t0);
  return grads;
}

/**
 * Series per forward pass of {@link fastPredict}, by arithmetic. On the project's kernels a chunk of 100 keeps a
 * step's gates (320 KB) in cache beside Wa, where 1000 series' gates (3.2 MB) do not: `deno task bench` times the
 * validation pass both ways. On XNNPACK large chunks spend fewer tfjs ops.
 */
export const PREDICT_CHUNK: Readonly<Record<Matmul, number>> = { fma: 100, xnnpack: 1000 };

/**
 * P(class 1) for many series, forward only, in chunks.
 *
 * @param w The weights.
 * @param x Scaled digits, shape `[n, seriesLength, F]` (F: the kernel's rows).
 * @param seriesLength Steps per series.
 * @param chunk Series per forward pass; by default {@link PREDICT_CHUNK} of the arithmetic. Any chunk gives the same
 *   bytes.
 * @param matmul Whose products and sigmoids, as in {@link fastGradients}.
 * @returns Probabilities, shape `[n]`.
 */
export function fastPredict(
  w: LstmWeights,
  x: Float32Array,
  seriesLength: number,
  chunk?: number,
  matmul: Matmul = "xnnpack",
): Float32Array {
  const H = w.recurrentKernel.shape[0];
  const F = w.kernel.shape[0];
  const input = { x, seriesLength, chunk: chunk ?? PREDICT_CHUNK[matmul], width: F };
  return predictInChunks(w, input, (xs, size) => {
    const ws = workspaceFor(size, seriesLength, H, F, false, matmul);
    forward(w, xs, ws);
    return ws.hLast;
  });
}

/**
 * Runs a recurrent network's forward pass over many series in chunks, then the output layer.
 *
 * @param w The output layer's weights (`denseKernel` `[H, 1]`, `denseBias` `[1]`).
 * @param input The scaled digits `[n, seriesLength, width]` (width 1 when absent) and the series per chunk.
 * @param lastH Runs a chunk of `size` series and returns h after the last step, `[size, H]`.
 * @returns P(class 1), `[n]`.
 */
export function predictInChunks(
  w: { denseKernel: tf.Tensor; denseBias: tf.Tensor },
  input: { x: Float32Array; seriesLength: number; chunk: number; width?: number },
  lastH: (xs: Float32Array, size: number) => Float32Array,
): Float32Array {
  const { x, chunk } = input;
  const seriesLength = input.seriesLength * (input.width ?? 1); // values per series
  const n = x.length / seriesLength;
  const H = w.denseKernel.shape[0];
  const wd = w.denseKernel.dataSync() as Float32Array;
  const bd = w.denseBias.dataSync()[0];
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const h = lastH(x.subarray(start * seriesLength, (start + size) * seriesLength), size);
    out.set(outputLayer(h, size, H, wd, bd), start);
  }
  return out;
}
