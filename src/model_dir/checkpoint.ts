/**
 * The checkpoint of an interrupted training run, kept beside its model directory
 * (`.NAME.checkpoint`) and written atomically after every epoch.
 *
 * File format: the line `lstm-sum checkpoint 1\n`, a little-endian u32 with the byte length
 * of a JSON header, the header (config, position, history, seconds, tensor table), zero
 * padding to a multiple of 4, then every tensor's float32 values, little-endian, in table order.
 * Float32 values go in as bytes, so a checkpoint restores them bit for bit.
 * @module
 */
import { writeFileAtomic } from "../io/atomic.ts";
import type { TrainConfig } from "../core/spec.ts";
import { ModelDirError } from "./errors.ts";
import { siblingPaths } from "./layout.ts";
import { readBytes } from "./model_dir.ts";
import { FieldReader, type History, parseConfig } from "./schema.ts";

/** A named float32 tensor. */
export interface NamedArray {
  /** The tensor's name, such as `weights/kernel` or `adam/m/bias`. */
  name: string;
  /** The tensor's shape; `[]` for a scalar. */
  shape: number[];
  /** The values, row-major. */
  values: Float32Array;
}

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
  for (const [k, t] of state.tensors.entries()) {
    const at = 4 * table[k].offset;
    t.values.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
  }
  return bytes;
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
  const magic = new TextEncoder().encode(MAGIC);
  if (bytes.length < magic.length + 4 || magic.some((b, i) => bytes[i] !== b)) {
    throw new ModelDirError(file, "is not a lstm-sum checkpoint");
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(magic.length, true);
  if (magic.length + 4 + headerLength > bytes.length) throw new ModelDirError(file, "is truncated in its header");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(magic.length + 4, magic.length + 4 + headerLength),
    ));
  } catch (error) {
    throw new ModelDirError(file, "has a header that is not JSON", { cause: error });
  }
  const o = r.object(header, "(header)");
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
  const start = Math.ceil((magic.length + 4 + headerLength) / 4) * 4;
  const floats = (bytes.length - start) / 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start);
  let next = 0;
  const tensors = t.map((v, i): NamedArray => {
    const f = `tensors[${i}]`;
    const x = r.object(v, f);
    const shape = r.member(x, "shape", f);
    if (!Array.isArray(shape)) r.fail(`${f}.shape`, "must be an array");
    const dims = shape.map((d, k) => r.integer(d, `${f}.shape[${k}]`));
    const length = r.integer(r.member(x, "length", f), `${f}.length`);
    const offset = r.integer(r.member(x, "offset", f), `${f}.offset`, next, next);
    if (dims.reduce((a, c) => a * c, 1) !== length) r.fail(`${f}.length`, `must equal the product of shape [${dims}]`);
    if (offset + length > floats) throw new ModelDirError(file, `is truncated in tensor ${i}`);
    next = offset + length;
    const values = new Float32Array(length);
    for (let k = 0; k < length; k++) values[k] = view.getFloat32(4 * (offset + k), true);
    return { name: r.string(r.member(x, "name", f), `${f}.name`), shape: dims, values };
  });
  if (next !== floats) throw new ModelDirError(file, `holds ${floats - next} float32 values beyond its tensors`);
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
