/**
 * Reads and writes a model directory as a whole. Reading checks every record and every file
 * hash; writing fills a staging sibling and renames it into place, so that a directory is
 * either the old one, absent for the instant of the swap, or the new one, never a mix.
 * @module
 */
import type { LstmArrays } from "../core/diagnosis.ts";
import { swapIntoPlace } from "../io/atomic.ts";
import { sha256Hex } from "../io/hash.ts";
import { configDifferences, type TrainConfig } from "../core/spec.ts";
import { ModelDirError } from "./errors.ts";
import {
  HASHED_FILES,
  type HashedFile,
  leftoverPid,
  MODEL_ENTRIES,
  MODEL_FILES,
  type ModelPaths,
  modelPaths,
  siblingPaths,
} from "./layout.ts";
import {
  type BoundaryRecord,
  FieldReader,
  type FileHashes,
  type History,
  type Metrics,
  type OnnxCheck,
  parseConfig,
  parseHistory,
  parseJson,
  parseMetrics,
  type TrainingMetrics,
} from "./schema.ts";

/** One weight's entry in the tfjs manifest. */
export interface TfjsWeightSpec {
  /** The weight's name in the model, such as `lstm/kernel`. */
  name: string;
  /** The weight's shape. */
  shape: number[];
  /** Its element type; always float32 here. */
  dtype: "float32";
}

/** tfjs/model.json, as tf.layers writes it for one weights file. */
export interface TfjsModelJson {
  /** Always `layers-model`. */
  format: string;
  /** The writer, such as `TensorFlow.js tfjs-layers v4.22.0`. */
  generatedBy: string;
  /** The converter, or `null` for a model saved by tfjs itself. */
  convertedBy: string | null;
  /** The Keras-style topology, passed to tfjs as is. */
  modelTopology: Record<string, unknown>;
  /** One entry: the single weights file and its weights, in order. */
  weightsManifest: [{ paths: ["weights.bin"]; weights: TfjsWeightSpec[] }];
}

/** The tf.layers model as files. */
export interface TfjsFiles {
  /** tfjs/model.json. */
  modelJson: TfjsModelJson;
  /** tfjs/weights.bin: every weight of the manifest, float32, in order. */
  weights: Uint8Array;
}

/** A model directory, read and checked. */
export interface ModelDir {
  /** Its files' paths. */
  paths: ModelPaths;
  /** metrics.json. */
  metrics: Metrics;
  /** history.json. */
  history: History;
  /** model.onnx's bytes (their hash checked). */
  onnx: Uint8Array;
  /** The tf.layers files (their hashes checked). */
  tfjs: TfjsFiles;
}

/** What {@link writeModelDir} writes; it adds the file hashes itself. */
export interface ModelDirContents {
  /** The training figures, the ONNX cross-check and, as training writes it, the boundary section. */
  metrics: TrainingMetrics & { onnx: OnnxCheck; boundary?: BoundaryRecord };
  /** The training history. */
  history: History;
  /** model.onnx's bytes. */
  onnx: Uint8Array;
  /** The tf.layers files. */
  tfjs: TfjsFiles;
}

