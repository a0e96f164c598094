// deno-lint-ignore-file no-explicit-any -- decoded protobuf messages are walked field by field
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import fc from "fast-check";
import onnxProto from "onnx-proto";
import {
  buildModel,
  encodeTrained,
  exportWeights,
  initBackend,
  modelVariables,
  referencePredict,
  type TrainingMetrics,
} from "../src/train/mod.ts";
import { tf } from "../src/train/backend.ts";
import {
  decodeOnnx,
  describeIo,
  encodeOnnx,
  loadOnnx,
  loadOnnxFile,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  OnnxError,
} from "../src/onnx/mod.ts";
import { DEFAULT_MODEL_DIR } from "../src/model_dir/mod.ts";
import {
  createRng,
  DEFAULT_CONFIG,
  INPUT_SCALING,
  type InputScaling,
  makeDataset,
  resolveConfig,
  scaleDigits,
} from "../mod.ts";

await initBackend();

/** A small model whose four gates hold clearly different weights, so a swapped gate shows. */
function distinctGateModel(units: number, seed: number, inputScaling: InputScaling = DEFAULT_CONFIG.inputScaling) {
  const model = buildModel({ ...DEFAULT_CONFIG, units, seed, inputScaling });
  const v = modelVariables(model);
  const rng = createRng(seed);
  const gateScaled = (t: tf.Variable, scales: number[]) => {
    const values = Float32Array.from(t.dataSync(), (x, i) => {
      const gate = Math.floor((i % (4 * units)) / units);
      return x * scales[gate] + 0.3 * (rng.nextFloat() - 0.5);
    });
    t.assign(tf.tensor(values, t.shape));
  };
  gateScaled(v.kernel, [1.5, -0.7, 2.2, 0.4]);
  gateScaled(v.recurrentKernel, [0.9, -1.3, 0.6, 1.8]);
  gateScaled(v.bias, [0.5, 1.0, -0.5, -1.0]);
  return model;
}

for (
  const [units, scaling] of [[3, "digit/9"], [5, "digit"], [8, "digit/9"], [6, "centered-shift"], [4, "one-hot"], [
    7,
    "one-hot",
  ]] as const
) {
  Deno.test(`encodeOnnx() round trip: onnxruntime-web matches tfjs to 1e-6 (hidden ${units}, input ${scaling})`, async () => {
    const model = distinctGateModel(units, units, scaling);
    const bytes = encodeOnnx({
      weights: exportWeights(model),
      units,
      seriesLength: 30,
      input: INPUT_SCALING[scaling],
      recurrentActivation: "sigmoid",
      metadata: {},
    });
    const data = makeDataset({ seed: units, trainSize: 64, validationSize: 1 });
    const onnx = await loadOnnx(bytes, "memory");
    const p = await onnx.predict(data.train.x, 30);
    await onnx.release();
    const q = referencePredict(
      model,
      scaleDigits(data.train.x, 30, INPUT_SCALING[scaling]),
      30,
    );
    assertEquals(p.length, 64);
    let spread = 0;
    for (let i = 0; i < p.length; i++) {
      assert(
        Math.abs(p[i] - q[i]) <= 1e-6,
        `series ${i}: onnx ${p[i]} vs tfjs ${q[i]}`,
      );
      spread = Math.max(spread, Math.abs(q[i] - q[0]));
    }
    assert(spread > 1e-3, "outputs must vary, or the test proves nothing");
    model.dispose();
  });
}

