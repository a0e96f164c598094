/**
 * Deliverable 2 as a generated report: figures (SVG) and report.md, built from a model's
 * records and validation probabilities, the data, and the imbalance study's results. Every
 * number in the text comes from those inputs.
 * @module
 */
import { confusionHeatmap, lineChart } from "./svg.ts";
import type { Dataset } from "../core/dataset.ts";
import { averagePrecision, prCurve, rocAuc, rocCurve } from "../core/metrics.ts";
import { exactClassPrior, sumDistribution } from "../core/prior.ts";
import { createRng, deriveSeed } from "../core/rng.ts";
import { SPEC } from "../core/spec.ts";
import type { StudyResults } from "../study/study.ts";
import type { History, Metrics } from "../train/train.ts";

/** What the report is built from. */
export interface ReportInput {
  metrics: Metrics & { onnx?: { accuracy: number; maxAbsDiff: number } };
  history: History;
  data: Dataset;
  /** The model's P(class 1) on the validation split. */
  probabilities: ArrayLike<number>;
  study?: StudyResults;
  studyProbabilities?: Record<string, number[]>;
}

const pct = (x: number, d = 2) => `${(100 * x).toFixed(d)} %`;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/** Sums of every series of both splits. */
function seriesSums(data: Dataset): number[] {
  const sums: number[] = [];
  for (const split of [data.train, data.validation]) {
    for (let n = 0; n < split.size; n++) {
      let s = 0;
      for (let t = 0; t < data.seriesLength; t++) s += split.x[n * data.seriesLength + t];
      sums.push(s);
    }
  }
  return sums;
}

/**
 * The `np.random.randint(0, 9)` pitfall of seed 003: digits 0..8 only. Exact and sampled
 * class-0 shares.
 */
export function randintPitfall(seed: number) {
  const exact = exactClassPrior({ digitValues: 9 }).negativeRate;
  const rng = createRng(deriveSeed(seed, "randint-pitfall"));
  let negatives = 0;
  for (let n = 0; n < SPEC.seriesCount; n++) {
    let s = 0;
    for (let t = 0; t < SPEC.seriesLength; t++) s += rng.nextInt(9);
    if (s < SPEC.threshold) negatives++;
  }
  return { exactClass0: exact, sampledClass0: negatives / SPEC.seriesCount, sampled: SPEC.seriesCount };
}

/**
 * Builds report.md and its figures.
 *
 * @param input The records, data, probabilities and study.
 * @returns File names and their text.
 */
