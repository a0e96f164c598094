/**
 * Trains one run of a plan: the spec, or one of the imbalance treatments, on the run's data
 * seed, and scores it on the natural validation split of that data.
 * @module
 */
import { predictSplit, type Progress, train } from "../train/train.ts";
import { type Dataset, datasetFor, seriesSum, type Split } from "../core/dataset.ts";
import { makeBalancedDataset, oversampleClass0 } from "../core/imbalance.ts";
import {
  accuracy,
  averagePrecision,
  binaryCrossEntropy,
  classificationReport,
  confusion,
  DECISION_THRESHOLD,
  flipClasses,
} from "../core/metrics.ts";
import { runName, type RunSpec } from "../core/plan.ts";
import { type BoundaryScores, type BoundarySet, makeBoundarySet, scoreBoundary } from "../core/boundary.ts";
import { deriveSeed } from "../core/rng.ts";
import type { tf } from "../train/backend.ts";
import { type SumLineCut, sumLineCutoff, thresholdFacts, validationAt } from "../core/cutoff.ts";
import { logitFit } from "../core/diagnosis.ts";
import { fixedOrders, ORDER_MEAN_COUNT, orderMeanProbabilities, orderMeanSeed, reorderSeries } from "../core/orders.ts";
import type { TrainConfig } from "../core/spec.ts";
import { type BoundaryEpoch, type CutBoundary, type OrderMeanRecord, RUN_FORMAT, type RunRecord } from "./record.ts";

/** Hooks of {@link trainRun}. */
export interface RunHooks {
  /** Training progress. */
  onProgress?: (p: Progress) => void;
}

/** The training data and loss weights a variant uses, from the natural data of the run. */
export function variantData(
  run: RunSpec,
  natural: Dataset,
): { data: Dataset; classWeights?: [number, number]; trainSize: number } {
  const { config } = run;
  const { dataSeed } = config;
  switch (run.variant) {
    case "spec":
      return { data: natural, trainSize: config.trainSize };
    case "class-weighted": {
      // weights n / (2·n_class), scikit-learn's "balanced"
      const t = natural.train;
      return {
        data: natural,
        classWeights: [t.size / (2 * t.negatives), t.size / (2 * t.positives)],
        trainSize: t.size,
      };
    }
    case "balanced-data": {
      // as many series of each class, drawn by rejection from the same digit distribution
      const perClass = (config.trainSize + config.validationSize) / 2;
      const data = makeBalancedDataset({ seed: dataSeed, perClass, trainSize: config.trainSize });
      return { data, trainSize: data.train.size };
    }
    case "oversampled": {
      const train = oversampleClass0(natural.train, dataSeed);
      return { data: { ...natural, train }, trainSize: train.size };
    }
  }
}

/** Series per sum of the boundary set scored after every epoch. */
export const BOUNDARY_HISTORY_PER_SUM = 20;

/** A boundary set as a split, to score with {@link predictSplit}. */
function splitOf(set: BoundarySet): Split {
  const positives = set.y.reduce((a, b) => a + b, 0);
  return { x: set.x, y: set.y, size: set.y.length, positives, negatives: set.y.length - positives };
}

const sums = (split: Split, T: number) =>
  Array.from({ length: split.size }, (_, i) => seriesSum(split.x.subarray(i * T, (i + 1) * T)));

/** {@link sumLineCutoff} on a training split, or undefined when that split cannot carry the fit (a RangeError of
 * sumLineCutoff); any other error is thrown. */
