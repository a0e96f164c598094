/** The hand-written BPTT of the `rnn` and `gru` archs against tf.layers' autodiff (issue: which model learns the sum). */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  autodiffGradients,
  batchOf,
  buildModel,
  fastRecurrentGradients,
  fastRecurrentPredict,
  initBackend,
  referencePredict,
  roleVariables,
  train,
} from "../src/train/mod.ts";
import { tf } from "../src/train/backend.ts";
import { relativeError } from "./_relative_error.ts";
import { INPUT_SCALING, makeDataset, resolveConfig } from "../mod.ts";

await initBackend();

/**
 * Trained-looking weights: the initial ones moved by noise, so that no gate sits at its init and
 * no bias is 0. The noise's sd is 0.3/√fan-in, so that the recurrence stays as stable as at init:
 * chaotic weights would amplify float32 rounding over 30 steps and test nothing.
 */
function perturb(model: tf.LayersModel, seed: number): void {
  for (const w of model.trainableWeights) {
    const v = w.read() as tf.Variable;
    const sd = 0.3 / Math.sqrt(v.rank === 2 ? v.shape[0] : 1);
    tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, sd, "float32", seed++))));
  }
}

function compareAt(arch: "rnn" | "gru", units: number, seed: number, weights?: (y: Float32Array) => Float32Array) {
  const model = buildModel(resolveConfig({ arch, units, seed }));
  perturb(model, seed);
  const roles = roleVariables(model, arch);
  const data = makeDataset({ seed, trainSize: 50, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING["digit/9"], Array.from({ length: 50 }, (_, i) => i));
  if (weights) batch.w = weights(batch.y);
  const ref = autodiffGradients(model, batch, roles);
  const fast = fastRecurrentGradients(arch, roles, batch);
  assert(Math.abs(ref.loss - fast.loss) <= 1e-4 * Math.abs(ref.loss), `${arch} loss ${ref.loss} vs ${fast.loss}`);
  assertEquals(Object.keys(fast.grads).sort(), Object.keys(ref.grads).sort());
  for (const name of Object.keys(ref.grads)) {
    assertEquals(fast.grads[name].shape, ref.grads[name].shape, name);
    const err = relativeError(ref.grads[name].dataSync(), fast.grads[name].dataSync());
    assert(err <= 1e-4, `${arch} ${name}: relative error ${err} at ${units} units`);
  }
  tf.dispose([...Object.values(ref.grads), ...Object.values(fast.grads)]);
  model.dispose();
}

for (const arch of ["rnn", "gru"] as const) {
  Deno.test(`fastRecurrentGradients() for ${arch} matches autodiff's loss and every gradient to 1e-4 at small sizes`, () => {
    for (const [units, seed] of [[3, 1], [5, 2], [8, 3]]) compareAt(arch, units, seed);
  });

  Deno.test(`fastRecurrentGradients() for ${arch} matches autodiff's loss and every gradient to 1e-4 at the full 200 units`, () => {
    compareAt(arch, 200, 42);
  });

  Deno.test(`fastRecurrentGradients() for ${arch} matches autodiff with per-series loss weights`, () => {
    compareAt(arch, 6, 5, (y) => Float32Array.from(y, (v) => (v ? 0.5 : 40)));
  });

  Deno.test(`fastRecurrentPredict() for ${arch} matches tf.layers predict to 1e-6, over several chunks`, () => {
    const model = buildModel(resolveConfig({ arch, units: 16, seed: 9 }));
    perturb(model, 9);
    const data = makeDataset({ seed: 9, trainSize: 300, validationSize: 1 });
    const x = batchOf(data.train, 30, INPUT_SCALING["digit/9"], Array.from({ length: 300 }, (_, i) => i)).x;
    const a = fastRecurrentPredict(arch, roleVariables(model, arch), x, 30, 128);
    const b = referencePredict(model, x, 30);
    for (let i = 0; i < a.length; i++) assert(Math.abs(a[i] - b[i]) <= 1e-6, `series ${i}: ${a[i]} vs ${b[i]}`);
    model.dispose();
  });

  Deno.test(`fastRecurrentGradients() for ${arch} leaks no tensor and carries no state between batches`, () => {
    const model = buildModel(resolveConfig({ arch, units: 6, seed: 8 }));
    const roles = roleVariables(model, arch);
    const data = makeDataset({ seed: 8, trainSize: 100, validationSize: 1 });
    const rows = (from: number) => Array.from({ length: 50 }, (_, i) => from + i);
    const a = batchOf(data.train, 30, INPUT_SCALING.centered, rows(0));
    const b = batchOf(data.train, 30, INPUT_SCALING.centered, rows(50));
    const bytes = (batch: typeof a) => {
      const { loss, probabilities, grads } = fastRecurrentGradients(arch, roles, batch);
      const out = [loss, ...probabilities, ...Object.values(grads).flatMap((g) => [...g.dataSync()])];
      tf.dispose(Object.values(grads));
      return out;
    };
    const first = bytes(a);
    const before = tf.memory().numTensors;
    const other = bytes(b);
    assert(first.some((x, i) => x !== other[i]), "the two batches must differ, or the test proves nothing");
    assertEquals(bytes(a), first);
    fastRecurrentPredict(arch, roles, a.x, 30);
    assertEquals(tf.memory().numTensors, before);
    model.dispose();
  });

  Deno.test(`train() with arch ${arch} and the fast trainer lowers the loss like autodiff does`, async () => {
    const config = { arch, units: 4, trainSize: 150, validationSize: 50, epochs: 3, seed: 11 };
    const losses = [];
    for (const trainer of ["fast", "reference"] as const) {
      const { model, history } = await train({ config: { ...config, trainer } });
      const loss = history.batches.loss;
      assert(loss.at(-1)! < loss[0], `${trainer}: loss went from ${loss[0]} to ${loss.at(-1)}`);
      losses.push(loss);
      model.dispose();
    }
    // the same maths: the two trainers' loss curves agree to float32 rounding
    for (let i = 0; i < losses[0].length; i++) {
      assert(
        Math.abs(losses[0][i] - losses[1][i]) <= 1e-4 * losses[1][i],
        `batch ${i}: ${losses[0][i]} vs ${losses[1][i]}`,
      );
    }
  });
}

Deno.test("fastRecurrentGradients() names weights that are not the arch's", () => {
  const model = buildModel(resolveConfig({ arch: "rnn", units: 3 }));
  const roles = roleVariables(model, "rnn");
  const data = makeDataset({ seed: 1, trainSize: 50, validationSize: 1 });
  const batch = batchOf(data.train, 30, INPUT_SCALING.digit, Array.from({ length: 50 }, (_, i) => i));
  assertThrows(
    () => fastRecurrentGradients("gru", roles, batch),
    Error,
    "The gru recurrent kernel must be [H, 3H], got [3,3]",
  );
  assertThrows(
    () => fastRecurrentGradients("rnn", roles.slice(0, 3), batch),
    Error,
    "The rnn fast path needs 5 trainable weights, got 3",
  );
  model.dispose();
});
