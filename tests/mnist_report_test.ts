/**
 * Item (e) of H6.1 as a generated report (src/mnist/report.ts), from run directories built by hand:
 * every number the text states is one the fixture fixes, a model without a run is listed as not
 * trained, the SVGs are well-formed, and the same inputs give the same bytes. The last tests run
 * scripts/mnist_report.ts as a process on fixture run directories in a scratch folder.
 */
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { mnistRunPaths, readMnistHistory, readMnistMetrics } from "../src/mnist/run_dir.ts";
import { ModelDirError } from "../src/model_dir/errors.ts";
import {
  buildMnistReport,
  EXERCISE_MNIST,
  mnistReportFacts,
  type MnistReportInput,
  type MnistRunFiles,
} from "../src/mnist/report.ts";
import type { EvaluationRecord } from "../src/mnist/checkpoint.ts";
import { countMnistParams } from "../src/mnist/params.ts";
import { H61, type MnistModel, resolveMnistConfig } from "../src/mnist/spec.ts";

const K = H61.classes;

/** A test confusion matrix of `perDigit` images per digit, right but for the listed [true, predicted, count] cells. */
function confusionWith(perDigit: number, errors: [number, number, number][]): number[][] {
  const m = Array.from({ length: K }, (_, t) => Array.from({ length: K }, (_, p) => (t === p ? perDigit : 0)));
  for (const [t, p, n] of errors) {
    m[t][p] += n;
    m[t][t] -= n;
  }
  return m;
}

interface FakeRun {
  model: MnistModel;
  iterations?: number;
  biasInit?: number;
  trainAccuracy: number;
  errors: [number, number, number][];
  seconds: number;
  /** Seconds before the first evaluation's record and after the last one's (default none). */
  fixed?: [number, number];
  /** The test loss of evaluation at `iteration`. */
  testLoss: (iteration: number) => number;
  /** The test accuracy of evaluation at `iteration` (the last one is the final accuracy). */
  testAccuracy: (iteration: number) => number;
}

/** metrics.json and history.json of a run as trainMnist writes them, with numbers chosen by the test. */
function fakeRun(o: FakeRun): MnistRunFiles {
  const config = resolveMnistConfig({
    model: o.model,
    ...(o.iterations === undefined ? {} : { iterations: o.iterations }),
    ...(o.biasInit === undefined ? {} : { biasInit: o.biasInit }),
  });
  const confusion = confusionWith(config.testSize / K, o.errors);
  const right = confusion.reduce((n, row, t) => n + row[t], 0);
  const evaluations: EvaluationRecord[] = [];
  const [before, after] = o.fixed ?? [0, 0];
  for (let i = 0; i <= config.iterations; i += config.evaluateEvery) {
    const last = i === config.iterations;
    evaluations.push({
      iteration: i,
      batchAccuracy: i === 0 ? 0.09 : 0.95,
      testLoss: o.testLoss(i),
      testAccuracy: last ? right / config.testSize : o.testAccuracy(i),
      seconds: before + ((o.seconds - before - after) * i) / config.iterations,
    });
  }
  const final = evaluations[evaluations.length - 1];
  const counts = new Array<number>(K).fill(config.testSize / K);
  return {
    metrics: {
      config: { ...config, filters: [...config.filters] },
      parameters: countMnistParams(config).total,
      data: { source: "fixture", train: counts.map((n) => 4 * n), test: counts },
      train: { size: config.trainSize, loss: 0.1, accuracy: o.trainAccuracy, confusion: confusionWith(800, []) },
      test: { size: config.testSize, loss: final.testLoss, accuracy: final.testAccuracy, confusion },
      onnx: {
        runtime: "onnxruntime-web (fixture)",
        maxAbsDiff: 1e-6,
        decisionsAgree: true,
        accuracy: final.testAccuracy,
      },
      seconds: o.seconds,
    },
    history: {
      loss: new Array(config.iterations).fill(0.1),
      accuracy: new Array(config.iterations).fill(0.9),
      evaluations,
    },
  };
}

