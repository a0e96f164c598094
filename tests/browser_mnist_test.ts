/**
 * The draw-a-digit page (/mnist) end to end: what the server hands out for it, over HTTP, then the
 * page itself in Debian's headless Chromium, driven by playwright-core.
 *
 * Two run directories serve as fixtures, each for a reason:
 * - models/mnist-linear, committed and trained (89 % test accuracy): a stroke drawn with the mouse
 *   must be read as the digit it looks like, which only a trained network can show;
 * - a CNN written here by the project's own trainer and writer (`trainMnist`, `writeMnistRun`) in a
 *   temp folder, two small convolutions, one update: the page's network is a CNN, and this runs its
 *   Conv, MaxPool and Transpose in the browser's onnxruntime-web. Its weights start at sd 0.1 and its
 *   biases at +0.1: at the spec's 0.01 and -0.1 every ReLU of an untrained CNN is off, so every image
 *   gets the same probabilities (measured), and a comparison of them would prove nothing.
 *
 * Without /usr/bin/chromium the browser tests are reported as ignored with a loud warning; with
 * LSTM_SUM_REQUIRE_BROWSER=1 (CI) they fail.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Page } from "playwright-core";
import { launchChromium, skipBrowser } from "./_chromium.ts";
import { loadServedModel } from "../src/serve/model.ts";
import { loadServedMnist, type ServedMnist } from "../src/serve/mnist.ts";
import { startServer } from "../src/serve/server.ts";
import { loadMnist, splitMnist } from "../src/mnist/data.ts";
import { trainMnist } from "../src/mnist/train.ts";
import { defaultMnistRunDir, readMnistRun, writeMnistRun } from "../src/mnist/run_dir.ts";
import { H61 } from "../src/mnist/spec.ts";
import { makeTinyModelDir } from "./_tiny_model.ts";

const root = new URL("..", import.meta.url).pathname;
const LINEAR = `${root}models/mnist-linear`;
const lstmDir = await makeTinyModelDir();
const images = await loadMnist();

let cnn: Promise<string> | undefined;
/** The CNN run directory (see the header), written once, on first use. */
function cnnDir(): Promise<string> {
  cnn ??= (async () => {
    const dir = `${await Deno.makeTempDir({ prefix: "mnist-page-test-" })}/mnist-cnn`;
    const config = {
      model: "cnn" as const,
      filters: [4, 8],
      initSd: 0.1,
      biasInit: 0.1,
      iterations: 1,
      evaluateEvery: 1,
      trainSize: 1_000,
      testSize: 200,
    };
    const result = await trainMnist({ config, images });
    const { problems } = await writeMnistRun(dir, result, { images });
    result.model.dispose();
    assertEquals(problems, [], "the fixture's ONNX export agrees with tf.layers");
    return dir;
  })();
  return cnn;
}

/** Serves the tiny LSTM and an MNIST run directory on a free loopback port while `fn` runs. */
async function withMnistServer(
  mnist: ServedMnist | undefined,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const model = await loadServedModel(lstmDir);
  const controller = new AbortController();
  const server = await startServer({ host: "127.0.0.1", port: 0, model, mnist, signal: controller.signal });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    controller.abort();
    await server.finished;
    await model.onnx.release();
  }
}

/**
 * Runs `fn` on a page of a fresh headless Chromium; then fails on any script error or console error
 * the page logged (a Content-Security-Policy violation among them), but the favicon's 404.
 */
async function withPage(fn: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ hasTouch: true });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) errors.push(m.text());
    });
    await fn(page);
  } finally {
    await browser.close();
  }
  assertEquals(errors, [], "the page logged errors");
}

const browserTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: skipBrowser, sanitizeResources: false, sanitizeOps: false, fn });

const argmax = (p: ArrayLike<number>) => Array.from(p).reduce((best, v, k, all) => (v > all[best] ? k : best), 0);

// ---- over HTTP

