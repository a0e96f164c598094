/**
 * The checkpoint of an interrupted training run, kept beside its model directory
 * (`.NAME.checkpoint`) and written atomically after every epoch.
 *
 * File format: a tensor file (src/io/tensor_file.ts) under the magic line `lstm-sum checkpoint 1\n`,
 * its header holding the config, position, history and seconds. Float32 values go in as bytes, so
 * a checkpoint restores them bit for bit.
 * @module
 */
import { writeFileAtomic } from "../io/atomic.ts";
import { decodeTensorFile, encodeTensorFile, type NamedArray } from "../io/tensor_file.ts";
import type { TrainConfig } from "../core/spec.ts";
import { ModelDirError } from "./errors.ts";
import { siblingPaths } from "./layout.ts";
import { readBytes } from "./model_dir.ts";
import { FieldReader, type History, parseConfig } from "./schema.ts";

export type { NamedArray };

/** Everything training needs to go on exactly where it stopped. */
export interface TrainingState {
  /** The run's full config. */
  config: TrainConfig;
  /** The epoch in progress, 0-based: epochs completed. */
  epoch: number;
  /** Batches of that epoch completed. */
  batch: number;
  /** The history so far: complete epochs, and every batch done. */
  history: History;
  /** Wall-clock seconds of training so far. */
  seconds: number;
  /** Wall-clock seconds of the epoch in progress so far. */
  epochSeconds: number;
  /** Optimizer steps taken. */
  iterations: number;
  /** Weights and optimizer state, by name. */
  tensors: NamedArray[];
}

const MAGIC = "lstm-sum checkpoint 1\n";

/**
 * The checkpoint's path for a model directory.
 *
 * @param dir The model directory.
 * @returns `PARENT/.NAME.checkpoint`.
 */
export function checkpointPath(dir: string): string {
  return siblingPaths(dir).checkpoint;
}

/**
 * Encodes a training state in the checkpoint format.
 *
 * @param state The state.
 * @returns The file's bytes.
 */
export function encodeCheckpoint(state: TrainingState): Uint8Array {
  const { tensors, ...header } = state;
  return encodeTensorFile({ header, tensors }, { magic: MAGIC });
}

/**
 * Decodes and checks a checkpoint.
 *
 * @param file The file's path, for messages.
 * @param bytes Its bytes.
 * @returns The training state.
 * @throws {ModelDirError} Bytes that are not a whole checkpoint, naming the field at fault.
 */
export function decodeCheckpoint(file: string, bytes: Uint8Array): TrainingState {
  const r: FieldReader = new FieldReader(file);
  const decoded = decodeTensorFile(bytes, {
    magic: MAGIC,
    kind: "a lstm-sum checkpoint",
    fail: (what, cause) => {
      throw new ModelDirError(file, what, { cause });
    },
  });
  const o = r.object(decoded.header, "(header)");
  const get = (k: string) => r.member(o, k, "");
  const config = parseConfig(r, get("config"));
  const epoch = r.integer(get("epoch"), "epoch", 0, config.epochs);
  const perEpoch = config.trainSize / config.batchSize;
  const batch = r.integer(get("batch"), "batch", 0, epoch === config.epochs ? 0 : perEpoch - 1);
  const h = r.object(get("history"), "history");
  const e = r.member(h, "epochs", "history");
  if (!Array.isArray(e) || e.length !== epoch) r.fail("history.epochs", `must hold ${epoch} records`);
  const b = r.object(r.member(h, "batches", "history"), "history.batches");
  const done = epoch * perEpoch + batch;
  const loss = r.numbers(
    r.member(b, "loss", "history.batches"),
    "history.batches.loss",
    (x, f) => r.number(x, f, { nullable: true }),
  );
  const accuracy = r.numbers(
    r.member(b, "accuracy", "history.batches"),
    "history.batches.accuracy",
    (x, f) => r.number(x, f),
  );
  if (loss.length !== done || accuracy.length !== done) r.fail("history.batches", `must hold ${done} batches`);
  const epochs = e.map((v, i) => {
    const f = `history.epochs[${i}]`;
    const x = r.object(v, f);
    const n = (k: string) => r.number(r.member(x, k, f), `${f}.${k}`, { nullable: true });
    return {
      epoch: r.integer(r.member(x, "epoch", f), `${f}.epoch`, i + 1, i + 1),
      loss: n("loss"),
      accuracy: n("accuracy"),
      valLoss: n("valLoss"),
      valAccuracy: n("valAccuracy"),
      seconds: n("seconds"),
    };
  });
  const t = get("tensors");
  if (!Array.isArray(t)) r.fail("tensors", "must be an array");
  const tensors = decoded.tensors(t, (v, i, next) => {
    const f = `tensors[${i}]`;
    const x = r.object(v, f);
    const shape = r.member(x, "shape", f);
    if (!Array.isArray(shape)) r.fail(`${f}.shape`, "must be an array");
    const dims = shape.map((d, k) => r.integer(d, `${f}.shape[${k}]`));
    const length = r.integer(r.member(x, "length", f), `${f}.length`);
    const offset = r.integer(r.member(x, "offset", f), `${f}.offset`, next, next);
    if (dims.reduce((a, c) => a * c, 1) !== length) r.fail(`${f}.length`, `must equal the product of shape [${dims}]`);
    return { name: r.string(r.member(x, "name", f), `${f}.name`), shape: dims, offset, length };
  });
  return {
    config,
    epoch,
    batch,
    history: { epochs, batches: { loss, accuracy } },
    seconds: r.number(get("seconds"), "seconds", { min: 0 }),
    epochSeconds: r.number(get("epochSeconds"), "epochSeconds", { min: 0 }),
    iterations: r.integer(get("iterations"), "iterations", done, done),
    tensors,
  };
}

/**
 * Writes the checkpoint of a model directory atomically (temp file, then rename).
 *
 * @param dir The model directory it belongs to.
 * @param state The training state.
 */
export async function writeCheckpoint(dir: string, state: TrainingState): Promise<void> {
  await writeFileAtomic(checkpointPath(dir), encodeCheckpoint(state));
}

/**
 * Reads the checkpoint of a model directory, if there is one.
 *
 * @param dir The model directory it belongs to.
 * @returns The state, or undefined when there is no checkpoint.
 * @throws {ModelDirError} A checkpoint that cannot be read or decoded.
 */
export async function readCheckpoint(dir: string): Promise<TrainingState | undefined> {
  const path = checkpointPath(dir);
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(path);
  } catch (error) {
    if (error instanceof ModelDirError && error.cause instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  return decodeCheckpoint(path, bytes);
}

/**
 * Removes the checkpoint of a model directory (when training completed).
 *
 * @param dir The model directory it belongs to.
 */
export async function removeCheckpoint(dir: string): Promise<void> {
  await Deno.remove(checkpointPath(dir)).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