/**
 * linear: the full 10,000 iterations, test loss lowest (0.318) at 1,400 and 0.377 at the end, best test accuracy
 * 91.2 % at 2,100, final 89.35 % (213 errors), train 97.4 %, 23.2 s;
 * mlp: a short run of 300 iterations with the deviation bias 0.1, test loss falling to the end, 94.6 %, 128.4 s
 *   of which 9 s before the first evaluation and after the last;
 * cnn: the full 20,000 with bias 0.1, test loss lowest (0.03) at 5,000 and 0.04 at the end, 99.25 %, 15,000 s;
 * mlp-dropout: not trained.
 */
function fixture(): MnistReportInput {
  const linear = fakeRun({
    model: "linear",
    trainAccuracy: 0.974,
    errors: [[4, 9, 50], [7, 2, 40], [3, 5, 40], [8, 3, 30], [5, 3, 30], [2, 8, 23]],
    seconds: 23.2,
    testLoss: (i) => (i === 0 ? 2.3026 : i < 1400 ? 0.318 + (1400 - i) * 1e-4 : 0.318 + (i - 1400) * (0.059 / 8600)),
    testAccuracy: (i) => (i === 0 ? 0.1 : i === 2100 ? 0.912 : 0.9),
  });
  const mlp = fakeRun({
    model: "mlp",
    iterations: 300,
    biasInit: 0.1,
    trainAccuracy: 0.9782,
    errors: [[4, 9, 40], [7, 2, 30], [3, 5, 38]],
    seconds: 128.4,
    fixed: [3.2, 5.8],
    testLoss: (i) => 2.3 - i * 0.007,
    testAccuracy: (i) => (i === 0 ? 0.1 : 0.9),
  });
  const cnn = fakeRun({
    model: "cnn",
    biasInit: 0.1,
    trainAccuracy: 1,
    errors: [[4, 9, 7], [7, 2, 5], [3, 5, 3]],
    seconds: 15_000,
    testLoss: (i) => (i === 0 ? 2.3026 : i < 5000 ? 0.03 + (5000 - i) * 1e-5 : 0.03 + (i - 5000) * (0.01 / 15_000)),
    testAccuracy: (i) => (i === 0 ? 0.1 : i === 6000 ? 0.993 : 0.99),
  });
  return {
    runs: [
      { model: "linear", dir: "models/mnist-linear", files: linear },
      { model: "mlp", dir: "models/mnist-mlp", files: mlp },
      { model: "mlp-dropout", dir: "models/mnist-mlp-dropout" },
      { model: "cnn", dir: "models/mnist-cnn", files: cnn },
    ],
  };
}

/** Checks that markup is well-formed: tags closed in order, attributes quoted, no stray < > or &. */
function assertWellFormedSvg(svg: string): void {
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  const open: string[] = [];
  for (const [, close, name, , selfClosing] of svg.matchAll(tag)) {
    if (selfClosing) continue;
    if (close) assertEquals(open.pop(), name, `</${name}> closes another tag`);
    else open.push(name);
  }
  assertEquals(open, [], "unclosed tags");
  const text = svg.replace(tag, "");
  assert(!/[<>]/.test(text), "a < or > outside a tag");
  assert(!/&(?!amp;|lt;|gt;|quot;)/.test(text), "an unescaped &");
  assert(svg.startsWith("<svg ") && svg.trimEnd().endsWith("</svg>"), "one svg root");
}

/** The Markdown table row that starts with `| first |`. */
function row(md: string, first: string): string {
  const line = md.split("\n").find((l) => l.startsWith(`| ${first} |`));
  if (line === undefined) throw new Error(`no row "| ${first} |"`);
  return line;
}

