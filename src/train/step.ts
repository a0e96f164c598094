/**
 * One training step, shared by the training loop and the benchmark: gradients of a batch by
 * the configured trainer, then the Adam update.
 * @module
 */
import { tf } from "./backend.ts";
import type { Batch } from "./batch.ts";
import { fastGradients, type FastProfile } from "./fast.ts";
import { fastRecurrentGradients } from "./fast_rnn.ts";
import type { LstmVariables, RoleVariable } from "./model.ts";
import { autodiffGradients, conv1dForward, referenceGradients } from "./reference.ts";
import type { Arch, Matmul, TrainerName } from "../core/spec.ts";

/** What a step reports of its batch. */
export interface StepResult {
  /** Mean binary cross-entropy over the batch, before the update. */
  loss: number;
  /** P(class 1) per series, before the update, shape `[size]`. */
  probabilities: Float32Array;
}

/** Everything a step reads and updates. */
export interface StepState {
  /** The network, read by the reference trainer and by autodiff. */
  model: tf.LayersModel;
  /** Its arch; absent, the LSTM. */
  arch?: Arch;
  /** The LSTM's trainable variables, by role (for the fast path). */
  variables?: LstmVariables;
  /** Every trainable variable with its role, in the optimizer's order. */
  roles: readonly RoleVariable[];
  /** The optimizer, whose moments the step advances. */
  optimizer: tf.Optimizer;
  /** Which path computes the gradients. */
  trainer: TrainerName;
  /** The fast LSTM path's products (config field `matmul`); absent, tfjs-WASM's XNNPACK. */
  matmul?: Matmul;
  /** When set, the gradients are scaled so that their global L2 norm is at most this. */
  clipNorm?: number;
}

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`): each is multiplied by min(1, maxNorm / norm).
 *
 * @param grads The gradients; replaced in place by the scaled ones, the originals disposed.
 * @param maxNorm The largest norm let through.
 * @returns The global norm before scaling.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): number {
  const norm = Math.sqrt(
    Object.values(grads).reduce((a, g) => a + tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]), 0),
  );
  if (norm > maxNorm) {
    for (const [name, g] of Object.entries(grads)) {
      grads[name] = tf.tidy(() => tf.mul(g, maxNorm / norm));
      g.dispose();
    }
  }
  return norm;
}

/**
 * Computes the batch's loss and gradients and applies one optimizer update.
 *
 * @param state The network, its weights, the optimizer and the trainer.
 * @param batch The mini-batch.
 * @param profile When given (fast trainer), the time of each phase, the update included, is added to it.
 * @returns The batch's loss and probabilities, from the weights before the update.
 */
export function trainStep(state: StepState, batch: Batch, profile?: FastProfile): StepResult {
  const arch = state.arch ?? "lstm";
  const lstm = arch === "lstm";
  if (lstm && state.trainer === "fast" && !state.variables) throw new Error("The fast path needs the LSTM's variables");
  // the LSTM, SimpleRNN and GRU by their fast paths or by autodiff; the other archs by autodiff
  const { loss, probabilities, grads }: {
    loss: number;
    probabilities: Float32Array;
    grads: Record<string, tf.Tensor>;
  } = state.trainer === "fast" && lstm
    ? fastGradients(state.variables!, batch, profile, state.matmul)
    : state.trainer === "fast" && (arch === "rnn" || arch === "gru")
    ? fastRecurrentGradients(arch, state.roles, batch)
    : lstm
    ? referenceGradients(state.model, batch)
    : autodiffGradients(
      state.model,
      batch,
      state.roles,
      arch === "conv1d" ? (xs) => conv1dForward(state.model, xs) : undefined,
    );
  if (state.clipNorm !== undefined) clipByGlobalNorm(grads, state.clipNorm);
  const update = profile ? performance.now() : 0;
  state.optimizer.applyGradients(state.roles.map((r) => ({ name: r.variable.name, tensor: grads[r.role] })));
  tf.dispose(Object.values(grads));
  if (profile) {
    state.roles[0].variable.dataSync(); // wait for the update
    profile.adam += performance.now() - update;
  }
  return { loss, probabilities };
}