/** Options of {@link writeModelDir} and {@link checkModelDirTarget}. */
export interface TargetOptions {
  /** Replace a directory that holds a model of another config, or one whose metrics.json is broken. */
  force?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** JSON as the project writes it: two-space indent, final newline; NaN and infinities become null. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/**
 * Reads a file's bytes, naming it when it cannot be read.
 *
 * @param path The file.
 * @returns Its bytes.
 * @throws {ModelDirError} A missing or unreadable file (the Deno error is the cause).
 */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new ModelDirError(
      path,
      error instanceof Deno.errors.NotFound ? "is missing" : `cannot be read: ${msg(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads a JSON file, naming it when it is missing, not UTF-8 or not JSON.
 *
 * @param path The file.
 * @returns The parsed value.
 * @throws {ModelDirError} The problem, naming the file.
 */
export async function readJson(path: string): Promise<unknown> {
  const bytes = await readBytes(path);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    throw new ModelDirError(path, "is not UTF-8 text", { cause: error });
  }
  return parseJson(path, text);
}

async function checkIsDir(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    throw new ModelDirError(
      dir,
      error instanceof Deno.errors.NotFound ? "does not exist" : `cannot be read: ${msg(error)}`,
      { cause: error },
    );
  }
  if (!info.isDirectory) throw new ModelDirError(dir, "is a file, not a model directory");
}

/**
 * Parses tfjs/model.json's value: a layers model with one weights file of float32 weights.
 *
 * @param file The file's path, for messages.
 * @param value The parsed JSON.
 * @returns The typed model.json.
 * @throws {ModelDirError} A missing or invalid field, named.
 */
export function parseTfjsModelJson(file: string, value: unknown): TfjsModelJson {
  const r: FieldReader = new FieldReader(file);
  const o = r.object(value, "(top level)");
  const format = r.string(r.member(o, "format", ""), "format", /^layers-model$/);
  const generatedBy = r.string(r.member(o, "generatedBy", ""), "generatedBy");
  const c = r.member(o, "convertedBy", "");
  const convertedBy = c === null ? null : r.string(c, "convertedBy");
  const modelTopology = r.object(r.member(o, "modelTopology", ""), "modelTopology");
  const m = r.member(o, "weightsManifest", "");
  if (!Array.isArray(m) || m.length !== 1) r.fail("weightsManifest", "must be an array of one entry");
  const entry = r.object(m[0], "weightsManifest[0]");
  const paths = r.member(entry, "paths", "weightsManifest[0]");
  if (!Array.isArray(paths) || paths.length !== 1 || paths[0] !== "weights.bin") {
    r.fail("weightsManifest[0].paths", 'must be ["weights.bin"]');
  }
  const w = r.member(entry, "weights", "weightsManifest[0]");
  if (!Array.isArray(w)) r.fail("weightsManifest[0].weights", "must be an array");
  const weights = w.map((x, i): TfjsWeightSpec => {
    const f = `weightsManifest[0].weights[${i}]`;
    const s = r.object(x, f);
    const shape = r.member(s, "shape", f);
    if (!Array.isArray(shape)) r.fail(`${f}.shape`, "must be an array");
    return {
      name: r.string(r.member(s, "name", f), `${f}.name`),
      shape: shape.map((d, k) => r.integer(d, `${f}.shape[${k}]`)),
      dtype: r.string(r.member(s, "dtype", f), `${f}.dtype`, /^float32$/) as "float32",
    };
  });
  return { format, generatedBy, convertedBy, modelTopology, weightsManifest: [{ paths: ["weights.bin"], weights }] };
}

function checkWeightBytes(file: string, json: TfjsModelJson, weights: Uint8Array): void {
  const floats = json.weightsManifest[0].weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== 4 * floats) {
    throw new ModelDirError(
      file,
      `must hold ${4 * floats} bytes for the manifest's weights, got ${weights.byteLength}`,
    );
  }
}

/**
 * Reads the tf.layers files of a model directory, without checking hashes (for tools that only
 * load the network; {@link readModelDir} checks them).
 *
 * @param dir The model directory.
 * @returns model.json and the weights.
 * @throws {ModelDirError} A missing or malformed file, named.
 */
export async function readTfjsFiles(dir: string): Promise<TfjsFiles> {
  const p = modelPaths(dir);
  const modelJson = parseTfjsModelJson(p.tfjsModel, await readJson(p.tfjsModel));
  const weights = await readBytes(p.tfjsWeights);
  checkWeightBytes(p.tfjsWeights, modelJson, weights);
  return { modelJson, weights };
}

/** The tf.layers names of the network's weights (layers `lstm` and `output`, as the trainer builds them). */
export const TFJS_WEIGHT_NAMES = Object.freeze(
  {
    kernel: "lstm/kernel",
    recurrentKernel: "lstm/recurrent_kernel",
    bias: "lstm/bias",
    denseKernel: "output/kernel",
    denseBias: "output/bias",
  } as const,
);

/**
 * The network's weights as plain arrays, from the tfjs files: what a pure forward pass needs.
 *
 * @param files The tfjs files (as {@link readTfjsFiles} or {@link readModelDir} gives them).
 * @param file Where they came from, for messages.
 * @returns The weights by role and the number of units.
 * @throws {ModelDirError} A weight missing from the manifest.
 */
export function tfjsWeightArrays(files: TfjsFiles, file = "tfjs/model.json"): LstmArrays {
  const specs = files.modelJson.weightsManifest[0].weights;
  const buffer = files.weights.buffer.slice(
    files.weights.byteOffset,
    files.weights.byteOffset + files.weights.byteLength,
  );
  const arrays = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    arrays.set(spec.name, new Float32Array(buffer, offset, size));
    offset += 4 * size;
  }
  const take = (name: string) => {
    const values = arrays.get(name);
    if (!values) throw new ModelDirError(file, `the weights manifest has no "${name}"`, { field: "weightsManifest" });
    return values;
  };
  const bias = take(TFJS_WEIGHT_NAMES.bias);
  return {
    units: bias.length / 4,
    kernel: take(TFJS_WEIGHT_NAMES.kernel),
    recurrentKernel: take(TFJS_WEIGHT_NAMES.recurrentKernel),
    bias,
    denseKernel: take(TFJS_WEIGHT_NAMES.denseKernel),
    denseBias: take(TFJS_WEIGHT_NAMES.denseBias)[0],
  };
}

