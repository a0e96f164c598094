// deno-lint-ignore-file no-explicit-any -- metrics.json is mutated field by field as parsed JSON
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  checkModelDirTarget,
  decodeCheckpoint,
  DEFAULT_MODEL_DIR,
  DEFAULT_STUDY_DIR,
  encodeCheckpoint,
  FieldReader,
  jsonText,
  leftoverPid,
  MODEL_FILES,
  ModelDirError,
  modelPaths,
  parseConfig,
  parseMetrics,
  readModelDir,
  readStudyDir,
  removeLeftovers,
  siblingPaths,
  type TrainingState,
  writeModelDir,
  writeStudyDir,
} from "../src/model_dir/mod.ts";
import { VARIANT_NAMES } from "../src/study/study.ts";
import { DEFAULT_CONFIG, resolveConfig, SPEC } from "../mod.ts";
import { BOUNDARY_HALF_WIDTH, BOUNDARY_PER_SUM } from "../src/core/boundary.ts";
import { tinyConfig, tinyContents } from "./_model_dir_fixture.ts";

const contents = await tinyContents();

/** A fresh parent folder and a model directory path inside it (not created). */
async function scratch(): Promise<{ parent: string; dir: string }> {
  const parent = await Deno.makeTempDir({ prefix: "lstm-sum-model-dir-" });
  return { parent, dir: `${parent}/m` };
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(`${to}/tfjs`, { recursive: true });
  for (const f of Object.values(MODEL_FILES)) await Deno.copyFile(`${from}/${f}`, `${to}/${f}`);
}

Deno.test("readModelDir() reads the shipped model: typed metrics with the ONNX section and hashes, history, paths", async () => {
  const m = await readModelDir(DEFAULT_MODEL_DIR);
  assertEquals(m.metrics.config, DEFAULT_CONFIG);
  assertEquals(m.metrics.onnx.decisionsAgree, true);
  assertEquals(m.history.epochs.length, SPEC.epochs);
  assertEquals(m.history.batches.loss.length, SPEC.epochs * SPEC.trainSize / SPEC.batchSize);
  assertEquals(m.paths.onnx, `${DEFAULT_MODEL_DIR}/model.onnx`);
  assertEquals(m.onnx.byteLength, (await Deno.stat(m.paths.onnx)).size);
  assertEquals(m.tfjs.weights.byteLength, 4 * m.metrics.parameters);
});

Deno.test("parseConfig() reads an older config: a retired field (threads) is dropped, a derived one (dataSeed) follows seed", () => {
  const older = { ...DEFAULT_CONFIG, seed: 7, threads: 2 } as Record<string, unknown>;
  delete older.dataSeed;
  assertEquals(parseConfig(new FieldReader("f"), older), { ...DEFAULT_CONFIG, seed: 7, dataSeed: 7 });
  // a config recorded before an optional choice existed keeps its meaning: absent stays absent
  const beforePermute = { ...DEFAULT_CONFIG } as Record<string, unknown>;
  delete beforePermute.permuteDigits;
  assert(!("permuteDigits" in parseConfig(new FieldReader("f"), beforePermute)));
  assertThrows(
    () => parseConfig(new FieldReader("f"), { ...older, layers: 2 }),
    ModelDirError,
    'f: field "config.layers" is not a config field',
  );
});

Deno.test("writeModelDir() then readModelDir() gives back the records, with the hashes of the written files", async () => {
  const { parent, dir } = await scratch();
  const written = await writeModelDir(dir, contents);
  const read = await readModelDir(dir);
  assertEquals(read.metrics.sha256, written.sha256);
  assertEquals(read.metrics.config, contents.metrics.config);
  assertEquals(read.metrics.onnx, contents.metrics.onnx);
  assert(Number.isNaN(read.metrics.validation.rocAuc), "NaN is written as null and read back as NaN");
  assertEquals(read.history, contents.history);
  assertEquals(new Uint8Array(read.onnx), new Uint8Array(contents.onnx));
  assertEquals(new Uint8Array(read.tfjs.weights), new Uint8Array(contents.tfjs.weights));
  assertEquals([...Deno.readDirSync(parent)].map((e) => e.name), ["m"], "no staging copy is left beside it");
  await Deno.remove(parent, { recursive: true });
});

