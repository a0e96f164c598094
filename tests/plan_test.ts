import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  canonicalJson,
  DEFAULT_ARM,
  isDiagnosticArm,
  parseSeeds,
  parseShard,
  PLAN_BASE,
  planRuns,
  PLANS,
  runName,
  selectArms,
  shardRuns,
} from "../src/core/plan.ts";
import { BASELINE_CHOICES, OPTIONAL_CONFIG_FIELDS, resolveConfig } from "../src/core/spec.ts";

Deno.test("shardRuns() cuts any grid into disjoint shards that together hold every run", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 17 }), (size, count) => {
    const grid = Array.from({ length: size }, (_, k) => `run${k}`);
    const shards = Array.from({ length: count }, (_, index) => shardRuns(grid, { index, count }));
    const all = shards.flat();
    assertEquals(all.length, size, "every run once");
    assertEquals(new Set(all).size, size, "no run twice");
    assertEquals([...all].sort(), [...grid].sort());
    // balanced: shard sizes differ by at most one
    const sizes = shards.map((s) => s.length);
    assert(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  }));
});

Deno.test("planRuns() lists every variant on every seed, sorted by name, the same on every call", () => {
  const runs = planRuns(PLANS.imbalance, [1, 2, 3]);
  assertEquals(runs.length, 3 * 3);
  const names = runs.map(runName);
  assertEquals(names, [...names].sort());
  assertEquals(new Set(names).size, names.length);
  assertEquals(planRuns(PLANS.imbalance, [1, 2, 3]).map(runName), names);
  assert(runs.every((r) => r.config.dataSeed === r.config.seed), "data seed = seed");
  const fixed = planRuns(PLANS["spec-data42"]);
  assert(fixed.every((r) => r.config.dataSeed === 42), "the spec-data42 plan holds the data fixed");
  assertEquals(planRuns(PLANS.smoke)[0].config.units, 4);
});

Deno.test("runName() depends on the variant, both seeds and every config field, and nothing else", () => {
  const config = resolveConfig({ seed: 3 });
  const base = runName({ variant: "spec", config });
  assert(base.startsWith("spec-centered-shift-fb5-swa31-perm-s3-d3-") && base.endsWith(".json"), base);
  assertEquals(runName({ variant: "spec", config: resolveConfig({ seed: 3 }) }), base);
  for (
    const other of [
      { variant: "oversampled" as const, config },
      { variant: "spec" as const, config: resolveConfig({ seed: 3, dataSeed: 4 }) },
      { variant: "spec" as const, config: resolveConfig({ seed: 3, epochs: 59 }) },
      { variant: "spec" as const, config: resolveConfig({ seed: 3, inputScaling: "digit" }) },
    ]
  ) {
    assert(runName(other) !== base, `${runName(other)} must differ from ${base}`);
  }
});

Deno.test("canonicalJson() is independent of key order", () => {
  assertEquals(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 2 } }),
    canonicalJson({ a: { c: 2, d: [1, { x: 1, y: 2 }] }, b: 1 }),
  );
});

