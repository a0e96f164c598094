import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { loadServedModel } from "../src/serve/model.ts";
import { MAX_BODY_BYTES } from "../src/serve/server.ts";
import { ModelDirError, writeModelDir } from "../src/model_dir/mod.ts";
import { OnnxError } from "../src/onnx/runtime.ts";
import { tinyContents } from "./_model_dir_fixture.ts";
import { makeTinyModelDir, withServer as withTinyServer } from "./_tiny_model.ts";

const dir = await makeTinyModelDir();
const series = [4, 7, 1, 9, 0, 3, 8, 2, 5, 6, 1, 1, 9, 0, 4, 4, 2, 7, 3, 8, 6, 5, 0, 9, 1, 2, 3, 7, 8, 6];

const withServer = (fn: (base: string) => Promise<void>) => withTinyServer(dir, fn);

const post = (base: string, body: BodyInit, type = "application/json") =>
  fetch(`${base}/predict`, { method: "POST", body, headers: { "content-type": type } });

Deno.test("POST /predict answers probabilities, labels and the model's identity, for one series and many", async () => {
  await withServer(async (base) => {
    const one = await (await post(base, JSON.stringify({ series }))).json();
    assertEquals(one.probabilities.length, 1);
    assertEquals(one.labels, [one.probabilities[0] >= 0.5 ? 1 : 0]);
    assertEquals(one.model.sha256.length, 64);
    assertEquals(one.model.validationAccuracy, 0.5);
    assertEquals(one.model.arch, "lstm");
    const many = await (await post(base, JSON.stringify({ series: [series, series.map((d) => 9 - d)] }))).json();
    assertEquals(many.probabilities.length, 2);
    assertEquals(many.probabilities[0], one.probabilities[0]);
    const health = await (await fetch(`${base}/healthz`)).json();
    assertEquals(health, { status: "ok", model: one.model });
  });
});

Deno.test("POST /predict rejects every bad input with a JSON error and the right status, then still serves", async () => {
  await withServer(async (base) => {
    const cases: [string, Promise<Response>, number, string][] = [
      [
        "wrong length",
        post(base, JSON.stringify({ series: series.slice(1) })),
        400,
        "series must have 30 digits, got 29",
      ],
      [
        "non-integer",
        post(base, JSON.stringify({ series: [...series.slice(1), 2.5] })),
        400,
        "series[29] must be an integer digit 0..9, got 2.5",
      ],
      [
        "out of range",
        post(base, JSON.stringify({ series: [12, ...series.slice(1)] })),
        400,
        "series[0] must be a digit 0..9, got 12",
      ],
      [
        "string",
        post(base, JSON.stringify({ series: ["1", ...series.slice(1)] })),
        400,
        'series[0] must be an integer digit 0..9, got "1"',
      ],
      [
        "null",
        post(base, JSON.stringify({ series: [null, ...series.slice(1)] })),
        400,
        "series[0] must be an integer digit 0..9, got null",
      ],
      ["NaN (not JSON)", post(base, `{"series": [NaN${",1".repeat(29)}]}`), 400, "Body is not valid JSON"],
      ["empty body", post(base, ""), 400, "Body is empty"],
      ["invalid JSON", post(base, "{series:"), 400, "Body is not valid JSON"],
      ["no series field", post(base, "{}"), 400, 'Body must be a JSON object with a "series" field'],
      [
        "content type",
        post(base, JSON.stringify({ series }), "text/plain"),
        415,
        'Content-Type must be application/json (charset utf-8 or none), got "text/plain"',
      ],
      [
        "over 1 MB",
        post(base, JSON.stringify({ series, pad: "x".repeat(MAX_BODY_BYTES) })),
        413,
        "over the 1000000-byte limit",
      ],
      [
        "too many rows",
        post(base, JSON.stringify({ series: new Array(10_001).fill(series) })),
        413,
        '"series" may hold at most 10000 rows, got 10001',
      ],
      ["unknown path", fetch(`${base}/nope`), 404, "No such path: /nope"],
      ["wrong method", fetch(`${base}/predict`), 405, "Method GET is not allowed on /predict; use POST"],
      ["wrong method on /healthz", fetch(`${base}/healthz`, { method: "DELETE" }), 405, "Method DELETE is not allowed"],
      ["unlisted vendor file", fetch(`${base}/vendor/ort/../../deno.json`), 404, "No such"],
    ];
    for (const [name, pending, status, message] of cases) {
      const res = await pending;
      assertEquals(res.status, status, name);
      assertEquals(res.headers.get("content-type"), "application/json", name);
      assertStringIncludes((await res.json()).error, message, name);
    }
    const after = await post(base, JSON.stringify({ series }));
    assertEquals(after.status, 200);
    assertEquals((await after.json()).probabilities.length, 1);
  });
});

