/**
 * The worker of a two-thread `WasmArena`: it receives the arena's shared memory once, then runs the product
 * described in the control words (`CONTROL`) each time the main thread bumps `go`, and bumps `done` to the
 * same value when its part of C is written. Between jobs it spins for a while (the next product of a step follows
 * within microseconds), then sleeps in `Atomics.wait`.
 * @module
 */
import { CONTROL, gemmModule, type GemmShape } from "./wasm_kernels.ts";

/** How long the worker spins for the next job before it sleeps. */
const SPIN_MS = 2;

const worker = self as unknown as Worker;
worker.onmessage = (event: MessageEvent<WebAssembly.Memory>) => {
  const memory = event.data;
  const ctl = new Int32Array(memory.buffer, 4 * CONTROL.base, 16);
  const kernels = new Map<string, (a: number, b: number, c: number) => void>();
  let seen = Atomics.load(ctl, CONTROL.go);
  Atomics.store(ctl, CONTROL.ready, 1);
  for (;;) {
    const idle = performance.now();
    for (let spins = 0; Atomics.load(ctl, CONTROL.go) === seen; spins++) {
      if ((spins & 0x3ff) === 0x3ff && performance.now() - idle > SPIN_MS) Atomics.wait(ctl, CONTROL.go, seen);
    }
    seen = Atomics.load(ctl, CONTROL.go);
    if (Atomics.load(ctl, CONTROL.stop) !== 0) return;
    try {
      const [M, K, N, aRow, aK, ldb, ldc, sigmoid] = ctl.slice(CONTROL.shape, CONTROL.shape + 8);
      const shape: GemmShape = { M, K, N, aRow, aK, ldb, ldc, sigmoid: sigmoid === 1 };
      const key = [M, K, N, aRow, aK, ldb, ldc, sigmoid].join(",");
      let f = kernels.get(key);
      if (!f) {
        const instance = new WebAssembly.Instance(new WebAssembly.Module(gemmModule(shape, true)), {
          e: { m: memory },
        });
        f = instance.exports.f as (a: number, b: number, c: number) => void;
        kernels.set(key, f);
      }
      f(ctl[CONTROL.operands], ctl[CONTROL.operands + 1], ctl[CONTROL.operands + 2]);
    } catch (error) {
      console.error(`kernel worker: ${(error as Error).message}`);
      Atomics.store(ctl, CONTROL.failed, 1);
    }
    Atomics.store(ctl, CONTROL.done, seen);
  }
};
