/** A tiny trained-looking model directory for tests that serve or predict (no training needed). */
import { writeModelDir } from "../src/model_dir/mod.ts";
import { loadServedModel } from "../src/serve/model.ts";
import { startServer } from "../src/serve/server.ts";
import { tinyContents } from "./_model_dir_fixture.ts";

/**
 * Writes a complete model directory (4 units, seeded initial weights, input digit/9, recorded
 * validation accuracy 0.5) as `tiny` inside a new temp folder.
 *
 * @returns The model directory.
 */
export async function makeTinyModelDir(): Promise<string> {
  const parent = await Deno.makeTempDir({ prefix: "lstm-sum-test-" });
  const dir = `${parent}/tiny`;
  await writeModelDir(dir, await tinyContents());
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
  const server = await startServer({ host: "127.0.0.1", port: 0, model, signal: controller.signal });
  const port = server.addr.port;
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    controller.abort();
    await server.finished;
    await model.onnx.release();
  }
}
