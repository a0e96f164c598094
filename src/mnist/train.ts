/**
 * The H6.1 training loop: mini-batches of 100 from a seeded order (item a: several passes over
 * the data), one update each, the test accuracy every 100th update (item e), then the final
 * accuracies and the confusion matrix. Progress goes to a callback; nothing here prints.
 *
 * Batch i takes positions [i·B, (i+1)·B) of the endless sequence of seeded epoch permutations of
 * the training set, and dropout masks are seeded per (seed, iteration, layer): a run is a pure
 * function of its config, and a checkpoint needs no random state.
 * @module
 */
import { initBackend, tf } from "../train/backend.ts";
import { epochPermutation } from "../core/dataset.ts";
import type { EvaluationRecord, MnistHistory, MnistTrainingState, NamedArray } from "./checkpoint.ts";
import { loadMnist, MNIST_SOURCE, type MnistImages, splitMnist, takeRows } from "./data.ts";
import {
  accuracyOf,
  buildMnistModel,
  type LabelledImages,
  mnistStep,
  mnistVariables,
  predictMnist,
  type RoleVariable,
} from "./model.ts";
import { countMnistParams } from "./params.ts";
import { argmaxRows } from "./scores.ts";
import { H61, type MnistConfig, type MnistOverrides, resolveMnistConfig } from "./spec.ts";

/** What the loop reports while it runs. */
export type MnistProgress =
  | { kind: "iteration"; iteration: number; iterations: number; loss: number; accuracy: number }
  | { kind: "evaluation"; iterations: number; record: EvaluationRecord };

/** Options of {@link trainMnist}. */
export interface MnistTrainOptions {
  /** The model and any overrides of its spec config (unknown fields are rejected). */
  config: MnistOverrides;
  /** All images ({@link loadMnist}), split here by the config; read from the package when absent. */
  images?: MnistImages;
  /** Receives progress; optional. */
  onProgress?: (progress: MnistProgress) => void;
  /** A checkpoint to go on from; its config must equal the run's. The result is the same bytes as an uninterrupted run. */
  resume?: MnistTrainingState;
  /** Receives the training state every `checkpointEvery` updates and on interruption; training waits for it. */
  onCheckpoint?: (state: MnistTrainingState) => Promise<void> | void;
  /** Updates between checkpoints; 1,000 when absent. */
  checkpointEvery?: number;
  /** When aborted, training stops after the current update, hands the state to `onCheckpoint` and throws {@link MnistTrainingInterrupted}. */
  signal?: AbortSignal;
}

/** Training stopped on its signal; `state` goes on from there (see {@link MnistTrainOptions.resume}). */
export class MnistTrainingInterrupted extends Error {
  /** The error's name. */
  override name = "MnistTrainingInterrupted";
  /** Where training stopped. */
  readonly state: MnistTrainingState;

  /**
   * Says training was interrupted, with the updates done.
   *
   * @param state Where training stopped.
   */
  constructor(state: MnistTrainingState) {
    super(`MNIST training interrupted after ${state.iteration} of ${state.config.iterations} iterations`);
    this.state = state;
  }
}

/** Loss, accuracy and, for the test images, the confusion matrix. */
export interface SplitMetrics {
  /** Images. */
  size: number;
  /** Mean softmax cross-entropy, each probability clipped at 1e-7 (as Keras). */
  loss: number;
  /** Share classified right. */
  accuracy: number;
  /** `[true digit][predicted digit]` counts, 10x10. */
  confusion: number[][];
}

/** What a finished run measures. */
export interface MnistMetrics {
  /** The run's config. */
  config: MnistConfig;
  /** Trainable parameters (item e). */
  parameters: number;
  /** Where the images came from, and images per digit in each part. */
  data: { source: string; train: number[]; test: number[] };
  /** On every training image, after the last update. */
  train: SplitMetrics;
  /** On every test image, after the last update. */
  test: SplitMetrics;
  /** model.onnx against tf.layers `predict` on every test image; added when the run directory is written. */
  onnx?: MnistOnnxRecord;
  /** Wall-clock seconds of training and evaluation. */
  seconds: number;
}

