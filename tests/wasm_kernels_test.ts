import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  cellBackwardModule,
  cellForwardModule,
  CONTROL,
  gemmModule,
  type GemmShape,
  RESERVED_FLOATS,
  sigmoidModule,
  WasmArena,
} from "../src/train/wasm_kernels.ts";
import { type LstmProduct, lstmProducts } from "../src/train/fast.ts";

/** Small integers, so every product and sum is exact in float32 and the kernel must match to the bit. */
function ints(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) % 7 - 3);
}

/** Waits until a two-thread arena's worker runs; it starts asynchronously. */
async function workerStarted(arena: WasmArena): Promise<void> {
  for (let waited = 0; !arena.workerReady; waited += 10) {
    assert(waited < 10_000, "the worker did not start in 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function naive(s: GemmShape, a: Float32Array, b: Float32Array, c: Float32Array): void {
  for (let i = 0; i < s.M; i++) {
    for (let j = 0; j < s.N; j++) {
      let sum = 0;
      for (let k = 0; k < s.K; k++) sum += a[i * s.aRow + k * s.aK] * b[k * s.ldb + j];
      c[i * s.ldc + j] = sum;
    }
  }
}

Deno.test("WasmArena.gemm: C = A·B exactly on integer inputs, for any shape, row- or column-major A, and padded strides; the columns past N untouched", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 13 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 21 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 1000 }),
      (M, K, N, columnMajor, pad, seed) => {
        const s: GemmShape = columnMajor
          ? { M, K, N, aRow: 1, aK: M + pad, ldb: N + pad, ldc: N + pad }
          : { M, K, N, aRow: K + pad, aK: 1, ldb: N + pad, ldc: N + pad };
        const arena = new WasmArena(3 * 64 * 64);
        const a = arena.alloc(columnMajor ? K * (M + pad) : M * (K + pad));
        const b = arena.alloc(K * (N + pad));
        const c = arena.alloc(M * (N + pad) + 8);
        a.set(ints(a.length, seed));
        b.set(ints(b.length, seed + 1));
        c.fill(99);
        const want = c.slice();
        naive(s, a, b, want);
        arena.gemm(s, a, b, c);
        assertEquals(c, want);
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("WasmArena.gemm: a long k, summed in chunks, gives the bytes of one sum in order (exact on integers)", () => {
  for (const [M, K, N] of [[202, 700, 13], [300, 450, 9]]) {
    const s: GemmShape = { M, K, N, aRow: 1, aK: M, ldb: N, ldc: N };
    const arena = new WasmArena(M * K + K * N + M * N + 16);
    const [a, b, c] = [arena.alloc(M * K), arena.alloc(K * N), arena.alloc(M * N)];
    a.set(ints(a.length, 5));
    b.set(ints(b.length, 6));
    const want = new Float32Array(M * N);
    naive(s, a, b, want);
    arena.gemm(s, a, b, c);
    assertEquals(c, want);
  }
});

Deno.test("WasmArena.gemm: a long k summed in chunks, the sigmoid fused, gives each row the bytes of that row alone, unchunked (non-integer data)", () => {
  const [M, K, N] = [300, 450, 13];
  const s: GemmShape = { M, K, N, aRow: K, aK: 1, ldb: N, ldc: N, sigmoid: true };
  const arena = new WasmArena(M * K + K * N + M * N + N + 16);
  const [a, b, c, row] = [arena.alloc(M * K), arena.alloc(K * N), arena.alloc(M * N), arena.alloc(N)];
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i) * 0.2;
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(i * 0.37) * 0.2;
  arena.gemm(s, a, b, c); // M·K = 135,000: summed in chunks of k
  for (const i of [0, 1, 137, 299]) {
    arena.gemm({ ...s, M: 1 }, a.subarray(i * K), b, row); // one row: one sum
    assertEquals(row, c.slice(i * N, (i + 1) * N), `row ${i}`);
  }
});

Deno.test("gemmModule(shape, true) imports a shared memory (one a worker can also see) and gives the plain module's bytes", () => {
  const s: GemmShape = { M: 7, K: 9, N: 13, aRow: 9, aK: 1, ldb: 13, ldc: 13, sigmoid: true };
  const run = (shared: boolean) => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared });
    const f32 = new Float32Array(memory.buffer);
    const a = RESERVED_FLOATS; // below it the module writes its constants
    for (let i = 0; i < 63 + 117; i++) f32[a + i] = Math.sin(i) * 0.4;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(gemmModule(s, shared)), { e: { m: memory } });
    (instance.exports.f as (a: number, b: number, c: number) => void)(4 * a, 4 * (a + 63), 4 * (a + 256));
    return f32.slice(a + 256, a + 256 + 91);
  };
  assertEquals(run(true), run(false));
  assertThrows(() =>
    new WebAssembly.Instance(new WebAssembly.Module(gemmModule(s, true)), {
      e: { m: new WebAssembly.Memory({ initial: 1 }) },
    })
  );
});

