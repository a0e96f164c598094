import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  affineOf,
  BASELINE_CHOICES,
  checkSeries,
  configDifferences,
  datasetFor,
  DEFAULT_CONFIG,
  DIGIT_SHIFT,
  digitInputs,
  exactClassPrior,
  INPUT_SCALING,
  InputError,
  inputWidth,
  labelOf,
  makeDataset,
  optionalChoices,
  resolveConfig,
  secondHalf,
  SPEC,
  sumMoments,
} from "../mod.ts";

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
  assertEquals(DEFAULT_CONFIG.inputScaling, "centered-shift");
  assertEquals(DEFAULT_CONFIG.recurrentActivation, "sigmoid");
  assert(Object.isFrozen(SPEC), "SPEC can be changed");
  assert(Object.isFrozen(DEFAULT_CONFIG), "DEFAULT_CONFIG can be changed");
  assertEquals(resolveConfig(), DEFAULT_CONFIG);
});

Deno.test("DEFAULT_CONFIG adopts item (e)'s forget-gate bias 5, weights averaged over the second half, permuted digits and shifted digit inputs; BASELINE_CHOICES takes all four out", () => {
  assertEquals(
    [DEFAULT_CONFIG.forgetBias, DEFAULT_CONFIG.averageFrom, DEFAULT_CONFIG.permuteDigits, DEFAULT_CONFIG.inputScaling],
    [5, 31, true, "centered-shift"],
  );
  assertEquals(DEFAULT_CONFIG.averageFrom, secondHalf(SPEC.epochs));
  const baseline = resolveConfig(BASELINE_CHOICES);
  for (const key of ["forgetBias", "averageFrom", "permuteDigits"]) {
    assert(!(key in baseline), JSON.stringify(baseline));
  }
  assertEquals(baseline.unitForgetBias, true, "the baseline's forget-gate bias is Keras's 1");
  assertEquals(baseline.inputScaling, "centered", "the baseline's digits are centred, unshifted");
  // the adopted choices were measured on the LSTM: another arch keeps the baseline's unless it names them
  for (const arch of ["gru", "rnn", "linear", "conv1d"] as const) {
    const config = resolveConfig({ arch });
    for (const key of ["forgetBias", "averageFrom", "permuteDigits"]) assert(!(key in config), JSON.stringify(config));
    assertEquals(config.inputScaling, "centered", arch);
  }
  assertEquals(resolveConfig({ arch: "gru", permuteDigits: true }).permuteDigits, true);
  assertEquals(resolveConfig({ arch: "gru", inputScaling: "centered-shift" }).inputScaling, "centered-shift");
  assertEquals(resolveConfig({ arch: "gru", forgetBias: 2, averageFrom: 40 }).averageFrom, 40);
  // null, as a JSON file says absent, is absent
  assertEquals(
    resolveConfig({ forgetBias: null, averageFrom: null, permuteDigits: null, inputScaling: "centered" } as never),
    resolveConfig(BASELINE_CHOICES),
  );
  assertEquals(configDifferences(resolveConfig(), resolveConfig(BASELINE_CHOICES)), [
    "inputScaling",
    "forgetBias",
    "averageFrom",
    "permuteDigits",
  ]);
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (epochs) => {
    const from = resolveConfig({ epochs }).averageFrom!;
    return from >= 1 && from <= epochs && epochs - from + 1 === Math.ceil(epochs / 2);
  }));
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
    'Config field "inputScaling" must be one of digit/9, digit, centered, centered-shift, one-hot, got z',
  );
  for (const arch of ["linear", "rnn", "gru", "conv1d"] as const) {
    assertThrows(
      () => resolveConfig({ inputScaling: "one-hot", arch }),
      RangeError,
      `Config field "inputScaling" one-hot needs the arch lstm, got ${arch}`,
    );
  }
  assertEquals(resolveConfig({ inputScaling: "one-hot" }).inputScaling, "one-hot");
  assertThrows(
    () => resolveConfig({ recurrentInit: "he" as never }),
    RangeError,
    'Config field "recurrentInit" must be one of orthogonal, glorot, zeros, got he',
  );
  assert(!("recurrentInit" in resolveConfig({ recurrentInit: "orthogonal" })), "the default is stored as absent");
  assertEquals(resolveConfig({ recurrentInit: "glorot" }).recurrentInit, "glorot");
  assertEquals(resolveConfig({ recurrentInit: "zeros" }).recurrentInit, "zeros");
  for (const arch of ["linear", "conv1d"] as const) {
    assertThrows(
      () => resolveConfig({ recurrentInit: "glorot", arch }),
      RangeError,
      `Config field "recurrentInit" glorot needs a recurrent arch (lstm, rnn, gru), got ${arch}`,
    );
  }
  for (const arch of ["rnn", "gru"] as const) assertEquals(resolveConfig({ recurrentInit: "glorot", arch }).arch, arch);
});

