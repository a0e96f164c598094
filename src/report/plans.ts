/**
 * The report's multi-seed sections, from the runner's plan summaries: the imbalance treatments
 * paired with the spec (and what survives of the single-seed study), how much of the spread comes
 * from the data draw and how much from training, and item (e)'s choices against the boundary.
 * Facts, text and figures for these sections live here together.
 * @module
 */
import type { PlanSummary, SummaryFigure, VariantSummary } from "../runner/summary.ts";
import { ORDER_MEAN_COUNT } from "../core/orders.ts";
import type { SeedSummary } from "../core/stats.ts";
import type { StudyVariant } from "../study/study.ts";
import { pct } from "../core/format.ts";
import { DEFAULT_CONFIG } from "../core/spec.ts";
import { DEFAULT_ARM, DIAGNOSTIC_ARM_PREFIX, isDiagnosticArm } from "../core/plan.ts";
import { SUM_LINE_HALF_WIDTH } from "../core/cutoff.ts";
import { lineChart, type LineSeries } from "./svg.ts";

/** The plan summaries the report reads, each when its run files exist. */
export interface PlanSummaries {
  /** The spec over seeds 1–10, everything varying. */
  spec?: PlanSummary;
  /** The spec over training seeds on the shipped model's data. */
  specData42?: PlanSummary;
  /** The imbalance treatments on seeds paired with the spec. */
  imbalance?: PlanSummary;
  /** Item (e)'s choices, as arms paired with the spec arm, and with the arm each builds on (`pairWith`). */
  boundary?: PlanSummary;
  /** The architectures, as arms paired with the spec (the LSTM). */
  archs?: PlanSummary;
  /** The default plan's runs as the arm `default`, paired with the spec plan's on the same seeds. */
  defaultVsSpec?: PlanSummary;
}

/** The figures a verdict compares. */
const VERDICT_FIGURES = ["accuracy", "specificity", "mcc"] as const;
type VerdictFigure = typeof VERDICT_FIGURES[number];

/** What the seeds say of one single-seed claim. */
export type Verdict = "holds" | "not shown" | "reversed" | "new";

/**
 * Judges a single-seed difference by the paired interval over seeds: it holds when the interval
 * excludes 0 on the same side, is not shown when the interval holds 0, and is reversed when the
 * interval excludes 0 on the other side; without a single-seed figure, an interval that excludes 0 is new.
 *
 * @param single The single-seed difference (treatment − spec), if any.
 * @param paired The paired difference over seeds.
 * @returns The verdict.
 */
export function verdict(single: number | undefined, paired: SeedSummary): Verdict {
  const excludes = paired.ci.low > 0 || paired.ci.high < 0;
  if (!excludes || paired.n < 2) return "not shown";
  if (single === undefined || single === 0) return "new";
  return Math.sign(single) === Math.sign(paired.mean) ? "holds" : "reversed";
}

const points = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(100 * v).toFixed(2)}`;
const signed = (v: number, d = 3) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(d)}`;
const meanSd = (s: SeedSummary | undefined, asPct = true) =>
  !s ? "–" : asPct ? `${pct(s.mean)} ± ${(100 * s.sd).toFixed(2)}` : `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}`;
const diff = (s: SeedSummary | undefined, asPoints = true) =>
  !s
    ? "–"
    : s.n < 2
    ? `${asPoints ? points(s.mean) : signed(s.mean, 2)} (one seed)`
    : asPoints
    ? `${points(s.mean)} [${points(s.ci.low)}, ${points(s.ci.high)}]`
    : `${signed(s.mean, 2)} [${signed(s.ci.low, 2)}, ${signed(s.ci.high, 2)}]`;

function studyDifference(
  study: { variants: StudyVariant[] } | undefined,
  variant: string,
  f: VerdictFigure,
): number | undefined {
  const t = study?.variants.find((v) => v.name === variant);
  const s = study?.variants.find((v) => v.name === "spec");
  return t && s ? t.validation[f] - s.validation[f] : undefined;
}

const NAMES: Record<VerdictFigure, string> = { accuracy: "accuracy", specificity: "class-0 recall", mcc: "MCC" };

