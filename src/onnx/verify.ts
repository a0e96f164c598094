/**
 * Checks a model directory against its own records.
 * @module
 */
import { datasetFor } from "../core/dataset.ts";
import { classificationReport } from "../core/metrics.ts";
import { resolveConfig } from "../core/spec.ts";
import { loadOnnxFile } from "./runtime.ts";

/**
 * Regenerates the validation split from `DIR/metrics.json`'s config, runs `DIR/model.onnx`
 * and compares its accuracy and confusion counts with the recorded ones.
 *
 * @param dir The model directory.
 * @returns What differs (empty when all agrees), the ONNX accuracy and the split's size.
 * @throws {Error} A missing or unreadable file, named.
 */
export async function verifyModelDir(
  dir: string,
): Promise<{ problems: string[]; accuracy: number; size: number }> {
  const metricsPath = `${dir}/metrics.json`;
  let recorded;
  try {
    recorded = JSON.parse(await Deno.readTextFile(metricsPath));
  } catch (error) {
    throw new Error(`Cannot read ${metricsPath}: ${(error as Error).message}`);
  }
  const config = resolveConfig(recorded.config);
  const data = datasetFor(config);
  const model = await loadOnnxFile(`${dir}/model.onnx`, config.seriesLength);
  const p = await model.predict(data.validation.x, config.seriesLength);
  await model.release();
  const report = classificationReport(data.validation.y, p);
  const problems: string[] = [];
  const want = recorded.validation;
  if (report.accuracy !== want.accuracy) {
    problems.push(
      `accuracy ${report.accuracy} differs from recorded ${want.accuracy}`,
    );
  }
  if (JSON.stringify(report.confusion) !== JSON.stringify(want.confusion)) {
    problems.push(
      `confusion ${JSON.stringify(report.confusion)} differs from recorded ${JSON.stringify(want.confusion)}`,
    );
  }
  if (recorded.onnx && report.accuracy !== recorded.onnx.accuracy) {
    problems.push(
      `accuracy ${report.accuracy} differs from the recorded ONNX accuracy ${recorded.onnx.accuracy}`,
    );
  }
  if (model.metadata.seed !== String(config.seed)) {
    problems.push(
      `model.onnx metadata seed ${model.metadata.seed} differs from metrics.json seed ${config.seed}`,
    );
  }
  return { problems, accuracy: report.accuracy, size: data.validation.size };
}
