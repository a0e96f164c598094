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
import { parseFlags, runCli } from "./args.ts";
import { loadOnnxFile } from "../src/onnx/runtime.ts";
import { initBackend, loadTfjsModel, tf } from "../src/train/mod.ts";
import { INPUT_SCALING, makeDataset, resolveConfig, scaleDigits } from "../mod.ts";

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

await runCli(async () => {
  const { flags } = parseFlags(Deno.args, {
    model: { type: "string" },
    seconds: { type: "int", min: 1, max: 60 },
    clients: { type: "int", min: 1, max: 64 },
    json: { type: "bool" },
  });
  const dir = flags.model ?? "models/lstm-sum";
  const seconds = flags.seconds ?? 10;
  const clients = flags.clients ?? 4;
  const config = resolveConfig(JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`)).config);
  const data = makeDataset({ seed: config.seed });
  const all = data.validation.x;
  const one = all.subarray(0, 30);

  // onnxruntime-web in process
  const onnx = await loadOnnxFile(`${dir}/model.onnx`);
  const ortSingle = await timeIt(300, () => onnx.predict(one, 30));
  const ortBatch = await timeIt(10, () => onnx.predict(all, 30));
  await onnx.release();

  // tfjs predict on the same model (the reference)
  await initBackend();
  const model = await loadTfjsModel(dir);
  const scaling = INPUT_SCALING[config.inputScaling];
  const tfOne = tf.tensor3d(scaleDigits(one as Uint8Array, 30, scaling), [1, 30, 1]);
  const tfAll = tf.tensor3d(scaleDigits(all, 30, scaling), [all.length / 30, 30, 1]);
  const tfSingle = await timeIt(100, () => tf.tidy(() => (model.predict(tfOne) as tf.Tensor).dataSync()));
  const tfBatch = await timeIt(
    5,
    () => tf.tidy(() => (model.predict(tfAll, { batchSize: 2000 }) as tf.Tensor).dataSync()),
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
      seriesPerSecond: Math.round(2000 / (quantile(ortBatch, 0.5) / 1000)),
    },
    tfjsBatch2000: {
      ms: round(quantile(tfBatch, 0.5), 1),
      seriesPerSecond: Math.round(2000 / (quantile(tfBatch, 0.5) / 1000)),
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
    `2,000 series: onnxruntime-web ${result.onnxBatch2000.ms} ms (${result.onnxBatch2000.seriesPerSecond}/s); ` +
      `tfjs ${result.tfjsBatch2000.ms} ms (${result.tfjsBatch2000.seriesPerSecond}/s)`,
  );
  console.log(
    `HTTP, ${clients} clients for ${result.http.seconds} s: ${result.http.requestsPerSecond} req/s, ` +
      `median ${result.http.medianMs} ms, p99 ${result.http.p99Ms} ms (${result.http.requests} requests)`,
  );
  if (flags.json) console.log(JSON.stringify(result));
});
