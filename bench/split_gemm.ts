/**
 * Does the second vCPU pay for the fast path's products? Times the 30 gate products of one batch
 * (`[50, 202] × [202, 800]`, sigmoid fused) on one thread, and split by output columns over two
 * threads (this one and a worker, each with its own tfjs-WASM, synchronised through shared memory),
 * taking turns. A column split keeps every output element's sum in the same order, so the result
 * is checked to be bit-identical.
 *
 *   deno run -A bench/split_gemm.ts [rounds]
 * @module
 */
import { initBackend, tf } from "../src/train/backend.ts";
import { heap } from "../src/train/fast.ts";
import { createRng } from "../src/core/rng.ts";
import { median } from "../src/core/stats.ts";
import type { SplitShared } from "./split_gemm_worker.ts";

await initBackend();
const rounds = Number(Deno.args[0] ?? 30);
const B = 50, K = 202, N = 800, T = 30;
const half = N / 2;
const shared: SplitShared = {
  ctrl: new SharedArrayBuffer(8),
  a: new SharedArrayBuffer(B * K * 4),
  w: new SharedArrayBuffer(K * N * 4),
  out: new SharedArrayBuffer(B * N * 4),
  B,
  K,
  N,
  half,
};
const A = new Float32Array(shared.a);
const W = new Float32Array(shared.w);
const O = new Float32Array(shared.out);
const c = new Int32Array(shared.ctrl);
const rng = createRng(7);
for (let i = 0; i < A.length; i++) A[i] = rng.nextFloat() - 0.5;
for (let i = 0; i < W.length; i++) W[i] = 0.1 * (rng.nextFloat() - 0.5);

const worker = new Worker(new URL("./split_gemm_worker.ts", import.meta.url).href, { type: "module" });
const next = () => new Promise((resolve) => (worker.onmessage = resolve));
await next(); // loaded
const ready = next();
worker.postMessage(shared);
await ready;

const wFull = tf.tensor2d(W, [K, N]);
const left = new Float32Array(K * half);
for (let k = 0; k < K; k++) left.set(W.subarray(k * N, k * N + half), k * half);
const wLeft = tf.tensor2d(left, [K, half]);
const full = new Float32Array(B * N);
let generation = 0;

function oneThread(): void {
  for (let t = 0; t < T; t++) {
    const at = tf.tensor2d(A, [B, K]);
    const z = tf.fused.matMul({ a: at, b: wFull, activation: "sigmoid" });
    full.set(heap(z));
    tf.dispose([at, z]);
  }
}

function twoThreads(): void {
  for (let t = 0; t < T; t++) {
    generation++;
    Atomics.store(c, 0, generation);
    Atomics.notify(c, 0);
    const at = tf.tensor2d(A, [B, K]);
    const z = tf.fused.matMul({ a: at, b: wLeft, activation: "sigmoid" });
    const v = heap(z);
    for (let n = 0; n < B; n++) O.set(v.subarray(n * half, (n + 1) * half), n * N);
    tf.dispose([at, z]);
    while (Atomics.load(c, 1) !== generation) Atomics.wait(c, 1, Atomics.load(c, 1), 1);
  }
}

oneThread();
twoThreads();
const identical = full.every((v, i) => v === O[i]);
const one: number[] = [];
const two: number[] = [];
for (let r = 0; r < rounds; r++) {
  let start = performance.now();
  oneThread();
  one.push(performance.now() - start);
  start = performance.now();
  twoThreads();
  two.push(performance.now() - start);
}
Atomics.store(c, 0, -1);
Atomics.notify(c, 0);
const f = (x: number) => x.toFixed(2);
console.log(
  `the 30 gate products of one batch, ${rounds} rounds taking turns; two threads bit-identical: ${identical}`,
);
console.log(`  one thread   median ${f(median(one))} ms, min ${f(Math.min(...one))} ms`);
console.log(`  two threads  median ${f(median(two))} ms, min ${f(Math.min(...two))} ms`);
console.log(
  `  speed-up     median ${f(median(one) / median(two))}x, of the minima ${f(Math.min(...one) / Math.min(...two))}x`,
);
tf.dispose([wFull, wLeft]);
