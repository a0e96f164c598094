/**
 * Times one training step (forward, backward through time, Adam) per batch of the spec's
 * config, on identical batches, for the fast trainer (the default config's `matmul` `fma`), the same fast path on
 * tfjs-WASM's XNNPACK (`matmul` `xnnpack`) and the tf.layers reference taking turns batch by batch, and the fast
 * trainer on 2 threads (`deno task train --threads 2`); then the PyTorch CPU anchor `bench/torch_lstm.py` (1
 * thread, then 2), when python3 has torch; then a large square GEMM on
 * XNNPACK, the floor that path can reach (the issue's WASM floor). The whole round repeats `--rounds` times and
 * the spread over rounds is printed; a last pass prints where the time goes, the three products alone on
 * both kernels, and the validation pass with the epoch time it implies.
 *
 *   deno task bench                         # 3 rounds of 20 timed batches each
 *   deno task bench --rounds 5 --json       # last line: one JSON object
 *   deno task bench --no-torch              # skip the PyTorch anchor
 *   deno task bench --arch gru              # another arch: its trainer against autodiff, no anchor or floor
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import {
  batchOf,
  buildModel,
  closeKernelWorkers,
  emptyProfile,
  fastPredict,
  type FastProfile,
  initBackend,
  kernelWorkersStarted,
  type LstmProduct,
  lstmProducts,
  makeOptimizer,
  modelVariables,
  PREDICT_CHUNK,
  roleVariables,
  setKernelThreads,
  type StepState,
  trainStep,
} from "../src/train/mod.ts";
import { tf } from "../src/train/backend.ts";
import {
  type Arch,
  ARCHS,
  batchFlops,
  DEFAULT_CONFIG,
  epochPermutation,
  INPUT_SCALING,
  makeDataset,
  resolveConfig,
  type TrainConfig,
  type TrainerName,
} from "../mod.ts";
import { median } from "../src/core/stats.ts";
import type { Matmul } from "../src/core/spec.ts";
import { WasmArena } from "../src/train/wasm_kernels.ts";

const TORCH_SCRIPT = new URL("../bench/torch_lstm.py", import.meta.url).pathname;
/** Warm-up batches per trainer and round, not timed. */
const WARMUP = 3;
/** The reference is 5–10x slower than the fast path: it is timed every 4th turn. */
const REFERENCE_EVERY = 4;

const round2 = (x: number) => Number(x.toFixed(2));

/** One trainer with its own model and optimizer, stepped one batch at a time through the epoch order; the fast
 * path's own kernels on `threads` threads. */
function makeRunner(trainer: TrainerName, arch: Arch, profile?: FastProfile, matmul?: Matmul, threads = 1) {
  const config = resolveConfig({ trainer, arch, ...(matmul && { matmul }) });
  const data = makeDataset({ seed: config.seed });
  const order = epochPermutation({ seed: config.seed, epoch: 0, size: config.trainSize });
  const batches = config.trainSize / config.batchSize;
  const model = buildModel(config);
  const state: StepState = {
    model,
    arch,
    variables: arch === "lstm" ? modelVariables(model) : undefined,
    roles: roleVariables(model, arch),
    optimizer: makeOptimizer(config),
    trainer,
    matmul: config.matmul,
  };
  let b = 0;
  return {
    /** Times the next batch's step in ms. */
    step(): number {
      const k = b++ % batches;
      const rows = order.subarray(k * config.batchSize, (k + 1) * config.batchSize);
      const batch = batchOf(data.train, config.seriesLength, INPUT_SCALING[config.inputScaling], rows);
      setKernelThreads(threads);
      const start = performance.now();
      trainStep(state, batch, profile);
      state.roles[0].variable.dataSync(); // wait for the update
      const ms = performance.now() - start;
      setKernelThreads(1);
      return ms;
    },
    close() {
      state.optimizer.dispose();
      model.dispose();
    },
  };
}

const exists = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

/** Runs the PyTorch anchor with Debian's python3 (which has python3-torch) or the python3 on PATH, on `threads`
 * threads (torch's and OpenBLAS's). */
