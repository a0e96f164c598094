/**
 * The H6.1 section of `deno task conformance` (src/mnist/conformance.ts): every requirement of the
 * exercise is a row, each spec number that differs from the sheet fails its row, a run directory is
 * checked for its recorded config, parameter count and ONNX cross-check, and a model without one is
 * "not trained", not a failure. The last test runs scripts/conformance.ts as a process: the LSTM
 * section comes first and unchanged, then the H6.1 section.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "@std/assert";
import {
  formatH61Conformance,
  H61_SHEET,
  type H61Conformance,
  h61Conformance,
  type H61Row,
  type H61RunInput,
  STATED_BIAS_DEVIATION,
} from "../src/mnist/conformance.ts";
import type { MnistHistory } from "../src/mnist/checkpoint.ts";
import { countMnistParams } from "../src/mnist/params.ts";
import {
  defaultMnistConfig,
  H61,
  type H61Spec,
  MNIST_MODELS,
  type MnistConfig,
  type MnistModel,
  type MnistOverrides,
  resolveMnistConfig,
} from "../src/mnist/spec.ts";
import type { MnistMetrics } from "../src/mnist/train.ts";
import type { MnistVerification } from "../src/mnist/verify.ts";

const K = H61.classes;

/** No model trained. */
function untrained(): H61RunInput[] {
  return MNIST_MODELS.map((model) => ({ model, dir: `models/mnist-${model}` }));
}

/** A run's metrics.json and history.json as trainMnist writes them, for a config with these overrides. */
function fakeRun(overrides: MnistOverrides): { metrics: MnistMetrics; history: MnistHistory } {
  const config = resolveMnistConfig(overrides);
  const confusion = Array.from({ length: K }, (_, t) => Array.from({ length: K }, (_, p) => (t === p ? 200 : 0)));
  const evaluations = [];
  for (let i = 0; i < config.iterations; i += config.evaluateEvery) evaluations.push(i);
  evaluations.push(config.iterations);
  return {
    metrics: {
      config: { ...config, filters: [...config.filters] },
      parameters: countMnistParams(config).total,
      data: { source: "fixture", train: new Array(K).fill(800), test: new Array(K).fill(200) },
      train: { size: config.trainSize, loss: 0.1, accuracy: 1, confusion },
      test: { size: config.testSize, loss: 0.1, accuracy: 1, confusion },
      onnx: { runtime: "fixture", maxAbsDiff: 2e-6, decisionsAgree: true, accuracy: 1 },
      seconds: 1,
    },
    history: {
      loss: new Array(config.iterations).fill(0.1),
      accuracy: new Array(config.iterations).fill(1),
      evaluations: evaluations.map((iteration) => ({
        iteration,
        batchAccuracy: 1,
        testLoss: 0.1,
        testAccuracy: 1,
        seconds: 1,
      })),
    },
  };
}

/** The runs with `model` trained as given. */
function withRun(model: MnistModel, run: Partial<H61RunInput>): H61RunInput[] {
  return untrained().map((r) => (r.model === model ? { ...r, ...run } : r));
}

/** The rows of a model's run: config, parameters, ONNX. */
function runRows(c: H61Conformance, model: MnistModel): H61Row[] {
  const rows = c.rows.filter((r) => r.requirement.startsWith(`${model} run:`));
  assertEquals(rows.length, 3, `${model}: ${rows.length} run rows`);
  return rows;
}

/** A verification that passed (or failed, with the failing check). */
function verification(ok: boolean): MnistVerification {
  return {
    checks: [
      { name: "test split", ok: true, detail: "as recorded" },
      { name: "accuracy", ok, detail: ok ? "as recorded" : "model.onnx classifies 1990 of 2000 test images right" },
    ],
    ok,
    accuracy: ok ? 1 : 0.995,
    size: 2000,
  };
}

Deno.test("h61Conformance() passes every spec row and lists each untrained model's rows as not trained, not as FAIL", () => {
  const c = h61Conformance({ runs: untrained() });
  const spec = c.rows.filter((r) => !r.requirement.includes(" run: "));
  assertEquals(spec.length, 16);
  for (const r of spec) assertEquals(r.status, "PASS", `${r.requirement}: ${r.evidence}`);
  assertEquals([c.passed, c.failed, c.deviate, c.notTrained], [16, 0, 0, 12]);
  for (const model of MNIST_MODELS) {
    for (const r of runRows(c, model)) {
      assertEquals([r.status, r.evidence], ["not trained", `no run directory models/mnist-${model}`]);
    }
  }
});

