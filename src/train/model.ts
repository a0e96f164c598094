/**
 * The exercise's network in tf.layers: LSTM(200) then Dense(1, sigmoid) on the last h (item b).
 * @module
 */
import { tf } from "./backend.ts";
import { deriveSeed } from "../core/rng.ts";
import { type Arch, archOf, CONV1D, inputWidthOf, SPEC, type TrainConfig } from "../core/spec.ts";

/** Trainable weights in the tf.layers layout, gate order i, f, c, o along the 4H axis. */
export interface LstmWeights {
  /** Input kernel, shape `[F, 4H]` (F inputs per step: 1, or 10 one-hot). */
  kernel: tf.Tensor2D;
  /** Recurrent kernel, shape `[H, 4H]`. */
  recurrentKernel: tf.Tensor2D;
  /** Gate bias, shape `[4H]`. */
  bias: tf.Tensor1D;
  /** Output kernel, shape `[H, 1]`. */
  denseKernel: tf.Tensor2D;
  /** Output bias, shape `[1]`. */
  denseBias: tf.Tensor1D;
}

/** The names of {@link LstmWeights}, in the order of `model.trainableWeights`. */
export const WEIGHT_NAMES = [
  "kernel",
  "recurrentKernel",
  "bias",
  "denseKernel",
  "denseBias",
] as const;

/**
 * Builds the network with seeded initialisers: Glorot-uniform kernels, an orthogonal recurrent
 * kernel (Glorot-uniform with `recurrentInit: "glorot"`, zeros with `"zeros"`), zero biases but a forget-gate bias of 1 when `unitForgetBias` is set, or of `forgetBias`
 * when that is given.
 *
 * @param config `seed`, `units`, `seriesLength`, `unitForgetBias`, `forgetBias`, `arch`, and
 *   `inputScaling` (the LSTM's input size: 10 for one-hot, else 1; absent, 1).
 * @returns A tf.layers model, input `[N, seriesLength, F]` (scaled digits, F inputs per step), output `[N, 1]`.
 */
