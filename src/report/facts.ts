/**
 * The report's facts: every number that deliverable 2's text states, computed from the model's
 * records, its validation probabilities, the data and the imbalance study. No formatting here:
 * `markdown.ts` prints these, `figures.ts` draws from the same inputs.
 * @module
 */
import { type Dataset, labelOf, seriesSum } from "../core/dataset.ts";
import { averagePrecision, classificationReport, type Confusion, flipClasses } from "../core/metrics.ts";
import { exactClassPrior, type SumMoments, sumMoments } from "../core/prior.ts";
import { createRng, deriveSeed } from "../core/rng.ts";
import { SPEC, type TrainerName } from "../core/spec.ts";
import type { StudyProbabilities, StudyResults, StudyVariant } from "../study/study.ts";
import type { History, Metrics } from "../train/train.ts";
import { BOUNDARY_BAND } from "../core/boundary.ts";
import type { Diagnosis } from "../core/diagnosis.ts";
import type { PlanSummaries } from "./plans.ts";
import type { BoundaryRecord } from "../model_dir/schema.ts";
import type { RunRecord } from "../runner/record.ts";
import { proportionFacts, type SeedFacts, seedFacts, type ThresholdFacts, thresholdFacts } from "./uncertainty.ts";

/** What the report is built from. */
export interface ReportInput {
  /** The model's metrics.json. */
  metrics: Metrics;
  /** The model's history.json. */
  history: History;
  /** The data the model's config describes. */
  data: Dataset;
  /** The model's P(class 1) on the validation split. */
  probabilities: ArrayLike<number>;
  /** The imbalance study's results.json, when it has run. */
  study?: StudyResults;
  /** The study's probabilities.json: per variant, P(class 1) on the natural validation split. */
  studyProbabilities?: StudyProbabilities;
  /** metrics.json's boundary section, when the model directory records one. */
  boundary?: BoundaryRecord;
  /** Run files of the default config over seeds (`deno task runs --plan default`), when there are any. */
  seedRuns?: readonly RunRecord[];
  /** The model's P(class 1) on the training split, to choose a cut-off on training alone. */
  trainProbabilities?: ArrayLike<number>;
  /** Why the boundary sits where it does ({@link diagnose}), when measured. */
  diagnosis?: Diagnosis;
  /** The runner's plan summaries, each when its run files exist. */
  plans?: PlanSummaries;
}

/** The decision boundary: the model on series drawn exactly at each sum around the threshold. */
export interface BoundaryFacts {
  /** Seed of the boundary set. */
  seed: number;
  /** Series per sum. */
  perSum: number;
  /** The sums, ascending. */
  sums: number[];
  /** Share right, per sum. */
  accuracy: number[];
  /** Mean P(class 1), per sum. */
  meanP: number[];
  /** Accuracy at threshold − 1. */
  justBelow: number;
  /** Accuracy at the threshold. */
  atThreshold: number;
  /** The band's sums, [threshold − BOUNDARY_BAND, threshold + BOUNDARY_BAND]. */
  bandSums: [number, number];
  /** Mean of the per-sum accuracies over the band. */
  band: number;
  /** The sum at which the mean P crosses 0.5 (NaN when it never does). */
  effectiveThreshold: number;
  /** The sum with the lowest accuracy (the first, on a tie) and that accuracy. */
  worst: { sum: number; accuracy: number };
  /** Largest |p_onnx − p_tfjs| on the set. */
  maxAbsDiff: number;
  /** Whether model.onnx and tf.layers make every decision alike on the set. */
  decisionsAgree: boolean;
}

/** Class counts of one split. */
export interface SplitFacts {
  name: "train" | "validation";
  size: number;
  /** Series of class 1. */
  positives: number;
  /** Series of class 0. */
  negatives: number;
  /** negatives / size. */
  class0Share: number;
}

/** The measures the report compares, for one classifier on the validation split. */
export interface ScoreFacts {
  accuracy: number;
  balancedAccuracy: number;
  /** Recall of class 0. */
  specificity: number;
  /** Recall of class 1. */
  recall: number;
  mcc: number;
  /** F1 of class 1. */
  f1: number;
  rocAuc: number;
  /** Average precision with class 0 as the positive class. */
  class0AveragePrecision: number;
}

/** The `np.random.randint(0, digitValues − 1)` pitfall: digits drawn without the largest one. */
export interface PitfallFacts {
  /** Values a digit then takes (one fewer than the spec's). */
  digitValues: number;
  /** The mean sum then. */
  mean: number;
  /** The exact class-0 share then. */
  exactClass0: number;
  /** The class-0 share in `sampled` series drawn that way. */
  sampledClass0: number;
  /** Series drawn. */
  sampled: number;
}

