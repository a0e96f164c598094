/**
 * The H6.1 training loop (src/mnist/train.ts) on tiny runs: the loss falls, a seed gives the same
 * bytes, evaluations land every `evaluateEvery` updates, and a resumed run equals an uninterrupted one.
 */
import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import fc from "fast-check";
import { tf } from "../src/train/backend.ts";
import { epochPermutation } from "../src/core/dataset.ts";
import { decodeMnistCheckpoint, encodeMnistCheckpoint, type MnistTrainingState } from "../src/mnist/checkpoint.ts";
import { loadMnist } from "../src/mnist/data.ts";
import { mnistVariables } from "../src/mnist/model.ts";
import {
  mnistRunPaths,
  readMnistCheckpoint,
  readMnistMetrics,
  writeMnistCheckpoint,
  writeMnistRun,
} from "../src/mnist/run_dir.ts";
import { type MnistOverrides, resolveMnistConfig } from "../src/mnist/spec.ts";
import { batchRows, MnistTrainingInterrupted, trainMnist } from "../src/mnist/train.ts";

const images = await loadMnist();

/** Tiny configs: 20 updates; the exercise's init sd, but biases +0.1 so that the MLP and CNN units start alive. */
const tiny: Record<string, MnistOverrides> = {
  linear: { model: "linear", iterations: 20, evaluateEvery: 10 },
  mlp: { model: "mlp", iterations: 20, evaluateEvery: 10, hiddenUnits: 32, biasInit: 0.1 },
  "mlp-dropout": { model: "mlp-dropout", iterations: 20, evaluateEvery: 10, hiddenUnits: 32, biasInit: 0.1 },
  cnn: { model: "cnn", iterations: 20, evaluateEvery: 10, filters: [4, 8], biasInit: 0.1 },
};

/** A run's bytes: weights, history and metrics, with wall-clock seconds zeroed (the one thing that may differ). */
async function runBytes(options: Parameters<typeof trainMnist>[0]) {
  const { model, history, metrics } = await trainMnist(options);
  const weights = mnistVariables(model).map((r) => Array.from(r.variable.dataSync()));
  model.dispose();
  for (const e of history.evaluations) e.seconds = 0;
  return { weights, history, metrics: { ...metrics, seconds: 0 } };
}