/** The imbalance treatments over seeds, paired with the spec, with the single-seed study judged. */
export function imbalanceSection(p: PlanSummaries, study?: { variants: StudyVariant[] }): string[] {
  const plan = p.imbalance;
  if (!plan || !plan.variants.length) return [];
  const spec = p.spec?.variants.find((v) => v.variant === "spec");
  const row = (v: VariantSummary, name = v.variant) =>
    `| ${name} | ${v.seeds.join(", ")} | ${meanSd(v.figures.accuracy)} | ${
      meanSd(v.figures.specificity)
    } (pooled ${v.class0Pooled.right}/${v.class0Pooled.total}) | ${meanSd(v.figures.mcc, false)} | ${
      meanSd(v.figures.boundaryAtThreshold)
    } | ${v.figures.effectiveThreshold ? v.figures.effectiveThreshold.mean.toFixed(2) : "–"} |`;
  const lines = [
    "## The imbalance treatments over seeds",
    "",
    `\`deno task runs --plan imbalance\`: each treatment trained on seeds paired with the spec plan's (the same data ` +
    `seed, initial weights and order), scored on the natural validation split of its seed. ${
      plan.missing.length
        ? `${plan.missing.length} of ${plan.total} runs are still missing; the rows hold those present. `
        : ""
    }Mean ± sd over seeds.`,
    "",
    "| variant | seeds | accuracy | class-0 recall | MCC | accuracy at sum 100 | effective threshold |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...(spec ? [row(spec, "spec")] : []),
    ...plan.variants.map((v) => row(v)),
    "",
    "Each treatment minus the spec on the same seeds: mean [95 % t-interval], and what the single-seed study " +
    "(`deno task study`, seed 42) claimed.",
    "",
    "| treatment − spec | seeds | Δ accuracy (points) | Δ class-0 recall (points) | Δ MCC | Δ accuracy at sum 100 (points) | Δ effective threshold (sums) |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...plan.paired.map((d) =>
      `| ${d.variant} | ${d.seeds.join(", ")} | ${diff(d.difference.accuracy)} | ${diff(d.difference.specificity)} | ${
        diff(d.difference.mcc, false)
      } | ${diff(d.difference.boundaryAtThreshold)} | ${diff(d.difference.effectiveThreshold, false)} |`
    ),
    "",
  ];
  const claims: string[] = [];
  for (const d of plan.paired) {
    for (const f of VERDICT_FIGURES) {
      const paired = d.difference[f];
      if (!paired) continue;
      const single = studyDifference(study, d.variant, f);
      const v = verdict(single, paired);
      const scale = f === "mcc" ? (x: number) => signed(x) : (x: number) => `${points(x)} points`;
      const seeds = `${paired.n} paired seeds`;
      const what = single === undefined ? "" : `the single seed said ${scale(single)}; `;
      const text = paired.n < 2
        ? `not shown yet: ${what}one paired seed so far gives ${scale(paired.mean)}, and no interval`
        : v === "holds"
        ? `holds: ${what}over ${seeds} ${scale(paired.mean)} [${scale(paired.ci.low)}, ${scale(paired.ci.high)}]`
        : v === "reversed"
        ? `reversed: ${what}over ${seeds} ${scale(paired.mean)} [${scale(paired.ci.low)}, ${scale(paired.ci.high)}]`
        : v === "new"
        ? `over ${seeds} ${scale(paired.mean)} [${scale(paired.ci.low)}, ${
          scale(paired.ci.high)
        }], an effect the single seed did not show`
        : `not shown: ${what}over ${seeds} ${scale(paired.mean)}, and the interval [${scale(paired.ci.low)}, ${
          scale(paired.ci.high)
        }] holds 0`;
      claims.push(`- **${d.variant}, ${NAMES[f]}**: ${text}.`);
    }
  }
  if (claims.length) {
    lines.push(
      "What survives of the single-seed study, judged by the paired intervals (a difference holds when its interval " +
        "excludes 0 on the side the single seed found):",
      "",
      ...claims,
      "",
    );
  }
  lines.push("![variants](variants.svg)", "", "![variants-mcc](variants-mcc.svg)", "");
  return lines;
}

