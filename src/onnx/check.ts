/**
 * Exports a trained model to ONNX and cross-checks it against tfjs on the validation split.
 * @module
 */
import { tf } from "../train/backend.ts";
import { modelVariables } from "../train/model.ts";
import { referencePredict } from "../train/reference.ts";
import type { Metrics } from "../train/train.ts";
import { type Dataset, scaleDigits } from "../core/dataset.ts";
import { accuracy, confusion } from "../core/metrics.ts";
import { INPUT_SCALING, SPEC } from "../core/spec.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { encodeOnnx, type ExportWeights } from "./encode.ts";
import { loadOnnx, ORT_RUNTIME } from "./runtime.ts";

/** Largest |p_onnx − p_tfjs| accepted. */
export const MAX_ABS_DIFF = 1e-5;

/** The `onnx` section of metrics.json. */
export interface OnnxCheck {
  runtime: string;
  accuracy: number;
  tfjsAccuracy: number;
  maxAbsDiff: number;
  decisionsAgree: boolean;
}

/**
 * Reads a tf.layers model's weights as plain arrays.
 *
 * @param model The network from `buildModel`.
 * @returns Copies of the five weights.
 */
export function exportWeights(model: tf.LayersModel): ExportWeights {
  const v = modelVariables(model);
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  return {
    kernel: read(v.kernel),
    recurrentKernel: read(v.recurrentKernel),
    bias: read(v.bias),
    denseKernel: read(v.denseKernel),
    denseBias: read(v.denseBias),
  };
}

/**
 * Encodes a trained model with its config, spec, seed and validation accuracy as metadata.
 *
 * @param model The network.
 * @param metrics Its metrics.
 * @returns ONNX bytes.
 */
export function encodeTrained(
  model: tf.LayersModel,
  metrics: Metrics,
): Uint8Array {
  const c = metrics.config;
  return encodeOnnx({
    weights: exportWeights(model),
    units: c.units,
    seriesLength: c.seriesLength,
    input: INPUT_SCALING[c.inputScaling],
    recurrentActivation: c.recurrentActivation,
    metadata: {
      config: JSON.stringify(c),
      spec: JSON.stringify(SPEC),
      seed: String(c.seed),
      validationAccuracy: String(metrics.validation.accuracy),
      threshold: String(c.threshold),
      input: "series: float32 [N, 30, 1], raw digits 0..9",
      output: "probability: float32 [N, 1], P(sum >= 100)",
    },
  });
}

/**
 * Compares ONNX probabilities with tfjs ones.
 *
 * @param labels True classes.
 * @param onnxP ONNX probabilities.
 * @param tfjsP tfjs probabilities.
 * @returns The check's figures and the list of failed conditions (empty when it passes).
 */
export function compareProbabilities(
  labels: ArrayLike<number>,
  onnxP: ArrayLike<number>,
  tfjsP: ArrayLike<number>,
) {
  let maxAbsDiff = 0;
  let decisionsAgree = onnxP.length === tfjsP.length;
  for (let n = 0; n < Math.min(onnxP.length, tfjsP.length); n++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnxP[n] - tfjsP[n]));
    if ((onnxP[n] >= 0.5) !== (tfjsP[n] >= 0.5)) decisionsAgree = false;
  }
  const result: OnnxCheck = {
    runtime: ORT_RUNTIME,
    accuracy: accuracy(confusion(labels, onnxP)),
    tfjsAccuracy: accuracy(confusion(labels, tfjsP)),
    maxAbsDiff,
    decisionsAgree,
  };
  const problems: string[] = [];
  if (result.accuracy !== result.tfjsAccuracy) {
    problems.push(
      `ONNX accuracy ${result.accuracy} differs from tfjs accuracy ${result.tfjsAccuracy}`,
    );
  }
  if (!decisionsAgree) {
    problems.push("some ONNX decisions differ from tfjs decisions");
  }
  if (!(maxAbsDiff <= MAX_ABS_DIFF)) {
    problems.push(
      `max |p_onnx - p_tfjs| ${maxAbsDiff} exceeds ${MAX_ABS_DIFF}`,
    );
  }
  return { result, problems };
}

/**
 * Writes `DIR/model.onnx` atomically, runs it with onnxruntime-web on the whole validation
 * split and compares it with the tf.layers model's own `predict`.
 *
 * @returns The figures for metrics.json, `ok`, and what failed.
 */
export async function exportAndCheck(options: {
  model: tf.LayersModel;
  metrics: Metrics;
  data: Dataset;
  dir: string;
}): Promise<{ ok: boolean; result: OnnxCheck; problems: string[] }> {
  const { model, metrics, data, dir } = options;
  const bytes = encodeTrained(model, metrics);
  const path = `${dir}/model.onnx`;
  await writeFileAtomic(path, bytes);
  const T = metrics.config.seriesLength;
  const session = await loadOnnx(bytes, path);
  const onnxP = await session.predict(data.validation.x, T);
  await session.release();
  const tfjsP = referencePredict(
    model,
    scaleDigits(
      data.validation.x,
      T,
      INPUT_SCALING[metrics.config.inputScaling],
    ),
    T,
  );
  const { result, problems } = compareProbabilities(
    data.validation.y,
    onnxP,
    tfjsP,
  );
  if (result.tfjsAccuracy !== metrics.validation.accuracy) {
    problems.push(
      `tf.layers predict accuracy ${result.tfjsAccuracy} differs from the trainer's ${metrics.validation.accuracy}`,
    );
  }
  return { ok: problems.length === 0, result, problems };
}
