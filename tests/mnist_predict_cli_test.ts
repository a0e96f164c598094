/**
 * `deno task mnist-predict` (scripts/mnist_predict.ts), run as a process with exactly the permissions
 * deno.json gives it, on the committed run directory models/mnist-linear. Its inputs are written into
 * a scratch folder models/tmp-mnist-predict-* (git-ignored), the only place the task may read them.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import * as ort from "onnxruntime-web";
import { encode } from "fast-png";
import { openOnnxSession } from "../src/onnx/runtime.ts";
import { loadMnist, splitMnist } from "../src/mnist/data.ts";
import { checkMnistOnnxContract, MNIST_ONNX_INPUT, MNIST_ONNX_OUTPUT } from "../src/mnist/onnx.ts";
import { mnistRunPaths, readMnistMetrics } from "../src/mnist/run_dir.ts";
import { H61 } from "../src/mnist/spec.ts";

const root = new URL("..", import.meta.url).pathname;
const RUN = "models/mnist-linear";
const P = H61.pixels;
const K = H61.classes;
const SIDE = H61.imageSide;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const TASK: { command: string } = JSON.parse(Deno.readTextFileSync(`${root}deno.json`)).tasks["mnist-predict"];

/** Runs the task's `deno run` with its deno.json permissions, from the repository's root. */
async function predict(args: string[], stdin?: Uint8Array): Promise<Run> {
  const words = TASK.command.split(/\s+/);
  assertEquals(words.slice(0, 2), ["deno", "run"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...words.slice(1), ...args],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A scratch folder under models/ (relative to the root, as the task sees it), removed afterwards. */
async function inScratch(fn: (dir: string) => Promise<void>): Promise<void> {
  const abs = await Deno.makeTempDir({ dir: `${root}models`, prefix: "tmp-mnist-predict-" });
  try {
    await fn(abs.slice(root.length));
  } finally {
    await Deno.remove(abs, { recursive: true });
  }
}

/** Every `step`-th image of the run's test split (its images are ordered by digit): `[n, 784]` and labels. */
async function testImages(step: number): Promise<{ x: Float32Array; y: number[] }> {
  const { test } = splitMnist(await loadMnist(), (await readMnistMetrics(`${root}${RUN}`)).config);
  const picks = Array.from({ length: Math.ceil(test.size / step) }, (_, k) => k * step);
  const x = new Float32Array(picks.length * P);
  picks.forEach((i, k) => x.set(test.x.subarray(i * P, (i + 1) * P), k * P));
  return { x, y: picks.map((i) => test.y[i]) };
}

/** The run directory's model.onnx on `[n, 784]`, through the project's session code, straight to onnxruntime. */
async function onnxProbabilities(x: Float32Array): Promise<Float32Array> {
  const path = mnistRunPaths(`${root}${RUN}`).onnx;
  const { session } = await openOnnxSession(await Deno.readFile(path), {
    name: path,
    check: (proto) => checkMnistOnnxContract(proto, path),
  });
  try {
    const input = new ort.Tensor("float32", x, [x.length / P, 1, SIDE, SIDE]);
    return (await session.run({ [MNIST_ONNX_INPUT]: input }))[MNIST_ONNX_OUTPUT].data as Float32Array;
  } finally {
    await session.release();
  }
}

interface JsonOut {
  run: string;
  images: { source: string; row?: number; label?: number; digit: number; probabilities: number[] }[];
}

/** Checks the CLI's JSON against the expected `[n, 10]` probabilities: 1e-6 apart, each row summing to 1. */
function assertProbabilities(out: JsonOut, want: Float32Array): void {
  assertEquals(out.images.length * K, want.length);
  out.images.forEach((image, n) => {
    const row = want.subarray(n * K, (n + 1) * K);
    assertEquals(image.probabilities.length, K);
    const worst = Math.max(...image.probabilities.map((p, k) => Math.abs(p - row[k])));
    assert(worst <= 1e-6, `${image.source}: |p_cli - p_onnx| = ${worst}`);
    const sum = image.probabilities.reduce((a, b) => a + b, 0);
    assert(Math.abs(sum - 1) <= 1e-5, `${image.source}: probabilities sum to ${sum}`);
    assertEquals(image.digit, row.indexOf(Math.max(...row)), image.source);
  });
}

const quantise = (v: number) => Math.round(v * 255);

Deno.test("mnist-predict --json gives model.onnx's probabilities for test images in CSV rows to 1e-6, summing to 1", async () => {
  const { x, y } = await testImages(100); // 20 images, every digit
  assert(new Set(y).size === K, "the images must cover every digit");
  const want = await onnxProbabilities(x);
  await inScratch(async (dir) => {
    const rows = y.map((label, n) => [label, ...x.subarray(n * P, (n + 1) * P)].join(","));
    await Deno.writeTextFile(`${root}${dir}/test.csv`, rows.join("\n") + "\n");
    const r = await predict(["--json", "--all-rows", `${dir}/test.csv`]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const out: JsonOut = JSON.parse(r.stdout);
    assertEquals(out.run, RUN);
    assertEquals(
      out.images.map((i) => [i.source, i.row, i.label]),
      y.map((l, n) => [`${dir}/test.csv row ${n}`, n, l]),
    );
    assertProbabilities(out, want);
    // outputs must vary, or the comparison proves nothing
    assert(new Set(out.images.map((i) => i.digit)).size > 5, "the predicted digits must vary");

    const human = await predict(["--all-rows", `${dir}/test.csv`]);
    assertEquals([human.code, human.stderr], [0, ""]);
    const lines = human.stdout.trimEnd().split("\n");
    assertEquals(lines.length, y.length + 1);
    lines.slice(0, -1).forEach((line, n) => {
      const probabilities = Array.from(want.subarray(n * K, (n + 1) * K), (p) => p.toFixed(6)).join(" ");
      assertEquals(
        line,
        `${dir}/test.csv row ${n}: digit ${out.images[n].digit}, label ${y[n]}; p(0..9) ${probabilities}`,
      );
    });
    const hits = out.images.filter((i) => i.digit === i.label).length;
    assertEquals(lines.at(-1), `accuracy ${(100 * hits / y.length).toFixed(2)} % (${hits}/${y.length})`);
  });
});

Deno.test("mnist-predict reads the same test image from PGM P2 and P5, PNG, a 0..255 CSV, standard input and an inverted PNG", async () => {
  const { x } = await testImages(250); // 8 images
  const exact = x.subarray(3 * P, 4 * P); // a test image: its grey values have three decimals
  const thousandths = Array.from(exact, (v) => Math.round(v * 1000));
  assertEquals(Float32Array.from(thousandths, (s) => s / 1000), exact, "the package's values have three decimals");
  const bytes = Uint8Array.from(x.subarray(5 * P, 6 * P), quantise); // another, quantised to bytes
  const quantised = Float32Array.from(bytes, (b) => b / 255);
  const rows = Array.from({ length: SIDE }, (_, i) => thousandths.slice(i * SIDE, (i + 1) * SIDE).join(" "));
  const rgb = new Uint8Array(3 * P);
  bytes.forEach((b, i) => rgb.set([b, b, b], 3 * i));
  const paper = new Uint8Array(2 * P); // a black digit on white paper, all of it opaque
  bytes.forEach((b, i) => paper.set([255 - b, 255], 2 * i));
  const files: Record<string, Uint8Array> = {
    "exact.pgm": new TextEncoder().encode(`P2\n# a test image\n${SIDE} ${SIDE}\n1000\n${rows.join("\n")}\n`),
    "bytes.pgm": new Uint8Array([...new TextEncoder().encode(`P5 ${SIDE} ${SIDE} 255\n`), ...bytes]),
    "rgb.png": encode({ width: SIDE, height: SIDE, data: rgb, channels: 3, depth: 8 }),
    "bytes.csv": new TextEncoder().encode(`${Array.from(bytes).join(",")}\n`),
  };
  const want = await onnxProbabilities(new Float32Array([...exact, ...quantised, ...quantised, ...quantised]));
  await inScratch(async (dir) => {
    for (const [name, data] of Object.entries(files)) await Deno.writeFile(`${root}${dir}/${name}`, data);
    const r = await predict(["--json", "--csv-range", "0..255", ...Object.keys(files).map((f) => `${dir}/${f}`)]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const out: JsonOut = JSON.parse(r.stdout);
    assertEquals(
      out.images.map((i) => i.source),
      Object.keys(files).map((f) => `${dir}/${f}${f.endsWith(".csv") ? " row 0" : ""}`),
    );
    assertProbabilities(out, want);

    const piped = await predict(["--json", "-"], files["rgb.png"]);
    assertEquals([piped.code, piped.stderr], [0, ""]);
    const stdin: JsonOut = JSON.parse(piped.stdout);
    assertEquals(stdin.images[0].source, "standard input");
    assertProbabilities(stdin, want.subarray(K, 2 * K));

    const inverted = await predict(
      ["--json", "--invert", "-"],
      encode({ width: SIDE, height: SIDE, data: paper, channels: 2, depth: 8 }),
    );
    assertEquals([inverted.code, inverted.stderr], [0, ""]);
    assertProbabilities(JSON.parse(inverted.stdout), want.subarray(K, 2 * K));
  });
});

Deno.test("mnist-predict --help lists every flag and exits 0", async () => {
  const r = await predict(["--help"]);
  assertEquals([r.code, r.stderr], [0, ""]);
  for (
    const flag of [
      "FILE...",
      "--model linear|mlp|mlp-dropout|cnn",
      "--run DIR",
      "--row N",
      "--all-rows",
      "--csv-range 0..1|0..255",
      "--invert",
      "--json",
    ]
  ) {
    assertStringIncludes(r.stdout, flag);
  }
});

Deno.test("mnist-predict exits 2 with one line naming the value for every usage and input error", async () => {
  await inScratch(async (dir) => {
    const zeros = new Array(P).fill(0);
    const files: Record<string, string | Uint8Array> = {
      "ok.csv": zeros.join(","),
      "wide.pgm": `P2 32 28 255\n${new Array(32 * SIDE).fill(0).join(" ")}\n`,
      "header.pgm": "P5\n28 twenty-eight 255\n",
      "cell.csv": zeros.map((z, i) => (i === 99 ? "1/2" : z)).join(","),
      "range.csv": zeros.map((z, i) => (i === 9 ? 1.5 : z)).join(","),
      "label.csv": [10, ...zeros].join(","),
      "small.png": encode({ width: SIDE, height: 27, data: new Uint8Array(SIDE * 27), channels: 1, depth: 8 }),
      "text.png": "0,0,0\n",
    };
    for (const [name, data] of Object.entries(files)) {
      const path = `${root}${dir}/${name}`;
      await (typeof data === "string" ? Deno.writeTextFile(path, data) : Deno.writeFile(path, data));
    }
    const f = (name: string) => `${dir}/${name}`;
    const cases: [string[], string][] = [
      [[], "Missing FILE...: mnist-predict takes at least 1, got 0"],
      [
        ["--bogus", f("ok.csv")],
        "Unknown flag --bogus; accepted: --model, --run, --row, --all-rows, --csv-range, --invert, --json, --help",
      ],
      [["--model", "lin", f("ok.csv")], 'Flag --model must be one of linear, mlp, mlp-dropout, cnn, got "lin"'],
      [
        ["--model", "cnn", "--run", RUN, f("ok.csv")],
        `Give either --model or --run, not both (got --model cnn --run ${RUN})`,
      ],
      [["--row", "-1", f("ok.csv")], 'Flag --row must be an integer in [0, 10000000], got "-1"'],
      [["--row", "1", "--all-rows", f("ok.csv")], "Give either --row N or --all-rows, not both"],
      [["--csv-range", "0..100", f("ok.csv")], 'Flag --csv-range must be one of 0..1, 0..255, got "0..100"'],
      [["-", "-"], "Standard input (-) can be given once, got it 2 times"],
      [["--row", "1", f("ok.csv")], `${f("ok.csv")}: has no row 1: it holds 1 row, numbered from 0`],
      [[f("wide.pgm")], `${f("wide.pgm")}: PGM image must be 28x28, got 32x28`],
      [[f("header.pgm")], `${f("header.pgm")}: bad PGM header: height must be a positive integer, got "twenty-eight"`],
      [[f("cell.csv")], `${f("cell.csv")} line 1, column 100: "1/2" is not a number`],
      [[f("range.csv")], `${f("range.csv")} line 1, column 10: 1.5 is outside 0..1`],
      [[f("label.csv")], `${f("label.csv")} line 1, column 1: label 10 must be an integer 0..9`],
      [[f("small.png")], `${f("small.png")}: PNG image must be 28x28, got 28x27`],
      [[f("text.png")], `${f("text.png")}: not a PNG file: it does not start with the PNG signature`],
    ];
    // one at a time: processes started together may print Deno's "Blocking waiting for file lock" line
    for (const [args, message] of cases) {
      const r = await predict(args);
      assertEquals([r.code, r.stdout, r.stderr.trimEnd().split("\n")], [2, "", [`error: ${message}`]], args.join(" "));
    }
  });
});

Deno.test("mnist-predict fails in one line with exit 1 on a missing file, a run directory without model.onnx, or a path it may not read", async () => {
  await inScratch(async (dir) => {
    await Deno.writeTextFile(`${root}${dir}/ok.csv`, new Array(P).fill(0).join(","));
    const cases: [string[], string][] = [
      [[`${dir}/missing.pgm`], `error: No such file or directory (os error 2): readfile '${dir}/missing.pgm'`],
      [
        ["--run", dir, `${dir}/ok.csv`],
        `error: ${dir}/model.onnx: is missing: No such file or directory (os error 2): readfile '${dir}/model.onnx'`,
      ],
      [["/etc/hostname"], 'error: Requires read access to "/etc/hostname", run again with the --allow-read flag'],
    ];
    for (const [args, message] of cases) {
      const r = await predict(args);
      assertEquals([r.code, r.stdout, r.stderr.trimEnd().split("\n")], [1, "", [message]], args.join(" "));
    }
  });
});
