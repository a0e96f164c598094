import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import fc from "fast-check";
import { clipByGlobalNorm } from "../src/train/step.ts";
import { buildModel, countParams, initBackend, makeOptimizer } from "../src/train/mod.ts";
import { tf } from "../src/train/backend.ts";
import { archLayers, countParameters, DEFAULT_CONFIG, resolveConfig, SPEC } from "../mod.ts";

await initBackend();

Deno.test("buildModel() (b) is LSTM(200) on the series, then one sigmoid unit on the last step's h", () => {
  const model = buildModel(DEFAULT_CONFIG);
  const [lstm, dense] = model.layers;
  const lc = lstm.getConfig();
  assertEquals([
    lstm.getClassName(),
    lc.units,
    lc.returnSequences,
    lc.recurrentActivation,
    lc.activation,
  ], [
    "LSTM",
    SPEC.units,
    false,
    "sigmoid",
    "tanh",
  ]);
  assertEquals([
    dense.getClassName(),
    dense.getConfig().units,
    dense.getConfig().activation,
  ], ["Dense", SPEC.outputs, "sigmoid"]);
  assertEquals(model.inputs[0].shape, [null, SPEC.seriesLength, 1]);
  assertEquals(model.outputs[0].shape, [null, 1]);
  model.dispose();
});

Deno.test("buildModel() (b) has exactly 161,801 parameters: 4·(200·(1+200)+200) + 201", () => {
  const model = buildModel(DEFAULT_CONFIG);
  assertEquals(countParams(model), 161_801);
  assertEquals(model.countParams(), 161_801);
  model.dispose();
});

Deno.test("buildModel() (e) with the one-hot input: LSTM(200) on 10 inputs per step, 169,001 parameters (4·(200·(10+200)+200) + 201) as countParameters says", () => {
  const config = resolveConfig({ inputScaling: "one-hot" });
  const model = buildModel(config);
  assertEquals(model.inputs[0].shape, [null, SPEC.seriesLength, 10]);
  const { inputSize, layers } = archLayers(config);
  assertEquals(inputSize, 10);
  assertEquals(countParameters(inputSize, layers).total, 169_001);
  assertEquals(countParams(model), 169_001);
  model.dispose();
});

Deno.test("buildModel() draws the same initial weights from the same seed and others from another", () => {
  const bytes = (seed: number) => {
    const m = buildModel({ ...DEFAULT_CONFIG, units: 6, seed });
    const w = m.getWeights().map((t) => Array.from(t.dataSync()));
    m.dispose();
    return w;
  };
  assertEquals(bytes(5), bytes(5));
  assertNotEquals(bytes(5), bytes(6));
});

Deno.test("buildModel() (e) recurrentInit: orthogonal by default (R·Rᵀ = I), Glorot-uniform or zeros when asked; nothing else changes", () => {
  const H = 6;
  const weights = (extra: object) => {
    const m = buildModel({ ...DEFAULT_CONFIG, units: H, seed: 7, ...extra });
    const w = m.getWeights().map((t) => Float32Array.from(t.dataSync()));
    m.dispose();
    return w; // kernel, recurrent kernel [H, 4H], bias, dense kernel, dense bias
  };
  const gram = (r: Float32Array) =>
    Array.from({ length: H * H }, (_, k) => {
      const [i, j] = [Math.floor(k / H), k % H];
      let s = 0;
      for (let c = 0; c < 4 * H; c++) s += r[i * 4 * H + c] * r[j * 4 * H + c];
      return s;
    });
  const identity = Array.from({ length: H * H }, (_, k) => (Math.floor(k / H) === k % H ? 1 : 0));
  const orthogonal = weights({});
  const glorot = weights({ recurrentInit: "glorot" });
  gram(orthogonal[1]).forEach((v, k) => assertAlmostEquals(v, identity[k], 1e-5));
  const limit = Math.sqrt(6 / (H + 4 * H));
  assert(glorot[1].every((v) => Math.abs(v) <= limit), `a value beyond the Glorot limit ${limit}`);
  assert(gram(glorot[1]).some((v, k) => Math.abs(v - identity[k]) > 0.05), "Glorot-uniform came out orthogonal");
  assertEquals(weights({ recurrentInit: "glorot" }), glorot, "the same seed gives the same weights");
  for (const k of [0, 2, 3, 4]) assertEquals(glorot[k], orthogonal[k], `weight ${k} changed`);
  const zeros = weights({ recurrentInit: "zeros" });
  assertEquals(zeros[1], new Float32Array(H * 4 * H), "the recurrent kernel starts at 0");
  for (const k of [0, 2, 3, 4]) assertEquals(zeros[k], orthogonal[k], `weight ${k} changed`);
});

Deno.test("makeOptimizer() (g) is Adam with η 0.001, β1 0.9, β2 0.999, ε 1e-8, and frees its tensors on dispose", () => {
  const before = tf.memory().numTensors;
  const adam = makeOptimizer(DEFAULT_CONFIG);
  assertEquals(adam.getClassName(), "Adam");
  assertEquals(adam.getConfig(), {
    learningRate: 0.001,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  });
  adam.dispose();
  assertEquals(tf.memory().numTensors, before, "tensors left after dispose()");
});

Deno.test("buildModel() (e) starts the forget gate's bias at forgetBias, the other gates' at 0", () => {
  const H = 6;
  const bias = (extra: object) => {
    const m = buildModel({ ...DEFAULT_CONFIG, units: H, ...extra });
    const b = Array.from(m.layers[0].getWeights()[2].dataSync());
    m.dispose();
    return b;
  };
  const gates = (b: number[]) => [0, 1, 2, 3].map((g) => b.slice(g * H, (g + 1) * H));
  assertEquals(gates(bias({ forgetBias: 5 })), [
    Array(H).fill(0),
    Array(H).fill(5),
    Array(H).fill(0),
    Array(H).fill(0),
  ]);
  assertEquals(gates(bias({ forgetBias: 5 })), gates(bias({})), "the default's forget-gate bias is 5");
  const absent = { forgetBias: undefined };
  assertEquals(gates(bias(absent)), [Array(H).fill(0), Array(H).fill(1), Array(H).fill(0), Array(H).fill(0)]);
  assertEquals(gates(bias({ ...absent, unitForgetBias: false }))[1], Array(H).fill(0));
});

Deno.test("clipByGlobalNorm() scales every gradient by min(1, max / global norm), keeping directions", () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 8 }),
      fc.float({ min: Math.fround(0.01), max: 50, noNaN: true }),
      (values, max) => {
        const grads = { a: tf.tensor1d(values.slice(0, 1)), b: tf.tensor1d(values.slice(1)) };
        const norm = Math.hypot(...values);
        const returned = clipByGlobalNorm(grads, max);
        const out = [...grads.a.dataSync(), ...grads.b.dataSync()];
        tf.dispose(Object.values(grads));
        assertAlmostEquals(returned, norm, 1e-3 * Math.max(1, norm));
        const scale = norm > max ? max / norm : 1;
        out.forEach((v, i) => assertAlmostEquals(v, values[i] * scale, 1e-4 * Math.max(1, Math.abs(values[i]))));
        assert(Math.hypot(...out) <= max * (1 + 1e-5) || norm <= max);
      },
    ),
    { numRuns: 50 },
  );
});
