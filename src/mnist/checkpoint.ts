/**
 * The checkpoint of an interrupted MNIST run: everything {@link trainMnist} needs to go on with
 * the same bytes as an uninterrupted run. Batch orders and dropout masks derive from (seed,
 * iteration), so no random state is stored.
 *
 * File format: a tensor file (src/io/tensor_file.ts, as the LSTM checkpoint) under the magic line
 * `mnist checkpoint 1\n`, its header holding the config, iteration, history and seconds.
 *
 * {@link trainMnist}: ./train.ts
 * @module
 */
import { decodeTensorFile, encodeTensorFile, type NamedArray, type TensorEntry } from "../io/tensor_file.ts";
import { type MnistConfig, resolveMnistConfig } from "./spec.ts";

export type { NamedArray };

/** One evaluation (item e): accuracies after `iteration` updates. */
export interface EvaluationRecord {
  /** Updates done (0: the initial network). */
  iteration: number;
  /** Accuracy on the batch of the last update (inference: no dropout); on the first batch at iteration 0. */
  batchAccuracy: number;
  /** Mean softmax cross-entropy over the test images. */
  testLoss: number;
  /** Accuracy on the test images. */
  testAccuracy: number;
  /** Wall-clock seconds of training so far. */
  seconds: number;
}

/** What a run records as it goes. */
export interface MnistHistory {
  /** Every update's batch loss, before the update (with dropout for mlp-dropout). */
  loss: number[];
  /** Every update's batch accuracy, before the update (with dropout for mlp-dropout). */
  accuracy: number[];
  /** (e) the evaluations, every `evaluateEvery` updates, at 0 and after the last. */
  evaluations: EvaluationRecord[];
}

/** Everything a run needs to go on exactly where it stopped. */
export interface MnistTrainingState {
  /** The run's full config. */
  config: MnistConfig;
  /** Updates done. */
  iteration: number;
  /** The history so far. */
  history: MnistHistory;
  /** Wall-clock seconds of training so far. */
  seconds: number;
  /** Weights and optimizer state, by name. */
  tensors: NamedArray[];
}

const MAGIC = "mnist checkpoint 1\n";

/**
 * Encodes a training state.
 *
 * @param state The state.
 * @returns The file's bytes.
 */
export function encodeMnistCheckpoint(state: MnistTrainingState): Uint8Array {
  const { tensors, ...header } = state;
  return encodeTensorFile({ header, tensors }, { magic: MAGIC });
}

/**
 * Decodes and checks a checkpoint.
 *
 * @param file The file's name, for messages.
 * @param bytes Its bytes.
 * @returns The training state.
 * @throws {RangeError} Bytes that are not a whole MNIST checkpoint, naming the file and the fault.
 * @throws {TypeError} A config with an unknown field.
 */
export function decodeMnistCheckpoint(file: string, bytes: Uint8Array): MnistTrainingState {
  const fail = (what: string): never => {
    throw new RangeError(`MNIST checkpoint ${file} ${what}`);
  };
  const decoded = decodeTensorFile(bytes, { magic: MAGIC, kind: "an MNIST checkpoint", fail });
  const header = decoded.header as Record<string, unknown>;
  if (!header || typeof header.config !== "object" || header.config === null) fail("has no config");
  const config = resolveMnistConfig(header.config as MnistConfig);
  const iteration = header.iteration;
  if (!Number.isSafeInteger(iteration) || (iteration as number) < 0 || (iteration as number) > config.iterations) {
    fail(`has iteration ${iteration}, not an integer in [0, ${config.iterations}]`);
  }
  const history = header.history as MnistHistory;
  if (
    !history || !Array.isArray(history.loss) || history.loss.length !== iteration ||
    !Array.isArray(history.accuracy) || history.accuracy.length !== iteration || !Array.isArray(history.evaluations)
  ) {
    fail(`has a history that does not hold ${iteration} updates`);
  }
  const seconds = header.seconds;
  if (typeof seconds !== "number" || !(seconds >= 0)) fail(`has seconds ${seconds}, not a number >= 0`);
  const table = header.tensors;
  if (!Array.isArray(table)) fail("has no tensor table");
  const tensors = decoded.tensors(table as unknown[], (v, i, next) => {
    const t = v as TensorEntry;
    const size = Array.isArray(t.shape) ? t.shape.reduce((a, b) => a * b, 1) : NaN;
    if (typeof t.name !== "string" || t.offset !== next || t.length !== size) {
      fail(`has a bad entry ${i} in its tensor table`);
    }
    return { name: t.name, shape: [...t.shape], offset: t.offset, length: t.length };
  });
  return { config, iteration: iteration as number, history, seconds: seconds as number, tensors };
}
