/**
 * The model directory's one owner: its layout (default paths, file names), its records as
 * types (metrics.json, history.json), a checked reader, an all-or-nothing writer, the
 * checkpoint of an interrupted run, and the study's results. Loads no tfjs.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_MODEL_DIR, readModelDir } from "./mod.ts";
 * import { SPEC } from "../core/spec.ts";
 * const model = await readModelDir(DEFAULT_MODEL_DIR);
 * assertEquals(model.metrics.config.seriesLength, SPEC.seriesLength);
 * ```
 * @module
 */
export * from "./errors.ts";
export * from "./layout.ts";
export * from "./schema.ts";
export * from "./model_dir.ts";
export * from "./checkpoint.ts";
export * from "./study.ts";
