/**
 * Matrix products and the logistic sigmoid as WebAssembly generated at run time, specialised to one shape each,
 * with 128-bit SIMD and the fused multiply-add of WebAssembly's relaxed SIMD (`f32x4.relaxed_madd`, on x86-64
 * `vfmadd` when the CPU has FMA3, as most x86-64 CPUs since 2013 have, though not every low-end Pentium, Celeron or
 * Atom; without it V8 may multiply, round, then add, which gives other bytes).
 *
 * Why: tfjs-WASM 4.22's XNNPACK is built with plain WASM SIMD, a separate multiply and add per element; on the
 * LSTM's three products this kernel runs at about 1.2–1.3 times its rate (`deno task bench` prints both).
 *
 * The product `C = A · B` (float32, row-major views with any row and column strides for A, a row stride for
 * B and C) is tiled in blocks of 5 rows × 8 columns, 10 accumulator vectors summed in the order k = 0, 1, …,
 * K − 1, one FMA per element and step. The same shape and inputs always give the same bytes.
 *
 * The sigmoid is σ(x) = 1 / (1 + e^−|x|), mirrored for x < 0 as e^−|x| / (1 + e^−|x|); e^t, t ≤ 0, by
 * t = n·ln 2 + r with |r| ≤ ln 2 / 2 and a degree-7 Taylor polynomial for e^r (truncation < 6e-9), scaled by 2^n
 * built in the exponent bits; t is clamped at −87 so 2^n stays a normal float32.
 * @module
 */

/** Floats of slack after the last buffer of an arena: a 4-wide load of a row's last 1–3 columns reads past it. */
const SLACK = 4;

/**
 * The vector constants of the kernels, each splatted over 16 bytes at the start of the memory: every module
 * writes them there with an active data segment, and {@link WasmArena} hands out no buffer below
 * {@link RESERVED_FLOATS}. A constant so read is one load; a `v128.const` is built in registers each time it is
 * used in a loop.
 */
const CONSTANTS = [
  -87,
  Math.LOG2E,
  0.693145751953125,
  1.428606765330187e-6,
  1 / 5040,
  1 / 720,
  1 / 120,
  1 / 24,
  1 / 6,
  1 / 2,
  1,
  2,
] as const;
/** Floats at the start of an arena's memory: {@link CONSTANTS}, the integer 127 and the sign bit (4 floats each),
 * then the {@link CONTROL} words of a two-thread arena. */
export const RESERVED_FLOATS = 4 * (CONSTANTS.length + 2) + 16;

/**
 * The int32 control words of a two-thread arena, at int32 index `CONTROL.base + word` of its memory: the main
 * thread bumps `go` for each job, the worker bumps `done` to the same value when its half is written; `stop` ends
 * the worker, `failed` says its job threw; then the job: the product's shape and its operands' byte offsets; and
 * `ready`, which the worker sets once it runs.
 */
export const CONTROL = {
  base: 4 * (CONSTANTS.length + 2),
  go: 0,
  done: 1,
  stop: 2,
  failed: 3,
  shape: 4, // M, K, N, aRow, aK, ldb, ldc, sigmoid: 8 words
  operands: 12, // a, b, c: 3 words
  ready: 15,
} as const;

/** Rows and columns of one register tile of the product. */
const MR = 5;
const NR = 8;
/** A range of k, `[k0, k0 + length)`, summed into C before the next. */
interface Chunk {
  k0: number;
  length: number;
}

/** When A holds more than this many floats (512 KB), k runs in chunks of {@link K_CHUNK} steps, so that a chunk
 * of A and of B's column panel stay in cache (measured on the weight gradient's `[202, 1500] × [1500, 800]`:
 * about 1.2 times as fast; the per-step products, with A of 40 K floats, run faster unchunked). Chunking keeps
 * the order of summation, so the bytes are the same. */
const CHUNK_ABOVE = 1 << 17;
const K_CHUNK = 128;

/** A product's shape and strides, all in float32 elements. */
export interface GemmShape {
  /** Rows of A and C. */
  M: number;
  /** Columns of A, rows of B. */
  K: number;
  /** Columns of B and C. */
  N: number;
  /** A's element (i, k) is at `i · aRow + k · aK`: the floats between two rows of A… */
  aRow: number;
  /** …and between two of its columns (1 for a row-major A, its row count for a column-major one). */
  aK: number;
  /** B's element (k, j) is at `k · ldb + j`. */
  ldb: number;
  /** C's element (i, j) is at `i · ldc + j`. */
  ldc: number;
  /** When true, C = σ(A · B), the sigmoid applied as each tile is stored: the bytes of the product, then
   * {@link WasmArena.sigmoid}. */
  sigmoid?: boolean;
}

// --- a minimal WebAssembly binary writer (https://webassembly.github.io/spec/core/binary/) ---

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
const I32 = 0x7f;
const V128 = 0x7b;
const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)];
const f32Bits = (x: number): number[] => [...new Uint8Array(new Float32Array([x]).buffer)];

