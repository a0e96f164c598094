/**
 * The records of a model directory (metrics.json, history.json) as types, and their checked
 * parsers: a parser returns the typed record or throws a {@link ModelDirError} naming the file
 * and the field.
 * @module
 */
import type { BoundaryScores } from "../core/boundary.ts";
import type { ClassificationReport, Confusion } from "../core/metrics.ts";
import { REQUIRED_CONFIG_FIELDS, resolveConfig, type TrainConfig } from "../core/spec.ts";
import { ModelDirError } from "./errors.ts";
import { HASHED_FILES, type HashedFile } from "./layout.ts";

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

/** history.json: per-epoch records and, as Keras's per-batch logs keep them, per-batch ones. */
export interface History {
  /** One record per epoch, in order. */
  epochs: EpochRecord[];
  /** Loss and accuracy of every batch, in order (epochs × batches per epoch). */
  batches: { loss: number[]; accuracy: number[] };
}

/** Series counts of one split. */
export interface SplitCounts {
  /** Number of series. */
  size: number;
  /** Series labelled 1. */
  positives: number;
  /** Series labelled 0. */
  negatives: number;
}

/** What training measures: metrics.json before the export adds its sections. */
export interface TrainingMetrics {
  /** The full config the model was trained with. */
  config: TrainConfig;
  /** Class counts of both splits and the exact share of class 1. */
  data: { train: SplitCounts; validation: SplitCounts; exactPositiveRate: number };
  /** Loss and accuracy on the whole training split after the last epoch. */
  train: { loss: number; accuracy: number };
  /** Every measure on the validation split after the last epoch. */
  validation: ClassificationReport;
  /** Trainable parameters. */
  parameters: number;
  /** Wall-clock seconds of training. */
  seconds: number;
}

/** The `onnx` section of metrics.json: model.onnx run with onnxruntime against tfjs. */
export interface OnnxCheck {
  /** Which runtime ran model.onnx. */
  runtime: string;
  /** Validation accuracy of model.onnx. */
  accuracy: number;
  /** Validation accuracy of tf.layers `predict` on the same weights. */
  tfjsAccuracy: number;
  /** Largest |p_onnx − p_tfjs| over the validation split. */
  maxAbsDiff: number;
  /** Whether every decision agrees. */
  decisionsAgree: boolean;
}

/** How far model.onnx and the tf.layers model agree on a set of series. */
export interface Agreement {
  /** Largest |p_onnx − p_tfjs| over the set. */
  maxAbsDiff: number;
  /** Whether every decision agrees. */
  decisionsAgree: boolean;
}

/**
 * The `boundary` section of metrics.json: model.onnx scored on the boundary set of `seed`
 * (`makeBoundarySet` in `src/core/boundary.ts`: `perSum` series drawn exactly at each sum of a
 * window around the threshold), its figures rounded as `src/onnx/boundary.ts` records them, and
 * how far the tf.layers model agrees with model.onnx on the same series.
 */
export interface BoundaryRecord extends BoundaryScores {
  /** Seed of the boundary set (training uses the config's `dataSeed`). */
  seed: number;
  /** Series per sum. */
  perSum: number;
  /** model.onnx against tf.layers `predict` on the boundary set. */
  agreement: Agreement;
}

/** SHA-256 (hex) of each file of {@link HASHED_FILES}. */
export type FileHashes = Record<HashedFile, string>;

/** metrics.json as written: the training figures, the ONNX cross-check and the file hashes. */
export interface Metrics extends TrainingMetrics {
  /** The ONNX cross-check. */
  onnx: OnnxCheck;
  /** The decision boundary; absent in directories written before it was recorded. */
  boundary?: BoundaryRecord;
  /** SHA-256 of model.onnx and the tfjs files, checked on every read. */
  sha256: FileHashes;
}

type Json = unknown;

/** Reads fields of one parsed JSON file, throwing {@link ModelDirError} with the field's path. */
export class FieldReader {
  /** @param file The file's path, for messages. */
  constructor(readonly file: string) {}

  /** Throws the error for `field`. */
  fail(field: string, problem: string): never {
    throw new ModelDirError(this.file, problem, { field });
  }