/** How much of the spec's spread comes from the data draw and how much from training. */
export function dataOrTrainingSection(p: PlanSummaries): string[] {
  const all = p.spec?.variants.find((v) => v.variant === "spec");
  const fixed = p.specData42?.variants.find((v) => v.variant === "spec");
  if (!all || !fixed || fixed.seeds.length < 2) return [];
  const rows: [string, SeedSummary | undefined, SeedSummary | undefined, boolean][] = [
    ["validation accuracy", all.figures.accuracy, fixed.figures.accuracy, true],
    ["class-0 recall", all.figures.specificity, fixed.figures.specificity, true],
    ["MCC", all.figures.mcc, fixed.figures.mcc, false],
    ["accuracy at sum 100", all.figures.boundaryAtThreshold, fixed.figures.boundaryAtThreshold, true],
    ["effective threshold (sums)", all.figures.effectiveThreshold, fixed.figures.effectiveThreshold, false],
  ];
  const sd = (s: SeedSummary | undefined, asPct: boolean) =>
    !s ? "–" : asPct ? `${(100 * s.sd).toFixed(2)} points` : s.sd.toFixed(3);
  const share = (
    a?: SeedSummary,
    b?: SeedSummary,
  ) => (a && b && a.sd > 0 ? pct((b.sd * b.sd) / (a.sd * a.sd), 0) : "–");
  return [
    "## Data draw or training?",
    "",
    `The spec plan (item (e)'s baseline choices) varies everything with the seed; \`--plan spec-data42\` holds the data at the shipped model's draw ` +
    `(data seed 42) and varies only the training seed (initial weights and batch order), ${fixed.seeds.length} seeds. ` +
    `If the training seed alone spreads the figures about as widely, the spread is the training's, not the data's. ` +
    `With ${all.seeds.length} and ${fixed.seeds.length} runs each standard deviation is itself uncertain by a third ` +
    `or more, so read the ratio of variances as a rough split: near 100 % (or above, by chance) the training seed ` +
    `alone accounts for the whole spread.`,
    "",
    `| figure | sd, everything varies (${all.seeds.length} seeds) | sd, training seed only (${fixed.seeds.length} seeds, data 42) | variance ratio, training alone / everything | mean, data 42 |`,
    "|---|---:|---:|---:|---:|",
    ...rows.map(([name, a, b, asPct]) =>
      `| ${name} | ${sd(a, asPct)} | ${sd(b, asPct)} | ${share(a, b)} | ${
        b ? (asPct ? pct(b.mean) : b.mean.toFixed(3)) : "–"
      } |`
    ),
    "",
    `On data seed 42 the validation split holds the same 20 class-0 series for every training seed, so its class-0 ` +
    `recall moves in steps of 5 points.`,
    "",
  ];
}