/** The instructions used here. */
const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  ltU: [0x49],
  loop: [0x03, 0x40],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  end: [0x0b],
  load: (offset: number) => [...simd(0x00), 4, ...uleb(offset)],
  splat32: (offset: number) => [...simd(0x09), 2, ...uleb(offset)],
  store: (offset: number) => [...simd(0x0b), 4, ...uleb(offset)],
  storeLane: (offset: number, lane: number) => [...simd(0x5a), 2, ...uleb(offset), lane],
  f32x4: (x: number) => [...simd(0x0c), ...[0, 1, 2, 3].flatMap(() => f32Bits(x))],
  i32x4: (n: number) => [...simd(0x0c), ...new Uint8Array(new Int32Array([n, n, n, n]).buffer)],
  or: simd(0x50),
  laneselect: simd(0x10b), // i32x4.relaxed_laneselect: exact when each lane of the mask is all ones or all zeros
  lt: simd(0x43),
  nearest: simd(0x6a),
  fadd: simd(0xe4),
  fsub: simd(0xe5),
  fmul: simd(0xe6),
  fdiv: simd(0xe7),
  fmax: simd(0xe9),
  relaxedMax: simd(0x10e), // f32x4.relaxed_max: the max when neither input is NaN and they are not both zeros
  relaxedTrunc: simd(0x101), // i32x4.relaxed_trunc_f32x4_s: exact for an integral input in range
  iadd: simd(0xae),
  shl: simd(0xab),
  truncSat: simd(0xf8),
  fma: simd(0x105), // f32x4.relaxed_madd(a, b, c) = a·b + c
};

/** The bytes of {@link CONSTANTS}, each splatted 4 times, then the integer 127 and the sign bit, splatted. */
const constantBytes = (): number[] => [
  ...new Uint8Array(new Float32Array(CONSTANTS.flatMap((x) => [x, x, x, x])).buffer),
  ...new Uint8Array(new Int32Array([127, 127, 127, 127, ...Array(4).fill(-0x80000000)]).buffer),
];

/** Pushes the vector constant `x` splatted: a load from {@link CONSTANTS} when it is there, else a `v128.const`. */
function constant(x: number): number[] {
  const i = CONSTANTS.indexOf(x as typeof CONSTANTS[number]);
  return i < 0 ? op.f32x4(x) : [...op.i32(16 * i), ...op.load(0)];
}
/** Pushes the integer 127 splatted, from after {@link CONSTANTS}. */
const int127 = (): number[] => [...op.i32(16 * CONSTANTS.length), ...op.load(0)];
/** Pushes the float32 sign bit splatted, after 127. */
const signBit = (): number[] => [...op.i32(16 * (CONSTANTS.length + 1)), ...op.load(0)];

/** A module importing memory `e.m` and exporting one function `f` of `params` i32 byte offsets; an active data
 * segment writes {@link CONSTANTS} at the memory's start. */
function moduleOf(locals: number[][], body: number[], params = 3, shared = false): Uint8Array<ArrayBuffer> {
  const code = [...vec(locals), ...body, ...op.end];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: params }, () => [I32])), ...vec([])]])),
    // memory limits: no maximum; or shared, which needs one (the largest, 65536 pages)
    ...section(2, vec([[...name("e"), ...name("m"), 0x02, ...(shared ? [0x03, 0x00, ...uleb(65536)] : [0x00, 0x00])]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name("f"), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
    ...section(11, vec([[0x00, ...op.i32(0), ...op.end, ...vec(constantBytes().map((b) => [b]))]])),
  ]);
}

function checkShape(s: GemmShape): void {
  for (const [key, value] of Object.entries(s)) {
    if (key === "sigmoid") continue;
    const least = key === "aRow" || key === "aK" ? 0 : 1; // a stride of 0 repeats a row or a column of A
    if (!Number.isSafeInteger(value) || value < least) {
      throw new RangeError(`A product's ${key} must be an integer ≥ ${least}, got ${value}`);
    }
  }
  for (const key of ["ldb", "ldc"] as const) {
    if (s[key] < s.N) throw new RangeError(`A product's ${key} must be at least N = ${s.N}, got ${s[key]}`);
  }
}

/**
 * The WebAssembly of `C = A · B` for one shape: `f(a, b, c)` takes the byte offsets of A, B and C.
 *
 * @param s The shape and strides.
 * @param shared Import a shared memory (one that worker threads also see) instead of a plain one.
 * @returns The module's bytes.
 * @throws {RangeError} A size or stride out of range.
 */
