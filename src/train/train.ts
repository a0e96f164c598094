/**
 * The training loop (items f, g): seeded epoch orders, mini-batches of 50, Adam, and records
 * per batch and per epoch. Progress goes to a callback; nothing here prints.
 * @module
 */
import { initBackend, tf } from "./backend.ts";
import type { Batch } from "./batch.ts";
import { fastPredict } from "./fast.ts";
import { fastRecurrentPredict } from "./fast_rnn.ts";
import { type StepState, trainStep } from "./step.ts";
import { buildModel, lstmWeights, modelVariables, type RoleVariable, roleVariables } from "./model.ts";
import { referencePredict } from "./reference.ts";
import {
  type Dataset,
  datasetFor,
  epochPermutation,
  permuteWithinSeries,
  scaleDigits,
  type Split,
} from "../core/dataset.ts";
import { accuracy, binaryCrossEntropy, classificationReport, confusion } from "../core/metrics.ts";
import { exactClassPrior } from "../core/prior.ts";
import { archOf, INPUT_SCALING, type InputEncoding, resolveConfig, type TrainConfig } from "../core/spec.ts";
import type { EpochRecord, History, TrainingMetrics } from "../model_dir/schema.ts";
import type { NamedArray, TrainingState } from "../model_dir/checkpoint.ts";

export type { EpochRecord, History, TrainingMetrics, TrainingState };

/**
 * What {@link train} measures.
 * @deprecated Use {@link TrainingMetrics}; `Metrics` in `src/model_dir/` is metrics.json as written.
 */
export type Metrics = TrainingMetrics;

/** What the loop reports while it runs. */
export type Progress =
  | {
    kind: "batch";
    epoch: number;
    epochs: number;
    batch: number;
    batches: number;
    loss: number;
    accuracy: number;
  }
  | { kind: "epoch"; epochs: number; record: EpochRecord };

/** Options of {@link train}. */
export interface TrainOptions {
  /** Overrides of the spec config (unknown fields are rejected). */
  config?: Partial<TrainConfig>;
  /** Receives progress; optional. */
  onProgress?: (progress: Progress) => void;
  /** Data to train on instead of `makeDataset(config)` (the imbalance study); sizes must match the config. */
  data?: Dataset;
  /** Loss weights of class 0 and class 1 (the imbalance study); the spec's plain mean when omitted. */
  classWeights?: readonly [number, number];
  /** A checkpoint to go on from; its config must equal the run's. The result is the same bytes as an uninterrupted run. */
  resume?: TrainingState;
  /** Receives the training state after every epoch and on interruption; training waits for it. */
  onCheckpoint?: (state: TrainingState) => Promise<void> | void;
  /** When aborted, training stops after the current batch, hands the state to `onCheckpoint` and throws {@link TrainingInterrupted}. */
  signal?: AbortSignal;
  /** Called after each epoch's evaluation with the epoch (1-based) and the network as it is then;
   * it must not change the network (e.g. score a probe set with {@link predictSplit}). */
  onEpochEnd?: (epoch: number, model: tf.LayersModel) => void;
}

/** Training stopped on its signal; `state` goes on from there (see {@link TrainOptions.resume}). */
export class TrainingInterrupted extends Error {
  /** The error's name. */
  override name = "TrainingInterrupted";
  /** Where training stopped. */
  readonly state: TrainingState;

  /**
   * Says training was interrupted, with the epoch and batch reached.
   *
   * @param state Where training stopped.
   */
  constructor(state: TrainingState) {
    super(`Training interrupted after ${state.batch} batches of epoch ${state.epoch + 1}`);
    this.state = state;
  }
}

/** Training yields to the event loop once every this many batches (a few hundred ms on the full spec). */
export const YIELD_EVERY_BATCHES = 8;

/** The names under which a checkpoint stores the weights and the optimizer's state. */
const STATE_NAMES = {
  weight: (n: string) => `weights/${n}`,
  m: (n: string) => `adam/m/${n}`,
  v: (n: string) => `adam/v/${n}`,
  accBeta1: "adam/accBeta1",
  accBeta2: "adam/accBeta2",
  average: (n: string) => `average/${n}`,
} as const;

/**
 * The Adam optimizer's state as arrays: step count, both moments of every weight, and the
 * running products β1^t and β2^t. tfjs's `setWeights` recomputes those two with `pow`, which
 * differs from the running product in the last bits, so they are kept as they are.
 */
