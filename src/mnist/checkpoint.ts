/**
 * The checkpoint of an interrupted MNIST run: everything {@link trainMnist} needs to go on with
 * the same bytes as an uninterrupted run. Batch orders and dropout masks derive from (seed,
 * iteration), so no random state is stored.
 *
 * File format (the LSTM checkpoint's layout, src/model_dir/checkpoint.ts, under its own magic line):
 * the line `mnist checkpoint 1\n`, a little-endian u32 with the byte length of a JSON header, the
 * header (config, iteration, history, seconds, tensor table), zero padding to a multiple of 4, then
 * every tensor's float32 values, little-endian, in table order.
 *
 * {@link trainMnist}: ./train.ts
 * @module
 */
import { type MnistConfig, resolveMnistConfig } from "./spec.ts";

/** A named float32 tensor. */
export interface NamedArray {
  /** E.g. `weights/conv1/kernel`, `adam/m/conv1/kernel`, `adam/accBeta1`. */
  name: string;
  /** The shape; `[]` for a scalar. */
  shape: number[];
  /** The values, row-major. */
  values: Float32Array;
}

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
  let offset = 0;
  const table = state.tensors.map((t) => {
    const entry = { name: t.name, shape: t.shape, offset, length: t.values.length };
    offset += t.values.length;
    return entry;
  });
  const { tensors: _, ...rest } = state;
  const header = new TextEncoder().encode(JSON.stringify({ ...rest, tensors: table }));
  const magic = new TextEncoder().encode(MAGIC);
  const start = Math.ceil((magic.length + 4 + header.length) / 4) * 4;
  const bytes = new Uint8Array(start + 4 * offset);
  bytes.set(magic, 0);
  new DataView(bytes.buffer).setUint32(magic.length, header.length, true);
  bytes.set(header, magic.length + 4);
  const view = new DataView(bytes.buffer, start);
  state.tensors.forEach((t, k) => {
    const at = 4 * table[k].offset;
    t.values.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
  });
  return bytes;
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
  const magic = new TextEncoder().encode(MAGIC);
  if (bytes.length < magic.length + 4 || magic.some((b, i) => bytes[i] !== b)) fail("is not an MNIST checkpoint");
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(magic.length, true);
  if (magic.length + 4 + headerLength > bytes.length) fail("is truncated in its header");
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(magic.length + 4, magic.length + 4 + headerLength),
    ));
  } catch {
    fail("has a header that is not JSON");
  }
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
  const start = Math.ceil((magic.length + 4 + headerLength) / 4) * 4;
  const floats = (bytes.length - start) / 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start);
  let next = 0;
  const tensors = (table as { name: string; shape: number[]; offset: number; length: number }[]).map((t, i) => {
    const size = Array.isArray(t.shape) ? t.shape.reduce((a, b) => a * b, 1) : NaN;
    if (typeof t.name !== "string" || t.offset !== next || t.length !== size) {
      fail(`has a bad entry ${i} in its tensor table`);
    }
    if (t.offset + t.length > floats) fail(`is truncated in tensor ${i}`);
    next += t.length;
    const values = new Float32Array(t.length);
    for (let k = 0; k < t.length; k++) values[k] = view.getFloat32(4 * (t.offset + k), true);
    return { name: t.name, shape: [...t.shape], values };
  });
  if (next !== floats) fail(`holds ${floats - next} float32 values beyond its tensors`);
  return { config, iteration: iteration as number, history, seconds: seconds as number, tensors };
}
