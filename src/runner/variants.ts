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
  flipClasses,
} from "../core/metrics.ts";
import { runName, type RunSpec } from "../core/plan.ts";
import { type BoundarySet, makeBoundarySet, scoreBoundary } from "../core/boundary.ts";
import { deriveSeed } from "../core/rng.ts";
import type { tf } from "../train/backend.ts";
import { type SumLineCut, sumLineCutoff, thresholdFacts } from "../core/cutoff.ts";
import { logitFit } from "../core/diagnosis.ts";
import { type BoundaryEpoch, RUN_FORMAT, type RunRecord } from "./record.ts";

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
        sumLineCut: {
          ...line,
          boundary: {
            justBelow: atLine.justBelow,
            atThreshold: atLine.atThreshold,
            band: atLine.band,
            effectiveThreshold: atLine.effectiveThreshold,
          },
        },
      }
      : {}),
    history: result.history.epochs.map((e) => ({ ...e })),
    seconds: (performance.now() - started) / 1000,
  };
}
