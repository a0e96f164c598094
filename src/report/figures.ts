/**
 * The report's figures, as SVG: learning curves, the confusion matrix, ROC and class-0
 * precision-recall curves, the sampled sums against the exact distribution and, when
 * metrics.json records it, the decision boundary.
 * @module
 */
import { confusionHeatmap, lineChart, type LineSeries, type Marker } from "./svg.ts";
import type { ReportFacts, ReportInput } from "./facts.ts";
import type { Diagnosis } from "../core/diagnosis.ts";
import { archsFigure, driftFigure, variantsFigure } from "./plans.ts";
import { seriesSum } from "../core/dataset.ts";
import { pct } from "../core/format.ts";
import { averagePrecision, flipClasses, prCurve, rocAuc, rocCurve } from "../core/metrics.ts";
import { sumDistribution } from "../core/prior.ts";
import { VARIANT_NAMES, type VariantName } from "../study/variants.ts";

/** The figures' file names. */
export type FigureName = "loss.svg" | "accuracy.svg" | "confusion.svg" | "roc.svg" | "pr.svg" | "sums.svg";
/** The figure drawn only when metrics.json records the decision boundary. */
export type BoundaryFigureName = "boundary.svg";
/** The figure drawn only when the boundary was diagnosed. */
export type DiagnosisFigureName = "order.svg";
/** The figures drawn only when the imbalance or boundary plans have runs. */
export type PlanFigureName = "variants.svg" | "variants-mcc.svg" | "drift.svg" | "drift-threshold.svg" | "archs.svg";
/** The figure drawn only when there are spec runs over seeds. */
export type SeedsFigureName = "seeds.svg" | "seeds-mcc.svg";
/** Every figure's SVG text by file name; the optional ones when their inputs exist. */
export type Figures =
  & Record<FigureName | "decision.svg", string>
  & Partial<Record<BoundaryFigureName | DiagnosisFigureName | SeedsFigureName | PlanFigureName, string>>;

/** Line colours, in the order curves are drawn. */
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
/** Light blue of the per-batch training loss. */
const BATCH_COLOR = "#9ecae1";
/** Grey of baselines and chance lines. */
const BASELINE_COLOR = "#777";
const CHANCE_COLOR = "#999";
/** Bars of the sums histogram. */
const HISTOGRAM_COLOR = "#6baed6";
/** Study variants without a curve of their own: the spec is the shipped model, the majority is constant. */
const NO_CURVE: readonly VariantName[] = ["spec", "majority"];
/** The sums plot spans this many standard deviations either side of the mean, rounded inward to tens. */
const SUM_PLOT_SDS = 5;

/**
 * The x range of the sums plot: mean ± SUM_PLOT_SDS standard deviations, rounded inward to tens
 * and kept within the possible sums (60..210 for the spec).
 *
 * @param sums The sum's moments.
 * @returns [lowest, highest] sum shown.
 */
export function sumPlotRange(sums: ReportFacts["sums"]): [number, number] {
  return [
    Math.max(sums.min, Math.ceil((sums.mean - SUM_PLOT_SDS * sums.sd) / 10) * 10),
    Math.min(sums.max, Math.floor((sums.mean + SUM_PLOT_SDS * sums.sd) / 10) * 10),
  ];
}

/**
 * Draws every figure of the report.
 *
 * @param input The records, data, probabilities and study.
 * @param facts The facts computed from the same input.
 * @returns SVG text per file name.
 */