Deno.test("GET /mnist serves the draw-a-digit page, its scripts, and the run's model.onnx byte for byte", async () => {
  const mnist = await loadServedMnist(LINEAR);
  if (!mnist.available) throw new Error(mnist.reason);
  await withMnistServer(mnist, async (base) => {
    const page = await fetch(`${base}/mnist`);
    assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
    assertStringIncludes(page.headers.get("content-security-policy") ?? "", "default-src 'none'");
    const html = await page.text();
    for (const id of ['id="pad"', 'id="clear"', 'id="bars"', 'id="digit"', 'src="/mnist.js"']) {
      assertStringIncludes(html, id);
    }
    assertStringIncludes(await (await fetch(`${base}/mnist.js`)).text(), "./mnist_prep.js");
    assertEquals(
      await (await fetch(`${base}/mnist_prep.js`)).text(),
      await Deno.readTextFile(`${root}src/web/mnist_prep.js`),
    );
    const model = await fetch(`${base}/mnist/model.onnx`);
    assertEquals(model.headers.get("content-type"), "application/octet-stream");
    assertEquals(new Uint8Array(await model.arrayBuffer()), await Deno.readFile(`${LINEAR}/model.onnx`));
    const run = await readMnistRun(LINEAR);
    const info = await (await fetch(`${base}/mnist/info.json`)).json();
    assertEquals(info, {
      available: true,
      dir: LINEAR,
      model: "linear",
      sha256: mnist.sha256,
      testAccuracy: run.test.accuracy,
      testSize: run.test.size,
      inputDims: [1, 1, H61.imageSide, H61.imageSide],
      classes: H61.classes,
    });
    assertEquals(mnist.sha256.length, 64);
    // a cached copy is revalidated, as every other asset
    const again = await fetch(`${base}/mnist/model.onnx`, { headers: { "if-none-match": model.headers.get("etag")! } });
    assertEquals(again.status, 304);
    await again.body?.cancel();
  });
});

Deno.test("GET /mnist/info.json says why there is no model when the run directory is missing, and the server keeps serving", async () => {
  const missing = `${await Deno.makeTempDir()}/mnist-cnn`;
  const mnist = await loadServedMnist(missing);
  assertEquals(mnist, { available: false, dir: missing, reason: `${missing} does not exist` });
  await withMnistServer(mnist, async (base) => {
    assertEquals(await (await fetch(`${base}/mnist/info.json`)).json(), mnist);
    assertEquals((await fetch(`${base}/mnist`).then(async (r) => (await r.body?.cancel(), r))).status, 200);
    const model = await fetch(`${base}/mnist/model.onnx`);
    assertEquals(model.status, 404);
    assertEquals((await model.json()).error, "No such path: /mnist/model.onnx");
    const put = await fetch(`${base}/mnist`, { method: "PUT", body: "x" });
    assertEquals(put.status, 405);
    await put.body?.cancel();
    const health = await fetch(`${base}/healthz`);
    assertEquals(health.status, 200);
    await health.body?.cancel();
  });
  // a server started without any run directory says that instead
  await withMnistServer(undefined, async (base) => {
    const info = await (await fetch(`${base}/mnist/info.json`)).json();
    assertEquals(info.available, false);
    assertStringIncludes(info.reason, "--mnist DIR");
  });
});

Deno.test("loadServedMnist() reports a run directory it cannot serve in one line, and never throws for it", async () => {
  const dir = `${await Deno.makeTempDir()}/broken`;
  await Deno.mkdir(dir);
  const empty = await loadServedMnist(dir);
  assertEquals(empty.available, false);
  assertEquals(empty.available ? "" : empty.reason, `${dir}/metrics.json: is missing`);
  await Deno.copyFile(`${LINEAR}/metrics.json`, `${dir}/metrics.json`);
  await Deno.writeTextFile(`${dir}/model.onnx`, "garbage");
  const garbage = await loadServedMnist(dir);
  assertEquals(garbage.available, false);
  assertStringIncludes(garbage.available ? "" : garbage.reason, `${dir}/model.onnx is not an ONNX model`);
  assert(!(garbage.available ? "" : garbage.reason).includes("\n"), "one line");
  // the LSTM's model.onnx is ONNX, but not an MNIST network
  await Deno.copyFile(`${lstmDir}/model.onnx`, `${dir}/model.onnx`);
  const lstm = await loadServedMnist(dir);
  assertStringIncludes(lstm.available ? "" : lstm.reason, 'must have the one input "image"');
});

