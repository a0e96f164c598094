/**
 * The run file: everything one run (one config plus one seed) produced, as one JSON file
 * written atomically under the plan's folder. This module owns its schema.
 * @module
 */
import { writeJsonAtomic } from "../io/atomic.ts";
import type { ClassificationReport } from "../core/metrics.ts";
import type { BoundaryScores } from "../core/boundary.ts";
import type { CutValidation, SumLineCut, ThresholdFacts } from "../core/cutoff.ts";
import type { LogitFit } from "../core/diagnosis.ts";
import type { EpochRecord } from "../model_dir/schema.ts";
import { RUN_VARIANTS, type RunSpec } from "../core/plan.ts";
import { resolveConfig } from "../core/spec.ts";

/** A logit fit as a run file holds it: files written before the same-sum scatter (or the digits' extra counts) was measured lack its fields. */
export type RecordedLogitFit =
  & Omit<LogitFit, "sameSumSd" | "scatterSums" | "countsResidualSd" | "digitExtraSums">
  & Partial<Pick<LogitFit, "sameSumSd" | "scatterSums" | "countsResidualSd" | "digitExtraSums">>;

/** The format tag every run file carries. */
export const RUN_FORMAT = "lstm-sum/run@1";

/** One epoch of a run's history: as in a model directory's history.json. */
export type RunEpoch = EpochRecord;

/** The boundary after one epoch, on a smaller boundary set than the final one. */
export interface BoundaryEpoch {
  epoch: number;
  justBelow: number;
  atThreshold: number;
  band: number;
  effectiveThreshold: number;
}

/** The boundary set scored at one decision cut-off. */
export type CutBoundary = { justBelow: number; atThreshold: number; band: number; effectiveThreshold: number };

/** The run's model deciding by its mean logit over fixed orders of each series' digits (`orderMeanScores`). */
export interface OrderMeanRecord {
  /** Orders averaged over, the first the digits as drawn. */
  orders: number;
  /** The seed of the orders after the first. */
  seed: number;
  /** The natural validation split at the cut-off 0.5. */
  validation: CutValidation;
  /** The boundary set at the cut-off 0.5. */
  boundary: CutBoundary;
  /** logit(p) against the sum on the boundary set. */
  boundaryFit: RecordedLogitFit;
  /** The cut-off at the training split's sum line, fitted on the training series' order means (absent when the
   * split cannot carry the fit). */
  sumLineCut?: SumLineCut & { boundary: CutBoundary };
}

/** A run file. */
export interface RunRecord extends RunSpec {
  format: typeof RUN_FORMAT;
  /** The file name, derived from the spec alone ({@link runName}). */
  name: string;
  /** Series the variant trained on and how many were class 0. */
  trainData: { size: number; negatives: number };
  /** Loss weights of class 0 and 1, for the class-weighted variant. */
  classWeights?: [number, number];
  /** Loss and accuracy on the variant's own training split, after training. */
  train: { loss: number; accuracy: number };
  /** Every measure on the natural validation split of the run's data seed. */
  validation: ClassificationReport & { prAucClass0: number };
  /** P(class 1) of every natural validation series, 7 significant digits. */
  validationProbabilities: number[];
  /** The digit sum of every natural validation series, in the same order. */
  validationSums: number[];
  /** Accuracy and mean P per sum on series drawn at each sum around the threshold. */
  boundary: BoundaryScores;
  /** logit(p) against the sum on the boundary set: slope, crossing and blur (absent in run files written before it). */
  boundaryFit?: RecordedLogitFit;
  /** The boundary after every epoch (absent in run files written before it). */
  boundaryHistory?: BoundaryEpoch[];
  /** The decision cut-off chosen on the variant's training split alone, and what it gives on the
   * natural validation split and on the boundary set (absent in run files written before it). */
  trainCut?: ThresholdFacts & { boundary: { justBelow: number; atThreshold: number; band: number } };
  /** The cut-off at the training split's line of logit(p) against the sum, at the middle between the classes'
   * sums, and what it gives on the natural validation split and on the boundary set (absent in run files
   * written before it). */
  sumLineCut?: SumLineCut & { boundary: CutBoundary };
  /** The same model deciding by its order mean (absent in run files written before it). */
  orderMean?: OrderMeanRecord;
  /** Per epoch: loss, accuracy, validation loss and accuracy, seconds. */
  history: RunEpoch[];
  /** Wall-clock seconds of the whole run: the one field that differs between two identical runs. */
  seconds: number;
}

/** A run file that cannot be read, named with its problem. */
export class RunFileError extends Error {
  override name = "RunFileError";
}

/**
 * Writes a run file atomically: a reader sees the whole file or none.
 *
 * @param path The file.
 * @param record The run.
 */
export function writeRunRecord(path: string, record: RunRecord): Promise<void> {
  return writeJsonAtomic(path, record);
}

/**
 * Reads and checks a run file.
 *
 * @param path The file.
 * @returns The run.
 * @throws {RunFileError} Not JSON, another format, or a field missing or of the wrong kind, named.
 * @throws {Deno.errors.NotFound} No such file.
 */
export async function readRunRecord(path: string): Promise<RunRecord> {
  const text = await Deno.readTextFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunFileError(`${path}: not JSON (${(error as Error).message})`);
  }
  return checkRunRecord(path, value);
}

/**
 * Checks a parsed run file.
 *
 * @param path The file, for messages.
 * @param value The parsed JSON.
 * @returns The run.
 * @throws {RunFileError} A field missing or of the wrong kind, named.
 */
export function checkRunRecord(path: string, value: unknown): RunRecord {
  const fail = (field: string, what: string): never => {
    throw new RunFileError(`${path}: field "${field}" ${what}`);
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) fail("(root)", "must be an object");
  const r = value as Record<string, unknown>;
  if (r.format !== RUN_FORMAT) fail("format", `must be "${RUN_FORMAT}", got ${JSON.stringify(r.format)?.slice(0, 40)}`);
  if (typeof r.name !== "string") fail("name", "must be a string");
  if (!RUN_VARIANTS.includes(r.variant as never)) fail("variant", `must be one of ${RUN_VARIANTS.join(", ")}`);
  try {
    resolveConfig(r.config as never);
  } catch (error) {
    fail("config", `is invalid: ${(error as Error).message}`);
  }
  const isNumbers = (x: unknown) => Array.isArray(x) && x.every((v) => typeof v === "number");
  for (const field of ["validationProbabilities", "validationSums"]) {
    if (!isNumbers(r[field])) fail(field, "must be an array of numbers");
  }
  if (!Array.isArray(r.history)) fail("history", "must be an array");
  const b = r.boundary as Record<string, unknown> | undefined;
  for (const field of ["sums", "accuracy", "meanP"]) {
    if (!isNumbers(b?.[field])) fail(`boundary.${field}`, "must be an array of numbers");
  }
  const v = r.validation as Record<string, unknown> | undefined;
  for (const field of ["accuracy", "specificity", "mcc", "rocAuc", "balancedAccuracy", "loss"]) {
    if (typeof v?.[field] !== "number" && v?.[field] !== null) fail(`validation.${field}`, "must be a number");
  }
  if (typeof r.seconds !== "number") fail("seconds", "must be a number");
  return r as unknown as RunRecord;
}