Deno.test("WasmArena.gemm: the weight gradient's shape agrees with a float64 product to 1e-6 of Σ|a·b|", () => {
  const arena = new WasmArena(202 * 1500 + 1500 * 800 + 202 * 800);
  const s: GemmShape = { M: 202, K: 1500, N: 800, aRow: 1, aK: 202, ldb: 800, ldc: 800 };
  const a = arena.alloc(1500 * 202);
  const b = arena.alloc(1500 * 800);
  a.set(a.map((_, i) => Math.sin(i)));
  b.set(b.map((_, i) => Math.cos(i * 0.7)));
  const c = arena.alloc(202 * 800);
  arena.gemm(s, a, b, c);
  const want = new Float64Array(202 * 800);
  const scale = new Float64Array(202 * 800);
  for (let k = 0; k < 1500; k++) {
    for (let i = 0; i < 202; i++) {
      const x = a[k * 202 + i];
      for (let j = 0; j < 800; j++) {
        want[i * 800 + j] += x * b[k * 800 + j];
        scale[i * 800 + j] += Math.abs(x * b[k * 800 + j]);
      }
    }
  }
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(c[i] - want[i]) / scale[i]);
  assert(worst < 1e-6, `worst error ${worst} of Σ|a·b|`);
});

Deno.test("WasmArena.gemm with sigmoid: the bytes of the product then WasmArena.sigmoid, chunked or not, tails included", () => {
  for (const [M, K, N] of [[50, 202, 800], [7, 5, 13], [300, 450, 9]]) {
    const s: GemmShape = { M, K, N, aRow: K, aK: 1, ldb: N, ldc: N };
    const arena = new WasmArena(M * K + K * N + 2 * M * N + 16);
    const [a, b, c, d] = [arena.alloc(M * K), arena.alloc(K * N), arena.alloc(M * N), arena.alloc(M * N)];
    for (let i = 0; i < a.length; i++) a[i] = Math.sin(i) * 0.3;
    for (let i = 0; i < b.length; i++) b[i] = Math.cos(i) * 0.3;
    arena.gemm(s, a, b, c);
    arena.sigmoid(c);
    arena.gemm({ ...s, sigmoid: true }, a, b, d);
    assertEquals(d, c);
    assert(d.every((x) => x > 0 && x < 1));
  }
});

