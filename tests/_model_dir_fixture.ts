/** Model directories for tests: a tiny but complete and consistent one, written in seconds. */
import { buildModel, checkBoundary, encodeTrained, initBackend, tfjsFiles } from "../src/train/mod.ts";
import { loadOnnx } from "../src/onnx/mod.ts";
import type { History, ModelDirContents, TrainingMetrics } from "../src/model_dir/mod.ts";
import { type InputScaling, resolveConfig, type TrainConfig } from "../mod.ts";

/** The tiny config: 4 units, 100 + 10 series, 2 batches of 50, one epoch. */
export function tinyConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...resolveConfig({
      units: 4,
      seed: 3,
      epochs: 1,
      trainSize: 100,
      validationSize: 10,
      batchSize: 50,
      inputScaling: "digit/9" satisfies InputScaling,
      ...overrides,
    }),
  };
}

/**
 * The records and files of an untrained tiny model (seeded initial weights), with made-up but
 * consistent figures: validation accuracy 0.5; the boundary section is measured, as training
 * measures it.
 *
 * @param config The config (see {@link tinyConfig}).
 * @returns What `writeModelDir` takes.
 */
export async function tinyContents(config: TrainConfig = tinyConfig()): Promise<ModelDirContents> {
  await initBackend();
  const model = buildModel(config);
  const half = config.validationSize / 2;
  const metrics: TrainingMetrics = {
    config,
    data: {
      train: { size: config.trainSize, positives: config.trainSize, negatives: 0 },
      validation: { size: config.validationSize, positives: config.validationSize, negatives: 0 },
      exactPositiveRate: 0.99,
    },
    train: { loss: 0.7, accuracy: 0.5 },
    validation: {
      loss: 0.7,
      accuracy: 0.5,
      confusion: { tp: half, fp: 0, tn: 0, fn: config.validationSize - half },
      precision: 1,
      recall: 0.5,
      specificity: 0,
      f1: 2 / 3,
      balancedAccuracy: 0.25,
      mcc: 0,
      rocAuc: NaN,
    },
    parameters: model.countParams(),
    seconds: 1.5,
  };
  const batches = config.epochs * config.trainSize / config.batchSize;
  const history: History = {
    epochs: Array.from({ length: config.epochs }, (_, i) => ({
      epoch: i + 1,
      loss: 0.7,
      accuracy: 0.5,
      valLoss: 0.7,
      valAccuracy: 0.5,
      seconds: 0.5,
    })),
    batches: { loss: new Array(batches).fill(0.7), accuracy: new Array(batches).fill(0.5) },
  };
  const onnx = encodeTrained(model, metrics);
  const session = await loadOnnx(onnx, "tiny model.onnx", { seriesLength: config.seriesLength });
  const boundary = await checkBoundary({ model, onnx: session, config });
  await session.release();
  const tfjs = await tfjsFiles(model);
  model.dispose();
  return {
    metrics: {
      ...metrics,
      onnx: { runtime: "test", accuracy: 0.5, tfjsAccuracy: 0.5, maxAbsDiff: 0, decisionsAgree: true },
      boundary: boundary.record,
    },
    history,
    onnx,
    tfjs,
  };
}
