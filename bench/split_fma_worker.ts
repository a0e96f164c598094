/**
 * The worker of `bench/split_fma.ts`: runs its half of a product on the shared memory whenever the main thread
 * bumps the go counter, then bumps the done counter.
 * @module
 */
import { gemmModule, type GemmShape, RESERVED_FLOATS } from "../src/train/wasm_kernels.ts";

/** What the main thread sends once. */
export interface SplitFmaJob {
  /** The shared memory; the 32 bytes at `RESERVED_FLOATS` (after what the kernels reserve) are this bench's control
   * words: go, done, mode (1 spin, 0 wait), stop, product. */
  memory: WebAssembly.Memory;
  /** Per product: the worker's half (shape and byte offsets of A, B, C). */
  halves: { shape: GemmShape; a: number; b: number; c: number }[];
}

const self_ = self as unknown as Worker;
self_.onmessage = (event: MessageEvent<SplitFmaJob>) => {
  const { memory, halves } = event.data;
  const kernels = halves.map((h) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(gemmModule(h.shape, true)), { e: { m: memory } });
    const f = instance.exports.f as (a: number, b: number, c: number) => void;
    return () => f(h.a, h.b, h.c);
  });
  const ctl = new Int32Array(memory.buffer, 4 * RESERVED_FLOATS, 8);
  let seen = 0;
  self_.postMessage("ready");
  for (;;) {
    if (Atomics.load(ctl, 2) === 1) {
      while (Atomics.load(ctl, 0) === seen && Atomics.load(ctl, 3) === 0) {
        /* spin */
      }
    } else Atomics.wait(ctl, 0, seen);
    if (Atomics.load(ctl, 3) !== 0) return;
    seen = Atomics.load(ctl, 0);
    kernels[Atomics.load(ctl, 4)]();
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
};
