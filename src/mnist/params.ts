/**
 * Parameter counts of the four H6.1 networks from their shapes alone: the figures item (e) asks
 * to compare ("the approximate number of parameters that have to be optimized for each model").
 * @module
 */
import { H61, type MnistConfig } from "./spec.ts";

/** A network's trainable scalars, per layer (weights and bias together) and in all. */
export interface ParamCount {
  /** Each layer's name and count, input to output. */
  layers: { name: string; count: number }[];
  /** Their sum. */
  total: number;
}

/**
 * Counts a network's trainable parameters.
 *
 * - (a) linear: 784·10 + 10 = 7,850;
 * - (b), (c) MLP: (784·1500 + 1500) + 2·(1500·1500 + 1500) + (1500·10 + 10) = 5,695,510 (dropout adds none);
 * - (d) CNN: conv 5·5·1·32 + 32 = 832, conv 5·5·32·64 + 64 = 51,264, then the 7·7·64 = 3,136 pooled
 *   features fully connected to 10: 31,370; 83,466 in all.
 *
 * @param config The model and its sizes (`hiddenLayers`, `hiddenUnits`, `filters`).
 * @returns Per layer and in all.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(countMnistParams({ model: "linear", hiddenLayers: 0, hiddenUnits: 0, filters: [] }).total, 7_850);
 * ```
 */
export function countMnistParams(
  config: Pick<MnistConfig, "model" | "hiddenLayers" | "hiddenUnits" | "filters">,
): ParamCount {
  const dense = (name: string, inputs: number, units: number) => ({ name, count: inputs * units + units });
  const layers: { name: string; count: number }[] = [];
  switch (config.model) {
    case "linear":
      layers.push(dense("output", H61.pixels, H61.classes));
      break;
    case "mlp":
    case "mlp-dropout": {
      let inputs: number = H61.pixels;
      for (let k = 1; k <= config.hiddenLayers; k++) {
        layers.push(dense(`hidden${k}`, inputs, config.hiddenUnits));
        inputs = config.hiddenUnits;
      }
      layers.push(dense("output", inputs, H61.classes));
      break;
    }
    case "cnn": {
      const k2 = H61.cnn.kernelSize ** 2;
      let channels = 1;
      let side: number = H61.imageSide;
      config.filters.forEach((f, i) => {
        layers.push({ name: `conv${i + 1}`, count: k2 * channels * f + f });
        channels = f;
        side = Math.floor(side / H61.cnn.poolStride); // 'same' convolution keeps the side; the pool halves it
      });
      layers.push(dense("output", side * side * channels, H61.classes));
      break;
    }
  }
  return { layers, total: layers.reduce((n, l) => n + l.count, 0) };
}
