/** A tiny trained-looking model directory for tests that serve or predict (no training needed). */
import { buildModel, initBackend } from "../src/train/mod.ts";
import { encodeOnnx, exportWeights } from "../src/onnx/mod.ts";
import { DEFAULT_CONFIG } from "../mod.ts";

/**
 * Writes `model.onnx` (4 units, seeded weights, input digit/9) and a `metrics.json` into a new
 * temp folder.
 *
 * @returns The folder.
 */
export async function makeTinyModelDir(): Promise<string> {
  await initBackend();
  const dir = await Deno.makeTempDir({ prefix: "lstm-sum-test-" });
  const model = buildModel({ ...DEFAULT_CONFIG, units: 4, seed: 3 });
  const bytes = encodeOnnx({
    weights: exportWeights(model),
    units: 4,
    seriesLength: 30,
    inputDivisor: 9,
    recurrentActivation: "sigmoid",
    metadata: { seed: "3", validationAccuracy: "0.5" },
  });
  model.dispose();
  await Deno.writeFile(`${dir}/model.onnx`, bytes);
  await Deno.writeTextFile(`${dir}/metrics.json`, JSON.stringify({ validation: { accuracy: 0.5 } }));
  return dir;
}