Deno.test("encodeOnnx() writes IR 8, opset 17, the LSTM operator, initializer shapes and named I/O", () => {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 4, seed: 1 });
  const bytes = encodeOnnx({
    weights: exportWeights(model),
    units: 4,
    seriesLength: 30,
    input: INPUT_SCALING["digit/9"],
    recurrentActivation: "sigmoid",
    metadata: { seed: "1", validationAccuracy: "0.99" },
  });
  const proto: any = decodeOnnx(bytes);
  assertEquals(Number(proto.irVersion), ONNX_IR_VERSION);
  assertEquals(
    proto.opsetImport.map((o: any) => [o.domain, Number(o.version)]),
    [["", ONNX_OPSET]],
  );
  const g = proto.graph;
  assertEquals(g.node.map((n: any) => n.opType), [
    "Div",
    "Transpose",
    "LSTM",
    "Reshape",
    "Gemm",
    "Sigmoid",
  ]);
  const shapes = Object.fromEntries(
    g.initializer.map((t: any) => [t.name, t.dims.map(Number)]),
  );
  assertEquals(shapes, {
    input_divisor: [],
    lstm_W: [1, 16, 1],
    lstm_R: [1, 16, 4],
    lstm_B: [1, 32],
    last_h_shape: [2],
    dense_W: [4, 1],
    dense_B: [1],
  });
  const dims = (v: any) => v.type.tensorType.shape.dim.map((d: any) => d.dimParam || Number(d.dimValue));
  assertEquals([g.input[0].name, dims(g.input[0])], ["series", ["N", 30, 1]]);
  assertEquals([g.output[0].name, dims(g.output[0])], ["probability", [
    "N",
    1,
  ]]);
  const lstm = g.node[2];
  const text = (name: string) => lstm.attribute.find((a: any) => a.name === name);
  assertEquals(Number(text("hidden_size").i), 4);
  assertEquals(
    text("activations").strings.map((s: Uint8Array) => new TextDecoder().decode(s)),
    ["Sigmoid", "Tanh", "Tanh"],
  );
  assertEquals(
    Object.fromEntries(proto.metadataProps.map((p: any) => [p.key, p.value])),
    { seed: "1", validationAccuracy: "0.99" },
  );
  model.dispose();
});