async function adamState(
  optimizer: tf.AdamOptimizer,
  roles: readonly RoleVariable[],
): Promise<{ iterations: number; tensors: NamedArray[] }> {
  const [iter, ...moments] = await optimizer.getWeights();
  const iterations = (await iter.tensor.data())[0];
  iter.tensor.dispose();
  const half = moments.length / 2;
  const copy = (t: tf.Tensor) => Float32Array.from(t.dataSync());
  const tensors = moments.map((w, k) => ({
    name: (k < half ? STATE_NAMES.m : STATE_NAMES.v)(roles[k % half].role),
    shape: w.tensor.shape,
    values: copy(w.tensor),
  }));
  tensors.push(
    { name: STATE_NAMES.accBeta1, shape: [], values: copy(optimizer["accBeta1"]) },
    { name: STATE_NAMES.accBeta2, shape: [], values: copy(optimizer["accBeta2"]) },
  );
  return { iterations, tensors };
}

/** The values of a checkpoint's tensor `name`, which must have `shape`. */
function stateValues(state: TrainingState, name: string, shape: readonly number[]): Float32Array {
  const t = state.tensors.find((x) => x.name === name);
  if (!t || t.shape.join() !== shape.join()) {
    throw new RangeError(`The checkpoint has no tensor "${name}" of shape [${shape}]`);
  }
  return t.values;
}

/** Puts a checkpoint's weights into the model's variables and its Adam state into the optimizer. */
async function restoreState(
  state: TrainingState,
  roles: readonly RoleVariable[],
  optimizer: tf.AdamOptimizer,
): Promise<void> {
  const take = (name: string, shape: readonly number[]) => tf.tensor(stateValues(state, name, shape), [...shape]);
  for (const { role, variable } of roles) variable.assign(take(STATE_NAMES.weight(role), variable.shape));
  const moments = state.tensors.some((t) => t.name === STATE_NAMES.m(roles[0].role))
    ? (["m", "v"] as const).flatMap((kind) =>
      roles.map(({ role, variable }) => ({
        name: `${variable.name}/${kind}`,
        tensor: take(STATE_NAMES[kind](role), variable.shape),
      }))
    )
    : [];
  await optimizer.setWeights([{ name: "iter", tensor: tf.scalar(state.iterations, "int32") }, ...moments]);
  optimizer["accBeta1"].assign(take(STATE_NAMES.accBeta1, []));
  optimizer["accBeta2"].assign(take(STATE_NAMES.accBeta2, []));
}

/** A checkpoint's running mean of the weights, one array per role. */
function restoreAverage(state: TrainingState, roles: readonly RoleVariable[]): Float32Array[] {
  return roles.map(({ role, variable }) =>
    Float32Array.from(stateValues(state, STATE_NAMES.average(role), variable.shape))
  );
}

/** A trained model with its records. */
export interface TrainResult {
  /** The trained network. */
  model: tf.LayersModel;
  /** Loss and accuracy per batch and per epoch. */
  history: History;
  /** The config, class counts, and loss and accuracy on both splits after the last epoch. */
  metrics: TrainingMetrics;
  /** The data set trained and validated on. */
  data: Dataset;
}

/**
 * Takes rows of a split as a batch in the network's input representation.
 *
 * @param split The series.
 * @param seriesLength Steps per series.
 * @param scaling The input scaling of the digits.
 * @param rows Indices of the rows to take, in batch order.
 * @returns The rows' scaled digits and labels, `rows.length` series.
 */
export function batchOf(
  split: Split,
  seriesLength: number,
  scaling: InputEncoding,
  rows: ArrayLike<number>,
): Batch {
  return {
    x: scaleDigits(split.x, seriesLength, scaling, rows),
    y: Float32Array.from(rows, (r) => split.y[r]),
    size: rows.length,
    seriesLength,
  };
}

/**
 * The training split one epoch trains on: the split itself, or with `config.permuteDigits` each
 * series' digits in that epoch's seeded order ({@link permuteWithinSeries} on the training seed).
 *
 * @param config The run's seed, series length and `permuteDigits`.
 * @param split The training split.
 * @param epoch 0-based.
 * @returns The split to draw the epoch's batches from.
 */
export function epochSplit(
  config: Pick<TrainConfig, "seed" | "seriesLength" | "permuteDigits">,
  split: Split,
  epoch: number,
): Split {
  if (!config.permuteDigits) return split;
  const x = permuteWithinSeries({ seed: config.seed, epoch, x: split.x, seriesLength: config.seriesLength });
  return { ...split, x };
}

/** Share of series whose decision (p >= 0.5) matches the label. */
const accuracyOf = (y: ArrayLike<number>, p: ArrayLike<number>): number => accuracy(confusion(y, p));

/**
 * P(class 1) for every series of a split, by the trainer's own forward path.
 *
 * @param model The network.
 * @param split The series.
 * @param config Its steps, input scaling and trainer.
 * @returns Probabilities, shape `[split.size]`.
 */
