import { assertEquals, assertThrows } from "@std/assert";
import { DEFAULT_CONFIG, resolveConfig, SPEC } from "../mod.ts";

Deno.test("SPEC (a) fixes 10,000 series of 30 digits 0..9, label threshold 100, split 8,000/2,000", () => {
  assertEquals(
    [
      SPEC.seriesCount,
      SPEC.seriesLength,
      SPEC.digitValues,
      SPEC.threshold,
      SPEC.trainSize,
      SPEC.validationSize,
    ],
    [10_000, 30, 10, 100, 8_000, 2_000],
  );
  assertEquals(SPEC.trainSize + SPEC.validationSize, SPEC.seriesCount);
});

Deno.test("SPEC (b) fixes 200 LSTM units and one output; (c) binary cross-entropy; (d) accuracy", () => {
  assertEquals([SPEC.units, SPEC.outputs, SPEC.loss, SPEC.metric], [
    200,
    1,
    "binaryCrossentropy",
    "accuracy",
  ]);
});

Deno.test("SPEC (f) fixes 60 epochs of mini-batches of 50, shuffled every epoch", () => {
  assertEquals([SPEC.epochs, SPEC.batchSize, SPEC.shuffleEveryEpoch], [
    60,
    50,
    true,
  ]);
});

Deno.test("SPEC (g) fixes Adam with η 0.001, β1 0.9, β2 0.999, ε 1e-8", () => {
  assertEquals([SPEC.learningRate, SPEC.beta1, SPEC.beta2, SPEC.epsilon], [
    0.001,
    0.9,
    0.999,
    1e-8,
  ]);
});

Deno.test("DEFAULT_CONFIG takes every fixed number from SPEC and records the free choices of (e)", () => {
  for (
    const key of [
      "epochs",
      "batchSize",
      "units",
      "learningRate",
      "beta1",
      "beta2",
      "epsilon",
    ] as const
  ) {
    assertEquals(DEFAULT_CONFIG[key], SPEC[key], key);
  }
  assertEquals(DEFAULT_CONFIG.inputScaling, "centered");
  assertEquals(DEFAULT_CONFIG.recurrentActivation, "sigmoid");
  assertEquals(Object.isFrozen(SPEC) && Object.isFrozen(DEFAULT_CONFIG), true);
});

Deno.test("resolveConfig() rejects unknown fields and bad values with the value named", () => {
  assertThrows(
    () => resolveConfig({ epoch: 3 } as never),
    TypeError,
    'Unknown config field "epoch"',
  );
  assertThrows(
    () => resolveConfig({ epochs: 0 }),
    RangeError,
    'Config field "epochs" must be a positive integer, got 0',
  );
  assertThrows(
    () => resolveConfig({ units: 2.5 }),
    RangeError,
    'Config field "units" must be a positive integer, got 2.5',
  );
  assertThrows(
    () => resolveConfig({ batchSize: 3 }),
    RangeError,
    'Config field "batchSize" must divide trainSize 8000, got 3',
  );
  assertThrows(
    () => resolveConfig({ learningRate: -1 }),
    RangeError,
    'Config field "learningRate" must be a positive number, got -1',
  );
  assertThrows(
    () => resolveConfig({ beta2: 1 }),
    RangeError,
    'Config field "beta2" must lie in [0, 1), got 1',
  );
  assertThrows(
    () => resolveConfig({ trainer: "slow" as never }),
    RangeError,
    'Config field "trainer" must be "fast" or "reference", got slow',
  );
  assertThrows(
    () => resolveConfig({ seed: -1 }),
    RangeError,
    "Seed must be an integer in [0, 4294967295], got -1",
  );
  assertThrows(
    () => resolveConfig({ inputScaling: "z" as never }),
    RangeError,
    'Config field "inputScaling" must be one of digit/9, digit, centered, got z',
  );
});
