// deno-lint-ignore-file no-explicit-any -- decoded protobuf messages are walked field by field
/**
 * The H6.1 networks as ONNX (src/mnist/onnx.ts): onnxruntime-web against tf.layers `predict` for all
 * four models, the graphs' operators and layouts, the contract, the run directory's model.onnx and
 * its cross-check, and the verify of a run directory (src/mnist/verify.ts).
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import onnxProto from "onnx-proto";
import { initBackend, tf } from "../src/train/backend.ts";
import { createRng } from "../src/core/rng.ts";
import { decodeOnnx, ONNX_IR_VERSION, ONNX_OPSET } from "../src/onnx/encode.ts";
import { OnnxError, ORT_RUNTIME } from "../src/onnx/runtime.ts";
import { ModelDirError } from "../src/model_dir/errors.ts";
import { siblingPaths } from "../src/model_dir/layout.ts";
import { loadMnist, splitMnist } from "../src/mnist/data.ts";
import { buildMnistModel, mnistVariables, predictMnist } from "../src/mnist/model.ts";
import { argmaxRows } from "../src/mnist/scores.ts";
import { mnistOnnxWeights } from "../src/mnist/export.ts";
import { compareMnistProbabilities, encodeMnistOnnx, loadMnistOnnx, mnistWeightShapes } from "../src/mnist/onnx.ts";
import { countMnistParams } from "../src/mnist/params.ts";
import { mnistRunPaths, readMnistMetrics, writeMnistRun } from "../src/mnist/run_dir.ts";
import {
  defaultMnistConfig,
  MNIST_MODELS,
  type MnistModel,
  type MnistOverrides,
  resolveMnistConfig,
} from "../src/mnist/spec.ts";
import { trainMnist } from "../src/mnist/train.ts";
import { verifyMnistRun } from "../src/mnist/verify.ts";

await initBackend();
const images = await loadMnist();
const { test } = splitMnist(images, { dataSeed: 42, trainSize: 8_000, testSize: 2_000 });
const P = 784;

/** Small networks through the same builder: few units, few filters. */
const small: Record<MnistModel, MnistOverrides> = {
  linear: { model: "linear" },
  mlp: { model: "mlp", hiddenUnits: 24 },
  "mlp-dropout": { model: "mlp-dropout", hiddenUnits: 16, hiddenLayers: 2 },
  cnn: { model: "cnn", filters: [3, 5] },
};

/** A network whose weights all vary (the spec's initial weights predict about 0.1 everywhere). */
function variedModel(overrides: MnistOverrides, seed: number): tf.LayersModel {
  const model = buildMnistModel(resolveMnistConfig({ ...overrides, seed }));
  const rng = createRng(seed);
  tf.tidy(() =>
    mnistVariables(model).forEach(({ role, variable }) => {
      const fanIn = variable.size / variable.shape.at(-1)!;
      const a = role.endsWith("/bias") ? 0.1 : 2 * Math.sqrt(6 / fanIn);
      const values = Float32Array.from({ length: variable.size }, () => a * (2 * rng.nextFloat() - 1));
      variable.assign(tf.tensor(values, variable.shape));
    })
  );
  return model;
}

function encodeModel(model: tf.LayersModel, overrides: MnistOverrides): Uint8Array {
  return encodeMnistOnnx({ config: resolveMnistConfig(overrides), weights: mnistOnnxWeights(model), metadata: {} });
}

