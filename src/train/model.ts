/**
 * The exercise's network in tf.layers: LSTM(200) then Dense(1, sigmoid) on the last h (item b).
 * @module
 */
import { tf } from "./backend.ts";
import { deriveSeed } from "../core/rng.ts";
import type { TrainConfig } from "../core/spec.ts";

/** Trainable weights in the tf.layers layout, gate order i, f, c, o along the 4H axis. */
export interface LstmWeights {
  /** Input kernel, shape `[1, 4H]`. */
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
 * kernel, zero biases but a forget-gate bias of 1 when `unitForgetBias` is set.
 *
 * @param config `seed`, `units`, `seriesLength`, `unitForgetBias`.
 * @returns A tf.layers model, input `[N, seriesLength, 1]` (scaled digits), output `[N, 1]`.
 */
export function buildModel(
  config: Pick<
    TrainConfig,
    "seed" | "units" | "seriesLength" | "unitForgetBias"
  >,
): tf.LayersModel {
  const seed = (tag: string) => deriveSeed(config.seed, "init", tag);
  const model = tf.sequential({ name: "lstm_sum" });
  const warn = console.warn; // the orthogonal initialiser warns on every large matrix
  console.warn = () => {};
  try {
    model.add(tf.layers.lstm({
      name: "lstm",
      units: config.units,
      inputShape: [config.seriesLength, 1],
      activation: "tanh",
      recurrentActivation: "sigmoid",
      unitForgetBias: config.unitForgetBias,
      kernelInitializer: tf.initializers.glorotUniform({
        seed: seed("kernel"),
      }),
      recurrentInitializer: tf.initializers.orthogonal({
        seed: seed("recurrent"),
        gain: 1,
      }),
      biasInitializer: "zeros",
    }));
    model.add(tf.layers.dense({
      name: "output",
      units: 1,
      activation: "sigmoid",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed("dense") }),
      biasInitializer: "zeros",
    }));
  } finally {
    console.warn = warn;
  }
  return model;
}

/**
 * The model's trainable variables by role.
 *
 * @param model A model from {@link buildModel}.
 * @returns The live variables (not copies).
 */
export function modelVariables(
  model: tf.LayersModel,
): Record<keyof LstmWeights, tf.Variable> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length !== WEIGHT_NAMES.length) {
    throw new Error(
      `Expected ${WEIGHT_NAMES.length} trainable weights, got ${vars.length}`,
    );
  }
  return Object.fromEntries(WEIGHT_NAMES.map((n, i) => [n, vars[i]])) as Record<
    keyof LstmWeights,
    tf.Variable
  >;
}

/**
 * Counts the trainable parameters: 4·(H·(1+H)+H) + H + 1, 161,801 for H = 200.
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