Deno.test("mnistReportFacts() computes gap, epochs, the test loss minimum and where, ms per iteration from the files", () => {
  const f = mnistReportFacts(fixture());
  assertEquals(f.trained.map((m) => m.model), ["linear", "mlp", "cnn"]);
  assertEquals(f.missing.map((m) => [m.model, m.item, m.dir]), [["mlp-dropout", "(c)", "models/mnist-mlp-dropout"]]);
  const [linear, mlp, cnn] = f.trained;
  assertEquals(linear.item, "(a)");
  assertEquals(linear.parameters, 7_850);
  assertEquals(linear.testAccuracy, 0.8935);
  assertEquals(Math.round(1e4 * linear.gap), 805);
  assertEquals(linear.epochs, 125); // 10,000 · 100 / 8,000
  assertEquals(Math.round(10 * linear.exerciseEpochs), 182); // 10,000 · 100 / 55,000
  assertEquals(linear.minTestLoss, { value: 0.318, iteration: 1400, epochs: 17.5 });
  assertEquals(linear.bestTestAccuracy, { value: 0.912, iteration: 2100 });
  assertEquals(Math.round(1000 * linear.lossRise), 186); // 0.377 / 0.318 − 1
  assertAlmostEquals(linear.msPerIteration, 2.32, 1e-12); // 23.2 s / 10,000
  assertEquals([linear.fullRun, linear.fullRunSeconds], [true, 23.2]);
  assertEquals([linear.biasInit, linear.exerciseBiasInit, linear.biasAsExercise], [0, 0, true]);
  assertEquals([linear.underfits, linear.largeGap, linear.lossRising], [true, true, true]);

  assertEquals([mlp.iterations, mlp.specIterations, mlp.fullRun], [300, 20_000, false]);
  assertEquals([mlp.biasInit, mlp.exerciseBiasInit, mlp.biasAsExercise], [0.1, -0.1, false]);
  assertEquals(mlp.parameters, 5_695_510);
  assertAlmostEquals(mlp.msPerIteration, 428, 1e-9);
  assertAlmostEquals(mlp.loopMsPerIteration, 398, 1e-9); // (128.4 − 9) s / 300
  assertAlmostEquals(mlp.fixedSeconds, 9, 1e-9);
  assertEquals(Math.round(mlp.fullRunSeconds), 7969); // estimated: 9 s + 20,000 · 0.398 s
  assertEquals(mlp.lossRising, false);

  assertEquals([cnn.parameters, cnn.epochs, cnn.msPerIteration], [83_466, 250, 750]);
  assertEquals(cnn.testAccuracy, 0.9925);
  assertEquals([cnn.underfits, cnn.largeGap, cnn.lossRising], [false, false, true]);
  assertEquals(f.best?.model, "cnn");
  assertEquals(f.best?.confusions.slice(0, 3), [
    { true: 4, predicted: 9, count: 7 },
    { true: 7, predicted: 2, count: 5 },
    { true: 3, predicted: 5, count: 3 },
  ]);
});

Deno.test("buildMnistReport() states the numbers of every trained run in report.md", () => {
  const md = buildMnistReport(fixture())["report.md"];
  const linear = row(md, "linear (a)");
  for (const s of ["10,000", "125", "7,850", "97.40 %", "89.35 %", "8.05", "0.3180 (1,400)", "0.3770"]) {
    assertStringIncludes(linear, s);
  }
  assertStringIncludes(linear, "0 (the exercise's)");
  const mlp = row(md, "mlp (b)");
  for (const s of ["300 of 20,000", "3.8", "5,695,510", "97.82 %", "94.60 %", "0.1 (deviation"]) {
    assertStringIncludes(mlp, s);
  }
  const cnn = row(md, "cnn (d)");
  for (const s of ["20,000", "250", "83,466", "100.00 %", "99.25 %", "0.75", "0.0300 (5,000)", "0.0400"]) {
    assertStringIncludes(cnn, s);
  }
  // (e) under- and overfitting: the judgement with its numbers, and the data size behind it
  assertStringIncludes(md, "the test loss was lowest, 0.3180, at iteration 1,400 (17.5 passes");
  assertStringIncludes(md, "18.6 %");
  assertStringIncludes(md, "91.20 % at iteration 2,100");
  assertStringIncludes(md, `${EXERCISE_MNIST.totalImages.toLocaleString("en")}`);
  assertStringIncludes(md, "| linear (a) | 10,000 | 125 | 18.2 |");
  assertStringIncludes(md, "| cnn (d) | 20,000 | 250 | 36.4 |");
  assertStringIncludes(md, "short run: 300 of the exercise's 20,000 iterations");
  assertStringIncludes(
    md,
    "one standard error is 0.19 to 0.69 points on 2,000 images; on the exercise's 10,000 it would be 0.09 to 0.31 points",
  );
  // parameters against accuracy
  assertStringIncludes(md, "68 times fewer"); // 5,695,510 / 83,466
  // the best model's confusion matrix
  assertStringIncludes(md, "cnn (d) has the highest test accuracy, 99.25 %");
  assertStringIncludes(md, "4 → 9 (7)");
  // speed: ms per iteration and the full-run times, measured or estimated
  assertStringIncludes(md, "| linear (a) | 10,000 | 23.2 s | 2.32 | 23.2 s, measured |");
  assertStringIncludes(md, "| mlp (b) | 300 | 2 min 8 s | 428 | 2 h 13 min, estimated (20,000 × 398 ms + 9.0 s) |");
  assertStringIncludes(md, "| cnn (d) | 20,000 | 4 h 10 min | 750 | 4 h 10 min, measured |");
});