export function trainingLineCut(
  train: Split,
  seriesLength: number,
  trainP: ArrayLike<number>,
  validationY: ArrayLike<number>,
  validationP: ArrayLike<number>,
): SumLineCut | undefined {
  try {
    return sumLineCutoff(
      { sums: sums(train, seriesLength), labels: train.y, p: trainP },
      { labels: validationY, p: validationP },
    );
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** What a run file keeps of the boundary set scored at one cut-off. */
function boundaryOf(b: BoundaryScores): CutBoundary {
  return { justBelow: b.justBelow, atThreshold: b.atThreshold, band: b.band, effectiveThreshold: b.effectiveThreshold };
}

/**
 * The run's model scored by its order mean ({@link orderMeanProbabilities}): each series' logit averaged over
 * {@link ORDER_MEAN_COUNT} fixed orders of its digits, on the validation split and the boundary set, at the
 * cut-off 0.5 and at the training split's sum line (fitted on the order means of the training series).
 *
 * @param predict P(class 1) of a split's series, as the run's model gives it.
 * @param data The variant's training split, the natural validation split and the boundary set.
 * @param config The series length and label threshold.
 * @param seed The seed of the orders after the first.
 * @returns What the run file records as `orderMean`.
 */
export function orderMeanScores(
  predict: (split: Split) => ArrayLike<number>,
  data: { train: Split; validation: Split; set: BoundarySet },
  config: Pick<TrainConfig, "seriesLength" | "threshold">,
  seed: number,
): OrderMeanRecord {
  const T = config.seriesLength;
  const orders = fixedOrders(ORDER_MEAN_COUNT, T, seed);
  const mean = (split: Split) => {
    const x = reorderSeries(split.x, T, orders);
    const y = new Uint8Array(orders.length * split.size);
    for (let k = 0; k < orders.length; k++) y.set(split.y, k * split.size);
    const p = predict({
      ...split,
      x,
      y,
      size: y.length,
      positives: orders.length * split.positives,
      negatives: orders.length * split.negatives,
    });
    return orderMeanProbabilities(p, orders.length);
  };
  const { train, validation, set } = data;
  const p = mean(validation);
  const boundaryP = mean(splitOf(set));
  const atHalf = scoreBoundary(set, boundaryP, config.threshold);
  const line = trainingLineCut(train, T, mean(train), validation.y, p);
  const atLine = line && scoreBoundary(set, boundaryP, config.threshold, line.cutoff);
  return {
    orders: orders.length,
    seed,
    validation: validationAt(validation.y, p, DECISION_THRESHOLD),
    boundary: boundaryOf(atHalf),
    boundaryFit: logitFit(set.x, T, boundaryP),
    ...(line && atLine ? { sumLineCut: { ...line, boundary: boundaryOf(atLine) } } : {}),
  };
}

/**
 * Trains and scores one run.
 *
 * @param run The run.
 * @param hooks Progress.
 * @returns The run file's content.
 */
export async function trainRun(run: RunSpec, hooks: RunHooks = {}): Promise<RunRecord> {
  const started = performance.now();
  const natural = datasetFor(run.config);
  const { data, classWeights, trainSize } = variantData(run, natural);
  const config = { ...run.config, trainSize };
  // the boundary as it moves over training, on a smaller set drawn apart from the final one
  const probe = makeBoundarySet({
    seed: deriveSeed(run.config.dataSeed, "boundary-history"),
    seriesLength: config.seriesLength,
    threshold: config.threshold,
    perSum: BOUNDARY_HISTORY_PER_SUM,
  });
  const boundaryHistory: BoundaryEpoch[] = [];
  const onEpochEnd = (epoch: number, model: tf.LayersModel) => {
    const s = scoreBoundary(probe, predictSplit(model, splitOf(probe), config), config.threshold);
    boundaryHistory.push({
      epoch,
      justBelow: s.justBelow,
      atThreshold: s.atThreshold,
      band: s.band,
      effectiveThreshold: s.effectiveThreshold,
    });
  };
  const result = await train({ config, data, classWeights, onProgress: hooks.onProgress, onEpochEnd });
  const trainP = predictSplit(result.model, data.train, result.metrics.config);
  const p = predictSplit(result.model, natural.validation, result.metrics.config);
  // the decision boundary, on series drawn exactly at each sum around the threshold
  const set = makeBoundarySet({
    seed: run.config.dataSeed,
    seriesLength: config.seriesLength,
    threshold: config.threshold,
  });
  const boundaryP = predictSplit(result.model, splitOf(set), result.metrics.config);
  const boundary = scoreBoundary(set, boundaryP, config.threshold);
  const boundaryFit = logitFit(set.x, config.seriesLength, boundaryP);
  // the calibration item (e) allows: a cut-off chosen on the training split alone
  const cut = thresholdFacts({ labels: data.train.y, p: trainP }, { labels: natural.validation.y, p });
  const atCut = scoreBoundary(set, boundaryP, config.threshold, cut.cutoff);
  // and the cut-off that centres the model's own trend against the sum, fitted on the training split alone;
  // absent when the split cannot carry the fit (too few series near the boundary, or p not rising with the sum)
  const line = trainingLineCut(data.train, config.seriesLength, trainP, natural.validation.y, p);
  const atLine = line && scoreBoundary(set, boundaryP, config.threshold, line.cutoff);
  // the same model deciding by its mean logit over fixed orders of each series' digits
  const orderMean = orderMeanScores(
    (split) => predictSplit(result.model, split, result.metrics.config),
    { train: data.train, validation: natural.validation, set },
    config,
    orderMeanSeed(run.config.dataSeed),
  );
  result.model.dispose();
  const y = natural.validation.y;
  const class0 = flipClasses(y, p);
  return {
    format: RUN_FORMAT,
    name: runName(run),
    variant: run.variant,
    config: run.config,
    trainData: { size: data.train.size, negatives: data.train.negatives },
    ...(classWeights ? { classWeights } : {}),
    train: { loss: binaryCrossEntropy(data.train.y, trainP), accuracy: accuracy(confusion(data.train.y, trainP)) },
    validation: { ...classificationReport(y, p), prAucClass0: averagePrecision(class0.y, class0.p) },
    validationProbabilities: Array.from(p, (v) => Number(v.toPrecision(7))),
    validationSums: sums(natural.validation, run.config.seriesLength),
    boundary,
    boundaryFit,
    boundaryHistory,
    trainCut: {
      ...cut,
      boundary: { justBelow: atCut.justBelow, atThreshold: atCut.atThreshold, band: atCut.band },
    },
    ...(line && atLine
      ? {
        sumLineCut: { ...line, boundary: boundaryOf(atLine) },
      }
      : {}),
    orderMean,
    history: result.history.epochs.map((e) => ({ ...e })),
    seconds: (performance.now() - started) / 1000,
  };
}