/** The cross-check of model.onnx (onnxruntime-web) against tf.layers `predict` on the whole test split. */
export interface MnistOnnxRecord {
  /** The runtime, e.g. `onnxruntime-web 1.30.0 (wasm, 1 thread)`. */
  runtime: string;
  /** Largest |p_onnx − p_tfjs| over every test image and class. */
  maxAbsDiff: number;
  /** Whether every image gets the same predicted digit (row argmax) from both. */
  decisionsAgree: boolean;
  /** model.onnx's accuracy on the test split. */
  accuracy: number;
}

/** A trained network with its records. */
export interface MnistTrainResult {
  /** The trained network; the caller disposes it. */
  model: tf.LayersModel;
  /** Every update's loss and accuracy, and the evaluations. */
  history: MnistHistory;
  /** The final measures. */
  metrics: MnistMetrics;
}

/** Updates between yields to the event loop, so a signal (Ctrl-C) is seen. */
const YIELD_EVERY = 4;

/** Clip of a probability before its log (Keras's epsilon). */
const PROBABILITY_FLOOR = 1e-7;

/**
 * The training rows of iteration `iteration`: positions [i·B, (i+1)·B) of the sequence of epoch
 * permutations of the training set (each seeded by `epochPermutation` from (seed, epoch)).
 *
 * @param options `seed`, `trainSize`, `batchSize`, `iteration` (0-based).
 * @returns `batchSize` row indices into the training set.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * // positions 8..11: the last two rows of epoch 0's order, then the first two of epoch 1's
 * const a = batchRows({ seed: 1, trainSize: 10, batchSize: 4, iteration: 2 });
 * assertEquals(a.length, 4);
 * ```
 */
export function batchRows(
  options: { seed: number; trainSize: number; batchSize: number; iteration: number },
): Uint32Array {
  const { seed, trainSize, batchSize, iteration } = options;
  const rows = new Uint32Array(batchSize);
  let epoch = -1;
  let order: Uint32Array = new Uint32Array(0);
  for (let k = 0; k < batchSize; k++) {
    const p = iteration * batchSize + k;
    const e = Math.floor(p / trainSize);
    if (e !== epoch) {
      epoch = e;
      order = epochPermutation({ seed, epoch, size: trainSize });
    }
    rows[k] = order[p - e * trainSize];
  }
  return rows;
}

/**
 * Measures a network on images: loss, accuracy and the confusion matrix.
 *
 * @param model The network.
 * @param images Images and labels.
 * @returns The measures.
 */
export function evaluateMnist(model: tf.LayersModel, images: LabelledImages): SplitMetrics {
  const K = H61.classes;
  const p = predictMnist(model, images.x);
  const predicted = argmaxRows(p);
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let loss = 0;
  let right = 0;
  for (let i = 0; i < images.size; i++) {
    const y = images.y[i];
    loss -= Math.log(Math.max(p[i * K + y], PROBABILITY_FLOOR));
    confusion[y][predicted[i]]++;
    if (predicted[i] === y) right++;
  }
  return { size: images.size, loss: loss / images.size, accuracy: right / images.size, confusion };
}

/** Images per digit. */
function classCounts(y: Uint8Array): number[] {
  const counts = new Array<number>(H61.classes).fill(0);
  for (const c of y) counts[c]++;
  return counts;
}

/**
 * The run's optimizer: (a) plain gradient descent, η 0.5; (b)–(d) Adam with η, β1, β2, ε.
 *
 * @param config The optimizer's fields.
 * @returns A tfjs optimizer.
 */