/** onnxruntime-web's probabilities and tf.layers' on the first n test images. */
async function bothPredictions(bytes: Uint8Array, model: tf.LayersModel, n: number) {
  const x = test.x.subarray(0, n * P);
  const onnx = await loadMnistOnnx(bytes, "memory");
  try {
    return { onnxP: await onnx.predict(x, 7), tfjsP: predictMnist(model, x) };
  } finally {
    await onnx.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assertEquals(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

for (const model of MNIST_MODELS) {
  Deno.test(`encodeMnistOnnx() ${model}: onnxruntime-web equals tf.layers predict to 1e-5, with the same digit for every image`, async () => {
    const net = variedModel(small[model], 7);
    const { onnxP, tfjsP } = await bothPredictions(encodeModel(net, small[model]), net, 64);
    net.dispose();
    const diff = maxAbsDiff(onnxP, tfjsP);
    assert(diff <= 1e-5, `max |p_onnx - p_tfjs| ${diff}`);
    assertEquals(argmaxRows(onnxP), argmaxRows(tfjsP));
    assert(new Set(argmaxRows(tfjsP)).size >= 3, "predicted digits must vary, or the test proves nothing");
    assert(Math.max(...tfjsP) - Math.min(...tfjsP) > 0.3, "probabilities must vary, or the test proves nothing");
  });
}

Deno.test("encodeMnistOnnx() at the spec's sizes (cnn 32/64 filters, mlp-dropout 3 x 1,500): onnxruntime-web equals tf.layers to 1e-5 on 8 images", async () => {
  for (const model of ["cnn", "mlp-dropout"] as const) {
    const overrides = { model };
    const net = variedModel(overrides, 11);
    const { onnxP, tfjsP } = await bothPredictions(encodeModel(net, overrides), net, 8);
    net.dispose();
    const diff = maxAbsDiff(onnxP, tfjsP);
    assert(diff <= 1e-5, `${model}: max |p_onnx - p_tfjs| ${diff}`);
    assertEquals(argmaxRows(onnxP), argmaxRows(tfjsP), model);
    assert(new Set(argmaxRows(tfjsP)).size >= 2, `${model}: predicted digits must vary`);
  }
});

Deno.test("encodeMnistOnnx() cnn: without the Transpose to NHWC before Flatten, onnxruntime-web differs from tf.layers (the round trip sees the flatten order)", async () => {
  const net = variedModel(small.cnn, 7);
  const proto: any = decodeOnnx(encodeModel(net, small.cnn));
  const t = proto.graph.node.findIndex((n: any) => n.opType === "Transpose");
  const source = proto.graph.node[t].input[0];
  proto.graph.node.splice(t, 1);
  proto.graph.node.find((n: any) => n.opType === "Flatten").input = [source];
  const { onnxP, tfjsP } = await bothPredictions(onnxProto.onnx.ModelProto.encode(proto).finish(), net, 32);
  net.dispose();
  assert(maxAbsDiff(onnxP, tfjsP) > 1e-2, `NCHW flatten order went unnoticed: ${maxAbsDiff(onnxP, tfjsP)}`);
});

Deno.test("encodeMnistOnnx() writes IR 8, opset 17, only standard operators, image [N, 1, 28, 28] -> probabilities [N, 10], and no Dropout", () => {
  const ops: Record<MnistModel, string[]> = {
    linear: ["Flatten", "Gemm", "Softmax"],
    mlp: ["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"],
    "mlp-dropout": ["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"],
    cnn: ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Softmax"],
  };
  const dims = (v: any) => v.type.tensorType.shape.dim.map((d: any) => d.dimParam || Number(d.dimValue));
  for (const model of MNIST_MODELS) {
    const net = buildMnistModel(resolveMnistConfig(small[model]));
    const proto: any = decodeOnnx(encodeModel(net, small[model]));
    assertEquals([Number(proto.irVersion), proto.opsetImport.map((o: any) => [o.domain, Number(o.version)])], [
      ONNX_IR_VERSION,
      [["", ONNX_OPSET]],
    ]);
    const g = proto.graph;
    assertEquals(g.node.map((n: any) => n.opType), ops[model], model);
    assertEquals(g.node.map((n: any) => n.domain ?? ""), ops[model].map(() => ""), model);
    assertEquals([g.input.map((i: any) => [i.name, dims(i)]), g.output.map((o: any) => [o.name, dims(o)])], [
      [["image", ["N", 1, 28, 28]]],
      [["probabilities", ["N", 10]]],
    ]);
    const size = g.initializer.reduce(
      (n: number, t: any) => n + t.dims.map(Number).reduce((a: number, b: number) => a * b, 1),
      0,
    );
    assertEquals(size, countMnistParams(resolveMnistConfig(small[model])).total, `${model}: every parameter, once`);
    // every Gemm's W is tf.layers' own kernel, byte for byte (the Transpose keeps the flatten order)
    const kernel = new Uint8Array((net.getLayer("output").getWeights()[0].dataSync() as Float32Array).buffer);
    assertEquals(new Uint8Array(g.initializer.find((t: any) => t.name === "output_W").rawData), kernel, model);
    net.dispose();
  }
  const cnn: any = decodeOnnx(encodeModel(buildMnistModel(resolveMnistConfig(small.cnn)), small.cnn));
  assertEquals(
    Object.fromEntries(cnn.graph.initializer.map((t: any) => [t.name, t.dims.map(Number)])),
    {
      conv1_W: [3, 1, 5, 5],
      conv1_B: [3],
      conv2_W: [5, 3, 5, 5],
      conv2_B: [5],
      output_W: [245, 10],
      output_B: [10],
    },
  );
  const attrs = (op: string) =>
    Object.fromEntries(
      cnn.graph.node.find((n: any) => n.opType === op).attribute.map((a: any) => [a.name, a.ints.map(Number)]),
    );
  assertEquals(attrs("Conv"), { kernel_shape: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2] });
  assertEquals(attrs("MaxPool"), { kernel_shape: [2, 2], strides: [2, 2] });
  assertEquals(attrs("Transpose"), { perm: [0, 2, 3, 1] });
});

Deno.test("mnistWeightShapes() lists what buildMnistModel() builds, for every model at the spec's sizes", () => {
  for (const model of MNIST_MODELS) {
    const config = defaultMnistConfig(model);
    const net = buildMnistModel(model === "linear" || model === "cnn" ? config : { ...config, hiddenUnits: 8 });
    const shapes = mnistWeightShapes(model === "linear" || model === "cnn" ? config : { ...config, hiddenUnits: 8 });
    assertEquals(shapes, mnistVariables(net).map((r) => ({ name: r.role, shape: r.variable.shape })), model);
    net.dispose();
  }
});

Deno.test("encodeMnistOnnx() names a missing, misshapen or unused weight (RangeError)", () => {
  const cnn = buildMnistModel(resolveMnistConfig({ model: "cnn", filters: [3, 4] }));
  const mlp = buildMnistModel(resolveMnistConfig({ model: "mlp", hiddenUnits: 6 }));
  const cases: [MnistOverrides, tf.LayersModel | undefined, string][] = [
    [
      { model: "linear" },
      undefined,
      'ONNX export of model linear needs weight "output/kernel" of shape [784,10], got none',
    ],
    [
      { model: "cnn", filters: [3, 5] },
      cnn,
      'ONNX export of model cnn needs weight "conv2/kernel" of shape [5,5,3,5], got [5,5,3,4]',
    ],
    [
      { model: "mlp", hiddenUnits: 6, hiddenLayers: 2 },
      mlp,
      'ONNX export of model mlp got weights it does not use: "hidden3/kernel", "hidden3/bias"',
    ],
  ];
  for (const [overrides, net, message] of cases) {
    assertThrows(
      () =>
        encodeMnistOnnx({
          config: resolveMnistConfig(overrides),
          weights: net ? mnistOnnxWeights(net) : [],
          metadata: {},
        }),
      RangeError,
      message,
    );
  }
  cnn.dispose();
  mlp.dispose();
});

/** A tiny linear model's ONNX bytes after `edit` changed the decoded proto. */
function editedLinear(edit: (proto: any) => void): Uint8Array {
  const net = buildMnistModel(resolveMnistConfig({ model: "linear" }));
  const proto: any = decodeOnnx(encodeModel(net, { model: "linear" }));
  net.dispose();
  edit(proto);
  return onnxProto.onnx.ModelProto.encode(proto).finish();
}

Deno.test("loadMnistOnnx() refuses a model that breaks the contract image [N, 1, 28, 28] -> probabilities [N, 10] by Softmax (OnnxError)", async () => {
  const INT64 = 7;
  const cases: [string, (p: any) => void, string][] = [
    [
      "[N, 784] input",
      (p) => p.graph.input[0].type.tensorType.shape.dim.splice(1, 3, { dimValue: 784 }),
      'ONNX model edited must take "image" as float32 [N, 1, 28, 28], got data type 1 [N,784]',
    ],
    [
      "NHWC input",
      (p) => {
        p.graph.input[0].type.tensorType.shape.dim[1].dimValue = 28;
        p.graph.input[0].type.tensorType.shape.dim[3].dimValue = 1;
      },
      'ONNX model edited must take "image" as float32 [N, 1, 28, 28], got data type 1 [N,28,28,1]',
    ],
    [
      "int64 input",
      (p) => (p.graph.input[0].type.tensorType.elemType = INT64),
      'must take "image" as float32 [N, 1, 28, 28], got data type 7 [N,1,28,28]',
    ],
    [
      "renamed input",
      (p) => (p.graph.input[0].name = "x"),
      'ONNX model edited must have the one input "image", got [x]',
    ],
    [
      "[N, 9] output",
      (p) => (p.graph.output[0].type.tensorType.shape.dim[1].dimValue = 9),
      'ONNX model edited must give "probabilities" as float32 [N, 10], got data type 1 [N,9]',
    ],
    [
      "renamed output",
      (p) => (p.graph.output[0].name = "logits"),
      'ONNX model edited must have the one output "probabilities", got [logits]',
    ],
    ["no Softmax", (p) => {
      p.graph.node.pop();
      p.graph.node[p.graph.node.length - 1].output = ["probabilities"];
    }, 'ONNX model edited must compute "probabilities" with a Softmax, got Gemm'],
  ];
  for (const [what, edit, message] of cases) {
    await assertRejects(() => loadMnistOnnx(editedLinear(edit), "edited"), OnnxError, message, what);
  }
  await assertRejects(
    () => loadMnistOnnx(new TextEncoder().encode("this is not a model"), "text.onnx"),
    OnnxError,
    "text.onnx is not an ONNX model",
  );
  const untouched = await loadMnistOnnx(editedLinear(() => {}), "untouched");
  await assertRejects(
    () => untouched.predict(new Float32Array(1000)),
    RangeError,
    "Images must be whole rows of 784 grey values, got 1000 values",
  );
  assertEquals((await untouched.predict(new Float32Array(3 * P))).length, 30);
  await untouched.release();
});

Deno.test("compareMnistProbabilities() fails a difference beyond 1e-4 (not one of 2e-5) and a changed digit, and passes equal inputs", () => {
  const K = 10;
  const labels = [0, 1, 2, 3];
  const tfjsP = new Float32Array(4 * K).fill(0.05);
  labels.forEach((y, i) => (tfjsP[i * K + y] = 0.55));
  tfjsP[3 * K + 3] = 0.05; // image 3 is predicted as 4
  tfjsP[3 * K + 4] = 0.55;
  const same = compareMnistProbabilities(labels, tfjsP, tfjsP);
  assertEquals(same.record, { runtime: ORT_RUNTIME, maxAbsDiff: 0, decisionsAgree: true, accuracy: 0.75 });
  assertEquals([same.tfjsAccuracy, same.problems], [0.75, []]);

  const nudged = Float32Array.from(tfjsP);
  nudged[5] += 2e-5;
  assertEquals(compareMnistProbabilities(labels, nudged, tfjsP).problems, []);
  nudged[5] += 2e-4;
  assertEquals(compareMnistProbabilities(labels, nudged, tfjsP).problems.length, 1);
  assert(compareMnistProbabilities(labels, nudged, tfjsP).problems[0].endsWith("exceeds 0.0001"));

  const flipped = Float32Array.from(tfjsP);
  flipped[3 * K + 3] = 0.6; // ONNX now says 3
  assertEquals(compareMnistProbabilities(labels, flipped, tfjsP).problems.slice(1), [
    "1 of 4 ONNX predicted digits differ from tfjs",
    "ONNX accuracy 1 differs from tfjs accuracy 0.75",
  ]);
  assertThrows(
    () => compareMnistProbabilities([0, 1], tfjsP, tfjsP),
    RangeError,
    "Probabilities must be [2, 10] for 2 labels, got 40 and 40 values",
  );
});

/** A scratch directory for run directories, removed afterwards. */
async function inScratch(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mnist-onnx-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeMnistRun() writes model.onnx and records onnxruntime-web against tf.layers on all 2,000 test images; verifyMnistRun() passes it", async () => {
  await inScratch(async (scratch) => {
    const configs: MnistOverrides[] = [
      { model: "linear", iterations: 3 },
      { model: "cnn", iterations: 3, filters: [2, 3], biasInit: 0.1 },
    ];
    for (const config of configs) {
      const model = config.model;
      const out = `${scratch}/models/mnist-${model}`;
      const result = await trainMnist({ config, images });
      const { metrics, problems } = await writeMnistRun(out, result, { images });
      result.model.dispose();
      assertEquals(problems, [], model);
      const onnx = metrics.onnx!;
      assertEquals([onnx.runtime, onnx.decisionsAgree, onnx.accuracy], [ORT_RUNTIME, true, metrics.test.accuracy]);
      assert(onnx.maxAbsDiff <= 1e-5, `${model}: ${onnx.maxAbsDiff}`);
      assertEquals(await readMnistMetrics(out), metrics);
      assertEquals(Object.keys(metrics), ["config", "parameters", "data", "train", "test", "onnx", "seconds"]);
      assertEquals(metrics.test.size, 2_000);
      await Deno.stat(mnistRunPaths(out).onnx);
      assertEquals(
        (await Array.fromAsync(Deno.readDir(`${scratch}/models`))).map((e) => e.name).filter((n) => n.startsWith(".")),
        [],
        "no staging or parked copy is left",
      );
      const v = await verifyMnistRun(out, { images });
      assertEquals(v.checks.map((c) => [c.name, c.ok]), [
        ["test split", true],
        ["metadata", true],
        ["accuracy", true],
        ["confusion", true],
        ["onnx record", true],
      ]);
      assertEquals([v.ok, v.accuracy, v.size], [true, metrics.test.accuracy, 2_000]);
    }
  });
});

Deno.test("verifyMnistRun() fails a tampered metrics.json: accuracy, confusion matrix, ONNX record, config", async () => {
  await inScratch(async (scratch) => {
    const out = `${scratch}/models/mnist-linear`;
    const result = await trainMnist({ config: { model: "linear", iterations: 2 }, images });
    await writeMnistRun(out, result, { images });
    result.model.dispose();
    const path = mnistRunPaths(out).metrics;
    const original = await Deno.readTextFile(path);
    const tamper = async (edit: (m: any) => void) => {
      const m = JSON.parse(original);
      edit(m);
      await Deno.writeTextFile(path, JSON.stringify(m));
      const v = await verifyMnistRun(out, { images });
      return [v.ok, ...v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)];
    };
    const right = Math.round(JSON.parse(original).test.accuracy * 2_000);
    assertEquals(await tamper((m) => (m.test.accuracy += 0.001)), [
      false,
      `accuracy: model.onnx classifies ${right} of 2000 test images right, ${
        right / 2_000
      }; metrics.json records test.accuracy ${right / 2_000 + 0.001}`,
    ]);
    const c = JSON.parse(original).test.confusion;
    assertEquals(
      await tamper((m) => {
        m.test.confusion[0][0]--;
        m.test.confusion[0][1]++;
      }),
      [
        false,
        `confusion: model.onnx's confusion matrix differs in 2 cells (true digit, predicted): [0][0] ${c[0][0]} here, ${
          c[0][0] - 1
        } recorded; [0][1] ${c[0][1]} here, ${c[0][1] + 1} recorded`,
      ],
    );
    const failed = async (edit: (m: any) => void) => (await tamper(edit)).slice(1).map((s) => String(s).split(":")[0]);
    assertEquals(await failed((m) => (m.onnx.decisionsAgree = false)), ["onnx record"]);
    assertEquals(await failed((m) => (m.config.dataSeed = 7)), ["metadata", "accuracy", "confusion", "onnx record"]);
    assertEquals(await failed((m) => (m.data.test[0] += 1)), ["test split"]);
    await Deno.writeTextFile(path, original);
    assertEquals((await verifyMnistRun(out, { images })).ok, true);
  });
});

