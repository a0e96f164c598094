/**
 * Item (e) of exercise H6.1 as a generated report: the four networks' training and test accuracy over
 * the iterations (accuracy.svg), the best network's confusion matrix (confusion.svg), and report.md,
 * which answers item (e) with numbers: under- and overfitting, and how far the small data set causes
 * it; regularisation against convolution and down-sampling; parameters against accuracy; speed.
 *
 * Pure: it takes the run directories' parsed metrics.json and history.json (src/mnist/run_dir.ts reads
 * them) and returns file names and their text; the same input gives the same bytes. Three steps, as the
 * LSTM report (src/report/): the facts ({@link mnistReportFacts}, every number), the figures (drawn with
 * src/report/svg.ts), the text (a Markdown template over the facts). A model without a run is listed as
 * not trained; nothing is estimated for it.
 * @module
 */
import { esc, lineChart, type LineSeries } from "../report/svg.ts";
import { pct } from "../core/format.ts";
import type { MnistHistory } from "./checkpoint.ts";
import { countMnistParams } from "./params.ts";
import { defaultMnistConfig, H61, MNIST_MODELS, type MnistModel } from "./spec.ts";
import type { MnistMetrics } from "./train.ts";

/**
 * (ours) The data the exercise means, for item (e)'s comparison; not in {@link H61}, since no run uses it.
 * MNIST has 70,000 images, 60,000 to train and 10,000 to test (yann.lecun.com/exdb/mnist); TensorFlow's
 * tutorial loader, named in the exercise's hint (`tensorflow.examples.tutorials.mnist.input_data`), keeps
 * 5,000 of the training images for validation and trains on 55,000.
 */
export const EXERCISE_MNIST: Readonly<Record<"totalImages" | "trainImages" | "testImages", number>> = Object.freeze({
  /** All images of MNIST. */
  totalImages: 70_000,
  /** Training images of the tutorial loader. */
  trainImages: 55_000,
  /** Test images. */
  testImages: 10_000,
});

type Judgement = Readonly<Record<"underfitTrainAccuracy" | "largeGap" | "lossRise", number>>;

/** (ours) The rules by which the report calls a run under- or overfitted; the report states them. */
export const MNIST_JUDGEMENT: Judgement = Object.freeze({
  /** Underfitting: the final training accuracy stays below this share. */
  underfitTrainAccuracy: 0.99,
  /** A large gap: training accuracy above test accuracy by more than this share (about three standard errors of a test accuracy near 90 % on 2,000 images). */
  largeGap: 0.02,
  /** A rising test loss (overfitting): the final test loss above its lowest by more than this fraction. */
  lossRise: 0.1,
});

/** A run directory's parsed files. */
export interface MnistRunFiles {
  /** metrics.json. */
  metrics: MnistMetrics;
  /** history.json. */
  history: MnistHistory;
}

/** One model of the exercise: where its run directory is, and its files when it was trained. */
export interface MnistReportRun {
  /** Which network. */
  model: MnistModel;
  /** Its run directory, as the report names it. */
  dir: string;
  /** Its files; absent when the model is not trained. */
  files?: MnistRunFiles;
}

/** What {@link buildMnistReport} reads: one entry per model of {@link MNIST_MODELS}, in any order. */
export interface MnistReportInput {
  /** Every model, trained or not. */
  runs: MnistReportRun[];
}

/** A digit confused with another in the test split. */
export interface MnistConfusion {
  /** The true digit. */
  true: number;
  /** The digit predicted. */
  predicted: number;
  /** Test images. */
  count: number;
}

