/**
 * The server under attack (issue 10): each test reproduces one finding, bounded in count and time,
 * on 127.0.0.1 only. H1 runs the real CLI as a child process to read its RSS.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import onnxProto from "onnx-proto";
import { loadServedModel } from "../src/serve/model.ts";
import { startServer } from "../src/serve/server.ts";
import { decodeOnnx } from "../src/onnx/encode.ts";
import { writeModelDir } from "../src/model_dir/mod.ts";
import { makeTinyModelDir } from "./_tiny_model.ts";
import { tinyContents } from "./_model_dir_fixture.ts";

const root = new URL("..", import.meta.url).pathname;
const dir = await makeTinyModelDir();
const series = [4, 7, 1, 9, 0, 3, 8, 2, 5, 6, 1, 1, 9, 0, 4, 4, 2, 7, 3, 8, 6, 5, 0, 9, 1, 2, 3, 7, 8, 6];
const enc = new TextEncoder();
const dec = new TextDecoder();

type Options = Parameters<typeof startServer>[0];

/** Serves `model` in process on a free loopback port while `fn` runs. */
async function withServer(
  options: Partial<Options> & { dir?: string },
  fn: (base: string, port: number) => Promise<void>,
): Promise<void> {
  const model = await loadServedModel(options.dir ?? dir);
  const controller = new AbortController();
  const server = await startServer({ host: "127.0.0.1", port: 0, model, signal: controller.signal, ...options });
  const port = server.addr.port;
  try {
    await fn(`http://127.0.0.1:${port}`, port);
  } finally {
    controller.abort();
    await server.finished;
    await model.onnx.release();
  }
}

/**
 * Writes `text` on a raw socket and reads until the server closes it or `ms` pass.
 *
 * @returns What came back, whether the server closed the connection, and when (ms).
 */
async function raw(port: number, text: string, ms: number): Promise<{ reply: string; closed: boolean; after: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const t0 = performance.now();
  if (text) await conn.write(enc.encode(text));
  let reply = "";
  let closed = false;
  const timer = setTimeout(() => conn.close(), ms);
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      reply += dec.decode(buf.subarray(0, n));
    }
  } catch {
    // closed by the timer (or reset by the server)
  }
  clearTimeout(timer);
  if (closed) conn.close();
  return { reply, closed, after: performance.now() - t0 };
}

/** Runs `deno task serve`'s script as a child; resolves once it prints its address. */
async function spawnServe(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/serve.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("serving")) {
    const r = await reader.read();
    if (r.done) throw new Error(`serve stopped before listening: ${text}`);
    text += r.value;
  }
  const port = Number(text.match(/:(\d+)\//)![1]);
  const stop = async () => {
    child.kill("SIGTERM");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  };
  return { child, port, stop };
}

const rssMb = async (pid: number) =>
  Number((await Deno.readTextFile(`/proc/${pid}/status`)).match(/VmRSS:\s+(\d+)/)![1]) / 1024;

/** Runs serve to its end; a server that starts is stopped after 20 s (and shows as exit 143). */
const runServe = async (...args: string[]) => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/serve.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const out = await child.output();
  clearTimeout(timer);
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
};