Deno.test("h61Conformance() states the exercise's numbers in its requirements", () => {
  const text = h61Conformance({ runs: untrained() }).rows.map((r) => `${r.item} ${r.requirement}`).join("\n");
  for (
    const s of [
      "28×28",
      "784 inputs",
      "mini-batches of 100",
      "η = 0.5",
      "10,000 iterations",
      "3 hidden layers of 1,500 ReLU units",
      "sd 0.01, redrawn beyond 2 sd",
      "start at −0.1",
      "η 0.001, β1 0.9, β2 0.999, ε 1e-8",
      "20,000 iterations for (b), (c) and (d)",
      "dropout rate 0.5 on each hidden layer of (c), during training only",
      "5×5 kernels, stride 1, 'same'",
      "32 then 64 feature maps",
      "2×2 max-pooling with stride 2",
      "every 100th iteration",
      "linear 7,850, MLPs 5,695,510, CNN 83,466",
    ]
  ) {
    assertStringIncludes(text, s);
  }
});

Deno.test("h61Conformance() fails exactly the row of a spec number that differs from the sheet, naming both", () => {
  const cases: [path: string, value: unknown, row: RegExp, message: string][] = [
    ["batchSize", 50, /mini-batches/, "spec batchSize is 50, the sheet says 100"],
    ["linear.learningRate", 0.1, /gradient descent/, "spec linear.learningRate is 0.1, the sheet says 0.5"],
    ["mlp.hiddenUnits", 1000, /hidden layers/, "is 1000, the sheet says 1500"],
    ["init.truncateAtSd", 3, /redrawn/, "is 3, the sheet says 2"],
    ["init.bias", -0.2, /biases/, "is -0.2, the sheet says -0.1"],
    ["adam.beta2", 0.99, /Adam/, "is 0.99, the sheet says 0.999"],
    ["dropout.rate", 0.4, /dropout rate/, "is 0.4, the sheet says 0.5"],
    ["cnn.filters", [16, 32], /convolutions/, "is [16,32], the sheet says [32,64]"],
    ["cnn.poolStride", 1, /down-sampling/, "is 1, the sheet says 2"],
    ["evaluateEvery", 50, /every 100th/, "is 50, the sheet says 100"],
  ];
  for (const [name, value, row, message] of cases) {
    const spec = structuredClone(H61) as unknown as Record<string, Record<string, unknown>>;
    const [top, inner] = name.split(".");
    if (inner === undefined) (spec as Record<string, unknown>)[top] = value;
    else spec[top][inner] = value;
    const c = h61Conformance({ runs: untrained(), spec: spec as unknown as H61Spec });
    const failed = c.rows.filter((r) => r.status === "FAIL");
    assertEquals(failed.length, 1, `${name}: ${failed.map((r) => r.requirement).join("; ")}`);
    assertMatch(failed[0].requirement, row, name);
    assertStringIncludes(failed[0].evidence, message, name);
  }
});

Deno.test("h61Conformance() fails the rows of a config the code builds unlike the sheet, parameters included", () => {
  const configOf = (m: MnistModel): Readonly<MnistConfig> =>
    m === "mlp" ? resolveMnistConfig({ model: "mlp", hiddenUnits: 1000 }) : defaultMnistConfig(m);
  const c = h61Conformance({ runs: untrained(), configOf });
  const failed = c.rows.filter((r) => r.status === "FAIL");
  assertEquals(failed.map((r) => r.item), ["(b)", "(e)"]);
  assertStringIncludes(failed[0].evidence, "the mlp config has hiddenUnits 1000, the sheet 1500");
  assertStringIncludes(failed[1].evidence, "the mlp config has 2,797,010 parameters");
});

Deno.test("h61Conformance() passes a run with the exercise's config, its parameter count and a passed ONNX cross-check", () => {
  const run = fakeRun({ model: "linear", seed: 7 });
  const c = h61Conformance({ runs: withRun("linear", { ...run, verification: verification(true) }) });
  const [config, parameters, onnx] = runRows(c, "linear");
  assertEquals([config.status, parameters.status, onnx.status], ["PASS", "PASS", "PASS"], JSON.stringify(c.rows));
  assertStringIncludes(
    config.evidence,
    "every field the exercise's (seed 7); 10,000 iterations of 100 run, 101 evaluations",
  );
  assertStringIncludes(parameters.evidence, "metrics.json 7,850");
  assertStringIncludes(onnx.evidence, "re-run on the 2,000 test images: 100.00 %");
  assertEquals([c.failed, c.notTrained], [0, 9]);
});

