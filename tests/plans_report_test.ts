import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import fc from "fast-check";
import {
  archsFigure,
  archsSection,
  boundaryArmsSection,
  dataOrTrainingSection,
  driftFigure,
  imbalanceSection,
  verdict,
} from "../src/report/plans.ts";
import { summarize } from "../src/core/stats.ts";
import type { PlanSummary, VariantSummary } from "../src/runner/summary.ts";

Deno.test("verdict() keeps a single-seed claim only when the paired interval excludes 0 on its side", () => {
  assertEquals(verdict(-0.1, summarize([-0.05, -0.06, -0.07])), "holds");
  assertEquals(verdict(0.1, summarize([-0.05, -0.06, -0.07])), "reversed");
  assertEquals(verdict(-0.1, summarize([-0.05, 0.06, -0.07])), "not shown");
  assertEquals(verdict(undefined, summarize([0.2, 0.3, 0.25])), "new");
  assertEquals(verdict(0.1, summarize([0.2])), "not shown", "one seed has no interval");
  fc.assert(fc.property(
    fc.float({ min: -1, max: 1, noNaN: true }),
    fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 10 }),
    (single, diffs) => {
      const s = summarize(diffs);
      const v = verdict(single, s);
      if (s.ci.low <= 0 && s.ci.high >= 0) assertEquals(v, "not shown");
      else assert(v !== "not shown");
    },
  ));
});

/** A variant summary with the given per-seed values of each figure. */
function variant(name: string, figures: Record<string, number[]>, seeds = [1, 2, 3]): VariantSummary {
  return {
    variant: name,
    seeds,
    figures: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, summarize(v)])),
    class0Pooled: { right: 50, total: 60, wilson: { low: 0.7, high: 0.9 } },
    meanSeconds: 600,
    perRun: seeds.map((seed, i) => ({
      seed,
      accuracy: figures.accuracy?.[i] ?? NaN,
      mcc: figures.mcc?.[i] ?? NaN,
      specificity: figures.specificity?.[i] ?? NaN,
    })),
    lateDrift: [{
      seed: seeds[0],
      thresholdLow: 97,
      thresholdHigh: 101.5,
      atThresholdLow: 0.25,
      atThresholdHigh: 0.95,
    }],
    arch: "lstm",
    parameters: 161_801,
    epochSeconds: 9.5,
    curve: [{ epoch: 1, valAccuracy: 0.99, valLoss: 0.05 }, { epoch: 2, valAccuracy: 0.995, valLoss: 0.03 }],
    boundaryHistory: [
      { epoch: 1, runs: 3, atThreshold: 0.5, band: 0.7, effectiveThreshold: 101 },
      { epoch: 2, runs: 3, atThreshold: 0.6, band: 0.8, effectiveThreshold: 100 },
    ],
  };
}

function plan(variants: VariantSummary[], paired: PlanSummary["paired"] = []): PlanSummary {
  return { total: 6, present: [], missing: ["x.json"], variants, paired, text: "" };
}

Deno.test("imbalanceSection() tables each treatment over seeds and judges the single-seed study by the paired intervals", () => {
  const spec = variant("spec", {
    accuracy: [0.995, 0.996, 0.994],
    specificity: [0.8, 0.7, 0.75],
    mcc: [0.8, 0.8, 0.8],
  });
  const cw = variant("class-weighted", {
    accuracy: [0.985, 0.986, 0.984],
    specificity: [1, 1, 1],
    mcc: [0.7, 0.6, 0.8],
  });
  const md = imbalanceSection(
    {
      spec: plan([spec]),
      imbalance: plan([cw], [{
        variant: "class-weighted",
        baseline: "spec",
        seeds: [1, 2, 3],
        difference: { accuracy: summarize([-0.01, -0.01, -0.0101]), mcc: summarize([-0.1, -0.2, 0]) },
      }]),
    },
    {
      variants: [
        { name: "spec", validation: { accuracy: 0.9965, mcc: 0.86, specificity: 1 } },
        { name: "class-weighted", validation: { accuracy: 0.8625, mcc: 0.242, specificity: 1 } },
      ] as never,
    },
  ).join("\n");
  assertStringIncludes(md, "## The imbalance treatments over seeds");
  assertStringIncludes(md, "1 of 6 runs are still missing");
  assertStringIncludes(md, "| class-weighted | 1, 2, 3 | 98.50 % ± 0.10 |");
  assertStringIncludes(
    md,
    "**class-weighted, accuracy**: holds: the single seed said −13.40 points; over 3 paired seeds −1.00 points",
  );
  assertStringIncludes(md, "**class-weighted, MCC**: not shown: the single seed said −0.618");
});