Deno.test("GET / serves the page, its script, the model and onnxruntime-web's files from the installed package", async () => {
  await withServer(async (base) => {
    const page = await fetch(`${base}/`);
    assertStringIncludes(await page.text(), 'id="probability"');
    assertStringIncludes(await (await fetch(`${base}/app.js`)).text(), "/vendor/ort/ort.wasm.min.mjs");
    const model = await fetch(`${base}/model.onnx`);
    assertEquals(new Uint8Array(await model.arrayBuffer()), await Deno.readFile(`${dir}/model.onnx`));
    const ort = await fetch(`${base}/vendor/ort/ort.wasm.min.mjs`);
    assertEquals(ort.status, 200);
    await ort.body?.cancel();
    const wasm = await fetch(`${base}/vendor/ort/ort-wasm-simd-threaded.wasm`);
    assertEquals(wasm.headers.get("content-type"), "application/wasm");
    await wasm.body?.cancel();
  });
});

Deno.test("loadServedModel() stops with a clear message on a missing or invalid model", async () => {
  const empty = await Deno.makeTempDir();
  await assertRejects(() => loadServedModel(empty), ModelDirError, `${empty}/metrics.json`);
  const garbage = `${await Deno.makeTempDir()}/garbage`;
  await writeModelDir(garbage, { ...(await tinyContents()), onnx: new TextEncoder().encode("garbage") });
  await assertRejects(() => loadServedModel(garbage), OnnxError, `${garbage}/model.onnx is not an ONNX model`);
});

Deno.test("deno task serve stops cleanly on SIGTERM, and refuses to start on a missing model", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/serve.ts`, "--model", "/nonexistent", "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(bad.code, 1);
  assertStringIncludes(new TextDecoder().decode(bad.stderr), "cannot serve /nonexistent");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/serve.ts`, "--model", dir, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("serving")) text += (await reader.read()).value ?? "";
  const port = Number(text.match(/:(\d+)\//)![1]);
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assertEquals(res.status, 200);
  await res.body?.cancel();
  child.kill("SIGTERM");
  const status = await child.status;
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
  await child.stderr.cancel();
  assertEquals(status.code, 0);
  assertStringIncludes(text, "stopped");
});

Deno.test("deno task predict prints probability and class, accuracy for a labelled CSV, exit 2 on bad input", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}scripts/predict.ts`, "--model", dir, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  const one = await run(series.join(","));
  assertEquals(one.code, 0);
  assert(/^0\.\d{6} [01]\n$/.test(one.stdout), one.stdout);
  const header = [...Array.from({ length: 30 }, (_, i) => `x${i + 1}`), "label"].join(",");
  const csv = `${dir}/series.csv`;
  await Deno.writeTextFile(csv, `${header}\n${series.join(",")},1\n${series.map(() => 0).join(",")},0\n`);
  const file = await run("--file", csv);
  assertEquals(file.code, 0, file.stderr);
  assertStringIncludes(file.stdout, "accuracy ");
  assertEquals(file.stdout.split("\n")[0], one.stdout.trim());
  await Deno.writeTextFile(csv, `${header}\n${series.join(",")},1\n${series.join(",").replace(/^4/, "a")},0\n`);
  const bad = await run("--file", csv);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, `${csv}, line 3, column 1: expected a digit 0..9, got "a"`);
});