Deno.test("h61Conformance() marks the stated bias deviation 0.1 as DEVIATES, another bias as FAIL", () => {
  const stated = h61Conformance({ runs: withRun("cnn", fakeRun({ model: "cnn", biasInit: STATED_BIAS_DEVIATION })) });
  const [config] = runRows(stated, "cnn");
  assertEquals(config.status, "DEVIATES");
  assertStringIncludes(config.evidence, "biasInit 0.1 instead of −0.1: the stated deviation (--bias-init 0.1)");
  assertEquals([stated.failed, stated.deviate], [0, 1]);

  const other = h61Conformance({ runs: withRun("cnn", fakeRun({ model: "cnn", biasInit: 0.2 })) });
  assertEquals(runRows(other, "cnn")[0].status, "FAIL");
  assertStringIncludes(runRows(other, "cnn")[0].evidence, "biasInit 0.2 (the exercise's −0.1)");
  // the linear model's exercise bias is 0: 0.1 is no stated deviation there
  assertEquals(
    runRows(h61Conformance({ runs: withRun("linear", fakeRun({ model: "linear", biasInit: 0.1 })) }), "linear")[0]
      .status,
    "FAIL",
  );
});

Deno.test("h61Conformance() fails a short run, and a history that does not hold every iteration and evaluation", () => {
  const short = h61Conformance({ runs: withRun("mlp", fakeRun({ model: "mlp", iterations: 300 })) });
  assertEquals(runRows(short, "mlp")[0].status, "FAIL");
  assertStringIncludes(runRows(short, "mlp")[0].evidence, "iterations 300 (the exercise's 20000)");

  const run = fakeRun({ model: "linear" });
  const cut = { ...run, history: { ...run.history, loss: run.history.loss.slice(1) } };
  const c = h61Conformance({ runs: withRun("linear", cut) });
  assertEquals(runRows(c, "linear")[0].status, "FAIL");
  assertStringIncludes(runRows(c, "linear")[0].evidence, "history.json holds 9,999 updates, the config 10,000");

  const gaps = { ...run, history: { ...run.history, evaluations: run.history.evaluations.slice(0, -1) } };
  assertStringIncludes(
    runRows(h61Conformance({ runs: withRun("linear", gaps) }), "linear")[0].evidence,
    "history.json evaluates at 100 iterations",
  );
});

Deno.test("h61Conformance() fails a recorded parameter count unlike the exercise's", () => {
  const run = fakeRun({ model: "cnn" });
  const c = h61Conformance({ runs: withRun("cnn", { ...run, metrics: { ...run.metrics, parameters: 83_000 } }) });
  const [, parameters] = runRows(c, "cnn");
  assertEquals(parameters.status, "FAIL");
  assertStringIncludes(parameters.evidence, "metrics.json records 83,000, its config's shapes give 83,466");
});

Deno.test("h61Conformance() fails a missing, disagreeing or inconsistent ONNX record, and a failed or impossible re-run", () => {
  const run = fakeRun({ model: "mlp-dropout" });
  const onnx = run.metrics.onnx!;
  const cases: [Partial<H61RunInput>, string][] = [
    [{ metrics: { ...run.metrics, onnx: undefined } }, "metrics.json records no ONNX cross-check"],
    [{ metrics: { ...run.metrics, onnx: { ...onnx, decisionsAgree: false } } }, "classified differently"],
    [{ metrics: { ...run.metrics, onnx: { ...onnx, maxAbsDiff: 1e-3 } } }, "0.001 exceeds 0.0001"],
    [{ metrics: { ...run.metrics, onnx: { ...onnx, accuracy: 0.99 } } }, "recorded accuracy 0.99 differs"],
    [{ verification: verification(false) }, "re-running model.onnx: accuracy: model.onnx classifies 1990"],
    [{ verification: new Error("m/model.onnx: not found") }, "re-running model.onnx failed: m/model.onnx: not found"],
  ];
  for (const [change, message] of cases) {
    const c = h61Conformance({ runs: withRun("mlp-dropout", { ...run, ...change }) });
    const [, , row] = runRows(c, "mlp-dropout");
    assertEquals(row.status, "FAIL", message);
    assertStringIncludes(row.evidence, message);
  }
  const ok = runRows(h61Conformance({ runs: withRun("mlp-dropout", run) }), "mlp-dropout")[2];
  assertEquals(ok.status, "PASS");
  // the full CNN's measured difference, above the LSTM's 1e-5 and within H6.1's 1e-4
  const cnnDiff = { metrics: { ...run.metrics, onnx: { ...onnx, maxAbsDiff: 1.27e-5 } } };
  assertEquals(
    runRows(h61Conformance({ runs: withRun("mlp-dropout", { ...run, ...cnnDiff }) }), "mlp-dropout")[2].status,
    "PASS",
  );
  assertStringIncludes(ok.requirement, "(so no dropout at inference)");
});