export function reportFigures(input: ReportInput, facts: ReportFacts): Figures {
  const { history, data, probabilities } = input;
  const labels = data.validation.y;
  const { threshold, seriesLength } = facts.task;
  const validation = facts.splits.find((s) => s.name === "validation")!;

  // learning curves
  const epochs = history.epochs.map((e) => e.epoch);
  const batchesPerEpoch = history.batches.loss.length / Math.max(1, history.epochs.length);
  const batchX = history.batches.loss.map((_, k) => (k + 1) / batchesPerEpoch);
  const loss = lineChart({
    title: "Learning curves: binary cross-entropy",
    xLabel: "epoch",
    yLabel: "loss (log scale)",
    logY: true,
    series: [
      { name: "training, per batch", x: batchX, y: history.batches.loss, color: BATCH_COLOR, width: 0.6, opacity: 0.8 },
      { name: "training, epoch mean", x: epochs, y: history.epochs.map((e) => e.loss), color: COLORS[0] },
      { name: "validation", x: epochs, y: history.epochs.map((e) => e.valLoss), color: COLORS[1] },
    ],
  });
  const majority = validation.positives / validation.size;
  const accuracy = lineChart({
    title: "Learning curves: accuracy",
    xLabel: "epoch",
    yLabel: "accuracy (%)",
    series: [
      { name: "training, epoch mean", x: epochs, y: history.epochs.map((e) => 100 * e.accuracy), color: COLORS[0] },
      { name: "validation", x: epochs, y: history.epochs.map((e) => 100 * e.valAccuracy), color: COLORS[1] },
      {
        name: `always class 1 (${pct(majority)})`,
        x: [epochs[0] ?? 0, epochs[epochs.length - 1] ?? 1],
        y: new Array(2).fill((100 * validation.positives) / validation.size),
        color: BASELINE_COLOR,
        dashed: true,
      },
    ],
  });
  const confusion = confusionHeatmap(facts.confusion, {
    title: `Validation confusion matrix (${validation.size} series)`,
    class1: `sum ≥ ${threshold}`,
  });

  // ROC and PR curves: the model, and the study's variants when given
  const curveSets: { name: string; p: ArrayLike<number> }[] = [{ name: "shipped model", p: probabilities }];
  for (const name of VARIANT_NAMES) {
    const p = input.studyProbabilities?.[name];
    if (p && !NO_CURVE.includes(name)) curveSets.push({ name, p });
  }
  const chance = (name: string, y: [number, number]): LineSeries => ({
    name,
    x: [0, 1],
    y,
    color: CHANCE_COLOR,
    dashed: true,
    width: 1,
  });
  const roc = lineChart({
    title: "ROC curve on the validation split (positive = class 1)",
    legend: "bottom-right",
    xLabel: "false-positive rate (class 0 called 1)",
    yLabel: "true-positive rate (class 1 recall)",
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: [
      ...curveSets.map((s, k) => {
        const r = rocCurve(labels, s.p);
        return { name: `${s.name}, AUC ${rocAuc(labels, s.p).toFixed(4)}`, x: r.x, y: r.y, color: COLORS[k] };
      }),
      chance("chance", [0, 1]),
    ],
  });
  const pr = lineChart({
    title: `Precision-recall for the minority, class 0 (sum < ${threshold})`,
    legend: "bottom-left",
    xLabel: "recall of class 0",
    yLabel: "precision of class 0",
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: [
      ...curveSets.map((s, k) => {
        const class0 = flipClasses(labels, s.p);
        const r = prCurve(class0.y, class0.p);
        return {
          name: `${s.name}, AP ${averagePrecision(class0.y, class0.p).toFixed(3)}`,
          x: r.x,
          y: r.y,
          color: COLORS[k],
        };
      }),
      chance(`chance (${pct(validation.class0Share)})`, [validation.class0Share, validation.class0Share]),
    ],
  });

  // the distribution of sums
  const counts = new Map<number, number>();
  let sampled = 0;
  for (const split of [data.train, data.validation]) {
    for (let n = 0; n < split.size; n++) {
      const s = seriesSum(split.x.subarray(n * data.seriesLength, (n + 1) * data.seriesLength));
      counts.set(s, (counts.get(s) ?? 0) + 1);
      sampled++;
    }
  }
  const exact = sumDistribution(seriesLength, facts.task.digitValues);
  const total = Number(facts.prior.total);
  const [lo, hi] = sumPlotRange(facts.sums);
  const sumXs = Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
  const sums = lineChart({
    title: `Sums of the ${sampled.toLocaleString("en")} sampled series vs the exact distribution`,
    xLabel: `sum of the ${seriesLength} digits`,
    yLabel: "series per sum value",
    bars: {
      name: "sampled (histogram)",
      color: HISTOGRAM_COLOR,
      values: [...counts.entries()].map(([s, n]) => [s - 0.5, s + 0.5, n]),
    },
    series: [{
      name: `exact (BigInt convolution) x ${sampled.toLocaleString("en")}`,
      x: sumXs,
      y: sumXs.map((s) => (Number(exact[s]) / total) * sampled),
      color: COLORS[1],
    }],
    markers: [{
      x: threshold,
      label: `threshold ${threshold}: exact class-0 share ${pct(facts.prior.negativeRate, 5)}`,
    }],
    xDomain: [lo, hi],
  });

  return {
    "loss.svg": loss,
    "accuracy.svg": accuracy,
    "confusion.svg": confusion,
    "roc.svg": roc,
    "pr.svg": pr,
    "sums.svg": sums,
    ...(facts.boundary ? { "boundary.svg": boundaryFigure(facts.boundary, facts.task) } : {}),
    ...(facts.diagnosis ? { "order.svg": orderFigure(facts.diagnosis, facts.task) } : {}),
    "decision.svg": decisionFigure(input, facts.task),
    ...planFigures(facts),
    ...(facts.uncertainty.seeds
      ? {
        "seeds.svg": seedsFigure(facts.uncertainty.seeds, facts, "accuracy"),
        "seeds-mcc.svg": seedsFigure(facts.uncertainty.seeds, facts, "mcc"),
      }
      : {}),
  };
}

