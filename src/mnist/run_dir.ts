/**
 * The files of an MNIST run directory, and the only module that spells their paths or parses them:
 *
 *   metrics.json        config, parameters, class counts, final train and test measures, the ONNX
 *                       cross-check (`onnx`), seconds
 *   history.json        every update's batch loss and accuracy, and the evaluations every 100th update
 *   model.onnx          the network as standard ONNX (src/mnist/onnx.ts)
 *   tfjs/model.json     the tf.layers topology and weight manifest
 *   tfjs/weights.bin    the tf.layers weights
 *
 * Beside it, in its parent, an interrupted run keeps its checkpoint as `.NAME.checkpoint`, and a write
 * stages the whole directory as `.NAME.tmp-PID` before renaming it into place (the LSTM model
 * directory's conventions, git-ignored under models/).
 * @module
 */
import { swapIntoPlace, writeFileAtomic } from "../io/atomic.ts";
import { MODEL_ENTRIES, type ModelPaths, modelPaths, siblingPaths } from "../model_dir/layout.ts";
import { checkReplaceableDir, jsonText, readBytes, readJson } from "../model_dir/model_dir.ts";
import { FieldReader } from "../model_dir/schema.ts";
import {
  decodeMnistCheckpoint,
  encodeMnistCheckpoint,
  type MnistHistory,
  type MnistTrainingState,
} from "./checkpoint.ts";
import { loadMnist, type MnistImages, splitMnist } from "./data.ts";
import { H61, type MnistConfig, type MnistOverrides, resolveMnistConfig } from "./spec.ts";
import type { MnistMetrics, MnistOnnxRecord, MnistTrainResult, SplitMetrics } from "./train.ts";

export { defaultMnistRunDir, mnistRunDirIn } from "./spec.ts";

/** Every file of a run directory as a path: the LSTM model directory's layout, and the checkpoint beside it. */
export interface MnistRunPaths extends ModelPaths {
  /** The checkpoint of an interrupted run, beside the directory. */
  checkpoint: string;
}

/**
 * The paths of a run directory's files: {@link modelPaths}, the one owner of the layout, and the checkpoint.
 *
 * @param dir The directory.
 * @returns Each file's path.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(mnistRunPaths("models/mnist-cnn/").checkpoint, "models/.mnist-cnn.checkpoint");
 * ```
 */
export function mnistRunPaths(dir: string): MnistRunPaths {
  const paths = modelPaths(dir);
  return { ...paths, checkpoint: siblingPaths(paths.dir).checkpoint };
}

/** The entries a run directory may hold: the model directory's. */
export const MNIST_RUN_ENTRIES: readonly string[] = MODEL_ENTRIES;

/**
 * Checks that `dir` may receive a run: not `/`, and missing or a directory holding nothing but a
 * run directory's entries (and temp files), since writing replaces it whole.
 *
 * @param dir The run directory.
 * @throws {ModelDirError} The root, a file, an unreadable path, or a directory with other entries, named.
 */
export async function checkMnistRunTarget(dir: string): Promise<void> {
  await checkReplaceableDir(dir, MNIST_RUN_ENTRIES, "run directory");
}

/** Options of {@link writeMnistRun}. */
export interface WriteMnistRunOptions {
  /** All images ({@link loadMnist}), split by the run's config for the ONNX cross-check; read from the package when absent. */
  images?: MnistImages;
}

/** What {@link writeMnistRun} wrote. */
export interface WrittenMnistRun {
  /** metrics.json as written, with the ONNX cross-check. */
  metrics: MnistMetrics;
  /** What failed in the ONNX cross-check; empty when it passed. The directory is written either way. */
  problems: string[];
}

/**
 * Writes a finished run: exports model.onnx and cross-checks it against tf.layers `predict` on every
 * test image of the run's split (`exportMnistOnnx`), then writes metrics.json (with the check as `onnx`),
 * history.json, model.onnx and the tf.layers files into a staging sibling and renames it into place:
 * the directory is either the old one or the whole new one, never half-written.
 *
 * @param dir The run directory; created when missing, replaced when it holds a run.
 * @param result The trained model, its history and its metrics (not changed).
 * @param options The images, when already loaded.
 * @returns metrics.json as written, and what failed in the ONNX cross-check.
 * @throws {ModelDirError} A target that is not a run directory ({@link checkMnistRunTarget}).
 * @throws {Deno.errors.PermissionDenied|Error} A write that fails; `dir` is untouched then.
 */