export function gemmModule(s: GemmShape, shared = false): Uint8Array<ArrayBuffer> {
  checkShape(s);
  // locals: 0 a, 1 b, 2 c (params); i32 3 ap, 4 bp, 5 k, 6 cp, 7 rb, 8 bcol, 9 ccol, 10 panel; v128 from 11
  const L = { a: 0, b: 1, c: 2, ap: 3, bp: 4, k: 5, cp: 6, rb: 7, bcol: 8, ccol: 9, panel: 10 };
  const acc0 = 11;
  const NV = NR / 4;
  const bv0 = acc0 + MR * NV;
  const av = bv0 + NV;
  const sig = av + 1; // 4 scratch locals for the fused sigmoid
  const locals = [[...uleb(8), I32], [...uleb(MR * NV + NV + 1 + 4), V128]];

  /** One tile of `mr` rows × `nv` vectors (`width` < 4: one vector, of which `width` lanes are stored). */
  const tile = (mr: number, nv: number, width: number, chunk: Chunk): number[] => {
    const out: number[] = [];
    for (let r = 0; r < mr; r++) {
      for (let j = 0; j < nv; j++) {
        // the first chunk of k starts from 0, the others from what the chunk before stored: one order of summation
        const init = chunk.k0 === 0 ? op.f32x4(0) : [...op.get(L.cp), ...op.load(4 * r * s.ldc + 16 * j)];
        out.push(...init, ...op.set(acc0 + r * nv + j));
      }
    }
    out.push(...op.get(L.bcol), ...op.i32(4 * chunk.k0 * s.ldb), ...op.add, ...op.set(L.bp));
    out.push(...op.get(L.ap), ...op.i32(4 * chunk.k0 * s.aK), ...op.add, ...op.set(L.ap));
    // one step of k a loop iteration (unrolling by 2 or 4, the offsets folded into the loads, measured no faster)
    out.push(...op.i32(chunk.length), ...op.set(L.k), ...op.loop);
    for (let j = 0; j < nv; j++) out.push(...op.get(L.bp), ...op.load(16 * j), ...op.set(bv0 + j));
    for (let r = 0; r < mr; r++) {
      out.push(...op.get(L.ap), ...op.splat32(4 * r * s.aRow), ...op.set(av));
      for (let j = 0; j < nv; j++) {
        const acc = acc0 + r * nv + j;
        out.push(...op.get(av), ...op.get(bv0 + j), ...op.get(acc), ...op.fma, ...op.set(acc));
      }
    }
    out.push(...op.get(L.ap), ...op.i32(4 * s.aK), ...op.add, ...op.set(L.ap));
    out.push(...op.get(L.bp), ...op.i32(4 * s.ldb), ...op.add, ...op.set(L.bp));
    out.push(...op.get(L.k), ...op.i32(1), ...op.sub, ...op.tee(L.k), ...op.brIf(0), ...op.end);
    const last = chunk.k0 + chunk.length === s.K;
    for (let r = 0; r < mr; r++) {
      for (let j = 0; j < nv; j++) {
        const at = 4 * r * s.ldc + 16 * j;
        let value = acc0 + r * nv + j;
        if (s.sigmoid && last) {
          out.push(...sigmoidCode(value, sig));
          value = sig;
        }
        if (width >= 4) out.push(...op.get(L.cp), ...op.get(value), ...op.store(at));
        else {
          for (let lane = 0; lane < width; lane++) {
            out.push(...op.get(L.cp), ...op.get(value), ...op.storeLane(at + 4 * lane, lane));
          }
        }
      }
    }
    return out;
  };

  /** Every row block of the column panel at `bcol`/`ccol`. */
  const panel = (nv: number, width: number, chunk: Chunk, rows: number): number[] => {
    const out: number[] = [];
    const full = Math.floor(rows / MR);
    const rest = rows % MR;
    if (full > 0) {
      out.push(...op.i32(0), ...op.set(L.rb), ...op.loop);
      out.push(...op.get(L.a), ...op.get(L.rb), ...op.i32(4 * MR * s.aRow), ...op.mul, ...op.add, ...op.set(L.ap));
      out.push(...op.get(L.ccol), ...op.get(L.rb), ...op.i32(4 * MR * s.ldc), ...op.mul, ...op.add, ...op.set(L.cp));
      out.push(...tile(MR, nv, width, chunk));
      out.push(...op.get(L.rb), ...op.i32(1), ...op.add, ...op.tee(L.rb), ...op.i32(full), ...op.ltU, ...op.brIf(0));
      out.push(...op.end);
    }
    if (rest > 0) {
      out.push(...op.get(L.a), ...op.i32(4 * full * MR * s.aRow), ...op.add, ...op.set(L.ap));
      out.push(...op.get(L.ccol), ...op.i32(4 * full * MR * s.ldc), ...op.add, ...op.set(L.cp));
      out.push(...tile(rest, nv, width, chunk));
    }
    return out;
  };

  /** Every column panel of the first `rows` rows. */
  const panelsOf = (rows: number, chunk: Chunk): number[] => {
    const out: number[] = [];
    if (panels > 0) {
      out.push(...op.i32(0), ...op.set(L.panel), ...op.loop);
      out.push(...op.get(L.b), ...op.get(L.panel), ...op.i32(4 * NR), ...op.mul, ...op.add, ...op.set(L.bcol));
      out.push(...op.get(L.c), ...op.get(L.panel), ...op.i32(4 * NR), ...op.mul, ...op.add, ...op.set(L.ccol));
      out.push(...panel(NV, 4 * NV, chunk, rows));
      out.push(...op.get(L.panel), ...op.i32(1), ...op.add, ...op.tee(L.panel), ...op.i32(panels), ...op.ltU);
      out.push(...op.brIf(0), ...op.end);
    }
    // the last N mod 8 columns: a panel of 4, then one of 1–3 stored lane by lane
    for (let col = panels * NR; col < s.N; col += 4) {
      out.push(...op.get(L.b), ...op.i32(4 * col), ...op.add, ...op.set(L.bcol));
      out.push(...op.get(L.c), ...op.i32(4 * col), ...op.add, ...op.set(L.ccol));
      out.push(...panel(1, Math.min(4, s.N - col), chunk, rows));
    }
    return out;
  };

  const body: number[] = [];
  const panels = Math.floor(s.N / NR);
  // one row block after another through every column panel; grouping the rows of a large A (50 or 100 rows through
  // every panel before the next group) measured no faster on the weight gradient's 202 rows or inference's 1000
  const kChunk = s.M * s.K > CHUNK_ABOVE ? K_CHUNK : s.K;
  for (let k0 = 0; k0 < s.K; k0 += kChunk) body.push(...panelsOf(s.M, { k0, length: Math.min(kChunk, s.K - k0) }));
  return moduleOf(locals, body, 3, shared);
}

