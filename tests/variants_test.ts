import { assert, assertEquals } from "@std/assert";
import { variantData } from "../src/runner/variants.ts";
import { datasetFor } from "../src/core/dataset.ts";
import { makeBalancedDataset } from "../src/core/imbalance.ts";
import { resolveConfig } from "../src/core/spec.ts";

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