Deno.test("h61Conformance() fails the rows of a run directory it could not read, and rejects a bad model list", () => {
  const c = h61Conformance({
    runs: withRun("cnn", { readError: new Error("models/mnist-cnn/metrics.json: not JSON") }),
  });
  for (const r of runRows(c, "cnn")) {
    assertEquals([r.status, r.evidence], ["FAIL", "models/mnist-cnn/metrics.json: not JSON"]);
  }
  assertThrows(
    () => h61Conformance({ runs: untrained().slice(1) }),
    RangeError,
    "H6.1 conformance needs one entry per model (linear, mlp, mlp-dropout, cnn), got mlp, mlp-dropout, cnn",
  );
  assertThrows(() => h61Conformance({ runs: untrained(), extra: 1 } as never), TypeError, 'option "extra"');
});

Deno.test("H61_SHEET holds the exercise's numbers independently of the spec object", () => {
  assert(!Object.is(H61_SHEET, H61));
  assertEquals(H61_SHEET.parameters, { linear: 7_850, mlp: 5_695_510, "mlp-dropout": 5_695_510, cnn: 83_466 });
  assertEquals([H61_SHEET.batchSize, H61_SHEET.init.bias, H61_SHEET.adam.epsilon], [100, -0.1, 1e-8]);
});

Deno.test("formatH61Conformance() prints one table row per requirement and the tally", () => {
  const c = h61Conformance({ runs: withRun("linear", fakeRun({ model: "linear" })) });
  const lines = formatH61Conformance(c);
  assertEquals(lines[0], "| H6.1 item | requirement | result | evidence |");
  assertEquals(lines.length, 2 + c.rows.length + 1);
  assertEquals(lines[lines.length - 1], "conformance H6.1: 19 passed, 0 failed, 0 deviate (stated), 9 not trained");
  for (const line of lines.slice(2, -1)) assertEquals(line.split(" | ").length, 4, line);
});

// scripts/conformance.ts as a process: the LSTM section, unchanged, then the H6.1 section

const root = new URL("..", import.meta.url).pathname;

Deno.test("conformance prints the LSTM section first, then H6.1: a trained run checked, the others not trained", async () => {
  const runs = await Deno.makeTempDir({ prefix: "mnist-conformance-" });
  try {
    // the committed linear run, whole, and an mlp run with the stated bias deviation and no model.onnx
    await Deno.mkdir(`${runs}/mnist-linear/tfjs`, { recursive: true });
    for (const f of ["metrics.json", "history.json", "model.onnx", "tfjs/model.json", "tfjs/weights.bin"]) {
      await Deno.copyFile(`${root}models/mnist-linear/${f}`, `${runs}/mnist-linear/${f}`);
    }
    const mlp = fakeRun({ model: "mlp", biasInit: STATED_BIAS_DEVIATION });
    await Deno.mkdir(`${runs}/mnist-mlp`);
    await Deno.writeTextFile(`${runs}/mnist-mlp/metrics.json`, JSON.stringify(mlp.metrics));
    await Deno.writeTextFile(`${runs}/mnist-mlp/history.json`, JSON.stringify(mlp.history));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", `${root}scripts/conformance.ts`, "--mnist-runs", runs],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, `${stdout}\n${stderr}`); // the mlp run has no model.onnx to re-run
    const lines = stdout.split("\n");
    const lstmEnd = lines.findIndex((l) => /^conformance: \d+ passed, \d+ failed$/.test(l));
    const h61Start = lines.indexOf("| H6.1 item | requirement | result | evidence |");
    assertEquals(lines[0], "| item | requirement | result | evidence |");
    assert(lstmEnd > 0 && h61Start > lstmEnd, `the LSTM section ends at ${lstmEnd}, H6.1 starts at ${h61Start}`);
    assert(
      !lines.slice(0, lstmEnd).some((l) => l.includes("H6.1") || l.includes("mnist")),
      "H6.1 inside the LSTM section",
    );
    const row = (start: string) => lines.find((l) => l.startsWith(start)) ?? "";
    assertMatch(row("| (a) | linear run: the exercise's config"), /\| PASS \|/);
    assertMatch(row("| (a) | linear run: 7,850 parameters recorded"), /\| PASS \|/);
    assertMatch(row("| (a) | linear run: model.onnx agrees"), /\| PASS \| .*re-run on the 2,000 test images/);
    assertMatch(row("| (b) | mlp run: the exercise's config"), /\| DEVIATES \| biasInit 0.1 instead of −0.1/);
    assertMatch(row("| (b) | mlp run: model.onnx agrees"), /\| FAIL \| re-running model.onnx failed: .*model.onnx/);
    assertMatch(row("| (c) | mlp-dropout run: the exercise's config"), /\| not trained \|/);
    assertMatch(row("| (d) | cnn run: 83,466 parameters recorded"), /\| not trained \|/);
    assertEquals(lines.filter((l) => l.startsWith("conformance H6.1: ")).length, 1);
    assertMatch(stdout, /conformance H6\.1: 20 passed, 1 failed, 1 deviate \(stated\), 6 not trained/);
  } finally {
    await Deno.remove(runs, { recursive: true });
  }
});
