/**
 * The class-imbalance study (deliverable 2): the same seed and data, five ways to treat the
 * 1.2 % minority, all scored on the natural validation split so that the numbers compare.
 * @module
 */
import { loadTfjsModel } from "../train/save.ts";
import { readModelDir } from "../model_dir/model_dir.ts";
import { predictSplit, type Progress, train } from "../train/train.ts";
import { type Dataset, makeDataset, type Split } from "../core/dataset.ts";
import { variantData } from "../runner/variants.ts";
import { PLAN_BASE, type RunVariant } from "../core/plan.ts";
import {
  accuracy,
  averagePrecision,
  balancedAccuracy,
  confusion,
  flipClasses,
  mcc,
  rocAuc,
  specificity,
} from "../core/metrics.ts";
import { BASELINE_CHOICES, configDifferences, resolveConfig, type TrainConfig } from "../core/spec.ts";
import type { StudyProbabilities, VariantName } from "./variants.ts";

import type { StudyScoresRecord } from "../model_dir/study.ts";
export { type StudyProbabilities, VARIANT_NAMES, type VariantName } from "./variants.ts";

/** The measures the study reports for one variant on one split (results.json's schema owns them). */
export type StudyScores = StudyScoresRecord;

/** One variant's result. */
export interface StudyVariant {
  name: VariantName;
  description: string;
  trainSize: number;
  trainNegatives: number;
  classWeights?: [number, number];
  /** Scores on the natural validation split. */
  validation: StudyScores;
  /** Scores on the variant's own validation split, when it has one (the balanced draw). */
  ownValidation?: StudyScores;
  seconds: number;
}

/** results.json of the study. */
export interface StudyResults {
  seed: number;
  epochs: number;
  naturalValidation: { size: number; negatives: number };
  variants: StudyVariant[];
}

/**
 * Scores probabilities on a split.
 *
 * @param split The true classes.
 * @param p P(class 1) per series.
 * @returns Every measure of the study.
 */
export function scoreSplit(split: Split, p: ArrayLike<number>): StudyScores {
  const c = confusion(split.y, p);
  const class0 = flipClasses(split.y, p);
  return {
    accuracy: accuracy(c),
    balancedAccuracy: balancedAccuracy(c),
    specificity: specificity(c),
    mcc: mcc(c),
    rocAuc: rocAuc(split.y, p),
    prAuc: averagePrecision(split.y, p),
    prAucClass0: averagePrecision(class0.y, class0.p),
    confusion: c,
  };
}

/** Options of {@link runStudy}. */
export interface StudyOptions {
  seed: number;
  epochs: number;
  /** A trained spec model to reuse for variant 1 when its seed and epochs match. */
  reuseDir?: string;
  /** Told which variant starts. */
  onVariant?: (name: VariantName) => void;
  /** Training progress of the running variant. */
  onProgress?: (p: Progress) => void;
}

/**
 * Trains and scores the five variants.
 *
 * @param options Seed, epochs, an optional model to reuse and progress callbacks.
 * @returns The results and, per variant, the natural-validation probabilities.
 */