Deno.test("verifyMnistRun() names a missing model.onnx, a missing onnx record and a malformed confusion matrix (ModelDirError)", async () => {
  await inScratch(async (scratch) => {
    const out = `${scratch}/models/mnist-linear`;
    const result = await trainMnist({ config: { model: "linear", iterations: 1 }, images });
    await writeMnistRun(out, result, { images });
    result.model.dispose();
    const p = mnistRunPaths(out);
    const original = await Deno.readTextFile(p.metrics);
    const edited = async (edit: (m: any) => void) => {
      const m = JSON.parse(original);
      edit(m);
      await Deno.writeTextFile(p.metrics, JSON.stringify(m));
    };
    await edited((m) => delete m.onnx);
    await assertRejects(() => verifyMnistRun(out, { images }), ModelDirError, `${p.metrics}: field "onnx" is missing`);
    await edited((m) => m.test.confusion.pop());
    await assertRejects(
      () => verifyMnistRun(out, { images }),
      ModelDirError,
      `${p.metrics}: field "test.confusion" must be a 10x10 matrix of counts`,
    );
    await edited((m) => (m.config.hiddenUnits = 5));
    await assertRejects(
      () => verifyMnistRun(out, { images }),
      ModelDirError,
      `${p.metrics}: field "config" is not a valid MNIST config: MNIST config field "hiddenUnits" must be 0 for model linear, got 5`,
    );
    await Deno.writeTextFile(p.metrics, original);
    await Deno.remove(p.onnx);
    await assertRejects(() => verifyMnistRun(out, { images }), ModelDirError, `${p.onnx}: is missing`);
    await assertRejects(
      () => verifyMnistRun(`${scratch}/models/none`),
      ModelDirError,
      `${scratch}/models/none/metrics.json: is missing`,
    );
  });
});

