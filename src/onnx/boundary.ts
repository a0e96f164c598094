/**
 * The decision boundary of model.onnx, as metrics.json records it and `verify` recomputes it:
 * the boundary set of a seed (`src/core/boundary.ts`) run through onnxruntime-web, scored, and
 * rounded to {@link BOUNDARY_DIGITS} significant digits.
 * @module
 */
import {
  BOUNDARY_BAND,
  type BoundaryScores,
  type BoundarySet,
  makeBoundarySet,
  scoreBoundary,
} from "../core/boundary.ts";
import { pct } from "../core/format.ts";
import type { TrainConfig } from "../core/spec.ts";
import type { OnnxModel } from "./runtime.ts";

/**
 * Significant digits of the boundary figures metrics.json records: float32 probabilities carry
 * about seven, so six leave room for a last-bit difference between two onnxruntime builds.
 */
export const BOUNDARY_DIGITS = 6;

const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(BOUNDARY_DIGITS)) : v);

/**
 * Rounds every figure of boundary scores to {@link BOUNDARY_DIGITS} significant digits (the
 * sums stay as they are; NaN and infinities too). Returns a new object.
 *
 * @param s The scores.
 * @returns The scores as recorded.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const s = { sums: [99, 100], accuracy: [1, 0.5], meanP: [0.123456789, 0.5], justBelow: 1, atThreshold: 0.5,
 *   band: 0.75, effectiveThreshold: 99.98765432 };
 * assertEquals(roundBoundaryScores(s).meanP, [0.123457, 0.5]);
 * assertEquals(roundBoundaryScores(s).effectiveThreshold, 99.9877);
 * ```
 */
export function roundBoundaryScores(s: BoundaryScores): BoundaryScores {
  return {
    sums: [...s.sums],
    accuracy: s.accuracy.map(round),
    meanP: s.meanP.map(round),
    justBelow: round(s.justBelow),
    atThreshold: round(s.atThreshold),
    band: round(s.band),
    effectiveThreshold: round(s.effectiveThreshold),
  };
}

/** What {@link scoreOnnxBoundary} returns. */
export interface OnnxBoundary {
  /** The boundary set. */
  set: BoundarySet;
  /** model.onnx's P(class 1) per series of the set, shape `[set.y.length]`. */
  p: Float32Array;
  /** The scores, rounded as recorded ({@link roundBoundaryScores}). */
  scores: BoundaryScores;
}

/**
 * Draws the boundary set of `seed` for a config's series length and threshold, runs model.onnx
 * on it and scores it.
 *
 * @param model The loaded model.onnx.
 * @param options `seed` of the set, `perSum` (default `BOUNDARY_PER_SUM`), and the model's config.
 * @returns The set, the probabilities and the rounded scores.
 * @throws {OnnxError} A model that does not run.
 */
export async function scoreOnnxBoundary(
  model: OnnxModel,
  options: { seed: number; perSum?: number; config: Pick<TrainConfig, "seriesLength" | "threshold"> },
): Promise<OnnxBoundary> {
  const { seriesLength, threshold } = options.config;
  const set = makeBoundarySet({ seed: options.seed, perSum: options.perSum, seriesLength, threshold });
  const p = await model.predict(set.x, seriesLength);
  return { set, p, scores: roundBoundaryScores(scoreBoundary(set, p, threshold)) };
}

/**
 * The fields of recorded boundary scores that differ from measured ones, as JSON writes them
 * (so NaN and infinities, written as null, compare equal to each other).
 *
 * @param recorded The scores in metrics.json.
 * @param measured The scores recomputed, rounded as recorded.
 * @returns One message per differing field; empty when all agree.
 */
export function boundaryDiff(recorded: BoundaryScores, measured: BoundaryScores): string[] {
  const fields: (keyof BoundaryScores)[] = [
    "sums",
    "accuracy",
    "meanP",
    "justBelow",
    "atThreshold",
    "band",
    "effectiveThreshold",
  ];
  return fields.flatMap((k) => {
    const [want, got] = [JSON.stringify(recorded[k]), JSON.stringify(measured[k])];
    return want === got ? [] : [`boundary.${k} ${got} differs from recorded ${want}`];
  });
}

/**
 * The boundary figures as labelled text, for the CLIs: accuracy just below and at the threshold,
 * over the band, and the effective threshold.
 *
 * @param s The scores.
 * @param threshold The label threshold they were scored against.
 * @returns `[label, value]` pairs, in that order.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const s = { sums: [99, 100], accuracy: [1, 0.25], meanP: [0.1, 0.6], justBelow: 1, atThreshold: 0.25,
 *   band: 0.625, effectiveThreshold: 99.8 };
 * assertEquals(boundaryFigures(s, 100)[1], ["accuracy at sum 100", "25.00 %"]);
 * assertEquals(boundaryFigures(s, 100)[3], ["effective threshold (mean p crosses 0.5)", "99.80"]);
 * ```
 */
export function boundaryFigures(s: BoundaryScores, threshold: number): [string, string][] {
  const [lo, hi] = [threshold - BOUNDARY_BAND, threshold + BOUNDARY_BAND];
  const t = s.effectiveThreshold;
  return [
    [`accuracy at sum ${threshold - 1}`, pct(s.justBelow)],
    [`accuracy at sum ${threshold}`, pct(s.atThreshold)],
    [`accuracy over sums ${lo}..${hi} (each sum weighted equally)`, pct(s.band)],
    [
      "effective threshold (mean p crosses 0.5)",
      Number.isFinite(t) ? t.toFixed(2) : t === -Infinity ? `below ${s.sums[0]}` : "never crosses 0.5",
    ],
  ];
}
