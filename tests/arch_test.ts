/** The `arch` choice of item (e): the LSTM of the spec, or one logistic unit, SimpleRNN, GRU or Conv1D. */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { affineOf, archOf, INPUT_SCALING, resolveConfig } from "../src/core/spec.ts";
import { archLayers, countParameters } from "../src/core/params.ts";
import { makeDataset, scaleDigits } from "../src/core/dataset.ts";
import { buildModel, conv1dForward, initBackend, referencePredict, roleVariables, train } from "../src/train/mod.ts";
import { encodeTrained } from "../src/train/export.ts";
import { encodeLinearOnnx } from "../src/onnx/encode.ts";
import { loadOnnx } from "../src/onnx/runtime.ts";
import { tf } from "../src/train/backend.ts";
import { stopTrainingAt } from "./_stop_training.ts";

await initBackend();

/** onnxruntime-web on the bytes against tf.layers `predict` on 64 series: equal to 1e-6, and varying. */
async function assertRoundTrip(
  model: tf.LayersModel,
  bytes: Uint8Array,
  scaling: keyof typeof INPUT_SCALING,
  spread: number,
): Promise<void> {
  const data = makeDataset({ seed: 3, trainSize: 64, validationSize: 1 });
  const onnx = await loadOnnx(bytes, "memory");
  const p = await onnx.predict(data.train.x, 30);
  await onnx.release();
  const q = referencePredict(model, scaleDigits(data.train.x, 30, INPUT_SCALING[scaling]), 30);
  for (let i = 0; i < p.length; i++) assertAlmostEquals(p[i], q[i], 1e-6, `series ${i}`);
  assert(Math.max(...q) - Math.min(...q) > spread, "outputs must vary, or the test proves nothing");
}

Deno.test("resolveConfig() takes every arch of ARCHS, stores the default lstm as absent, and names a bad one", () => {
  assertEquals("arch" in resolveConfig({ arch: "lstm" }), false);
  assertEquals(resolveConfig({ arch: "linear" }).arch, "linear");
  assertEquals([archOf(resolveConfig()), archOf(resolveConfig({ arch: "linear" }))], ["lstm", "linear"]);
  assertThrows(
    () => resolveConfig({ arch: "conv" as never }),
    RangeError,
    'Config field "arch" must be one of lstm, linear, rnn, gru, conv1d, got conv',
  );
});

Deno.test("buildModel() with arch linear is Dense(1, sigmoid) on the 30 digits: 31 parameters, as countParameters says", () => {
  const model = buildModel(resolveConfig({ arch: "linear" }));
  assertEquals(model.countParams(), 31);
  assertEquals(model.countParams(), countParameters(30, [{ kind: "dense", units: 1 }]).total);
  assertEquals(model.layers.map((l) => l.getClassName()), ["Flatten", "Dense"]);
  assertEquals(model.layers[1].getConfig().activation, "sigmoid");
  assertEquals(roleVariables(model, "linear").map((r) => r.role), ["output/kernel", "output/bias"]);
  model.dispose();
});

for (const scaling of ["centered", "digit", "digit/9"] as const) {
  Deno.test(`encodeLinearOnnx() round trip: onnxruntime-web matches tfjs to 1e-6 (input ${scaling})`, async () => {
    const config = resolveConfig({ arch: "linear", seed: 5, inputScaling: scaling });
    const model = buildModel(config);
    const [kernel] = model.getLayer("output").getWeights();
    // a bias that moves the decision into the data, so that both classes occur
    const k = kernel.dataSync() as Float32Array;
    const input = affineOf(INPUT_SCALING[scaling]);
    const b = Float32Array.of(-k.reduce((a, v) => a + v, 0) * (4.5 - input.offset) / input.divisor);
    model.getLayer("output").setWeights([kernel, tf.tensor1d(b)]);
    const bytes = encodeLinearOnnx({
      kernel: k,
      bias: b,
      seriesLength: 30,
      input,
      metadata: {},
    });
    await assertRoundTrip(model, bytes, scaling, 1e-2);
    model.dispose();
  });
}

Deno.test("encodeTrained() writes a Gemm graph, without an LSTM, for arch linear", async () => {
  const config = resolveConfig({ arch: "linear", trainSize: 100, validationSize: 50, epochs: 1 });
  const r = await train({ config });
  const bytes = encodeTrained(r.model, r.metrics);
  const text = new TextDecoder().decode(bytes);
  assert(text.includes("Gemm") && !text.includes("LSTM"), "a Gemm graph without an LSTM");
  r.model.dispose();
});

Deno.test("buildModel() with arch rnn and gru: SimpleRNN(200) or GRU(200) then Dense(1, sigmoid), parameters as countParameters says", () => {
  for (const [arch, kind, className] of [["rnn", "simpleRnn", "SimpleRNN"], ["gru", "gru", "GRU"]] as const) {
    const model = buildModel(resolveConfig({ arch }));
    assertEquals(model.layers.map((l) => l.getClassName()), [className, "Dense"]);
    assertEquals(model.countParams(), countParameters(1, [{ kind, units: 200 }, { kind: "dense", units: 1 }]).total);
    if (arch === "gru") {
      assertEquals(model.layers[0].getConfig().recurrentActivation, "sigmoid");
      assertEquals(model.layers[0].getConfig().resetAfter, false, "the reset gate before the recurrent product");
    }
    assertEquals(roleVariables(model, arch).map((r) => r.role), [
      `${arch}/kernel`,
      `${arch}/recurrent_kernel`,
      `${arch}/bias`,
      "output/kernel",
      "output/bias",
    ]);
    model.dispose();
  }
});

