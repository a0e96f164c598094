// deno-lint-ignore-file no-explicit-any -- metrics.json is altered field by field as parsed JSON
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { DEFAULT_MODEL_DIR, MODEL_FILES, ModelDirError, readModelDir } from "../src/model_dir/mod.ts";
import { BOUNDARY_DIGITS, loadOnnx, verifyModelDir } from "../src/onnx/mod.ts";
import { BOUNDARY_HALF_WIDTH, BOUNDARY_PER_SUM } from "../src/core/boundary.ts";
import { accuracy, confusion, datasetFor, SPEC } from "../mod.ts";

const root = new URL("..", import.meta.url).pathname;

async function run(script: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/${script}`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A copy of the shipped model directory in a new temp folder. */
async function shippedCopy(): Promise<string> {
  const dir = `${await Deno.makeTempDir({ prefix: "lstm-sum-verify-" })}/m`;
  await Deno.mkdir(`${dir}/tfjs`, { recursive: true });
  for (const f of Object.values(MODEL_FILES)) await Deno.copyFile(`${DEFAULT_MODEL_DIR}/${f}`, `${dir}/${f}`);
  return dir;
}

/** The failure is one line on stderr, `error: ...`, with no stack trace. */
function assertOneLine(stderr: string, includes: string): void {
  const lines = stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, stderr);
  assertStringIncludes(lines[0], `error: ${includes}`);
}

Deno.test("verifyModelDir() passes the shipped model: model.onnx reproduces its records, hashes and metadata config", async () => {
  const { problems, size } = await verifyModelDir(DEFAULT_MODEL_DIR);
  assertEquals(problems, []);
  assertEquals(size, SPEC.validationSize);
});

Deno.test("verifyModelDir() recomputes the shipped model's boundary figures from model.onnx: the recorded ones", async () => {
  const { metrics } = await readModelDir(DEFAULT_MODEL_DIR);
  const { problems, boundary } = await verifyModelDir(DEFAULT_MODEL_DIR);
  assertEquals(problems, []);
  const { seed, perSum, agreement: _, ...recorded } = metrics.boundary!;
  assertEquals(boundary, { seed, perSum, threshold: metrics.config.threshold, scores: recorded });
  assertEquals([seed, perSum], [metrics.config.dataSeed, BOUNDARY_PER_SUM]);
});

Deno.test("verifyModelDir() fails when a recorded boundary figure is altered, naming it; deno task verify exits 1", async () => {
  const dir = await shippedCopy();
  const path = `${dir}/metrics.json`;
  const good = JSON.parse(await Deno.readTextFile(path));
  /** One unit of the last recorded digit. */
  const ulp = (v: number) => 10 ** (Math.floor(Math.log10(Math.abs(v))) - (BOUNDARY_DIGITS - 1));
  const alter = async (change: (b: Record<string, any>) => void) => {
    const m = structuredClone(good);
    change(m.boundary);
    await Deno.writeTextFile(path, JSON.stringify(m));
  };
  const k = BOUNDARY_HALF_WIDTH; // the sum at the threshold
  await alter((b) => (b.meanP[k] += ulp(b.meanP[k])));
  const { problems } = await verifyModelDir(dir);
  assertEquals(problems.length, 1, problems.join("; "));
  assert(problems[0].startsWith("boundary.meanP "), problems[0]);
  await alter((b) => (b.atThreshold = b.atThreshold >= 0.5 ? b.atThreshold - 0.01 : b.atThreshold + 0.01));
  const v = await run("verify.ts", "--model", dir);
  assertEquals(v.code, 1);
  assertStringIncludes(v.stdout, `accuracy at sum ${SPEC.threshold}`);
  assertStringIncludes(v.stdout, `FAIL ${dir}: boundary.atThreshold `);
  await Deno.remove(dir.slice(0, -2), { recursive: true });
});

Deno.test("verifyModelDir() fails when metrics.json's config lacks an optional field that model.onnx's metadata holds", async () => {
  const dir = await shippedCopy();
  const path = `${dir}/metrics.json`;
  const m = JSON.parse(await Deno.readTextFile(path));
  assertEquals(m.config.permuteDigits, true, "the shipped model reorders the digits");
  delete m.config.permuteDigits;
  await Deno.writeTextFile(path, JSON.stringify(m));
  const { problems } = await verifyModelDir(dir);
  assertEquals(problems, ["model.onnx metadata config.permuteDigits true differs from metrics.json undefined"]);
  await Deno.remove(dir.slice(0, -2), { recursive: true });
});

Deno.test("deno task verify fails (exit 1, one line) on a model.onnx with 16 flipped weight bytes that change no decision", async () => {
  const dir = await shippedCopy();
  const onnx = await Deno.readFile(`${dir}/model.onnx`);
  const middle = onnx.length >> 1;
  for (let k = 0; k < 16; k++) onnx[middle + 4 * k] ^= 0x01; // low mantissa bits of recurrent weights
  await Deno.writeFile(`${dir}/model.onnx`, onnx);
  // the flips move probabilities but no decision: only the hash can tell
  const { metrics } = await readModelDir(DEFAULT_MODEL_DIR);
  const data = datasetFor(metrics.config);
  const mutated = await loadOnnx(onnx, "mutated");
  const p = await mutated.predict(data.validation.x, metrics.config.seriesLength);
  await mutated.release();
  assertEquals(accuracy(confusion(data.validation.y, p)), metrics.validation.accuracy);
  assert(metrics.validation.accuracy === metrics.onnx.accuracy);
  await assertRejects(() => verifyModelDir(dir), ModelDirError, "has SHA-256");
  const v = await run("verify.ts", "--model", dir);
  assertEquals(v.code, 1);
  assertOneLine(v.stderr, `${dir}/model.onnx: has SHA-256`);
  await Deno.remove(dir.slice(0, -2), { recursive: true });
});

Deno.test("deno task verify and predict: a missing directory, a file, a broken metrics.json give one line and exit 1", async () => {
  const dir = await shippedCopy();
  const parent = dir.slice(0, -2);
  const missing = await run("verify.ts", "--model", `${parent}/missing`);
  assertEquals(missing.code, 1);
  assertOneLine(missing.stderr, `${parent}/missing: does not exist`);
  const file = await run("verify.ts", "--model", `${dir}/metrics.json`);
  assertEquals(file.code, 1);
  assertOneLine(file.stderr, `${dir}/metrics.json: is a file, not a model directory`);
  const predictMissing = await run(
    "predict.ts",
    "--model",
    `${parent}/missing`,
    "1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0",
  );
  assertEquals(predictMissing.code, 1);
  assertOneLine(predictMissing.stderr, `${parent}/missing: does not exist`);
  await Deno.writeTextFile(`${dir}/metrics.json`, '{"config": ');
  const broken = await run("verify.ts", "--model", dir);
  assertEquals(broken.code, 1);
  assertOneLine(broken.stderr, `${dir}/metrics.json: is not JSON`);
  const usage = await run("verify.ts", "--model");
  assertEquals(usage.code, 2);
  await Deno.remove(parent, { recursive: true });
});
