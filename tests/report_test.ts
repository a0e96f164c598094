import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { confusionHeatmap, lineChart, ticks } from "../src/report/svg.ts";
import {
  buildReport,
  randintPitfall,
  reportFacts,
  type ReportInput,
  reportMarkdown,
  sumPlotRange,
} from "../src/report/report.ts";
import { train } from "../src/train/mod.ts";
import { scoreSplit, type StudyResults } from "../src/study/study.ts";
import { classificationReport, makeDataset, resolveConfig, sumMoments } from "../mod.ts";
import { makeBoundarySet, scoreBoundary } from "../src/core/boundary.ts";
import type { BoundaryRecord } from "../src/model_dir/mod.ts";
import type { RunRecord } from "../src/runner/record.ts";
import type { Diagnosis } from "../src/core/diagnosis.ts";

/** Checks that markup is well-formed XML: every tag closed in order, attributes quoted. */
function assertWellFormed(svg: string) {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) assertEquals(stack.pop(), name, `closing </${name}>`);
    else stack.push(name);
  }
  assertEquals(stack, []);
  const stripped = svg.replace(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, "");
  assert(!/[<>]/.test(stripped), "stray < or > outside tags");
  assert(!/&(?!amp;|lt;|gt;|quot;)/.test(stripped), "unescaped &");
}

Deno.test("lineChart() writes well-formed SVG with one polyline per series, axis labels and a legend", () => {
  const svg = lineChart({
    title: "A & B <test>",
    xLabel: "epoch",
    yLabel: "loss",
    series: [
      { name: "train", x: [1, 2, 3], y: [0.5, 0.3, 0.2], color: "#00f" },
      { name: "validation", x: [1, 2, 3], y: [0.6, 0.4, 0.35], color: "#f00", dashed: true },
    ],
    markers: [{ x: 2, label: "mark" }],
    logY: true,
  });
  assertWellFormed(svg);
  assertEquals(svg.match(/class="series"/g)?.length, 2);
  assertStringIncludes(svg, '<text class="x-label"');
  assertStringIncludes(svg, ">epoch</text>");
  assertStringIncludes(svg, ">loss</text>");
  assertStringIncludes(svg, "A &amp; B &lt;test&gt;");
  assertStringIncludes(svg, ">validation</text>");
});

Deno.test("confusionHeatmap() shows four cells with counts and row percentages", () => {
  const svg = confusionHeatmap({ tp: 1970, fp: 3, tn: 17, fn: 10 }, { title: "cm", class1: "sum ≥ 100" });
  assertWellFormed(svg);
  assertEquals(svg.match(/class="cell"/g)?.length, 4);
  assertStringIncludes(svg, ">17</text>");
  assertStringIncludes(svg, "85.0 % of row");
  assertStringIncludes(svg, "positive = class 1 (sum ≥ 100)");
});