Deno.test("dataOrTrainingSection() compares the spread with everything varying to that of the training seed alone", () => {
  const all = variant("spec", { accuracy: [0.99, 0.995, 1, 0.985] }, [1, 2, 3, 4]);
  const fixed = variant("spec", { accuracy: [0.99, 1, 0.995] });
  const md = dataOrTrainingSection({ spec: plan([all]), specData42: plan([fixed]) }).join("\n");
  assertStringIncludes(md, "## Data draw or training?");
  // sd 0.645 and 0.5 points: the training seed alone gives 0.25 / 0.4167 = 60 % of the variance
  assertStringIncludes(md, "| validation accuracy | 0.65 points | 0.50 points | 60 % | 99.50 % |");
  assertEquals(dataOrTrainingSection({ spec: plan([all]) }), []);
});

Deno.test("boundaryArmsSection() names the best arm over the band against the bars, and draws the drift", () => {
  const spec = variant("spec", {
    boundaryAtThreshold: [0.5, 0.6, 0.7],
    boundaryBand: [0.8, 0.8, 0.8],
    accuracy: [0.995, 0.996, 0.997],
  });
  const fb = variant("forget-bias-5", {
    boundaryAtThreshold: [0.9, 0.95, 1],
    boundaryBand: [0.97, 0.98, 0.99],
    accuracy: [0.998, 0.998, 0.998],
  });
  const pairs = [{
    variant: "forget-bias-5",
    baseline: "forget-bias-3",
    seeds: [1, 2, 3],
    difference: { accuracy: summarize([0.001, 0.002, 0.003]) },
  }];
  const md = boundaryArmsSection({ boundary: plan([spec, fb], pairs) }).join("\n");
  assertStringIncludes(md, "| forget-bias-5 − forget-bias-3 | 1, 2, 3 | +0.20 [");
  assertStringIncludes(
    md,
    "The best arm over sums 95..105 is **forget-bias-5**: 95.00 % ± 5.00 at sum 100 (bar ≥ 90 %: met)",
  );
  assertStringIncludes(md, "98.00 % ± 1.00 over 95..105 (bar ≥ 97 %: met)");
  assertStringIncludes(md, "(bar ≥ 99.7 % over 10 seeds: not measured on 10 seeds)");
  assertStringIncludes(md, "![drift](drift.svg)");
  assertStringIncludes(
    md,
    "still moves across 4.5–4.5 sums from epoch to epoch, and its accuracy at the threshold swings by 70 %–70 % (2 runs)",
  );
  assert(!md.includes("diagnoses"), "no diagnostic arm, no sentence about them");
  // a diagnostic arm changes item (a) or (f): it is shown, but never named the best choice
  const more = variant("diagnostic-more-data", {
    boundaryAtThreshold: [1, 1, 1],
    boundaryBand: [1, 1, 1],
    accuracy: [1, 1, 1],
  });
  const withDiagnosis = boundaryArmsSection({ boundary: plan([spec, fb, more], pairs) }).join("\n");
  assertStringIncludes(withDiagnosis, "| diagnostic-more-data | 1, 2, 3 |");
  assertStringIncludes(withDiagnosis, "The best arm over sums 95..105 is **forget-bias-5**");
  assertStringIncludes(
    withDiagnosis,
    "Arms named diagnostic-… change item (a) or (f), which the boundary issue keeps, to find what limits the boundary: diagnoses, not choices, so the best arm is chosen without them.",
  );
  const svg = driftFigure({ boundary: plan([spec, fb]) }, "effectiveThreshold")!;
  assertEquals(svg.match(/class="series"/g)?.length, 3, "two arms and the rule");
});

