/**
 * `averageFrom`, an item (e) choice against the boundary's late drift: the model that training
 * returns is the running mean of the weights at the end of each epoch from `averageFrom` on
 * (stochastic weight averaging, Izmailov et al. 2018, arXiv:1803.05407). The optimizer and the
 * trajectory are the spec's; only which weights are kept changes.
 */
import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { initBackend, roleVariables, train } from "../src/train/mod.ts";
import { runName } from "../src/core/plan.ts";
import { BASELINE_CHOICES, resolveConfig } from "../mod.ts";
import { stopTrainingAt } from "./_stop_training.ts";

await initBackend();

/** Last weights unless a test names averageFrom. */
const tiny = { units: 5, trainSize: 150, validationSize: 30, epochs: 4, seed: 13, averageFrom: undefined } as const;

const weightsOf = (model: Awaited<ReturnType<typeof train>>["model"]) =>
  roleVariables(model, "lstm").map((r) => Float32Array.from(r.variable.dataSync()));

Deno.test("resolveConfig() takes averageFrom as an epoch in [1, epochs], the second half when not named, absent when named undefined or missing from a complete config, and names a bad one", () => {
  assertEquals(resolveConfig().averageFrom, 31);
  assertEquals([resolveConfig({ epochs: 4 }).averageFrom, resolveConfig({ epochs: 1 }).averageFrom], [3, 1]);
  assertEquals(resolveConfig({ averageFrom: 41 }).averageFrom, 41);
  assertEquals("averageFrom" in resolveConfig({ averageFrom: undefined }), false);
  // a recorded config (every required field) keeps its meaning: no field, no averaging
  const recorded = JSON.parse(JSON.stringify(resolveConfig({ ...BASELINE_CHOICES, seed: 3 })));
  assertEquals("averageFrom" in recorded, false);
  assertEquals(resolveConfig(recorded), recorded);
  for (const bad of [0, 61, 2.5, Number.NaN]) {
    assertThrows(
      () => resolveConfig({ averageFrom: bad }),
      RangeError,
      `Config field "averageFrom" must be an epoch in [1, 60], got ${bad}`,
    );
  }
  assertThrows(() => resolveConfig({ epochs: 3, averageFrom: 4 }), RangeError, "must be an epoch in [1, 3], got 4");
});

Deno.test("runName() tags averageFrom as -swaN", () => {
  const config = resolveConfig({ ...BASELINE_CHOICES, forgetBias: 5, averageFrom: 41, seed: 2 });
  assert(
    runName({ variant: "spec", config }).startsWith("spec-fb5-swa41-s2-d2-"),
    runName({ variant: "spec", config }),
  );
});

Deno.test("train() with averageFrom keeps the mean of the end-of-epoch weights from that epoch on; the per-epoch history is the spec's", async () => {
  const snapshots: Float32Array[][] = [];
  const plain = await train({ config: tiny, onEpochEnd: (_, model) => void snapshots.push(weightsOf(model)) });
  const averaged = await train({ config: { ...tiny, averageFrom: 2 } });
  // the trajectory is untouched: the same batches, losses and per-epoch records
  assertEquals(averaged.history.batches, plain.history.batches);
  const got = weightsOf(averaged.model);
  for (let w = 0; w < got.length; w++) {
    for (let i = 0; i < got[w].length; i++) {
      const mean = (snapshots[1][w][i] + snapshots[2][w][i] + snapshots[3][w][i]) / 3;
      assert(
        Math.abs(got[w][i] - mean) <= 1e-6 * Math.max(1, Math.abs(mean)),
        `weight ${w}[${i}]: ${got[w][i]} vs ${mean}`,
      );
    }
  }
  assertNotEquals(
    got,
    weightsOf(plain.model),
    "the average must differ from the last weights, or the test proves nothing",
  );
  // the final metrics are those of the kept (averaged) weights
  assertNotEquals(averaged.metrics.validation, plain.metrics.validation);
  assertEquals(averaged.metrics.config.averageFrom, 2);
  plain.model.dispose();
  averaged.model.dispose();
});

Deno.test("train() with averageFrom equal to epochs returns the last weights bit for bit", async () => {
  const plain = await train({ config: tiny });
  const last = await train({ config: { ...tiny, averageFrom: tiny.epochs } });
  assertEquals(weightsOf(last.model), weightsOf(plain.model));
  plain.model.dispose();
  last.model.dispose();
});

Deno.test("train() with averageFrom resumes from a checkpoint taken after averaging began, bit for bit", async () => {
  const config = { ...tiny, averageFrom: 2 };
  const whole = await train({ config });
  const state = await stopTrainingAt({ config }, { epoch: 4, batch: 1 });
  assert(state.tensors.some((t) => t.name.startsWith("average/")), "the checkpoint carries the running mean");
  const resumed = await train({ config, resume: state });
  assertEquals(weightsOf(resumed.model), weightsOf(whole.model));
  whole.model.dispose();
  resumed.model.dispose();
});
