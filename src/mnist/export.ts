/**
 * Exports a trained H6.1 network to ONNX (`onnx.ts` encodes and runs it) and cross-checks the bytes
 * against tf.layers `predict`. The one module of the ONNX side that needs tfjs: the run directory
 * imports it only when it writes a run, so reading or serving a run never loads tfjs.
 * @module
 */
import type { tf } from "../train/backend.ts";
import type { NamedArray } from "./checkpoint.ts";
import type { MnistImages } from "./data.ts";
import { mnistVariables, predictMnist } from "./model.ts";
import { compareMnistProbabilities, describeMnistIo, encodeMnistOnnx, loadMnistOnnx } from "./onnx.ts";
import type { MnistMetrics, MnistOnnxRecord } from "./train.ts";

/**
 * A trained network's weights as plain arrays, by role (`conv1/kernel`, …, `output/bias`).
 *
 * @param model A network from `buildMnistModel`.
 * @returns Copies of its weights in the tf.layers layout.
 */
export function mnistOnnxWeights(model: tf.LayersModel): NamedArray[] {
  return mnistVariables(model).map(({ role, variable }) => ({
    name: role,
    shape: [...variable.shape],
    values: Float32Array.from(variable.dataSync()),
  }));
}

/** What {@link exportMnistOnnx} returns. */
export interface MnistExport {
  /** model.onnx's bytes. */
  bytes: Uint8Array;
  /** The cross-check for metrics.json. */
  record: MnistOnnxRecord;
  /** What failed; empty when the check passes. */
  problems: string[];
}

/**
 * Encodes a trained network with its config, test accuracy and I/O contract as metadata, runs the
 * bytes with onnxruntime-web on every test image and compares them with tf.layers `predict`
 * ({@link compareMnistProbabilities}); tf.layers' accuracy must also equal the recorded one. Writes nothing.
 *
 * @param options The network, its metrics (config, test accuracy) and the test images it was measured on.
 * @returns The bytes, the record and what failed.
 * @throws {OnnxError} Bytes onnxruntime-web cannot load or run (a bug of the encoder).
 */
export async function exportMnistOnnx(options: {
  model: tf.LayersModel;
  metrics: MnistMetrics;
  test: MnistImages;
}): Promise<MnistExport> {
  const { model, metrics, test } = options;
  const bytes = encodeMnistOnnx({
    config: metrics.config,
    weights: mnistOnnxWeights(model),
    metadata: {
      config: JSON.stringify(metrics.config),
      testAccuracy: String(metrics.test.accuracy),
      ...describeMnistIo(),
    },
  });
  const session = await loadMnistOnnx(bytes, "the exported model.onnx");
  let onnxP: Float32Array;
  try {
    onnxP = await session.predict(test.x);
  } finally {
    await session.release();
  }
  const { record, tfjsAccuracy, problems } = compareMnistProbabilities(test.y, onnxP, predictMnist(model, test.x));
  if (tfjsAccuracy !== metrics.test.accuracy) {
    problems.push(`tf.layers predict accuracy ${tfjsAccuracy} differs from the recorded ${metrics.test.accuracy}`);
  }
  return { bytes, record, problems };
}
