/**
 * The H6.1 section of `deno task conformance`: every requirement of exercise H6.1 as a row, checked
 * against the spec object ({@link H61}), the configs the code builds from it ({@link defaultMnistConfig}),
 * the parameter counts ({@link countMnistParams}) and, for each run directory that exists, its recorded
 * config, parameter count and ONNX cross-check. A model without a run directory is "not trained", which
 * is not a failure; a run that uses the project's stated bias deviation "DEVIATES", which is not one either.
 *
 * Pure: the caller reads the run directories (and may re-run model.onnx, src/mnist/verify.ts) and passes
 * what it found; nothing here reads a file.
 * @module
 */
import type { MnistHistory } from "./checkpoint.ts";
import { MNIST_MAX_ABS_DIFF } from "./onnx.ts";
import { countMnistParams } from "./params.ts";
import { defaultMnistConfig, H61, type H61Spec, MNIST_MODELS, type MnistConfig, type MnistModel } from "./spec.ts";
import type { MnistMetrics } from "./train.ts";
import type { MnistVerification } from "./verify.ts";

/**
 * The exercise sheet's numbers, transcribed a second time on purpose: the rows compare the spec object
 * with them, and a check that read its expectations from the object it checks would prove nothing.
 * The parameter counts are worked out by hand from the sheet's shapes (src/mnist/params.ts shows the sums).
 */
