/**
 * The tfjs trainer (WASM backend): the model, the reference and fast paths, the loop, the
 * ONNX export and its cross-check, and a run into a model directory with checkpoints.
 * @module
 */
export { initBackend } from "./backend.ts";
export type {
  Affine,
  Arch,
  AverageEvery,
  InputEncoding,
  InputScaling,
  Matmul,
  OneHot,
  RecurrentInit,
  TrainConfig,
  TrainerName,
} from "../core/spec.ts";
// this project's types that the exports name
export type { Dataset, Split } from "../core/dataset.ts";
export type { ClassificationReport, Confusion } from "../core/metrics.ts";
export type { Agreement, BoundaryRecord, FileHashes, OnnxCheck, SplitCounts } from "../model_dir/schema.ts";
export type { BoundaryScores } from "../core/boundary.ts";
export type { OnnxModel } from "../onnx/runtime.ts";
export type { GemmShape } from "./wasm_kernels.ts";
// metrics.json as written; `Metrics` here stays the deprecated alias of TrainingMetrics (./train.ts)
export type { Metrics as MetricsFile } from "../model_dir/schema.ts";
export type { HASHED_FILES, HashedFile } from "../model_dir/layout.ts";
export type { NamedArray } from "../model_dir/checkpoint.ts";
export type { TfjsFiles, TfjsModelJson, TfjsWeightSpec } from "../model_dir/model_dir.ts";
export type { ExportWeights } from "../onnx/encode.ts";
export * from "./model.ts";
export * from "./batch.ts";
export * from "./reference.ts";
export * from "./fast.ts";
export * from "./fast_rnn.ts";
export * from "./train.ts";
export * from "./save.ts";
export * from "./export.ts";
export * from "./run.ts";
export * from "./step.ts";