  /** An object (not null, not an array). */
  object(v: Json, field: string): Record<string, Json> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${show(v)}`);
    return v as Record<string, Json>;
  }

  /** A member of an object; missing is an error. */
  member(o: Record<string, Json>, key: string, field: string): Json {
    if (!Object.hasOwn(o, key)) this.fail(field ? `${field}.${key}` : key, "is missing");
    return o[key];
  }

  /** A finite number in [min, max]; with `nullable`, null (JSON's NaN) reads as NaN. */
  number(v: Json, field: string, range: { min?: number; max?: number; nullable?: boolean } = {}): number {
    if (v === null && range.nullable) return NaN;
    const { min = -Infinity, max = Infinity } = range;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      const bounds = min === -Infinity && max === Infinity ? "" : ` in [${min}, ${max}]`;
      this.fail(field, `must be a number${bounds}${range.nullable ? " or null" : ""}, got ${show(v)}`);
    }
    return v;
  }

  /** A whole number in [min, max]. */
  integer(v: Json, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
      this.fail(field, `must be an integer in [${min}, ${max}], got ${show(v)}`);
    }
    return v;
  }

  /** A boolean. */
  boolean(v: Json, field: string): boolean {
    if (typeof v !== "boolean") this.fail(field, `must be true or false, got ${show(v)}`);
    return v;
  }

  /** A string, optionally matching a pattern. */
  string(v: Json, field: string, pattern?: RegExp): string {
    if (typeof v !== "string") this.fail(field, `must be a string, got ${show(v)}`);
    if (pattern && !pattern.test(v)) this.fail(field, `must match ${pattern}, got ${show(v)}`);
    return v;
  }

  /** An array of numbers read by `item`. */
  numbers(v: Json, field: string, item: (x: Json, field: string) => number): number[] {
    if (!Array.isArray(v)) this.fail(field, `must be an array, got ${show(v)}`);
    return v.map((x, i) => item(x, `${field}[${i}]`));
  }
}

/** A value, cut short, for a message. */
function show(v: Json): string {
  let text: string;
  try {
    text = v === undefined ? "undefined" : JSON.stringify(v);
  } catch {
    text = String(v);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

const fraction = { min: 0, max: 1 } as const;

/**
 * Config fields that earlier versions recorded and the config no longer has, with why. A
 * recorded value is ignored on reading, so that older model directories still load.
 */
export const RETIRED_CONFIG_FIELDS: Readonly<Record<string, string>> = {
  threads: "the data-parallel worker count of the fast trainer, removed with its worker pool",
};

/** Config fields that `resolveConfig` derives when absent (`dataSeed` from `seed`), so older files may lack them. */
export const DERIVED_CONFIG_FIELDS: readonly (keyof TrainConfig)[] = ["dataSeed"];

/**
 * Checks a recorded config: complete (every field present but the derived ones, none unknown
 * but the retired ones, which are dropped) and valid by {@link resolveConfig}.
 *
 * @param r The file's reader.
 * @param v The `config` value.
 * @param field Its path in the file.
 * @returns The config.
 * @throws {ModelDirError} A missing, unknown or invalid field, named.
 */
export function parseConfig(r: FieldReader, v: Json, field = "config"): TrainConfig {
  const recorded = r.object(v, field);
  const o = Object.fromEntries(Object.entries(recorded).filter(([k]) => !Object.hasOwn(RETIRED_CONFIG_FIELDS, k)));
  for (const key of REQUIRED_CONFIG_FIELDS) {
    if (!DERIVED_CONFIG_FIELDS.includes(key)) r.member(o, key, field);
  }
  // fields that resolveConfig takes as given
  r.integer(o.threshold, `${field}.threshold`);
  r.boolean(o.unitForgetBias, `${field}.unitForgetBias`);
  r.string(o.inputScaling, `${field}.inputScaling`);
  r.string(o.trainer, `${field}.trainer`);
  try {
    return { ...resolveConfig(o as Partial<TrainConfig>) };
  } catch (error) {
    const message = (error as Error).message;
    const known = /^Config field "([^"]+)" (.*)$/s.exec(message) ?? /^(Seed) (.*)$/s.exec(message);
    if (known) r.fail(`${field}.${known[1] === "Seed" ? "seed" : known[1]}`, known[2]);
    const unknown = /^Unknown config field "(.*)"$/s.exec(message);
    if (unknown) r.fail(`${field}.${unknown[1]}`, "is not a config field");
    throw new ModelDirError(r.file, message, { field, cause: error });
  }
}

function parseCounts(r: FieldReader, v: Json, field: string): SplitCounts {
  const o = r.object(v, field);
  const size = r.integer(r.member(o, "size", field), `${field}.size`);
  const positives = r.integer(r.member(o, "positives", field), `${field}.positives`);
  const negatives = r.integer(r.member(o, "negatives", field), `${field}.negatives`);
  if (positives + negatives !== size) r.fail(field, `counts ${positives} + ${negatives} must add up to size ${size}`);
  return { size, positives, negatives };
}

function parseConfusion(r: FieldReader, v: Json, field: string): Confusion {
  const o = r.object(v, field);
  const count = (k: string) => r.integer(r.member(o, k, field), `${field}.${k}`);
  return { tp: count("tp"), fp: count("fp"), tn: count("tn"), fn: count("fn") };
}

/**
 * Checks the classification measures of a split.
 *
 * @param r The file's reader.
 * @param v The value.
 * @param field Its path in the file.
 * @returns The report.
 * @throws {ModelDirError} A missing or out-of-range measure, named.
 */
export function parseReport(r: FieldReader, v: Json, field: string): ClassificationReport {
  const o = r.object(v, field);
  const get = (k: string) => r.member(o, k, field);
  const f = (k: string) => r.number(get(k), `${field}.${k}`, fraction);
  return {
    loss: r.number(get("loss"), `${field}.loss`, { min: 0, nullable: true }),
    accuracy: f("accuracy"),
    confusion: parseConfusion(r, get("confusion"), `${field}.confusion`),
    precision: f("precision"),
    recall: f("recall"),
    specificity: f("specificity"),
    f1: f("f1"),
    balancedAccuracy: f("balancedAccuracy"),
    mcc: r.number(get("mcc"), `${field}.mcc`, { min: -1, max: 1 }),
    rocAuc: r.number(get("rocAuc"), `${field}.rocAuc`, { ...fraction, nullable: true }),
  };
}

/**
 * Checks the ONNX section.
 *
 * @param r The file's reader.
 * @param v The value.
 * @returns The section.
 * @throws {ModelDirError} A missing or invalid field, named.
 */
export function parseOnnxCheck(r: FieldReader, v: Json): OnnxCheck {
  const o = r.object(v, "onnx");
  const get = (k: string) => r.member(o, k, "onnx");
  return {
    runtime: r.string(get("runtime"), "onnx.runtime"),
    accuracy: r.number(get("accuracy"), "onnx.accuracy", fraction),
    tfjsAccuracy: r.number(get("tfjsAccuracy"), "onnx.tfjsAccuracy", fraction),
    maxAbsDiff: r.number(get("maxAbsDiff"), "onnx.maxAbsDiff", { min: 0 }),
    decisionsAgree: r.boolean(get("decisionsAgree"), "onnx.decisionsAgree"),
  };
}

/**
 * Checks the boundary section: integer sums, one accuracy and one mean P in [0, 1] per sum,
 * the summary figures (null, JSON's NaN, where a figure is undefined) and the agreement.
 *
 * @param r The file's reader.
 * @param v The value.
 * @returns The section.
 * @throws {ModelDirError} A missing or invalid field, named.
 */
export function parseBoundary(r: FieldReader, v: Json): BoundaryRecord {
  const field = "boundary";
  const o = r.object(v, field);
  const get = (k: string) => r.member(o, k, field);
  const sums = r.numbers(get("sums"), `${field}.sums`, (x, f) => r.integer(x, f));
  const perSum = (k: string) => {
    const list = r.numbers(get(k), `${field}.${k}`, (x, f) => r.number(x, f, fraction));
    if (list.length !== sums.length) {
      r.fail(`${field}.${k}`, `must hold one value per sum (${sums.length}), got ${list.length}`);
    }
    return list;
  };
  const a = r.object(get("agreement"), `${field}.agreement`);
  return {
    seed: r.integer(get("seed"), `${field}.seed`, 0, 2 ** 32 - 1),
    perSum: r.integer(get("perSum"), `${field}.perSum`, 1),
    sums,
    accuracy: perSum("accuracy"),
    meanP: perSum("meanP"),
    justBelow: r.number(get("justBelow"), `${field}.justBelow`, { ...fraction, nullable: true }),
    atThreshold: r.number(get("atThreshold"), `${field}.atThreshold`, { ...fraction, nullable: true }),
    band: r.number(get("band"), `${field}.band`, { ...fraction, nullable: true }),
    effectiveThreshold: r.number(get("effectiveThreshold"), `${field}.effectiveThreshold`, { nullable: true }),
    agreement: {
      maxAbsDiff: r.number(r.member(a, "maxAbsDiff", `${field}.agreement`), `${field}.agreement.maxAbsDiff`, {
        min: 0,
      }),
      decisionsAgree: r.boolean(
        r.member(a, "decisionsAgree", `${field}.agreement`),
        `${field}.agreement.decisionsAgree`,
      ),
    },
  };
}

/**
 * Checks metrics.json's parsed value: every field's type and range, and that the counts agree
 * with the config.
 *
 * @param file The file's path, for messages.
 * @param value The parsed JSON.
 * @returns The typed metrics.
 * @throws {ModelDirError} The first problem, naming the file and the field.
 */
export function parseMetrics(file: string, value: Json): Metrics {
  const r: FieldReader = new FieldReader(file);
  const o = r.object(value, "(top level)");
  const get = (k: string) => r.member(o, k, "");
  const config = parseConfig(r, get("config"));
  const d = r.object(get("data"), "data");
  const data = {
    train: parseCounts(r, r.member(d, "train", "data"), "data.train"),
    validation: parseCounts(r, r.member(d, "validation", "data"), "data.validation"),
    exactPositiveRate: r.number(r.member(d, "exactPositiveRate", "data"), "data.exactPositiveRate", fraction),
  };
  if (data.train.size !== config.trainSize) {
    r.fail("data.train.size", `must equal config.trainSize ${config.trainSize}, got ${data.train.size}`);
  }
  if (data.validation.size !== config.validationSize) {
    r.fail(
      "data.validation.size",
      `must equal config.validationSize ${config.validationSize}, got ${data.validation.size}`,
    );
  }
  const t = r.object(get("train"), "train");
  const train = {
    loss: r.number(r.member(t, "loss", "train"), "train.loss", { min: 0, nullable: true }),
    accuracy: r.number(r.member(t, "accuracy", "train"), "train.accuracy", fraction),
  };
  const validation = parseReport(r, get("validation"), "validation");
  const c = validation.confusion;
  if (c.tp + c.fp + c.tn + c.fn !== config.validationSize) {
    r.fail("validation.confusion", `must count config.validationSize ${config.validationSize} series`);
  }
  const parameters = r.integer(get("parameters"), "parameters", 1);
  const seconds = r.number(get("seconds"), "seconds", { min: 0 });
  const onnx = parseOnnxCheck(r, get("onnx"));
  const boundary = Object.hasOwn(o, "boundary") ? parseBoundary(r, o.boundary) : undefined;
  const h = r.object(get("sha256"), "sha256");
  const sha256 = Object.fromEntries(
    HASHED_FILES.map((f) => [f, r.string(r.member(h, f, "sha256"), `sha256.${f}`, /^[0-9a-f]{64}$/)]),
  ) as FileHashes;
  return { config, data, train, validation, parameters, seconds, onnx, ...(boundary ? { boundary } : {}), sha256 };
}

/**
 * Checks history.json's parsed value against the config it was trained with: one record per
 * epoch, numbered 1.., and one loss and accuracy per batch.
 *
 * @param file The file's path, for messages.
 * @param value The parsed JSON.
 * @param config The model's config.
 * @returns The typed history.
 * @throws {ModelDirError} The first problem, naming the file and the field.
 */
export function parseHistory(file: string, value: Json, config: TrainConfig): History {
  const r: FieldReader = new FieldReader(file);
  const o = r.object(value, "(top level)");
  const e = r.member(o, "epochs", "");
  if (!Array.isArray(e)) r.fail("epochs", `must be an array, got ${show(e)}`);
  if (e.length !== config.epochs) r.fail("epochs", `must hold config.epochs ${config.epochs} records, got ${e.length}`);
  const epochs = e.map((v, i): EpochRecord => {
    const f = `epochs[${i}]`;
    const x = r.object(v, f);
    const get = (k: string) => r.member(x, k, f);
    const epoch = r.integer(get("epoch"), `${f}.epoch`, i + 1, i + 1);
    return {
      epoch,
      loss: r.number(get("loss"), `${f}.loss`, { min: 0, nullable: true }),
      accuracy: r.number(get("accuracy"), `${f}.accuracy`, fraction),
      valLoss: r.number(get("valLoss"), `${f}.valLoss`, { min: 0, nullable: true }),
      valAccuracy: r.number(get("valAccuracy"), `${f}.valAccuracy`, fraction),
      seconds: r.number(get("seconds"), `${f}.seconds`, { min: 0 }),
    };
  });
  const b = r.object(r.member(o, "batches", ""), "batches");
  const perEpoch = config.trainSize / config.batchSize;
  const loss = r.numbers(
    r.member(b, "loss", "batches"),
    "batches.loss",
    (x, f) => r.number(x, f, { min: 0, nullable: true }),
  );
  const accuracy = r.numbers(
    r.member(b, "accuracy", "batches"),
    "batches.accuracy",
    (x, f) => r.number(x, f, fraction),
  );
  for (const [name, list] of [["loss", loss], ["accuracy", accuracy]] as const) {
    if (list.length !== config.epochs * perEpoch) {
      r.fail(`batches.${name}`, `must hold ${config.epochs} × ${perEpoch} values, got ${list.length}`);
    }
  }
  return { epochs, batches: { loss, accuracy } };
}

/**
 * Parses JSON text, naming the file when it is not JSON.
 *
 * @param file The file's path, for messages.
 * @param text Its text.
 * @returns The value.
 * @throws {ModelDirError} Text that is not JSON.
 */
export function parseJson(file: string, text: string): Json {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelDirError(file, `is not JSON: ${(error as Error).message}`, { cause: error });
  }
}
