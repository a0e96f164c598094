import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { logitFit, type LstmArrays, lstmForward, sortDigits } from "../src/core/diagnosis.ts";
import { makeBoundarySet } from "../src/core/boundary.ts";
import { INPUT_SCALING, resolveConfig } from "../src/core/spec.ts";
import { buildModel, initBackend, predictSplit } from "../src/train/mod.ts";
import { datasetFor } from "../src/core/dataset.ts";
import { tfjsWeightArrays } from "../src/model_dir/mod.ts";
import { tfjsFiles } from "../src/train/save.ts";

await initBackend();

Deno.test("lstmForward() computes what the trainer computes, from the tfjs files' weights", async () => {
  const config = resolveConfig({ seed: 3, units: 5, trainSize: 50, validationSize: 50, forgetBias: 2 });
  const model = buildModel(config);
  const w: LstmArrays = tfjsWeightArrays(await tfjsFiles(model));
  assertEquals(w.units, 5);
  const split = datasetFor(config).validation;
  const expected = predictSplit(model, split, config);
  const { p, stats } = lstmForward(w, split.x, config.seriesLength, INPUT_SCALING[config.inputScaling]);
  model.dispose();
  p.forEach((v, i) => assertAlmostEquals(v, expected[i], 1e-5));
  // the forget bias of 2 at initialisation: the forget gate sits near sigmoid(2) = 0.88
  assert(stats.forgetMean > 0.8 && stats.forgetMean < 0.95, `forget mean ${stats.forgetMean}`);
  assert(stats.forgetUnitMax >= stats.forgetMean && stats.forgetUnitMax < 1);
  assert(stats.cellAbsMax >= stats.cellAbsMean && stats.hiddenSaturated >= 0 && stats.hiddenSaturated <= 1);
});

Deno.test("lstmForward() (e) with the one-hot input computes what the trainer computes", async () => {
  const config = resolveConfig({ seed: 4, units: 6, trainSize: 50, validationSize: 50, inputScaling: "one-hot" });
  const model = buildModel(config);
  const w: LstmArrays = tfjsWeightArrays(await tfjsFiles(model));
  assertEquals(w.kernel.length, 10 * 4 * 6);
  const split = datasetFor(config).validation;
  const expected = predictSplit(model, split, config);
  const { p } = lstmForward(w, split.x, config.seriesLength, INPUT_SCALING[config.inputScaling]);
  model.dispose();
  p.forEach((v, i) => assertAlmostEquals(v, expected[i], 1e-5));
  assertThrows(
    () => lstmForward(w, split.x, config.seriesLength, INPUT_SCALING.digit),
    RangeError,
    "LSTM weights do not fit 6 units and 1 input a step",
  );
  assertThrows(
    () => lstmForward(w, [1, 2, 10, 3], 2, INPUT_SCALING["one-hot"]),
    RangeError,
    "Digits must be 0..9, got 10 at index 2",
  );
});

Deno.test("lstmForward() rejects weights that do not fit their units, and digits that do not fill whole series", () => {
  const w: LstmArrays = {
    units: 2,
    kernel: new Float32Array(8),
    recurrentKernel: new Float32Array(16),
    bias: new Float32Array(8),
    denseKernel: new Float32Array(2),
    denseBias: 0,
  };
  assertThrows(
    () => lstmForward({ ...w, bias: new Float32Array(7) }, [1, 2], 2, INPUT_SCALING.digit),
    RangeError,
    "do not fit 2 units",
  );
  assertThrows(() => lstmForward(w, [1, 2, 3], 2, INPUT_SCALING.digit), RangeError, "whole series of 2, got 3");
});

Deno.test("sortDigits() keeps every series' digits, hence its sum, and orders them", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }), (digits) => {
    const x = Uint8Array.from(digits);
    for (const order of ["ascending", "descending"] as const) {
      const y = sortDigits(x, 4, order);
      for (let s = 0; s < 3; s++) {
        const a = Array.from(x.subarray(4 * s, 4 * s + 4)).sort();
        const b = Array.from(y.subarray(4 * s, 4 * s + 4));
        assertEquals([...b].sort(), a);
        for (let t = 1; t < 4; t++) assert(order === "ascending" ? b[t - 1] <= b[t] : b[t - 1] >= b[t]);
      }
    }
  }));
});