Deno.test("writeMnistRun() replaces a run directory whole or not at all, and refuses a directory that holds other things", async () => {
  await inScratch(async (scratch) => {
    const out = `${scratch}/models/mnist-linear`;
    const first = await trainMnist({ config: { model: "linear", iterations: 1 }, images });
    await writeMnistRun(out, first, { images });
    first.model.dispose();
    const before = await Deno.readFile(mnistRunPaths(out).metrics);
    const second = await trainMnist({ config: { model: "linear", iterations: 2 }, images });
    // the rename that parks the old directory fails: a non-empty directory already holds its name
    const old = siblingPaths(out).old;
    await Deno.mkdir(`${old}/x`, { recursive: true });
    await assertRejects(() => writeMnistRun(out, second, { images }));
    assertEquals(await Deno.readFile(mnistRunPaths(out).metrics), before, "the old run is whole");
    await Deno.remove(old, { recursive: true });
    assertEquals((await Array.fromAsync(Deno.readDir(`${scratch}/models`))).map((e) => e.name), ["mnist-linear"]);
    // and then it goes through
    await writeMnistRun(out, second, { images });
    second.model.dispose();
    assertEquals((await readMnistMetrics(out)).config.iterations, 2);

    await Deno.mkdir(`${scratch}/models/notes`);
    await Deno.writeTextFile(`${scratch}/models/notes/readme.txt`, "mine");
    const third = await trainMnist({ config: { model: "linear", iterations: 1 }, images });
    await assertRejects(
      () => writeMnistRun(`${scratch}/models/notes`, third, { images }),
      ModelDirError,
      `${scratch}/models/notes: holds entries that are not a run directory's (readme.txt): choose a new or empty directory`,
    );
    await assertRejects(() => writeMnistRun("/", third, { images }), ModelDirError, "/: is the root directory");
    await assertRejects(
      () => writeMnistRun(`${scratch}/models/notes/readme.txt`, third, { images }),
      ModelDirError,
      "readme.txt: is a file, not a directory",
    );
    third.model.dispose();
    assertEquals(await Deno.readTextFile(`${scratch}/models/notes/readme.txt`), "mine");
  });
});

Deno.test("verifyMnistRun() passes the shipped models/mnist-linear (the spec's 10,000 iterations)", async () => {
  const v = await verifyMnistRun("models/mnist-linear", { images });
  assertEquals(v.checks.filter((c) => !c.ok), []);
  assertEquals(v.size, 2_000);
});
