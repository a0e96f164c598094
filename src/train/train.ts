/**
 * The training loop (items f, g): seeded epoch orders, mini-batches of 50, Adam, and records
 * per batch and per epoch. Progress goes to a callback; nothing here prints.
 * @module
 */
import { initBackend, tf } from "./backend.ts";
import type { Batch, BatchGradients } from "./batch.ts";
import { fastPredict } from "./fast.ts";
import { ParallelGradients } from "./parallel.ts";
import { buildModel, type LstmWeights, modelVariables, WEIGHT_NAMES } from "./model.ts";
import { referenceGradients, referencePredict } from "./reference.ts";
import { type Dataset, datasetFor, epochPermutation, scaleDigits, type Split } from "../core/dataset.ts";
import {
  accuracy,
  binaryCrossEntropy,
  type ClassificationReport,
  classificationReport,
  confusion,
} from "../core/metrics.ts";
import { exactClassPrior } from "../core/prior.ts";
import { type Affine, INPUT_SCALING, resolveConfig, type TrainConfig } from "../core/spec.ts";

/** One epoch's record. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches (as Keras reports it). */
  loss: number;
  /** Mean training accuracy over the epoch's batches. */
  accuracy: number;
  /** Validation loss after the epoch. */
  valLoss: number;
  /** Validation accuracy after the epoch. */
  valAccuracy: number;
  /** Wall-clock seconds of the epoch, validation included. */
  seconds: number;
}

/** history.json: per-epoch records and, as seed 002's LogHistory keeps them, per-batch ones. */
export interface History {
  epochs: EpochRecord[];
  batches: { loss: number[]; accuracy: number[] };
}

/** metrics.json (the ONNX section is added by the export). */
export interface Metrics {
  config: TrainConfig;
  data: {
    train: { size: number; positives: number; negatives: number };
    validation: { size: number; positives: number; negatives: number };
    exactPositiveRate: number;
  };
  train: { loss: number; accuracy: number };
  validation: ClassificationReport;
  parameters: number;
  seconds: number;
}

/** What the loop reports while it runs. */
export type Progress =
  | {
    kind: "batch";
    epoch: number;
    epochs: number;
    batch: number;
    batches: number;
    loss: number;
    accuracy: number;
  }
  | { kind: "epoch"; epochs: number; record: EpochRecord };

/** Options of {@link train}. */
export interface TrainOptions {
  /** Overrides of the spec config (unknown fields are rejected). */
  config?: Partial<TrainConfig>;
  /** Receives progress; optional. */
  onProgress?: (progress: Progress) => void;
  /** Data to train on instead of `makeDataset(config)` (the imbalance study); sizes must match the config. */
  data?: Dataset;
  /** Loss weights of class 0 and class 1 (the imbalance study); the spec's plain mean when omitted. */
  classWeights?: readonly [number, number];
}

/** A trained model with its records. */
export interface TrainResult {
  model: tf.LayersModel;
  history: History;
  metrics: Metrics;
  data: Dataset;
}

/** Takes rows of a split as a batch in the network's input representation. */
export function batchOf(
  split: Split,
  seriesLength: number,
  scaling: Affine,
  rows: ArrayLike<number>,
): Batch {
  return {
    x: scaleDigits(split.x, seriesLength, scaling, rows),
    y: Float32Array.from(rows, (r) => split.y[r]),
    size: rows.length,
    seriesLength,
  };
}

/** Share of series whose decision (p >= 0.5) matches the label. */
const accuracyOf = (y: ArrayLike<number>, p: ArrayLike<number>): number => accuracy(confusion(y, p));

/**
 * P(class 1) for every series of a split, by the trainer's own forward path.
 *
 * @param model The network.
 * @param split The series.
 * @param config Its steps, input scaling and trainer.
 * @returns Probabilities, shape `[split.size]`.
 */
export function predictSplit(
  model: tf.LayersModel,
  split: Split,
  config: TrainConfig,
): Float32Array {
  const { seriesLength, trainer } = config;
  const x = scaleDigits(
    split.x,
    seriesLength,
    INPUT_SCALING[config.inputScaling],
  );
  return trainer === "fast"
    ? fastPredict(
      modelVariables(model) as unknown as LstmWeights,
      x,
      seriesLength,
    )
    : referencePredict(model, x, seriesLength);
}