/** How the balanced-data variant does on its own balanced split and on the natural one. */
export interface BalancedFacts {
  ownSize: number;
  ownNegatives: number;
  ownAccuracy: number;
  ownBalancedAccuracy: number;
  naturalAccuracy: number;
  naturalBalancedAccuracy: number;
  /** Class-1 series of the natural split it calls class 0. */
  naturalFalseNegatives: number;
  /** The same count for the spec variant, when the study has it. */
  specFalseNegatives?: number;
}

/** Every number of the report. */
export interface ReportFacts {
  /** The shipped model's proportions with Wilson intervals, the spec over seeds, a cut-off chosen on training. */
  uncertainty: {
    shipped: ReturnType<typeof proportionFacts>;
    seeds?: SeedFacts;
    threshold?: ThresholdFacts;
  };
  /** How the model was trained. */
  run: { trainer: TrainerName; seed: number; epochs: number };
  /** The task: digits per series, values per digit, label threshold. */
  task: { seriesLength: number; digitValues: number; threshold: number };
  /** The exact class prior over all digitValues^seriesLength series. */
  prior: { negatives: bigint; total: bigint; negativeRate: number; positiveRate: number };
  /** The sum's distribution, and how many standard deviations the threshold lies below its mean. */
  sums: SumMoments & { thresholdZ: number };
  /** Class counts of the training and validation splits. */
  splits: SplitFacts[];
  /** Class-0 share of both splits together. */
  sampledClass0Share: number;
  /** Validation confusion of the model. */
  confusion: Confusion;
  /** The model's training accuracy. */
  trainAccuracy: number;
  /** The model on the validation split. */
  model: ScoreFacts;
  /** "Always class 1" on the validation split. */
  majority: ScoreFacts;
  /** The validation loss: its lowest, the epoch of it, and its last value. */
  learning: { bestValLoss: number; bestEpoch: number; finalValLoss: number };
  /** The imbalance study, when it has run. */
  study?: {
    seed: number;
    epochs: number;
    naturalValidation: { size: number; negatives: number };
    variants: StudyVariant[];
    balanced?: BalancedFacts;
  };
  /** The `randint` pitfall. */
  pitfall: PitfallFacts;
  /** The decision boundary, when metrics.json records it. */
  boundary?: BoundaryFacts;
  /** Why the boundary sits where it does, when measured. */
  diagnosis?: Diagnosis;
  /** The runner's plan summaries. */
  plans: PlanSummaries;
}

/**
 * The `np.random.randint(0, 9)` pitfall, as one of the published Keras solutions to the exercise
 * draws its digits: NumPy's upper bound is exclusive, so the largest digit never occurs. Exact and
 * sampled class-0 shares of a series count (`SPEC.seriesCount`) drawn that way.
 *
 * @param seed Seed of the sampled draw.
 * @returns The shares, the digit count and the mean sum of that draw.
 */
export function randintPitfall(seed: number): PitfallFacts {
  const digitValues = SPEC.digitValues - 1;
  const exact = exactClassPrior({ digitValues }).negativeRate;
  const rng = createRng(deriveSeed(seed, "randint-pitfall"));
  const series = new Uint8Array(SPEC.seriesLength);
  let negatives = 0;
  for (let n = 0; n < SPEC.seriesCount; n++) {
    for (let t = 0; t < series.length; t++) series[t] = rng.nextInt(digitValues);
    if (labelOf(seriesSum(series)) === 0) negatives++;
  }
  return {
    digitValues,
    mean: sumMoments({ digitValues }).mean,
    exactClass0: exact,
    sampledClass0: negatives / SPEC.seriesCount,
    sampled: SPEC.seriesCount,
  };
}

/** The measures of {@link ScoreFacts} for probabilities on labels. */
function scoreFacts(labels: ArrayLike<number>, p: ArrayLike<number>): ScoreFacts {
  const r = classificationReport(labels, p);
  const class0 = flipClasses(labels, p);
  return {
    accuracy: r.accuracy,
    balancedAccuracy: r.balancedAccuracy,
    specificity: r.specificity,
    recall: r.recall,
    mcc: r.mcc,
    f1: r.f1,
    rocAuc: r.rocAuc,
    class0AveragePrecision: averagePrecision(class0.y, class0.p),
  };
}