/** Item (e)'s choices against the boundary, with the bars of the boundary issue. */
export function boundaryArmsSection(p: PlanSummaries): string[] {
  const plan = p.boundary;
  if (!plan || !plan.variants.length) return [];
  // the arms, and the default plan's 10 seeds as one more row of the cut-off tables
  const withDefault = [...plan.variants, ...(p.defaultVsSpec?.variants.filter((v) => v.variant === "default") ?? [])];
  const row = (v: VariantSummary) => {
    const f = v.figures;
    return `| ${v.variant} | ${v.seeds.join(", ")} | ${meanSd(f.accuracy)} | ${meanSd(f.specificity)} | ${
      meanSd(f.boundaryAtThreshold)
    } | ${meanSd(f.boundaryBand)} | ${f.effectiveThreshold ? f.effectiveThreshold.mean.toFixed(2) : "–"} | ${
      f.blurSums ? f.blurSums.mean.toFixed(2) : "–"
    } | ${meanSd(f.cutAtThreshold)} | ${meanSd(f.cutBand)} | ${meanSd(f.cutAccuracy)} |`;
  };
  const choices = plan.variants.filter((v) => !isDiagnosticArm(v.variant));
  const best =
    [...choices].sort((a, b) => (b.figures.boundaryBand?.mean ?? -1) - (a.figures.boundaryBand?.mean ?? -1))[0];
  const b = best.figures;
  return [
    "## Item (e)'s choices against the boundary",
    "",
    `\`deno task runs --plan boundary\`: the choices item (e) leaves free, each as an arm trained on the same seeds as ` +
    `the spec arm (the spec plan's own runs), scored on boundary sets drawn afresh from each run's data seed. ` +
    `Mean ± sd over seeds. "Blur" is the scatter of logit(p) about its line against the sum, in units of sum (see ` +
    `above). The last three columns use a decision cut-off chosen on each run's training split alone.${
      plan.missing.length
        ? ` ${plan.missing.length} of ${plan.total} runs are still missing; the rows hold those present.`
        : ""
    }`,
    "",
    "| arm | seeds | accuracy | class-0 recall | at sum 100 | sums 95..105 | effective threshold | blur (sums) | at 100, training cut-off | 95..105, training cut-off | accuracy, training cut-off |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...plan.variants.map(row),
    "",
    "Each arm minus the spec arm on the same seeds, and an arm that builds on another arm minus that arm: " +
    "mean [95 % t-interval].",
    "",
    "| arm − baseline | seeds | Δ accuracy (points) | Δ class-0 recall (points) | Δ at sum 100 (points) | Δ sums 95..105 (points) | Δ effective threshold (sums) |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...plan.paired.map((d) =>
      `| ${d.variant} − ${d.baseline} | ${d.seeds.join(", ")} | ${diff(d.difference.accuracy)} | ${
        diff(d.difference.specificity)
      } | ${diff(d.difference.boundaryAtThreshold)} | ${diff(d.difference.boundaryBand)} | ${
        diff(d.difference.effectiveThreshold, false)
      } |`
    ),
    "",
    ...(choices.length < plan.variants.length
      ? [
        `Arms named ${DIAGNOSTIC_ARM_PREFIX}… change item (a) or (f), which the boundary issue keeps, to find what ` +
        `limits the boundary: diagnoses, not choices, so the best arm is chosen without them.`,
        "",
      ]
      : []),
    `The best arm over sums 95..105 is **${best.variant}**: ${meanSd(b.boundaryAtThreshold)} at sum 100 (bar ≥ ` +
    `${pct(BOUNDARY_BARS.boundaryAtThreshold, 0)}: ${bar(b.boundaryAtThreshold, "boundaryAtThreshold")}), ` +
    `${meanSd(b.boundaryBand)} over 95..105 (bar ≥ ${pct(BOUNDARY_BARS.boundaryBand, 0)}: ` +
    `${bar(b.boundaryBand, "boundaryBand")}), validation accuracy ${meanSd(b.accuracy)} (bar ≥ ` +
    `${pct(BOUNDARY_BARS.accuracy, 1)} over 10 seeds: ${tenSeedBar(b.accuracy, "accuracy")}), class-0 recall ${
      meanSd(b.specificity)
    } (bar ≥ ${pct(BOUNDARY_BARS.specificity, 0)} over 10 seeds: ${tenSeedBar(b.specificity, "specificity")}).`,
    "",
    ...defaultBarsText(p),
    ...sumLineText(withDefault),
    ...orderMeanText(withDefault),
    ...(plan.variants.some((v) => v.boundaryHistory.length) ||
        p.specData42?.variants.some((v) => v.boundaryHistory.length)
      ? [
        "Over training, after each epoch, on a smaller boundary set (20 series per sum) drawn apart from the final " +
        "one, averaged over each arm's seeds (and over the spec-data42 plan's runs, which record it too). " +
        driftText(p),
        "",
        "![drift](drift.svg)",
        "",
        "![drift-threshold](drift-threshold.svg)",
        "",
      ]
      : []),
  ];
}

/** The boundary issue's bars: means over seeds; accuracy and class-0 recall over 10 seeds. */
const BOUNDARY_BARS = Object.freeze({
  boundaryAtThreshold: 0.9,
  boundaryBand: 0.97,
  accuracy: 0.997,
  specificity: 0.95,
});

/** Whether a figure's mean meets its bar. */
function bar(s: SeedSummary | undefined, figure: keyof typeof BOUNDARY_BARS): string {
  return s && s.mean >= BOUNDARY_BARS[figure] ? "met" : "not met";
}

/** {@link bar}, for the bars that are means over 10 seeds. */
function tenSeedBar(s: SeedSummary | undefined, figure: keyof typeof BOUNDARY_BARS): string {
  return !s || s.n < 10 ? "not measured on 10 seeds" : bar(s, figure);
}