export async function runStudy(
  options: StudyOptions,
): Promise<{ results: StudyResults; probabilities: StudyProbabilities }> {
  const { seed, epochs } = options;
  const base = studyConfig(seed, epochs);
  const natural = makeDataset({ seed });
  const variants: StudyVariant[] = [];
  const probabilities: StudyProbabilities = {};

  const record = (
    name: VariantName,
    description: string,
    p: Float32Array | number[],
    extra: Partial<StudyVariant> & { train: Split; seconds: number },
  ) => {
    const { train: split, ...rest } = extra;
    probabilities[name] = Array.from(p, (v) => Number(v.toPrecision(7)));
    variants.push({
      name,
      description,
      trainSize: split.size,
      trainNegatives: split.negatives,
      validation: scoreSplit(natural.validation, p),
      ...rest,
    });
  };

  const fit = async (config: Partial<TrainConfig>, data?: Dataset, classWeights?: [number, number]) => {
    const started = performance.now();
    const result = await train({ config: { ...base, ...config }, data, classWeights, onProgress: options.onProgress });
    const p = predictSplit(result.model, natural.validation, result.metrics.config);
    return { result, p, seconds: (performance.now() - started) / 1000 };
  };

  // 1. the plain spec
  options.onVariant?.("spec");
  const reuse = options.reuseDir ? await tryReuse(options.reuseDir, base) : undefined;
  if (reuse) {
    record("spec", `the exercise as specified (the model in ${options.reuseDir})`, reuse.p, {
      train: natural.train,
      seconds: reuse.seconds,
    });
  } else {
    const spec = await fit({});
    record("spec", "the exercise as specified", spec.p, { train: natural.train, seconds: spec.seconds });
    spec.result.model.dispose();
  }

  // the treatments' data and loss weights, as the experiment runner makes them
  const treatment = (variant: RunVariant) => variantData({ variant, config: base }, natural);

  // 2. class-weighted binary cross-entropy, weights n / (2·n_class) ("balanced")
  options.onVariant?.("class-weighted");
  const weights = treatment("class-weighted").classWeights!;
  const weighted = await fit({}, undefined, weights);
  record("class-weighted", "binary cross-entropy weighted n / (2·n_class) per class", weighted.p, {
    train: natural.train,
    classWeights: weights,
    seconds: weighted.seconds,
  });
  weighted.result.model.dispose();

  // 3. a balanced data set: 5,000 series per class, drawn by rejection
  options.onVariant?.("balanced-data");
  const balanced = treatment("balanced-data").data;
  const bal = await fit({}, balanced);
  const ownP = predictSplit(bal.result.model, balanced.validation, bal.result.metrics.config);
  record("balanced-data", "trained on 5,000 + 5,000 series drawn per class by rejection", bal.p, {
    train: balanced.train,
    ownValidation: scoreSplit(balanced.validation, ownP),
    seconds: bal.seconds,
  });
  bal.result.model.dispose();

  // 4. random oversampling of class 0 in the training split
  options.onVariant?.("oversampled");
  const overData = treatment("oversampled").data;
  const over = overData.train;
  const ovr = await fit({ trainSize: over.size }, overData);
  record("oversampled", "class-0 training series repeated at random until both classes are equal", ovr.p, {
    train: over,
    seconds: ovr.seconds,
  });
  ovr.result.model.dispose();

  // 5. the majority-class baseline
  record("majority", "predicts class 1 for every series", new Array(natural.validation.size).fill(1), {
    train: natural.train,
    seconds: 0,
  });

  return {
    results: {
      seed,
      epochs,
      naturalValidation: { size: natural.validation.size, negatives: natural.validation.negatives },
      variants,
    },
    probabilities,
  };
}

/**
 * The config every variant of the study starts from: the spec plan's, with item (e)'s baseline
 * choices ({@link BASELINE_CHOICES}) and the plans' arithmetic ({@link PLAN_BASE}), so that the imbalance plan's
 * paired seeds judge its claims.
 *
 * @param seed The seed of the data, the weights and the order.
 * @param epochs Epochs per variant.
 * @returns The config.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const config = studyConfig(42, 60);
 * assertEquals("forgetBias" in config || "averageFrom" in config || "permuteDigits" in config, false);
 * ```
 */
export function studyConfig(seed: number, epochs: number): Readonly<TrainConfig> {
  return resolveConfig({ ...PLAN_BASE, ...BASELINE_CHOICES, seed, epochs });
}

/** The spec variant from a trained model directory of exactly the study's config; none when the directory is absent or differs. */
async function tryReuse(dir: string, base: TrainConfig) {
  try {
    await Deno.stat(dir);
  } catch {
    return undefined; // no model to reuse
  }
  const { metrics } = await readModelDir(dir); // a broken model directory is an error, not a silent retraining
  const config = metrics.config;
  if (configDifferences(config, base).length) return undefined;
  const model = await loadTfjsModel(dir);
  const p = predictSplit(model, makeDataset({ seed: base.seed }).validation, config);
  model.dispose();
  return { p, seconds: metrics.seconds };
}