for (
  const [arch, units, scaling] of [["rnn", 3, "digit/9"], ["rnn", 6, "centered"], ["gru", 3, "digit"], [
    "gru",
    7,
    "centered",
  ]] as const
) {
  Deno.test(`encodeTrained() round trip for arch ${arch}: onnxruntime-web matches tfjs to 1e-6 (hidden ${units}, input ${scaling})`, async () => {
    const config = resolveConfig({
      arch,
      units,
      seed: units,
      inputScaling: scaling,
      trainSize: 100,
      validationSize: 50,
    });
    const model = buildModel(config);
    // a non-zero bias, so that the ONNX bias layout is tested too
    const layer = model.getLayer(arch);
    const [k, rk, b] = layer.getWeights();
    layer.setWeights([k, rk, tf.tensor1d(Array.from({ length: b.size }, (_, i) => 0.3 * Math.sin(i + 1)))]);
    const bytes = encodeTrained(model, { config, validation: { accuracy: 0.5 } } as never);
    await assertRoundTrip(model, bytes, scaling, 1e-3);
    assert(new TextDecoder().decode(bytes).includes(arch.toUpperCase()), `the ${arch.toUpperCase()} operator`);
    model.dispose();
  });
}

for (const arch of ["linear", "rnn", "gru", "conv1d"] as const) {
  Deno.test(`train() with arch ${arch} learns on a small config and resumes from a mid-epoch checkpoint bit for bit`, async () => {
    const config = resolveConfig({ arch, units: 4, trainSize: 200, validationSize: 50, epochs: 3 });
    const bytes = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const whole = await train({ config });
    const resumed = await train({ config, resume: await stopTrainingAt({ config }, { epoch: 2, batch: 1 }) });
    assertEquals(bytes(resumed.model), bytes(whole.model));
    assert(whole.history.epochs[2].loss < whole.history.epochs[0].loss, "the loss falls");
    for (const m of [whole.model, resumed.model]) m.dispose();
  });
}

Deno.test("buildModel() with arch conv1d: Conv1D(16, width 3, ReLU), global average pooling, Dense(1, sigmoid): 81 parameters", () => {
  const model = buildModel(resolveConfig({ arch: "conv1d" }));
  assertEquals(model.layers.map((l) => l.getClassName()), ["Conv1D", "GlobalAveragePooling1D", "Dense"]);
  assertEquals(model.countParams(), 81);
  assertEquals(
    model.countParams(),
    countParameters(1, [{ kind: "conv1d", filters: 16, kernelSize: 3 }, { kind: "dense", units: 1 }]).total,
  );
  model.dispose();
});

for (const scaling of ["centered", "digit/9"] as const) {
  Deno.test(`encodeTrained() round trip for arch conv1d: onnxruntime-web matches tfjs to 1e-6 (input ${scaling})`, async () => {
    const config = resolveConfig({
      arch: "conv1d",
      seed: 4,
      inputScaling: scaling,
      trainSize: 100,
      validationSize: 50,
    });
    const model = buildModel(config);
    const layer = model.getLayer("conv1d");
    const [k, b] = layer.getWeights();
    layer.setWeights([k, tf.tensor1d(Array.from({ length: b.size }, (_, i) => 0.2 * Math.cos(i + 1)))]);
    const bytes = encodeTrained(model, { config, validation: { accuracy: 0.5 } } as never);
    await assertRoundTrip(model, bytes, scaling, 1e-3);
    model.dispose();
  });
}

Deno.test("conv1dForward() computes what the Conv1D model computes, without a convolution op", () => {
  const config = resolveConfig({ arch: "conv1d", seed: 6 });
  const model = buildModel(config);
  const layer = model.getLayer("conv1d");
  const [k, b] = layer.getWeights();
  layer.setWeights([k, tf.tensor1d(Array.from({ length: b.size }, (_, i) => 0.1 * (i % 3)))]);
  const data = makeDataset({ seed: 2, trainSize: 40, validationSize: 1 });
  const x = scaleDigits(data.train.x, 30, INPUT_SCALING.centered);
  const expected = referencePredict(model, x, 30);
  const got = tf.tidy(() => conv1dForward(model, tf.tensor3d(x, [40, 30, 1])).dataSync());
  for (let i = 0; i < 40; i++) assertAlmostEquals(got[i], expected[i], 1e-6);
  model.dispose();
});

Deno.test("archLayers() counts what tf.layers builds, for every arch", () => {
  for (const arch of ["lstm", "linear", "rnn", "gru", "conv1d"] as const) {
    const config = resolveConfig({ arch });
    const model = buildModel(config);
    const { inputSize, layers } = archLayers(config);
    assertEquals(countParameters(inputSize, layers).total, model.countParams(), arch);
    model.dispose();
  }
});
