import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  batchOf,
  buildModel,
  closeKernelWorkers,
  fastGradients,
  fastPredict,
  initBackend,
  kernelWorkersReady,
  kernelWorkersStarted,
  type LstmWeights,
  modelVariables,
  referenceGradients,
  referencePredict,
  setKernelThreads,
  train,
} from "../src/train/mod.ts";
import { tf } from "../src/train/backend.ts";
import { relativeError } from "./_relative_error.ts";
import { DEFAULT_CONFIG, INPUT_SCALING, type InputScaling, makeDataset } from "../mod.ts";
import { type Matmul, MATMULS } from "../src/core/spec.ts";

await initBackend();

function compareAt(
  units: number,
  seed: number,
  scaling: InputScaling = "digit/9",
  matmul: Matmul = "xnnpack",
  seriesLength = 30,
) {
  const config = { ...DEFAULT_CONFIG, units, seed, inputScaling: scaling, seriesLength };
  const model = buildModel(config);
  const data = makeDataset({ seed, trainSize: 50, validationSize: 1, seriesLength });
  const batch = batchOf(data.train, seriesLength, INPUT_SCALING[scaling], Array.from({ length: 50 }, (_, i) => i));
  const ref = referenceGradients(model, batch);
  const fast = fastGradients(modelVariables(model), batch, undefined, matmul);
  assert(
    Math.abs(ref.loss - fast.loss) <= 1e-4 * Math.abs(ref.loss),
    `${matmul}: loss ${ref.loss} vs ${fast.loss}`,
  );
  for (const name of Object.keys(ref.grads) as (keyof LstmWeights)[]) {
    assertEquals(fast.grads[name].shape, ref.grads[name].shape, name);
    const err = relativeError(ref.grads[name].dataSync(), fast.grads[name].dataSync());
    assert(err <= 1e-4, `${matmul}: ${name}: relative error ${err} at ${units} units`);
  }
  tf.dispose([...Object.values(ref.grads), ...Object.values(fast.grads)]);
  model.dispose();
}

Deno.test("fastGradients() matches the reference loss and every gradient to 1e-4 at small sizes, with either matmul", () => {
  for (const matmul of MATMULS) {
    for (const [units, seed] of [[3, 1], [5, 2], [8, 3]]) compareAt(units, seed, "digit/9", matmul);
  }
});

Deno.test("fastGradients() matches the reference loss and every gradient to 1e-4 with 1 and 2 steps, where h_{−1} = 0 is all or half the recurrence, with either matmul", () => {
  for (const matmul of MATMULS) {
    for (const steps of [1, 2]) compareAt(8, 6, "digit/9", matmul, steps);
  }
});

Deno.test("fastGradients() matches the reference loss and every gradient to 1e-4 at the full 200 units, with either matmul", () => {
  for (const matmul of MATMULS) compareAt(200, 42, "digit/9", matmul);
});

Deno.test("fastGradients() (e) with the one-hot input: kernel [10, 4H], every gradient to 1e-4 at small and full sizes, with either matmul", () => {
  for (const matmul of MATMULS) {
    for (const [units, seed] of [[3, 1], [8, 3], [200, 42]]) compareAt(units, seed, "one-hot", matmul);
  }
});

Deno.test("fastGradients() with matmul fma rounds differently from xnnpack: other bytes, the same gradients to 1e-5", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 8, seed: 3 });
  const data = makeDataset({ seed: 3, trainSize: 50, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING.centered, Array.from({ length: 50 }, (_, i) => i));
  const [a, b] = MATMULS.map((m) => fastGradients(modelVariables(model), batch, undefined, m));
  const ra = a.grads.recurrentKernel.dataSync();
  const rb = b.grads.recurrentKernel.dataSync();
  assert(ra.some((x, i) => x !== rb[i]), "the two arithmetics must differ, or the option does nothing");
  assert(relativeError(ra, rb) <= 1e-5, `relative error ${relativeError(ra, rb)}`);
  tf.dispose([...Object.values(a.grads), ...Object.values(b.grads)]);
  model.dispose();
});

Deno.test("fastGradients() refuses a batch whose inputs do not fill B series × T steps × F inputs (RangeError)", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 3, seed: 1, inputScaling: "one-hot" });
  const data = makeDataset({ seed: 1, trainSize: 50, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING.centered, Array.from({ length: 50 }, (_, i) => i));
  assertThrows(
    () => fastGradients(modelVariables(model), batch),
    RangeError,
    "A batch of 50 series of 30 steps needs 15000 inputs (10 a step), got 1500",
  );
  model.dispose();
});