for (const [name, config] of Object.entries(tiny)) {
  Deno.test(`trainMnist() ${name}: 20 updates lower the test loss and the batch loss`, async () => {
    const { model, history } = await trainMnist({ config, images });
    model.dispose();
    const first = history.evaluations[0].testLoss;
    const last = history.evaluations.at(-1)!.testLoss;
    assert(last < first, `test loss went from ${first} to ${last}`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [early, late] = [mean(history.loss.slice(0, 5)), mean(history.loss.slice(-5))];
    assert(late < early, `batch loss went from ${early} to ${late}`);
  });
}

Deno.test("trainMnist() is bitwise reproducible: the same seed gives the same weights, history and metrics", async () => {
  for (const name of ["mlp-dropout", "cnn"]) {
    const first = await runBytes({ config: { ...tiny[name], iterations: 8 }, images });
    assertEquals(await runBytes({ config: { ...tiny[name], iterations: 8 }, images }), first, name);
    assert(first.weights.flat().some((w) => w !== 0), "weights must vary, or the test proves nothing");
  }
});

Deno.test("trainMnist() with another seed gives other weights", async () => {
  const a = await runBytes({ config: { ...tiny.cnn, iterations: 2 }, images });
  const b = await runBytes({ config: { ...tiny.cnn, iterations: 2, seed: 43 }, images });
  assertNotEquals(b.weights[0], a.weights[0]);
});

Deno.test("trainMnist() (e) evaluates at 0, every evaluateEvery updates and after the last; metrics hold the confusion matrix", async () => {
  const events: string[] = [];
  const { model, history, metrics } = await trainMnist({
    config: { ...tiny.linear, iterations: 25 },
    images,
    onProgress: (p) => events.push(p.kind),
  });
  model.dispose();
  assertEquals(history.evaluations.map((e) => e.iteration), [0, 10, 20, 25]);
  assertEquals([history.loss.length, history.accuracy.length], [25, 25]);
  assertEquals([events.filter((e) => e === "iteration").length, events.filter((e) => e === "evaluation").length], [
    25,
    4,
  ]);
  assertEquals(history.evaluations[0].testAccuracy, metrics.test.confusion[0].reduce((a, b) => a + b, 0) / 2_000);
  assertEquals(metrics.parameters, 7_850);
  assertEquals([metrics.train.size, metrics.test.size], [8_000, 2_000]);
  assertEquals(metrics.data.train, [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
  for (const part of [metrics.train, metrics.test]) {
    const cells = part.confusion.flat();
    assertEquals(cells.reduce((a, b) => a + b, 0), part.size);
    assertEquals(part.confusion.reduce((a, row, i) => a + row[i], 0) / part.size, part.accuracy);
  }
  assert(metrics.test.accuracy > 0.8, `25 updates of the linear model reach ${metrics.test.accuracy}`);
});

for (const name of ["linear", "mlp-dropout"]) {
  Deno.test(`trainMnist() ${name} resumed from a checkpoint (through its file bytes) gives the bytes of an uninterrupted run`, async () => {
    const config = { ...tiny[name], iterations: 12, evaluateEvery: 5 };
    const whole = await runBytes({ config, images });
    const controller = new AbortController();
    let stopped: MnistTrainingState | undefined;
    await assertRejects(
      () =>
        trainMnist({
          config,
          images,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.kind === "iteration" && p.iteration === 7) controller.abort();
          },
          onCheckpoint: (state) => {
            stopped = state;
          },
        }),
      MnistTrainingInterrupted,
      "MNIST training interrupted after 7 of 12 iterations",
    );
    if (!stopped) throw new Error("onCheckpoint was not called on interruption");
    const bytes = encodeMnistCheckpoint(stopped);
    const resumed = await runBytes({ config, images, resume: decodeMnistCheckpoint("mem", bytes) });
    assertEquals(resumed, whole);
    if (name === "mlp-dropout") {
      // Adam's running product β1^t comes from the checkpoint (tfjs's setWeights would recompute it with pow)
      const tampered = decodeMnistCheckpoint("mem", bytes);
      const acc = tampered.tensors.find((t) => t.name === "adam/accBeta1");
      if (!acc) throw new Error("the checkpoint holds no adam/accBeta1");
      assertAlmostEquals(acc.values[0], 0.9 ** 8, 1e-6); // β1^(t+1) after t = 7 updates
      acc.values[0] *= 0.5;
      assertNotEquals((await runBytes({ config, images, resume: tampered })).weights, whole.weights);
    }
  });
}

Deno.test("trainMnist() hands a checkpoint to onCheckpoint every checkpointEvery updates, and refuses one of another config", async () => {
  const iterations: number[] = [];
  const { model } = await trainMnist({
    config: { ...tiny.linear, iterations: 7 },
    images,
    checkpointEvery: 3,
    onCheckpoint: (s) => {
      iterations.push(s.iteration);
    },
  });
  model.dispose();
  assertEquals(iterations, [3, 6]);
  const state: MnistTrainingState = {
    config: { ...resolveMnistConfig({ ...tiny.linear, iterations: 1 }) },
    iteration: 0,
    history: { loss: [], accuracy: [], evaluations: [] },
    seconds: 0,
    tensors: [],
  };
  await assertRejects(
    () => trainMnist({ config: { ...tiny.linear, iterations: 2 }, images, resume: state }),
    RangeError,
    "The checkpoint's config",
  );
  await assertRejects(
    () => trainMnist({ config: tiny.linear, images, epochs: 3 } as never),
    TypeError,
    'Unknown MNIST training option "epochs"',
  );
});

Deno.test("decodeMnistCheckpoint() rejects bytes that are not a whole checkpoint, naming the file", () => {
  assertThrows(
    () => decodeMnistCheckpoint("x.ckpt", new Uint8Array(30)),
    RangeError,
    "MNIST checkpoint x.ckpt is not an MNIST checkpoint",
  );
  const state: MnistTrainingState = {
    config: { ...resolveMnistConfig(tiny.linear) },
    iteration: 0,
    history: { loss: [], accuracy: [], evaluations: [] },
    seconds: 0,
    tensors: [{ name: "weights/output/bias", shape: [10], values: new Float32Array(10).fill(0.5) }],
  };
  const bytes = encodeMnistCheckpoint(state);
  assertEquals(decodeMnistCheckpoint("x", bytes).tensors[0].values, state.tensors[0].values);
  assertThrows(
    () => decodeMnistCheckpoint("x.ckpt", bytes.subarray(0, bytes.length - 4)),
    RangeError,
    "MNIST checkpoint x.ckpt is truncated in tensor 0",
  );
});

Deno.test("batchRows() walks seeded epoch permutations: an epoch's batches cover the training set once (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 0, max: 1000 }),
      (size, batch, seed) => {
        const rows: number[] = [];
        for (let i = 0; rows.length < 3 * size; i++) {
          rows.push(
            ...batchRows({ seed, trainSize: size, batchSize: batch, iteration: i }),
          );
        }
        for (let e = 0; e < 3; e++) {
          assertEquals(rows.slice(e * size, (e + 1) * size), [...epochPermutation({ seed, epoch: e, size })]);
        }
      },
    ),
    { seed: 5, numRuns: 100 },
  );
});

Deno.test("writeMnistRun() writes metrics.json, history.json and the tfjs files; the checkpoint goes beside the directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/models/mnist-linear`;
    const result = await trainMnist({ config: { ...tiny.linear, iterations: 3 }, images });
    await writeMnistRun(out, result);
    result.model.dispose();
    const metrics = await readMnistMetrics(out);
    assertEquals(metrics.config, result.metrics.config);
    for (const file of ["history.json", "tfjs/model.json", "tfjs/weights.bin"]) await Deno.stat(`${out}/${file}`);
    assertEquals((await Deno.stat(`${out}/tfjs/weights.bin`)).size, 4 * 7_850);
    const state: MnistTrainingState = {
      config: result.metrics.config,
      iteration: 0,
      history: { loss: [], accuracy: [], evaluations: [] },
      seconds: 0,
      tensors: [],
    };
    await writeMnistCheckpoint(out, state);
    assertEquals(mnistRunPaths(out).checkpoint, `${dir}/models/.mnist-linear.checkpoint`);
    assertEquals((await readMnistCheckpoint(out))?.config, state.config);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(tf.getBackend(), "wasm");
});