Deno.test("H1: a request of 20,000 one-byte HTTP chunks leaves the server's RSS within 50 MB of its start", async () => {
  const { child, port, stop } = await spawnServe(["--model", dir, "--port", "0"]);
  try {
    const body = JSON.stringify({ series }).padEnd(20_000, " ");
    const head = `POST /predict HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    // warm up: the first request loads what a request needs
    const warm = await raw(port, `${head}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`, 10_000);
    assertMatch(warm.reply, /^HTTP\/1\.1 200/);
    const before = await rssMb(child.pid);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc.encode(head));
    for (const ch of body) await conn.write(enc.encode(`1\r\n${ch}\r\n`)); // one chunk per write
    await conn.write(enc.encode("0\r\n\r\n"));
    let reply = "";
    const buf = new Uint8Array(65536);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) reply += dec.decode(buf.subarray(0, n));
    conn.close();
    const after = await rssMb(child.pid);
    assertMatch(reply, /^HTTP\/1\.1 200/);
    assert(after - before < 50, `RSS went from ${before.toFixed(0)} MB to ${after.toFixed(0)} MB`);
    console.log(`H1: RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB`);
  } finally {
    await stop();
  }
});

Deno.test("M1: /healthz answers in under 50 ms while a 10,000-row request runs, and excess work gets 503", async () => {
  await withServer({ dir: `${root}models/lstm-sum`, maxPendingRows: 10_000 }, async (base) => {
    const rows = Array.from({ length: 10_000 }, (_, n) => series.map((d, t) => (d + n + t) % 10));
    const post = (value: unknown) =>
      fetch(`${base}/predict`, {
        method: "POST",
        body: JSON.stringify(value),
        headers: { "content-type": "application/json" },
      });
    const big = post({ series: rows });
    await new Promise((r) => setTimeout(r, 300)); // the big request is parsed and running
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const res = await fetch(`${base}/healthz`);
      await res.body?.cancel();
      times.push(performance.now() - t);
      assertEquals(res.status, 200);
    }
    console.log(`M1: /healthz during a 10,000-row request: ${times.map((t) => t.toFixed(1)).join(", ")} ms`);
    assert(Math.max(...times) < 50, `/healthz took ${times.map((t) => t.toFixed(1)).join(", ")} ms`);
    const busy = await post({ series: rows.slice(0, 2) });
    assertEquals(busy.status, 503);
    assert(Number(busy.headers.get("retry-after")) >= 1, "Retry-After");
    assertStringIncludes((await busy.json()).error, "busy");
    const done = await big;
    assertEquals(done.status, 200);
    const answer = await done.json();
    assertEquals(answer.probabilities.length, 10_000);
  });
});

/** A model directory whose model.onnx was changed by `edit` (and whose hashes match it). */
async function editedModelDir(edit: (model: ReturnType<typeof decodeOnnx>) => void): Promise<string> {
  const contents = await tinyContents();
  const model = decodeOnnx(contents.onnx);
  edit(model);
  const out = `${await Deno.makeTempDir({ prefix: "lstm-sum-test-" })}/bad`;
  await writeModelDir(out, { ...contents, onnx: onnxProto.onnx.ModelProto.encode(model).finish() });
  return out;
}

Deno.test("M3/M4: serve refuses a model whose hash differs, whose output breaks the contract or leaves [0, 1]", async () => {
  const graph = (m: ReturnType<typeof decodeOnnx>) => m.graph!;
  const cases: [string, string, string][] = [
    [
      "output [N, 2]",
      await editedModelDir((m) => (graph(m).output![0].type!.tensorType!.shape!.dim![1].dimValue = 2)),
      "float32 [N, 1]",
    ],
    [
      "int64 output",
      await editedModelDir((m) => (graph(m).output![0].type!.tensorType!.elemType = 7)),
      "float32 [N, 1]",
    ],
    [
      "no final Sigmoid",
      await editedModelDir((m) => {
        const nodes = graph(m).node!;
        nodes.splice(nodes.findIndex((n) => n.opType === "Sigmoid"), 1);
        nodes.find((n) => n.opType === "Gemm")!.output = ["probability"];
      }),
      "Sigmoid",
    ],
    [
      "NaN weights (contract kept, output not in [0, 1])",
      await editedModelDir((m) => {
        const b = graph(m).initializer!.find((t) => t.name === "dense_B")!;
        b.rawData = new Uint8Array(Float32Array.of(NaN).buffer);
      }),
      "[0, 1]",
    ],
  ];
  const tampered = await editedModelDir(() => {});
  const bytes = await Deno.readFile(`${tampered}/model.onnx`);
  bytes[bytes.length - 1] ^= 1;
  await Deno.writeFile(`${tampered}/model.onnx`, bytes);
  cases.push(["model.onnx changed after metrics.json", tampered, "SHA-256"]);
  for (const [name, bad, message] of cases) {
    const out = await runServe("--model", bad, "--port", "0");
    assertEquals(out.code, 1, `${name}: ${out.stdout}${out.stderr}`);
    assertStringIncludes(out.stderr, message, name);
    assertEquals(out.stderr.trim().split("\n").length, 1, `${name}: one line, got ${out.stderr}`);
    assertEquals(out.stdout.includes("serving"), false, name);
  }
});

Deno.test("M6, L3: static files come from memory with an ETag, 304 on If-None-Match, and HEAD works wherever GET does", async () => {
  await withServer({}, async (base) => {
    for (const path of ["/", "/app.js", "/model.onnx", "/vendor/ort/ort-wasm-simd-threaded.wasm", "/healthz"]) {
      const get = await fetch(`${base}${path}`);
      const body = new Uint8Array(await get.arrayBuffer());
      assertEquals(get.status, 200, path);
      const head = await fetch(`${base}${path}`, { method: "HEAD" });
      assertEquals(head.status, 200, `HEAD ${path}`);
      assertEquals(head.headers.get("content-type"), get.headers.get("content-type"), `HEAD ${path}`);
      assertEquals(head.headers.get("content-length"), String(body.length), `HEAD ${path}`);
      assertEquals((await head.arrayBuffer()).byteLength, 0, `HEAD ${path}`);
      if (path === "/healthz") continue;
      const etag = get.headers.get("etag");
      assert(etag && /^"[^"]+"$/.test(etag), `${path}: ETag ${etag}`);
      assertStringIncludes(get.headers.get("cache-control") ?? "", "no-cache", path);
      const again = await fetch(`${base}${path}`, { headers: { "if-none-match": `"other", ${etag}` } });
      assertEquals(again.status, 304, path);
      assertEquals(again.headers.get("etag"), etag, path);
      assertEquals((await again.arrayBuffer()).byteLength, 0, path);
      const changed = await fetch(`${base}${path}`, { headers: { "if-none-match": '"other"' } });
      assertEquals(changed.status, 200, path);
      await changed.body?.cancel();
    }
  });
});

Deno.test("L1: serve on a port in use exits 1, on a bad --host exits 2, each with one line and no stack", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const inUse = await runServe("--model", dir, "--port", String(busy.addr.port));
    assertEquals(inUse.code, 1, inUse.stderr);
    assertStringIncludes(inUse.stderr, `127.0.0.1:${busy.addr.port}`);
    assertStringIncludes(inUse.stderr, "in use");
    assertEquals(inUse.stderr.trim().split("\n").length, 1, inUse.stderr);
  } finally {
    busy.close();
  }
  for (const host of ["no-such-host.invalid", "300.1.1.1"]) {
    const bad = await runServe("--model", dir, "--port", "0", "--host", host);
    assertEquals(bad.code, 2, bad.stderr);
    assertStringIncludes(bad.stderr, `"${host}"`);
    assertEquals(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  }
});

Deno.test("L2: Content-Type must be application/json, with no charset or utf-8", async () => {
  await withServer({}, async (base) => {
    const post = (type: string) =>
      fetch(`${base}/predict`, { method: "POST", body: JSON.stringify({ series }), headers: { "content-type": type } });
    for (
      const type of [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        'application/json;charset="UTF-8"',
      ]
    ) {
      const res = await post(type);
      assertEquals(res.status, 200, type);
      await res.body?.cancel();
    }
    for (
      const type of [
        "application/json-patch+json",
        "application/json.evil",
        "application/json; charset=utf-16",
        "application/jsonx",
        "text/plain",
        "application/json, text/plain",
      ]
    ) {
      const res = await post(type);
      assertEquals(res.status, 415, type);
      assertStringIncludes((await res.json()).error, "Content-Type must be application/json", type);
    }
  });
});

Deno.test("L4: an idle connection and a body that stops short are dropped within the configured timeouts", async () => {
  await withServer({ timeouts: { headersMs: 500, requestMs: 1_000, idleMs: 500 } }, async (_base, port) => {
    const idle = await raw(port, "", 5_000);
    assert(idle.closed, "the idle connection is still open after 5 s");
    assert(idle.after < 3_000, `idle connection closed after ${idle.after.toFixed(0)} ms`);
    const short = await raw(
      port,
      `POST /predict HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"se`,
      5_000,
    );
    assert(short.closed, `the short body's connection is still open after 5 s: ${short.reply}`);
    assert(short.after < 3_000, `short body dropped after ${short.after.toFixed(0)} ms`);
    assertMatch(short.reply, /^HTTP\/1\.1 408/);
    // a keep-alive connection that finished its request is closed once idle
    const kept = await raw(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 5_000);
    assertMatch(kept.reply, /^HTTP\/1\.1 200/);
    assert(kept.closed && kept.after < 3_000, `keep-alive connection open for ${kept.after.toFixed(0)} ms`);
  });
});

