/** Item (e)'s parameter counts (src/mnist/params.ts), exact, and equal to what tf.layers builds. */
import { assertEquals } from "@std/assert";
import fc from "fast-check";
import { countMnistParams } from "../src/mnist/params.ts";
import { defaultMnistConfig, MNIST_MODELS, resolveMnistConfig } from "../src/mnist/spec.ts";
import { buildMnistModel } from "../src/mnist/model.ts";
import { initBackend } from "../src/train/backend.ts";

await initBackend();

Deno.test("countMnistParams() (a) linear: 784·10 + 10 = 7,850", () => {
  assertEquals(countMnistParams(defaultMnistConfig("linear")), {
    layers: [{ name: "output", count: 7_850 }],
    total: 7_850,
  });
});

Deno.test("countMnistParams() (b), (c) MLP 3 x 1,500: 5,695,510, dropout adding none", () => {
  const expected = {
    layers: [
      { name: "hidden1", count: 784 * 1500 + 1500 }, // 1,177,500
      { name: "hidden2", count: 1500 * 1500 + 1500 }, // 2,251,500
      { name: "hidden3", count: 1500 * 1500 + 1500 },
      { name: "output", count: 1500 * 10 + 10 }, // 15,010
    ],
    total: 5_695_510,
  };
  assertEquals(countMnistParams(defaultMnistConfig("mlp")), expected);
  assertEquals(countMnistParams(defaultMnistConfig("mlp-dropout")), expected);
});

Deno.test("countMnistParams() (d) CNN: 832 + 51,264 + 31,370 = 83,466 (7·7·64 = 3,136 pooled features straight to 10)", () => {
  assertEquals(countMnistParams(defaultMnistConfig("cnn")), {
    layers: [{ name: "conv1", count: 832 }, { name: "conv2", count: 51_264 }, { name: "output", count: 31_370 }],
    total: 83_466,
  });
});

Deno.test("buildMnistModel() at the spec's sizes has countParams() equal to countMnistParams() for all four models", () => {
  for (const model of MNIST_MODELS) {
    const config = defaultMnistConfig(model);
    const m = buildMnistModel(config);
    assertEquals(m.countParams(), countMnistParams(config).total, model);
    m.dispose();
  }
});

Deno.test("buildMnistModel() at any small size has countParams() equal to countMnistParams() (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      (hiddenLayers, hiddenUnits, f1, f2) => {
        for (
          const config of [
            resolveMnistConfig({ model: "mlp", hiddenLayers, hiddenUnits }),
            resolveMnistConfig({ model: "cnn", filters: [f1, f2] }),
          ]
        ) {
          const m = buildMnistModel(config);
          assertEquals(m.countParams(), countMnistParams(config).total);
          m.dispose();
        }
      },
    ),
    { numRuns: 15, seed: 1 },
  );
});