export function predictSplit(
  model: tf.LayersModel,
  split: Split,
  config: TrainConfig,
): Float32Array {
  const { seriesLength, trainer } = config;
  const x = scaleDigits(
    split.x,
    seriesLength,
    INPUT_SCALING[config.inputScaling],
  );
  const arch = archOf(config);
  if (trainer !== "fast") return referencePredict(model, x, seriesLength);
  if (arch === "lstm") return fastPredict(lstmWeights(model), x, seriesLength, undefined, config.matmul);
  if (arch === "rnn" || arch === "gru") return fastRecurrentPredict(arch, roleVariables(model, arch), x, seriesLength);
  return referencePredict(model, x, seriesLength);
}

/**
 * The exercise's optimizer (item g): Adam with the config's η, β1, β2 and ε.
 *
 * @param config The training config.
 * @returns A tfjs Adam optimizer.
 */
export function makeOptimizer(
  config: Pick<TrainConfig, "learningRate" | "beta1" | "beta2" | "epsilon">,
): tf.AdamOptimizer {
  return tf.train.adam(
    config.learningRate,
    config.beta1,
    config.beta2,
    config.epsilon,
  );
}

/**
 * Trains the exercise's network from a seed: the same config gives the same bytes.
 *
 * @param options Config overrides, a progress callback, and a checkpoint to go on from, a
 *   checkpoint receiver and a stop signal.
 * @returns The model, its history and its metrics.
 * @throws {TypeError|RangeError} A bad config, or a checkpoint of another config.
 * @throws {TrainingInterrupted} When `options.signal` aborts before the last batch.
 */