/**
 * Instructions that set the v128 local `e` to σ of the v128 local `x`, with locals `e` … `e + 3` as scratch.
 *
 * @param x The input's local.
 * @param e The first of 4 scratch locals, where σ(x) lands.
 * @returns The instructions.
 */
function sigmoidCode(x: number, e: number): number[] {
  const [T, NN, P, E] = [e + 1, e + 2, e + 3, e];
  const code: number[] = [
    // t = max(−87, −|x|), −|x| by setting the sign bit; on x86-64 V8's relaxed max returns its second operand
    // when either is NaN, so a NaN stays NaN (JavaScript's NaN gives the bytes it gave before)
    ...constant(-87),
    ...op.get(x),
    ...signBit(),
    ...op.or,
    ...op.relaxedMax,
    ...op.set(T),
    // n = nearest(t · log2 e); r = t − n·ln2_hi − n·ln2_lo (Cody–Waite)
    ...op.get(T),
    ...constant(Math.LOG2E),
    ...op.fmul,
    ...op.nearest,
    ...op.set(NN),
    ...op.get(T),
    ...op.get(NN),
    ...constant(0.693145751953125),
    ...op.fmul,
    ...op.fsub,
    ...op.get(NN),
    ...constant(1.428606765330187e-6),
    ...op.fmul,
    ...op.fsub,
    ...op.set(T),
  ];
  // p = Σ r^k / k!, k = 0..7, by Horner
  code.push(...constant(1 / 5040), ...op.set(P));
  for (const c of [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]) {
    code.push(...op.get(P), ...op.get(T), ...op.fmul, ...constant(c), ...op.fadd, ...op.set(P));
  }
  code.push(
    // e = p · 2^n, 2^n from the exponent bits (n + 127) << 23
    ...op.get(P),
    ...op.get(NN),
    ...op.relaxedTrunc,
    ...int127(),
    ...op.iadd,
    ...op.i32(23),
    ...op.shl,
    ...op.fmul,
    ...op.set(E),
    // s = 1 / (1 + e); σ(x) = x < 0 ? e · s : s
    ...constant(1),
    ...constant(1),
    ...op.get(E),
    ...op.fadd,
    ...op.fdiv,
    ...op.set(P),
    ...op.get(E),
    ...op.get(P),
    ...op.fmul,
    ...op.get(P),
    ...op.get(x),
    ...op.f32x4(0),
    ...op.lt,
    ...op.laneselect,
    ...op.set(E),
  );
  return code;
}

/**
 * The WebAssembly of the sigmoid of `n` floats: `f(src, dst, 0)` with byte offsets; `dst` may be `src`.
 *
 * @param n How many.
 * @param shared Import a shared memory, as a two-thread arena has.
 * @returns The module's bytes.
 * @throws {RangeError} `n` not a positive integer.
 */
export function sigmoidModule(n: number, shared = false): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`A sigmoid's length must be a positive integer, got ${n}`);
  }
  // locals: 0 src, 1 dst, 2 unused (params); 3 i; v128 4 x, then the sigmoid's 4
  const [SRC, DST, I, X] = [0, 1, 3, 4];
  const E = X + 1;
  const locals = [[...uleb(1), I32], [...uleb(5), V128]];
  /** σ of the vector at src + i into local E. */
  const value: number[] = [...op.get(SRC), ...op.get(I), ...op.add, ...op.load(0), ...op.set(X), ...sigmoidCode(X, E)];
  const body: number[] = [];
  const whole = Math.floor(n / 4);
  if (whole > 0) {
    body.push(...op.i32(0), ...op.set(I), ...op.loop, ...value);
    body.push(...op.get(DST), ...op.get(I), ...op.add, ...op.get(E), ...op.store(0));
    body.push(...op.get(I), ...op.i32(16), ...op.add, ...op.tee(I), ...op.i32(16 * whole), ...op.ltU, ...op.brIf(0));
    body.push(...op.end);
  }
  if (n % 4 > 0) {
    body.push(...op.i32(16 * whole), ...op.set(I), ...value);
    for (let lane = 0; lane < n % 4; lane++) {
      body.push(...op.get(DST), ...op.get(I), ...op.add, ...op.get(E), ...op.storeLane(4 * lane, lane));
    }
  }
  return moduleOf(locals, body, 3, shared);
}

