import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  buildModel,
  epochSplit,
  initBackend,
  lstmWeights,
  modelVariables,
  predictSplit,
  train,
  TrainingInterrupted,
  type TrainingState,
  WEIGHT_NAMES,
  weightsFromArrays,
  YIELD_EVERY_BATCHES,
} from "../src/train/mod.ts";
import { accuracy, binaryCrossEntropy, confusion, datasetFor, permuteWithinSeries, resolveConfig } from "../mod.ts";

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

await initBackend();

/** 6 units, 300 + 20 series, 3 epochs of 6 batches: a fraction of a second. */
const config = resolveConfig({ units: 6, trainSize: 300, validationSize: 20, epochs: 3, seed: 9 });

/** The state of a run of `c` stopped by its signal once `batch` batches of epoch `epoch` (1-based) are done. */
async function stoppedAt(c: typeof config, epoch: number, batch: number): Promise<TrainingState> {
  const controller = new AbortController();
  const stopped = await assertRejects(
    () =>
      train({
        config: c,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.kind === "batch" && p.epoch === epoch && p.batch === batch) controller.abort();
        },
      }),
    TrainingInterrupted,
  );
  return (stopped as TrainingInterrupted).state;
}

function weightBytes(model: Awaited<ReturnType<typeof train>>["model"]): Uint8Array[] {
  const v = modelVariables(model);
  return WEIGHT_NAMES.map((n) => new Uint8Array(Float32Array.from(v[n].dataSync()).buffer));
}

Deno.test("modelVariables() gives the five weights typed by rank; weightsFromArrays() refuses a shape of the wrong rank", () => {
  const model = buildModel(config);
  const v = modelVariables(model);
  assertEquals(WEIGHT_NAMES.map((n) => v[n].rank), [2, 2, 1, 2, 1]);
  assertEquals(lstmWeights(model).recurrentKernel.shape, [config.units, 4 * config.units]);
  const read = (t: { dataSync(): ArrayLike<number> }) => Float32Array.from(t.dataSync());
  const values = {
    kernel: read(v.kernel),
    recurrentKernel: read(v.recurrentKernel),
    bias: read(v.bias),
    denseKernel: read(v.denseKernel),
    denseBias: read(v.denseBias),
  };
  const shapes = {
    kernel: v.kernel.shape,
    recurrentKernel: v.recurrentKernel.shape,
    bias: v.bias.shape,
    denseKernel: v.denseKernel.shape,
    denseBias: v.denseBias.shape,
  };
  const copy = weightsFromArrays(values, shapes);
  assertEquals(copy.bias.shape, [4 * config.units]);
  assertThrows(
    () => weightsFromArrays(values, { ...shapes, bias: [1, 4 * config.units] }),
    RangeError,
    'Weight "bias" must have rank 1, got shape [1,24]',
  );
  model.dispose();
});

Deno.test("train() stopped by its signal mid-epoch and resumed from the state gives the uninterrupted run's weights and history bit for bit", async () => {
  const whole = await train({ config });
  const checkpoints: TrainingState[] = [];
  const controller = new AbortController();
  const stopped = await assertRejects(
    () =>
      train({
        config,
        signal: controller.signal,
        onCheckpoint: (s) => void checkpoints.push(s),
        onProgress: (p) => {
          if (p.kind === "batch" && p.epoch === 2 && p.batch === 2) controller.abort();
        },
      }),
    TrainingInterrupted,
    "Training interrupted after 2 batches of epoch 2",
  );
  const state = (stopped as TrainingInterrupted).state;
  assertEquals([state.epoch, state.batch, state.iterations], [1, 2, 8]);
  assertEquals(checkpoints.map((s) => [s.epoch, s.batch]), [[1, 0], [1, 2]], "after epoch 1, then on the signal");
  const resumed = await train({ config, resume: state });
  assertEquals(weightBytes(resumed.model), weightBytes(whole.model));
  const noSeconds = (h: unknown) => JSON.stringify(h, (k, v) => (k === "seconds" ? undefined : v));
  assertEquals(noSeconds(resumed.history), noSeconds(whole.history));
  assertEquals(noSeconds(resumed.metrics), noSeconds(whole.metrics));
  assert(
    whole.history.epochs[2].loss !== whole.history.epochs[0].loss,
    "training must move, or the test proves nothing",
  );
  await assertRejects(
    () => train({ config: { ...config, seed: 10 }, resume: state }),
    RangeError,
    "checkpoint's config",
  );
  for (const r of [whole, resumed]) r.model.dispose();
});