/**
 * Reads a model directory and checks all of it: metrics.json's fields (its config through
 * `resolveConfig`), history.json against the config, and the SHA-256 of model.onnx and of the
 * tfjs files against the hashes metrics.json records.
 *
 * @param dir The model directory.
 * @returns The typed records and the files' bytes.
 * @throws {ModelDirError} A missing directory or file, a malformed record or a hash that
 *   differs; the message names the file and the field.
 */
export async function readModelDir(dir: string): Promise<ModelDir> {
  const paths = modelPaths(dir);
  await checkIsDir(paths.dir);
  const metrics = parseMetrics(paths.metrics, await readJson(paths.metrics));
  const history = parseHistory(paths.history, await readJson(paths.history), metrics.config);
  const onnx = await readBytes(paths.onnx);
  const modelJsonBytes = await readBytes(paths.tfjsModel);
  const weights = await readBytes(paths.tfjsWeights);
  const bytes: Record<HashedFile, Uint8Array> = {
    "model.onnx": onnx,
    "tfjs/model.json": modelJsonBytes,
    "tfjs/weights.bin": weights,
  };
  for (const file of HASHED_FILES) {
    const actual = await sha256Hex(bytes[file]);
    if (actual !== metrics.sha256[file]) {
      throw new ModelDirError(
        `${paths.dir}/${file}`,
        `has SHA-256 ${actual}, but metrics.json records ${
          metrics.sha256[file]
        }: the file was changed or belongs to another model`,
      );
    }
  }
  let text: string;
  try {
    text = decoder.decode(modelJsonBytes);
  } catch (error) {
    throw new ModelDirError(paths.tfjsModel, "is not UTF-8 text", { cause: error });
  }
  const modelJson = parseTfjsModelJson(paths.tfjsModel, parseJson(paths.tfjsModel, text));
  checkWeightBytes(paths.tfjsWeights, modelJson, weights);
  return { paths, metrics, history, onnx, tfjs: { modelJson, weights } };
}

/**
 * The SHA-256 of each hashed file's bytes.
 *
 * @param files The bytes of model.onnx, tfjs/model.json and tfjs/weights.bin.
 * @returns The hashes, as metrics.json records them.
 */
export async function fileHashes(files: Record<HashedFile, Uint8Array>): Promise<FileHashes> {
  const out = {} as FileHashes;
  for (const f of HASHED_FILES) out[f] = await sha256Hex(files[f]);
  return out;
}

/** Normalises a path to an absolute one without touching the disk (`.` and `..` resolved). */
function absolute(path: string): string {
  const parts: string[] = [];
  for (const p of (path.startsWith("/") ? path : `${Deno.cwd()}/${path}`).split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

/**
 * Checks that a directory may be replaced whole by a write: not `/`, not a file, and, when it exists,
 * holding nothing but `entries` (and temp files).
 *
 * @param dir The target.
 * @param entries The names the directory may hold.
 * @param kind What such a directory is called in the message ("model directory", "run directory").
 * @returns Whether the directory exists.
 * @throws {ModelDirError} The root, a file, an unreadable path, or foreign entries, named.
 */
export async function checkReplaceableDir(dir: string, entries: readonly string[], kind: string): Promise<boolean> {
  if (absolute(dir) === "/") throw new ModelDirError(dir, "is the root directory: choose a directory of its own");
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new ModelDirError(dir, `cannot be read: ${msg(error)}`, { cause: error });
    }
  }
  if (!info) return false;
  if (!info.isDirectory) throw new ModelDirError(dir, "is a file, not a directory");
  const foreign: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!entries.includes(e.name) && !e.name.endsWith(".tmp")) foreign.push(e.name);
  }
  if (foreign.length) {
    throw new ModelDirError(
      dir,
      `holds entries that are not a ${kind}'s (${
        foreign.sort().slice(0, 5).join(", ")
      }): choose a new or empty directory`,
    );
  }
  return true;
}

/**
 * Checks that `dir` may receive a model of `config`, before any work is done: not `/`, not a
 * file, and, when it exists, holding nothing but a model directory's entries, of the same
 * config unless `force` is set.
 *
 * @param dir The target.
 * @param config The config of the model to be written.
 * @param options `force` replaces a model of another config or with a broken metrics.json.
 * @throws {ModelDirError} Why the target is refused.
 */