async function timeTorch(
  batches: number,
  threads = 1,
): Promise<{ msPerBatch: number; torch: string } | { error: string }> {
  const env: Record<string, string> = { ...Deno.env.toObject(), OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    const python = exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const out = await new Deno.Command(python, {
      args: [TORCH_SCRIPT, "--threads", String(threads), "--batches", String(batches)],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) return { error: new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "failed" };
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    return { msPerBatch: r.msPerBatch, torch: r.torch };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The best GFLOP/s of a square GEMM on this backend: what XNNPACK's WASM kernel reaches here. */
function gemmPeak(size = 1024, repeats = 5): number {
  const a = tf.randomUniform([size, size], -1, 1, "float32", 1);
  const b = tf.randomUniform([size, size], -1, 1, "float32", 2);
  tf.matMul(a, b).dispose(); // packs b once, as the fast path's weights are
  let best = Infinity;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    best = Math.min(best, performance.now() - start);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * size ** 3) / (best * 1e6);
}

/** The best of `repeats` timings of `run`, in ms, after one untimed run. */
function bestOf(run: () => void, repeats: number): number {
  run();
  let ms = Infinity;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    run();
    ms = Math.min(ms, performance.now() - start);
  }
  return ms;
}

/** {@link productsAlone} on the project's kernels, the products of {@link lstmProducts} (the gates' sigmoid fused),
 * as `matmul` `fma` runs them. */
function productsAloneFma(
  config: { units: number; seriesLength: number; batchSize: number },
  repeats = 5,
): { forward: number; backward: number; weightGradients: number } {
  const { units: H, seriesLength: T, batchSize: B } = config;
  const p = lstmProducts(B, T, H, 1); // the default config's one input a step
  const { K, N: G } = p.gates.shape;
  const sizes = [T * B * K, K * G, T * B * G, G * H, B * H, K * G];
  const arena = new WasmArena(sizes.reduce((a, n) => a + n + 4, 0));
  const [ha, wa, dz, rT, dh, dwa] = sizes.map((n) => arena.alloc(n));
  for (const x of [ha, wa, dz, rT]) for (let i = 0; i < x.length; i++) x[i] = 0.1 * Math.sin(i);
  const best = (run: () => void) => bestOf(run, repeats);
  const run = (q: LstmProduct, a: Float32Array, b: Float32Array, c: Float32Array) =>
    arena.gemm(q.shape, a.subarray(q.a), b.subarray(q.b), c.subarray(q.c));
  return {
    forward: best(() => {
      run(p.gatesFirst, ha, wa, dz);
      for (let t = 1; t < T; t++) run(p.gates, ha.subarray(t * B * K), wa, dz.subarray(t * B * G));
    }),
    backward: best(() => {
      for (let t = 1; t < T; t++) run(p.dh, dz.subarray(t * B * G), rT, dh);
    }),
    weightGradients: best(() => {
      run(p.weightsRecurrent, ha, dz, dwa);
      run(p.weightsInput, ha, dz, dwa);
    }),
  };
}

/**
 * The fast path's three matrix products timed alone, ms per batch (best of `repeats`): the same shapes and
 * counts as in a step, on operands made once, so neither data upload nor the cell loops are in them. Set
 * against the step's profile, the difference is the cost around the products. One input a step (H+2 rows
 * of [h, x, 1]): the bench times the default config.
 */
function productsAlone(
  config: { units: number; seriesLength: number; batchSize: number },
  repeats = 5,
): { forward: number; backward: number; weightGradients: number } {
  const { units: H, seriesLength: T, batchSize: B } = config;
  const u = (shape: [number, number], seed: number) =>
    tf.randomUniform(shape, -0.1, 0.1, "float32", seed) as tf.Tensor2D;
  const ha = u([B, H + 2], 1);
  const wa = u([H + 2, 4 * H], 2);
  const dz = u([B, 4 * H], 3);
  const rT = u([4 * H, H], 4);
  const dzAll = u([T * B, 4 * H], 5);
  const haAll = u([T * B, H + 2], 6);
  const best = (run: () => void) => bestOf(run, repeats); // the first run packs the right operands, as a step's does
  const result = {
    forward: best(() => {
      for (let t = 0; t < T; t++) tf.fused.matMul({ a: ha, b: wa, activation: "sigmoid" }).dispose();
    }),
    backward: best(() => {
      for (let t = 1; t < T; t++) tf.matMul(dz, rT).dispose();
    }),
    weightGradients: best(() => tf.tidy(() => tf.matMul(tf.transpose(dzAll), haAll)).dispose()),
  };
  tf.dispose([ha, wa, dz, rT, dzAll, haAll]);
  return result;
}

const command = defineCommand({
  name: "bench",
  summary: "Times a training step per batch: fast trainer, tf.layers reference, PyTorch anchor, GEMM floor.",
  flags: {
    batches: {
      type: "int",
      min: 4,
      max: DEFAULT_CONFIG.trainSize / DEFAULT_CONFIG.batchSize,
      default: 20,
      help: "timed batches of the fast trainer per round",
    },
    rounds: { type: "int", min: 1, max: 50, default: 3, help: "repetitions of the whole comparison" },
    json: { type: "bool", help: "end with one line of JSON" },
    "no-torch": { type: "bool", help: "skip the PyTorch anchor" },
    arch: {
      type: "enum",
      values: [...ARCHS],
      default: "lstm",
      help:
        "the network; other than lstm, its trainer is timed against autodiff only (linear and conv1d: autodiff alone)",
    },
  },
  examples: ["", "--rounds 5 --json", "--arch gru --rounds 1"],
});

/** Another arch than the LSTM: the fast path of rnn and gru against autodiff, taking turns; linear and conv1d
 * have autodiff only. */
function benchArch(arch: Arch, batches: number, rounds: number, log: (s: string) => void): void {
  const epochBatches = DEFAULT_CONFIG.trainSize / DEFAULT_CONFIG.batchSize;
  const handWritten = arch === "rnn" || arch === "gru";
  const name = handWritten ? "fast path" : "autodiff";
  const fastTimes: number[] = [];
  const refTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const fast = makeRunner("fast", arch);
    const ref = handWritten ? makeRunner("reference", arch) : undefined;
    const f: number[] = [];
    const g: number[] = [];
    for (let k = 0; k < WARMUP + batches; k++) {
      const t = fast.step();
      const u = ref && (k < WARMUP || k % REFERENCE_EVERY === 0) ? ref.step() : undefined;
      if (k >= WARMUP) {
        f.push(t);
        if (u !== undefined) g.push(u);
      }
    }
    fast.close();
    ref?.close();
    fastTimes.push(median(f));
    if (g.length) refTimes.push(median(g));
    log(
      `round ${r + 1}: ${arch} ${name} ${round2(median(f))} ms per batch` +
        (g.length ? `, autodiff ${round2(median(g))} ms (${round2(median(g) / median(f))}x)` : ""),
    );
  }
  const fastMs = median(fastTimes);
  log(
    `${arch}: ${name} median ${round2(fastMs)} ms per batch (min ${round2(Math.min(...fastTimes))}, max ${
      round2(Math.max(...fastTimes))
    })${refTimes.length ? `, autodiff ${round2(median(refTimes))} ms` : ""}; ${epochBatches} batches: ${
      round2((fastMs * epochBatches) / 1000)
    } s of steps per epoch`,
  );
}