/**
 * The decision boundary: per-sum accuracy and mean P(class 1) against the sum, with the rule's
 * threshold (between threshold − 1 and threshold) and the effective threshold marked.
 */
function boundaryFigure(b: NonNullable<ReportFacts["boundary"]>, task: ReportFacts["task"]): string {
  const { threshold, seriesLength } = task;
  const [lo, hi] = [b.sums[0], b.sums[b.sums.length - 1]];
  const markers: Marker[] = [
    { x: threshold - 0.5, label: `rule: class 1 from sum ${threshold}`, color: "#c00", row: 1, side: "left" },
  ];
  if (Number.isFinite(b.effectiveThreshold)) {
    markers.push({
      x: b.effectiveThreshold,
      label: `mean p = 0.5 at ${b.effectiveThreshold.toFixed(2)}`,
      color: BASELINE_COLOR,
      row: 1,
      side: "right",
    });
  }
  return lineChart({
    title: `Decision boundary: ${b.perSum} series drawn at each sum ${lo}..${hi}`,
    xLabel: `sum of the ${seriesLength} digits`,
    yLabel: "share right / mean P(class 1)",
    legend: "bottom-right",
    xDomain: [lo, hi],
    yDomain: [0, 1],
    series: [
      { name: "share classified right", x: b.sums, y: b.accuracy, color: COLORS[0] },
      { name: "mean P(class 1)", x: b.sums, y: b.meanP, color: COLORS[1] },
      { name: "p = 0.5", x: [lo, hi], y: [0.5, 0.5], color: CHANCE_COLOR, dashed: true, width: 1 },
    ],
    markers,
  });
}

/** The mean logit per sum for the digits as drawn and sorted either way: the order moves the decision. */
function orderFigure(d: Diagnosis, task: ReportFacts["task"]): string {
  const [lo, hi] = [d.sums[0], d.sums[d.sums.length - 1]];
  const logits = d.orders.flatMap((o) => o.meanLogit).filter(Number.isFinite);
  const [yLow, yHigh] = [Math.min(...logits), Math.max(...logits)];
  return lineChart({
    title: `The same digits in another order: mean logit of P(class 1), ${d.perSum} series per sum`,
    xLabel: `sum of the ${task.seriesLength} digits`,
    yLabel: "mean logit of P(class 1)",
    // room above the points for the legend
    legend: "top-right",
    yDomain: [Math.floor(yLow) - 1, Math.ceil(yHigh + 0.4 * (yHigh - yLow))],
    xDomain: [lo, hi],
    series: [
      ...d.orders.map((o, k) => ({
        name: o.order === "as drawn" ? "digits as drawn" : `digits sorted ${o.order}`,
        x: d.sums,
        y: o.meanLogit,
        color: COLORS[k],
        points: 2.5,
      })),
      { name: "p = 0.5", x: [lo, hi], y: [0, 0], color: CHANCE_COLOR, dashed: true, width: 1 },
    ],
    markers: [{
      x: task.threshold - 0.5,
      label: `rule: class 1 from sum ${task.threshold}`,
      color: "#c00",
      row: 0,
      side: "left",
    }],
  });
}