/** The default config over the default plan's seeds, against every bar of the boundary issue, and minus the spec. */
function defaultBarsText(p: PlanSummaries): string[] {
  const d = p.defaultVsSpec?.variants.find((v) => v.variant === "default");
  if (!d) return [];
  const f = d.figures;
  const dd = p.defaultVsSpec?.paired.find((x) => x.variant === "default")?.difference;
  return [
    `The default config (forget-gate bias ${DEFAULT_CONFIG.forgetBias}, weights averaged over epochs ` +
    `${DEFAULT_CONFIG.averageFrom}–${DEFAULT_CONFIG.epochs}${
      DEFAULT_CONFIG.permuteDigits ? ", each training series' digits reordered every epoch" : ""
    }, input scaling \`${DEFAULT_CONFIG.inputScaling}\`; the fast path's \`xnnpack\` arithmetic, as every plan) over the ${d.seeds.length} seeds of ` +
    `\`deno task runs --plan default\`: validation accuracy ${meanSd(f.accuracy)} (bar ≥ ` +
    `${pct(BOUNDARY_BARS.accuracy, 1)}: ${tenSeedBar(f.accuracy, "accuracy")}), class-0 recall ${
      meanSd(f.specificity)
    } (bar ≥ ${pct(BOUNDARY_BARS.specificity, 0)}: ${tenSeedBar(f.specificity, "specificity")}), ` +
    `${meanSd(f.boundaryAtThreshold)} at sum 100 (bar ≥ ${pct(BOUNDARY_BARS.boundaryAtThreshold, 0)}: ` +
    `${bar(f.boundaryAtThreshold, "boundaryAtThreshold")}), ${meanSd(f.boundaryBand)} over 95..105 (bar ≥ ` +
    `${pct(BOUNDARY_BARS.boundaryBand, 0)}: ${bar(f.boundaryBand, "boundaryBand")}).` +
    (dd
      ? ` Its difference minus the spec on the same seeds: accuracy ${diff(dd.accuracy)}, class-0 recall ${
        diff(dd.specificity)
      }, at sum 100 ${diff(dd.boundaryAtThreshold)}, sums 95..105 ${diff(dd.boundaryBand)} (points, mean [95 % ` +
        `t-interval]).`
      : ""),
    "",
  ];
}

/** The cut-off at the training split's sum line against 0.5, on the arms whose run files record it. */
function sumLineText(variants: readonly VariantSummary[]): string[] {
  const arms = variants.filter((v) => v.figures.lineBand);
  if (!arms.length) return [];
  const at = (s: SeedSummary | undefined) => (s ? pct(s.mean) : "–");
  return [
    "### The cut-off at the training split's sum line",
    "",
    "Each run also scores itself at a second cut-off, chosen on its training split alone (`sumLineCutoff` in " +
    "`src/core/cutoff.ts`): logit(p) is fitted as a line against the sum over the training series whose sums lie " +
    `within ${SUM_LINE_HALF_WIDTH} of the middle between the two classes (99.5), and the cut-off is that line's ` +
    "value at 99.5. It centres " +
    "each model's own boundary on the rule's, whichever side the model erred to. The differences are within each " +
    "run, the same weights at two cut-offs: mean [95 % t-interval]. The row `default` is the default plan's 10 " +
    `seeds, the same runs as the arm \`${DEFAULT_ARM.name}\`.`,
    "",
    "| arm | runs | at 99 | at 100 | sums 95..105 | accuracy | class-0 recall | Δ 95..105 (points) | Δ at 100 (points) | Δ accuracy (points) | training line's crossing − the boundary set's (sums) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...arms.map((v) => {
      const f = v.figures;
      return `| ${v.variant} | ${f.lineBand!.n} | ${at(f.lineJustBelow)} | ${at(f.lineAtThreshold)} | ${
        meanSd(f.lineBand)
      } | ${meanSd(f.lineAccuracy)} | ${meanSd(f.lineSpecificity)} | ${diff(f.lineBandGain)} | ${
        diff(f.lineAtThresholdGain)
      } | ${diff(f.lineAccuracyGain)} | ${diff(f.lineCrossingError, false)} |`;
    }),
    "",
  ];
}