export async function checkModelDirTarget(
  dir: string,
  config: TrainConfig,
  options: TargetOptions = {},
): Promise<void> {
  if (!(await checkReplaceableDir(dir, MODEL_ENTRIES, "model directory"))) return;
  const metricsPath = modelPaths(dir).metrics;
  let recorded: TrainConfig;
  try {
    const value = await readJson(metricsPath);
    recorded = parseConfig(
      new FieldReader(metricsPath),
      new FieldReader(metricsPath).object(value, "(top level)").config,
    );
  } catch (error) {
    if (error instanceof ModelDirError && error.cause instanceof Deno.errors.NotFound) return; // no model yet
    if (options.force) return;
    throw new ModelDirError(
      dir,
      `holds a model whose metrics.json cannot be read (${msg(error)}); pass --force to replace it`,
      {
        cause: error,
      },
    );
  }
  const diff = configDifferences(recorded, config);
  if (diff.length && !options.force) {
    const what = diff.map((k) => `${k} ${JSON.stringify(recorded[k])} there, ${JSON.stringify(config[k])} here`);
    throw new ModelDirError(dir, `holds a model of another config (${what.join("; ")}); pass --force to replace it`);
  }
}

/** Whether the process `pid` still runs (Linux's /proc; elsewhere every owner counts as gone). */
function isRunning(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the leftovers of runs that died while writing `dir`: staging copies, replaced copies
 * and checkpoint temp files whose process is gone. The checkpoint itself is kept.
 *
 * @param dir The model directory.
 * @returns The paths removed.
 */
export async function removeLeftovers(dir: string): Promise<string[]> {
  const s = siblingPaths(dir);
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(s.parent));
  } catch {
    return removed; // no parent yet: nothing left over
  }
  for (const e of entries) {
    const pid = leftoverPid(s.name, e.name);
    if (pid === undefined || isRunning(pid)) continue;
    const path = s.parent === "/" ? `/${e.name}` : `${s.parent}/${e.name}`;
    await Deno.remove(path, { recursive: true });
    removed.push(path);
  }
  return removed;
}

/**
 * Checks that the parent of `dir` can receive the staging copy (it is created when missing):
 * creates this process's staging folder and removes it again.
 *
 * @param dir The model directory.
 * @throws {ModelDirError} A parent that cannot be created or written.
 */
export async function checkParentWritable(dir: string): Promise<void> {
  const s = siblingPaths(dir);
  try {
    await Deno.mkdir(s.parent, { recursive: true });
    await Deno.mkdir(s.staging, { recursive: true });
    await Deno.remove(s.staging, { recursive: true });
  } catch (error) {
    throw new ModelDirError(s.parent, `is not writable: ${msg(error)}`, { cause: error });
  }
}

async function writeInto(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await Deno.writeFile(path, bytes);
  } catch (error) {
    throw new ModelDirError(path, `cannot be written: ${msg(error)}`, { cause: error });
  }
}

/**
 * Writes a whole model directory: every file goes into a staging sibling, metrics.json last
 * with the SHA-256 of model.onnx and the tfjs files, then the staging folder is renamed into
 * place. The target is checked first, as by {@link checkModelDirTarget}; leftovers of dead
 * runs are removed.
 *
 * @param dir The model directory.
 * @param contents The records and files.
 * @param options `force` replaces a model of another config.
 * @returns metrics.json as written.
 * @throws {ModelDirError} A refused target, or a file that cannot be written (nothing changes
 *   at `dir` then).
 */
export async function writeModelDir(
  dir: string,
  contents: ModelDirContents,
  options: TargetOptions = {},
): Promise<Metrics> {
  const m = contents.metrics;
  await checkModelDirTarget(dir, m.config, options);
  await removeLeftovers(dir);
  await checkParentWritable(dir);
  const s = siblingPaths(dir);
  const staged = modelPaths(s.staging);
  const modelJson = encoder.encode(jsonText(contents.tfjs.modelJson));
  checkWeightBytes(MODEL_FILES.tfjsWeights, contents.tfjs.modelJson, contents.tfjs.weights);
  const sha256 = await fileHashes({
    "model.onnx": contents.onnx,
    "tfjs/model.json": modelJson,
    "tfjs/weights.bin": contents.tfjs.weights,
  });
  const metrics: Metrics = {
    config: m.config,
    data: m.data,
    train: m.train,
    validation: m.validation,
    parameters: m.parameters,
    seconds: m.seconds,
    onnx: m.onnx,
    ...(m.boundary ? { boundary: m.boundary } : {}),
    sha256,
  };
  try {
    await Deno.mkdir(staged.tfjs, { recursive: true });
    await writeInto(staged.tfjsWeights, contents.tfjs.weights);
    await writeInto(staged.tfjsModel, modelJson);
    await writeInto(staged.onnx, contents.onnx);
    await writeInto(staged.history, encoder.encode(jsonText(contents.history)));
    await writeInto(staged.metrics, encoder.encode(jsonText(metrics)));
    await swapIntoPlace(s.staging, dir, {
      old: s.old,
      renameError: (error) => new ModelDirError(dir, `cannot be replaced: ${msg(error)}`, { cause: error }),
    });
  } catch (error) {
    await Deno.remove(s.staging, { recursive: true }).catch(() => {});
    throw error;
  }
  return metrics;
}

function msg(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
