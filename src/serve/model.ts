/**
 * The model a server or CLI serves: model.onnx opened in onnxruntime-web, with its identity.
 * @module
 */
import { loadOnnxFile, type OnnxModel } from "../onnx/runtime.ts";
import { SPEC } from "../core/spec.ts";

/** A loaded model and what identifies it. */
export interface ServedModel {
  /** The ONNX session. */
  onnx: OnnxModel;
  /** Hex SHA-256 of model.onnx. */
  sha256: string;
  /** Validation accuracy recorded at training. */
  validationAccuracy: number;
  /** The model file's bytes, served to the web page. */
  bytes: Uint8Array;
  /** The model directory. */
  dir: string;
}

/**
 * Opens `DIR/model.onnx` and reads `DIR/metrics.json`.
 *
 * @param dir The model directory.
 * @returns The served model.
 * @throws {Error} A missing or invalid file, named.
 */
export async function loadServedModel(dir: string): Promise<ServedModel> {
  const path = `${dir}/model.onnx`;
  const onnx = await loadOnnxFile(path);
  const bytes = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  let validationAccuracy = Number(onnx.metadata.validationAccuracy);
  try {
    validationAccuracy = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`)).validation.accuracy;
  } catch {
    // metrics.json is optional: the ONNX metadata carries the same figure
  }
  return { onnx, sha256, validationAccuracy, bytes, dir };
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
    const T = SPEC.seriesLength;
    const digits = new Float32Array(rows.length * T);
    rows.forEach((r, n) => digits.set(r, n * T));
    const run = queue.then(() => model.onnx.predict(digits, T));
    queue = run.catch(() => {});
    return run;
  };
}