Deno.test("buildMnistReport() lists a model without a run directory as not trained and invents nothing for it", () => {
  const md = buildMnistReport(fixture())["report.md"];
  assertStringIncludes(md, "Not trained yet: mlp-dropout (c) (no run in `models/mnist-mlp-dropout`)");
  const dropout = row(md, "mlp-dropout (c)");
  assertMatch(dropout, /not trained/);
  assert(!/\d/.test(dropout.replace("(c)", "")), `a number in the row of an untrained model: ${dropout}`);
  // the comparison that needs mlp-dropout says so instead of comparing
  assertStringIncludes(md, "Dropout (c) against the plain MLP (b): mlp-dropout (c) is not trained yet");
});

Deno.test("buildMnistReport() without any run writes report.md alone, naming all four models as not trained", () => {
  const files = buildMnistReport({
    runs: (["linear", "mlp", "mlp-dropout", "cnn"] as const).map((model) => ({ model, dir: `models/mnist-${model}` })),
  });
  assertEquals(Object.keys(files), ["report.md"]);
  const md = files["report.md"];
  for (const m of ["linear (a)", "mlp (b)", "mlp-dropout (c)", "cnn (d)"]) assertMatch(row(md, m), /not trained/);
  assert(!md.includes(".svg"), "links a figure that is not written");
});

Deno.test("buildMnistReport() draws every trained model's training and test accuracy, and the best model's 10x10 confusion matrix", () => {
  const files = buildMnistReport(fixture());
  assertEquals(Object.keys(files).sort(), ["accuracy.svg", "confusion.svg", "report.md"]);
  for (const name of ["accuracy.svg", "confusion.svg"] as const) assertWellFormedSvg(files[name]!);
  const accuracy = files["accuracy.svg"]!;
  // two panels (all iterations, and the top band), each a line per trained model and curve
  for (const name of ["linear (a) test", "linear (a) train batch", "mlp (b) test", "cnn (d) test"]) {
    assertEquals(accuracy.split(`data-name="${name}"`).length - 1, 2, name);
  }
  assert(!accuracy.includes("mlp-dropout"), "a curve of an untrained model");
  const confusion = files["confusion.svg"]!;
  assertEquals(confusion.match(/class="cell"/g)?.length, K * K);
  assertStringIncludes(confusion, "cnn (d)");
  assertStringIncludes(confusion, ">193</text>"); // digit 4: 200 − 7 right
});

Deno.test("buildMnistReport() gives the same bytes for the same inputs and does not change them", () => {
  const input = fixture();
  const before = JSON.stringify(input);
  const a = buildMnistReport(input);
  assertEquals(JSON.stringify(input), before);
  const b = buildMnistReport(fixture());
  assertEquals(a, b);
});

Deno.test("mnistReportFacts() rejects a run directory that holds another model, and a model listed twice or not at all", () => {
  const input = fixture();
  const swapped = { runs: input.runs.map((r) => (r.model === "cnn" ? { ...r, files: input.runs[0].files } : r)) };
  assertThrows(
    () => mnistReportFacts(swapped),
    RangeError,
    "Run directory models/mnist-cnn holds a linear run, not a cnn run",
  );
  assertThrows(
    () => mnistReportFacts({ runs: input.runs.slice(1) }),
    RangeError,
    "MNIST report needs one entry per model (linear, mlp, mlp-dropout, cnn), got mlp, mlp-dropout, cnn",
  );
  assertThrows(() => mnistReportFacts({ ...input, extra: 1 } as MnistReportInput), TypeError, 'option "extra"');
});

// scripts/mnist_report.ts as a process, on fixture run directories in a scratch folder

const root = new URL("..", import.meta.url).pathname;

