/**
 * Re-checks an MNIST run directory from its files alone: draws the test split again from the
 * config in metrics.json, runs model.onnx on it with onnxruntime-web, and compares what it finds
 * with what metrics.json records.
 * @module
 */
import { loadMnist, type MnistImages, splitMnist } from "./data.ts";
import { argmaxRows } from "./scores.ts";
import { loadMnistOnnx, MNIST_MAX_ABS_DIFF } from "./onnx.ts";
import { readMnistRun } from "./run_dir.ts";
import { H61, type MnistConfig, type MnistOverrides, resolveMnistConfig } from "./spec.ts";

/** One check of {@link verifyMnistRun}. */
export interface MnistCheck {
  /** Its short name, e.g. `accuracy`. */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** What was compared, with the figures. */
  detail: string;
}

/** What {@link verifyMnistRun} found. */
export interface MnistVerification {
  /** Every check, in order: test split, metadata, accuracy, confusion, onnx record. */
  checks: MnistCheck[];
  /** Whether every check passed. */
  ok: boolean;
  /** model.onnx's accuracy on the test split drawn again. */
  accuracy: number;
  /** Images in that split. */
  size: number;
}

/** Options of {@link verifyMnistRun}. */
export interface VerifyMnistRunOptions {
  /** All images ({@link loadMnist}); read from the package when absent. */
  images?: MnistImages;
}

/** The fields where model.onnx's embedded config differs from the recorded one, or why it cannot be read. */
function metadataDiff(recorded: MnistConfig, embedded: string | undefined): string[] {
  let config: MnistConfig;
  try {
    config = resolveMnistConfig(JSON.parse(embedded ?? "") as MnistOverrides);
  } catch (error) {
    return [`model.onnx metadata holds no readable config (${(error as Error).message})`];
  }
  return (Object.keys(recorded) as (keyof MnistConfig)[])
    .filter((k) => JSON.stringify(config[k]) !== JSON.stringify(recorded[k]))
    .map((k) => `${k} ${JSON.stringify(config[k])} in model.onnx, ${JSON.stringify(recorded[k])} in metrics.json`);
}

/**
 * Reads a run directory ({@link readMnistRun}), draws its test split again from the recorded config,
 * runs model.onnx on it and checks, each as a {@link MnistCheck}:
 * - test split: its images per digit equal the recorded `data.test` (and its size `test.size`);
 * - metadata: the config in model.onnx's metadata equals metrics.json's;
 * - accuracy: model.onnx's accuracy equals the recorded `test.accuracy`;
 * - confusion: its confusion matrix equals the recorded `test.confusion`;
 * - onnx record: its accuracy equals `onnx.accuracy`, and the recorded cross-check passed.
 *
 * @param dir The run directory.
 * @param options The images, when already loaded.
 * @returns The checks, whether all passed, the accuracy and the split's size.
 * @throws {ModelDirError} A missing file or a malformed metrics.json, named.
 * @throws {OnnxError} A model.onnx that breaks the MNIST contract or does not run.
 */
export async function verifyMnistRun(dir: string, options: VerifyMnistRunOptions = {}): Promise<MnistVerification> {
  for (const key of Object.keys(options)) {
    if (key !== "images") throw new TypeError(`Unknown MNIST verify option "${key}"`);
  }
  const run = await readMnistRun(dir);
  const { test } = splitMnist(options.images ?? await loadMnist(), run.config);
  const model = await loadMnistOnnx(run.onnxBytes, run.paths.onnx);
  let p: Float32Array;
  try {
    p = await model.predict(test.x);
  } finally {
    await model.release();
  }
  const K = H61.classes;
  const predicted = argmaxRows(p);
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const counts = new Array<number>(K).fill(0);
  let right = 0;
  for (let i = 0; i < test.size; i++) {
    confusion[test.y[i]][predicted[i]]++;
    counts[test.y[i]]++;
    if (predicted[i] === test.y[i]) right++;
  }
  const accuracy = right / test.size;
  const checks: MnistCheck[] = [];
  const check = (name: string, ok: boolean, pass: string, fail: string) =>
    checks.push({ name, ok, detail: ok ? pass : fail });

  const sameCounts = counts.join() === run.testCounts.join() && test.size === run.test.size;
  check(
    "test split",
    sameCounts,
    `data seed ${run.config.dataSeed} gives ${test.size} images, per digit ${counts.join(" ")}, as recorded`,
    `data seed ${run.config.dataSeed} gives ${test.size} images, per digit ${
      counts.join(" ")
    }; metrics.json records ${run.test.size}, per digit ${run.testCounts.join(" ")}`,
  );
  const diff = metadataDiff(run.config, model.metadata.config);
  check(
    "metadata",
    diff.length === 0,
    "the config in model.onnx equals metrics.json's",
    `the config in model.onnx differs from metrics.json's: ${diff.join("; ")}`,
  );
  check(
    "accuracy",
    accuracy === run.test.accuracy,
    `model.onnx classifies ${right} of ${test.size} test images right, ${accuracy}, as recorded`,
    `model.onnx classifies ${right} of ${test.size} test images right, ${accuracy}; metrics.json records test.accuracy ${run.test.accuracy}`,
  );
  const cells: string[] = [];
  for (let t = 0; t < K; t++) {
    for (let q = 0; q < K; q++) {
      if (confusion[t][q] !== run.test.confusion[t][q]) {
        cells.push(`[${t}][${q}] ${confusion[t][q]} here, ${run.test.confusion[t][q]} recorded`);
      }
    }
  }
  check(
    "confusion",
    cells.length === 0,
    `model.onnx's ${K}x${K} confusion matrix equals the recorded one`,
    `model.onnx's confusion matrix differs in ${cells.length} cells (true digit, predicted): ${
      cells.slice(0, 3).join("; ")
    }${cells.length > 3 ? "; …" : ""}`,
  );
  const o = run.onnx;
  const recordOk = o.accuracy === accuracy && o.decisionsAgree && o.maxAbsDiff <= MNIST_MAX_ABS_DIFF;
  check(
    "onnx record",
    recordOk,
    `onnx.accuracy ${o.accuracy} as here; the recorded cross-check passed (max |p_onnx - p_tfjs| ${
      o.maxAbsDiff.toExponential(2)
    }, decisions agree)`,
    `onnx.accuracy ${o.accuracy} recorded, ${accuracy} here; max |p_onnx - p_tfjs| ${o.maxAbsDiff} (limit ${MNIST_MAX_ABS_DIFF}), decisions agree: ${o.decisionsAgree}`,
  );
  return { checks, ok: checks.every((c) => c.ok), accuracy, size: test.size };
}