// --- the LSTM cell, element-wise, 4 units at a time (gate blocks i, f, c, o of tf.layers; the c gate stored as
// σ(2z), so g = 2·σ(2z) − 1 = tanh z) ---

/** Expression helpers: each returns instructions that push one v128. */
const ex = {
  get: (l: number) => op.get(l),
  c: (x: number) => constant(x),
  mul: (...xs: number[][]) => xs.slice(1).reduce((acc, x) => [...acc, ...x, ...op.fmul], xs[0]),
  add: (a: number[], b: number[]) => [...a, ...b, ...op.fadd],
  sub: (a: number[], b: number[]) => [...a, ...b, ...op.fsub],
};

/**
 * A loop over B rows × H units, 4 units a step and the last H mod 4 lane by lane, of operands given as row
 * pointers (params) with their row strides in floats. `step(load, store)` makes one step's instructions.
 */
function rowwiseModule(
  B: number,
  H: number,
  strides: number[],
  v128Locals: number,
  step: (
    load: (p: number, offset: number) => number[],
    store: (p: number, offset: number, value: number[]) => number[],
  ) => number[],
  shared = false,
): Uint8Array<ArrayBuffer> {
  for (const [key, value] of Object.entries({ B, H })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`A cell's ${key} must be a positive integer, got ${value}`);
    }
  }
  const P = strides.length;
  const [JB, N] = [P, P + 1];
  const locals = [[...uleb(2), I32], [...uleb(v128Locals), V128]];
  const load = (p: number, offset: number) => [...op.get(p), ...op.get(JB), ...op.add, ...op.load(4 * offset)];
  const storeAll = (p: number, offset: number, value: number[]) => [
    ...op.get(p),
    ...op.get(JB),
    ...op.add,
    ...value,
    ...op.store(4 * offset),
  ];
  const storeLanes = (width: number) => (p: number, offset: number, value: number[]) => {
    const out = [...value, ...op.set(TMP)];
    for (let lane = 0; lane < width; lane++) {
      out.push(...op.get(p), ...op.get(JB), ...op.add, ...op.get(TMP), ...op.storeLane(4 * (offset + lane), lane));
    }
    return out;
  };
  const TMP = P + 2 + v128Locals - 1; // the last v128 local
  const whole = Math.floor(H / 4);
  const body: number[] = [...op.i32(B), ...op.set(N), ...op.loop];
  if (whole > 0) {
    body.push(...op.i32(0), ...op.set(JB), ...op.loop, ...step(load, storeAll));
    body.push(...op.get(JB), ...op.i32(16), ...op.add, ...op.tee(JB), ...op.i32(16 * whole), ...op.ltU, ...op.brIf(0));
    body.push(...op.end);
  }
  if (H % 4 > 0) body.push(...op.i32(16 * whole), ...op.set(JB), ...step(load, storeLanes(H % 4)));
  strides.forEach((stride, p) => body.push(...op.get(p), ...op.i32(4 * stride), ...op.add, ...op.set(p)));
  body.push(...op.get(N), ...op.i32(1), ...op.sub, ...op.tee(N), ...op.brIf(0), ...op.end);
  return moduleOf(locals, body, P, shared);
}

/**
 * The WebAssembly of one forward step of the cell over B series: `f(z, cNow, cTape, tcTape, h)` with byte
 * offsets, z `[B, 4H]` the gates' sigmoids, cNow `[B, H]` c_{t−1} in and c_t out, cTape and tcTape `[B, H]` c_t
 * and tanh(c_t), h `[B, hStride]` h_t = o·tanh(c_t). tanh(c) = 2·σ(2c) − 1.
 *
 * @param B Series.
 * @param H Units.
 * @param hStride Floats between two series' h.
 * @param shared Import a shared memory, as a two-thread arena has.
 * @returns The module's bytes.
 * @throws {RangeError} A size that is not a positive integer.
 */
export function cellForwardModule(B: number, H: number, hStride: number, shared = false): Uint8Array<ArrayBuffer> {
  const G = 4 * H;
  const [Z, CNOW, CTAPE, TCTAPE, HOUT] = [0, 1, 2, 3, 4];
  const v = 7; // first v128 local: after 5 params and 2 i32 locals
  const [C, S, TC] = [v, v + 1, v + 5]; // S … S + 3: the sigmoid's scratch
  return rowwiseModule(B, H, [G, H, H, H, hStride], 8, (load, store) => [
    // c = f·c_{t−1} + i·(2·σ(2z_c) − 1)
    ...ex.add(
      ex.mul(load(Z, H), load(CNOW, 0)),
      ex.mul(load(Z, 0), ex.sub(ex.mul(ex.c(2), load(Z, 2 * H)), ex.c(1))),
    ),
    ...op.set(C),
    ...store(CNOW, 0, ex.get(C)),
    ...store(CTAPE, 0, ex.get(C)),
    ...ex.add(ex.get(C), ex.get(C)),
    ...op.set(TC),
    ...sigmoidCode(TC, S),
    ...ex.sub(ex.mul(ex.c(2), ex.get(S)), ex.c(1)),
    ...op.set(TC),
    ...store(TCTAPE, 0, ex.get(TC)),
    ...store(HOUT, 0, ex.mul(load(Z, 3 * H), ex.get(TC))),
  ], shared);
}