export function buildModel(
  config:
    & Pick<TrainConfig, "seed" | "units" | "seriesLength" | "unitForgetBias" | "forgetBias" | "arch" | "recurrentInit">
    & Partial<Pick<TrainConfig, "inputScaling">>,
): tf.LayersModel {
  const seed = (tag: string) => deriveSeed(config.seed, "init", tag);
  // every arch ends in the spec's output: one sigmoid unit (item b)
  const output = () =>
    tf.layers.dense({
      name: "output",
      units: SPEC.outputs,
      activation: "sigmoid",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed("dense") }),
      biasInitializer: "zeros",
    });
  // item (e): orthogonal (the default), Glorot-uniform or zeros
  const recurrentInitializer = () =>
    config.recurrentInit === "glorot"
      ? tf.initializers.glorotUniform({ seed: seed("recurrent") })
      : config.recurrentInit === "zeros"
      ? tf.initializers.zeros()
      : tf.initializers.orthogonal({ seed: seed("recurrent"), gain: 1 });
  const arch = archOf(config);
  if (arch === "rnn" || arch === "gru") {
    // the same initialisers as the LSTM's: Glorot-uniform kernel, the recurrent kernel's of item (e), zero bias
    const cell = {
      name: arch,
      units: config.units,
      inputShape: [config.seriesLength, 1],
      activation: "tanh" as const,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed("kernel") }),
      recurrentInitializer: recurrentInitializer(),
      biasInitializer: "zeros" as const,
    };
    const warn = console.warn; // the orthogonal initialiser warns on every large matrix
    console.warn = () => {};
    try {
      return tf.sequential({
        name: `${arch}_sum`,
        layers: [
          arch === "rnn" ? tf.layers.simpleRNN(cell) : tf.layers.gru({ ...cell, recurrentActivation: "sigmoid" }),
          output(),
        ],
      });
    } finally {
      console.warn = warn;
    }
  }
  if (arch === "conv1d") {
    return tf.sequential({
      name: "conv1d_sum",
      layers: [
        tf.layers.conv1d({
          name: "conv1d",
          inputShape: [config.seriesLength, 1],
          filters: CONV1D.filters,
          kernelSize: CONV1D.kernelSize,
          activation: "relu",
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed("kernel") }),
          biasInitializer: "zeros",
        }),
        tf.layers.globalAveragePooling1d({ name: "pool" }),
        output(),
      ],
    });
  }
  if (arch === "linear") {
    // one logistic unit on the T scaled digits: Dense(1, sigmoid) after a flatten
    return tf.sequential({
      name: "linear_sum",
      layers: [
        tf.layers.flatten({ name: "flatten", inputShape: [config.seriesLength, 1] }),
        output(),
      ],
    });
  }
  const model = tf.sequential({ name: "lstm_sum" });
  const warn = console.warn; // the orthogonal initialiser warns on every large matrix
  console.warn = () => {};
  try {
    model.add(tf.layers.lstm({
      name: "lstm",
      units: config.units,
      inputShape: [config.seriesLength, inputWidthOf(config)],
      activation: "tanh",
      recurrentActivation: "sigmoid",
      unitForgetBias: config.unitForgetBias,
      kernelInitializer: tf.initializers.glorotUniform({
        seed: seed("kernel"),
      }),
      recurrentInitializer: recurrentInitializer(),
      biasInitializer: "zeros",
    }));
    model.add(output());
  } finally {
    console.warn = warn;
  }
  if (config.forgetBias !== undefined) {
    // gate order i, f, c, o along the 4H axis: the second block is the forget gate's
    const H = config.units;
    const bias = new Float32Array(4 * H);
    bias.fill(config.forgetBias, H, 2 * H);
    tf.tidy(() => modelVariables(model).bias.assign(tf.tensor1d(bias)));
  }
  return model;
}

/** One of the five weights' names. */
export type WeightName = typeof WEIGHT_NAMES[number];

/** The model's live trainable variables by role, typed by rank: usable wherever {@link LstmWeights} is. */
export interface LstmVariables {
  /** Input kernel, shape `[F, 4H]` (F inputs per step: 1, or 10 one-hot). */
  kernel: tf.Variable<tf.Rank.R2>;
  /** Recurrent kernel, shape `[H, 4H]`. */
  recurrentKernel: tf.Variable<tf.Rank.R2>;
  /** Gate bias, shape `[4H]`. */
  bias: tf.Variable<tf.Rank.R1>;
  /** Output kernel, shape `[H, 1]`. */
  denseKernel: tf.Variable<tf.Rank.R2>;
  /** Output bias, shape `[1]`. */
  denseBias: tf.Variable<tf.Rank.R1>;
}

/** The rank each weight has. */
const WEIGHT_RANKS: Readonly<Record<WeightName, 1 | 2>> = {
  kernel: 2,
  recurrentKernel: 2,
  bias: 1,
  denseKernel: 2,
  denseBias: 1,
};

function isRank2<T extends tf.Tensor>(t: T): t is T & tf.Tensor<tf.Rank.R2> {
  return t.rank === 2;
}

function isRank1<T extends tf.Tensor>(t: T): t is T & tf.Tensor<tf.Rank.R1> {
  return t.rank === 1;
}

function rank2<T extends tf.Tensor>(t: T, name: WeightName): T & tf.Tensor<tf.Rank.R2> {
  if (!isRank2(t)) throw new RangeError(`Weight "${name}" must have rank 2, got shape [${t.shape}]`);
  return t;
}

function rank1<T extends tf.Tensor>(t: T, name: WeightName): T & tf.Tensor<tf.Rank.R1> {
  if (!isRank1(t)) throw new RangeError(`Weight "${name}" must have rank 1, got shape [${t.shape}]`);
  return t;
}