Deno.test("loadOnnxFile() names the file when it is missing, truncated, not ONNX or of the wrong input shape", async () => {
  const dir = await Deno.makeTempDir();
  const model = buildModel({ ...DEFAULT_CONFIG, units: 3, seed: 2 });
  const encode = (seriesLength: number) =>
    encodeOnnx({
      weights: exportWeights(model),
      units: 3,
      seriesLength,
      input: INPUT_SCALING["digit/9"],
      recurrentActivation: "sigmoid",
      metadata: {},
    });
  const good = encode(30);
  await Deno.writeFile(
    `${dir}/truncated.onnx`,
    good.subarray(0, good.length >> 1),
  );
  await Deno.writeTextFile(`${dir}/text.onnx`, "this is not a model");
  await Deno.writeFile(`${dir}/short.onnx`, encode(12));
  await assertRejects(
    () => loadOnnxFile(`${dir}/missing.onnx`),
    Error,
    `Cannot read ONNX model ${dir}/missing.onnx`,
  );
  await assertRejects(
    () => loadOnnxFile(`${dir}/truncated.onnx`),
    Error,
    `${dir}/truncated.onnx is not an ONNX model`,
  );
  await assertRejects(
    () => loadOnnxFile(`${dir}/text.onnx`),
    Error,
    `${dir}/text.onnx is not an ONNX model`,
  );
  await assertRejects(
    () => loadOnnxFile(`${dir}/short.onnx`),
    Error,
    `ONNX model ${dir}/short.onnx must take "series" of shape [N, 30, 1], got [N,12,1]`,
  );
  await Deno.writeFile(`${dir}/good.onnx`, good);
  const loaded = await loadOnnxFile(`${dir}/good.onnx`);
  await loaded.release();
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("describeIo() gives the shipped model's metadata strings for the default config, and follows the config", async () => {
  const shipped = await loadOnnxFile(`${DEFAULT_MODEL_DIR}/model.onnx`);
  await shipped.release();
  const io = describeIo(DEFAULT_CONFIG);
  assertEquals([io.input, io.output], [shipped.metadata.input, shipped.metadata.output]);
  assertEquals(describeIo({ seriesLength: 12, threshold: 40 }), {
    input: "series: float32 [N, 12, 1], raw digits 0..9",
    output: "probability: float32 [N, 1], P(sum >= 40)",
  });
});

Deno.test("encodeTrained() writes the input and output metadata of its own config", async () => {
  const config = resolveConfig({ units: 3, seriesLength: 12, threshold: 40, seed: 5 });
  const model = buildModel(config);
  const bytes = encodeTrained(model, { config, validation: { accuracy: 0.5 } } as TrainingMetrics);
  model.dispose();
  const onnx = await loadOnnx(bytes, "memory", { seriesLength: 12 });
  await onnx.release();
  assertEquals([onnx.metadata.input, onnx.metadata.output], [
    "series: float32 [N, 12, 1], raw digits 0..9",
    "probability: float32 [N, 1], P(sum >= 40)",
  ]);
  assertEquals(JSON.parse(onnx.metadata.config), config);
});

/** The tiny model's ONNX bytes after `edit` changed the decoded proto. */
function editedModel(edit: (proto: any) => void): Uint8Array {
  const model = buildModel({ ...DEFAULT_CONFIG, units: 3, seed: 4 });
  const proto: any = decodeOnnx(encodeOnnx({
    weights: exportWeights(model),
    units: 3,
    seriesLength: 30,
    input: INPUT_SCALING["digit/9"],
    recurrentActivation: "sigmoid",
    metadata: {},
  }));
  model.dispose();
  edit(proto);
  return onnxProto.onnx.ModelProto.encode(proto).finish();
}

Deno.test("loadOnnx() refuses an output that is not float32 [N, 1] named probability from a Sigmoid (OnnxError)", async () => {
  const INT64 = 7;
  const cases: [string, (p: any) => void, string][] = [
    [
      "[N, 2]",
      (p) => (p.graph.output[0].type.tensorType.shape.dim[1].dimValue = 2),
      "as float32 [N, 1], got data type 1 [N,2]",
    ],
    ["int64", (p) => (p.graph.output[0].type.tensorType.elemType = INT64), "got data type 7 [N,1]"],
    ["fixed N", (p) => (p.graph.output[0].type.tensorType.shape.dim[0] = { dimValue: 4 }), "got data type 1 [4,1]"],
    ["renamed", (p) => (p.graph.output[0].name = "logit"), 'must have the one output "probability", got [logit]'],
    ["two outputs", (p) => p.graph.output.push(p.graph.output[0]), "got [probability,probability]"],
    ["no Sigmoid", (p) => {
      p.graph.node.pop();
      p.graph.node[p.graph.node.length - 1].output = ["probability"];
    }, 'must compute "probability" with a Sigmoid, got Gemm'],
    ["int input", (p) => (p.graph.input[0].type.tensorType.elemType = INT64), 'must take "series" as float32'],
  ];
  for (const [what, edit, message] of cases) {
    await assertRejects(() => loadOnnx(editedModel(edit), "edited"), OnnxError, message, what);
  }
  const untouched = await loadOnnx(editedModel(() => {}), "untouched");
  await untouched.release();
});

Deno.test("loadOnnx() on mutated bytes of a real model returns a model or throws OnnxError (property)", async () => {
  const good = await Deno.readFile(`${DEFAULT_MODEL_DIR}/model.onnx`);
  const row = Uint8Array.from({ length: DEFAULT_CONFIG.seriesLength }, (_, i) => i % 10);
  let loaded = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat(good.length), { nil: undefined }),
      async (flips, cut) => {
        const bytes = good.slice(0, cut);
        for (const [at, xor] of flips) if (at < bytes.length) bytes[at] ^= xor;
        try {
          const model = await loadOnnx(bytes, "mutated");
          try {
            const p = await model.predict(row, DEFAULT_CONFIG.seriesLength);
            assertEquals(p.length, 1);
            loaded++;
          } finally {
            await model.release();
          }
        } catch (error) {
          if (!(error instanceof OnnxError)) throw error;
        }
      },
    ),
    { numRuns: 60, seed: 11 },
  );
  assert(loaded < 60, "some mutations must be refused, or the property proves nothing");
});

Deno.test("loadOnnx(): predict runs an input larger than its chunk piece by piece, with the same answers; a bad chunk is refused", async () => {
  const config = resolveConfig({ units: 3, seriesLength: 12, threshold: 40, seed: 6 });
  const model = buildModel(config);
  const bytes = encodeTrained(model, { config, validation: { accuracy: 0.5 } } as TrainingMetrics);
  model.dispose();
  const digits = Uint8Array.from({ length: 10 * 12 }, (_, k) => (k * 7 + 3) % 10);
  const whole = await loadOnnx(bytes, "memory", { seriesLength: 12 });
  const pieces = await loadOnnx(bytes, "memory", { seriesLength: 12, chunk: 3 });
  const [a, b] = [await whole.predict(digits, 12), await pieces.predict(digits, 12)];
  await whole.release();
  await pieces.release();
  assertEquals(b.length, 10);
  for (let s = 0; s < 10; s++) assertAlmostEquals(b[s], a[s], 1e-7);
  for (const chunk of [0, 1.5]) {
    await assertRejects(
      () => loadOnnx(bytes, "memory", { seriesLength: 12, chunk }),
      RangeError,
      `ONNX predict chunk must be a positive integer, got ${chunk}`,
    );
  }
});
