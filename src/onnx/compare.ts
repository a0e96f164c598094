/**
 * Compares model.onnx's probabilities with the trainer's: the cross-check recorded in
 * metrics.json's `onnx` section.
 * @module
 */
import { accuracy, confusion, decide } from "../core/metrics.ts";
import type { OnnxCheck } from "../model_dir/schema.ts";
import { ORT_RUNTIME } from "./runtime.ts";

export type { OnnxCheck };

/** Largest |p_onnx − p_tfjs| accepted. */
export const MAX_ABS_DIFF = 1e-5;

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
): { result: OnnxCheck; problems: string[] } {
  let maxAbsDiff = 0;
  let decisionsAgree = onnxP.length === tfjsP.length;
  for (let n = 0; n < Math.min(onnxP.length, tfjsP.length); n++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnxP[n] - tfjsP[n]));
    if (decide(onnxP[n]) !== decide(tfjsP[n])) decisionsAgree = false;
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
    problems.push(`ONNX accuracy ${result.accuracy} differs from tfjs accuracy ${result.tfjsAccuracy}`);
  }
  if (!decisionsAgree) problems.push("some ONNX decisions differ from tfjs decisions");
  if (!(maxAbsDiff <= MAX_ABS_DIFF)) problems.push(`max |p_onnx - p_tfjs| ${maxAbsDiff} exceeds ${MAX_ABS_DIFF}`);
  return { result, problems };
}