/** The multi-seed plans' figures, each when its runs exist. */
function planFigures(facts: ReportFacts): Partial<Record<PlanFigureName, string>> {
  const figures: Partial<Record<PlanFigureName, string>> = {
    "variants.svg": variantsFigure(facts.plans, "accuracy"),
    "variants-mcc.svg": variantsFigure(facts.plans, "mcc"),
    "drift.svg": driftFigure(facts.plans, "band"),
    "drift-threshold.svg": driftFigure(facts.plans, "effectiveThreshold"),
    "archs.svg": archsFigure(facts.plans),
  };
  return Object.fromEntries(Object.entries(figures).filter(([, svg]) => svg !== undefined));
}

/** The learned decision function: every validation series' P(class 1) against its true digit sum. */
function decisionFigure(input: ReportInput, task: ReportFacts["task"]): string {
  const { x, y, size } = input.data.validation;
  const T = task.seriesLength;
  const sums = Array.from({ length: size }, (_, i) => seriesSum(x.subarray(i * T, (i + 1) * T)));
  const of = (label: number) => {
    const rows = sums.map((_, i) => i).filter((i) => y[i] === label);
    return { x: rows.map((i) => sums[i]), y: rows.map((i) => input.probabilities[i]) };
  };
  const lo = Math.min(...sums);
  const hi = Math.max(...sums);
  return lineChart({
    title: "Learned decision function: P(class 1) of each validation series against its sum",
    xLabel: "sum of the 30 digits",
    yLabel: "P(class 1)",
    series: [
      { name: "class 0 (sum below the threshold)", ...of(0), color: COLORS[1], points: 2.5 },
      { name: "class 1", ...of(1), color: COLORS[0], points: 1.5, opacity: 0.5 },
      { name: "decision cut-off 0.5", x: [lo, hi], y: [0.5, 0.5], color: BASELINE_COLOR, dashed: true, width: 1 },
    ],
    markers: [{ x: task.threshold - 0.5, label: `rule: sum ≥ ${task.threshold}`, row: 0 }],
    yDomain: [0, 1],
    legend: "bottom-right",
  });
}

/** Validation accuracy (or MCC) of the spec on every seed, with the shipped model's value. */
function seedsFigure(
  seeds: NonNullable<ReportFacts["uncertainty"]["seeds"]>,
  facts: ReportFacts,
  measure: "accuracy" | "mcc",
): string {
  const xs = seeds.perRun.map((r) => r.seed);
  const span: [number, number] = [Math.min(...xs) - 0.5, Math.max(...xs) + 0.5];
  const scale = measure === "accuracy" ? 100 : 1;
  const name = measure === "accuracy" ? "validation accuracy (%)" : "validation MCC";
  const shipped = scale * facts.model[measure];
  return lineChart({
    title: `The spec over ${xs.length} seeds: ${name} (data, weights and order all vary)`,
    xLabel: "seed",
    yLabel: name,
    series: [
      { name: "one run per seed", x: xs, y: seeds.perRun.map((r) => scale * r[measure]), color: COLORS[0], points: 4 },
      {
        name: `mean over seeds`,
        x: span,
        y: [scale * seeds[measure].mean, scale * seeds[measure].mean],
        color: COLORS[0],
        width: 1,
      },
      {
        name: `shipped model (seed ${facts.run.seed})`,
        x: span,
        y: [shipped, shipped],
        color: COLORS[1],
        dashed: true,
        width: 1,
      },
    ],
    xDomain: span,
    legend: "bottom-left",
  });
}