/** Steps `runner` once and waits until a kernel worker of its two-thread workspaces has started. */
async function workersReady(runner: { step(): number }): Promise<void> {
  runner.step();
  await kernelWorkersStarted();
}

/** The fast path's validation pass on the FMA kernels, best of 3: in its default chunks on 1 and on 2 threads,
 * and in chunks of 1000 on 1. */
async function validationPass(
  config: TrainConfig,
): Promise<{ byDefault: number; twoThreads: number; byThousand: number }> {
  const model = buildModel(config);
  const w = modelVariables(model);
  const data = makeDataset({ seed: config.seed });
  const all = Array.from({ length: config.validationSize }, (_, i) => i);
  const x = batchOf(data.validation, config.seriesLength, INPUT_SCALING[config.inputScaling], all).x;
  const best = (chunk?: number) => {
    let ms = Infinity;
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      fastPredict(w, x, config.seriesLength, chunk, "fma");
      ms = Math.min(ms, performance.now() - start);
    }
    return ms;
  };
  const byDefault = best();
  const byThousand = best(1000);
  setKernelThreads(2);
  await workersReady({ step: () => (fastPredict(w, x, config.seriesLength, undefined, "fma"), 0) });
  const twoThreads = best();
  setKernelThreads(1);
  closeKernelWorkers();
  model.dispose();
  return { byDefault, twoThreads, byThousand };
}