Deno.test("train() yields to the event loop within an epoch: an abort from a timer stops it after a few batches", async () => {
  const small = resolveConfig({ units: 4, trainSize: 2000, validationSize: 20, epochs: 2, seed: 3 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 0);
  const stopped = await assertRejects(() => train({ config: small, signal: controller.signal }), TrainingInterrupted);
  const state = (stopped as TrainingInterrupted).state;
  assertEquals(state.epoch, 0, "stopped in the first epoch");
  assert(state.batch <= YIELD_EVERY_BATCHES, `stopped after ${state.batch} batches`);
});

Deno.test("train() (e) averageEvery batch: the running mean of the weights after every batch from epoch averageFrom; with one batch an epoch the same bytes as the epoch mean; resumes bit for bit", async () => {
  // one batch an epoch: a mean over batches is the mean over epoch ends
  const one = { ...config, trainSize: config.batchSize, epochs: 4, averageFrom: 2 };
  const byEpoch = await train({ config: resolveConfig(one) });
  const byBatch = await train({ config: resolveConfig({ ...one, averageEvery: "batch" }) });
  assertEquals(weightBytes(byBatch.model), weightBytes(byEpoch.model));
  // six batches an epoch: it differs, and a stop inside an averaged epoch resumes to the same bytes
  const batchwise = resolveConfig({ ...config, averageEvery: "batch" });
  assertEquals([batchwise.averageFrom, batchwise.averageEvery], [2, "batch"]);
  const whole = await train({ config: batchwise });
  const epochwise = await train({ config });
  assert(
    weightBytes(whole.model).some((w, k) => !equalBytes(w, weightBytes(epochwise.model)[k])),
    "a mean over every batch must differ from the mean over epoch ends",
  );
  for (const at of [{ epoch: 1, batch: 4 }, { epoch: 2, batch: 3 }, { epoch: 3, batch: 1 }]) {
    const resumed = await train({ config: batchwise, resume: await stoppedAt(batchwise, at.epoch, at.batch) });
    assertEquals(weightBytes(resumed.model), weightBytes(whole.model), `stopped at ${JSON.stringify(at)}`);
    resumed.model.dispose();
  }
  for (const r of [byEpoch, byBatch, whole, epochwise]) r.model.dispose();
});

Deno.test("train() (e) classZeroWeight w trains with the loss weights [w, 1] per class, bit for bit; with the classWeights option too it is an error", async () => {
  // the small training split holds no class-0 series at threshold 100; at 130 it holds both classes
  const plain = resolveConfig({ ...config, threshold: 130 });
  const weighted = resolveConfig({ ...plain, classZeroWeight: 3 });
  const byConfig = await train({ config: weighted });
  const byOption = await train({ config: plain, classWeights: [3, 1] });
  const unweighted = await train({ config: plain });
  assertEquals(weightBytes(byConfig.model), weightBytes(byOption.model));
  assert(
    weightBytes(byConfig.model).some((w, k) => !equalBytes(w, weightBytes(unweighted.model)[k])),
    "the weight must change the weights",
  );
  await assertRejects(
    () => train({ config: weighted, classWeights: [2, 1] }),
    RangeError,
    "Config field classZeroWeight 3 and the classWeights option 2,1 are two loss weightings; give one",
  );
  for (const r of [byConfig, byOption, unweighted]) r.model.dispose();
});

Deno.test("train() (e) permuteDigits: epoch e trains on epochSplit(), the split with each series' digits reordered; the run differs from the plain one and resumes bit for bit", async () => {
  const permuted = resolveConfig({ ...config, permuteDigits: true });
  const asDrawn = resolveConfig({ ...config, permuteDigits: false });
  assert(!("permuteDigits" in asDrawn));
  const split = datasetFor(permuted).train;
  assertEquals(epochSplit(asDrawn, split, 1), split, "without permuteDigits the split is taken as it is");
  const e1 = epochSplit(permuted, split, 1);
  assertEquals(e1.x, permuteWithinSeries({ seed: permuted.seed, epoch: 1, x: split.x, seriesLength: 30 }));
  assertEquals([e1.y, e1.size], [split.y, split.size]);
  const plain = await train({ config: asDrawn });
  const whole = await train({ config: permuted });
  // the recorded training figures are those of the split as drawn, not of the last epoch's reordering
  const trainP = predictSplit(whole.model, split, permuted);
  assertEquals(whole.metrics.train.accuracy, accuracy(confusion(split.y, trainP)));
  assertEquals(whole.metrics.train.loss, binaryCrossEntropy(split.y, trainP));
  assert(
    weightBytes(whole.model).some((w, k) => !equalBytes(w, weightBytes(plain.model)[k])),
    "the reordered digits must change the weights",
  );
  const resumed = await train({ config: permuted, resume: await stoppedAt(permuted, 2, 3) });
  assertEquals(weightBytes(resumed.model), weightBytes(whole.model));
  for (const r of [plain, whole, resumed]) r.model.dispose();
});