/** Every number the report states about one trained run. */
export interface MnistModelFacts {
  /** Which network. */
  model: MnistModel;
  /** The exercise's item, `(a)`..`(d)`. */
  item: string;
  /** The run directory. */
  dir: string;
  /** Iterations the run did (its config). */
  iterations: number;
  /** Iterations the exercise fixes for the model. */
  specIterations: number;
  /** Whether the run did the exercise's iterations. */
  fullRun: boolean;
  /** Images per iteration. */
  batchSize: number;
  /** Training images. */
  trainSize: number;
  /** Test images. */
  testSize: number;
  /** Passes over the training set: iterations · batch / training images. */
  epochs: number;
  /** The passes the same iterations make over the exercise's {@link EXERCISE_MNIST} training images. */
  exerciseEpochs: number;
  /** The constant the biases started at (the config). */
  biasInit: number;
  /** The exercise's: 0 for (a), −0.1 for (b)–(d). */
  exerciseBiasInit: number;
  /** Whether the run used the exercise's bias init. */
  biasAsExercise: boolean;
  /** Trainable parameters, as metrics.json records them. */
  parameters: number;
  /** Per layer, from the config's shapes. */
  layers: { name: string; count: number }[];
  /** Parameters per training image. */
  parametersPerImage: number;
  /** Final accuracy on all training images. */
  trainAccuracy: number;
  /** Final accuracy on the test images. */
  testAccuracy: number;
  /** Training minus test accuracy. */
  gap: number;
  /** √(p(1 − p)/n) of the test accuracy. */
  testStandardError: number;
  /** The lowest test loss of the evaluations, where, and after how many passes. */
  minTestLoss: { value: number; iteration: number; epochs: number };
  /** The last evaluation's test loss. */
  finalTestLoss: number;
  /** finalTestLoss / minTestLoss − 1. */
  lossRise: number;
  /** The highest test accuracy of the evaluations, and where (the first, on ties). */
  bestTestAccuracy: { value: number; iteration: number };
  /** Wall-clock seconds as recorded. */
  seconds: number;
  /** 1000 · seconds / iterations. */
  msPerIteration: number;
  /** Milliseconds per iteration between the first and the last evaluation (the evaluations every 100th included). */
  loopMsPerIteration: number;
  /** Seconds outside that stretch: the first evaluation, and the final one on all training and test images. */
  fixedSeconds: number;
  /** The exercise's iterations: measured when {@link fullRun}, else fixedSeconds + loopMsPerIteration · specIterations. */
  fullRunSeconds: number;
  /** Training accuracy below {@link MNIST_JUDGEMENT}'s bar. */
  underfits: boolean;
  /** Gap above {@link MNIST_JUDGEMENT}'s bar. */
  largeGap: boolean;
  /** Final test loss above its lowest by more than {@link MNIST_JUDGEMENT}'s share. */
  lossRising: boolean;
  /** The evaluations every 100th iteration. */
  curve: { iteration: number[]; batchAccuracy: number[]; testAccuracy: number[] };
  /** `[true][predicted]` test counts. */
  confusion: number[][];
  /** The off-diagonal cells with a count, most first (then by true, predicted digit). */
  confusions: MnistConfusion[];
  /** The digit recognised least often in the test split. */
  lowestRecall: { digit: number; right: number; size: number };
}

/** A model without a run. */
export interface MnistMissingFacts {
  /** Which network. */
  model: MnistModel;
  /** `(a)`..`(d)`. */
  item: string;
  /** The run directory that does not exist. */
  dir: string;
}

/** Every number of the report. */
export interface MnistReportFacts {
  /** The trained runs, in the exercise's order. */
  trained: MnistModelFacts[];
  /** The models without a run, in the exercise's order. */
  missing: MnistMissingFacts[];
  /** Every model in the exercise's order, trained or not. */
  all: (MnistModelFacts | MnistMissingFacts)[];
  /** The run with the highest test accuracy (the earlier item on ties). */
  best?: MnistModelFacts;
  /** The data: the runs' split (the spec's when none is trained) and the images' source. */
  data: { trainSize: number; testSize: number; batchSize: number; source?: string };
}

/** The files of the report: report.md, and the figures when a model is trained. */
export interface MnistReportFiles {
  /** The text, answering item (e). */
  "report.md": string;
  /** Every trained run's training and test accuracy over the iterations. */
  "accuracy.svg"?: string;
  /** The best run's test confusion matrix. */
  "confusion.svg"?: string;
}

const itemOf = (model: MnistModel) => `(${String.fromCharCode(97 + MNIST_MODELS.indexOf(model))})`;
const isTrained = (m: MnistModelFacts | MnistMissingFacts): m is MnistModelFacts => "iterations" in m;

/**
 * Computes every number of the report from the runs' files.
 *
 * @param input One entry per model, with its files when trained.
 * @returns The facts.
 * @throws {TypeError} An unknown option.
 * @throws {RangeError} A model listed twice or not at all, a run directory holding another model, or a
 *   history without evaluations.
 */
export function mnistReportFacts(input: MnistReportInput): MnistReportFacts {
  for (const key of Object.keys(input)) {
    if (key !== "runs") throw new TypeError(`Unknown MNIST report option "${key}"`);
  }
  const given = input.runs.map((r) => r.model);
  if (given.length !== MNIST_MODELS.length || MNIST_MODELS.some((m) => !given.includes(m))) {
    throw new RangeError(
      `MNIST report needs one entry per model (${MNIST_MODELS.join(", ")}), got ${given.join(", ")}`,
    );
  }
  const all = MNIST_MODELS.map((model) => {
    const run = input.runs.find((r) => r.model === model)!;
    return run.files ? modelFacts(run.dir, model, run.files) : { model, item: itemOf(model), dir: run.dir };
  });
  const trained = all.filter(isTrained);
  const best = trained.reduce<MnistModelFacts | undefined>(
    (b, m) => (b === undefined || m.testAccuracy > b.testAccuracy ? m : b),
    undefined,
  );
  const first = trained[0];
  return {
    trained,
    missing: all.filter((m): m is MnistMissingFacts => !isTrained(m)),
    all,
    best,
    data: {
      trainSize: first?.trainSize ?? H61.data.trainSize,
      testSize: first?.testSize ?? H61.data.testSize,
      batchSize: first?.batchSize ?? H61.batchSize,
      source: input.runs.find((r) => r.model === first?.model)?.files?.metrics.data.source,
    },
  };
}