/** The order mean at 0.5 and at the training split's sum line against one pass at 0.5, on the arms that record it. */
function orderMeanText(variants: readonly VariantSummary[]): string[] {
  const arms = variants.filter((v) => v.figures.orderBand);
  if (!arms.length) return [];
  const at = (s: SeedSummary | undefined) => (s ? pct(s.mean) : "–");
  const blur = (s: SeedSummary | undefined) => (s ? s.mean.toFixed(2) : "–");
  const bars = (f: VariantSummary["figures"], rule: "order" | "orderLine") => {
    const g = (name: string) => f[`${rule}${name}` as SummaryFigure];
    return `at sum 100 ${bar(g("AtThreshold"), "boundaryAtThreshold")}, 95..105 ${bar(g("Band"), "boundaryBand")}, ` +
      `validation accuracy ${tenSeedBar(g("Accuracy"), "accuracy")}, class-0 recall ${
        tenSeedBar(g("Specificity"), "specificity")
      }`;
  };
  return [
    `### The order mean: the logit averaged over ${ORDER_MEAN_COUNT} orders of each series' digits`,
    "",
    "The label depends on the digits, not on their order, yet a trained LSTM's logit moves from one order of the " +
    "same digits to another. Each run also scores its own model by the mean of its logit over " +
    `${ORDER_MEAN_COUNT} fixed orders of each series' digits, the first the order drawn (\`orderMeanScores\` in ` +
    "`src/runner/variants.ts`): at the cut-off 0.5, and at the training split's sum line fitted on the training " +
    "series' order means. A prediction rule measured on the runs, not the default: the shipped model and its ONNX " +
    "graph decide from one pass. The differences are within each run, against one pass at 0.5: mean [95 % " +
    "t-interval]. The row `default` is the default plan's 10 seeds.",
    "",
    "| arm | cut-off | runs | at 99 | at 100 | sums 95..105 | accuracy | class-0 recall | blur (sums) | Δ 95..105 (points) | Δ at 100 (points) |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...arms.flatMap((v) => {
      const f = v.figures;
      return [
        `| ${v.variant} | cut-off 0.5 | ${f.orderBand!.n} | ${at(f.orderJustBelow)} | ${meanSd(f.orderAtThreshold)} | ${
          meanSd(f.orderBand)
        } | ${meanSd(f.orderAccuracy)} | ${meanSd(f.orderSpecificity)} | ${blur(f.orderBlur)} | ${
          diff(f.orderBandGain)
        } | ${diff(f.orderAtThresholdGain)} |`,
        ...(f.orderLineBand
          ? [
            `| ${v.variant} | training sum line | ${f.orderLineBand.n} | ${at(f.orderLineJustBelow)} | ${
              meanSd(f.orderLineAtThreshold)
            } | ${meanSd(f.orderLineBand)} | ${meanSd(f.orderLineAccuracy)} | ${meanSd(f.orderLineSpecificity)} | ${
              blur(f.orderBlur)
            } | ${diff(f.orderLineBandGain)} | ${diff(f.orderLineAtThresholdGain)} |`,
          ]
          : []),
      ];
    }),
    "",
    ...arms.flatMap((v) => [
      `Against the boundary issue's bars, \`${v.variant}\` by its order mean: cut-off 0.5: ${
        bars(v.figures, "order")
      }` +
      (v.figures.orderLineBand ? `; training sum line: ${bars(v.figures, "orderLine")}.` : ".") +
      (v.figures.orderBlurGain ? ` Its blur moves by ${diff(v.figures.orderBlurGain, false)} sums.` : ""),
      "",
    ]),
  ];
}