Deno.test("deno task serve --mnist DIR (models/mnist-cnn by default) starts without the run directory, says so, and serves the page", async () => {
  const missing = `${await Deno.makeTempDir()}/nope`;
  const help = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/serve.ts`, "--help"],
    stdout: "piped",
  }).output();
  const helpText = new TextDecoder().decode(help.stdout);
  assertStringIncludes(helpText, "--mnist DIR");
  assertStringIncludes(helpText, `(default ${defaultMnistRunDir("cnn")})`, "the CNN's run directory by default");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/serve.ts`, "--model", lstmDir, "--mnist", missing, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("/mnist")) text += (await reader.read()).value ?? "";
  const port = Number(text.match(/:(\d+)\//)![1]);
  assertStringIncludes(text, `${missing} does not exist`);
  const info = await (await fetch(`http://127.0.0.1:${port}/mnist/info.json`)).json();
  assertEquals(info.available, false);
  child.kill("SIGTERM");
  const status = await child.status;
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
  await child.stderr.cancel();
  assertEquals(status.code, 0);
});

// ---- in Chromium

browserTest(
  "draw-a-digit page in headless Chromium: a mouse stroke shows ten probabilities summing to 1, Clear empties it, a finger draws too",
  async () => {
    const mnist = await loadServedMnist(LINEAR);
    await withMnistServer(mnist, (base) =>
      withPage(async (page) => {
        await page.goto(`${base}/mnist`);
        await page.waitForSelector("body[data-state=empty]", { timeout: 30_000 });
        await page.waitForSelector("#model-info:has-text('Model linear')");
        // the stylesheet applies (the CSP lists its hash): touch and pen strokes draw instead of scrolling
        assertEquals(await page.evaluate(`getComputedStyle(document.getElementById("pad")).touchAction`), "none");
        const box = (await page.locator("#pad").boundingBox())!;
        const stroke = async (points: [number, number][]) => {
          const at = ([u, v]: [number, number]) => [box.x + u * box.width, box.y + v * box.height] as const;
          await page.mouse.move(...at(points[0]));
          await page.mouse.down();
          for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
          await page.mouse.up();
          await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
        };
        const read = async () => ({
          p: await page.$$eval("#bars meter", (ms) => ms.map((m) => (m as unknown as { value: number }).value)),
          digit: await page.textContent("#digit"),
        });

        // a vertical stroke: a 1
        await stroke([[0.5, 0.15], [0.5, 0.85]]);
        const one = await read();
        assertEquals(one.p.length, H61.classes);
        assert(one.p.every((v) => v >= 0 && v <= 1), `probabilities ${one.p}`);
        const sum = one.p.reduce((s, v) => s + v, 0);
        assert(Math.abs(sum - 1) <= 1e-5, `sum ${sum}`);
        assertEquals(one.digit, String(argmax(one.p)));
        assertEquals(one.digit, "1", `a vertical stroke read as ${one.digit}: ${one.p}`);

        // Clear: back to "draw a digit"
        await page.click("#clear");
        await page.waitForSelector("body[data-state=empty]");
        assertEquals(await read(), { p: new Array(H61.classes).fill(0), digit: "–" });

        // a loop: a 0, and other probabilities
        const loop = Array.from({ length: 25 }, (_, i) => {
          const a = (2 * Math.PI * i) / 24;
          return [0.5 + 0.25 * Math.sin(a), 0.5 - 0.35 * Math.cos(a)] as [number, number];
        });
        await stroke(loop);
        const zero = await read();
        assertEquals(zero.digit, "0", `a loop read as ${zero.digit}: ${zero.p}`);
        assert(Math.abs(zero.p.reduce((s, v) => s + v, 0) - 1) <= 1e-5);

        // a finger: the same vertical stroke as touch events, which Chromium turns into pointer events
        await page.click("#clear");
        await page.waitForSelector("body[data-state=empty]");
        const cdp = await page.context().newCDPSession(page);
        const touch = (type: "touchStart" | "touchMove" | "touchEnd", [u, v]: [number, number]) =>
          cdp.send("Input.dispatchTouchEvent", {
            type,
            touchPoints: type === "touchEnd" ? [] : [{ x: box.x + u * box.width, y: box.y + v * box.height }],
          });
        await touch("touchStart", [0.5, 0.15]);
        for (let i = 1; i <= 10; i++) await touch("touchMove", [0.5, 0.15 + 0.07 * i]);
        await touch("touchEnd", [0.5, 0.85]);
        await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
        const finger = await read();
        assertEquals(finger.digit, "1", `a vertical touch stroke read as ${finger.digit}: ${finger.p}`);
      }));
  },
);

browserTest(
  "draw-a-digit page in headless Chromium gives test-set images the CLI's ten probabilities, to 1e-5",
  async () => {
    const dir = await cnnDir();
    const { test } = splitMnist(images, (await readMnistRun(dir)).config);
    const P = H61.pixels;
    // Two test images of different digits, whose probabilities must differ, or the match proves
    // nothing; and the first one moved 3 pixels left. MNIST's own digits come out of the drawing's
    // preparation unchanged (tests/mnist_prep_test.ts), so only the moved one, which the preparation
    // would move back, shows that pasted values reach the network as they are.
    const side = H61.imageSide;
    const image = (n: number) => Array.from(test.x.subarray(n * P, (n + 1) * P));
    const moved = image(0).map((_, i) => (i % side < side - 3 ? image(0)[i + 3] : 0));
    const pixels = [image(0), image(test.y.findIndex((y) => y !== test.y[0])), moved];
    const cli = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}scripts/mnist_predict.ts`, "--run", dir, "--json", "--all-rows", "-"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = cli.stdin.getWriter();
    await writer.write(new TextEncoder().encode(pixels.map((x) => x.join(",")).join("\n") + "\n"));
    await writer.close();
    const out = await cli.output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const expected: { digit: number; probabilities: number[] }[] =
      JSON.parse(new TextDecoder().decode(out.stdout)).images;
    assertEquals(expected.length, 3);
    const apart = (a: number, b: number) =>
      Math.max(...expected[a].probabilities.map((p, k) => Math.abs(p - expected[b].probabilities[k])));
    assert(apart(0, 1) > 1e-3, `the fixture answers two different digits alike (max difference ${apart(0, 1)})`);
    assert(apart(0, 2) > 1e-3, `the fixture answers a digit and the digit moved alike (max difference ${apart(0, 2)})`);

    const mnist = await loadServedMnist(dir);
    assert(mnist.available, mnist.available ? "" : mnist.reason);
    await withMnistServer(mnist, (base) =>
      withPage(async (page) => {
        await page.goto(`${base}/mnist`);
        await page.waitForSelector("body[data-state=empty]", { timeout: 30_000 });
        await page.waitForSelector("#model-info:has-text('Model cnn')");
        await page.click("#paste summary");
        for (const [n, x] of pixels.entries()) {
          await page.fill("#pixels", x.join(", "));
          await page.click("#classify");
          await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
          const p = await page.$$eval("#bars meter", (ms) => ms.map((m) => (m as unknown as { value: number }).value));
          const diff = Math.max(...p.map((v, k) => Math.abs(v - expected[n].probabilities[k])));
          assert(diff <= 1e-5, `image ${n}: page ${p} vs CLI ${expected[n].probabilities} (max difference ${diff})`);
          assertEquals(await page.textContent("#digit"), String(expected[n].digit));
        }
        // a bad paste shows one line, not numbers
        await page.fill("#pixels", "0, 0.5");
        await page.click("#classify");
        await page.waitForSelector("body[data-state=error]");
        assertEquals(await page.textContent("#error"), `Expected ${P} grey values, got 2`);
      }));
  },
);

browserTest(
  "draw-a-digit page in headless Chromium says there is no model, and how to get one, when the run directory is missing",
  async () => {
    const missing = `${await Deno.makeTempDir()}/mnist-cnn`;
    await withMnistServer(await loadServedMnist(missing), (base) =>
      withPage(async (page) => {
        await page.goto(`${base}/mnist`);
        await page.waitForSelector("body[data-state=no-model]", { timeout: 30_000 });
        const info = (await page.textContent("#model-info"))!;
        assertStringIncludes(info, `${missing} does not exist`);
        assertStringIncludes(info, "deno task mnist --model cnn");
        assert(await page.isDisabled("#clear"));
      }));
  },
);