/**
 * The WebAssembly of one backward step of the cell over B series: `f(s, cPrev, tc, dh, dc, dz)` with byte
 * offsets, s `[B, 4H]` the step's gate sigmoids, cPrev `[B, H]` c_{t−1} (zeros at t = 0), tc `[B, H]` tanh(c_t),
 * dh `[B, H]` d loss / d h_t, dc `[B, H]` d loss / d c_t from the step after in and for the step before out, dz
 * `[B, 4H]` d loss / d the gates' pre-activations out.
 *
 * @param B Series.
 * @param H Units.
 * @param shared Import a shared memory, as a two-thread arena has.
 * @returns The module's bytes.
 * @throws {RangeError} A size that is not a positive integer.
 */
export function cellBackwardModule(B: number, H: number, shared = false): Uint8Array<ArrayBuffer> {
  const G = 4 * H;
  const [S, CP, TC, DH, DC, DZ] = [0, 1, 2, 3, 4, 5];
  const v = 8;
  const [I, F, GG, O, T, D, SUM] = [v, v + 1, v + 2, v + 3, v + 4, v + 5, v + 6];
  const one = ex.c(1);
  return rowwiseModule(B, H, [G, H, H, H, H, G], 8, (load, store) => [
    ...load(S, 0),
    ...op.set(I),
    ...load(S, H),
    ...op.set(F),
    ...ex.sub(ex.mul(ex.c(2), load(S, 2 * H)), one),
    ...op.set(GG),
    ...load(S, 3 * H),
    ...op.set(O),
    ...load(TC, 0),
    ...op.set(T),
    ...load(DH, 0),
    ...op.set(D),
    // dcSum = dc + dh·o·(1 − tc²)
    ...ex.add(load(DC, 0), ex.mul(ex.get(D), ex.get(O), ex.sub(one, ex.mul(ex.get(T), ex.get(T))))),
    ...op.set(SUM),
    ...store(DC, 0, ex.mul(ex.get(SUM), ex.get(F))),
    ...store(DZ, 0, ex.mul(ex.get(SUM), ex.get(GG), ex.get(I), ex.sub(one, ex.get(I)))),
    ...store(DZ, H, ex.mul(ex.get(SUM), load(CP, 0), ex.get(F), ex.sub(one, ex.get(F)))),
    ...store(DZ, 2 * H, ex.mul(ex.get(SUM), ex.get(I), ex.sub(one, ex.mul(ex.get(GG), ex.get(GG))))),
    ...store(DZ, 3 * H, ex.mul(ex.get(D), ex.get(T), ex.get(O), ex.sub(one, ex.get(O)))),
  ], shared);
}

const compiled = new Map<string, WebAssembly.Module>();

function compile(key: string, bytes: () => Uint8Array<ArrayBuffer>): WebAssembly.Module {
  let module = compiled.get(key);
  if (!module) {
    try {
      module = new WebAssembly.Module(bytes());
    } catch (e) {
      throw new Error(
        `This runtime cannot compile WebAssembly relaxed SIMD (Deno 2+, Node 22+, Chrome 114+ can): ${
          (e as Error).message
        }`,
      );
    }
    compiled.set(key, module);
  }
  return module;
}

/** A product splits over two threads when it has at least this many multiply-adds (with one input a step, step 0's
 * gates do not). */
const SPLIT_ABOVE = 200_000;

/**
 * The columns this thread takes when a product of N columns splits over two: half the 8-column panels, so every
 * element runs the same tile code as on one thread.
 *
 * @param N Columns of the product.
 * @returns Columns 0 … result − 1 here, the rest on the worker (0 when N < 16: no split).
 */
export function splitColumns(N: number): number {
  return 8 * Math.floor(N / 16);
}
/** How long the main thread waits for the worker's half before it gives up. */
const WORKER_TIMEOUT_MS = 60_000;