Deno.test("WasmArena.sigmoid: within 2e-7 of 1/(1+e^-x) from -100 to 100, in place or not, no float written past the end; NaN in, NaN out", () => {
  for (const n of [1, 3, 4, 7, 4001]) {
    const arena = new WasmArena(2 * n + 16);
    const x = arena.alloc(n);
    x.set(x.map((_, i) => n === 1 ? 0.5 : -100 + (200 * i) / (n - 1)));
    const y = arena.alloc(n + 4).fill(7);
    arena.sigmoid(x, y);
    for (let i = 0; i < n; i++) {
      const want = 1 / (1 + Math.exp(-x[i]));
      assert(Math.abs(y[i] - want) <= 2e-7, `σ(${x[i]}) = ${y[i]}, want ${want}`);
    }
    assertEquals([...y.subarray(n)], [7, 7, 7, 7]);
    const copy = y.slice(0, n);
    arena.sigmoid(x);
    assertEquals(x, copy);
  }
  const arena = new WasmArena(8);
  const x = arena.alloc(8);
  x.set([0, -0, 1e-30, -1e-30, 87, -87, 90, -90]);
  arena.sigmoid(x);
  assertEquals([...x.subarray(0, 4)], [0.5, 0.5, 0.5, 0.5]);
  assert(x[4] === 1 && x[6] === 1 && x[5] > 0 && x[5] < 1e-37 && x[7] > 0 && x[7] < 1e-37, `${x}`);
  // a NaN goes through, so a diverged network shows in its loss
  x.set([NaN, -NaN, Infinity, -Infinity, NaN, 0, NaN, 1]);
  arena.sigmoid(x);
  assertEquals([...x].map((v) => Number.isNaN(v)), [true, true, false, false, true, false, true, false]);
  assertEquals([x[2], x[5]], [1, 0.5]);
});

Deno.test("WasmArena: no buffer overlaps the kernels' constants, so a kernel run after every buffer is overwritten still gives the same bytes", () => {
  const arena = new WasmArena(64);
  const x = arena.alloc(32);
  const y = arena.alloc(32);
  assert(x.byteOffset >= 4 * RESERVED_FLOATS, `the first buffer starts at byte ${x.byteOffset}`);
  x.set(x.map((_, i) => (i - 16) / 3));
  arena.sigmoid(x, y); // instantiates the module, which writes the constants
  const first = y.slice();
  y.fill(NaN);
  const saved = x.slice();
  x.fill(NaN);
  x.set(saved);
  arena.sigmoid(x, y);
  assertEquals(y, first);
  assertThrows(() => arena.alloc(1), RangeError, "A buffer of 1 floats does not fit: 0 of 64 left");
});

Deno.test("WasmArena with threads 2: every product of an LSTM batch, split with the worker, gives the bytes of one thread; close() stops it", async () => {
  const [B, T, H, F] = [50, 4, 200, 1];
  const p = lstmProducts(B, T, H, F);
  const [K, G] = [H + F + 1, 4 * H];
  const make = (threads: number) => {
    const arena = new WasmArena(T * B * K + K * G + T * B * G + G * H + K * G + B * H + 64, { threads });
    const [ha, wa, z, rT, dwa, dh] = [T * B * K, K * G, T * B * G, G * H, K * G, B * H].map((n) => arena.alloc(n));
    for (const x of [ha, wa, z, rT]) x.set(x.map((_, i) => 0.1 * Math.sin(0.37 * i + x.length)));
    const run = () => {
      const go = (q: LstmProduct, a: Float32Array, b: Float32Array, c: Float32Array) =>
        arena.gemm(q.shape, a.subarray(q.a), b.subarray(q.b), c.subarray(q.c));
      go(p.gatesFirst, ha, wa, z);
      for (let t = 1; t < T; t++) go(p.gates, ha.subarray(t * B * K), wa, z.subarray(t * B * G));
      go(p.dh, z.subarray(B * G), rT, dh);
      go(p.weightsRecurrent, ha, z, dwa);
      go(p.weightsInput, ha, z, dwa);
      return [z, dh, dwa].map((x) => x.slice());
    };
    return { arena, run };
  };
  const two = make(2);
  try {
    assertEquals(two.arena.threads, 2);
    await workerStarted(two.arena);
    const want = make(1).run();
    assertEquals(two.run(), want);
    assertEquals(two.run(), want, "and again, with the worker's modules compiled");
  } finally {
    two.arena.close();
  }
  assert(!two.arena.workerReady);
  assertEquals(two.run(), make(1).run(), "closed, it goes on with one thread");
  assertThrows(() => new WasmArena(8, { threads: 3 }), RangeError, "An arena's threads must be 1 or 2, got 3");
});