Deno.test("ticks() gives round values that cover the range", () => {
  assertEquals(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assertEquals(ticks(60, 210).slice(0, 3), [75, 100, 125]);
});

Deno.test("randintPitfall() shows class 0 rising to about 7 % when 9 is never drawn", () => {
  const p = randintPitfall(42);
  assert(p.exactClass0 > 0.07 && p.exactClass0 < 0.1, `${p.exactClass0}`);
  assert(Math.abs(p.sampledClass0 - p.exactClass0) < 4 * Math.sqrt(p.exactClass0 / 10_000), `${p.sampledClass0}`);
});

Deno.test("buildReport() on a tiny trained model writes report.md and seven figures, in seconds", async () => {
  const { model, history, metrics, data } = await train({
    config: { units: 4, trainSize: 150, validationSize: 50, epochs: 2, seed: 1 },
  });
  model.dispose();
  const probabilities = Array.from({ length: 50 }, (_, n) => (n % 7 === 0 ? 0.3 : 0.9));
  const study: StudyResults = {
    seed: 1,
    epochs: 2,
    naturalValidation: { size: 50, negatives: data.validation.negatives },
    variants: [{
      name: "spec",
      description: "plain",
      trainSize: 150,
      trainNegatives: data.train.negatives,
      validation: scoreSplit(data.validation, probabilities),
      seconds: 1,
    }],
  };
  const files = buildReport({ metrics, history, data, probabilities, study });
  assertEquals(Object.keys(files).sort(), [
    "accuracy.svg",
    "confusion.svg",
    "decision.svg",
    "loss.svg",
    "pr.svg",
    "report.md",
    "roc.svg",
    "sums.svg",
  ]);
  for (const [name, text] of Object.entries(files)) if (name.endsWith(".svg")) assertWellFormed(text);
  // the decision function: one dot per validation series, by class
  assertEquals(files["decision.svg"].match(/<circle /g)?.length, data.validation.size);
  const md = files["report.md"];
  assertStringIncludes(md, "11749570957227161671138139560");
  assertStringIncludes(md, "| spec: plain |");
  assertStringIncludes(md, "randint(0, 9)");
  assertEquals(files["loss.svg"].match(/class="series"/g)?.length, 3);
});

/** A report input built by hand, without training: 150 + 50 series, two epochs of history. */
function handInput(): ReportInput {
  const config = resolveConfig({ seed: 1, epochs: 2, trainSize: 150, validationSize: 50 });
  const data = makeDataset({ seed: 1, trainSize: 150, validationSize: 50 });
  const probabilities = Array.from(data.validation.y, (y, n) => (n % 10 === 0 ? 1 - y : y) * 0.8 + 0.1);
  const history = {
    epochs: [
      { epoch: 1, loss: 0.5, accuracy: 0.9, valLoss: 0.3, valAccuracy: 0.92, seconds: 1 },
      { epoch: 2, loss: 0.2, accuracy: 0.95, valLoss: 0.4, valAccuracy: 0.9, seconds: 1 },
    ],
    batches: { loss: [0.6, 0.5, 0.4, 0.3, 0.2, 0.1], accuracy: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9] },
  };
  const counts = (s: { size: number; positives: number; negatives: number }) => ({
    size: s.size,
    positives: s.positives,
    negatives: s.negatives,
  });
  const metrics = {
    config,
    data: { train: counts(data.train), validation: counts(data.validation), exactPositiveRate: 0.99 },
    train: { loss: 0.1, accuracy: 0.96 },
    validation: classificationReport(data.validation.y, probabilities),
    parameters: 0,
    seconds: 1,
  };
  return { metrics, history, data, probabilities };
}

Deno.test("reportFacts() states the class counts, the sum's moments and the learning curve's minimum", () => {
  const input = handInput();
  const f = reportFacts(input);
  const { train, validation } = input.data;
  assertEquals(f.splits.map((s) => [s.name, s.size, s.positives, s.negatives]), [
    ["train", 150, train.positives, train.negatives],
    ["validation", 50, validation.positives, validation.negatives],
  ]);
  assertEquals(f.sampledClass0Share, (train.negatives + validation.negatives) / 200);
  assertEquals([f.sums.mean, f.sums.max, f.sums.variance], [135, 270, 247.5]);
  assertEquals(f.sums.thresholdZ, (135 - 100) / Math.sqrt(247.5));
  assertEquals(f.prior.negatives, 11749570957227161671138139560n);
  assertEquals(f.learning, { bestValLoss: 0.3, bestEpoch: 1, finalValLoss: 0.4 });
  assertEquals([f.run.seed, f.run.epochs, f.trainAccuracy], [1, 2, 0.96]);
  assertEquals(f.pitfall.digitValues, 9);
  assertEquals(f.pitfall.mean, 120);
  assertEquals(f.study, undefined);
});

Deno.test("reportFacts() scores the constant answer 'class 1' as chance on every measure but accuracy", () => {
  const input = handInput();
  const f = reportFacts(input);
  const share = input.data.validation.positives / input.data.validation.size;
  assertEquals(f.majority.accuracy, share);
  assertEquals([f.majority.balancedAccuracy, f.majority.specificity, f.majority.mcc, f.majority.rocAuc], [
    0.5,
    0,
    0,
    0.5,
  ]);
  assertAlmostEquals(f.majority.f1, (2 * share) / (1 + share));
  assertEquals(f.majority.class0AveragePrecision, input.data.validation.negatives / input.data.validation.size);
  // the model's own figures are the recorded ones
  assertEquals(f.model.accuracy, input.metrics.validation.accuracy);
  assertEquals(f.confusion, input.metrics.validation.confusion);
});

