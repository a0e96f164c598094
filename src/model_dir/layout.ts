/**
 * Where things live: the default directories and the files of a model directory.
 *
 * A model directory holds exactly these entries:
 *
 *   metrics.json        config, data counts, figures, the ONNX cross-check, file hashes
 *   history.json        per epoch and per batch records
 *   model.onnx          the exported network
 *   tfjs/model.json     the tf.layers topology and weight manifest
 *   tfjs/weights.bin    the tf.layers weights
 *
 * Beside it, in its parent, training keeps hidden siblings named after it: a staging copy
 * (`.NAME.tmp-PID`), the replaced copy during a swap (`.NAME.old-PID`) and the checkpoint of
 * an interrupted run (`.NAME.checkpoint`).
 * @module
 */

/** The model directory `deno task train` writes and every other task reads by default. */
export const DEFAULT_MODEL_DIR = "models/lstm-sum";
/** Where `deno task study` writes its results by default. */
export const DEFAULT_STUDY_DIR = "models/study";
/** Where `deno task report` writes the report by default. */
export const DEFAULT_REPORT_DIR = "models/report";

/** The files of a model directory, relative to it. */
export const MODEL_FILES = Object.freeze(
  {
    metrics: "metrics.json",
    history: "history.json",
    onnx: "model.onnx",
    tfjsModel: "tfjs/model.json",
    tfjsWeights: "tfjs/weights.bin",
  } as const,
);

/** The files whose SHA-256 metrics.json records, relative to the directory. */
export const HASHED_FILES = [MODEL_FILES.onnx, MODEL_FILES.tfjsModel, MODEL_FILES.tfjsWeights] as const;

/** One of {@link HASHED_FILES}. */
export type HashedFile = typeof HASHED_FILES[number];

/** The top-level entries a model directory may hold. */
export const MODEL_ENTRIES: readonly string[] = ["metrics.json", "history.json", "model.onnx", "tfjs"];

/** The files of the study directory, relative to it. */
export const STUDY_FILES = Object.freeze({ results: "results.json", probabilities: "probabilities.json" } as const);

/** Every file of a model directory as a path. */
export interface ModelPaths {
  /** The directory itself. */
  dir: string;
  metrics: string;
  history: string;
  onnx: string;
  /** The tfjs folder. */
  tfjs: string;
  tfjsModel: string;
  tfjsWeights: string;
}

/**
 * The paths of a model directory's files.
 *
 * @param dir The directory.
 * @returns Each file's path.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(modelPaths("m/").onnx, "m/model.onnx");
 * ```
 */
export function modelPaths(dir: string): ModelPaths {
  const d = trimSlashes(dir);
  return {
    dir: d,
    metrics: `${d}/${MODEL_FILES.metrics}`,
    history: `${d}/${MODEL_FILES.history}`,
    onnx: `${d}/${MODEL_FILES.onnx}`,
    tfjs: `${d}/tfjs`,
    tfjsModel: `${d}/${MODEL_FILES.tfjsModel}`,
    tfjsWeights: `${d}/${MODEL_FILES.tfjsWeights}`,
  };
}

/** The hidden siblings of a model directory, in its parent. */
export interface SiblingPaths {
  /** The parent folder. */
  parent: string;
  /** The directory's own name. */
  name: string;
  /** This process's staging copy. */
  staging: string;
  /** Where this process parks the replaced copy during a swap. */
  old: string;
  /** The checkpoint of an interrupted training run. */
  checkpoint: string;
}

/**
 * The hidden siblings of a model directory: staging copy, replaced copy, checkpoint.
 *
 * @param dir The model directory (not `/`).
 * @param pid The process that owns the staging and replaced copies.
 * @returns Their paths.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(siblingPaths("models/lstm-sum", 7).staging, "models/.lstm-sum.tmp-7");
 * assertEquals(siblingPaths("m", 7).checkpoint, "./.m.checkpoint");
 * ```
 */
export function siblingPaths(dir: string, pid: number = Deno.pid): SiblingPaths {
  const d = trimSlashes(dir);
  const slash = d.lastIndexOf("/");
  const parent = slash < 0 ? "." : slash === 0 ? "/" : d.slice(0, slash);
  const name = d.slice(slash + 1);
  const join = (leaf: string) => parent === "/" ? `/${leaf}` : `${parent}/${leaf}`;
  return {
    parent,
    name,
    staging: join(`.${name}.tmp-${pid}`),
    old: join(`.${name}.old-${pid}`),
    checkpoint: join(`.${name}.checkpoint`),
  };
}

/**
 * Recognises a leftover sibling of the directory named `name`: a staging or replaced copy,
 * or a checkpoint's temp file, with the process id that made it.
 *
 * @param name The model directory's own name.
 * @param entry A name found in its parent.
 * @returns The owner's process id, or undefined when `entry` is no such leftover.
 */
export function leftoverPid(name: string, entry: string): number | undefined {
  const prefix = `.${name}.`;
  if (!entry.startsWith(prefix)) return undefined;
  const m = /^(?:tmp-|old-|checkpoint\.)(\d+)(?:\.tmp)?$/.exec(entry.slice(prefix.length));
  if (!m) return undefined;
  const kind = entry.slice(prefix.length).split(/[-.]/)[0];
  if (kind === "checkpoint" && !entry.endsWith(".tmp")) return undefined;
  if (kind !== "checkpoint" && entry.endsWith(".tmp")) return undefined;
  return Number(m[1]);
}

function trimSlashes(dir: string): string {
  const d = dir.replace(/\/+$/, "");
  return d === "" && dir.startsWith("/") ? "/" : d;
}
