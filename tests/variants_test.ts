import { assert, assertEquals } from "@std/assert";
import { studyConfig } from "../src/study/study.ts";
import { orderMeanScores, trainingLineCut, trainRun, variantData } from "../src/runner/variants.ts";
import { makeBoundarySet, scoreBoundary } from "../src/core/boundary.ts";
import { ORDER_MEAN_COUNT } from "../src/core/orders.ts";
import { logitFit } from "../src/core/diagnosis.ts";
import type { Split } from "../src/core/dataset.ts";
import { planRuns, PLANS } from "../src/core/plan.ts";
import { datasetFor, seriesSum } from "../src/core/dataset.ts";
import { makeBalancedDataset } from "../src/core/imbalance.ts";
import { configDifferences, resolveConfig, SPEC } from "../src/core/spec.ts";

const config = resolveConfig({ seed: 4, trainSize: 400, validationSize: 100 });
const natural = datasetFor(config);

Deno.test("variantData() keeps the natural data for the spec and weights classes n / (2·n_class) for class-weighted", () => {
  assertEquals(variantData({ variant: "spec", config }, natural).data, natural);
  const { data, classWeights } = variantData({ variant: "class-weighted", config }, natural);
  assertEquals(data, natural);
  const t = natural.train;
  assertEquals(classWeights, [t.size / (2 * t.negatives), t.size / (2 * t.positives)]);
});

Deno.test("variantData() draws the balanced data from the data seed, as many series of each class", () => {
  const { data, trainSize } = variantData({ variant: "balanced-data", config }, natural);
  assertEquals(data, makeBalancedDataset({ seed: config.dataSeed, perClass: 250, trainSize: 400 }));
  assertEquals(trainSize, 400);
  assertEquals(data.train.negatives + data.validation.negatives, 250);
});

Deno.test("variantData() oversamples class 0 up to class 1, to a whole number of batches, keeping validation", () => {
  const { data, trainSize } = variantData({ variant: "oversampled", config }, natural);
  assertEquals(data.validation, natural.validation);
  assertEquals(trainSize, data.train.size);
  assert(data.train.negatives >= data.train.positives, `${data.train.negatives} vs ${data.train.positives}`);
  assertEquals(data.train.size % config.batchSize, 0);
});

Deno.test("trainRun() records the boundary after every epoch and a cut-off chosen on training, scored on validation and the boundary", async () => {
  const run = planRuns(PLANS.smoke, [1])[0];
  const r = await trainRun(run);
  assertEquals(r.boundaryHistory!.map((e) => e.epoch), [1, 2]);
  for (const e of r.boundaryHistory!) assert(e.band >= 0 && e.band <= 1, `band ${e.band}`);
  const cut = r.trainCut!;
  assert(cut.cutoff > 0 && cut.cutoff < 1, `cutoff ${cut.cutoff}`);
  assert(cut.trainAccuracy >= cut.trainAccuracyAtHalf, "the chosen cut-off does at least as well on training as 0.5");
  assert(cut.boundary.band >= 0 && cut.boundary.band <= 1);
  assertEquals(r.boundary.sums.length, 21);
  assert(Number.isFinite(r.boundaryFit!.slope) && r.boundaryFit!.residualSd >= 0, "the logit fit is recorded");
  assert(r.boundaryFit!.sameSumSd! >= 0 && r.boundaryFit!.countsResidualSd! >= 0, "with its same-sum scatter");
  // 150 training series hold too few near the boundary for the sum line
  assertEquals(r.sumLineCut, undefined);
  // and the same model by its mean logit over 16 orders of each series' digits
  const o = r.orderMean!;
  assertEquals([o.orders, o.sumLineCut], [ORDER_MEAN_COUNT, undefined]);
  assert(o.validation.accuracy >= 0 && o.validation.accuracy <= 1 && o.boundary.band >= 0 && o.boundary.band <= 1);
  assert(Number.isFinite(o.boundaryFit.slope), "the order mean's logit fit is recorded");
});

Deno.test("orderMeanScores(): a model that reads only the sum scores as one pass does; one that weighs positions unequally scatters less", () => {
  const full = datasetFor(resolveConfig({ seed: 4 }));
  const T = full.seriesLength;
  const set = makeBoundarySet({ seed: 3, perSum: 40 });
  const data = { train: full.train, validation: full.validation, set };
  const byWeights = (weight: (t: number) => number) => (split: Split) =>
    Float64Array.from({ length: split.size }, (_, s) => {
      let z = 0;
      for (let t = 0; t < T; t++) z += weight(t) * split.x[s * T + t];
      return 1 / (1 + Math.exp(-(z - 99.3)));
    });
  const setSplit = { x: set.x, y: set.y, size: set.y.length, positives: 0, negatives: 0 };
  // a model of the sum alone: the same p in every order
  const even = orderMeanScores(byWeights(() => 1), data, SPEC, 9);
  const once = scoreBoundary(set, byWeights(() => 1)(setSplit));
  assertEquals(even.boundary.band, once.band);
  assertEquals(even.boundary.atThreshold, once.atThreshold);
  assert(even.boundaryFit.residualSd < 1e-6, `residual ${even.boundaryFit.residualSd}`);
  assert(Math.abs(even.sumLineCut!.crossing - 99.3) < 1e-6, `crossing ${even.sumLineCut!.crossing}`);
  // a model that counts late digits more: its scatter at one sum shrinks when its orders are averaged
  const late = (t: number) => 0.8 + 0.4 * t / (T - 1);
  const mean = orderMeanScores(byWeights(late), data, SPEC, 9).boundaryFit.residualSd;
  const single = logitFit(set.x, T, byWeights(late)(setSplit)).residualSd;
  assert(mean > 0 && mean < 0.5 * single, `residual ${mean} with 16 orders, ${single} with one`);
});

Deno.test("trainingLineCut() fits the sum line on the training split, or gives undefined when the split cannot carry it", () => {
  const full = datasetFor(resolveConfig({ seed: 4 }));
  const T = full.seriesLength;
  const sum = (i: number) => seriesSum(full.train.x.subarray(i * T, (i + 1) * T));
  const rising = Array.from({ length: full.train.size }, (_, i) => 1 / (1 + Math.exp(-(sum(i) - 99.25))));
  const v = full.validation;
  const cut = trainingLineCut(full.train, T, rising, v.y, v.y);
  if (!cut) throw new Error("a rising p on 8,000 series fits");
  assert(Math.abs(cut.crossing - 99.25) < 1e-6, `crossing ${cut.crossing}`);
  assertEquals(cut.midpoint, 99.5);
  const falling = rising.map((q) => 1 - q);
  assertEquals(trainingLineCut(full.train, T, falling, v.y, v.y), undefined);
  assertEquals(trainingLineCut(natural.train, T, new Float64Array(natural.train.size), v.y, v.y), undefined);
});

Deno.test("studyConfig() starts every study variant from the spec plan's config (BASELINE_CHOICES), not the default, so the imbalance plan can judge it", () => {
  const config = studyConfig(42, 60);
  assertEquals(config, planRuns(PLANS.spec, [42])[0].config);
  assertEquals(configDifferences(config, resolveConfig({ seed: 42 })), [
    "inputScaling",
    "forgetBias",
    "averageFrom",
    "permuteDigits",
    "matmul",
  ]);
});