Deno.test("reportFacts() takes the balanced-data variant's own and natural scores from the study", () => {
  const input = handInput();
  const scores = scoreSplit(input.data.validation, input.probabilities);
  const variant = (name: "spec" | "balanced-data") => ({
    name,
    description: name,
    trainSize: 150,
    trainNegatives: 2,
    validation: scores,
    seconds: 1,
  });
  const own = scoreSplit(input.data.train, new Array(150).fill(0.9));
  const study: StudyResults = {
    seed: 1,
    epochs: 2,
    naturalValidation: { size: 50, negatives: input.data.validation.negatives },
    variants: [variant("spec"), { ...variant("balanced-data"), ownValidation: own }],
  };
  const f = reportFacts({ ...input, study });
  assertEquals(f.study?.balanced, {
    ownSize: 150,
    ownNegatives: input.data.train.negatives,
    ownAccuracy: own.accuracy,
    ownBalancedAccuracy: own.balancedAccuracy,
    naturalAccuracy: scores.accuracy,
    naturalBalancedAccuracy: scores.balancedAccuracy,
    naturalFalseNegatives: scores.confusion.fn,
    specFalseNegatives: scores.confusion.fn,
  });
  assertStringIncludes(reportMarkdown(f), `(the spec model: ${scores.confusion.fn})`);
});

/** A boundary section of a model whose line sits two sums too high: class 1 from sum 102. */
function handBoundary(): BoundaryRecord {
  const set = makeBoundarySet({ seed: 2, perSum: 10 });
  const sums = set.sums.flatMap((s) => new Array(set.perSum).fill(s));
  const p = sums.map((s) => (s >= 102 ? 0.9 : 0.1));
  return { seed: 2, perSum: 10, ...scoreBoundary(set, p), agreement: { maxAbsDiff: 2e-6, decisionsAgree: true } };
}

Deno.test("reportFacts() holds the boundary figures of metrics.json's boundary section, and none without one", () => {
  const boundary = handBoundary();
  const f = reportFacts({ ...handInput(), boundary });
  const b = f.boundary!;
  assert(b, "the facts hold the boundary");
  assertEquals(b.sums, Array.from({ length: 21 }, (_, k) => 90 + k));
  assertEquals(b.accuracy, boundary.accuracy);
  assertEquals(b.meanP, boundary.meanP);
  assertEquals([b.justBelow, b.atThreshold], [1, 0]);
  assertEquals(b.bandSums, [95, 105]);
  assertAlmostEquals(b.band, 9 / 11, 1e-12);
  assertAlmostEquals(b.effectiveThreshold, 101.5, 1e-12);
  assertEquals(b.worst, { sum: 100, accuracy: 0 });
  assertEquals([b.seed, b.perSum, b.maxAbsDiff, b.decisionsAgree], [2, 10, 2e-6, true]);
  assertEquals(reportFacts(handInput()).boundary, undefined);
});

Deno.test("buildReport() adds the boundary section and boundary.svg when given a boundary, and only then", () => {
  const files = buildReport({ ...handInput(), boundary: handBoundary() });
  const svg = files["boundary.svg"];
  assert(svg, "boundary.svg is drawn");
  assertWellFormed(svg!);
  assertEquals(svg!.match(/class="series"/g)?.length, 3);
  assertStringIncludes(svg!, "rule: class 1 from sum 100");
  assertStringIncludes(svg!, "mean p = 0.5 at 101.50");
  const md = files["report.md"];
  assertStringIncludes(md, "## The decision boundary");
  assertStringIncludes(md, "| accuracy at sum 99 (class 0) | 100.00 % |");
  assertStringIncludes(md, "| accuracy at sum 100 (class 1) | 0.00 % |");
  assertStringIncludes(md, "| accuracy over sums 95..105, each sum weighted equally | 81.82 % |");
  assertStringIncludes(md, "The mean p crosses 0.5 at sum 101.50, 2.00 above the rule's 99.5");
  assertStringIncludes(md, "![boundary](boundary.svg)");
  const without = buildReport(handInput());
  assertEquals("boundary.svg" in without, false);
  assert(!without["report.md"].includes("## The decision boundary"), "a boundary section without a boundary");
});

