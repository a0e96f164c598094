import { assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { type Plan, planRuns, PLANS, runName, type RunSpec } from "../src/core/plan.ts";
import { trainRun } from "../src/runner/variants.ts";
import { type RunRecord, writeRunRecord } from "../src/runner/record.ts";
import { summarizePlan } from "../src/runner/summary.ts";
import { initBackend } from "../src/train/mod.ts";

await initBackend();

/**
 * Writes a run file for each run into a new temporary folder: one real tiny run as the template, with the
 * validation accuracy `accuracyOf` gives (no file where it gives undefined).
 */
async function writeRuns(
  runs: RunSpec[],
  accuracyOf: (run: RunSpec, seed: number) => number | undefined,
): Promise<string> {
  const template = await trainRun(runs[0]);
  const dir = await Deno.makeTempDir({ prefix: "lstm-sum-summary-" });
  for (const run of runs) {
    const accuracy = accuracyOf(run, run.config.seed);
    if (accuracy === undefined) continue;
    const record: RunRecord = {
      ...template,
      variant: run.variant,
      config: run.config,
      name: runName(run),
      validation: { ...template.validation, accuracy },
    };
    await writeRunRecord(`${dir}/${runName(run)}`, record);
  }
  return dir;
}

Deno.test("summarizePlan() groups a plan's arms by name and pairs each with the spec arm on the same seeds", async () => {
  const plan: Plan = {
    description: "two arms",
    variants: [],
    arms: [{ name: "spec", config: {} }, { name: "clip", config: { clipNorm: 1 } }],
    seeds: [1, 2, 3],
    config: PLANS.smoke.config,
  };
  const runs = planRuns(plan);
  // the spec arm scores 0.9 on every seed, the clip arm 0.9 + seed / 100; seed 3 of the clip arm is missing
  const dir = await writeRuns(
    runs,
    (run, seed) => run.arm === "clip" ? (seed === 3 ? undefined : 0.9 + seed / 100) : 0.9,
  );
  const s = await summarizePlan({ runs, outDir: dir });
  const groups = Object.fromEntries(s.variants.map((v) => [v.variant, v.seeds]));
  assertEquals(groups, { spec: [1, 2, 3], clip: [1, 2] });
  assertEquals(s.missing.length, 1);
  assertEquals(s.paired.map((p) => [p.variant, p.seeds]), [["clip", [1, 2]]]);
  assertAlmostEquals(s.paired[0].difference.accuracy!.mean, 0.015, 1e-12);
  assertStringIncludes(s.text, "clip − spec, paired on seeds 1, 2");
  // the same-sum scatter of the run files' logit fit, where they record it
  assertStringIncludes(s.text, "scatter at one sum (sums)");
  assertStringIncludes(s.text, "by the order mean (sums)");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("summarizePlan() pairs an arm that names pairWith with that arm too, on the same seeds, and says so in the text", async () => {
  const base = { name: "clip", config: { clipNorm: 1 } };
  const plan: Plan = {
    description: "an arm on top of another",
    variants: [],
    arms: [{ name: "spec", config: {} }, base, {
      name: "clip-fb3",
      config: { clipNorm: 1, forgetBias: 3 },
      pairWith: base,
    }],
    seeds: [1, 2],
    config: PLANS.smoke.config,
  };
  const runs = planRuns(plan);
  // spec 0.9, clip 0.92, clip-fb3 0.92 + seed / 100
  const dir = await writeRuns(
    runs,
    (run, seed) => run.arm === "spec" ? 0.9 : run.arm === "clip" ? 0.92 : 0.92 + seed / 100,
  );
  const s = await summarizePlan({ runs, outDir: dir });
  const key = (p: { variant: string; baseline: string }) => `${p.variant} − ${p.baseline}`;
  assertEquals(s.paired.map((p) => [key(p), p.seeds]).sort(), [
    ["clip − spec", [1, 2]],
    ["clip-fb3 − clip", [1, 2]],
    ["clip-fb3 − spec", [1, 2]],
  ]);
  assertAlmostEquals(s.paired.find((p) => key(p) === "clip-fb3 − clip")!.difference.accuracy!.mean, 0.015, 1e-12);
  assertStringIncludes(s.text, "clip-fb3 − clip, paired on seeds 1, 2");
  await Deno.remove(dir, { recursive: true });
});
