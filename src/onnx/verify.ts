/**
 * Checks a model directory against its own records.
 * @module
 */
import { datasetFor } from "../core/dataset.ts";
import { classificationReport } from "../core/metrics.ts";
import { configDifferences, type TrainConfig } from "../core/spec.ts";
import { readModelDir } from "../model_dir/model_dir.ts";
import { FieldReader, parseConfig } from "../model_dir/schema.ts";
import type { BoundaryScores } from "../core/boundary.ts";
import { loadOnnx } from "./runtime.ts";
import { boundaryDiff, scoreOnnxBoundary } from "./boundary.ts";

/** What {@link verifyModelDir} found. */
export interface Verification {
  /** What differs from the records; empty when all agrees. */
  problems: string[];
  /** model.onnx's accuracy on the regenerated validation split. */
  accuracy: number;
  /** Series in that split. */
  size: number;
  /**
   * model.onnx's boundary scores, rounded as recorded, on the boundary set of the recorded seed
   * and series per sum, with the threshold they are scored against; absent when metrics.json
   * has no boundary section.
   */
  boundary?: { seed: number; perSum: number; threshold: number; scores: BoundaryScores };
}

/** Differences between metrics.json's config and the one in model.onnx's metadata (read by the same rules). */
function configDiff(recorded: TrainConfig, metadata: string | undefined): string[] {
  let embedded: TrainConfig;
  try {
    embedded = parseConfig(new FieldReader("model.onnx metadata"), JSON.parse(metadata ?? ""));
  } catch (error) {
    return [`model.onnx metadata holds no readable config: ${(error as Error).message}`];
  }
  return configDifferences(recorded, embedded)
    .map((k) =>
      `model.onnx metadata config.${k} ${JSON.stringify(embedded[k])} differs from metrics.json ${
        JSON.stringify(recorded[k])
      }`
    );
}

/**
 * Reads a model directory (its records and file hashes checked, see `readModelDir`), regenerates
 * the validation split from metrics.json's config, runs model.onnx and compares its accuracy
 * and confusion counts, and the config in its metadata, with the recorded ones. When metrics.json
 * has a boundary section, it redraws that boundary set from the recorded seed, runs model.onnx on
 * it and compares every boundary figure with the recorded one, at the recorded precision.
 *
 * @param dir The model directory.
 * @returns What differs (empty when all agrees), the ONNX accuracy and the split's size.
 * @throws {ModelDirError} A missing directory or file, a malformed record, or a file whose
 *   SHA-256 differs from the recorded one.
 * @throws {OnnxError} A model.onnx that breaks the input/output contract or does not run.
 */
export async function verifyModelDir(dir: string): Promise<Verification> {
  const { metrics, onnx: bytes, paths } = await readModelDir(dir);
  const config = metrics.config;
  const data = datasetFor(config);
  const model = await loadOnnx(bytes, paths.onnx, { seriesLength: config.seriesLength });
  let p: Float32Array;
  let boundary: Verification["boundary"];
  try {
    p = await model.predict(data.validation.x, config.seriesLength);
    if (metrics.boundary) {
      const { seed, perSum } = metrics.boundary;
      const { scores } = await scoreOnnxBoundary(model, { seed, perSum, config });
      boundary = { seed, perSum, threshold: config.threshold, scores };
    }
  } finally {
    await model.release();
  }
  const report = classificationReport(data.validation.y, p);
  const problems: string[] = [];
  const want = metrics.validation;
  if (report.accuracy !== want.accuracy) {
    problems.push(`accuracy ${report.accuracy} differs from recorded ${want.accuracy}`);
  }
  if (JSON.stringify(report.confusion) !== JSON.stringify(want.confusion)) {
    problems.push(
      `confusion ${JSON.stringify(report.confusion)} differs from recorded ${JSON.stringify(want.confusion)}`,
    );
  }
  if (report.accuracy !== metrics.onnx.accuracy) {
    problems.push(`accuracy ${report.accuracy} differs from the recorded ONNX accuracy ${metrics.onnx.accuracy}`);
  }
  problems.push(...configDiff(config, model.metadata.config));
  if (metrics.boundary && boundary) problems.push(...boundaryDiff(metrics.boundary, boundary.scores));
  return { problems, accuracy: report.accuracy, size: data.validation.size, ...(boundary ? { boundary } : {}) };
}