Deno.test("boundaryArmsSection() states the default config's 10-seed figures against every bar, paired with the spec plan", () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const ten = (v: number) => seeds.map((_, i) => v + (i % 2 ? 0.001 : -0.001));
  const spec = variant("spec", { boundaryBand: [0.8, 0.8, 0.8] });
  const fb = variant("forget-bias-5", { boundaryBand: [0.9, 0.9, 0.9] });
  const byDefault = variant("default", {
    accuracy: ten(0.998),
    specificity: ten(0.9),
    boundaryAtThreshold: ten(0.8),
    boundaryBand: ten(0.95),
  }, seeds);
  const paired = [{
    variant: "default",
    seeds,
    difference: { accuracy: summarize(ten(0.003)), specificity: summarize(ten(0.14)) },
  }] as unknown as PlanSummary["paired"];
  const md = boundaryArmsSection({ boundary: plan([spec, fb]), defaultVsSpec: plan([byDefault], paired) }).join("\n");
  assertStringIncludes(
    md,
    "The default config (forget-gate bias 5, weights averaged over epochs 31–60, each training series' digits " +
      "reordered every epoch, input scaling `centered-shift`; the fast path's `xnnpack` arithmetic, as every plan) " +
      "over the 10 seeds",
  );
  assertStringIncludes(md, "validation accuracy 99.80 % ± 0.11 (bar ≥ 99.7 %: met)");
  assertStringIncludes(md, "class-0 recall 90.00 % ± 0.11 (bar ≥ 95 %: not met)");
  assertStringIncludes(md, "80.00 % ± 0.11 at sum 100 (bar ≥ 90 %: not met)");
  assertStringIncludes(md, "95.00 % ± 0.11 over 95..105 (bar ≥ 97 %: not met)");
  assertStringIncludes(md, "minus the spec on the same seeds: accuracy +0.30 [");
  assertStringIncludes(md, "class-0 recall +14.00 [");
  // without the default plan's runs, no such line
  assert(!boundaryArmsSection({ boundary: plan([spec, fb]) }).join("\n").includes("The default config"));
});

Deno.test("archsSection() tables the archs by parameters with their seconds per epoch, and archsFigure() overlays their curves", () => {
  const lstm = variant("spec", { accuracy: [0.995, 0.996, 0.997], mcc: [0.8, 0.85, 0.9] });
  const linear = {
    ...variant("linear", { accuracy: [0.985, 0.986, 0.984], mcc: [0.1, 0.2, 0.1], cutAccuracy: [0.996, 0.997, 0.998] }),
    arch: "linear" as const,
    parameters: 31,
    epochSeconds: 0.4,
  };
  const md = archsSection({ archs: plan([lstm, linear]) }).join("\n");
  assertStringIncludes(md, "## Which model learns the sum?");
  assert(md.indexOf("| linear | 31 |") < md.indexOf("| lstm (spec) | 161,801 |"), "sorted by parameters");
  assertStringIncludes(md, "| 0.4 |");
  assertStringIncludes(md, "Highest MCC: **the LSTM**");
  assertStringIncludes(md, "linear (31 parameters) reaches the LSTM's accuracy");
  assertEquals(archsFigure({ archs: plan([lstm, linear]) })!.match(/class="series"/g)?.length, 2);
  assertEquals(archsSection({ archs: plan([lstm]) }), []);
});

Deno.test("archsSection() counts the runs that found no class-0 series (class-0 recall 0) and gives the others' mean", () => {
  const lstm = variant("spec", { accuracy: [0.995, 0.996, 0.997], mcc: [0.8, 0.85, 0.9], specificity: [0.8, 0.9, 1] });
  const gru = {
    ...variant("gru", { accuracy: [0.997, 0.982, 0.996], mcc: [0.9, 0, 0.8], specificity: [0.92, 0, 0.7] }),
    arch: "gru" as const,
  };
  const rnn = {
    ...variant("rnn", { accuracy: [0.9875, 0.982, 0.9865], mcc: [0, 0, 0], specificity: [0, 0, 0] }),
    arch: "rnn" as const,
  };
  const md = archsSection({ archs: plan([lstm, gru, rnn]) }).join("\n");
  assertStringIncludes(
    md,
    "Runs that found none of the class-0 validation series (class-0 recall 0): **gru 1 of 3** (seed 2), " +
      "**rnn 3 of 3** (seeds 1, 2, 3). The other gru runs: 99.65 % accuracy, class-0 recall 81.00 %, MCC 0.850.",
  );
  const none = archsSection({
    archs: plan([lstm, { ...gru, perRun: gru.perRun.map((r) => ({ ...r, specificity: 0.5 })) }]),
  });
  assert(!none.join("\n").includes("class-0 recall 0"), "no such sentence when every run found some");
});