export function makeMnistOptimizer(
  config: Pick<MnistConfig, "optimizer" | "learningRate" | "beta1" | "beta2" | "epsilon">,
): tf.Optimizer {
  return config.optimizer === "sgd"
    ? tf.train.sgd(config.learningRate)
    : tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
}

/** Whether an optimizer is Adam (`instanceof` cannot tell: tfjs optimizers answer it by duck typing). */
function isAdam(optimizer: tf.Optimizer): optimizer is tf.AdamOptimizer {
  return optimizer.getClassName() === "Adam";
}

const NAMES = {
  weight: (role: string) => `weights/${role}`,
  m: (role: string) => `adam/m/${role}`,
  v: (role: string) => `adam/v/${role}`,
  accBeta1: "adam/accBeta1",
  accBeta2: "adam/accBeta2",
} as const;

/** The weights and, for Adam, its moments and running β products, as named arrays. */
async function stateTensors(roles: readonly RoleVariable[], optimizer: tf.Optimizer): Promise<NamedArray[]> {
  const copy = (t: tf.Tensor) => Float32Array.from(t.dataSync());
  const tensors: NamedArray[] = roles.map(({ role, variable }) => ({
    name: NAMES.weight(role),
    shape: [...variable.shape],
    values: copy(variable),
  }));
  if (isAdam(optimizer)) {
    const [iter, ...moments] = await optimizer.getWeights();
    iter.tensor.dispose();
    const half = moments.length / 2;
    moments.forEach((w, k) =>
      tensors.push({
        name: (k < half ? NAMES.m : NAMES.v)(roles[k % half].role),
        shape: [...w.tensor.shape],
        values: copy(w.tensor),
      })
    );
    // tfjs's setWeights recomputes β^t with pow, which differs from the running product in the last bits
    tensors.push(
      { name: NAMES.accBeta1, shape: [], values: copy(optimizer["accBeta1"]) },
      { name: NAMES.accBeta2, shape: [], values: copy(optimizer["accBeta2"]) },
    );
  }
  return tensors;
}

/** Puts a checkpoint's weights into the variables and its Adam state into the optimizer. */
async function restoreTensors(
  state: MnistTrainingState,
  roles: readonly RoleVariable[],
  optimizer: tf.Optimizer,
): Promise<void> {
  const byName = new Map(state.tensors.map((t) => [t.name, t]));
  const take = (name: string, shape: readonly number[]) => {
    const t = byName.get(name);
    if (!t || t.shape.join() !== shape.join()) {
      throw new RangeError(`The checkpoint has no tensor "${name}" of shape [${shape}]`);
    }
    return tf.tensor(t.values, [...shape]);
  };
  tf.tidy(() => roles.forEach(({ role, variable }) => variable.assign(take(NAMES.weight(role), variable.shape))));
  if (!isAdam(optimizer)) return;
  if (!byName.has(NAMES.m(roles[0].role))) return; // checkpointed before the first update
  const moments = (["m", "v"] as const).flatMap((kind) =>
    roles.map(({ role, variable }) => ({
      name: `${variable.name}/${kind}`,
      tensor: take(NAMES[kind](role), variable.shape),
    }))
  );
  await optimizer.setWeights([{ name: "iter", tensor: tf.scalar(state.iteration, "int32") }, ...moments]);
  tf.tidy(() => {
    optimizer["accBeta1"].assign(take(NAMES.accBeta1, []));
    optimizer["accBeta2"].assign(take(NAMES.accBeta2, []));
  });
}

/**
 * Trains one H6.1 network from its config: the same config gives the same bytes (weights,
 * history, metrics other than seconds), and a resumed run gives the bytes of an uninterrupted one.
 *
 * @param options The config, the images, a progress callback, and checkpointing.
 * @returns The model, its history and its metrics.
 * @throws {TypeError|RangeError} A bad config, or a checkpoint of another config.
 * @throws {MnistTrainingInterrupted} When `options.signal` aborts before the last update.
 */