/** How far the effective threshold still moves over the last third of training, per run. */
function driftText(p: PlanSummaries): string {
  const runs = [...(p.boundary?.variants ?? []), ...(p.specData42?.variants ?? [])].flatMap((v) => v.lateDrift);
  if (!runs.length) return "";
  const widest = Math.max(...runs.map((r) => r.thresholdHigh - r.thresholdLow));
  const narrowest = Math.min(...runs.map((r) => r.thresholdHigh - r.thresholdLow));
  const at = runs.map((r) => r.atThresholdHigh - r.atThresholdLow);
  return `The boundary drifts rather than settles: over the last third of training the effective threshold of a run ` +
    `still moves across ${narrowest.toFixed(1)}–${widest.toFixed(1)} sums from epoch to epoch, and its accuracy at ` +
    `the threshold swings by ${pct(Math.min(...at), 0)}–${
      pct(Math.max(...at), 0)
    } (${runs.length} runs), so where the ` +
    `last epoch leaves it is largely chance.`;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/** Per-seed accuracy (or MCC) of the spec and each imbalance treatment, side by side. */
export function variantsFigure(p: PlanSummaries, measure: "accuracy" | "mcc"): string | undefined {
  const spec = p.spec?.variants.find((v) => v.variant === "spec");
  const groups = [...(spec ? [spec] : []), ...(p.imbalance?.variants ?? [])];
  if (!p.imbalance?.variants.length) return undefined;
  const scale = measure === "accuracy" ? 100 : 1;
  const name = measure === "accuracy" ? "validation accuracy (%)" : "validation MCC";
  const series: LineSeries[] = groups.map((g, k) => ({
    name: `${k + 1}: ${g.variant} (${g.seeds.length} seeds)`,
    // each seed a point, spread a little around its variant's position
    x: g.perRun.map((_, i) => k + 1 + (i - (g.perRun.length - 1) / 2) * 0.03),
    y: g.perRun.map((r) => scale * r[measure]),
    color: COLORS[k % COLORS.length],
    points: 4,
  }));
  return lineChart({
    title: `Each variant's spread over seeds: ${name}`,
    xLabel: "variant (see the legend)",
    yLabel: name,
    series,
    xDomain: [0.5, groups.length + 0.5],
    legend: "bottom-left",
  });
}

/** The boundary over training, per arm: accuracy over the band, or the effective threshold. */
export function driftFigure(p: PlanSummaries, measure: "band" | "effectiveThreshold"): string | undefined {
  // the boundary plan's arms, and the spec on the shipped model's data (its runs record the boundary per epoch)
  const arms = [
    ...(p.boundary?.variants ?? []),
    ...(p.specData42?.variants ?? []).map((v) => ({ ...v, variant: "spec, data seed 42" })),
  ].filter((v) => v.boundaryHistory.length);
  if (!arms.length) return undefined;
  const scale = measure === "band" ? 100 : 1;
  const series: LineSeries[] = arms.map((a, k) => {
    const h = a.boundaryHistory.filter((e) => Number.isFinite(e[measure]));
    return {
      name: `${a.variant} (${a.boundaryHistory[0].runs} seeds)`,
      x: h.map((e) => e.epoch),
      y: h.map((e) => scale * e[measure]),
      color: COLORS[k % COLORS.length],
    };
  });
  const epochs = Math.max(...arms.map((a) => a.boundaryHistory.length));
  if (measure === "effectiveThreshold") {
    series.push({ name: "the rule: 99.5", x: [1, epochs], y: [99.5, 99.5], color: "#999", dashed: true, width: 1 });
  }
  return lineChart({
    title: measure === "band"
      ? "The boundary over training: accuracy over sums 95..105 after each epoch"
      : "The boundary over training: effective threshold (mean p = 0.5) after each epoch",
    xLabel: "epoch",
    yLabel: measure === "band" ? "accuracy over sums 95..105 (%)" : "effective threshold (sum)",
    series,
    legend: "bottom-right",
  });
}

/** The architectures side by side: parameters, figures over seeds, seconds per epoch, a measured answer. */
export function archsSection(p: PlanSummaries): string[] {
  const plan = p.archs;
  if (!plan || plan.variants.length < 2) return [];
  const rows = [...plan.variants].sort((a, b) => a.parameters - b.parameters);
  const ci = (s: SeedSummary | undefined) =>
    !s ? "–" : s.n < 2 ? pct(s.mean) : `${pct(s.mean)} [${pct(s.ci.low)}, ${pct(s.ci.high)}]`;
  const spec = plan.variants.find((v) => v.variant === "spec");
  const best = [...plan.variants].sort((a, b) => (b.figures.mcc?.mean ?? -1) - (a.figures.mcc?.mean ?? -1))[0];
  const cheapest = rows.find((v) => (v.figures.cutAccuracy?.mean ?? 0) >= (spec?.figures.accuracy?.mean ?? 1));
  return [
    "## Which model learns the sum?",
    "",
    `\`deno task runs --plan archs\`: every arch on the spec's data, Adam settings, ${
      spec?.curve.length ?? 60
    } epochs, batch 50 and loss, on the same seeds; the spec arm is the spec plan's own runs. Accuracy as mean [95 % ` +
    `t-interval] over seeds. The LSTM, SimpleRNN and GRU train by hand-written fast paths; linear and conv1d by tfjs autodiff.${
      plan.missing.length
        ? ` ${plan.missing.length} of ${plan.total} runs are still missing; the table holds those present.`
        : ""
    }`,
    "",
    "| arch | parameters | seeds | validation accuracy | class-0 recall | MCC | ROC-AUC | accuracy, training cut-off | s per epoch |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((v) =>
      `| ${v.variant === "spec" ? "lstm (spec)" : v.variant} | ${v.parameters.toLocaleString("en")} | ${
        v.seeds.join(", ")
      } | ${ci(v.figures.accuracy)} | ${meanSd(v.figures.specificity)} | ${meanSd(v.figures.mcc, false)} | ${
        v.figures.rocAuc ? v.figures.rocAuc.mean.toFixed(4) : "–"
      } | ${meanSd(v.figures.cutAccuracy)} | ${v.epochSeconds.toFixed(1)} |`
    ),
    "",
    ...plateauLines(plan.variants),
    `Highest MCC: **${best.variant === "spec" ? "the LSTM" : best.variant}**.` +
    (cheapest && cheapest.variant !== "spec"
      ? ` With a decision cut-off chosen on its training split, ${cheapest.variant} (${cheapest.parameters} parameters) ` +
        `reaches the LSTM's accuracy: its ranking of the series is as good, only its threshold is off.`
      : ""),
    "",
    "![archs](archs.svg)",
    "",
  ];
}