Deno.test("readModelDir() names the directory when it is missing or a file (ModelDirError)", async () => {
  const { parent, dir } = await scratch();
  await assertRejects(() => readModelDir(dir), ModelDirError, `${dir}: does not exist`);
  await Deno.writeTextFile(dir, "a file");
  await assertRejects(() => readModelDir(dir), ModelDirError, `${dir}: is a file, not a model directory`);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("readModelDir() names metrics.json and the field when a field is missing, malformed or inconsistent", async () => {
  const { parent, dir } = await scratch();
  await writeModelDir(dir, contents);
  const path = modelPaths(dir).metrics;
  const good = JSON.parse(await Deno.readTextFile(path));
  const cases: [string, (m: Record<string, any>) => void, string][] = [
    ["missing accuracy", (m) => delete m.validation.accuracy, 'field "validation.accuracy" is missing'],
    [
      "accuracy as text",
      (m) => (m.validation.accuracy = "0.5"),
      'field "validation.accuracy" must be a number in [0, 1]',
    ],
    ["bad config value", (m) => (m.config.epochs = 0), 'field "config.epochs" must be a positive integer, got 0'],
    ["unknown config field", (m) => (m.config.layers = 2), 'field "config.layers" is not a config field'],
    ["config field missing", (m) => delete m.config.units, 'field "config.units" is missing'],
    [
      "counts against config",
      (m) => (m.data.train = { size: 99, positives: 99, negatives: 0 }),
      'field "data.train.size" must equal config.trainSize',
    ],
    ["no ONNX section", (m) => delete m.onnx, 'field "onnx" is missing'],
    ["bad hash", (m) => (m.sha256["model.onnx"] = "abc"), 'field "sha256.model.onnx" must match'],
    ["not an object", (m) => Object.keys(m).forEach((k) => delete m[k]), 'field "config" is missing'],
  ];
  for (const [what, mutate, message] of cases) {
    const m = structuredClone(good);
    mutate(m);
    await Deno.writeTextFile(path, JSON.stringify(m));
    await assertRejects(() => readModelDir(dir), ModelDirError, `${path}: ${message}`, what);
  }
  await Deno.writeTextFile(path, "{ not json");
  await assertRejects(() => readModelDir(dir), ModelDirError, `${path}: is not JSON`);
  await Deno.remove(path);
  await assertRejects(() => readModelDir(dir), ModelDirError, `${path}: is missing`);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("parseMetrics() reads the boundary section typed, and an older metrics.json without one as no section", async () => {
  const { parent, dir } = await scratch();
  await writeModelDir(dir, contents);
  const path = modelPaths(dir).metrics;
  const good = JSON.parse(await Deno.readTextFile(path));
  const read0 = parseMetrics(path, good);
  assert(read0.boundary, "the boundary section is read");
  const b = read0.boundary!;
  assertEquals(b, contents.metrics.boundary);
  assertEquals([b.seed, b.perSum], [contents.metrics.config.dataSeed, BOUNDARY_PER_SUM]);
  const { threshold } = contents.metrics.config;
  assertEquals(
    b.sums,
    Array.from({ length: 2 * BOUNDARY_HALF_WIDTH + 1 }, (_, k) => threshold - BOUNDARY_HALF_WIDTH + k),
  );
  assertEquals([b.accuracy.length, b.meanP.length], [b.sums.length, b.sums.length]);
  assertEquals(typeof b.agreement.decisionsAgree, "boolean");
  const older = structuredClone(good);
  delete older.boundary;
  const read = parseMetrics(path, older);
  assert(!("boundary" in read), "an older metrics.json reads without a boundary section");
  assertEquals(read.onnx, contents.metrics.onnx);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("parseMetrics() rejects a malformed boundary section, naming the field", async () => {
  const { parent, dir } = await scratch();
  await writeModelDir(dir, contents);
  const good = JSON.parse(await Deno.readTextFile(modelPaths(dir).metrics));
  await Deno.remove(parent, { recursive: true });
  const n = good.boundary.sums.length;
  const cases: [string, (b: Record<string, any>, m: Record<string, any>) => void, string, string][] = [
    ["not an object", (_, m) => (m.boundary = 3), "boundary", "must be an object, got 3"],
    ["no seed", (b) => delete b.seed, "boundary.seed", "is missing"],
    ["seed as text", (b) => (b.seed = "42"), "boundary.seed", 'must be an integer in [0, 4294967295], got "42"'],
    ["perSum 0", (b) => (b.perSum = 0), "boundary.perSum", "must be an integer in [1, "],
    ["a sum of 89.5", (b) => (b.sums[0] = 89.5), "boundary.sums[0]", "must be an integer"],
    [
      "an accuracy above 1",
      (b) => (b.accuracy[3] = 1.5),
      "boundary.accuracy[3]",
      "must be a number in [0, 1], got 1.5",
    ],
    ["a short meanP", (b) => b.meanP.pop(), "boundary.meanP", `must hold one value per sum (${n}), got ${n - 1}`],
    [
      "atThreshold as text",
      (b) => (b.atThreshold = "0.5"),
      "boundary.atThreshold",
      "must be a number in [0, 1] or null",
    ],
    ["no effectiveThreshold", (b) => delete b.effectiveThreshold, "boundary.effectiveThreshold", "is missing"],
    ["no agreement", (b) => delete b.agreement, "boundary.agreement", "is missing"],
    [
      "a negative max diff",
      (b) => (b.agreement.maxAbsDiff = -1),
      "boundary.agreement.maxAbsDiff",
      "must be a number in [0, Infinity], got -1",
    ],
    [
      "decisionsAgree as text",
      (b) => (b.agreement.decisionsAgree = "yes"),
      "boundary.agreement.decisionsAgree",
      'must be true or false, got "yes"',
    ],
  ];
  for (const [what, mutate, field, problem] of cases) {
    const m = structuredClone(good);
    mutate(m.boundary, m);
    const error = assertThrows(() => parseMetrics("m/metrics.json", m), ModelDirError);
    assertEquals(error.field, field, what);
    assert(error.message.startsWith(`m/metrics.json: field "${field}" ${problem}`), `${what}: ${error.message}`);
  }
});

Deno.test("readModelDir() refuses a model.onnx with 16 flipped weight bytes, naming the file and both hashes", async () => {
  const { parent, dir } = await scratch();
  await copyDir(DEFAULT_MODEL_DIR, dir);
  const onnx = await Deno.readFile(`${dir}/model.onnx`);
  const middle = onnx.length >> 1; // inside the recurrent weights, the bulk of the file
  for (let k = 0; k < 16; k++) onnx[middle + 4 * k] ^= 0x01;
  await Deno.writeFile(`${dir}/model.onnx`, onnx);
  const error = await assertRejects(() => readModelDir(dir), ModelDirError, `${dir}/model.onnx: has SHA-256`);
  assertEquals(error.file, `${dir}/model.onnx`);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("readModelDir() refuses tfjs/weights.bin and tfjs/model.json that differ from the recorded hashes", async () => {
  for (const file of [MODEL_FILES.tfjsWeights, MODEL_FILES.tfjsModel]) {
    const { parent, dir } = await scratch();
    await writeModelDir(dir, contents);
    const bytes = await Deno.readFile(`${dir}/${file}`);
    bytes[bytes.length - 2] ^= 0x04;
    await Deno.writeFile(`${dir}/${file}`, bytes);
    await assertRejects(() => readModelDir(dir), ModelDirError, `${dir}/${file}: has SHA-256`);
    await Deno.remove(parent, { recursive: true });
  }
});

/** One JSON-level mutation of a value: replace or delete a member somewhere, or a whole new value. */
const jsonValue = fc.jsonValue({ maxDepth: 2 });
function mutate(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== "object") return remove ? undefined : replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[path[0] % keys.length];
  const copy: Record<string, unknown> = Array.isArray(value) ? [...value] as never : { ...value };
  const inner = mutate(copy[key], path.slice(1), replacement, remove);
  if (inner === undefined) delete copy[key];
  else copy[key] = inner;
  return copy;
}

Deno.test("readModelDir() on mutated metrics.json returns a checked value or throws ModelDirError (property)", async () => {
  const { parent, dir } = await scratch();
  await writeModelDir(dir, contents);
  const path = modelPaths(dir).metrics;
  const good = JSON.parse(await Deno.readTextFile(path));
  const text = jsonText(good);
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.record({
          kind: fc.constant("json" as const),
          path: fc.array(fc.nat(40), { maxLength: 4 }),
          replacement: jsonValue,
          remove: fc.boolean(),
        }),
        fc.record({
          kind: fc.constant("text" as const),
          at: fc.nat(text.length - 1),
          cut: fc.nat(8),
          insert: fc.string({ maxLength: 4 }),
        }),
      ),
      async (m) => {
        const mutated = m.kind === "json"
          ? JSON.stringify(mutate(good, m.path, m.replacement, m.remove))
          : text.slice(0, m.at) + m.insert + text.slice(m.at + m.cut);
        await Deno.writeTextFile(path, mutated ?? "");
        try {
          const read = await readModelDir(dir);
          assertEquals(typeof read.metrics.validation.accuracy, "number");
          accepted++;
        } catch (error) {
          if (!(error instanceof ModelDirError)) throw error;
        }
      },
    ),
    { numRuns: 300, seed: 20240611 },
  );
  assert(accepted < 300, "some mutations must be refused, or the property proves nothing");
  await Deno.remove(parent, { recursive: true });
});

Deno.test("checkModelDirTarget() refuses /, a file, a foreign directory and a model of another config unless forced", async () => {
  const { parent, dir } = await scratch();
  const config = contents.metrics.config;
  await assertRejects(() => checkModelDirTarget("/", config), ModelDirError, "/: is the root directory");
  await assertRejects(() => checkModelDirTarget(`${parent}/../..${parent}/../../`, config), ModelDirError, "root");
  await checkModelDirTarget(dir, config); // absent: fine
  await Deno.writeTextFile(`${parent}/file`, "x");
  await assertRejects(() => checkModelDirTarget(`${parent}/file`, config), ModelDirError, "is a file, not a directory");
  await assertRejects(
    () => checkModelDirTarget(parent, config),
    ModelDirError,
    "holds entries that are not a model directory's (file)",
  );
  await writeModelDir(dir, contents);
  await checkModelDirTarget(dir, config); // the same config: fine
  const other = tinyConfig({ epochs: 2 });
  await assertRejects(
    () => checkModelDirTarget(dir, other),
    ModelDirError,
    "holds a model of another config (epochs 1 there, 2 here; averageFrom 1 there, 2 here); pass --force to replace it",
  );
  await checkModelDirTarget(dir, other, { force: true });
  // a field the model's config holds and the new one lacks differs too (the baseline against the default)
  const baseline = resolveConfig({ ...config, forgetBias: undefined });
  await assertRejects(
    () => checkModelDirTarget(dir, baseline),
    ModelDirError,
    "holds a model of another config (forgetBias 5 there, undefined here); pass --force to replace it",
  );
  await assertRejects(
    () => writeModelDir(dir, { ...contents, metrics: { ...contents.metrics, config: other } }),
    ModelDirError,
  );
  await Deno.writeTextFile(modelPaths(dir).metrics, "broken");
  await assertRejects(() => checkModelDirTarget(dir, config), ModelDirError, "metrics.json cannot be read");
  await Deno.remove(parent, { recursive: true });
});

Deno.test("writeModelDir() replaces a model whole and leaves the old one whole when it cannot write", async () => {
  const { parent, dir } = await scratch();
  await writeModelDir(dir, contents);
  const before = await Deno.readFile(modelPaths(dir).metrics);
  // the staging path taken by a file: the write fails before touching dir
  await Deno.writeTextFile(siblingPaths(dir).staging, "in the way");
  await assertRejects(() => writeModelDir(dir, contents), ModelDirError, "is not writable");
  assertEquals(await Deno.readFile(modelPaths(dir).metrics), before);
  await Deno.remove(siblingPaths(dir).staging);
  const seconds = { ...contents, metrics: { ...contents.metrics, seconds: 9 } };
  assertEquals((await writeModelDir(dir, seconds)).seconds, 9);
  assertEquals((await readModelDir(dir)).metrics.seconds, 9);
  assertEquals([...Deno.readDirSync(parent)].map((e) => e.name), ["m"]);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("removeLeftovers() removes staging and replaced copies of dead processes, keeps live ones and the checkpoint", async () => {
  const { parent, dir } = await scratch();
  const dead = 2 ** 22 + 12_345; // above Linux's pid_max default, so never running
  const s = siblingPaths(dir, dead);
  await Deno.mkdir(s.staging);
  await Deno.mkdir(s.old);
  await Deno.writeTextFile(`${parent}/.m.checkpoint.${dead}.tmp`, "partial");
  await Deno.writeTextFile(s.checkpoint, "kept");
  const live = siblingPaths(dir, Deno.pid).staging;
  await Deno.mkdir(live);
  await Deno.mkdir(`${parent}/.mine.tmp-${dead}`); // another directory's leftover
  const removed = await removeLeftovers(dir);
  assertEquals(removed.sort(), [s.old, `${parent}/.m.checkpoint.${dead}.tmp`, s.staging].sort());
  assertEquals([...Deno.readDirSync(parent)].map((e) => e.name).sort(), [
    ".m.checkpoint",
    `.m.tmp-${Deno.pid}`,
    `.mine.tmp-${dead}`,
  ]);
  await Deno.remove(parent, { recursive: true });
});

Deno.test("leftoverPid() recognises only this directory's staging, replaced and checkpoint temp names", () => {
  assertEquals(leftoverPid("m", ".m.tmp-12"), 12);
  assertEquals(leftoverPid("m", ".m.old-7"), 7);
  assertEquals(leftoverPid("m", ".m.checkpoint.9.tmp"), 9);
  assertEquals(leftoverPid("m", ".m.checkpoint"), undefined);
  assertEquals(leftoverPid("m", ".mm.tmp-12"), undefined);
  assertEquals(leftoverPid("m", ".m.tmp-12.tmp"), undefined);
  assertEquals(leftoverPid("m", "m"), undefined);
});

function sampleState(): TrainingState {
  const config = tinyConfig({ epochs: 2 });
  return {
    config,
    epoch: 1,
    batch: 1,
    history: {
      epochs: [{ epoch: 1, loss: 0.5, accuracy: 0.75, valLoss: 0.4, valAccuracy: 0.8, seconds: 0.1 }],
      batches: { loss: [0.6, 0.4, 0.3], accuracy: [0.5, 1, 1] },
    },
    seconds: 1.25,
    epochSeconds: 0.5,
    iterations: 3,
    tensors: [
      { name: "weights/kernel", shape: [1, 3], values: Float32Array.of(1.5, -0, 3.4028234663852886e38) },
      { name: "adam/accBeta1", shape: [], values: Float32Array.of(0.7289999127388) },
      { name: "empty", shape: [0], values: new Float32Array(0) },
      { name: "nan", shape: [2], values: new Float32Array(new Uint32Array([0x7fc00001, 0xff800000]).buffer) },
    ],
  };
}

Deno.test("encodeCheckpoint() and decodeCheckpoint() keep every float32 bit and the whole state", () => {
  const state = sampleState();
  const back = decodeCheckpoint("c", encodeCheckpoint(state));
  assertEquals({ ...back, tensors: [] }, { ...state, tensors: [] });
  assertEquals(back.tensors.map((t) => [t.name, t.shape]), state.tensors.map((t) => [t.name, t.shape]));
  back.tensors.forEach((t, i) =>
    assertEquals(new Uint8Array(t.values.buffer), new Uint8Array(state.tensors[i].values.buffer), t.name)
  );
});

Deno.test("decodeCheckpoint() on cut or flipped bytes returns a state or throws ModelDirError (property)", () => {
  const bytes = encodeCheckpoint(sampleState());
  fc.assert(
    fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, xor, cut) => {
      const mutated = cut ? bytes.slice(0, at) : bytes.slice();
      if (!cut) mutated[at] ^= xor;
      try {
        decodeCheckpoint("c", mutated);
      } catch (error) {
        if (!(error instanceof ModelDirError)) throw error;
      }
    }),
    { numRuns: 400, seed: 7 },
  );
  assertThrows(() => decodeCheckpoint("c", bytes.slice(0, bytes.length - 1)), ModelDirError, "c: ");
});

Deno.test("readStudyDir() reads the shipped study and writeStudyDir() writes it back byte for byte", async () => {
  const study = await readStudyDir(DEFAULT_STUDY_DIR, VARIANT_NAMES);
  assertEquals(study.results.variants.map((v) => v.name), [...VARIANT_NAMES]);
  const dir = await Deno.makeTempDir();
  await writeStudyDir(dir, study);
  for (const f of ["results.json", "probabilities.json"]) {
    assertEquals(await Deno.readTextFile(`${dir}/${f}`), await Deno.readTextFile(`${DEFAULT_STUDY_DIR}/${f}`), f);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readStudyDir() names the file and the field of an unknown variant or a short probability list", async () => {
  const study = await readStudyDir(DEFAULT_STUDY_DIR, VARIANT_NAMES);
  const dir = await Deno.makeTempDir();
  const renamed = structuredClone(study);
  (renamed.results.variants[1] as { name: string }).name = "weighted";
  await writeStudyDir(dir, renamed);
  await assertRejects(
    () => readStudyDir(dir, VARIANT_NAMES),
    ModelDirError,
    `${dir}/results.json: field "variants[1].name" must be one of spec, class-weighted`,
  );
  const short = structuredClone(study);
  short.probabilities.spec = short.probabilities.spec!.slice(1);
  await writeStudyDir(dir, short);
  await assertRejects(
    () => readStudyDir(dir, VARIANT_NAMES),
    ModelDirError,
    `${dir}/probabilities.json: field "spec" must hold ${study.results.naturalValidation.size} probabilities`,
  );
  await Deno.remove(dir, { recursive: true });
});
