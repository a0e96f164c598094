/**
 * The tfjs trainer (WASM backend): the model, the reference and fast paths, the loop, saving.
 * @module
 */
export { initBackend, tf } from "./backend.ts";
export * from "./model.ts";
export * from "./batch.ts";
export * from "./reference.ts";
export * from "./fast.ts";
export * from "./train.ts";
export * from "./save.ts";
export * from "./parallel.ts";
