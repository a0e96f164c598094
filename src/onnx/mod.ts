/**
 * ONNX export (TypeScript, through onnx-proto) and the onnxruntime-web cross-check.
 * @module
 */
export * from "./encode.ts";
export * from "./runtime.ts";
export * from "./check.ts";
export * from "./verify.ts";
