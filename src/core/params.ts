/**
 * Parameter counts of sequence models, from their shapes alone (tf.layers / Keras conventions):
 * one pure function that the architecture comparison and its tests share.
 * @module
 */
import { archOf, CONV1D, inputWidthOf, SPEC, type TrainConfig } from "./spec.ts";

/** One layer of a stack, applied to the previous layer's features (or the input's). */
export type LayerShape =
  /** A fully connected layer with bias. */
  | { kind: "dense"; units: number }
  /** Elman's recurrent layer: h = tanh(W x + U h + b). */
  | { kind: "simpleRnn"; units: number }
  /** An LSTM: four gates, each W x + U h + b. */
  | { kind: "lstm"; units: number }
  /** A GRU as tf.layers builds it (reset gate before the recurrent product): three gates, one bias each. */
  | { kind: "gru"; units: number }
  /** A 1-D convolution with bias over `channels` in, `filters` out. */
  | { kind: "conv1d"; filters: number; kernelSize: number };

/**
 * Counts the trainable parameters of a stack of layers.
 *
 * @param inputSize Features per step of the input (1 for a digit, 30 for 30-dimensional vectors).
 * @param layers The stack, first layer first; each takes the previous one's output features.
 * @returns Per layer and in all. Sequence length does not enter: the weights are shared over steps.
 * @throws {RangeError} A size that is not a positive integer.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * // the exercise's network: LSTM(200) on one digit, then one sigmoid unit
 * assertEquals(countParameters(1, [{ kind: "lstm", units: 200 }, { kind: "dense", units: 1 }]).total, 161_801);
 * ```
 */
export function countParameters(
  inputSize: number,
  layers: readonly LayerShape[],
): { perLayer: number[]; total: number } {
  const positive = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  positive("Input size", inputSize);
  let features = inputSize;
  const perLayer = layers.map((layer, k) => {
    const n = features;
    if (layer.kind === "conv1d") {
      positive(`Layer ${k} filters`, layer.filters);
      positive(`Layer ${k} kernel size`, layer.kernelSize);
      features = layer.filters;
      return layer.kernelSize * n * layer.filters + layer.filters;
    }
    const u = layer.units;
    positive(`Layer ${k} units`, u);
    features = u;
    const cell = u * (n + u) + u; // W x + U h + b for one gate
    switch (layer.kind) {
      case "dense":
        return n * u + u;
      case "simpleRnn":
        return cell;
      case "lstm":
        return 4 * cell;
      case "gru":
        return 3 * cell;
    }
  });
  return { perLayer, total: perLayer.reduce((a, b) => a + b, 0) };
}

/**
 * The layers of a config's network, for {@link countParameters}: the input size and the layer shapes.
 *
 * @param config The arch, units and series length, and the input scaling (absent: one input per step).
 * @returns The input size per step and the layers.
 */
export function archLayers(
  config: Pick<TrainConfig, "arch" | "units" | "seriesLength"> & Partial<Pick<TrainConfig, "inputScaling">>,
): { inputSize: number; layers: LayerShape[] } {
  const out: LayerShape = { kind: "dense", units: SPEC.outputs };
  switch (archOf(config)) {
    case "linear":
      return { inputSize: config.seriesLength, layers: [out] };
    case "conv1d":
      return { inputSize: 1, layers: [{ kind: "conv1d", ...CONV1D }, out] };
    case "rnn":
      return { inputSize: 1, layers: [{ kind: "simpleRnn", units: config.units }, out] };
    case "gru":
      return { inputSize: 1, layers: [{ kind: "gru", units: config.units }, out] };
    case "lstm":
      return {
        inputSize: inputWidthOf(config),
        layers: [{ kind: "lstm", units: config.units }, out],
      };
  }
}
