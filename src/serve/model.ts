/**
 * The model a server or CLI serves: model.onnx opened in onnxruntime-web, with its identity.
 * @module
 */
import { loadOnnx, type OnnxModel } from "../onnx/runtime.ts";
import { readModelDir } from "../model_dir/model_dir.ts";
import type { Metrics } from "../model_dir/schema.ts";
import { type Arch, archOf } from "../core/spec.ts";

/** A loaded model and what identifies it. */
export interface ServedModel {
  /** The ONNX session. */
  onnx: OnnxModel;
  /** Hex SHA-256 of model.onnx, as metrics.json records it (and as checked on loading). */
  sha256: string;
  /** Validation accuracy recorded at training. */
  validationAccuracy: number;
  /** The network (the config's `arch`: `lstm` when absent). */
  arch: Arch;
  /** The model file's bytes, served to the web page. */
  bytes: Uint8Array;
  /** The model directory. */
  dir: string;
  /** metrics.json: the config (series length, threshold) and every recorded figure. */
  metrics: Metrics;
}

/**
 * Reads a model directory with every check of `readModelDir` (records, file hashes) and opens
 * its model.onnx, which must keep the input/output contract (see `checkOnnxContract`).
 *
 * @param dir The model directory.
 * @returns The served model.
 * @throws {ModelDirError} A missing directory or file, a malformed record, or a file whose
 *   hash differs from metrics.json's.
 * @throws {OnnxError} A model.onnx that breaks the contract or that onnxruntime cannot load.
 */
export async function loadServedModel(dir: string): Promise<ServedModel> {
  const { metrics, onnx: bytes, paths } = await readModelDir(dir);
  const onnx = await loadOnnx(bytes, paths.onnx, { seriesLength: metrics.config.seriesLength });
  return {
    onnx,
    sha256: metrics.sha256["model.onnx"],
    validationAccuracy: metrics.validation.accuracy,
    arch: archOf(metrics.config),
    bytes,
    dir,
    metrics,
  };
}

/**
 * Runs series one batch at a time: an onnxruntime session takes one run at once.
 *
 * @param model The served model.
 * @returns A function from series to probabilities.
 */
export function serialRunner(model: ServedModel): (rows: number[][]) => Promise<Float32Array> {
  let queue: Promise<unknown> = Promise.resolve();
  return (rows) => {
    const T = model.metrics.config.seriesLength;
    const digits = new Float32Array(rows.length * T);
    rows.forEach((r, n) => digits.set(r, n * T));
    const run = queue.then(() => model.onnx.predict(digits, T));
    queue = run.catch(() => {});
    return run;
  };
}