/**
 * The runs that found no class-0 series (class-0 recall 0; for a network still on the majority plateau, every
 * series called class 1), per arch, and the mean figures of that arch's other runs; none when no run ended there.
 */
function plateauLines(variants: readonly VariantSummary[]): string[] {
  const name = (v: VariantSummary) => (v.variant === "spec" ? "lstm" : v.variant);
  const stuck = variants
    .map((v) => ({ v, seeds: v.perRun.filter((r) => r.specificity === 0).map((r) => r.seed) }))
    .filter((s) => s.seeds.length > 0);
  if (!stuck.length) return [];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rest = stuck.flatMap(({ v, seeds }) => {
    const others = v.perRun.filter((r) => !seeds.includes(r.seed));
    return others.length
      ? [
        ` The other ${name(v)} runs: ${pct(mean(others.map((r) => r.accuracy)))} accuracy, class-0 recall ${
          pct(mean(others.map((r) => r.specificity)))
        }, MCC ${mean(others.map((r) => r.mcc)).toFixed(3)}.`,
      ]
      : [];
  });
  return [
    "Runs that found none of the class-0 validation series (class-0 recall 0): " +
    stuck.map(({ v, seeds }) =>
      `**${name(v)} ${seeds.length} of ${v.perRun.length}** (seed${seeds.length > 1 ? "s" : ""} ${seeds.join(", ")})`
    ).join(", ") + "." + rest.join(""),
    "",
  ];
}

/** Validation loss after each epoch, one line per arch (mean over its seeds), on a log scale. */
export function archsFigure(p: PlanSummaries): string | undefined {
  const arms = p.archs?.variants ?? [];
  if (arms.length < 2) return undefined;
  return lineChart({
    // the loss on a log scale: accuracies of 98.2–99.8 % would sit in one band under a linear model's first epochs
    title: "Learning curves: validation loss after each epoch, mean over seeds",
    xLabel: "epoch",
    yLabel: "validation binary cross-entropy (log scale)",
    series: arms.map((a, k) => ({
      name: `${a.variant === "spec" ? "lstm (spec)" : a.variant} (${a.seeds.length} seeds)`,
      x: a.curve.map((e) => e.epoch),
      y: a.curve.map((e) => e.valLoss),
      color: COLORS[k % COLORS.length],
    })),
    logY: true,
    legend: "top-right",
  });
}
