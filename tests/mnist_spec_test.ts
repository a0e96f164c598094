/** Exercise H6.1's numbers (src/mnist/spec.ts): every item's value, the config built on them, and its checks. */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { defaultMnistConfig, H61, MNIST_MODELS, resolveMnistConfig } from "../src/mnist/spec.ts";

Deno.test("H61 holds every number of items (a)–(e) as the exercise text states it", () => {
  // (intro) and (a)
  assertEquals([H61.imageSide, H61.pixels, H61.classes, H61.batchSize], [28, 784, 10, 100]);
  assertEquals(H61.linear, { init: 0, optimizer: "sgd", learningRate: 0.5, iterations: 10_000 });
  // (b)
  assertEquals(H61.mlp, { hiddenLayers: 3, hiddenUnits: 1_500, activation: "relu", iterations: 20_000 });
  assertEquals(H61.init, { mean: 0, sd: 0.01, truncateAtSd: 2, bias: -0.1 });
  assertEquals(H61.adam, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  assertEquals(H61.loss, "softmaxCrossEntropy");
  // (c)
  assertEquals(H61.dropout.rate, 0.5);
  // (d)
  assertEquals(H61.cnn, {
    kernelSize: 5,
    stride: 1,
    padding: "same",
    filters: [32, 64],
    poolSize: 2,
    poolStride: 2,
    dropoutRate: 0,
    iterations: 20_000,
  });
  // (e) and our split
  assertEquals(H61.evaluateEvery, 100);
  assertEquals(H61.data, { total: 10_000, trainSize: 8_000, testSize: 2_000 });
});

Deno.test("H61 is frozen all the way down: no number can be changed at run time", () => {
  assertThrows(() => {
    (H61 as { batchSize: number }).batchSize = 50;
  }, TypeError);
  assertThrows(() => {
    (H61.cnn.filters as unknown as number[])[0] = 16;
  }, TypeError);
  assertThrows(() => {
    (H61.adam as { beta1: number }).beta1 = 0.5;
  }, TypeError);
  assertEquals(H61.cnn.filters[0], 32);
});

Deno.test("H61: every field in spec.ts carries a comment citing its item ((a)–(e), (intro) or (ours))", async () => {
  const source = await Deno.readTextFile(new URL("../src/mnist/spec.ts", import.meta.url));
  const block = source.slice(source.indexOf("export const H61"), source.indexOf("export type H61Spec"));
  const lines = block.split("\n");
  let fields = 0;
  lines.forEach((line, i) => {
    if (!/^\s+\w+: /.test(line)) return;
    fields++;
    assert(/\/\*\* \((a|b|c|d|e|intro|ours)\)/.test(lines[i - 1]), `field without an item tag: ${line.trim()}`);
  });
  assert(fields >= 30, `only ${fields} fields found: the parse is broken, so the test proves nothing`);
});

Deno.test("defaultMnistConfig() (a) is plain gradient descent at η 0.5 for 10,000 iterations from zeros", () => {
  const c = defaultMnistConfig("linear");
  assertEquals([c.optimizer, c.learningRate, c.iterations, c.batchSize], ["sgd", 0.5, 10_000, 100]);
  assertEquals([c.initSd, c.biasInit, c.hiddenLayers, c.dropoutRate, c.filters], [0, 0, 0, 0, []]);
});

Deno.test("defaultMnistConfig() (b)–(d) are Adam at the spec's η, β1, β2, ε for 20,000 iterations, truncated-normal init, bias −0.1", () => {
  for (const model of ["mlp", "mlp-dropout", "cnn"] as const) {
    const c = defaultMnistConfig(model);
    assertEquals(
      [c.optimizer, c.learningRate, c.beta1, c.beta2, c.epsilon, c.iterations, c.batchSize],
      ["adam", 0.001, 0.9, 0.999, 1e-8, 20_000, 100],
      model,
    );
    assertEquals([c.initSd, c.biasInit], [0.01, -0.1], model);
  }
  assertEquals(defaultMnistConfig("mlp").dropoutRate, 0);
  assertEquals(defaultMnistConfig("mlp-dropout").dropoutRate, 0.5);
  assertEquals([defaultMnistConfig("mlp").hiddenLayers, defaultMnistConfig("mlp").hiddenUnits], [3, 1_500]);
  assertEquals(defaultMnistConfig("cnn").filters, [32, 64]);
  assertEquals(MNIST_MODELS, ["linear", "mlp", "mlp-dropout", "cnn"]);
});

Deno.test("resolveMnistConfig() applies overrides, sets dataSeed to seed when absent, and freezes the result", () => {
  const c = resolveMnistConfig({ model: "cnn", seed: 7, iterations: 20, filters: [2, 3] });
  assertEquals([c.seed, c.dataSeed, c.iterations, c.filters], [7, 7, 20, [2, 3]]);
  assertEquals(resolveMnistConfig({ model: "cnn", seed: 7, dataSeed: 9 }).dataSeed, 9);
  assert(Object.isFrozen(c) && Object.isFrozen(c.filters));
});

Deno.test("resolveMnistConfig() rejects unknown fields and bad values, naming them", () => {
  assertThrows(
    () => resolveMnistConfig({ model: "mlp", units: 3 } as never),
    TypeError,
    'Unknown MNIST config field "units"',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "conv" as never }),
    RangeError,
    "MNIST model must be one of linear, mlp, mlp-dropout, cnn, got conv",
  );
  assertThrows(
    () => resolveMnistConfig({ model: "linear", iterations: 0 }),
    RangeError,
    'MNIST config field "iterations" must be a positive integer, got 0',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "mlp", dropoutRate: 0.5 }),
    RangeError,
    'MNIST config field "dropoutRate" must be 0 for model mlp, got 0.5',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "mlp-dropout", dropoutRate: 1 }),
    RangeError,
    'MNIST config field "dropoutRate" must lie in [0, 1), got 1',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "cnn", filters: [32] }),
    RangeError,
    'MNIST config field "filters" must be 2 positive integers for model cnn, got [32]',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "linear", hiddenUnits: 5 }),
    RangeError,
    'MNIST config field "hiddenUnits" must be 0 for model linear, got 5',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "linear", trainSize: 9_000 }),
    RangeError,
    'MNIST config fields "trainSize" and "testSize" must sum to at most 10000, got 11000',
  );
  assertThrows(
    () => resolveMnistConfig({ model: "linear", seed: -1 }),
    RangeError,
    "Seed must be an integer in [0, 4294967295], got -1",
  );
});