Deno.test("fastPredict() (e) with the one-hot input matches tf.layers predict to 1e-6", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 16, seed: 9, inputScaling: "one-hot" });
  assertEquals(model.inputs[0].shape, [null, 30, 10]);
  const data = makeDataset({ seed: 9, trainSize: 300, validationSize: 1 });
  const x = batchOf(data.train, 30, INPUT_SCALING["one-hot"], Array.from({ length: 300 }, (_, i) => i)).x;
  assertEquals(x.length, 300 * 30 * 10);
  const b = referencePredict(model, x, 30);
  for (const matmul of MATMULS) {
    const a = fastPredict(modelVariables(model), x, 30, 128, matmul);
    assertEquals(a.length, 300);
    for (let i = 0; i < a.length; i++) assert(Math.abs(a[i] - b[i]) <= 1e-6, `${matmul} ${i}: ${a[i]} vs ${b[i]}`);
  }
  model.dispose();
});

Deno.test("fastGradients() matches the reference with per-series loss weights (class-weighted study)", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 6, seed: 5 });
  const data = makeDataset({ seed: 5, trainSize: 50, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING.digit, Array.from({ length: 50 }, (_, i) => i));
  batch.w = Float32Array.from(batch.y, (y) => (y ? 0.5 : 40));
  const ref = referenceGradients(model, batch);
  const fast = fastGradients(modelVariables(model), batch);
  assert(Math.abs(ref.loss - fast.loss) <= 1e-4 * ref.loss, `loss ${ref.loss} vs ${fast.loss}`);
  for (const name of Object.keys(ref.grads) as (keyof LstmWeights)[]) {
    const err = relativeError(ref.grads[name].dataSync(), fast.grads[name].dataSync());
    assert(err <= 1e-4, `${name}: relative error ${err}`);
  }
  tf.dispose([...Object.values(ref.grads), ...Object.values(fast.grads)]);
  model.dispose();
});

Deno.test("fastPredict() matches tf.layers predict to 1e-6, with either matmul", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 16, seed: 9 });
  const data = makeDataset({ seed: 9, trainSize: 300, validationSize: 1 });
  const x = batchOf(data.train, 30, INPUT_SCALING["digit/9"], Array.from({ length: 300 }, (_, i) => i)).x;
  const b = referencePredict(model, x, 30);
  for (const matmul of MATMULS) {
    const a = fastPredict(modelVariables(model), x, 30, 128, matmul);
    for (let i = 0; i < a.length; i++) {
      assert(Math.abs(a[i] - b[i]) <= 1e-6, `${matmul} series ${i}: ${a[i]} vs ${b[i]}`);
    }
  }
  model.dispose();
});

Deno.test("fastPredict() on the fma kernels gives the same bytes for any chunk of series, k-chunked products included", () => {
  // 700 series of 200 units: a chunk of all 700 makes the gates' A 700 × 202 floats, above the kernels' chunking of k
  const model = buildModel({ ...DEFAULT_CONFIG, seed: 5 });
  const data = makeDataset({ seed: 5, trainSize: 700, validationSize: 1 });
  const x = batchOf(data.train, 30, INPUT_SCALING.centered, Array.from({ length: 700 }, (_, i) => i)).x;
  const w = modelVariables(model);
  const whole = fastPredict(w, x, 30, 700, "fma");
  for (const chunk of [1, 49, 100, undefined]) {
    assertEquals(fastPredict(w, x, 30, chunk, "fma"), whole, `chunk ${chunk}`);
  }
  model.dispose();
});

