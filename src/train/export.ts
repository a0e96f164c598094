/**
 * Exports a trained tf.layers model to ONNX and cross-checks the export against tfjs on the
 * validation split and on the boundary set, whose scores it records. The ONNX layer itself
 * (`src/onnx/`) knows nothing of tfjs.
 * @module
 */
import type { tf } from "./backend.ts";
import { lstmWeights } from "./model.ts";
import { referencePredict } from "./reference.ts";
import type { TrainingMetrics } from "./train.ts";
import { type Dataset, scaleDigits } from "../core/dataset.ts";
import { affineOf, archOf, CONV1D, INPUT_SCALING, SPEC, type TrainConfig } from "../core/spec.ts";
import {
  describeIo,
  encodeConv1dOnnx,
  encodeLinearOnnx,
  encodeOnnx,
  encodeRecurrentOnnx,
  type ExportWeights,
} from "../onnx/encode.ts";
import { loadOnnx, type OnnxModel } from "../onnx/runtime.ts";
import { compareProbabilities, type OnnxCheck } from "../onnx/compare.ts";
import { scoreOnnxBoundary } from "../onnx/boundary.ts";
import type { BoundaryRecord } from "../model_dir/schema.ts";

/**
 * Reads a tf.layers model's weights as plain arrays.
 *
 * @param model The network from `buildModel`.
 * @returns Copies of the five weights.
 */
export function exportWeights(model: tf.LayersModel): ExportWeights {
  const w = lstmWeights(model);
  return {
    kernel: w.kernel.dataSync() as Float32Array,
    recurrentKernel: w.recurrentKernel.dataSync() as Float32Array,
    bias: w.bias.dataSync() as Float32Array,
    denseKernel: w.denseKernel.dataSync() as Float32Array,
    denseBias: w.denseBias.dataSync() as Float32Array,
  };
}

/**
 * Encodes a trained model with its config, spec, seed and validation accuracy as metadata,
 * and its input and output described from the config.
 *
 * @param model The network.
 * @param metrics Its metrics.
 * @returns ONNX bytes.
 */
export function encodeTrained(model: tf.LayersModel, metrics: TrainingMetrics): Uint8Array {
  const c = metrics.config;
  const metadata = {
    config: JSON.stringify(c),
    spec: JSON.stringify(SPEC),
    seed: String(c.seed),
    validationAccuracy: String(metrics.validation.accuracy),
    threshold: String(c.threshold),
    ...describeIo(c),
  };
  const input = INPUT_SCALING[c.inputScaling];
  switch (archOf(c)) {
    case "linear": {
      const [kernel, bias] = model.getLayer("output").getWeights();
      return encodeLinearOnnx({
        kernel: kernel.dataSync() as Float32Array,
        bias: bias.dataSync() as Float32Array,
        seriesLength: c.seriesLength,
        input: affineOf(input),
        metadata,
      });
    }
    case "conv1d": {
      const [kernel, bias] = model.getLayer("conv1d").getWeights().map((t) => t.dataSync() as Float32Array);
      const [denseKernel, denseBias] = model.getLayer("output").getWeights().map((t) => t.dataSync() as Float32Array);
      return encodeConv1dOnnx({
        weights: { kernel, bias, denseKernel, denseBias },
        ...CONV1D,
        seriesLength: c.seriesLength,
        input: affineOf(input),
        metadata,
      });
    }
    case "rnn":
    case "gru": {
      const [kernel, recurrentKernel, bias] = model.getLayer(archOf(c)).getWeights().map((t) =>
        t.dataSync() as Float32Array
      );
      const [denseKernel, denseBias] = model.getLayer("output").getWeights().map((t) => t.dataSync() as Float32Array);
      return encodeRecurrentOnnx({
        cell: archOf(c) === "rnn" ? "RNN" : "GRU",
        weights: { kernel, recurrentKernel, bias, denseKernel, denseBias },
        units: c.units,
        seriesLength: c.seriesLength,
        input: affineOf(input),
        metadata,
      });
    }
    case "lstm":
      return encodeOnnx({
        weights: exportWeights(model),
        units: c.units,
        seriesLength: c.seriesLength,
        input,
        recurrentActivation: c.recurrentActivation,
        metadata,
      });
  }
}

/**
 * The boundary section of metrics.json: model.onnx scored on the boundary set of the config's
 * data seed (`scoreOnnxBoundary`), and the tf.layers model's `predict` compared with it on the
 * same series, to the tolerance of the validation cross-check (`MAX_ABS_DIFF`).
 *
 * @param options The network, model.onnx loaded, and the config they were trained with.
 * @returns The section, and what failed in the comparison (empty when it passes).
 */
export async function checkBoundary(options: {
  model: tf.LayersModel;
  onnx: OnnxModel;
  config: TrainConfig;
}): Promise<{ record: BoundaryRecord; problems: string[] }> {
  const { model, onnx, config } = options;
  const T = config.seriesLength;
  const seed = config.dataSeed;
  const { set, p, scores } = await scoreOnnxBoundary(onnx, { seed, config });
  const tfjsP = referencePredict(model, scaleDigits(set.x, T, INPUT_SCALING[config.inputScaling]), T);
  const { result, problems } = compareProbabilities(set.y, p, tfjsP);
  return {
    record: {
      seed,
      perSum: set.perSum,
      ...scores,
      agreement: { maxAbsDiff: result.maxAbsDiff, decisionsAgree: result.decisionsAgree },
    },
    problems: problems.map((q) => `boundary set: ${q}`),
  };
}

/** What {@link exportAndCheck} returns. */
export interface CheckedExport {
  /** model.onnx's bytes. */
  bytes: Uint8Array;
  /** Whether the check passed. */
  ok: boolean;
  /** The figures for metrics.json. */
  result: OnnxCheck;
  /** The boundary section for metrics.json. */
  boundary: BoundaryRecord;
  /** What failed; empty when `ok`. */
  problems: string[];
}

/**
 * Encodes the model, runs the bytes with onnxruntime-web on the whole validation split and on
 * the boundary set ({@link checkBoundary}) and compares them with the tf.layers model's own
 * `predict`. Writes nothing.
 *
 * @param options The model, its metrics and its data.
 * @returns The bytes, the figures for metrics.json (the ONNX check and the boundary section),
 *   `ok`, and what failed.
 */
export async function exportAndCheck(options: {
  model: tf.LayersModel;
  metrics: TrainingMetrics;
  data: Dataset;
}): Promise<CheckedExport> {
  const { model, metrics, data } = options;
  const bytes = encodeTrained(model, metrics);
  const T = metrics.config.seriesLength;
  const session = await loadOnnx(bytes, "the exported model.onnx", { seriesLength: T });
  let onnxP: Float32Array;
  let boundary: { record: BoundaryRecord; problems: string[] };
  try {
    onnxP = await session.predict(data.validation.x, T);
    boundary = await checkBoundary({ model, onnx: session, config: metrics.config });
  } finally {
    await session.release();
  }
  const tfjsP = referencePredict(
    model,
    scaleDigits(data.validation.x, T, INPUT_SCALING[metrics.config.inputScaling]),
    T,
  );
  const { result, problems } = compareProbabilities(data.validation.y, onnxP, tfjsP);
  if (result.tfjsAccuracy !== metrics.validation.accuracy) {
    problems.push(
      `tf.layers predict accuracy ${result.tfjsAccuracy} differs from the trainer's ${metrics.validation.accuracy}`,
    );
  }
  problems.push(...boundary.problems);
  return { bytes, ok: problems.length === 0, result, boundary: boundary.record, problems };
}