export async function trainMnist(options: MnistTrainOptions): Promise<MnistTrainResult> {
  for (const key of Object.keys(options)) {
    if (!["config", "images", "onProgress", "resume", "onCheckpoint", "checkpointEvery", "signal"].includes(key)) {
      throw new TypeError(`Unknown MNIST training option "${key}"`);
    }
  }
  const config = resolveMnistConfig(options.config);
  const resume = options.resume;
  if (resume && JSON.stringify(resume.config) !== JSON.stringify(config)) {
    throw new RangeError(
      `The checkpoint's config ${JSON.stringify(resume.config)} differs from the run's ${JSON.stringify(config)}`,
    );
  }
  const checkpointEvery = options.checkpointEvery ?? 1_000;
  if (!Number.isSafeInteger(checkpointEvery) || checkpointEvery < 1) {
    throw new RangeError(`Option "checkpointEvery" must be a positive integer, got ${checkpointEvery}`);
  }
  await initBackend();
  const started = performance.now() - 1000 * (resume?.seconds ?? 0);
  const seconds = () => (performance.now() - started) / 1000;
  const { train, test } = splitMnist(options.images ?? await loadMnist(), config);
  const model = buildMnistModel(config);
  const roles = mnistVariables(model);
  const optimizer = makeMnistOptimizer(config);
  const history: MnistHistory = resume ? structuredClone(resume.history) : { loss: [], accuracy: [], evaluations: [] };
  const rowsOf = (iteration: number) =>
    batchRows({ seed: config.seed, trainSize: config.trainSize, batchSize: config.batchSize, iteration });
  const snapshot = async (iteration: number): Promise<MnistTrainingState> => ({
    config,
    iteration,
    history: structuredClone(history),
    seconds: seconds(),
    tensors: await stateTensors(roles, optimizer),
  });
  // evaluate: the last batch (or the first, untrained) without dropout, and the whole test set
  const evaluate = (iteration: number) => {
    const batch = takeRows(train, rowsOf(Math.max(iteration - 1, 0)));
    const testMetrics = evaluateMnist(model, test);
    const record: EvaluationRecord = {
      iteration,
      batchAccuracy: accuracyOf(batch.y, predictMnist(model, batch.x)),
      testLoss: testMetrics.loss,
      testAccuracy: testMetrics.accuracy,
      seconds: seconds(),
    };
    history.evaluations.push(record);
    options.onProgress?.({ kind: "evaluation", iterations: config.iterations, record });
  };

  try {
    if (resume) await restoreTensors(resume, roles, optimizer);
    const first = resume?.iteration ?? 0;
    if (first === 0) evaluate(0);
    for (let i = first; i < config.iterations; i++) {
      if (i > first && i % YIELD_EVERY === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) {
        const state = await snapshot(i);
        await options.onCheckpoint?.(state);
        throw new MnistTrainingInterrupted(state);
      }
      // forward, backward, update
      const batch = takeRows(train, rowsOf(i));
      const { loss, accuracy } = mnistStep({ model, config, optimizer }, batch, i);
      // logging
      history.loss.push(loss);
      history.accuracy.push(accuracy);
      options.onProgress?.({ kind: "iteration", iteration: i + 1, iterations: config.iterations, loss, accuracy });
      const done = i + 1;
      if (done % config.evaluateEvery === 0 || done === config.iterations) evaluate(done);
      if (options.onCheckpoint && done % checkpointEvery === 0 && done < config.iterations) {
        await options.onCheckpoint(await snapshot(done));
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }

  // final evaluation on both whole parts
  const metrics: MnistMetrics = {
    config,
    parameters: countMnistParams(config).total,
    data: { source: MNIST_SOURCE, train: classCounts(train.y), test: classCounts(test.y) },
    train: evaluateMnist(model, train),
    test: evaluateMnist(model, test),
    seconds: seconds(),
  };
  return { model, history, metrics };
}