export function buildReport(input: ReportInput): Record<string, string> {
  const { metrics, history, data, probabilities } = input;
  const labels = data.validation.y;
  const v = metrics.validation;
  const c = v.confusion;
  const prior = exactClassPrior();
  const files: Record<string, string> = {};

  // learning curves
  const epochs = history.epochs.map((e) => e.epoch);
  const batchesPerEpoch = history.batches.loss.length / Math.max(1, history.epochs.length);
  const batchX = history.batches.loss.map((_, k) => (k + 1) / batchesPerEpoch);
  files["loss.svg"] = lineChart({
    title: "Learning curves: binary cross-entropy",
    xLabel: "epoch",
    yLabel: "loss (log scale)",
    logY: true,
    series: [
      { name: "training, per batch", x: batchX, y: history.batches.loss, color: "#9ecae1", width: 0.6, opacity: 0.8 },
      { name: "training, epoch mean", x: epochs, y: history.epochs.map((e) => e.loss), color: COLORS[0] },
      { name: "validation", x: epochs, y: history.epochs.map((e) => e.valLoss), color: COLORS[1] },
    ],
  });
  files["accuracy.svg"] = lineChart({
    title: "Learning curves: accuracy",
    xLabel: "epoch",
    yLabel: "accuracy (%)",
    series: [
      { name: "training, epoch mean", x: epochs, y: history.epochs.map((e) => 100 * e.accuracy), color: COLORS[0] },
      { name: "validation", x: epochs, y: history.epochs.map((e) => 100 * e.valAccuracy), color: COLORS[1] },
      {
        name: `always class 1 (${pct(data.validation.positives / data.validation.size)})`,
        x: [epochs[0] ?? 0, epochs[epochs.length - 1] ?? 1],
        y: new Array(2).fill((100 * data.validation.positives) / data.validation.size),
        color: "#777",
        dashed: true,
      },
    ],
  });
  files["confusion.svg"] = confusionHeatmap(c, `Validation confusion matrix (${data.validation.size} series)`);

  // ROC and PR curves: the model, and the study's variants when given
  const curveSets: { name: string; p: ArrayLike<number> }[] = [{ name: "shipped model", p: probabilities }];
  for (const [name, p] of Object.entries(input.studyProbabilities ?? {})) {
    if (name !== "spec" && name !== "majority") curveSets.push({ name, p });
  }
  files["roc.svg"] = lineChart({
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
      { name: "chance", x: [0, 1], y: [0, 1], color: "#999", dashed: true, width: 1 },
    ],
  });
  const flipped = Array.from(labels, (y) => 1 - y);
  files["pr.svg"] = lineChart({
    title: "Precision-recall for the minority, class 0 (sum < 100)",
    legend: "bottom-left",
    xLabel: "recall of class 0",
    yLabel: "precision of class 0",
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: [
      ...curveSets.map((s, k) => {
        const q = Array.from(s.p, (x) => 1 - x);
        const r = prCurve(flipped, q);
        return { name: `${s.name}, AP ${averagePrecision(flipped, q).toFixed(3)}`, x: r.x, y: r.y, color: COLORS[k] };
      }),
      {
        name: `chance (${pct(data.validation.negatives / data.validation.size)})`,
        x: [0, 1],
        y: new Array(2).fill(data.validation.negatives / data.validation.size),
        color: "#999",
        dashed: true,
        width: 1,
      },
    ],
  });

  // the distribution of sums
  const sums = seriesSums(data);
  const counts = new Map<number, number>();
  for (const s of sums) counts.set(s, (counts.get(s) ?? 0) + 1);
  const exact = sumDistribution();
  const total = Number(prior.total);
  const sumXs = Array.from({ length: 271 }, (_, s) => s).filter((s) => s >= 60 && s <= 210);
  files["sums.svg"] = lineChart({
    title: `Sums of the ${sums.length.toLocaleString("en")} sampled series vs the exact distribution`,
    xLabel: "sum of the 30 digits",
    yLabel: "series per sum value",
    bars: {
      name: "sampled (histogram)",
      color: "#6baed6",
      values: [...counts.entries()].map(([s, n]) => [s - 0.5, s + 0.5, n]),
    },
    series: [{
      name: "exact (BigInt convolution) x 10,000",
      x: sumXs,
      y: sumXs.map((s) => (Number(exact[s]) / total) * sums.length),
      color: COLORS[1],
    }],
    markers: [{ x: 100, label: `threshold 100: exact class-0 share ${(100 * prior.negativeRate).toFixed(5)} %` }],
    xDomain: [60, 210],
  });

  // the text
  const pit = randintPitfall(metrics.config.seed);
  const sampled0 = (data.train.negatives + data.validation.negatives) / (data.train.size + data.validation.size);
  const majority = data.validation.positives / data.validation.size;
  const lines: string[] = [];
  lines.push(
    "# Deliverable 2: class imbalance and better measures than accuracy",
    "",
    `Generated by \`deno task report\` from \`${metrics.config.trainer}\`-trained model records (seed ${metrics.config.seed}, ` +
      `${metrics.config.epochs} epochs). Every figure below is computed from the files, not written by hand.`,
    "",
    "## The class distribution",
    "",
    `| split | series | class 1 (sum ≥ 100) | class 0 (sum < 100) | class-0 share |`,
    `|---|---:|---:|---:|---:|`,
    ...(["train", "validation"] as const).map((k) =>
      `| ${k} | ${data[k].size} | ${data[k].positives} | ${data[k].negatives} | ${
        pct(data[k].negatives / data[k].size)
      } |`
    ),
    `| exact, all 10^30 series | – | – | – | ${(100 * prior.negativeRate).toFixed(5)} % |`,
    "",
    `The sum of 30 uniform digits has mean 135 and standard deviation ${
      Math.sqrt(30 * 8.25).toFixed(2)
    }, so 100 lies ` +
      `${((135 - 100) / Math.sqrt(30 * 8.25)).toFixed(2)} standard deviations below the mean. Exactly ` +
      `${prior.negatives} of the 10^30 possible series sum to less than 100 (BigInt convolution), a share of ` +
      `${(100 * prior.negativeRate).toFixed(5)} %; this draw has ${pct(sampled0, 3)}.`,
    "",
    "![sums](sums.svg)",
    "",
    "## Is accuracy a valid measure here?",
    "",
    `Not on its own. A model that answers "class 1" for every series scores ${
      pct(majority)
    } on this validation split ` +
      `(${
        pct(prior.positiveRate)
      } in expectation) while never recognising a single class-0 series. Accuracy weighs each ` +
      `series equally, so the ${data.validation.negatives} class-0 series can move it by at most ` +
      `${pct(data.validation.negatives / data.validation.size)}: ${pct(majority)} is the floor, not the goal.`,
    "",
    `The shipped model: accuracy ${pct(v.accuracy)} on validation and ${pct(metrics.train.accuracy)} on training. ` +
      `Of the ${c.tn + c.fp} class-0 validation series it recognises ${c.tn} (specificity, the recall of class 0: ` +
      `${pct(v.specificity)}); of the ${c.tp + c.fn} class-1 series it recognises ${c.tp} (recall ${pct(v.recall)}).`,
    "",
    "| measure | shipped model | always class 1 |",
    "|---|---:|---:|",
    `| accuracy | ${pct(v.accuracy)} | ${pct(majority)} |`,
    `| balanced accuracy (mean of both recalls) | ${pct(v.balancedAccuracy)} | 50.00 % |`,
    `| recall of class 0 (specificity) | ${pct(v.specificity)} | 0.00 % |`,
    `| Matthews correlation coefficient | ${v.mcc.toFixed(4)} | 0 |`,
    `| F1 of class 1 | ${v.f1.toFixed(4)} | ${(2 * majority / (1 + majority)).toFixed(4)} |`,
    `| ROC-AUC | ${v.rocAuc.toFixed(4)} | 0.5 |`,
    `| average precision of class 0 (PR-AUC) | ${
      averagePrecision(flipped, Array.from(probabilities, (x) => 1 - x)).toFixed(4)
    } | ${(data.validation.negatives / data.validation.size).toFixed(4)} |`,
    "",
    "![confusion](confusion.svg)",
    "",
    "Better measures, and what each tells:",
    "",
    "- **The confusion matrix** itself, or the **recall of each class**: it shows the rare class directly.",
    "- **Balanced accuracy**: the mean of the two recalls; 50 % for any constant answer, whatever the imbalance.",
    "- **Matthews correlation coefficient**: uses all four cells and is 0 for a constant answer; the one-number " +
      "summary to prefer here.",
    "- **ROC-AUC**: how well the scores rank the two classes, independent of the threshold and of the class shares; " +
      "it can look good while the rare class still has poor precision.",
    "- **Precision-recall curve and average precision for class 0**: the minority's view, whose chance level is the " +
      "class-0 share itself; the most demanding measure here.",
    `- F1 of class 1 is a poor choice: the constant answer already scores ${
      (2 * majority / (1 + majority)).toFixed(4)
    }.`,
    "",
    "![roc](roc.svg)",
    "",
    "![pr](pr.svg)",
    "",
    "## Learning curves",
    "",
    `Per-epoch means of the training batches and the validation figures after each epoch. The validation loss ` +
      `reached its lowest, ${Math.min(...history.epochs.map((e) => e.valLoss)).toFixed(4)}, at epoch ${
        history.epochs.reduce((b, e) => (e.valLoss < b.valLoss ? e : b), history.epochs[0]).epoch
      }; it was ${history.epochs[history.epochs.length - 1].valLoss.toFixed(4)} at the end.`,
    "",
    "![loss](loss.svg)",
    "",
    "![accuracy](accuracy.svg)",
    "",
  );

  if (input.study) {
    const s = input.study;
    lines.push(
      "## The imbalance study",
      "",
      `\`deno task study\`: the same seed (${s.seed}) and ${s.epochs} epochs for each variant; every variant is scored ` +
        `on the same natural validation split (${s.naturalValidation.size} series, ${s.naturalValidation.negatives} of ` +
        `class 0).`,
      "",
      "| variant | training series (class 0) | accuracy | balanced acc. | recall of class 0 | MCC | ROC-AUC | PR-AUC class 1 | PR-AUC class 0 |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...s.variants.map((x) => {
        const m = x.validation;
        return `| ${x.name}: ${x.description} | ${x.trainSize} (${x.trainNegatives}) | ${pct(m.accuracy)} | ${
          pct(m.balancedAccuracy)
        } | ${pct(m.specificity, 1)} | ${m.mcc.toFixed(3)} | ${m.rocAuc.toFixed(4)} | ${m.prAuc.toFixed(4)} | ${
          m.prAucClass0.toFixed(3)
        } |`;
      }),
      "",
    );
    const bal = s.variants.find((x) => x.name === "balanced-data");
    if (bal?.ownValidation) {
      lines.push(
        (() => {
          const own = bal.ownValidation!;
          const ownSize = own.confusion.tp + own.confusion.fp + own.confusion.tn + own.confusion.fn;
          const ownNegatives = own.confusion.tn + own.confusion.fp;
          const spec = s.variants.find((x) => x.name === "spec");
          return `On its own balanced validation split (${ownSize} series, ${ownNegatives} of class 0) the ` +
            `balanced-data model scores ${pct(own.accuracy)} accuracy and ${pct(own.balancedAccuracy)} balanced ` +
            `accuracy; on the natural split, ${pct(bal.validation.accuracy)} and ${
              pct(bal.validation.balancedAccuracy)
            }, calling ${bal.validation.confusion.fn} class-1 series class 0${
              spec ? ` (the spec model: ${spec.validation.confusion.fn})` : ""
            }. On a balanced test set accuracy and balanced accuracy nearly coincide, and the class-0 share no longer ` +
            `matches the data the exercise draws, so only the natural split says how the model will do on that data.`;
        })(),
        "",
      );
    }
  }

  lines.push(
    "## The `randint(0, 9)` pitfall",
    "",
    `Seed 003 draws digits with \`np.random.randint(0, 9)\`, whose upper bound is exclusive: it never draws a 9. The ` +
      `mean sum falls from 135 to 120 and class 0 grows from ${(100 * prior.negativeRate).toFixed(2)} % to ` +
      `${pct(pit.exactClass0)} exactly (${pct(pit.sampledClass0)} in ${pit.sampled.toLocaleString("en")} sampled ` +
      `series): a different task, with a different baseline. A core test (digits 0..9, all ten occur) makes this bug ` +
      `impossible here.`,
    "",
    "## Which measure to use",
    "",
    "Report the confusion matrix with both recalls, and summarise with the MCC or balanced accuracy; add the class-0 " +
      "precision-recall curve when the rare class matters. Accuracy is fine as a secondary figure only when it is " +
      `compared with its ${pct(prior.positiveRate)} floor.`,
    "",
  );
  files["report.md"] = lines.join("\n");
  return files;
}
