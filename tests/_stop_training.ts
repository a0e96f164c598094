/** A training run stopped by its signal at a chosen batch, for tests that resume from its state. */
import { assertRejects } from "@std/assert";
import { train, TrainingInterrupted, type TrainingState, type TrainOptions } from "../src/train/mod.ts";

/**
 * Runs {@link train} and aborts it when batch `at.batch` of epoch `at.epoch` is done.
 *
 * @param options The run's options; `signal` and `onProgress` are this helper's.
 * @param at The epoch (1-based) and the batch of it after which the signal fires.
 * @returns The state the run stopped with (`TrainingInterrupted.state`).
 */
export async function stopTrainingAt(
  options: Omit<TrainOptions, "signal" | "onProgress">,
  at: { epoch: number; batch: number },
): Promise<TrainingState> {
  const controller = new AbortController();
  const stopped = await assertRejects(
    () =>
      train({
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.kind === "batch" && p.epoch === at.epoch && p.batch === at.batch) controller.abort();
        },
      }),
    TrainingInterrupted,
  );
  return (stopped as TrainingInterrupted).state;
}