/**
 * Computes every number the report states.
 *
 * @param input The records, data, probabilities and study.
 * @returns The facts.
 */
export function reportFacts(input: ReportInput): ReportFacts {
  const { metrics, history, data, probabilities } = input;
  const { config } = metrics;
  const task = { seriesLength: config.seriesLength, digitValues: SPEC.digitValues, threshold: config.threshold };
  const prior = exactClassPrior(task);
  const moments = sumMoments(task);
  const labels = data.validation.y;
  const v = metrics.validation;
  const best = history.epochs.reduce((b, e) => (e.valLoss < b.valLoss ? e : b), history.epochs[0]);
  const model = scoreFacts(labels, probabilities);
  return {
    run: { trainer: config.trainer, seed: config.seed, epochs: config.epochs },
    task,
    prior: {
      negatives: prior.negatives,
      total: prior.total,
      negativeRate: prior.negativeRate,
      positiveRate: prior.positiveRate,
    },
    sums: { ...moments, thresholdZ: (moments.mean - task.threshold) / moments.sd },
    splits: (["train", "validation"] as const).map((name) => {
      const { size, positives, negatives } = data[name];
      return { name, size, positives, negatives, class0Share: negatives / size };
    }),
    sampledClass0Share: (data.train.negatives + data.validation.negatives) / (data.train.size + data.validation.size),
    confusion: v.confusion,
    trainAccuracy: metrics.train.accuracy,
    model: {
      accuracy: v.accuracy,
      balancedAccuracy: v.balancedAccuracy,
      specificity: v.specificity,
      recall: v.recall,
      mcc: v.mcc,
      f1: v.f1,
      rocAuc: v.rocAuc,
      class0AveragePrecision: model.class0AveragePrecision,
    },
    majority: scoreFacts(labels, new Array(labels.length).fill(1)),
    learning: {
      bestValLoss: best.valLoss,
      bestEpoch: best.epoch,
      finalValLoss: history.epochs[history.epochs.length - 1].valLoss,
    },
    study: input.study && studyFacts(input.study),
    pitfall: randintPitfall(config.seed),
    ...(input.boundary ? { boundary: boundaryFacts(input.boundary, task.threshold) } : {}),
    ...(input.diagnosis ? { diagnosis: input.diagnosis } : {}),
    plans: input.plans ?? {},
    uncertainty: {
      shipped: proportionFacts(labels, input.probabilities),
      seeds: seedFacts(input.seedRuns ?? []),
      threshold: input.trainProbabilities
        ? thresholdFacts(
          { labels: input.data.train.y, p: input.trainProbabilities },
          { labels, p: input.probabilities },
        )
        : undefined,
    },
  };
}

function boundaryFacts(b: BoundaryRecord, threshold: number): BoundaryFacts {
  const worst = b.accuracy.reduce((w, a, k) => (a < b.accuracy[w] ? k : w), 0);
  return {
    seed: b.seed,
    perSum: b.perSum,
    sums: [...b.sums],
    accuracy: [...b.accuracy],
    meanP: [...b.meanP],
    justBelow: b.justBelow,
    atThreshold: b.atThreshold,
    bandSums: [threshold - BOUNDARY_BAND, threshold + BOUNDARY_BAND],
    band: b.band,
    effectiveThreshold: b.effectiveThreshold,
    worst: { sum: b.sums[worst], accuracy: b.accuracy[worst] },
    maxAbsDiff: b.agreement.maxAbsDiff,
    decisionsAgree: b.agreement.decisionsAgree,
  };
}

function studyFacts(s: StudyResults): ReportFacts["study"] {
  const bal = s.variants.find((x) => x.name === "balanced-data");
  const spec = s.variants.find((x) => x.name === "spec");
  let balanced: BalancedFacts | undefined;
  if (bal?.ownValidation) {
    const own = bal.ownValidation;
    const c = own.confusion;
    balanced = {
      ownSize: c.tp + c.fp + c.tn + c.fn,
      ownNegatives: c.tn + c.fp,
      ownAccuracy: own.accuracy,
      ownBalancedAccuracy: own.balancedAccuracy,
      naturalAccuracy: bal.validation.accuracy,
      naturalBalancedAccuracy: bal.validation.balancedAccuracy,
      naturalFalseNegatives: bal.validation.confusion.fn,
      specFalseNegatives: spec?.validation.confusion.fn,
    };
  }
  return {
    seed: s.seed,
    epochs: s.epochs,
    naturalValidation: s.naturalValidation,
    variants: s.variants,
    balanced,
  };
}