export async function train(options: TrainOptions = {}): Promise<TrainResult> {
  const config = resolveConfig(options.config);
  const resume = options.resume;
  if (resume && JSON.stringify(resume.config) !== JSON.stringify(config)) {
    throw new RangeError(
      `The checkpoint's config ${JSON.stringify(resume.config)} differs from the run's ${JSON.stringify(config)}`,
    );
  }
  await initBackend();
  const started = performance.now() - 1000 * (resume?.seconds ?? 0);
  const { seriesLength: T, batchSize } = config;
  const data = options.data ?? datasetFor(config);
  if (data.train.size !== config.trainSize || data.validation.size !== config.validationSize) {
    throw new RangeError(
      `Data of ${data.train.size}/${data.validation.size} series does not match the config's ${config.trainSize}/${config.validationSize}`,
    );
  }
  if (options.classWeights && config.classZeroWeight !== undefined) {
    throw new RangeError(
      `Config field classZeroWeight ${config.classZeroWeight} and the classWeights option ${options.classWeights} are two loss weightings; give one`,
    );
  }
  const classWeights = options.classWeights ??
    (config.classZeroWeight === undefined ? undefined : [config.classZeroWeight, 1] as const);
  const model = buildModel(config);
  const arch = archOf(config);
  const roles = roleVariables(model, arch);
  const optimizer = makeOptimizer(config);
  const stepState: StepState = {
    model,
    arch,
    variables: arch === "lstm" ? modelVariables(model) : undefined,
    roles,
    optimizer,
    trainer: config.trainer,
    matmul: config.matmul,
    clipNorm: config.clipNorm,
  };
  const history: History = resume
    ? structuredClone(resume.history)
    : { epochs: [], batches: { loss: [], accuracy: [] } };
  const batches = config.trainSize / batchSize;
  const valY = data.validation.y;
  const scaling = INPUT_SCALING[config.inputScaling];

  const snapshot = async (epoch: number, batch: number, epochStart: number): Promise<TrainingState> => {
    const adam = await adamState(optimizer, roles);
    const now = performance.now();
    return {
      config,
      epoch,
      batch,
      history: structuredClone(history),
      seconds: (now - started) / 1000,
      epochSeconds: batch === 0 ? 0 : (now - epochStart) / 1000,
      iterations: adam.iterations,
      tensors: [
        ...roles.map(({ role, variable }) => ({
          name: STATE_NAMES.weight(role),
          shape: variable.shape,
          values: Float32Array.from(variable.dataSync()),
        })),
        ...adam.tensors,
        ...(average ?? []).map((values, k) => ({
          name: STATE_NAMES.average(roles[k].role),
          shape: roles[k].variable.shape,
          values: Float32Array.from(values),
        })),
      ],
    };
  };

  // the running mean of the weights (config.averageFrom), once averaging has begun: taken in at the end of every
  // epoch from averageFrom, or with averageEvery "batch" after every batch of those epochs
  let average: Float32Array[] | undefined;
  const everyBatch = config.averageEvery === "batch";
  /** Snapshots in the mean once `batch` batches of the epoch with 0-based index `epoch` are done. */
  const averaged = (epoch: number, batch: number) => {
    if (config.averageFrom === undefined) return 0;
    const first = config.averageFrom - 1; // 0-based index of the first averaged epoch
    return Math.max(0, everyBatch ? (epoch - first) * batches + batch : epoch - first);
  };
  /** Takes the current weights into the mean as its k-th snapshot (k 0: not averaging yet). */
  const takeIn = (k: number) => {
    if (k === 1) average = roles.map((r) => Float32Array.from(r.variable.dataSync()));
    else if (k > 1) {
      roles.forEach((r, w) => {
        const now = r.variable.dataSync();
        const mean = average![w];
        for (let i = 0; i < mean.length; i++) mean[i] += (now[i] - mean[i]) / k;
      });
    }
  };

  try {
    if (resume) {
      await restoreState(resume, roles, optimizer);
      if (averaged(resume.epoch, resume.batch) > 0) average = restoreAverage(resume, roles);
    }
    for (let epoch = resume?.epoch ?? 0; epoch < config.epochs; epoch++) {
      // a checkpoint taken inside this epoch: its batches are done, its seconds spent
      const first = epoch === resume?.epoch ? resume.batch : 0;
      const epochStart = performance.now() - (first ? 1000 * resume!.epochSeconds : 0);
      const order = epochPermutation({
        seed: config.seed,
        epoch,
        size: config.trainSize,
      });
      const trainSplit = epochSplit(config, data.train, epoch);
      let lossSum = 0;
      let accSum = 0;
      for (let b = 0; b < first; b++) {
        lossSum += history.batches.loss[epoch * batches + b];
        accSum += history.batches.accuracy[epoch * batches + b];
      }
      for (let b = first; b < batches; b++) {
        // let timers, signals (Ctrl-C) and a runner's closed pipe be seen within a few batches
        if (b > first && b % YIELD_EVERY_BATCHES === 0) await new Promise((resolve) => setTimeout(resolve, 0));
        if (options.signal?.aborted) {
          const state = await snapshot(epoch, b, epochStart);
          await options.onCheckpoint?.(state);
          throw new TrainingInterrupted(state);
        }
        // forward, backward, update
        const batch = batchOf(
          trainSplit,
          T,
          scaling,
          order.subarray(b * batchSize, (b + 1) * batchSize),
        );
        if (classWeights) batch.w = Float32Array.from(batch.y, (y) => classWeights[y]);
        const { loss, probabilities } = trainStep(stepState, batch);
        if (everyBatch) takeIn(averaged(epoch, b + 1));
        // logging
        const accuracy = accuracyOf(batch.y, probabilities);
        history.batches.loss.push(loss);
        history.batches.accuracy.push(accuracy);
        lossSum += loss;
        accSum += accuracy;
        options.onProgress?.({
          kind: "batch",
          epoch: epoch + 1,
          epochs: config.epochs,
          batch: b + 1,
          batches,
          loss,
          accuracy,
        });
      }
      // evaluate
      const valP = predictSplit(model, data.validation, config);
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / batches,
        accuracy: accSum / batches,
        valLoss: binaryCrossEntropy(valY, valP),
        valAccuracy: accuracyOf(valY, valP),
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.epochs.push(record);
      options.onEpochEnd?.(epoch + 1, model);
      if (!everyBatch) takeIn(averaged(epoch + 1, 0));
      if (options.onCheckpoint) await options.onCheckpoint(await snapshot(epoch + 1, 0, epochStart));
      options.onProgress?.({ kind: "epoch", epochs: config.epochs, record });
    }
  } finally {
    optimizer.dispose();
  }
  // the kept weights: the running mean when averaging, else the last
  if (average) {
    tf.tidy(() => roles.forEach((r, w) => r.variable.assign(tf.tensor(average![w], r.variable.shape))));
  }

  // final evaluation on both whole splits (deliverable 1, item d)
  const trainP = predictSplit(model, data.train, config);
  const valP = predictSplit(model, data.validation, config);
  const counts = (s: Split) => ({
    size: s.size,
    positives: s.positives,
    negatives: s.negatives,
  });
  const metrics: TrainingMetrics = {
    config,
    data: {
      train: counts(data.train),
      validation: counts(data.validation),
      exactPositiveRate: exactClassPrior({ seriesLength: T, threshold: config.threshold })
        .positiveRate,
    },
    train: {
      loss: binaryCrossEntropy(data.train.y, trainP),
      accuracy: accuracyOf(data.train.y, trainP),
    },
    validation: classificationReport(valY, valP),
    parameters: model.countParams(),
    seconds: (performance.now() - started) / 1000,
  };
  return { model, history, metrics, data };
}