Deno.test("WasmArena with threads 2 whose worker cannot start (no read permission for its module) runs on one thread: the same product, the reason kept", async () => {
  const url = new URL("../src/train/wasm_kernels.ts", import.meta.url).href;
  const code = `import { WasmArena } from "${url}";
const arena = new WasmArena(130000, { threads: 2 });
await new Promise((resolve) => setTimeout(resolve, 300));
const [a, b, c] = [0, 1, 2].map(() => arena.alloc(200 * 200));
a.fill(1);
b.fill(2);
arena.gemm({ M: 200, K: 200, N: 200, aRow: 200, aK: 1, ldb: 200, ldc: 200 }, a, b, c);
console.log(JSON.stringify({ c: [c[0], c[39999]], error: arena.workerError ?? null, ready: arena.workerReady }));
arena.close();`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(code));
  await writer.close();
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const result = JSON.parse(stdout.split("\n").pop()!);
  assertEquals(result.c, [400, 400]);
  assertEquals(result.ready, false);
  assert(/read access/.test(result.error), result.error);
});

Deno.test("WasmArena with threads 2: a product the worker fails is a one-line error naming it, and the arena goes on with one thread", async () => {
  const arena = new WasmArena(3 * 40_000 + 64, { threads: 2 });
  try {
    await workerStarted(arena);
    const [a, b, c] = [0, 1, 2].map(() => arena.alloc(40_000));
    a.fill(1);
    b.fill(2);
    const s: GemmShape = { M: 200, K: 200, N: 200, aRow: 200, aK: 1, ldb: 200, ldc: 200 };
    // the flag the worker raises when its half throws
    Atomics.store(new Int32Array(arena.memory.buffer, 4 * CONTROL.base, 16), CONTROL.failed, 1);
    assertThrows(
      () => arena.gemm(s, a, b, c),
      Error,
      "The kernel worker failed the product 200×200×200 (its last 104 columns)",
    );
    assert(!arena.workerReady);
    arena.gemm(s, a, b, c);
    assertEquals([c[0], c[39_999]], [400, 400]);
  } finally {
    arena.close();
  }
});

/** Values in (0, 1) for gate sigmoids, or in (−2, 2), drawn by a seeded LCG. */
function draws(x: Float32Array, seed: number, unit: boolean): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    const u = (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
    x[i] = unit ? 0.01 + 0.98 * u : 4 * u - 2;
  }
  return x;
}

Deno.test("WasmArena.cellForward: c = f·c_{t−1} + i·g, tanh c and h = o·tanh c within 1e-6 of float64, for H with and without a tail; h's padding untouched", () => {
  for (const [B, H] of [[3, 5], [2, 8], [4, 1]]) {
    const G = 4 * H;
    const hStride = H + 3;
    const arena = new WasmArena(B * G + 4 * B * H + B * hStride + 64);
    const z = draws(arena.alloc(B * G), B + H, true);
    const cNow = draws(arena.alloc(B * H), 7, false);
    const cTape = arena.alloc(B * H);
    const tcTape = arena.alloc(B * H);
    const h = arena.alloc(B * hStride).fill(9);
    const cPrev = cNow.slice();
    arena.cellForward(B, H, { z, cNow, cTape, tcTape, h, hStride });
    for (let n = 0; n < B; n++) {
      for (let j = 0; j < H; j++) {
        const at = (k: number) => z[n * G + k * H + j];
        const c = at(1) * cPrev[n * H + j] + at(0) * (2 * at(2) - 1);
        const k = n * H + j;
        assert(Math.abs(cNow[k] - c) <= 1e-6 && cTape[k] === cNow[k], `c ${cNow[k]} vs ${c}`);
        assert(Math.abs(tcTape[k] - Math.tanh(c)) <= 1e-6, `tanh ${tcTape[k]} vs ${Math.tanh(c)}`);
        assert(Math.abs(h[n * hStride + j] - at(3) * Math.tanh(c)) <= 1e-6, `h at ${n}, ${j}`);
      }
      assertEquals([...h.subarray(n * hStride + H, (n + 1) * hStride)], [9, 9, 9]);
    }
  }
});