/**
 * Float32 buffers on one WebAssembly memory of fixed size, with the kernels that run on them. Views stay valid
 * for the arena's life: the memory never grows.
 *
 * With `threads: 2` the memory is shared with a worker, and each large product is split by output columns at a
 * multiple of 8: this thread computes the first half, the worker the rest. Every element still runs the same tile
 * code with the same order of summation, so the bytes are those of one thread. Such an arena must be
 * {@link WasmArena.close}d, or its worker keeps the process alive. A worker that fails to start leaves it on one
 * thread ({@link WasmArena.workerError}).
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  /** 1, or 2 with a worker. */
  readonly threads: 1 | 2;
  readonly #f32: Float32Array;
  readonly #ctl: Int32Array;
  #used = RESERVED_FLOATS;
  readonly #instances = new Map<string, (...offsets: number[]) => void>();
  #worker?: Worker;
  #jobs = 0;
  /** Why the worker of a two-thread arena stopped, when it failed to start; the arena then runs on one thread. */
  workerError?: string;

  /**
   * @param floats The total of every buffer to be carved from it.
   * @param options `threads`: 1 (the default), or 2 to split the products with a worker.
   */
  constructor(readonly floats: number, options: { threads?: number } = {}) {
    if (!Number.isSafeInteger(floats) || floats < 1) {
      throw new RangeError(`An arena's size must be a positive integer, got ${floats}`);
    }
    const threads = options.threads ?? 1;
    if (threads !== 1 && threads !== 2) throw new RangeError(`An arena's threads must be 1 or 2, got ${threads}`);
    this.threads = threads;
    const pages = Math.ceil(((RESERVED_FLOATS + floats + SLACK) * 4) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: threads === 2 });
    this.#f32 = new Float32Array(this.memory.buffer);
    this.#ctl = new Int32Array(this.memory.buffer, 4 * CONTROL.base, 16);
    if (threads === 2) {
      const worker = new Worker(new URL("./kernel_worker.ts", import.meta.url).href, { type: "module" });
      // a worker that cannot start (say, no read permission for its module) leaves the arena on one thread
      worker.onerror = (event) => {
        event.preventDefault();
        this.workerError = event.message;
        this.close();
      };
      worker.postMessage(this.memory);
      this.#worker = worker;
    }
  }

  /** Whether the worker of a two-thread arena runs and takes halves of the products (it starts asynchronously after
   * the arena is made). */
  get workerReady(): boolean {
    return this.#worker !== undefined && Atomics.load(this.#ctl, CONTROL.ready) === 1;
  }

  /** Stops the worker of a two-thread arena, which then runs on one thread; nothing for one thread. */
  close(): void {
    if (!this.#worker) return;
    Atomics.store(this.#ctl, CONTROL.stop, 1);
    Atomics.add(this.#ctl, CONTROL.go, 1);
    Atomics.notify(this.#ctl, CONTROL.go);
    this.#worker.terminate();
    this.#worker = undefined;
  }

  /**
   * A zeroed buffer of `n` floats, 16-byte aligned.
   *
   * @param n Its length.
   * @returns A view on the arena's memory.
   * @throws {RangeError} When the arena is full.
   */
  alloc(n: number): Float32Array {
    const start = Math.ceil(this.#used / 4) * 4;
    if (start + n > RESERVED_FLOATS + this.floats) {
      const left = RESERVED_FLOATS + this.floats - start;
      throw new RangeError(`A buffer of ${n} floats does not fit: ${left} of ${this.floats} left`);
    }
    this.#used = start + n;
    return this.#f32.subarray(start, start + n);
  }

  /** The view, when it holds at least `n` floats (a shorter one would let a kernel write into the next buffer). */
  #need(view: Float32Array, n: number, what: string): Float32Array {
    if (view.length < n) throw new RangeError(`${what} needs ${n} floats, got a view of ${view.length}`);
    return view;
  }

  #offset(view: Float32Array): number {
    if (view.buffer !== this.memory.buffer) throw new Error("A kernel's operand must be a view on its arena");
    return view.byteOffset;
  }

  #instance(key: string, bytes: (shared: boolean) => Uint8Array<ArrayBuffer>): (...offsets: number[]) => void {
    let f = this.#instances.get(key);
    if (!f) {
      const shared = this.threads === 2;
      const module = compile(`${shared ? "shared " : ""}${key}`, () => bytes(shared));
      const instance = new WebAssembly.Instance(module, { e: { m: this.memory } });
      f = instance.exports.f as (...offsets: number[]) => void;
      this.#instances.set(key, f);
    }
    return f;
  }

  /**
   * C = A · B. The views must start where element (0, 0) is; the caller keeps them large enough for the shape.
   *
   * @param s The shape and strides.
   * @param a A.
   * @param b B.
   * @param c C, overwritten.
   */
  gemm(s: GemmShape, a: Float32Array, b: Float32Array, c: Float32Array): void {
    checkShape(s);
    this.#need(a, (s.M - 1) * s.aRow + (s.K - 1) * s.aK + 1, "A product's A");
    this.#need(b, (s.K - 1) * s.ldb + s.N, "A product's B");
    this.#need(c, (s.M - 1) * s.ldc + s.N, "A product's C");
    const [ao, bo, co] = [this.#offset(a), this.#offset(b), this.#offset(c)];
    // the worker starts asynchronously; until it says it is ready, this thread does it all
    const split = this.#worker && s.M * s.K * s.N >= SPLIT_ABOVE && Atomics.load(this.#ctl, CONTROL.ready) === 1;
    const mine = split ? splitColumns(s.N) : s.N;
    if (mine === s.N || mine === 0) return this.#gemmHere(s, ao, bo, co);
    const theirs = { ...s, N: s.N - mine };
    this.#post(theirs, ao, bo + 4 * mine, co + 4 * mine);
    this.#gemmHere({ ...s, N: mine }, ao, bo, co);
    this.#wait(s, theirs.N);
  }

  #gemmHere(s: GemmShape, a: number, b: number, c: number): void {
    const key = `g${s.M},${s.K},${s.N},${s.aRow},${s.aK},${s.ldb},${s.ldc},${s.sigmoid === true}`;
    this.#instance(key, (shared) => gemmModule(s, shared))(a, b, c);
  }

  /** Hands the worker a product: its shape and byte offsets, then bumps `go`. */
  #post(s: GemmShape, a: number, b: number, c: number): void {
    const ctl = this.#ctl;
    [s.M, s.K, s.N, s.aRow, s.aK, s.ldb, s.ldc, s.sigmoid ? 1 : 0].forEach((v, i) => (ctl[CONTROL.shape + i] = v));
    [a, b, c].forEach((v, i) => (ctl[CONTROL.operands + i] = v));
    Atomics.store(ctl, CONTROL.go, ++this.#jobs);
    Atomics.notify(ctl, CONTROL.go);
  }

  /** Waits, spinning, until the worker has done the job posted last. On a failure or a timeout the worker is
   * stopped, so the arena goes on with one thread, and the error names the product. */
  #wait(s: GemmShape, columns: number): void {
    const ctl = this.#ctl;
    const started = performance.now();
    const what = () => `the product ${s.M}×${s.K}×${s.N} (its last ${columns} columns)`;
    for (let spins = 0; Atomics.load(ctl, CONTROL.done) !== this.#jobs; spins++) {
      if ((spins & 0xffff) === 0xffff && performance.now() - started > WORKER_TIMEOUT_MS) {
        this.close();
        throw new Error(`The kernel worker did not finish ${what()} in ${WORKER_TIMEOUT_MS / 1000} s`);
      }
    }
    if (Atomics.exchange(ctl, CONTROL.failed, 0) !== 0) {
      this.close();
      throw new Error(`The kernel worker failed ${what()}`);
    }
  }

  /**
   * dst = σ(src), element-wise over `src.length` floats.
   *
   * @param src The input.
   * @param dst The output, at least as long; may be `src`.
   */
  sigmoid(src: Float32Array, dst: Float32Array = src): void {
    if (dst.length < src.length) throw new RangeError(`A sigmoid of ${src.length} floats needs as many out`);
    this.#instance(`s${src.length}`, (shared) => sigmoidModule(src.length, shared))(
      this.#offset(src),
      this.#offset(dst),
      0,
    );
  }

  /**
   * One forward step of the LSTM cell ({@link cellForwardModule}); every view starts at series 0 of the step.
   *
   * @param B Series.
   * @param H Units.
   * @param io The step's gates `z`, the running cell state, the tapes of c and tanh c, and h with its row stride.
   */
  cellForward(
    B: number,
    H: number,
    io: {
      z: Float32Array;
      cNow: Float32Array;
      cTape: Float32Array;
      tcTape: Float32Array;
      h: Float32Array;
      hStride: number;
    },
  ): void {
    const f = this.#instance(`cf${B},${H},${io.hStride}`, (shared) => cellForwardModule(B, H, io.hStride, shared));
    this.#need(io.z, B * 4 * H, "A cell's gates");
    for (const [name, x] of [["c", io.cNow], ["c tape", io.cTape], ["tanh c tape", io.tcTape]] as const) {
      this.#need(x, B * H, `A cell's ${name}`);
    }
    this.#need(io.h, (B - 1) * io.hStride + H, "A cell's h");
    f(...[io.z, io.cNow, io.cTape, io.tcTape, io.h].map((x) => this.#offset(x)));
  }

  /**
   * One backward step of the LSTM cell ({@link cellBackwardModule}).
   *
   * @param B Series.
   * @param H Units.
   * @param io The step's gates, c_{t−1}, tanh c_t, dh, dc (updated) and dz (written).
   */
  cellBackward(
    B: number,
    H: number,
    io: {
      s: Float32Array;
      cPrev: Float32Array;
      tc: Float32Array;
      dh: Float32Array;
      dc: Float32Array;
      dz: Float32Array;
    },
  ): void {
    const f = this.#instance(`cb${B},${H}`, (shared) => cellBackwardModule(B, H, shared));
    this.#need(io.s, B * 4 * H, "A cell's gates");
    this.#need(io.dz, B * 4 * H, "A cell's dz");
    for (const [name, x] of [["c_{t−1}", io.cPrev], ["tanh c", io.tc], ["dh", io.dh], ["dc", io.dc]] as const) {
      this.#need(x, B * H, `A cell's ${name}`);
    }
    f(...[io.s, io.cPrev, io.tc, io.dh, io.dc, io.dz].map((x) => this.#offset(x)));
  }
}