Deno.test("resolveConfig() matmul: fma by default, xnnpack stored as absent (older configs), absent for the reference trainer and the other archs; anything else a RangeError", () => {
  assertEquals(resolveConfig().matmul, "fma");
  assert(
    !("matmul" in resolveConfig({ matmul: "xnnpack" })),
    "xnnpack, what an absent field means, is stored as absent",
  );
  const { matmul: _, ...older } = resolveConfig();
  assert(
    !("matmul" in resolveConfig(older)),
    "a complete config without the field keeps the arithmetic it was trained with",
  );
  assert(!("matmul" in resolveConfig({ trainer: "reference" })), "the reference trainer has one arithmetic");
  for (const arch of ["linear", "rnn", "gru", "conv1d"] as const) {
    assert(!("matmul" in resolveConfig({ arch, matmul: "fma" })), `${arch} has one arithmetic`);
  }
  assertThrows(
    () => resolveConfig({ matmul: "blas" as never }),
    RangeError,
    'Config field "matmul" must be one of xnnpack, fma, got "blas"',
  );
});

Deno.test("resolveConfig() (e) permuteDigits: a boolean, stored only when true", () => {
  assertEquals(resolveConfig({ permuteDigits: true }).permuteDigits, true);
  assert(!("permuteDigits" in resolveConfig({ permuteDigits: false })), "false, the default, is stored as absent");
  assertEquals(resolveConfig().permuteDigits, true, "the default");
  assertThrows(
    () => resolveConfig({ permuteDigits: "yes" as never }),
    RangeError,
    'Config field "permuteDigits" must be true or false, got "yes"',
  );
});

Deno.test("resolveConfig() (e) averageEvery: epoch (stored as absent) or batch, which needs averageFrom", () => {
  assertEquals(resolveConfig({ averageEvery: "batch" }).averageEvery, "batch");
  assert(!("averageEvery" in resolveConfig({ averageEvery: "epoch" })), "epoch, the default, is stored as absent");
  assert(!("averageEvery" in resolveConfig()), "the default");
  assertThrows(
    () => resolveConfig({ averageEvery: "step" as never }),
    RangeError,
    'Config field "averageEvery" must be one of epoch, batch, got "step"',
  );
  assertThrows(
    () => resolveConfig({ averageEvery: "batch", averageFrom: undefined }),
    RangeError,
    'Config field "averageEvery" batch needs averageFrom (the weights are not averaged)',
  );
});

Deno.test("resolveConfig() (e) classZeroWeight: a positive finite number, stored only when not 1", () => {
  assertEquals(resolveConfig({ classZeroWeight: 1.25 }).classZeroWeight, 1.25);
  assert(
    !("classZeroWeight" in resolveConfig({ classZeroWeight: 1 })),
    "1, the spec's plain mean, is stored as absent",
  );
  assert(!("classZeroWeight" in resolveConfig()), "the default");
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "2"]) {
    assertThrows(
      () => resolveConfig({ classZeroWeight: bad as never }),
      RangeError,
      `Config field "classZeroWeight" must be a positive number, got ${JSON.stringify(bad) ?? bad}`,
    );
  }
});

Deno.test("digitInputs() (e): the affine scalings give (d - offset) / divisor, one-hot the unit vectors; inputWidth() 1 or 10", () => {
  for (const name of Object.keys(INPUT_SCALING) as (keyof typeof INPUT_SCALING)[]) {
    const e = INPUT_SCALING[name];
    const rows = digitInputs(e);
    assertEquals(rows.length, SPEC.digitValues, name);
    rows.forEach((row, d) => {
      assertEquals(row.length, inputWidth(e), name);
      if ("values" in e) assertEquals(Array.from(row), Array.from({ length: 10 }, (_, k) => (k === d ? 1 : 0)));
      else assertEquals(row[0], (d + (e.shift?.[d] ?? 0) - e.offset) / e.divisor);
    });
  }
  // centered-shift: digit d enters as (d + DIGIT_SHIFT[d] − 4.5) / 4.5, 0 and 9 where centered has them
  const shifted = digitInputs(INPUT_SCALING["centered-shift"]).map((row) => row[0]);
  assertEquals(shifted[2], (2.3 - 4.5) / 4.5);
  assertEquals([shifted[0], shifted[9]], [-1, 1]);
  assertEquals(DIGIT_SHIFT.length, SPEC.digitValues);
  assertEquals(inputWidth(INPUT_SCALING["one-hot"]), 10);
  assertThrows(() => affineOf(INPUT_SCALING["one-hot"]), RangeError, "not a one-hot input of 10");
});