Deno.test("fastGradients() and fastPredict() with 2 kernel threads (a worker per workspace) give the bytes of 1; closeKernelWorkers() stops them; setKernelThreads refuses 3", async () => {
  const model = buildModel({ ...DEFAULT_CONFIG, seed: 12 });
  const w = modelVariables(model);
  const data = makeDataset({ seed: 12, trainSize: 100, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING.centered, Array.from({ length: 50 }, (_, i) => i));
  const x = batchOf(data.train, 30, INPUT_SCALING.centered, Array.from({ length: 100 }, (_, i) => i)).x;
  const bytes = () => {
    const { loss, probabilities, grads } = fastGradients(w, batch, undefined, "fma");
    const out = [loss, ...probabilities, ...Object.values(grads).flatMap((g) => [...g.dataSync()])];
    tf.dispose(Object.values(grads));
    return [...out, ...fastPredict(w, x, 30, undefined, "fma")];
  };
  const one = bytes();
  try {
    setKernelThreads(2);
    bytes(); // makes both workspaces and their workers
    await kernelWorkersStarted(2);
    assertEquals(bytes(), one);
  } finally {
    setKernelThreads(1);
    closeKernelWorkers();
  }
  assertEquals(kernelWorkersReady(), 0);
  assertThrows(() => setKernelThreads(3), RangeError, "The kernels' threads must be 1 or 2, got 3");
  model.dispose();
});

Deno.test("fastGradients() carries no state between calls: a batch gives the same bytes before and after another, with either matmul", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 6, seed: 8 });
  const w = modelVariables(model);
  const data = makeDataset({ seed: 8, trainSize: 100, validationSize: 1 });
  const rows = (from: number) => Array.from({ length: 50 }, (_, i) => from + i);
  const a = batchOf(data.train, 30, INPUT_SCALING.centered, rows(0));
  const b = batchOf(data.train, 30, INPUT_SCALING.centered, rows(50));
  for (const matmul of MATMULS) {
    const bytes = (batch: typeof a) => {
      const { loss, probabilities, grads } = fastGradients(w, batch, undefined, matmul);
      const out = [loss, ...probabilities, ...Object.values(grads).flatMap((g) => [...g.dataSync()])];
      tf.dispose(Object.values(grads));
      return out;
    };
    const first = bytes(a);
    const other = bytes(b);
    assert(first.some((x, i) => x !== other[i]), "the two batches must differ, or the test proves nothing");
    assertEquals(bytes(a), first);
  }
  model.dispose();
});

Deno.test("fastGradients() leaks no tensor: tf.memory().numTensors stays flat across batches, with either matmul", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 8, seed: 4 });
  const w = modelVariables(model);
  const data = makeDataset({ seed: 4, trainSize: 50, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING["digit/9"], Array.from({ length: 50 }, (_, i) => i));
  for (const matmul of MATMULS) {
    tf.dispose(Object.values(fastGradients(w, batch, undefined, matmul).grads));
    const before = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) {
      tf.dispose(Object.values(fastGradients(w, batch, undefined, matmul).grads));
    }
    fastPredict(w, batch.x, 30, 1000, matmul);
    assertEquals(tf.memory().numTensors, before, matmul);
  }
  model.dispose();
});

const tiny = {
  units: 4,
  trainSize: 150,
  validationSize: 50,
  epochs: 3,
  seed: 11,
};

Deno.test("train() is bitwise reproducible: the same seed gives the same weights, history and metrics", async () => {
  const run = async () => {
    const { model, history, metrics } = await train({ config: tiny });
    const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
    model.dispose();
    for (const e of history.epochs) e.seconds = 0; // wall-clock time is the one thing that may differ
    return { weights, history, metrics: { ...metrics, seconds: 0 } };
  };
  const first = await run();
  assertEquals(await run(), first);
  assert(first.weights.flat().some((w) => w !== 0), "weights must vary, or the test proves nothing");
});

Deno.test("train() lowers the loss on a tiny run (4 units, 200 series, 3 epochs), with both trainers", async () => {
  for (const trainer of ["fast", "reference"] as const) {
    const { model, history } = await train({ config: { ...tiny, trainer } });
    const first = history.batches.loss.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = history.batches.loss.slice(-3).reduce((a, b) => a + b) / 3;
    assert(last < first, `${trainer}: loss went from ${first} to ${last}`);
    model.dispose();
  }
});

Deno.test("train() (f) runs the configured epochs of trainSize / 50 batches and records both", async () => {
  const events: string[] = [];
  const { model, history, metrics } = await train({
    config: tiny,
    onProgress: (p) => events.push(p.kind),
  });
  assertEquals(history.epochs.length, 3);
  assertEquals(history.batches.loss.length, 3 * 3);
  assertEquals(history.batches.accuracy.length, 3 * 3);
  assertEquals(events.filter((e) => e === "epoch").length, 3);
  assertEquals(metrics.config.batchSize, 50);
  assertEquals(Object.keys(history.epochs[0]).sort(), [
    "accuracy",
    "epoch",
    "loss",
    "seconds",
    "valAccuracy",
    "valLoss",
  ]);
  model.dispose();
});
