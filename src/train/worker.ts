/**
 * A gradient worker of the fast trainer: it computes {@link fastGradients} on its share of a
 * batch, on its own tfjs WASM instance, and sends the gradients back as arrays.
 * @module
 */
/// <reference lib="deno.worker" />
import { initBackend, tf } from "./backend.ts";
import { fastGradients } from "./fast.ts";
import type { LstmWeights } from "./model.ts";
import type { ShardRequest, ShardResult } from "./parallel.ts";

self.onmessage = async (event: MessageEvent<ShardRequest>) => {
  await initBackend();
  const { id, weights, shapes, batch } = event.data;
  const w = Object.fromEntries(
    Object.entries(weights).map((
      [name, values],
    ) => [name, tf.tensor(values, shapes[name as keyof LstmWeights])]),
  ) as unknown as LstmWeights;
  const { loss, probabilities, grads } = fastGradients(w, batch);
  const arrays = Object.fromEntries(
    Object.entries(grads).map((
      [name, t],
    ) => [name, t.dataSync() as Float32Array]),
  ) as ShardResult["grads"];
  tf.dispose([...Object.values(w), ...Object.values(grads)]);
  const result: ShardResult = { id, loss, probabilities, grads: arrays };
  self.postMessage(
    result,
    [
      probabilities.buffer,
      ...Object.values(arrays).map((a) => a.buffer),
    ] as Transferable[],
  );
};
