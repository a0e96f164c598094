/**
 * A training run into a model directory, as `deno task train` makes it: the target checked
 * before any work, a checkpoint after every epoch (and on interruption), the export and its
 * cross-check, then the whole directory written at once and the checkpoint removed.
 * @module
 */
import { initBackend } from "./backend.ts";
import { exportAndCheck } from "./export.ts";
import { tfjsFiles } from "./save.ts";
import { type Progress, train, type TrainingState } from "./train.ts";
import { configDifferences, resolveConfig, type TrainConfig } from "../core/spec.ts";
import {
  checkModelDirTarget,
  checkParentWritable,
  checkpointPath,
  type Metrics,
  ModelDirError,
  readCheckpoint,
  removeCheckpoint,
  removeLeftovers,
  writeCheckpoint,
  writeModelDir,
} from "../model_dir/mod.ts";

/** Options of {@link prepareRun} and {@link trainModelDir}. */
export interface RunOptions {
  /** The model directory to write. */
  out: string;
  /** The config asked for; when resuming and absent, the checkpoint's. */
  config?: Partial<TrainConfig>;
  /** Go on from the checkpoint of an interrupted run into `out`. */
  resume?: boolean;
  /** Replace a model of another config at `out`, or discard a checkpoint. */
  force?: boolean;
}

/** What a run will do, decided before it starts. */
export interface RunPlan {
  /** The full config. */
  config: TrainConfig;
  /** The checkpoint to go on from, when resuming. */
  resume?: TrainingState;
  /** Leftovers of dead runs that were removed. */
  removed: string[];
}

/**
 * Checks everything a run needs before it starts: the target directory (see
 * `checkModelDirTarget`), a writable parent, and the checkpoint: present when resuming (and of
 * the config asked for, if one is), absent otherwise unless `force` discards it. Removes the
 * leftovers of dead runs.
 *
 * @param options The target, the config, `resume` and `force`.
 * @returns The config and the checkpoint to go on from.
 * @throws {ModelDirError} A refused target, or a missing, unreadable or mismatched checkpoint.
 * @throws {TypeError|RangeError} A bad config.
 */
export async function prepareRun(options: RunOptions): Promise<RunPlan> {
  const { out } = options;
  const removed = await removeLeftovers(out);
  const path = checkpointPath(out);
  let checkpoint: TrainingState | undefined;
  try {
    checkpoint = await readCheckpoint(out);
  } catch (error) {
    if (!(error instanceof ModelDirError) || options.resume || !options.force) throw error;
    await removeCheckpoint(out); // a broken checkpoint, discarded by force
  }
  let config: TrainConfig;
  let resume: TrainingState | undefined;
  if (options.resume) {
    if (!checkpoint) throw new ModelDirError(path, `does not exist: no interrupted run of ${out} to resume`);
    config = options.config ? { ...resolveConfig(options.config) } : checkpoint.config;
    const diff = configDifferences(checkpoint.config, config);
    if (diff.length) {
      const what = diff.map((k) =>
        `${k} ${JSON.stringify(checkpoint.config[k])} there, ${JSON.stringify(config[k])} here`
      );
      throw new ModelDirError(path, `was made with another config (${what.join("; ")}): resume without config flags`);
    }
    resume = checkpoint;
  } else {
    config = { ...resolveConfig(options.config) };
    if (checkpoint && !options.force) {
      throw new ModelDirError(
        path,
        `holds an interrupted run (${checkpoint.epoch} of ${checkpoint.config.epochs} epochs done): pass --resume to go on, or --force to start over`,
      );
    }
  }
  await checkModelDirTarget(out, config, { force: options.force });
  await checkParentWritable(out);
  if (checkpoint && !resume) await removeCheckpoint(out);
  return { config, resume, removed };
}

/** Options of {@link trainModelDir}. */
export interface TrainModelDirOptions extends RunOptions {
  /** The plan {@link prepareRun} made for these options; made here when absent. */
  plan?: RunPlan;
  /** Receives the plan before training starts. */
  onStart?: (plan: RunPlan) => void;
  /** Receives progress. */
  onProgress?: (progress: Progress) => void;
  /** Stops training after the current batch; a checkpoint is written first. */
  signal?: AbortSignal;
}

/** What {@link trainModelDir} returns. */
export interface TrainModelDirResult {
  /** metrics.json as written. */
  metrics: Metrics;
  /** Whether the ONNX cross-check passed. */
  ok: boolean;
  /** What failed in it. */
  problems: string[];
}

/**
 * Trains into a model directory: {@link prepareRun}, then training with a checkpoint after
 * every epoch, then the export, then the whole directory at once (`writeModelDir`); the
 * checkpoint is removed last. A run resumed from a checkpoint writes the same bytes as one
 * that was never interrupted, but for the recorded seconds.
 *
 * @param options The target, the config, resume/force, progress and a stop signal.
 * @returns metrics.json as written and the cross-check's outcome.
 * @throws {TrainingInterrupted} When `signal` aborts; the checkpoint is written.
 * @throws {ModelDirError} A refused target or checkpoint, or a file that cannot be written.
 */
export async function trainModelDir(options: TrainModelDirOptions): Promise<TrainModelDirResult> {
  const plan = options.plan ?? await prepareRun(options);
  await initBackend();
  options.onStart?.(plan);
  const { model, history, metrics, data } = await train({
    config: plan.config,
    resume: plan.resume,
    signal: options.signal,
    onProgress: options.onProgress,
    onCheckpoint: (state) => writeCheckpoint(options.out, state),
  });
  const check = await exportAndCheck({ model, metrics, data });
  const tfjs = await tfjsFiles(model);
  model.dispose();
  const written = await writeModelDir(
    options.out,
    { metrics: { ...metrics, onnx: check.result, boundary: check.boundary }, history, onnx: check.bytes, tfjs },
    { force: options.force },
  );
  await removeCheckpoint(options.out);
  return { metrics: written, ok: check.ok, problems: check.problems };
}
