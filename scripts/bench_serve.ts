/**
 * Inference figures for the exported model, with tfjs as the reference in the same run:
 * - latency of one series (median and p99), onnxruntime-web vs tfjs `predict`;
 * - throughput on the 2,000 validation series as one batch;
 * - HTTP requests per second and p99 against `deno task serve` on loopback, 4 concurrent
 *   clients for 10 s (bounded in count and time).
 *
 *   deno task bench:serve [--model DIR] [--seconds S] [--clients C] [--json]
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import { loadOnnx } from "../src/onnx/runtime.ts";
import { DEFAULT_MODEL_DIR, readModelDir } from "../src/model_dir/mod.ts";
import { initBackend, loadTfjsModel } from "../src/train/mod.ts";
import { tf } from "../src/train/backend.ts";
import { INPUT_SCALING, inputWidth, makeDataset, scaleDigits } from "../mod.ts";

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round = (x: number, d = 3) => Number(x.toFixed(d));

async function timeIt(runs: number, fn: () => Promise<unknown> | unknown) {
  for (let k = 0; k < 5; k++) await fn();
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms;
}

const command = defineCommand({
  name: "bench:serve",
  summary: "Inference figures for the exported model: onnxruntime-web vs tfjs, then HTTP against `serve` on loopback.",
  flags: {
    model: { type: "string", arg: "DIR", default: DEFAULT_MODEL_DIR, help: "the model directory" },
    seconds: { type: "int", min: 1, max: 60, default: 10, help: "duration of the HTTP run" },
    clients: { type: "int", min: 1, max: 64, default: 4, help: "concurrent HTTP clients" },
    json: { type: "bool", help: "end with one line of JSON" },
  },
});

await runCli(command, async ({ flags }) => {
  const dir = flags.model;
  const seconds = flags.seconds;
  const clients = flags.clients;
  const { metrics, onnx: bytes, paths } = await readModelDir(dir);
  const config = metrics.config;
  const data = makeDataset({ seed: config.seed });
  const all = data.validation.x;
  const T = config.seriesLength;
  const one = all.subarray(0, T);

  // onnxruntime-web in process
  const onnx = await loadOnnx(bytes, paths.onnx, { seriesLength: T });
  const ortSingle = await timeIt(300, () => onnx.predict(one, T));
  const ortBatch = await timeIt(10, () => onnx.predict(all, T));
  await onnx.release();

  // tfjs predict on the same model (the reference)
  await initBackend();
  const model = await loadTfjsModel(dir);
  const scaling = INPUT_SCALING[config.inputScaling];
  const F = inputWidth(scaling);
  const tfOne = tf.tensor3d(scaleDigits(one as Uint8Array, T, scaling), [1, T, F]);
  const tfAll = tf.tensor3d(scaleDigits(all, T, scaling), [all.length / T, T, F]);
  const tfSingle = await timeIt(100, () => tf.tidy(() => (model.predict(tfOne) as tf.Tensor).dataSync()));
  const tfBatch = await timeIt(
    5,
    () => tf.tidy(() => (model.predict(tfAll, { batchSize: data.validation.size }) as tf.Tensor).dataSync()),
  );

  // HTTP on loopback against the real CLI server
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./serve.ts", import.meta.url).pathname, "--model", dir, "--port", "0"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("serving")) banner += (await reader.read()).value ?? "";
  const port = Number(banner.match(/:(\d+)\//)![1]);
  const body = JSON.stringify({ series: Array.from(one) });
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let k = 0; k < 1_000_000 && performance.now() < deadline; k++) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/predict`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  child.kill("SIGTERM");
  await child.status;
  reader.releaseLock();

  const result = {
    onnxSingle: { medianMs: round(quantile(ortSingle, 0.5)), p99Ms: round(quantile(ortSingle, 0.99)) },
    tfjsSingle: { medianMs: round(quantile(tfSingle, 0.5)), p99Ms: round(quantile(tfSingle, 0.99)) },
    onnxBatch2000: {
      ms: round(quantile(ortBatch, 0.5), 1),
      seriesPerSecond: Math.round(data.validation.size / (quantile(ortBatch, 0.5) / 1000)),
    },
    tfjsBatch2000: {
      ms: round(quantile(tfBatch, 0.5), 1),
      seriesPerSecond: Math.round(data.validation.size / (quantile(tfBatch, 0.5) / 1000)),
    },
    http: {
      clients,
      seconds: round(elapsed, 1),
      requests: latencies.length,
      requestsPerSecond: Math.round(latencies.length / elapsed),
      medianMs: round(quantile(latencies, 0.5)),
      p99Ms: round(quantile(latencies, 0.99)),
    },
  };
  console.log(
    `one series:  onnxruntime-web median ${result.onnxSingle.medianMs} ms, p99 ${result.onnxSingle.p99Ms} ms; ` +
      `tfjs median ${result.tfjsSingle.medianMs} ms, p99 ${result.tfjsSingle.p99Ms} ms`,
  );
  console.log(
    `${
      data.validation.size.toLocaleString("en")
    } series: onnxruntime-web ${result.onnxBatch2000.ms} ms (${result.onnxBatch2000.seriesPerSecond}/s); ` +
      `tfjs ${result.tfjsBatch2000.ms} ms (${result.tfjsBatch2000.seriesPerSecond}/s)`,
  );
  console.log(
    `HTTP, ${clients} clients for ${result.http.seconds} s: ${result.http.requestsPerSecond} req/s, ` +
      `median ${result.http.medianMs} ms, p99 ${result.http.p99Ms} ms (${result.http.requests} requests)`,
  );
  if (flags.json) console.log(JSON.stringify(result));
});