Deno.test("reportMarkdown() prints the facts it is given, and only those", () => {
  const f = reportFacts(handInput());
  const md = reportMarkdown(f);
  assertStringIncludes(md, "| class 1 (sum ≥ 100) | class 0 (sum < 100) |");
  assertStringIncludes(md, "The sum of 30 uniform digits has mean 135 and standard deviation 15.73");
  assertStringIncludes(md, "reached its lowest, 0.3000, at epoch 1; it was 0.4000 at the end.");
  assertStringIncludes(md, "| balanced accuracy (mean of both recalls) |");
  assertStringIncludes(md, "| 50.00 % |");
  assertStringIncludes(md, "## The `randint(0, 9)` pitfall");
  assert(!md.includes("## The imbalance study"), "a study section without a study");
  const other = reportMarkdown({
    ...f,
    task: { ...f.task, threshold: 90 },
    sums: { ...f.sums, thresholdZ: -0.5 },
  });
  assertStringIncludes(other, "| class 1 (sum ≥ 90) | class 0 (sum < 90) |");
  assertStringIncludes(other, "so 90 lies 0.50 standard deviations above the mean");
});

Deno.test("sumPlotRange() spans five standard deviations either side of the mean, in tens: 60..210", () => {
  assertEquals(sumPlotRange({ ...sumMoments(), thresholdZ: 0 }), [60, 210]);
  assertEquals(sumPlotRange({ ...sumMoments({ seriesLength: 2 }), thresholdZ: 0 }), [0, 18]);
});

Deno.test("buildReport() leaves its inputs as they were", () => {
  const input = handInput();
  const before = structuredClone({ ...input, probabilities: Array.from(input.probabilities) });
  const files = buildReport(input);
  assertEquals({ ...input, probabilities: Array.from(input.probabilities) }, before);
  assertEquals(buildReport(input), files);
});

Deno.test("buildReport() reports the spec over seeds with intervals, and the cut-off chosen on training", () => {
  const input = handInput();
  const run = (seed: number, accuracy: number) =>
    ({
      config: { seed },
      validation: { accuracy, specificity: 0.9, mcc: 0.8, confusion: { tp: 0, fn: 0, tn: 9, fp: 1 } },
      boundary: { atThreshold: 0.4 },
    }) as unknown as RunRecord;
  const trainProbabilities = Array.from(input.data.train.y, (y) => (y ? 0.45 : 0.05));
  const files = buildReport({ ...input, seedRuns: [run(1, 0.99), run(2, 0.995)], trainProbabilities });
  const md = files["report.md"];
  assertStringIncludes(md, "Over two seeds of the default config (seeds 1, 2;");
  assertStringIncludes(md, "| validation accuracy | 99.25 % ± 0.35 |");
  assertStringIncludes(md, "Pooled over the seeds, 18 of 20 class-0 series were recognised");
  // every class-1 training series sits at 0.45: the cut-off of highest training accuracy lies at or below it
  assertStringIncludes(md, "is 0.4500: training accuracy 100.00 %");
  assert(files["seeds.svg"], "the spread figure is drawn when there are runs");
  assertEquals(buildReport(input)["seeds.svg"], undefined);
});