Deno.test("WasmArena.cellBackward: dz of the four gates and dc for the step before within 1e-6 of float64, tail included", () => {
  for (const [B, H] of [[3, 5], [2, 8]]) {
    const G = 4 * H;
    const arena = new WasmArena(2 * B * G + 4 * B * H + 64);
    const s = draws(arena.alloc(B * G), 3, true);
    const cPrev = draws(arena.alloc(B * H), 4, false);
    const tc = draws(arena.alloc(B * H), 5, true);
    const dh = draws(arena.alloc(B * H), 6, false);
    const dc = draws(arena.alloc(B * H), 8, false);
    const dz = arena.alloc(B * G);
    const dcIn = dc.slice();
    arena.cellBackward(B, H, { s, cPrev, tc, dh, dc, dz });
    for (let n = 0; n < B; n++) {
      for (let j = 0; j < H; j++) {
        const [i, f, gs, o] = [0, 1, 2, 3].map((k) => s[n * G + k * H + j]);
        const g = 2 * gs - 1;
        const k = n * H + j;
        const sum = dcIn[k] + dh[k] * o * (1 - tc[k] * tc[k]);
        const want = [
          sum * g * i * (1 - i),
          sum * cPrev[k] * f * (1 - f),
          sum * i * (1 - g * g),
          dh[k] * tc[k] * o * (1 - o),
        ];
        assert(Math.abs(dc[k] - sum * f) <= 1e-6, `dc ${dc[k]} vs ${sum * f}`);
        want.forEach((w, q) =>
          assert(Math.abs(dz[n * G + q * H + j] - w) <= 1e-6, `dz gate ${q}: ${dz[n * G + q * H + j]} vs ${w}`)
        );
      }
    }
  }
});

Deno.test("wasm kernels: bad sizes, a full arena and a foreign view are one-line errors naming the value", () => {
  const ok: GemmShape = { M: 2, K: 2, N: 2, aRow: 2, aK: 1, ldb: 2, ldc: 2 };
  assertThrows(() => gemmModule({ ...ok, K: 0 }), RangeError, "A product's K must be an integer ≥ 1, got 0");
  assertThrows(() => gemmModule({ ...ok, N: 2.5 }), RangeError, "A product's N must be an integer ≥ 1, got 2.5");
  assertThrows(() => gemmModule({ ...ok, aK: -1 }), RangeError, "A product's aK must be an integer ≥ 0, got -1");
  assertThrows(() => gemmModule({ ...ok, ldc: 1 }), RangeError, "A product's ldc must be at least N = 2, got 1");
  assertThrows(() => sigmoidModule(0), RangeError, "A sigmoid's length must be a positive integer, got 0");
  assertThrows(() => cellForwardModule(0, 4, 4), RangeError, "A cell's B must be a positive integer, got 0");
  assertThrows(() => cellBackwardModule(2, 1.5), RangeError, "A cell's H must be a positive integer, got 1.5");
  assertThrows(() => new WasmArena(0), RangeError, "An arena's size must be a positive integer, got 0");
  const arena = new WasmArena(10);
  arena.alloc(6);
  assertThrows(() => arena.alloc(5), RangeError, "A buffer of 5 floats does not fit: 2 of 10 left");
  assertThrows(() => arena.sigmoid(new Float32Array(4)), Error, "A kernel's operand must be a view on its arena");
  // a view too short for the shape: the kernel would write into the next buffer
  const big = new WasmArena(64);
  const [a, b, c] = [big.alloc(4), big.alloc(4), big.alloc(3)];
  assertThrows(() => big.gemm(ok, a, b, c), RangeError, "A product's C needs 4 floats, got a view of 3");
  assertThrows(() => big.gemm(ok, a.subarray(1), b, c), RangeError, "A product's A needs 4 floats, got a view of 3");
  const [z, st] = [big.alloc(16), big.alloc(8)];
  assertThrows(
    () => big.cellForward(2, 2, { z, cNow: st, cTape: st, tcTape: st, h: st.subarray(5), hStride: 2 }),
    RangeError,
    "A cell's h needs 4 floats, got a view of 3",
  );
  assertThrows(
    () => big.cellBackward(2, 2, { s: z.subarray(1), cPrev: st, tc: st, dh: st, dc: st, dz: z }),
    RangeError,
    "A cell's gates needs 16 floats, got a view of 15",
  );
});