await runCli(command, async ({ flags }) => {
  await initBackend();
  const config = DEFAULT_CONFIG;
  const log = (s: string) => console.log(s);
  if (flags.arch !== "lstm") return benchArch(flags.arch as Arch, flags.batches, flags.rounds, log);
  const flops = batchFlops(config);
  log(
    `one batch: B ${config.batchSize}, T ${config.seriesLength}, H ${config.units}: ` +
      `${(flops.total / 1e9).toFixed(3)} GFLOP of matrix products`,
  );
  const rounds: Record<string, number | string>[] = [];
  for (let r = 0; r < flags.rounds; r++) {
    // the trainers take turns, batch by batch, so that both see the same machine: on a shared
    // VM the speed drifts by tens of percent within minutes
    const fast = makeRunner("fast", "lstm");
    const fast2 = makeRunner("fast", "lstm", undefined, undefined, 2);
    const xnn = makeRunner("fast", "lstm", undefined, "xnnpack");
    const ref = makeRunner("reference", "lstm");
    await workersReady(fast2);
    const fastTimes: number[] = [];
    const fast2Times: number[] = [];
    const xnnTimes: number[] = [];
    const refTimes: number[] = [];
    for (let k = 0; k < WARMUP + flags.batches; k++) {
      const timed = k >= WARMUP;
      const t = fast.step();
      if (timed) fastTimes.push(t);
      const t2 = fast2.step();
      if (timed) fast2Times.push(t2);
      const x = xnn.step();
      if (timed) xnnTimes.push(x);
      if (!timed || k % REFERENCE_EVERY === 0) {
        const u = ref.step();
        if (timed) refTimes.push(u);
      }
    }
    fast.close();
    fast2.close();
    xnn.close();
    ref.close();
    closeKernelWorkers();
    const peak = gemmPeak();
    const fastMs = median(fastTimes);
    const row: Record<string, number | string> = {
      round: r + 1,
      fastMs: round2(fastMs),
      fastTwoThreadsMs: round2(median(fast2Times)),
      xnnpackMs: round2(median(xnnTimes)),
      referenceMs: round2(median(refTimes)),
      fastGflops: round2(flops.total / (fastMs * 1e6)),
      gemmPeakGflops: round2(peak),
      floorMs: round2(flops.total / (peak * 1e6)),
    };
    row.speedupOverReference = round2(median(refTimes) / fastMs);
    row.speedupOverXnnpack = round2(median(xnnTimes) / fastMs);
    row.twoThreadsOverOne = round2(fastMs / median(fast2Times));
    row.fastOverFloor = round2(fastMs / (row.floorMs as number));
    if (!flags["no-torch"]) {
      const torch = await timeTorch(flags.batches);
      if ("msPerBatch" in torch) {
        row.torchMs = round2(torch.msPerBatch);
        row.torch = torch.torch;
        row.fastOverTorch = round2(fastMs / torch.msPerBatch);
        row.fastTwoThreadsOverTorchOneThread = round2(median(fast2Times) / torch.msPerBatch);
        const torch2 = await timeTorch(flags.batches, 2);
        if ("msPerBatch" in torch2) row.torchTwoThreadsMs = round2(torch2.msPerBatch);
        else row.torchTwoThreadsError = torch2.error;
      } else {
        row.torchError = torch.error;
      }
    }
    rounds.push(row);
    log(
      `round ${r + 1}: fast ${row.fastMs} ms (${row.fastGflops} GFLOP/s), on 2 threads ${row.fastTwoThreadsMs} ms, ` +
        `on XNNPACK ${row.xnnpackMs} ms, ` +
        `reference ${row.referenceMs} ms, ` +
        (row.torchMs
          ? `pytorch ${row.torchMs} ms (2 threads ${row.torchTwoThreadsMs ?? `not run: ${row.torchTwoThreadsError}`}` +
            (row.torchTwoThreadsMs ? " ms), " : "), ")
          : row.torchError
          ? `pytorch not run (${row.torchError}), `
          : "") +
        `GEMM peak ${row.gemmPeakGflops} GFLOP/s on XNNPACK (floor ${row.floorMs} ms)`,
    );
  }
  const spread = (key: string) => {
    const xs = rounds.map((r) => r[key]).filter((x): x is number => typeof x === "number");
    return xs.length ? { median: round2(median(xs)), min: Math.min(...xs), max: Math.max(...xs) } : undefined;
  };
  const summary: Record<string, unknown> = {};
  for (
    const key of [
      "fastMs",
      "fastTwoThreadsMs",
      "xnnpackMs",
      "referenceMs",
      "torchMs",
      "torchTwoThreadsMs",
      "fastGflops",
      "gemmPeakGflops",
      "floorMs",
      "speedupOverReference",
      "speedupOverXnnpack",
      "fastOverTorch",
      "twoThreadsOverOne",
      "fastTwoThreadsOverTorchOneThread",
      "fastOverFloor",
    ]
  ) {
    const s = spread(key);
    if (s) {
      summary[key] = s;
      log(`${key.padEnd(22)} median ${s.median}  (min ${s.min}, max ${s.max}) over ${rounds.length} rounds`);
    }
  }
  // where the time goes: one more pass of the fast trainer with every phase timed
  const profile = emptyProfile();
  const profiled = makeRunner("fast", "lstm", profile);
  for (let k = 0; k < WARMUP; k++) profiled.step();
  Object.assign(profile, emptyProfile());
  let profiledMs = 0;
  for (let k = 0; k < flags.batches; k++) profiledMs += profiled.step();
  profiled.close();
  const perBatch: Record<string, number> = Object.fromEntries(
    Object.entries(profile).map(([k, v]) => [k, round2(v / flags.batches)]),
  );
  const gemmMs = perBatch.forwardGemm + perBatch.backwardGemm + perBatch.weightGemm;
  log(
    `profile of the fast step, ms per batch (${round2(profiledMs / flags.batches)} in all, mean of ${flags.batches}):`,
  );
  for (const [k, v] of Object.entries(perBatch)) log(`  ${k.padEnd(14)} ${v.toFixed(2).padStart(7)}`);
  log(
    `  matrix products ${round2(gemmMs)} ms at ${round2(flops.total / (gemmMs * 1e6))} GFLOP/s; the rest ${
      round2(profiledMs / flags.batches - gemmMs)
    } ms`,
  );
  const alone = productsAloneFma(config);
  const aloneXnnpack = productsAlone(config);
  const aloneMs = alone.forward + alone.backward + alone.weightGradients;
  log(`the same products alone (operands made once, best of 5), ms per batch and their rate, FMA kernel | XNNPACK:`);
  for (const [phase, ms] of Object.entries(alone) as [keyof typeof alone, number][]) {
    const x = aloneXnnpack[phase];
    log(
      `  ${phase.padEnd(16)} ${ms.toFixed(2).padStart(7)}  ${round2(flops[phase] / (ms * 1e6))} GFLOP/s | ` +
        `${x.toFixed(2).padStart(7)}  ${round2(flops[phase] / (x * 1e6))} GFLOP/s`,
    );
  }
  const xMs = aloneXnnpack.forward + aloneXnnpack.backward + aloneXnnpack.weightGradients;
  log(
    `  all three ${round2(aloneMs)} ms at ${round2(flops.total / (aloneMs * 1e6))} GFLOP/s | ${round2(xMs)} ms at ${
      round2(flops.total / (xMs * 1e6))
    } GFLOP/s; ${round2(gemmMs - aloneMs)} ms of the step's product time is spent around the products`,
  );
  const validation = await validationPass(config);
  const batches = config.trainSize / config.batchSize;
  const epoch = (stepMs: number, passMs: number) => (stepMs * batches + passMs) / 1000;
  const epochSeconds = epoch((summary.fastMs as { median: number }).median, validation.byDefault);
  const epochSecondsTwo = epoch((summary.fastTwoThreadsMs as { median: number }).median, validation.twoThreads);
  log(
    `the validation pass (${config.validationSize} series, forward only, best of 3): ${
      round2(validation.byDefault)
    } ms in chunks of ${PREDICT_CHUNK.fma} series, ${round2(validation.twoThreads)} ms on 2 threads | ${
      round2(validation.byThousand)
    } ms in chunks of 1000`,
  );
  log(
    `an epoch of steps at the median and this pass: ${round2(epochSeconds)} s, ${config.epochs} epochs ${
      Math.round(epochSeconds * config.epochs)
    } s; on 2 threads ${round2(epochSecondsTwo)} s, ${Math.round(epochSecondsTwo * config.epochs)} s`,
  );
  if (flags.json) {
    log(
      JSON.stringify({
        flops,
        rounds,
        summary,
        profile: perBatch,
        productsAlone: alone,
        aloneXnnpack,
        validationPassMs: validation,
        epochSeconds: round2(epochSeconds),
        epochSecondsTwoThreads: round2(epochSecondsTwo),
      }),
    );
  }
});