Deno.test("SPEC's numbers reach the core: data sizes, label threshold, digit range, sum range", () => {
  const data = makeDataset({ seed: 1 });
  assertEquals([data.train.size, data.validation.size, data.seriesLength], [
    SPEC.trainSize,
    SPEC.validationSize,
    SPEC.seriesLength,
  ]);
  assertEquals([labelOf(SPEC.threshold - 1), labelOf(SPEC.threshold)], [0, 1]);
  assertEquals(exactClassPrior().total, BigInt(SPEC.digitValues) ** BigInt(SPEC.seriesLength));
  assertEquals(sumMoments().max, SPEC.seriesLength * (SPEC.digitValues - 1));
  const top = new Array(SPEC.seriesLength).fill(SPEC.digitValues - 1);
  assertEquals(checkSeries(top, "s"), top);
  assertThrows(() => checkSeries(top.map(() => SPEC.digitValues), "s"), InputError);
  assertThrows(() => checkSeries(top.slice(1), "s"), InputError);
  assertEquals(DEFAULT_CONFIG.trainSize % DEFAULT_CONFIG.batchSize, 0, "(f) whole mini-batches per epoch");
});

Deno.test("resolveConfig() sets the data seed to the seed unless it is given, and datasetFor() draws with it", () => {
  assertEquals(resolveConfig({}).dataSeed, DEFAULT_CONFIG.seed);
  assertEquals(resolveConfig({ seed: 3 }).dataSeed, 3);
  const held = resolveConfig({ seed: 3, dataSeed: 42 });
  assertEquals([held.seed, held.dataSeed], [3, 42]);
  assertThrows(() => resolveConfig({ dataSeed: -1 }), RangeError, "Seed must be an integer in [0, 4294967295], got -1");
  const small = { trainSize: 50, validationSize: 10 };
  assertEquals(
    datasetFor(resolveConfig({ ...small, seed: 3, dataSeed: 42 })).train.x,
    datasetFor(resolveConfig({ ...small, seed: 42 })).train.x,
    "the data follow the data seed, not the training seed",
  );
});

Deno.test("resolveConfig() (e) takes forgetBias and clipNorm as optional: absent they stay absent, bad ones are named", () => {
  const config = resolveConfig({ seed: 1, forgetBias: undefined });
  assert(!("forgetBias" in config) && !("clipNorm" in config), "absent fields stay absent");
  assertEquals(resolveConfig({ forgetBias: undefined }).forgetBias, undefined);
  assertEquals(resolveConfig({ forgetBias: 5, clipNorm: 1 }).forgetBias, 5);
  assertEquals(resolveConfig({ forgetBias: -20 }).forgetBias, -20);
  for (const bad of [21, NaN, Infinity, "5"]) {
    assertThrows(
      () => resolveConfig({ forgetBias: bad as never }),
      RangeError,
      `Config field "forgetBias" must be a number in [-20, 20], got ${bad}`,
    );
  }
  for (const bad of [0, -1, NaN, Infinity]) {
    assertThrows(
      () => resolveConfig({ clipNorm: bad }),
      RangeError,
      `Config field "clipNorm" must be a positive number, got ${bad}`,
    );
  }
});

Deno.test("optionalChoices() names each optional item (e) choice a config makes, and nothing for the baseline", () => {
  assertEquals(optionalChoices(resolveConfig()), [
    "forget-gate bias 5",
    "weights averaged from epoch 31",
    "digits reordered every epoch",
  ]);
  assertEquals(optionalChoices(resolveConfig(BASELINE_CHOICES)), []);
  assertEquals(optionalChoices({ averageFrom: 31, averageEvery: "batch" }), [
    "weights averaged over every batch from epoch 31",
  ]);
  assertEquals(optionalChoices({ recurrentInit: "glorot", clipNorm: 0.5, classZeroWeight: 1.25 }), [
    "recurrent kernel glorot",
    "gradients clipped at norm 0.5",
    "class-0 loss weight 1.25",
  ]);
});