function modelFacts(dir: string, model: MnistModel, files: MnistRunFiles): MnistModelFacts {
  const { metrics, history } = files;
  const config = metrics.config;
  if (config.model !== model) {
    throw new RangeError(`Run directory ${dir} holds a ${config.model} run, not a ${model} run`);
  }
  const evaluations = history.evaluations;
  if (evaluations.length === 0) throw new RangeError(`Run directory ${dir} has no evaluations in history.json`);
  const spec = defaultMnistConfig(model);
  const epochsOf = (iterations: number, images: number) => (iterations * config.batchSize) / images;
  let min = evaluations[0];
  let top = evaluations[0];
  for (const e of evaluations) {
    if (e.testLoss < min.testLoss) min = e;
    if (e.testAccuracy > top.testAccuracy) top = e;
  }
  const first = evaluations[0];
  const last = evaluations[evaluations.length - 1];
  const finalTestLoss = last.testLoss;
  const lossRise = finalTestLoss / min.testLoss - 1;
  const gap = metrics.train.accuracy - metrics.test.accuracy;
  const p = metrics.test.accuracy;
  const confusion = metrics.test.confusion;
  const confusions: MnistConfusion[] = [];
  confusion.forEach((row, t) =>
    row.forEach((count, q) => {
      if (t !== q && count > 0) confusions.push({ true: t, predicted: q, count });
    })
  );
  confusions.sort((a, b) => b.count - a.count || a.true - b.true || a.predicted - b.predicted);
  const recalls = confusion.map((row, digit) => ({ digit, right: row[digit], size: row.reduce((s, n) => s + n, 0) }));
  const lowestRecall = recalls.reduce((lo, r) => (r.right * lo.size < lo.right * r.size ? r : lo));
  const msPerIteration = (1000 * metrics.seconds) / config.iterations;
  const loopMsPerIteration = (1000 * (last.seconds - first.seconds)) / Math.max(1, last.iteration - first.iteration);
  const fixedSeconds = first.seconds + (metrics.seconds - last.seconds);
  const fullRun = config.iterations === spec.iterations;
  return {
    model,
    item: itemOf(model),
    dir,
    iterations: config.iterations,
    specIterations: spec.iterations,
    fullRun,
    batchSize: config.batchSize,
    trainSize: config.trainSize,
    testSize: config.testSize,
    epochs: epochsOf(config.iterations, config.trainSize),
    exerciseEpochs: epochsOf(config.iterations, EXERCISE_MNIST.trainImages),
    biasInit: config.biasInit,
    exerciseBiasInit: spec.biasInit,
    biasAsExercise: config.biasInit === spec.biasInit,
    parameters: metrics.parameters,
    layers: countMnistParams(config).layers,
    parametersPerImage: metrics.parameters / config.trainSize,
    trainAccuracy: metrics.train.accuracy,
    testAccuracy: p,
    gap,
    testStandardError: Math.sqrt((p * (1 - p)) / metrics.test.size),
    minTestLoss: { value: min.testLoss, iteration: min.iteration, epochs: epochsOf(min.iteration, config.trainSize) },
    finalTestLoss,
    lossRise,
    bestTestAccuracy: { value: top.testAccuracy, iteration: top.iteration },
    seconds: metrics.seconds,
    msPerIteration,
    loopMsPerIteration,
    fixedSeconds,
    fullRunSeconds: fullRun ? metrics.seconds : fixedSeconds + (loopMsPerIteration * spec.iterations) / 1000,
    underfits: metrics.train.accuracy < MNIST_JUDGEMENT.underfitTrainAccuracy,
    largeGap: gap > MNIST_JUDGEMENT.largeGap,
    lossRising: lossRise > MNIST_JUDGEMENT.lossRise,
    curve: {
      iteration: evaluations.map((e) => e.iteration),
      batchAccuracy: evaluations.map((e) => e.batchAccuracy),
      testAccuracy: evaluations.map((e) => e.testAccuracy),
    },
    confusion,
    confusions,
    lowestRecall,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// figures

/** One colour per model, in the exercise's order (the LSTM report's palette). */
const MODEL_COLORS: Record<MnistModel, string> = {
  linear: "#1f77b4",
  mlp: "#d62728",
  "mlp-dropout": "#2ca02c",
  cnn: "#9467bd",
};
/** The accuracy figure's panels: all of it, and the top band, taller so that its legend stays below the curves. */
const PANEL = { width: 720, height: 420, zoomHeight: 560 } as const;

const label = (m: { model: MnistModel; item: string }) => `${m.model} ${m.item}`;

/**
 * Training and test accuracy of every trained run over the iterations: all of it, then (when the runs
 * learned) the top band, with lower values drawn on its bottom edge. Two lineChart panels in one SVG.
 */
function accuracyFigure(trained: MnistModelFacts[]): string {
  const last = Math.max(...trained.map((m) => m.iterations));
  const learned = trained.map((m) => m.testAccuracy).filter((a) => a >= 0.5);
  // the zoom's floor: in 5-point steps, 8 points below the weakest final test accuracy that learned, so that the
  // legend (bottom right, at most a third of the taller panel) stays below the curves
  const floor = learned.length ? Math.min(95, Math.max(0, 5 * Math.floor((100 * Math.min(...learned) - 8) / 5))) : 0;
  const panel = (title: string, lowest: number, height: number) =>
    lineChart({
      title,
      xLabel: "iteration",
      yLabel: "accuracy (%)",
      legend: "bottom-right",
      xDomain: [0, last],
      yDomain: [lowest, 100],
      width: PANEL.width,
      height,
      series: trained.flatMap((m): LineSeries[] => {
        const y = (values: number[]) => values.map((v) => Math.max(lowest, 100 * v));
        return [
          {
            name: `${label(m)} train batch`,
            x: m.curve.iteration,
            y: y(m.curve.batchAccuracy),
            color: MODEL_COLORS[m.model],
            width: 1,
            opacity: 0.6,
            dashed: true,
          },
          { name: `${label(m)} test`, x: m.curve.iteration, y: y(m.curve.testAccuracy), color: MODEL_COLORS[m.model] },
        ];
      }),
    });
  const panels = [panel("Accuracy every 100th iteration: test images, and the last training batch", 0, PANEL.height)];
  if (floor > 0) {
    panels.push(panel(`The top band, ${floor}–100 % (lower values drawn at ${floor} %)`, floor, PANEL.zoomHeight));
  }
  const height = PANEL.height + (floor > 0 ? PANEL.zoomHeight : 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL.width}" height="${height}" viewBox="0 0 ${PANEL.width} ${height}">`,
    ...panels.map((svg, k) => `<g transform="translate(0 ${PANEL.height * k})">\n${svg}</g>`),
    "</svg>",
  ].join("\n") + "\n";
}

/**
 * A K×K confusion matrix (rows: true digit): the diagonal shaded by the row's share right, the other
 * cells by their count against the largest of them. (src/report/svg.ts's confusionHeatmap draws 2×2 only.)
 */
function confusionFigure(m: MnistModelFacts): string {
  const c = m.confusion;
  const K = c.length;
  const size = 40;
  const x0 = 110;
  const y0 = 84;
  const width = x0 + K * size + 30;
  const height = y0 + K * size + 70;
  const maxOff = Math.max(1, ...m.confusions.map((e) => e.count));
  const right = c.reduce((s, row, t) => s + row[t], 0);
  const total = c.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${
      esc(`Test confusion matrix of ${label(m)}, the best run`)
    }</text>`,
    `<text class="x-label" x="${x0 + (K * size) / 2}" y="${y0 - 28}" text-anchor="middle">predicted digit</text>`,
    `<text class="y-label" transform="translate(22 ${
      y0 + (K * size) / 2
    }) rotate(-90)" text-anchor="middle">true digit (images)</text>`,
  ];
  for (let t = 0; t < K; t++) {
    const n = c[t].reduce((a, b) => a + b, 0);
    parts.push(
      `<text x="${x0 + size * t + size / 2}" y="${y0 - 8}" text-anchor="middle">${t}</text>`,
      `<text x="${x0 - 8}" y="${y0 + size * t + size / 2 + 4}" text-anchor="end">${t} (${n})</text>`,
    );
    for (let q = 0; q < K; q++) {
      const count = c[t][q];
      let fill: string;
      let ink = "black";
      if (t === q) {
        const shade = Math.round(245 - 190 * (n ? count / n : 0));
        fill = `rgb(${shade},${shade},255)`;
        if (n && count / n > 0.55) ink = "white";
      } else {
        const shade = Math.round(250 - 170 * (count / maxOff));
        fill = `rgb(255,${shade},${shade})`;
      }
      const x = x0 + size * q;
      const y = y0 + size * t;
      parts.push(
        `<rect class="cell" x="${x}" y="${y}" width="${size}" height="${size}" fill="${fill}" stroke="#999"/>`,
      );
      if (count > 0 || t === q) {
        parts.push(
          `<text x="${x + size / 2}" y="${y + size / 2 + 4}" text-anchor="middle" fill="${ink}">${count}</text>`,
        );
      }
    }
  }
  parts.push(
    `<text x="${width / 2}" y="${y0 + K * size + 30}" text-anchor="middle">${
      esc(`${int(right)} of ${int(total)} test images right (${pct(right / total)}); blank: no image`)
    }</text>`,
    `<text x="${width / 2}" y="${y0 + K * size + 50}" text-anchor="middle">${
      esc(`diagonal: share of the row right; elsewhere: count against the largest, ${maxOff}`)
    }</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------
// text

const int = (n: number) => n.toLocaleString("en");
/** At most `d` decimals, thousands separated: 125, 17.5, 3.8. */
const num = (x: number, d = 1) => Number(x.toFixed(d)).toLocaleString("en", { maximumFractionDigits: d });
/** Three significant digits: 2.32, 428, 1,230. */
const sig = (x: number) => Number(x.toPrecision(3)).toLocaleString("en");
const points = (share: number) => `${(100 * share).toFixed(2)} points`;
const signed = (x: number) => (x < 0 ? `−${-x}` : String(x));
const loss = (x: number) => x.toFixed(4);

/** Seconds as `23.2 s`, `2 min 8 s` or `4 h 10 min`. */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) {
    const s = Math.round(seconds);
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A list in words: `a`, `a and b`, `a, b and c`. */
function list(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function bias(m: MnistModelFacts): string {
  return m.biasAsExercise
    ? `${signed(m.biasInit)} (the exercise's)`
    : `${signed(m.biasInit)} (deviation; the exercise's ${signed(m.exerciseBiasInit)})`;
}

function notTrained(m: MnistMissingFacts, columns: number): string {
  return `| ${label(m)} | not trained |${" – |".repeat(columns - 2)}`;
}

/** The judgement of one run, with its numbers. */
function judgement(m: MnistModelFacts, f: MnistReportFacts): string {
  const J = MNIST_JUDGEMENT;
  const verdict = m.underfits && m.lossRising
    ? "underfits and overfits"
    : m.underfits
    ? "underfits"
    : m.lossRising
    ? "overfits"
    : "neither underfits nor overfits by these rules";
  const short = m.fullRun ? "" : ` (a short run: ${int(m.iterations)} of ${int(m.specIterations)} iterations)`;
  const sentences = [
    `**${label(m)}**${short} ${verdict}. Training accuracy ${pct(m.trainAccuracy)}, test ${
      pct(m.testAccuracy)
    }: a gap of ${points(m.gap)}; ` +
    (m.minTestLoss.iteration === m.iterations
      ? `the test loss was lowest at the end, ${loss(m.finalTestLoss)} (iteration ${int(m.iterations)}, ${
        num(m.epochs)
      } passes over the training set)`
      : `the test loss was lowest, ${loss(m.minTestLoss.value)}, at iteration ${int(m.minTestLoss.iteration)} (${
        num(m.minTestLoss.epochs)
      } passes over the training set) and ended ${pct(m.lossRise, 1)} higher, at ${loss(m.finalTestLoss)}`) +
    `; the best test accuracy was ${pct(m.bestTestAccuracy.value)} at iteration ${int(m.bestTestAccuracy.iteration)}.`,
  ];
  if (m.underfits) {
    sentences.push(
      `With ${int(m.parameters)} parameters (${num(m.parametersPerImage, 2)} per training image) it does not fit ` +
        `even the ${int(m.trainSize)} images it learns from.`,
    );
  }
  if (m.lossRising && m.largeGap) {
    sentences.push(
      `Its test loss bottomed out after ${num(m.minTestLoss.epochs)} passes over the ${int(f.data.trainSize)} ` +
        `training images; the exercise's ${int(m.specIterations)} iterations would be ${
          num((m.specIterations * m.batchSize) / EXERCISE_MNIST.trainImages)
        } passes over ${int(EXERCISE_MNIST.trainImages)}.`,
    );
  } else if (m.lossRising) {
    sentences.push(
      `Its test accuracy holds (a gap of ${points(m.gap)}) while its test loss rises after ${
        num(m.minTestLoss.epochs)
      } passes: it grows more confident on the test images it gets wrong.`,
    );
  } else if (m.largeGap) {
    sentences.push(
      `Its gap is large, but its test loss ended within ${pct(J.lossRise, 0)} of its lowest: no sign yet that more ` +
        `iterations hurt.`,
    );
  }
  return `- ${sentences.join(" ")}`;
}

/** A comparison of two runs' test accuracies, with two standard errors of their difference. */
function accuracyDifference(a: MnistModelFacts, b: MnistModelFacts): string {
  const d = b.testAccuracy - a.testAccuracy;
  const se2 = 2 * Math.hypot(a.testStandardError, b.testStandardError);
  return `test accuracy ${pct(a.testAccuracy)} → ${pct(b.testAccuracy)} (${d >= 0 ? "+" : "−"}${
    points(Math.abs(d))
  }; two standard errors of the difference: ${points(se2)}${
    Math.abs(d) <= se2 ? `, so ${int(a.testSize)} test images cannot tell them apart` : ""
  })`;
}

function missingPhrase(missing: MnistMissingFacts[]): string {
  return `${list(missing.map(label))} ${missing.length === 1 ? "is" : "are"} not trained yet`;
}

function regularisationSection(f: MnistReportFacts): string[] {
  const by = (model: MnistModel) => f.all.find((m) => m.model === model)!;
  const mlp = by("mlp");
  const dropout = by("mlp-dropout");
  const cnn = by("cnn");
  const lines: string[] = ["## (e) Regularisation against convolution and down-sampling", ""];
  const shortNote = (ms: MnistModelFacts[]) => {
    const short = ms.filter((m) => !m.fullRun);
    return short.length ? ` (${list(short.map(label))}: ${short.length === 1 ? "a short run" : "short runs"})` : "";
  };
  if (isTrained(mlp) && isTrained(dropout)) {
    lines.push(
      `Dropout (c) against the plain MLP (b)${shortNote([mlp, dropout])}: the same ${
        int(dropout.parameters)
      } parameters; the gap ${points(mlp.gap)} → ${points(dropout.gap)}, the final test loss ${
        pct(mlp.lossRise, 1)
      } → ${pct(dropout.lossRise, 1)} above its lowest, the ${accuracyDifference(mlp, dropout)}.`,
    );
  } else {
    lines.push(
      `Dropout (c) against the plain MLP (b): ${
        missingPhrase([mlp, dropout].filter((m): m is MnistMissingFacts => !isTrained(m)))
      }.`,
    );
  }
  lines.push("");
  const mlps = [mlp, dropout].filter(isTrained);
  if (isTrained(cnn) && mlps.length) {
    const conv = cnn.layers.filter((l) => l.name.startsWith("conv"));
    const filters = conv.length;
    const side = H61.imageSide / H61.cnn.poolStride ** filters;
    const features = cnn.layers[cnn.layers.length - 1].count / H61.classes - 1;
    const ref = mlps[0];
    lines.push(
      `Convolution and down-sampling (d) against the MLPs${shortNote([cnn, ...mlps])}: the CNN has ${
        int(cnn.parameters)
      } parameters (${list(cnn.layers.map((l) => `${l.name} ${int(l.count)}`))}), ${
        Math.round(ref.parameters / cnn.parameters)
      } times fewer than the MLP's ${int(ref.parameters)}. Each ${H61.cnn.kernelSize}×${H61.cnn.kernelSize} kernel ` +
        `is shared by every position of its feature map, and ${
          ["no", "one", "two", "three"][filters] ?? filters
        } poolings of ${H61.cnn.poolSize}×${H61.cnn.poolSize} ` +
        `shrink ${H61.imageSide}×${H61.imageSide} to ${side}×${side}, so the output layer sees ${int(features)} ` +
        `features: the network is built to find the same stroke anywhere, which a fully connected layer must learn ` +
        `at each position anew. With no explicit regularisation its gap is ${points(cnn.gap)} against ${
          list(mlps.map((m) => `${points(m.gap)} for ${label(m)}`))
        }, its final test loss ${pct(cnn.lossRise, 1)} above its lowest against ${
          list(mlps.map((m) => `${pct(m.lossRise, 1)}`))
        }; ${list(mlps.map((m) => `against ${label(m)}: ${accuracyDifference(m, cnn)}`))}.`,
    );
  } else {
    const absent = [cnn, ...(mlps.length ? [] : [mlp, dropout])].filter((m): m is MnistMissingFacts => !isTrained(m));
    lines.push(`Convolution and down-sampling (d) against the MLPs: ${missingPhrase(absent)}.`);
  }
  lines.push("");
  if (f.trained.length > 1) {
    const smallestGap = f.trained.reduce((a, m) => (m.gap < a.gap ? m : a));
    lines.push(
      `Among the trained runs the highest test accuracy is ${label(f.best!)}'s, ${pct(f.best!.testAccuracy)}; ` +
        `the smallest gap ${label(smallestGap)}'s, ${points(smallestGap.gap)}.`,
      "",
    );
  }
  return lines;
}

function parametersSection(f: MnistReportFacts): string[] {
  const lines = [
    "## (e) Parameters against accuracy",
    "",
    "| model (item) | parameters | per training image | test accuracy | gap |",
    "|---|---:|---:|---:|---:|",
    ...f.all.map((m) =>
      isTrained(m)
        ? `| ${label(m)} | ${int(m.parameters)} | ${num(m.parametersPerImage, 2)} | ${pct(m.testAccuracy)} | ${
          points(m.gap)
        } |`
        : notTrained(m, 5)
    ),
    "",
  ];
  if (f.trained.length > 1) {
    const most = f.trained.reduce((a, m) => (m.parameters > a.parameters ? m : a));
    const best = f.best!;
    lines.push(
      best === most
        ? `The run with the most parameters, ${label(most)} (${int(most.parameters)}), also has the highest test ` +
          `accuracy, ${pct(best.testAccuracy)}.`
        : `${label(best)} reaches the highest test accuracy, ${pct(best.testAccuracy)}, with ${
          Math.round(most.parameters / best.parameters)
        } times fewer parameters than ${label(most)} (${int(best.parameters)} against ${
          int(most.parameters)
        }, whose test accuracy is ${pct(most.testAccuracy)}): how many parameters a network has says less than how ` +
          `they are arranged.`,
      "",
    );
  }
  return lines;
}

function speedSection(f: MnistReportFacts): string[] {
  return [
    "## Speed",
    "",
    "| model (item) | iterations run | wall clock | ms per iteration | full run (the exercise's iterations) |",
    "|---|---:|---:|---:|---|",
    ...f.all.map((m) =>
      isTrained(m)
        ? `| ${label(m)} | ${int(m.iterations)} | ${duration(m.seconds)} | ${sig(m.msPerIteration)} | ${
          duration(m.fullRunSeconds)
        }, ${
          m.fullRun
            ? "measured"
            : `estimated (${int(m.specIterations)} × ${sig(m.loopMsPerIteration)} ms + ${m.fixedSeconds.toFixed(1)} s)`
        } |`
        : notTrained(m, 5)
    ),
    "",
    `Milliseconds per iteration are the wall-clock seconds metrics.json records divided by the iterations: ` +
    `training, plus an evaluation on the ${int(f.data.testSize)} test images every ${H61.evaluateEvery}th iteration ` +
    `and a final one on all images, on tfjs's WASM backend in one thread, beside whatever else the machine ran; a ` +
    `resumed run adds up its parts. A short run's full-run time is estimated from history.json: the time per ` +
    `iteration between its first and last evaluation, times the exercise's iterations, plus the seconds outside that ` +
    `stretch (the first evaluation and the final one).`,
    "",
  ];
}

/** The standard errors √(p(1 − p)/n) of the trained runs' test accuracies on n images, as `0.19 to 0.69 points`. */
function standardErrors(f: MnistReportFacts, n: number): string {
  const se = f.trained.map((m) => Math.sqrt((m.testAccuracy * (1 - m.testAccuracy)) / n));
  const [lo, hi] = [Math.min(...se), Math.max(...se)];
  return points(lo) === points(hi) ? points(lo) : `${(100 * lo).toFixed(2)} to ${points(hi)}`;
}

/** How much less exactly the small test split measures, at the test accuracies of the trained runs. */
function testSplitNote(f: MnistReportFacts): string {
  if (!f.trained.length) return "";
  return ` The test split is small too: at the test accuracies here, one standard error is ${
    standardErrors(f, f.data.testSize)
  } on ${int(f.data.testSize)} images; on the exercise's ${int(EXERCISE_MNIST.testImages)} it would be ${
    standardErrors(f, EXERCISE_MNIST.testImages)
  }.`;
}

/**
 * Writes report.md from the facts.
 *
 * @param f The facts.
 * @returns Markdown text.
 */
function reportMarkdown(f: MnistReportFacts): string {
  const { trainSize, testSize, batchSize } = f.data;
  const lines: string[] = [
    "# Exercise H6.1 (MNIST), item (e): the four classifiers compared",
    "",
    "Generated by `scripts/mnist_report.ts` (`deno task mnist-report`) from each run directory's metrics.json and " +
    "history.json; every number below is computed from those files.",
    "",
    `Trained: ${f.trained.length ? list(f.trained.map(label)) : "none yet"}.` +
    (f.missing.length
      ? ` Not trained yet: ${
        list(f.missing.map((m) => `${label(m)} (no run in \`${m.dir}\`)`))
      }. Nothing is estimated or filled in for a model without a run.`
      : ""),
    "",
    "## The runs",
    "",
    "| model (item) | run directory | iterations | passes over the training set | bias init | parameters | " +
    "train accuracy | test accuracy | gap (train − test) | lowest test loss (iteration) | final test loss |",
    "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ...f.all.map((m) =>
      isTrained(m)
        ? `| ${label(m)} | \`${m.dir}\` | ${
          m.fullRun ? int(m.iterations) : `${int(m.iterations)} of ${int(m.specIterations)}`
        } | ${num(m.epochs)} | ${bias(m)} | ${int(m.parameters)} | ${pct(m.trainAccuracy)} | ${pct(m.testAccuracy)} | ${
          points(m.gap)
        } | ${loss(m.minTestLoss.value)} (${int(m.minTestLoss.iteration)}) | ${loss(m.finalTestLoss)} |`
        : notTrained(m, 11)
    ),
    "",
  ];
  if (f.trained.length) {
    lines.push(
      `Training accuracy is measured after the last update on all ${int(trainSize)} training images, test accuracy ` +
        `on the ${int(testSize)} test images; a test accuracy p on n images has a standard error of √(p(1 − p)/n), ` +
        `here ${standardErrors(f, testSize)}.`,
      "",
    );
  }
  for (const m of f.trained.filter((m) => !m.fullRun)) {
    lines.push(
      `${label(m)} is a short run: ${int(m.iterations)} of the exercise's ${
        int(m.specIterations)
      } iterations; its figures describe that run, not the exercise's.`,
      "",
    );
  }
  const deviating = f.trained.filter((m) => !m.biasAsExercise);
  if (deviating.length) {
    const value = deviating[0].biasInit;
    const who = deviating.every((m) => m.biasInit === value)
      ? `${list(deviating.map(label))} started every bias at ${signed(value)}`
      : `${list(deviating.map((m) => `${label(m)} at ${signed(m.biasInit)}`))} started every bias`;
    lines.push(
      `${who}, not at the exercise's ${signed(deviating[0].exerciseBiasInit)}: the project's stated deviation ` +
        `(\`--bias-init\`). ` +
        `With the exercise's bias and weights of sd ${H61.init.sd}, the MLP's hidden layers 2 and 3 and the CNN's ` +
        `convolutions output only zeros at the start, so nothing but the output bias learns (README, "Exercise H6.1").`,
      "",
    );
  }
  if (f.trained.length) {
    lines.push(
      "![accuracy](accuracy.svg)",
      "",
      `Solid: accuracy on the ${int(testSize)} test images; dashed: on the last training batch of ${batchSize} ` +
        `(after the update, without dropout); both every ${H61.evaluateEvery}th iteration.`,
      "",
    );
  }

  // (e) under- and overfitting, with the data size as part of the answer
  const ratio = EXERCISE_MNIST.trainImages / trainSize;
  lines.push(
    "## (e) Under- and overfitting",
    "",
    `The data is smaller than the exercise's. The runs train on ${int(trainSize)} and test on ${int(testSize)} ` +
      `images${f.data.source ? ` (source: ${f.data.source})` : ""}; the exercise has MNIST's ${
        int(EXERCISE_MNIST.totalImages)
      }, of which TensorFlow's tutorial loader of its hint trains on ${int(EXERCISE_MNIST.trainImages)} and tests on ${
        int(EXERCISE_MNIST.testImages)
      }. At ${batchSize} images per iteration one pass over the training set takes ${
        num(trainSize / batchSize)
      } iterations here and ${num(EXERCISE_MNIST.trainImages / batchSize)} there, so the exercise's iterations are ${
        num(ratio)
      } times as many passes here:`,
    "",
    `| model (item) | the exercise's iterations | passes over ${int(trainSize)} images | passes over ${
      int(EXERCISE_MNIST.trainImages)
    } images |`,
    "|---|---:|---:|---:|",
    ...MNIST_MODELS.map((model) => {
      const n = defaultMnistConfig(model).iterations;
      return `| ${model} ${itemOf(model)} | ${int(n)} | ${num((n * batchSize) / trainSize)} | ${
        num((n * batchSize) / EXERCISE_MNIST.trainImages)
      } |`;
    }),
    "",
    `Every training image is seen that many times, and a network with more parameters than there are images can ` +
      `learn them by heart: overfitting comes sooner here than on the exercise's data, and part of what follows is ` +
      `the data's doing, not the networks'.${testSplitNote(f)}`,
    "",
    `The rules applied: a run *underfits* when its final training accuracy stays below ${
      pct(MNIST_JUDGEMENT.underfitTrainAccuracy)
    } (it does not fit even the images it learns from); it *overfits* when its final test loss lies more than ${
      pct(MNIST_JUDGEMENT.lossRise, 0)
    } above the lowest of its evaluations (later iterations made its test predictions worse); a gap above ${
      points(MNIST_JUDGEMENT.largeGap)
    } counts as large.`,
    "",
    ...(f.trained.length ? f.trained.map((m) => judgement(m, f)) : ["No model is trained yet."]),
    ...(f.missing.length ? [`- ${missingPhrase(f.missing)}.`] : []),
    "",
  );

  lines.push(...regularisationSection(f), ...parametersSection(f));

  if (f.best) {
    const b = f.best;
    const right = b.confusion.reduce((s, row, t) => s + row[t], 0);
    const r = b.lowestRecall;
    lines.push(
      "## The best run's confusion matrix",
      "",
      `${label(b)} has the highest test accuracy, ${pct(b.testAccuracy)} (${int(right)} of ${
        int(b.testSize)
      }; ties go to the earlier item). ${
        b.confusions.length
          ? `Its most frequent confusions (true → predicted): ${
            b.confusions.slice(0, 3).map((c) => `${c.true} → ${c.predicted} (${c.count})`).join(", ")
          }. `
          : "It confuses no digit. "
      }Its lowest recall: digit ${r.digit}, ${pct(r.right / r.size)} (${r.right} of ${r.size}).`,
      "",
      "![confusion](confusion.svg)",
      "",
    );
  }
  lines.push(...speedSection(f));
  return lines.join("\n");
}

/**
 * Builds report.md, and accuracy.svg and confusion.svg when a model is trained.
 *
 * @param input One entry per model of H6.1, with its run's parsed files when it was trained.
 * @returns File names and their text; the same input gives the same bytes.
 * @throws {TypeError|RangeError} See {@link mnistReportFacts}.
 */
export function buildMnistReport(input: MnistReportInput): MnistReportFiles {
  const facts = mnistReportFacts(input);
  const files: MnistReportFiles = { "report.md": reportMarkdown(facts) };
  if (facts.best) {
    files["accuracy.svg"] = accuracyFigure(facts.trained);
    files["confusion.svg"] = confusionFigure(facts.best);
  }
  return files;
}
