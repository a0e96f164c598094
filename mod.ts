/**
 * LSTM sum classifier: the pure, deterministic core of exercise H62.1.
 *
 * The trainer (`./src/train/mod.ts`, tfjs on WASM) and the ONNX tools (`./src/onnx/mod.ts`)
 * are separate entry points, so importing this module never loads tfjs.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { makeDataset, SPEC } from "./mod.ts";
 * const data = makeDataset({ seed: 42 });
 * assertEquals(data.train.size + data.validation.size, SPEC.seriesCount);
 * ```
 * @module
 */
export * from "./src/core/spec.ts";
export * from "./src/core/rng.ts";
export * from "./src/core/dataset.ts";
export * from "./src/core/prior.ts";
export * from "./src/core/metrics.ts";
export * from "./src/core/imbalance.ts";
export * from "./src/core/input.ts";
export * from "./src/core/format.ts";
export * from "./src/core/flops.ts";
export * from "./src/core/stats.ts";
export * from "./src/core/plan.ts";
export * from "./src/core/params.ts";