Deno.test("boundaryArmsSection() tables the sum-line cut-off, within each run against 0.5, only for the arms that record it", () => {
  const spec = variant("spec", { boundaryBand: [0.8, 0.8, 0.8] });
  const lined = variant("permute-fb5-average-31", {
    boundaryBand: [0.96, 0.96, 0.97],
    lineBand: [0.97, 0.975, 0.98],
    lineJustBelow: [0.8, 0.85, 0.9],
    lineAtThreshold: [0.82, 0.84, 0.86],
    lineBandGain: [0.01, 0.015, 0.01],
    lineCrossingError: [0.01, -0.02, 0.04],
  });
  const md = boundaryArmsSection({ boundary: plan([spec, lined]) }).join("\n");
  assertStringIncludes(md, "### The cut-off at the training split's sum line");
  assertStringIncludes(md, "| permute-fb5-average-31 | 3 | 85.00 % | 84.00 % | 97.50 % ± 0.50 |");
  assertStringIncludes(md, "| +1.17 [");
  assertStringIncludes(md, "| +0.01 [");
  assert(!md.includes("| spec | 3 | –"), "an arm without the sum line gets no row");
  assert(!boundaryArmsSection({ boundary: plan([spec]) }).join("\n").includes("sum line"));
  // the default plan's 10 seeds get their own row
  const byDefault = variant("default", { lineBand: [0.97, 0.98], lineBandGain: [0.01, 0.02] }, [1, 2]);
  const both = boundaryArmsSection({ boundary: plan([spec, lined]), defaultVsSpec: plan([byDefault]) }).join("\n");
  assertStringIncludes(both, "| default | 2 | – | – | 97.50 % ± 0.71 |");
});

Deno.test("boundaryArmsSection() tables the order mean at both cut-offs against one pass at 0.5, with the bars, only for the arms that record it", () => {
  const spec = variant("spec", { boundaryBand: [0.8, 0.8, 0.8] });
  const ordered = variant("default", {
    boundaryBand: [0.96, 0.96, 0.97],
    orderJustBelow: [0.7, 0.8, 0.9],
    orderAtThreshold: [0.95, 0.96, 0.97],
    orderBand: [0.97, 0.975, 0.98],
    orderAccuracy: [0.999, 0.999, 0.999],
    orderSpecificity: [0.96, 0.97, 0.98],
    orderBlur: [0.6, 0.6, 0.6],
    orderBandGain: [0.01, 0.015, 0.02],
    orderAtThresholdGain: [0.02, 0.03, 0.04],
    orderBlurGain: [-0.2, -0.2, -0.2],
    orderLineJustBelow: [0.9, 0.9, 0.9],
    orderLineAtThreshold: [0.88, 0.9, 0.92],
    orderLineBand: [0.98, 0.98, 0.98],
    orderLineAccuracy: [0.999, 0.999, 0.999],
    orderLineSpecificity: [0.99, 0.99, 0.99],
    orderLineBandGain: [0.02, 0.02, 0.02],
    orderLineAtThresholdGain: [-0.05, -0.05, -0.05],
  });
  const md = boundaryArmsSection({ boundary: plan([spec]), defaultVsSpec: plan([ordered]) }).join("\n");
  assertStringIncludes(md, "### The order mean: the logit averaged over 16 orders of each series' digits");
  assertStringIncludes(
    md,
    "| default | cut-off 0.5 | 3 | 80.00 % | 96.00 % ± 1.00 | 97.50 % ± 0.50 | 99.90 % ± 0.00 | 97.00 % ± 1.00 | 0.60 |",
  );
  assertStringIncludes(md, "| default | training sum line | 3 | 90.00 % | 90.00 % ± 2.00 | 98.00 % ± 0.00 |");
  assertStringIncludes(md, "| +1.50 [");
  // the bars, read at each rule: at 100 ≥ 90 %, 95..105 ≥ 97 %; accuracy and class-0 recall need 10 seeds
  assertStringIncludes(md, "cut-off 0.5: at sum 100 met, 95..105 met, validation accuracy not measured on 10 seeds");
  assert(!boundaryArmsSection({ boundary: plan([spec]) }).join("\n").includes("order mean"), "no runs, no table");
});
