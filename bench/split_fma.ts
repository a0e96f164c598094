/**
 * Does the second vCPU pay for the fast path's products on the project's FMA kernels (`matmul: "fma"`)? Times the
 * products of one training batch (`lstmProducts`: 29 gate products `[50, 202] × [202, 800]` with the sigmoid fused
 * and step 0's `[50, 2] × [2, 800]`, 29 backward products `[50, 800] × [800, 200]`, the weight gradient
 * `[200, 1450] × [1450, 800]` and `[2, 1500] × [1500, 800]`) on one thread, and split by
 * output columns over two (this one and a worker, on one shared WebAssembly memory), taking turns round by round.
 * A column split at a multiple of 8 columns runs every output element through the same tile code, so the result is
 * checked to be bit-identical. The worker either spins or sleeps in `Atomics.wait` between products. One thread on
 * a plain (not shared) memory, as the trainer runs today, is timed in the same rounds.
 *
 *   deno run -A bench/split_fma.ts [rounds]
 * @module
 */
import { gemmModule, type GemmShape, RESERVED_FLOATS, splitColumns } from "../src/train/wasm_kernels.ts";
import { lstmProducts } from "../src/train/fast.ts";
import { median } from "../src/core/stats.ts";
import type { SplitFmaJob } from "./split_fma_worker.ts";

const rounds = Number(Deno.args[0] ?? 20);
const [B, T, H] = [50, 30, 200];
const p = lstmProducts(B, T, H, 1);
const { K, N: G } = p.gates.shape;
// floats: the kernels' constants, control words, then the operands
const layout = { ha: T * B * K, wa: K * G, dz: T * B * G, rT: G * H, dh: B * H, dwa: K * G, z: B * G };
let at = RESERVED_FLOATS + 16;
const offsets: Record<string, number> = {};
for (const [key, n] of Object.entries(layout)) [offsets[key], at] = [at, at + n + 4];
const pages = Math.ceil((at + 16) * 4 / 65536);
const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
const plainMemory = new WebAssembly.Memory({ initial: pages, maximum: pages });
const f32 = new Float32Array(memory.buffer);
for (const key of ["ha", "wa", "dz", "rT"]) {
  for (let i = 0; i < layout[key as keyof typeof layout]; i++) f32[offsets[key] + i] = 0.1 * Math.sin(i + offsets[key]);
}
new Float32Array(plainMemory.buffer).set(f32);
const bytes = (key: string) => 4 * offsets[key];

/** One product: its shape and operands' byte offsets. */
const products = [
  { q: p.gatesFirst, a: "ha", b: "wa", c: "z" },
  { q: p.gates, a: "ha", b: "wa", c: "z" },
  { q: p.dh, a: "dz", b: "rT", c: "dh" },
  { q: p.weightsRecurrent, a: "ha", b: "dz", c: "dwa" },
  { q: p.weightsInput, a: "ha", b: "dz", c: "dwa" },
].map(({ q, a, b, c }) => ({ shape: q.shape, a: bytes(a) + 4 * q.a, b: bytes(b) + 4 * q.b, c: bytes(c) + 4 * q.c }));
const counts = [1, T - 1, T - 1, 1, 1];
const kernel = (shape: GemmShape, on = memory) => {
  const module = new WebAssembly.Module(gemmModule(shape, on === memory));
  return new WebAssembly.Instance(module, { e: { m: on } }).exports.f as (a: number, b: number, c: number) => void;
};
/** Columns of the first half, as a two-thread `WasmArena` splits. */
const split = splitColumns;
const full = products.map((p) => kernel(p.shape));
const plain = products.map((p) => kernel(p.shape, plainMemory));
const mine = products.map((p) => kernel({ ...p.shape, N: split(p.shape.N) }));
const halves: SplitFmaJob["halves"] = products.map((p) => {
  const n1 = split(p.shape.N);
  return { shape: { ...p.shape, N: p.shape.N - n1 }, a: p.a, b: p.b + 4 * n1, c: p.c + 4 * n1 };
});

const ctl = new Int32Array(memory.buffer, 4 * RESERVED_FLOATS, 8);
const worker = new Worker(new URL("./split_fma_worker.ts", import.meta.url).href, { type: "module" });
const ready = new Promise((resolve) => (worker.onmessage = resolve));
worker.postMessage({ memory, halves } satisfies SplitFmaJob);
await ready;

let go = 0;
function runSplit(k: number): void {
  const p = products[k];
  const before = Atomics.load(ctl, 1);
  Atomics.store(ctl, 4, k);
  Atomics.store(ctl, 0, ++go);
  Atomics.notify(ctl, 0);
  mine[k](p.a, p.b, p.c);
  while (Atomics.load(ctl, 1) === before) { /* spin until the worker's half is done */ }
}
const batch = (run: (k: number) => void) => {
  const start = performance.now();
  for (let k = 0; k < products.length; k++) for (let r = 0; r < counts[k]; r++) run(k);
  return performance.now() - start;
};
const one = (k: number) => full[k](products[k].a, products[k].b, products[k].c);
const onePlain = (k: number) => plain[k](products[k].a, products[k].b, products[k].c);

// bit-identical: each output once single, once split
for (let k = 0; k < products.length; k++) {
  const { c, shape } = products[k];
  const n = (shape.M - 1) * shape.ldc + shape.N;
  one(k);
  const single = f32.slice(c / 4, c / 4 + n);
  f32.fill(0, c / 4, c / 4 + n);
  runSplit(k);
  const both = f32.slice(c / 4, c / 4 + n);
  if (!single.every((x, i) => Object.is(x, both[i]))) throw new Error(`product ${k}: the split changed the bytes`);
}
console.log("split results bit-identical to one thread: yes");

for (const mode of [1, 0]) {
  Atomics.store(ctl, 2, mode);
  Atomics.store(ctl, 0, ++go); // wake a sleeping worker into the new mode
  Atomics.notify(ctl, 0);
  while (Atomics.load(ctl, 1) < go - 1) { /* its run of that wake-up */ }
  const t0: number[] = [];
  const t1: number[] = [];
  const t2: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t0.push(batch(onePlain));
    t1.push(batch(one));
    t2.push(batch(runSplit));
  }
  const [m0, m1, m2] = [t0, t1, t2].map(median);
  const fig = (m: number, t: number[]) => `${m.toFixed(2)} ms (min ${Math.min(...t).toFixed(2)})`;
  console.log(
    `worker ${mode ? "spinning" : "in Atomics.wait"}, per batch's products: one thread on a plain memory ${
      fig(m0, t0)
    }, on the shared one ${fig(m1, t1)}, two threads ${fig(m2, t2)}: ${(m0 / m2).toFixed(2)}x the plain one thread`,
  );
}
Atomics.store(ctl, 3, 1);
Atomics.store(ctl, 0, ++go);
Atomics.notify(ctl, 0);
worker.terminate();