Deno.test("parseSeeds() reads single seeds, ranges and lists", () => {
  assertEquals(parseSeeds("42"), [42]);
  assertEquals(parseSeeds("1-10"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assertEquals(parseSeeds("5,1-3,2"), [1, 2, 3, 5]);
});

Deno.test("parseSeeds() rejects malformed lists, descending ranges and seeds out of range, naming them", () => {
  assertThrows(() => parseSeeds(""), RangeError, `Seeds must look like 7, 1-10 or 1,3,5, got ""`);
  assertThrows(() => parseSeeds("1-x"), RangeError, `got "1-x"`);
  assertThrows(() => parseSeeds("5-1"), RangeError, `Seed range must ascend, got "5-1"`);
  assertThrows(
    () => parseSeeds("4294967296"),
    RangeError,
    "Seed must be an integer in [0, 4294967295], got 4294967296",
  );
  assertThrows(() => parseSeeds("0-999999"), RangeError, "at most 100000 seeds");
});

Deno.test("parseShard() reads i/n and rejects anything else", () => {
  assertEquals(parseShard("0/4"), { index: 0, count: 4 });
  assertEquals(parseShard("3/4"), { index: 3, count: 4 });
  for (const bad of ["4/4", "1/0", "-1/2", "a/b", "1", ""]) {
    assertThrows(() => parseShard(bad), RangeError, `Shard must be i/n with 0 <= i < n, got "${bad}"`);
  }
});

Deno.test("runName() of a config has not moved: optional config fields, absent, leave committed run names alone", () => {
  const name = (overrides: object) =>
    runName({ variant: "spec", config: resolveConfig({ ...PLAN_BASE, seed: 1, ...overrides }) });
  assertEquals(name(BASELINE_CHOICES), "spec-s1-d1-08879dd0a4ebfe84.json");
  const centered = { inputScaling: "centered" };
  assertEquals(name({ ...centered, permuteDigits: false }), "spec-fb5-swa31-s1-d1-2a3526ce5a84c508.json");
  assertEquals(name(centered), "spec-fb5-swa31-perm-s1-d1-9daea63fdcddccc8.json");
  assertEquals(name({}), "spec-centered-shift-fb5-swa31-perm-s1-d1-83506a02d5729e63.json");
  // the plans pin matmul xnnpack (PLAN_BASE), which a config stores as absent; the default's fma is another run
  assertEquals(name({ matmul: "xnnpack" }), name({}));
  assert(name({ matmul: "fma" }) !== name({}));
});

Deno.test("planRuns() runs every arm on every seed; the spec arm is the spec plan's own run, the others differ", () => {
  const plan = PLANS.boundary;
  const runs = planRuns(plan, [1, 2]);
  assertEquals(runs.length, plan.arms!.length * 2);
  const spec = runs.filter((r) => r.arm === "spec").map(runName).sort();
  assertEquals(spec, planRuns(PLANS.spec, [1, 2]).map(runName).sort());
  const names = runs.map(runName);
  assertEquals(new Set(names).size, names.length, "one file per arm and seed");
  const fb5 = runs.find((r) => r.arm === "forget-bias-5" && r.config.seed === 2)!;
  assertEquals([fb5.variant, fb5.config.forgetBias, fb5.config.dataSeed], ["spec", 5, 2]);
});

Deno.test("selectArms() keeps the named arms in the plan's order, and names what it cannot select", () => {
  const plan = selectArms(PLANS.boundary, "forget-bias-5, spec");
  assertEquals(plan.arms!.map((a) => a.name), ["spec", "forget-bias-5"]);
  assertEquals(planRuns(plan, [1]).length, 2);
  assertThrows(() => selectArms(PLANS.boundary, "spec,x"), RangeError, 'got "x"');
  assertThrows(() => selectArms(PLANS.spec, "spec"), RangeError, "has no arms to select");
});

Deno.test("every pairWith in PLANS is another arm of its own plan, not the spec arm and not the arm itself", () => {
  let partners = 0;
  for (const [name, plan] of Object.entries(PLANS)) {
    for (const arm of plan.arms ?? []) {
      if (!arm.pairWith) continue;
      partners++;
      assert(plan.arms!.includes(arm.pairWith), `${name}: ${arm.name} pairs with an arm outside the plan`);
      assert(
        arm.pairWith !== arm && arm.pairWith.name !== "spec",
        `${name}: ${arm.name} pairs with ${arm.pairWith.name}`,
      );
    }
  }
  assert(partners >= 2);
});

Deno.test("planRuns() gives an arm with pairWith its partner's run on the same seed, even when selectArms() leaves the partner out", () => {
  const runs = planRuns(selectArms(PLANS.boundary, "one-hot-fb5-average-31"), [2]);
  assertEquals(runs.length, 1);
  const partner = planRuns(selectArms(PLANS.boundary, "fb5-average-31"), [2])[0];
  assertEquals(runs[0].pairWith, { arm: "fb5-average-31", run: runName(partner) });
  assertEquals(planRuns(selectArms(PLANS.boundary, "clip-1"), [2])[0].pairWith, undefined);
  const zeros = planRuns(selectArms(PLANS.boundary, "permute-fb5-average-31-zeros"), [2])[0];
  assertEquals(
    zeros.config,
    resolveConfig({ ...PLAN_BASE, seed: 2, recurrentInit: "zeros", inputScaling: "centered" }),
    "the choices of the default before the shifted inputs, and a zero recurrent kernel",
  );
  assertEquals(zeros.pairWith, {
    arm: "permute-fb5-average-31",
    run: runName({ variant: "spec", config: resolveConfig({ ...PLAN_BASE, seed: 2, inputScaling: "centered" }) }),
  });
});

Deno.test("isDiagnosticArm(): exactly the arms that change a field item (e) does not leave free are diagnoses, and their names say so", () => {
  const itemE = new Set([...OPTIONAL_CONFIG_FIELDS, "inputScaling", "seed", "dataSeed"]);
  for (const [name, plan] of Object.entries(PLANS)) {
    for (const arm of plan.arms ?? []) {
      const changesSpec = Object.keys(arm.config).some((k) => !itemE.has(k));
      assertEquals(isDiagnosticArm(arm.name), changesSpec, `${name}: ${arm.name}`);
    }
  }
  assertEquals([isDiagnosticArm("diagnostic-120-epochs"), isDiagnosticArm("forget-bias-5")], [true, false]);
});

Deno.test("runName() names the optional fields that are set, after the variant", () => {
  const name = (extra: object) =>
    runName({ variant: "spec", config: resolveConfig({ ...BASELINE_CHOICES, seed: 2, ...extra }) });
  assert(name({ arch: "linear" }).startsWith("spec-linear-s2-d2-"));
  assert(name({ forgetBias: 5 }).startsWith("spec-fb5-s2-d2-"));
  assert(name({ clipNorm: 1 }).startsWith("spec-clip1-s2-d2-"));
  assert(name({ inputScaling: "digit" }).startsWith("spec-digit-s2-d2-"));
  assert(name({ inputScaling: "one-hot" }).startsWith("spec-one-hot-s2-d2-"));
  assert(name({ recurrentInit: "glorot" }).startsWith("spec-glorot-s2-d2-"));
  assert(name({ recurrentInit: "zeros" }).startsWith("spec-zeros-s2-d2-"));
  assert(name({ classZeroWeight: 1.25 }).startsWith("spec-cw1.25-s2-d2-"));
  assert(name({ averageFrom: 31, averageEvery: "batch" }).startsWith("spec-swa31b-s2-d2-"));
  assert(name({ permuteDigits: true }).startsWith("spec-perm-s2-d2-"));
  assert(name({}).startsWith("spec-s2-d2-"));
  assert(name({ inputScaling: "centered-shift" }).startsWith("spec-centered-shift-s2-d2-"));
  assert(
    runName({ variant: "spec", config: resolveConfig({ seed: 2 }) }).startsWith(
      "spec-centered-shift-fb5-swa31-perm-s2-d2-",
    ),
  );
});

Deno.test("the default plan runs the default config on the plans' arithmetic (PLAN_BASE); every other LSTM plan pairs with the spec plan's baseline choices, so the boundary arm permute-fb5-average-31-shift is the default plan's run", () => {
  const seeds = [1, 2];
  const names = (runs: ReturnType<typeof planRuns>) => runs.map(runName).sort();
  assertEquals(
    planRuns(PLANS.default, seeds).map((r) => r.config),
    seeds.map((seed) => resolveConfig({ ...PLAN_BASE, seed })),
  );
  assertEquals(DEFAULT_ARM.name, "permute-fb5-average-31-shift");
  assert(PLANS.boundary.arms!.includes(DEFAULT_ARM));
  const arm = planRuns(PLANS.boundary, seeds).filter((r) => r.arm === DEFAULT_ARM.name);
  assertEquals(names(arm), names(planRuns(PLANS.default, seeds)));
  for (const plan of ["spec", "spec-data42", "imbalance", "boundary", "archs"]) {
    for (const run of planRuns(PLANS[plan], seeds).filter((r) => !r.arm || r.arm === "spec")) {
      for (const key of ["forgetBias", "averageFrom", "permuteDigits"]) {
        assert(!(key in run.config), `${plan}: ${runName(run)}`);
      }
      assertEquals(run.config.inputScaling, "centered", `${plan}: ${runName(run)}`);
    }
  }
});