async function mnistReport(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${root}deno.json`,
      "--allow-read=models",
      "--allow-write=models",
      `${root}scripts/mnist_report.ts`,
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Writes a fixture run's metrics.json and history.json as a run directory would hold them. */
async function writeFixtureRun(dir: string, files: MnistRunFiles): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/metrics.json`, JSON.stringify(files.metrics, null, 2) + "\n");
  await Deno.writeTextFile(`${dir}/history.json`, JSON.stringify(files.history) + "\n");
}

Deno.test("mnist_report writes report.md, accuracy.svg and confusion.svg from the run directories that exist, the same bytes twice", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "mnist-report-" });
  try {
    for (const r of fixture().runs) if (r.files) await writeFixtureRun(`${cwd}/models/mnist-${r.model}`, r.files);
    const first = await mnistReport(cwd);
    assertEquals(first.code, 0, first.stderr);
    assertStringIncludes(first.stdout, "not trained: mlp-dropout (models/mnist-mlp-dropout)");
    const out = `${cwd}/models/mnist-report`;
    const names: string[] = [];
    for await (const e of Deno.readDir(out)) names.push(e.name);
    assertEquals(names.sort(), ["accuracy.svg", "confusion.svg", "report.md"]);
    const read = async () => await Promise.all(names.map((n) => Deno.readFile(`${out}/${n}`)));
    const bytes = await read();
    assertEquals(bytes.length, 3);
    assertStringIncludes(new TextDecoder().decode(bytes[names.indexOf("report.md")]), "| linear (a) |");
    const again = await mnistReport(cwd);
    assertEquals(again.code, 0, again.stderr);
    assertEquals(await read(), bytes);
    // nothing left beside it: the staging and old copies are gone
    const siblings: string[] = [];
    for await (const e of Deno.readDir(`${cwd}/models`)) siblings.push(e.name);
    assertEquals(siblings.sort(), ["mnist-cnn", "mnist-linear", "mnist-mlp", "mnist-report"]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("mnist_report refuses to replace a directory that holds other files (exit 2), and leaves it as it was", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "mnist-report-" });
  try {
    await Deno.mkdir(`${cwd}/models/keep`, { recursive: true });
    await Deno.writeTextFile(`${cwd}/models/keep/notes.txt`, "mine");
    const r = await mnistReport(cwd, "--out", "models/keep");
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "models/keep holds entries that are not the report's (notes.txt)");
    assertEquals(await Deno.readTextFile(`${cwd}/models/keep/notes.txt`), "mine");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("readMnistMetrics() and readMnistHistory() name the file and field of a malformed run directory, before a report uses it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mnist-malformed-" });
  const shipped = mnistRunPaths("models/mnist-linear");
  const metrics = JSON.parse(await Deno.readTextFile(shipped.metrics));
  const history = JSON.parse(await Deno.readTextFile(shipped.history));
  const paths = mnistRunPaths(dir);
  const write = (path: string, value: unknown) => Deno.writeTextFile(path, JSON.stringify(value));
  await write(paths.metrics, metrics);
  await write(paths.history, history);
  assertEquals(await readMnistMetrics(dir), metrics);
  assertEquals(await readMnistHistory(dir), history);
  const cases: [string, unknown, string][] = [
    [paths.metrics, { ...metrics, test: { ...metrics.test, accuracy: "high" } }, "test.accuracy"],
    [paths.metrics, { ...metrics, train: undefined }, "train"],
    [paths.metrics, { ...metrics, config: { ...metrics.config, model: "svm" } }, "config"],
    [paths.metrics, { ...metrics, test: { ...metrics.test, confusion: [[1]] } }, "test.confusion"],
  ];
  for (const [path, value, field] of cases) {
    await write(path, value);
    const error = await assertRejects(() => readMnistMetrics(dir), ModelDirError);
    assertStringIncludes(error.message, field);
    assert(!error.message.includes("\n"), error.message);
  }
  await write(paths.metrics, metrics);
  await write(paths.history, { ...history, evaluations: [{ iteration: 0 }] });
  const error = await assertRejects(() => readMnistHistory(dir), ModelDirError);
  assertStringIncludes(error.message, "evaluations[0].batchAccuracy");
  await Deno.writeTextFile(paths.history, "{");
  await assertRejects(() => readMnistHistory(dir), ModelDirError, "history.json");
  await Deno.remove(dir, { recursive: true });
});