/**
 * The model's trainable variables by role, checked and typed by rank.
 *
 * @param model A model from {@link buildModel}.
 * @returns The live variables (not copies).
 * @throws {Error} A model without the five weights of {@link buildModel}.
 */
export function modelVariables(model: tf.LayersModel): LstmVariables {
  const vars = model.trainableWeights.map((w, i) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`Trainable weight ${i} is not a variable`);
    return v;
  });
  if (vars.length !== WEIGHT_NAMES.length) {
    throw new Error(
      `Expected ${WEIGHT_NAMES.length} trainable weights, got ${vars.length}`,
    );
  }
  const [kernel, recurrentKernel, bias, denseKernel, denseBias] = vars;
  return {
    kernel: rank2(kernel, "kernel"),
    recurrentKernel: rank2(recurrentKernel, "recurrentKernel"),
    bias: rank1(bias, "bias"),
    denseKernel: rank2(denseKernel, "denseKernel"),
    denseBias: rank1(denseBias, "denseBias"),
  };
}

/** A trainable variable with the role name that gradients, the optimizer's order and checkpoints use. */
export interface RoleVariable {
  /** For the LSTM one of {@link WEIGHT_NAMES}; for other archs the weight's layer-qualified name (`output/kernel`). */
  role: string;
  /** The live variable. */
  variable: tf.Variable;
}

/**
 * Every trainable variable of a model with its role, in the order the optimizer sees them.
 *
 * @param model A model from {@link buildModel}.
 * @param arch The model's arch.
 * @returns The variables; for the LSTM in the order of {@link WEIGHT_NAMES}.
 * @throws {Error} A trainable weight that is not a variable.
 */
export function roleVariables(model: tf.LayersModel, arch: Arch): RoleVariable[] {
  if (arch === "lstm") {
    const v = modelVariables(model);
    return WEIGHT_NAMES.map((role) => ({ role, variable: v[role] }));
  }
  return model.trainableWeights.map((w, i) => {
    const variable = w.read();
    if (!(variable instanceof tf.Variable)) throw new Error(`Trainable weight ${i} is not a variable`);
    return { role: w.originalName, variable };
  });
}

/**
 * The model's weights for the fast path and the export: its live variables, typed.
 *
 * @param model A model from {@link buildModel}.
 * @returns The weights (live, not copies).
 */
export function lstmWeights(model: tf.LayersModel): LstmWeights {
  return modelVariables(model);
}

/**
 * Builds weight tensors from arrays and shapes (a worker's copy, a checkpoint).
 *
 * @param values Each weight's values.
 * @param shapes Each weight's shape.
 * @returns New tensors; the caller disposes them.
 * @throws {RangeError} A shape of the wrong rank, or values that do not fill it.
 */
export function weightsFromArrays(
  values: Readonly<Record<WeightName, Float32Array>>,
  shapes: Readonly<Record<WeightName, readonly number[]>>,
): LstmWeights {
  for (const name of WEIGHT_NAMES) {
    if (shapes[name].length !== WEIGHT_RANKS[name]) {
      throw new RangeError(`Weight "${name}" must have rank ${WEIGHT_RANKS[name]}, got shape [${shapes[name]}]`);
    }
  }
  const t = (name: WeightName) => tf.tensor(values[name], [...shapes[name]]);
  return {
    kernel: rank2(t("kernel"), "kernel"),
    recurrentKernel: rank2(t("recurrentKernel"), "recurrentKernel"),
    bias: rank1(t("bias"), "bias"),
    denseKernel: rank2(t("denseKernel"), "denseKernel"),
    denseBias: rank1(t("denseBias"), "denseBias"),
  };
}

/**
 * Counts the trainable parameters: 4·(H·(F+H)+H) + H + 1 for F inputs per step, 161,801 for H = 200
 * and F = 1.
 *
 * @param model Any tf.layers model.
 * @returns The number of trainable scalars.
 */
export function countParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce(
    (n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1),
    0,
  );
}