Deno.test("logitFit() finds the slope and crossing of a rule-like model, and no blur when p depends on the sum alone", () => {
  const set = makeBoundarySet({ seed: 1, perSum: 20 });
  const sum = (i: number) => set.x.subarray(30 * i, 30 * i + 30).reduce((a, b) => a + b, 0);
  const p = Array.from(set.y, (_, i) => 1 / (1 + Math.exp(-0.5 * (sum(i) - 99.5))));
  const fit = logitFit(set.x, 30, p);
  assertAlmostEquals(fit.slope, 0.5, 1e-9);
  assertAlmostEquals(fit.crossing, 99.5, 1e-9);
  assertAlmostEquals(fit.blurSums, 0, 1e-6);
  assertAlmostEquals(fit.additiveResidualSd, 0, 1e-6);
  assertAlmostEquals(fit.scatterSums, 0, 1e-6);
  assertAlmostEquals(fit.countsResidualSd, 0, 1e-6);
  fit.digitExtraSums.forEach((e) => assertAlmostEquals(e, 0, 1e-6));
  // an order effect (the first digit counts twice) is blur the sum cannot explain, but an additive model can;
  // it is scatter among series of one sum, and a weight per digit value, wherever it sits, leaves most of it
  const q = Array.from(set.y, (_, i) => 1 / (1 + Math.exp(-0.5 * (sum(i) + set.x[30 * i] - 104))));
  const f2 = logitFit(set.x, 30, q);
  assert(f2.blurSums > 1, `blur ${f2.blurSums}`);
  assertAlmostEquals(f2.additiveResidualSd, 0, 1e-6);
  assert(f2.scatterSums > 1 && f2.scatterSums <= f2.blurSums + 1e-9, `scatter ${f2.scatterSums}`);
  assert(f2.countsResidualSd > 0.8 * f2.sameSumSd, `counts ${f2.countsResidualSd} of ${f2.sameSumSd}`);
});

Deno.test("logitFit() reads each digit value's count beyond its face value, relative to the line through digits 0 and 9", () => {
  const set = makeBoundarySet({ seed: 3, perSum: 20 });
  // every digit v adds extra[v] to the logit on top of 0.5 per unit of sum
  const extra = [0.1, 0.3, -0.2, 0, 0.25, -0.4, 0, 0.15, 0.2, 0.5];
  const z = (i: number) => set.x.subarray(30 * i, 30 * i + 30).reduce((a, d) => a + 0.5 * d + extra[d], 0) - 0.5 * 99.5;
  const fit = logitFit(set.x, 30, Array.from(set.y, (_, i) => 1 / (1 + Math.exp(-z(i)))));
  assertEquals(fit.digitExtraSums.length, 10);
  // at one sum only the bend of the weights is defined: a weight a + b·v adds the same to every series of the sum
  const chord = (v: number) => extra[0] + (extra[9] - extra[0]) * v / 9;
  extra.forEach((e, v) => assertAlmostEquals(fit.digitExtraSums[v] * fit.slope, e - chord(v), 1e-6));
});

Deno.test("logitFit() tells the bend of the logit's curve from the scatter at one sum, and a per-digit-value part from the rest", () => {
  const set = makeBoundarySet({ seed: 2, perSum: 20 });
  const sum = (i: number) => set.x.subarray(30 * i, 30 * i + 30).reduce((a, b) => a + b, 0);
  const nines = (i: number) => set.x.subarray(30 * i, 30 * i + 30).filter((d) => d === 9).length;
  const p = (z: (i: number) => number) => Array.from(set.y, (_, i) => 1 / (1 + Math.exp(-z(i))));
  // a logit that is a curved function of the sum alone: off its line, but every series of a sum agrees
  const bent = logitFit(set.x, 30, p((i) => 0.5 * (sum(i) - 99.5) + 0.02 * (sum(i) - 100) ** 2));
  assert(bent.blurSums > 0.5, `blur ${bent.blurSums}`);
  assertAlmostEquals(bent.scatterSums, 0, 1e-6);
  assertAlmostEquals(bent.countsResidualSd, 0, 1e-6);
  // every 9 counts 0.4 more than its value: scatter at one sum, all of it a per-digit-value contribution
  const heavy = logitFit(set.x, 30, p((i) => 0.5 * (sum(i) - 99.5) + 0.4 * nines(i)));
  assert(heavy.scatterSums > 0.3, `scatter ${heavy.scatterSums}`);
  assertAlmostEquals(heavy.countsResidualSd, 0, 1e-6);
  assertAlmostEquals(heavy.additiveResidualSd, 0, 1e-6);
});
