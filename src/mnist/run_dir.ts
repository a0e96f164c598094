/**
 * The files of an MNIST run directory, and the only module that spells their paths or parses them:
 *
 *   metrics.json        config, parameters, class counts, final train and test measures, seconds
 *   history.json        every update's batch loss and accuracy, and the evaluations every 100th update
 *   tfjs/model.json     the tf.layers topology and weight manifest
 *   tfjs/weights.bin    the tf.layers weights
 *
 * Beside it, in its parent, an interrupted run keeps its checkpoint as `.NAME.checkpoint` (the LSTM
 * model directory's convention, git-ignored under models/).
 * @module
 */
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { siblingPaths } from "../model_dir/layout.ts";
import { tfjsFiles } from "../train/save.ts";
import {
  decodeMnistCheckpoint,
  encodeMnistCheckpoint,
  type MnistHistory,
  type MnistTrainingState,
} from "./checkpoint.ts";
import type { MnistMetrics, MnistTrainResult } from "./train.ts";

/** Every file of a run directory as a path. */
export interface MnistRunPaths {
  /** The directory. */
  dir: string;
  /** metrics.json. */
  metrics: string;
  /** history.json. */
  history: string;
  /** tfjs/model.json. */
  tfjsModel: string;
  /** tfjs/weights.bin. */
  tfjsWeights: string;
  /** The checkpoint of an interrupted run, beside the directory. */
  checkpoint: string;
}

/**
 * The paths of a run directory's files.
 *
 * @param dir The directory.
 * @returns Each file's path.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(mnistRunPaths("models/mnist-cnn/").checkpoint, "models/.mnist-cnn.checkpoint");
 * ```
 */
export function mnistRunPaths(dir: string): MnistRunPaths {
  const d = dir.replace(/\/+$/, "");
  return {
    dir: d,
    metrics: `${d}/metrics.json`,
    history: `${d}/history.json`,
    tfjsModel: `${d}/tfjs/model.json`,
    tfjsWeights: `${d}/tfjs/weights.bin`,
    checkpoint: siblingPaths(d).checkpoint,
  };
}

/**
 * The default run directory of a model: `models/mnist-<model>`.
 *
 * @param model The model's name.
 * @returns The directory.
 */
export function defaultMnistRunDir(model: string): string {
  return `models/mnist-${model}`;
}

/**
 * Writes a finished run: metrics.json, history.json and the tf.layers files, each atomically.
 *
 * @param dir The run directory; created when missing.
 * @param result The trained model, its history and its metrics.
 */
export async function writeMnistRun(dir: string, result: MnistTrainResult): Promise<void> {
  const p = mnistRunPaths(dir);
  const files = await tfjsFiles(result.model);
  await writeFileAtomic(p.tfjsWeights, files.weights);
  await writeJsonAtomic(p.tfjsModel, files.modelJson);
  await writeJsonAtomic(p.history, result.history);
  await writeJsonAtomic(p.metrics, result.metrics);
}

/**
 * Reads a run's metrics.json.
 *
 * @param dir The run directory.
 * @returns Its metrics as written.
 */
export async function readMnistMetrics(dir: string): Promise<MnistMetrics> {
  return JSON.parse(await Deno.readTextFile(mnistRunPaths(dir).metrics)) as MnistMetrics;
}

/**
 * Reads a run's history.json.
 *
 * @param dir The run directory.
 * @returns Its history as written.
 */
export async function readMnistHistory(dir: string): Promise<MnistHistory> {
  return JSON.parse(await Deno.readTextFile(mnistRunPaths(dir).history)) as MnistHistory;
}

/**
 * Writes the checkpoint of a run directory atomically.
 *
 * @param dir The run directory it belongs to.
 * @param state The training state.
 */
export async function writeMnistCheckpoint(dir: string, state: MnistTrainingState): Promise<void> {
  await writeFileAtomic(mnistRunPaths(dir).checkpoint, encodeMnistCheckpoint(state));
}

/**
 * Reads the checkpoint of a run directory, if there is one.
 *
 * @param dir The run directory it belongs to.
 * @returns The state, or undefined when there is none.
 * @throws {RangeError} A checkpoint that does not decode.
 */
export async function readMnistCheckpoint(dir: string): Promise<MnistTrainingState | undefined> {
  const path = mnistRunPaths(dir).checkpoint;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  return decodeMnistCheckpoint(path, bytes);
}

/**
 * Removes the checkpoint of a run directory (when the run completed).
 *
 * @param dir The run directory it belongs to.
 */
export async function removeMnistCheckpoint(dir: string): Promise<void> {
  await Deno.remove(mnistRunPaths(dir).checkpoint).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