export const H61_SHEET = Object.freeze({
  imageSide: 28,
  pixels: 784,
  classes: 10,
  batchSize: 100,
  evaluateEvery: 100,
  loss: "softmaxCrossEntropy",
  linear: Object.freeze({ init: 0, optimizer: "sgd", learningRate: 0.5, iterations: 10_000 }),
  mlp: Object.freeze({ hiddenLayers: 3, hiddenUnits: 1_500, activation: "relu", iterations: 20_000 }),
  init: Object.freeze({ mean: 0, sd: 0.01, truncateAtSd: 2, bias: -0.1 }),
  adam: Object.freeze({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
  dropout: Object.freeze({ rate: 0.5 }),
  cnn: Object.freeze({
    kernelSize: 5,
    stride: 1,
    padding: "same",
    filters: Object.freeze([32, 64]),
    poolSize: 2,
    poolStride: 2,
    dropoutRate: 0,
    iterations: 20_000,
  }),
  parameters: Object.freeze({ linear: 7_850, mlp: 5_695_510, "mlp-dropout": 5_695_510, cnn: 83_466 }),
});

/**
 * The bias init the project states as its deviation from the exercise's −0.1 (README, "Exercise H6.1":
 * `--bias-init 0.1`, TensorFlow's tutorial value, since with −0.1 the deeper layers start dead).
 */
export const STATED_BIAS_DEVIATION = 0.1;

/** A row's outcome. */
export type H61Status = "PASS" | "FAIL" | "DEVIATES" | "not trained";

/** One requirement and what was found. */
export interface H61Row {
  /** The exercise's item, e.g. `(b)`. */
  item: string;
  /** The requirement, with the sheet's numbers. */
  requirement: string;
  /** PASS, FAIL, DEVIATES (the stated deviation) or not trained. */
  status: H61Status;
  /** What was compared, with the figures; on FAIL, what differed. */
  evidence: string;
}

/** What the caller found for one model. */
export interface H61RunInput {
  /** Which network. */
  model: MnistModel;
  /** Its run directory. */
  dir: string;
  /** metrics.json as parsed; absent when the directory does not exist. */
  metrics?: MnistMetrics;
  /** history.json as parsed. */
  history?: MnistHistory;
  /** model.onnx re-run on the test split (src/mnist/verify.ts), or why it could not run; absent: not re-run. */
  verification?: MnistVerification | Error;
  /** Why the run directory, which exists, could not be read: its rows fail with this message. */
  readError?: Error;
}

/** Options of {@link h61Conformance}. */
export interface H61ConformanceOptions {
  /** One entry per model of {@link MNIST_MODELS}, in any order. */
  runs: H61RunInput[];
  /** The spec object to check; {@link H61} when absent (tests pass a wrong one). */
  spec?: H61Spec;
  /** The config the code builds for a model; {@link defaultMnistConfig} when absent. */
  configOf?: (model: MnistModel) => Readonly<MnistConfig>;
}

/** The rows and their tally. */
export interface H61Conformance {
  /** Every requirement, in order: the spec's, then three per model. */
  rows: H61Row[];
  /** Rows that passed. */
  passed: number;
  /** Rows that failed. */
  failed: number;
  /** Rows of runs with the stated bias deviation. */
  deviate: number;
  /** Rows of models without a run directory. */
  notTrained: number;
}

class Unmet extends Error {}

function ensure(condition: boolean, message: string): void {
  if (!condition) throw new Unmet(message);
}

const int = (n: number) => n.toLocaleString("en");
const signed = (x: number) => (x < 0 ? `−${-x}` : String(x));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const itemOf = (model: MnistModel) => `(${String.fromCharCode(97 + MNIST_MODELS.indexOf(model))})`;

/** Config fields the exercise leaves free: the seeds. */
const FREE_FIELDS: readonly (keyof MnistConfig)[] = ["seed", "dataSeed"];

/**
 * Checks every requirement of exercise H6.1: first against the spec and the code's configs, then, per
 * model, against its run directory when it exists.
 *
 * @param options The runs found, and (for tests) the spec and configs to check.
 * @returns The rows in order and how many passed, failed, deviate as stated, or are not trained.
 * @throws {TypeError} An unknown option.
 * @throws {RangeError} A model listed twice or not at all.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const runs = (["linear", "mlp", "mlp-dropout", "cnn"] as const).map((model) => ({ model, dir: `models/mnist-${model}` }));
 * const c = h61Conformance({ runs });
 * assertEquals([c.failed, c.notTrained], [0, 12]);
 * ```
 */
export function h61Conformance(options: H61ConformanceOptions): H61Conformance {
  for (const key of Object.keys(options)) {
    if (!["runs", "spec", "configOf"].includes(key)) throw new TypeError(`Unknown H6.1 conformance option "${key}"`);
  }
  const given = options.runs.map((r) => r.model);
  if (given.length !== MNIST_MODELS.length || MNIST_MODELS.some((m) => !given.includes(m))) {
    throw new RangeError(
      `H6.1 conformance needs one entry per model (${MNIST_MODELS.join(", ")}), got ${given.join(", ")}`,
    );
  }
  const spec = options.spec ?? H61;
  const configOf = options.configOf ?? defaultMnistConfig;
  const rows: H61Row[] = [];
  const check = (item: string, requirement: string, fn: () => string | { deviates: string }) => {
    try {
      const out = fn();
      rows.push(
        typeof out === "string"
          ? { item, requirement, status: "PASS", evidence: out }
          : { item, requirement, status: "DEVIATES", evidence: out.deviates },
      );
    } catch (error) {
      rows.push({ item, requirement, status: "FAIL", evidence: (error as Error).message });
    }
  };
  const S = H61_SHEET;
  const deep: MnistModel[] = ["mlp", "mlp-dropout", "cnn"];
  const mlps: MnistModel[] = ["mlp", "mlp-dropout"];
  /** Checks a field of the code's config of each model against the sheet's value. */
  const configs = <K extends keyof MnistConfig>(models: MnistModel[], key: K, want: MnistConfig[K]) => {
    for (const m of models) {
      const got = configOf(m)[key];
      ensure(same(got, want), `the ${m} config has ${key} ${JSON.stringify(got)}, the sheet ${JSON.stringify(want)}`);
    }
  };
  const field = (name: string, got: unknown, want: unknown) =>
    ensure(same(got, want), `spec ${name} is ${JSON.stringify(got)}, the sheet says ${JSON.stringify(want)}`);

  // the spec object and the configs the code builds from it
  check(
    "(intro)",
    `${S.imageSide}×${S.imageSide} grey images flattened to ${S.pixels} inputs; ${S.classes} classes`,
    () => {
      field("imageSide", spec.imageSide, S.imageSide);
      field("pixels", spec.pixels, S.pixels);
      field("classes", spec.classes, S.classes);
      ensure(
        spec.pixels === spec.imageSide ** 2,
        `spec pixels ${spec.pixels} is not imageSide² ${spec.imageSide ** 2}`,
      );
      return `spec ${spec.imageSide}×${spec.imageSide} = ${spec.pixels} inputs, ${spec.classes} classes`;
    },
  );
  check("(a)", `mini-batches of ${S.batchSize} images for every model`, () => {
    field("batchSize", spec.batchSize, S.batchSize);
    configs([...MNIST_MODELS], "batchSize", S.batchSize);
    return `spec and all ${MNIST_MODELS.length} configs: ${spec.batchSize}`;
  });
  check("(a)–(d)", "softmax output and cross-entropy loss for every model", () => {
    field("loss", spec.loss, S.loss);
    return `spec loss ${spec.loss}`;
  });
  check("(a)", `linear h = W x − θ: W ∈ R^{${S.classes}×${S.pixels}} and θ start at zero`, () => {
    field("linear.init", spec.linear.init, S.linear.init);
    configs(["linear"], "initSd", S.linear.init);
    configs(["linear"], "biasInit", S.linear.init);
    return `spec linear.init ${spec.linear.init}; the linear config's initSd and biasInit 0`;
  });
  check("(a)", `linear: gradient descent with η = ${S.linear.learningRate}`, () => {
    field("linear.optimizer", spec.linear.optimizer, S.linear.optimizer);
    field("linear.learningRate", spec.linear.learningRate, S.linear.learningRate);
    configs(["linear"], "optimizer", S.linear.optimizer);
    configs(["linear"], "learningRate", S.linear.learningRate);
    return `spec and config: ${spec.linear.optimizer}, η ${spec.linear.learningRate}`;
  });
  check("(a)", `linear: ${int(S.linear.iterations)} iterations`, () => {
    field("linear.iterations", spec.linear.iterations, S.linear.iterations);
    configs(["linear"], "iterations", S.linear.iterations);
    return `spec and config: ${int(spec.linear.iterations)}`;
  });
  check("(b)", `MLP: ${S.mlp.hiddenLayers} hidden layers of ${int(S.mlp.hiddenUnits)} ReLU units`, () => {
    field("mlp.hiddenLayers", spec.mlp.hiddenLayers, S.mlp.hiddenLayers);
    field("mlp.hiddenUnits", spec.mlp.hiddenUnits, S.mlp.hiddenUnits);
    field("mlp.activation", spec.mlp.activation, S.mlp.activation);
    configs(mlps, "hiddenLayers", S.mlp.hiddenLayers);
    configs(mlps, "hiddenUnits", S.mlp.hiddenUnits);
    return `spec and the mlp, mlp-dropout configs: ${spec.mlp.hiddenLayers} × ${
      int(spec.mlp.hiddenUnits)
    } ${spec.mlp.activation}`;
  });
  check(
    "(b)",
    `weights of (b)–(d): normal, mean ${S.init.mean}, sd ${S.init.sd}, redrawn beyond ${S.init.truncateAtSd} sd`,
    () => {
      field("init.mean", spec.init.mean, S.init.mean);
      field("init.sd", spec.init.sd, S.init.sd);
      field("init.truncateAtSd", spec.init.truncateAtSd, S.init.truncateAtSd);
      configs(deep, "initSd", S.init.sd);
      return `spec mean ${spec.init.mean}, sd ${spec.init.sd}, cut at ${spec.init.truncateAtSd} sd; initSd ${S.init.sd} in the ${deep.length} configs`;
    },
  );
  check("(b)", `biases of (b)–(d) start at ${signed(S.init.bias)}`, () => {
    field("init.bias", spec.init.bias, S.init.bias);
    configs(deep, "biasInit", S.init.bias);
    return `spec and the ${deep.length} configs: ${signed(spec.init.bias)}`;
  });
  check(
    "(b)",
    `Adam for (b)–(d): η ${S.adam.learningRate}, β1 ${S.adam.beta1}, β2 ${S.adam.beta2}, ε ${S.adam.epsilon}`,
    () => {
      for (const k of ["learningRate", "beta1", "beta2", "epsilon"] as const) {
        field(`adam.${k}`, spec.adam[k], S.adam[k]);
        configs(deep, k, S.adam[k]);
      }
      configs(deep, "optimizer", "adam");
      return `spec and the ${deep.length} configs: adam, η ${spec.adam.learningRate}, β1 ${spec.adam.beta1}, β2 ${spec.adam.beta2}, ε ${spec.adam.epsilon}`;
    },
  );
  check("(b)–(d)", `${int(S.mlp.iterations)} iterations for (b), (c) and (d)`, () => {
    field("mlp.iterations", spec.mlp.iterations, S.mlp.iterations);
    field("cnn.iterations", spec.cnn.iterations, S.cnn.iterations);
    configs(mlps, "iterations", S.mlp.iterations);
    configs(["cnn"], "iterations", S.cnn.iterations);
    return `spec and the ${deep.length} configs: ${int(spec.mlp.iterations)}`;
  });
  check(
    "(c)",
    `dropout rate ${S.dropout.rate} on each hidden layer of (c), during training only; none in (b) and (d)`,
    () => {
      field("dropout.rate", spec.dropout.rate, S.dropout.rate);
      field("cnn.dropoutRate", spec.cnn.dropoutRate, S.cnn.dropoutRate);
      configs(["mlp-dropout"], "dropoutRate", S.dropout.rate);
      configs(["linear", "mlp", "cnn"], "dropoutRate", 0);
      return `spec ${spec.dropout.rate}; the mlp-dropout config ${S.dropout.rate}, the others 0 ` +
        `(training only: see each run's model.onnx row)`;
    },
  );
  check(
    "(d)",
    `CNN convolutions: ${S.cnn.kernelSize}×${S.cnn.kernelSize} kernels, stride ${S.cnn.stride}, '${S.cnn.padding}' ` +
      `zero padding, ${S.cnn.filters.join(" then ")} feature maps, each with a bias and a ReLU`,
    () => {
      field("cnn.kernelSize", spec.cnn.kernelSize, S.cnn.kernelSize);
      field("cnn.stride", spec.cnn.stride, S.cnn.stride);
      field("cnn.padding", spec.cnn.padding, S.cnn.padding);
      field("cnn.filters", spec.cnn.filters, S.cnn.filters);
      configs(["cnn"], "filters", [...S.cnn.filters]);
      return `spec ${spec.cnn.kernelSize}×${spec.cnn.kernelSize}, stride ${spec.cnn.stride}, ${spec.cnn.padding}; ` +
        `the cnn config's filters [${configOf("cnn").filters.join(", ")}]`;
    },
  );
  check(
    "(d)",
    `CNN down-sampling: ${S.cnn.poolSize}×${S.cnn.poolSize} max-pooling with stride ${S.cnn.poolStride} after each ` +
      `convolution, then one fully connected layer to the ${S.classes} outputs`,
    () => {
      field("cnn.poolSize", spec.cnn.poolSize, S.cnn.poolSize);
      field("cnn.poolStride", spec.cnn.poolStride, S.cnn.poolStride);
      const layers = countMnistParams(configOf("cnn")).layers.map((l) => l.name);
      ensure(same(layers, ["conv1", "conv2", "output"]), `the cnn's trainable layers are ${layers.join(", ")}`);
      return `spec pool ${spec.cnn.poolSize}×${spec.cnn.poolSize}, stride ${spec.cnn.poolStride}; trainable layers ${
        layers.join(", ")
      }`;
    },
  );
  check("(e)", `training and test accuracy every ${S.evaluateEvery}th iteration`, () => {
    field("evaluateEvery", spec.evaluateEvery, S.evaluateEvery);
    configs([...MNIST_MODELS], "evaluateEvery", S.evaluateEvery);
    return `spec and all ${MNIST_MODELS.length} configs: every ${spec.evaluateEvery}`;
  });
  check(
    "(e)",
    `parameters: linear ${int(S.parameters.linear)}, MLPs ${int(S.parameters.mlp)}, CNN ${int(S.parameters.cnn)}`,
    () => {
      const counts = MNIST_MODELS.map((m) => countMnistParams(configOf(m)).total);
      MNIST_MODELS.forEach((m, k) =>
        ensure(counts[k] === S.parameters[m], `the ${m} config has ${int(counts[k])} parameters`)
      );
      return `counted from the configs' shapes: ${counts.map(int).join(" / ")}`;
    },
  );

  // each run directory that exists: its recorded config, parameter count and ONNX cross-check
  for (const model of MNIST_MODELS) {
    const run = options.runs.find((r) => r.model === model)!;
    const item = itemOf(model);
    const requirements = [
      `${model} run: the exercise's config, every iteration run (\`${run.dir}\`)`,
      `${model} run: ${int(S.parameters[model])} parameters recorded`,
      `${model} run: model.onnx agrees with tf.layers on every test image${
        model === "mlp-dropout" ? " (so no dropout at inference)" : ""
      }`,
    ];
    const metrics = run.metrics;
    if (run.readError) {
      for (const requirement of requirements) {
        rows.push({ item, requirement, status: "FAIL", evidence: run.readError.message });
      }
      continue;
    }
    if (!metrics) {
      for (const requirement of requirements) {
        rows.push({ item, requirement, status: "not trained", evidence: `no run directory ${run.dir}` });
      }
      continue;
    }
    check(item, requirements[0], () => runConfig(model, metrics, run.history, configOf(model)));
    check(item, requirements[1], () => {
      const counted = countMnistParams(metrics.config).total;
      ensure(
        metrics.parameters === S.parameters[model] && counted === S.parameters[model],
        `metrics.json records ${int(metrics.parameters)}, its config's shapes give ${int(counted)}`,
      );
      return `metrics.json ${int(metrics.parameters)}, as its config's shapes give`;
    });
    check(item, requirements[2], () => onnxRecord(metrics, run.verification));
  }

  const tally = (s: H61Status) => rows.filter((r) => r.status === s).length;
  return {
    rows,
    passed: tally("PASS"),
    failed: tally("FAIL"),
    deviate: tally("DEVIATES"),
    notTrained: tally("not trained"),
  };
}

/** A run's recorded config against the code's, and its history against the config. */
function runConfig(
  model: MnistModel,
  metrics: MnistMetrics,
  history: MnistHistory | undefined,
  want: Readonly<MnistConfig>,
): string | { deviates: string } {
  const got = metrics.config;
  ensure(got?.model === model, `metrics.json holds a ${got?.model} run`);
  const differ = (Object.keys(want) as (keyof MnistConfig)[])
    .filter((k) => !FREE_FIELDS.includes(k) && k !== "biasInit" && !same(got[k], want[k]))
    .map((k) => `${k} ${JSON.stringify(got[k])} (the exercise's ${JSON.stringify(want[k])})`);
  const deviation = model !== "linear" && got.biasInit === STATED_BIAS_DEVIATION;
  if (got.biasInit !== want.biasInit && !deviation) {
    differ.push(`biasInit ${signed(got.biasInit)} (the exercise's ${signed(want.biasInit)})`);
  }
  ensure(differ.length === 0, `recorded ${differ.join("; ")}`);
  ensure(history !== undefined, "history.json is missing");
  ensure(
    history!.loss.length === got.iterations,
    `history.json holds ${int(history!.loss.length)} updates, the config ${int(got.iterations)}`,
  );
  const at = history!.evaluations.map((e) => e.iteration);
  const expected: number[] = [];
  for (let i = 0; i < got.iterations; i += got.evaluateEvery) expected.push(i);
  expected.push(got.iterations);
  ensure(
    same(at, expected),
    `history.json evaluates at ${at.length} iterations, not at every ${got.evaluateEvery}th of ${int(got.iterations)}`,
  );
  const done = `${int(got.iterations)} iterations of ${got.batchSize} run, ${at.length} evaluations`;
  if (deviation) {
    return {
      deviates: `biasInit ${signed(got.biasInit)} instead of ${
        signed(want.biasInit)
      }: the stated deviation (--bias-init ${STATED_BIAS_DEVIATION}); every other field the exercise's; ${done}`,
    };
  }
  return `every field the exercise's (seed ${got.seed}); ${done}`;
}

/** The recorded ONNX cross-check, and the re-run of model.onnx when given. */
function onnxRecord(metrics: MnistMetrics, verification: MnistVerification | Error | undefined): string {
  const o = metrics.onnx;
  ensure(o !== undefined, "metrics.json records no ONNX cross-check");
  ensure(o!.decisionsAgree === true, "the recorded cross-check found images classified differently");
  ensure(
    o!.maxAbsDiff <= MNIST_MAX_ABS_DIFF,
    `the recorded max abs diff of the probabilities ${o!.maxAbsDiff} exceeds ${MNIST_MAX_ABS_DIFF}`,
  );
  ensure(
    o!.accuracy === metrics.test.accuracy,
    `model.onnx's recorded accuracy ${o!.accuracy} differs from the test accuracy ${metrics.test.accuracy}`,
  );
  const recorded = `max abs diff of the probabilities ${o!.maxAbsDiff.toExponential(2)}, decisions agree, accuracy ${
    (100 * o!.accuracy).toFixed(2)
  } % as recorded`;
  if (verification === undefined) return recorded;
  if (verification instanceof Error) throw new Unmet(`re-running model.onnx failed: ${verification.message}`);
  const failed = verification.checks.filter((c) => !c.ok);
  ensure(failed.length === 0, `re-running model.onnx: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`);
  return `${recorded}; re-run on the ${int(verification.size)} test images: ${
    (100 * verification.accuracy).toFixed(2)
  } % and the confusion matrix, as recorded`;
}

/**
 * The section as Markdown lines: the table, then `conformance H6.1: N passed, N failed, N deviate (stated),
 * N not trained`.
 *
 * @param c The rows and tally.
 * @returns Lines to print.
 */
export function formatH61Conformance(c: H61Conformance): string[] {
  return [
    "| H6.1 item | requirement | result | evidence |",
    "|---|---|---|---|",
    ...c.rows.map((r) => `| ${r.item} | ${r.requirement} | ${r.status} | ${r.evidence.replace(/\|/g, "\\|")} |`),
    `conformance H6.1: ${c.passed} passed, ${c.failed} failed, ${c.deviate} deviate (stated), ${c.notTrained} not trained`,
  ];
}