/**
 * The exercise's optimizer (item g): Adam with the config's η, β1, β2 and ε.
 *
 * @param config The training config.
 * @returns A tfjs Adam optimizer.
 */
export function makeOptimizer(
  config: Pick<TrainConfig, "learningRate" | "beta1" | "beta2" | "epsilon">,
): tf.AdamOptimizer {
  return tf.train.adam(
    config.learningRate,
    config.beta1,
    config.beta2,
    config.epsilon,
  );
}

/**
 * Trains the exercise's network from a seed: the same config gives the same bytes.
 *
 * @param options Config overrides and a progress callback.
 * @returns The model, its history and its metrics.
 * @throws {TypeError|RangeError} A bad config.
 */
export async function train(options: TrainOptions = {}): Promise<TrainResult> {
  const config = resolveConfig(options.config);
  await initBackend();
  const started = performance.now();
  const { seriesLength: T, batchSize } = config;
  const data = options.data ?? datasetFor(config);
  if (data.train.size !== config.trainSize || data.validation.size !== config.validationSize) {
    throw new RangeError(
      `Data of ${data.train.size}/${data.validation.size} series does not match the config's ${config.trainSize}/${config.validationSize}`,
    );
  }
  const classWeights = options.classWeights;
  const model = buildModel(config);
  const vars = modelVariables(model);
  const optimizer = makeOptimizer(config);
  const pool = config.trainer === "fast" ? ParallelGradients.start(config.threads) : undefined;
  const step = (batch: Batch): Promise<BatchGradients> | BatchGradients =>
    pool ? pool.gradients(vars as unknown as LstmWeights, batch) : referenceGradients(model, batch);
  const history: History = { epochs: [], batches: { loss: [], accuracy: [] } };
  const batches = config.trainSize / batchSize;
  const valY = data.validation.y;
  const scaling = INPUT_SCALING[config.inputScaling];

  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const epochStart = performance.now();
      const order = epochPermutation({
        seed: config.seed,
        epoch,
        size: config.trainSize,
      });
      let lossSum = 0;
      let accSum = 0;
      for (let b = 0; b < batches; b++) {
        // forward, backward, update
        const batch = batchOf(
          data.train,
          T,
          scaling,
          order.subarray(b * batchSize, (b + 1) * batchSize),
        );
        if (classWeights) batch.w = Float32Array.from(batch.y, (y) => classWeights[y]);
        const { loss, probabilities, grads } = await step(batch);
        optimizer.applyGradients(
          WEIGHT_NAMES.map((n) => ({ name: vars[n].name, tensor: grads[n] })),
        );
        tf.dispose(Object.values(grads));
        // logging
        const accuracy = accuracyOf(batch.y, probabilities);
        history.batches.loss.push(loss);
        history.batches.accuracy.push(accuracy);
        lossSum += loss;
        accSum += accuracy;
        options.onProgress?.({
          kind: "batch",
          epoch: epoch + 1,
          epochs: config.epochs,
          batch: b + 1,
          batches,
          loss,
          accuracy,
        });
      }
      // evaluate
      const valP = predictSplit(model, data.validation, config);
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / batches,
        accuracy: accSum / batches,
        valLoss: binaryCrossEntropy(valY, valP),
        valAccuracy: accuracyOf(valY, valP),
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.epochs.push(record);
      options.onProgress?.({ kind: "epoch", epochs: config.epochs, record });
    }
  } finally {
    pool?.close();
    optimizer.dispose();
  }

  // final evaluation on both whole splits (deliverable 1, item d)
  const trainP = predictSplit(model, data.train, config);
  const valP = predictSplit(model, data.validation, config);
  const counts = (s: Split) => ({
    size: s.size,
    positives: s.positives,
    negatives: s.negatives,
  });
  const metrics: Metrics = {
    config,
    data: {
      train: counts(data.train),
      validation: counts(data.validation),
      exactPositiveRate: exactClassPrior({ seriesLength: T, threshold: config.threshold })
        .positiveRate,
    },
    train: {
      loss: binaryCrossEntropy(data.train.y, trainP),
      accuracy: accuracyOf(data.train.y, trainP),
    },
    validation: classificationReport(valY, valP),
    parameters: model.countParams(),
    seconds: (performance.now() - started) / 1000,
  };
  return { model, history, metrics, data };
}