Deno.test("buildReport() explains the boundary (blur, digit order, cells) and draws order.svg when given a diagnosis, and only then", () => {
  const sums = [96, 100, 104];
  const diagnosis: Diagnosis = {
    sums,
    perSum: 10,
    fit: {
      slope: 0.6,
      crossing: 100.5,
      residualSd: 1.2,
      blurSums: 2,
      additiveResidualSd: 1.05,
      sameSumSd: 0.9,
      scatterSums: 1.5,
      countsResidualSd: 0.81,
      digitExtraSums: [0, 0.1, 0.2, 0.1, 0, -0.1, -0.2, -0.3, -0.1, 0],
    },
    orders: [
      { order: "as drawn", accuracy: [1, 0.3, 1], meanLogit: [-3, -0.5, 2] },
      { order: "ascending", accuracy: [0, 1, 1], meanLogit: [7, 9, 10] },
      { order: "descending", accuracy: [1, 0, 0], meanLogit: [-7, -7, -6] },
    ],
    cells: {
      forgetMean: 0.667,
      forgetBelowHalf: 0.012,
      forgetUnitMax: 0.767,
      cellAbsMean: 0.07,
      cellAbsMax: 3.2,
      hiddenSaturated: 0,
      series: 30,
    },
    forgetBiasMean: 0.8,
    orderMean: {
      orders: 16,
      fit: {
        slope: 0.6,
        crossing: 100.4,
        residualSd: 0.72,
        blurSums: 1.2,
        additiveResidualSd: 0.6,
        sameSumSd: 0.3,
        scatterSums: 0.5,
        countsResidualSd: 0.15,
        digitExtraSums: [0, -0.11, -0.15, -0.14, -0.1, -0.04, 0.01, 0.05, 0.05, 0],
      },
    },
  };
  const files = buildReport({ ...handInput(), diagnosis });
  const svg = files["order.svg"];
  assert(svg, "order.svg is drawn");
  assertWellFormed(svg!);
  assertEquals(svg!.match(/class="series"/g)?.length, 4);
  const md = files["report.md"];
  assertStringIncludes(md, "## Why the boundary sits where it does");
  assertStringIncludes(md, "logit(p) ≈ 0.600 · (sum − 100.50)");
  assertStringIncludes(md, "that is ±2.00 units of sum");
  assertStringIncludes(md, "scatter about their own mean by 0.90 in the logit, ±1.50 units of sum");
  assertStringIncludes(md, "takes it to 0.81. (Fitted about the line, without the bend, a weight for each digit value");
  assertStringIncludes(md, "at each of the 30 positions leaves 1.05.)");
  // the order mean's fit: its blur and scatter, and the share of that scatter a weight per digit value explains
  assertStringIncludes(md, "averaged over 16 fixed orders");
  assertStringIncludes(md, "the blur about the line is ±1.20 sums and the same-sum scatter ±0.50");
  assertStringIncludes(md, "are 75 % of its variance (19 % of the single order's)");
  assertStringIncludes(
    md,
    "beyond the line through digits 0 and 9, digits 1 to 8 count −0.11, −0.15, −0.14, −0.10, −0.04, +0.01, +0.05, +0.05 sums each",
  );
  assertStringIncludes(md, "call 0 % of the series at sum 96 right (they are class 0) and 100 % at 104");
  assertStringIncludes(md, "sorted descending (large digits first), 100 % at 96 and 0 % at 104");
  assertStringIncludes(md, "**The cells: they leak, and they do not saturate.**");
  assertStringIncludes(md, "the most persistent unit averages 0.767");
  assertStringIncludes(md, "keeps half of its content for 1.7 steps");
  assertStringIncludes(md, "far fewer than the 30 digits, so no single cell integrates the series");
  const nearlyWhole = buildReport({
    ...handInput(),
    diagnosis: { ...diagnosis, cells: { ...diagnosis.cells, forgetMean: 0.977 } },
  });
  assertStringIncludes(
    nearlyWhole["report.md"],
    "keeps half of its content for 29.8 steps on average, fewer than the 30 digits: by the last step a cell keeps 50 % of what the first digit put in.",
  );
  const { orderMean: _, ...singleOrder } = diagnosis;
  assert(!buildReport({ ...handInput(), diagnosis: singleOrder })["report.md"].includes("fixed orders"));
  const without = buildReport(handInput());
  assertEquals("order.svg" in without, false);
  assert(!without["report.md"].includes("## Why the boundary"), "a diagnosis section without a diagnosis");
});