export async function writeMnistRun(
  dir: string,
  result: MnistTrainResult,
  options: WriteMnistRunOptions = {},
): Promise<WrittenMnistRun> {
  for (const key of Object.keys(options)) {
    if (key !== "images") throw new TypeError(`Unknown MNIST run write option "${key}"`);
  }
  await checkMnistRunTarget(dir);
  const { test } = splitMnist(options.images ?? await loadMnist(), result.metrics.config);
  // tfjs is loaded here only, so reading or serving a run never loads it
  const [{ exportMnistOnnx }, { tfjsFiles }] = await Promise.all([import("./export.ts"), import("../train/save.ts")]);
  const exported = await exportMnistOnnx({ model: result.model, metrics: result.metrics, test });
  const files = await tfjsFiles(result.model);
  const { onnx: _, seconds, ...measured } = result.metrics;
  const metrics: MnistMetrics = { ...measured, onnx: exported.record, seconds };
  const s = siblingPaths(dir);
  const staged = mnistRunPaths(s.staging);
  const encoder = new TextEncoder();
  try {
    await Deno.remove(s.staging, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.mkdir(staged.tfjs, { recursive: true });
    await Deno.writeFile(staged.tfjsWeights, files.weights);
    await Deno.writeFile(staged.tfjsModel, encoder.encode(jsonText(files.modelJson)));
    await Deno.writeFile(staged.onnx, exported.bytes);
    await Deno.writeFile(staged.history, encoder.encode(jsonText(result.history)));
    await Deno.writeFile(staged.metrics, encoder.encode(jsonText(metrics)));
    await swapIntoPlace(s.staging, dir, { old: s.old });
  } catch (error) {
    await Deno.remove(s.staging, { recursive: true }).catch(() => {});
    throw error;
  }
  return { metrics, problems: exported.problems };
}

/** metrics.json's `config`, resolved: a bad one fails naming the file and the field. */
function parseMnistConfig(r: FieldReader, top: Record<string, unknown>): MnistConfig {
  try {
    return resolveMnistConfig(r.object(r.member(top, "config", ""), "config") as unknown as MnistOverrides);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    r.fail("config", `is not a valid MNIST config: ${error.message}`);
  }
}

/** A split's measures in metrics.json (`train` or `test`), each field checked. */
function parseSplitMetrics(r: FieldReader, top: Record<string, unknown>, field: "train" | "test"): SplitMetrics {
  const K = H61.classes;
  const counts = (v: unknown, at: string) => {
    const xs = r.numbers(v, at, (x, f) => r.integer(x, f));
    if (xs.length !== K) r.fail(at, `must hold ${K} counts, got ${xs.length}`);
    return xs;
  };
  const t = r.object(r.member(top, field, ""), field);
  const confusion = r.member(t, "confusion", field);
  if (!Array.isArray(confusion) || confusion.length !== K) {
    r.fail(`${field}.confusion`, `must be a ${K}x${K} matrix of counts`);
  }
  return {
    size: r.integer(r.member(t, "size", field), `${field}.size`),
    loss: r.number(r.member(t, "loss", field), `${field}.loss`, { min: 0 }),
    accuracy: r.number(r.member(t, "accuracy", field), `${field}.accuracy`, { min: 0, max: 1 }),
    confusion: confusion.map((row, i) => counts(row, `${field}.confusion[${i}]`)),
  };
}

/**
 * Reads a run's metrics.json, every field a reader uses checked.
 *
 * @param dir The run directory.
 * @returns Its metrics as written.
 * @throws {ModelDirError} A missing file, a file that is not JSON, or a missing or malformed field, named.
 */
export async function readMnistMetrics(dir: string): Promise<MnistMetrics> {
  const path = mnistRunPaths(dir).metrics;
  const r = new FieldReader(path);
  const value = await readJson(path);
  const top = r.object(value, "(top level)");
  parseMnistConfig(r, top);
  r.integer(r.member(top, "parameters", ""), "parameters");
  r.number(r.member(top, "seconds", ""), "seconds", { min: 0 });
  const data = r.object(r.member(top, "data", ""), "data");
  r.string(r.member(data, "source", "data"), "data.source");
  parseSplitMetrics(r, top, "train");
  parseSplitMetrics(r, top, "test");
  return value as unknown as MnistMetrics;
}

/** What a check of a run directory needs from it, read and validated by {@link readMnistRun}. */
export interface MnistRunRecord {
  /** The run's paths. */
  paths: MnistRunPaths;
  /** The recorded config, resolved (so its test split can be drawn again). */
  config: MnistConfig;
  /** The recorded test images per digit (`data.test`). */
  testCounts: number[];
  /** The recorded test measures. */
  test: SplitMetrics;
  /** The recorded ONNX cross-check. */
  onnx: MnistOnnxRecord;
  /** model.onnx's bytes. */
  onnxBytes: Uint8Array;
}

/**
 * Reads what a check of a run directory needs: metrics.json's config, test counts, test measures
 * and ONNX record, each validated, and model.onnx's bytes.
 *
 * @param dir The run directory.
 * @returns The validated record and the model's bytes.
 * @throws {ModelDirError} A missing file, or a missing or malformed field, named with the file.
 */
export async function readMnistRun(dir: string): Promise<MnistRunRecord> {
  const paths = mnistRunPaths(dir);
  const r: FieldReader = new FieldReader(paths.metrics);
  const top = r.object(await readJson(paths.metrics), "(top level)");
  const config = parseMnistConfig(r, top);
  const data = r.object(r.member(top, "data", ""), "data");
  const testCounts = r.numbers(r.member(data, "test", "data"), "data.test", (x, f) => r.integer(x, f));
  if (testCounts.length !== H61.classes) {
    r.fail("data.test", `must hold ${H61.classes} counts, got ${testCounts.length}`);
  }
  const test = parseSplitMetrics(r, top, "test");
  const o = r.object(r.member(top, "onnx", ""), "onnx");
  const onnx: MnistOnnxRecord = {
    runtime: r.string(r.member(o, "runtime", "onnx"), "onnx.runtime"),
    maxAbsDiff: r.number(r.member(o, "maxAbsDiff", "onnx"), "onnx.maxAbsDiff", { min: 0 }),
    decisionsAgree: r.boolean(r.member(o, "decisionsAgree", "onnx"), "onnx.decisionsAgree"),
    accuracy: r.number(r.member(o, "accuracy", "onnx"), "onnx.accuracy", { min: 0, max: 1 }),
  };
  return { paths, config, testCounts, test, onnx, onnxBytes: await readBytes(paths.onnx) };
}

/**
 * Reads a run's history.json, every field a reader uses checked.
 *
 * @param dir The run directory.
 * @returns Its history as written.
 * @throws {ModelDirError} A missing file, a file that is not JSON, or a missing or malformed field, named.
 */
export async function readMnistHistory(dir: string): Promise<MnistHistory> {
  const path = mnistRunPaths(dir).history;
  const r = new FieldReader(path);
  const value = await readJson(path);
  const top = r.object(value, "(top level)");
  for (const key of ["loss", "accuracy"]) r.numbers(r.member(top, key, ""), key, (x, f) => r.number(x, f));
  const evaluations = r.member(top, "evaluations", "");
  if (!Array.isArray(evaluations)) r.fail("evaluations", "must be an array");
  (evaluations as unknown[]).forEach((e, i) => {
    const o = r.object(e, `evaluations[${i}]`);
    for (const key of ["iteration", "batchAccuracy", "testLoss", "testAccuracy", "seconds"]) {
      r.number(r.member(o, key, `evaluations[${i}]`), `evaluations[${i}].${key}`, { min: 0 });
    }
  });
  return value as unknown as MnistHistory;
}

/**
 * Writes the checkpoint of a run directory atomically.
 *
 * @param dir The run directory it belongs to.
 * @param state The training state.
 */
export async function writeMnistCheckpoint(dir: string, state: MnistTrainingState): Promise<void> {
  await writeFileAtomic(mnistRunPaths(dir).checkpoint, encodeMnistCheckpoint(state));
}

/**
 * Reads the checkpoint of a run directory, if there is one.
 *
 * @param dir The run directory it belongs to.
 * @returns The state, or undefined when there is none.
 * @throws {RangeError} A checkpoint that does not decode.
 */
export async function readMnistCheckpoint(dir: string): Promise<MnistTrainingState | undefined> {
  const path = mnistRunPaths(dir).checkpoint;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  return decodeMnistCheckpoint(path, bytes);
}

/**
 * Removes the checkpoint of a run directory (when the run completed).
 *
 * @param dir The run directory it belongs to.
 */
export async function removeMnistCheckpoint(dir: string): Promise<void> {
  await Deno.remove(mnistRunPaths(dir).checkpoint).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
