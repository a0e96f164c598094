/** A tiny trained-looking model directory for tests that serve or predict (no training needed). */
import { buildModel, initBackend } from "../src/train/mod.ts";
import { encodeOnnx, exportWeights } from "../src/onnx/mod.ts";
import { loadServedModel } from "../src/serve/model.ts";
import { startServer } from "../src/serve/server.ts";
import { DEFAULT_CONFIG, INPUT_SCALING } from "../mod.ts";

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
    input: INPUT_SCALING["digit/9"],
    recurrentActivation: "sigmoid",
    metadata: { seed: "3", validationAccuracy: "0.5" },
  });
  model.dispose();
  await Deno.writeFile(`${dir}/model.onnx`, bytes);
  await Deno.writeTextFile(`${dir}/metrics.json`, JSON.stringify({ validation: { accuracy: 0.5 } }));
  return dir;
}

/**
 * Serves a model directory on a free loopback port while `fn` runs, then shuts down.
 *
 * @param dir The model directory.
 * @param fn Receives the base URL.
 */
export async function withServer(dir: string, fn: (base: string) => Promise<void>): Promise<void> {
  const model = await loadServedModel(dir);
  const controller = new AbortController();
  let port = 0;
  const server = startServer({
    host: "127.0.0.1",
    port: 0,
    model,
    signal: controller.signal,
    onListen: (a) => (port = a.port),
  });
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    controller.abort();
    await server.finished;
    await model.onnx.release();
  }
}