Deno.test("L5: an error message quotes at most a few hundred characters of the input", async () => {
  await withServer({}, async (base) => {
    const res = await fetch(`${base}/predict`, {
      method: "POST",
      body: JSON.stringify({ series: ["x".repeat(990_000), ...series.slice(1)] }),
      headers: { "content-type": "application/json" },
    });
    assertEquals(res.status, 400);
    const { error } = await res.json();
    assertStringIncludes(error, "series[0]");
    assert(error.length < 400, `error of ${error.length} characters`);
    const path = await fetch(`${base}/${"a".repeat(5_000)}`);
    assertEquals(path.status, 404);
    assert((await path.json()).error.length < 400);
    const type = await fetch(`${base}/predict`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": `text/${"b".repeat(5_000)}` },
    });
    assertEquals(type.status, 415);
    assert((await type.json()).error.length < 400);
  });
});

Deno.test("L6: every response has nosniff and a CSP; on loopback a foreign Host gets 421", async () => {
  await withServer({}, async (base, port) => {
    const responses = [
      await fetch(`${base}/`),
      await fetch(`${base}/healthz`),
      await fetch(`${base}/nope`),
      await fetch(`${base}/predict`),
      await fetch(`${base}/predict`, { method: "POST", body: "{", headers: { "content-type": "application/json" } }),
      await fetch(`${base}/predict`, { method: "POST", body: "{}", headers: { "content-type": "text/plain" } }),
    ];
    for (const res of responses) {
      await res.body?.cancel();
      assertEquals(res.headers.get("x-content-type-options"), "nosniff", `${res.url} ${res.status}`);
      assertStringIncludes(res.headers.get("content-security-policy") ?? "", "default-src 'none'", res.url);
    }
    const host = (value: string) =>
      raw(port, `GET /healthz HTTP/1.1\r\nHost: ${value}\r\nConnection: close\r\n\r\n`, 3_000);
    for (const good of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      assertMatch((await host(good)).reply, /^HTTP\/1\.1 200/, good);
    }
    for (
      const bad of [`evil.example:${port}`, "evil.example", `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`]
    ) {
      const { reply } = await host(bad);
      assertMatch(reply, /^HTTP\/1\.1 421/, bad);
      assertStringIncludes(reply, "nosniff");
    }
  });
});
