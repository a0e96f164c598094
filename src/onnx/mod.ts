/**
 * The ONNX layer: the encoder (TypeScript, through onnx-proto), the onnxruntime-web runner
 * with the model contract, the probability comparison and `verify`. It loads no tfjs: the
 * export of a trained tf.layers model lives in the trainer (`src/train/export.ts`).
 * @module
 */
export * from "./encode.ts";
export * from "./runtime.ts";
export * from "./compare.ts";
export * from "./verify.ts";
export * from "./boundary.ts";
// the core types its exports name
export type { BoundaryScores, BoundarySet } from "../core/boundary.ts";
