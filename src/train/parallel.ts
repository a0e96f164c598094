/**
 * Data-parallel fast gradients: a batch is cut into `threads` contiguous shards; the first is
 * computed on the calling thread, the others on workers, each with its own tfjs WASM instance
 * (tfjs's WASM backend is single-threaded under Deno). The shard gradients are combined in
 * shard order, weighted by shard size, so a given thread count always gives the same bytes.
 * @module
 */
import { tf } from "./backend.ts";
import type { Batch, BatchGradients } from "./batch.ts";
import { fastGradients } from "./fast.ts";
import { type LstmWeights, WEIGHT_NAMES } from "./model.ts";

/** A worker's task. */
export interface ShardRequest {
  id: number;
  weights: Record<keyof LstmWeights, Float32Array>;
  shapes: Record<keyof LstmWeights, number[]>;
  batch: Batch;
}

/** A worker's answer. */
export interface ShardResult {
  id: number;
  loss: number;
  probabilities: Float32Array;
  grads: Record<keyof LstmWeights, Float32Array>;
}

/** Cuts `size` rows into `parts` contiguous shards, the larger ones first. */
export function shardBounds(size: number, parts: number): [number, number][] {
  const bounds: [number, number][] = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const n = Math.floor(size / parts) + (k < size % parts ? 1 : 0);
    bounds.push([start, start + n]);
    start += n;
  }
  return bounds.filter(([a, b]) => b > a);
}

function shardOf(batch: Batch, [a, b]: [number, number]): Batch {
  const T = batch.seriesLength;
  return {
    x: batch.x.slice(a * T, b * T),
    y: batch.y.slice(a, b),
    w: batch.w?.slice(a, b),
    size: b - a,
    seriesLength: T,
  };
}

/** Fast gradients over several threads. Close it when done, or the workers keep the process alive. */
export class ParallelGradients {
  #workers: Worker[];
  #next = 0;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  /**
   * Starts `threads − 1` workers.
   *
   * @param threads Threads in all, the caller's included (1 means no worker).
   * @returns The pool.
   * @throws {RangeError} A thread count that is not a positive integer.
   */
  static start(threads: number): ParallelGradients {
    if (!Number.isSafeInteger(threads) || threads < 1) {
      throw new RangeError(
        `Threads must be a positive integer, got ${threads}`,
      );
    }
    const url = new URL("./worker.ts", import.meta.url).href;
    return new ParallelGradients(
      Array.from(
        { length: threads - 1 },
        () => new Worker(url, { type: "module" }),
      ),
    );
  }

  /** Threads in use, the caller's included. */
  get threads(): number {
    return this.#workers.length + 1;
  }

  #run(worker: Worker, request: ShardRequest): Promise<ShardResult> {
    return new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<ShardResult>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`Gradient worker failed: ${e.message}`));
      };
      worker.postMessage(request);
    });
  }

  /**
   * Loss and gradients of one batch, the same maths as {@link fastGradients}.
   *
   * @param w The weights.
   * @param batch The mini-batch.
   * @returns Loss, probabilities and gradients; the caller disposes the gradients.
   */
  async gradients(w: LstmWeights, batch: Batch): Promise<BatchGradients> {
    const bounds = shardBounds(batch.size, this.threads);
    if (bounds.length === 1) return fastGradients(w, batch);
    const weights = Object.fromEntries(
      WEIGHT_NAMES.map((n) => [n, w[n].dataSync() as Float32Array]),
    ) as ShardRequest[
      "weights"
    ];
    const shapes = Object.fromEntries(
      WEIGHT_NAMES.map((n) => [n, [...w[n].shape]]),
    ) as ShardRequest["shapes"];
    const pending = bounds.slice(1).map((b, k) =>
      this.#run(this.#workers[k], {
        id: this.#next++,
        weights,
        shapes,
        batch: shardOf(batch, b),
      })
    );
    const own = fastGradients(w, shardOf(batch, bounds[0]));
    const others = await Promise.all(pending);
    // combine in shard order: each shard's mean gradient weighted by its share of the batch
    const share = (k: number) => (bounds[k][1] - bounds[k][0]) / batch.size;
    const grads = tf.tidy(() =>
      Object.fromEntries(WEIGHT_NAMES.map((n) => {
        let sum = tf.mul(own.grads[n], share(0));
        others.forEach((
          r,
          k,
        ) => (sum = tf.add(
          sum,
          tf.mul(tf.tensor(r.grads[n], own.grads[n].shape), share(k + 1)),
        )));
        return [n, sum];
      }))
    ) as BatchGradients["grads"];
    tf.dispose(Object.values(own.grads));
    const probabilities = new Float32Array(batch.size);
    probabilities.set(own.probabilities, 0);
    others.forEach((r, k) => probabilities.set(r.probabilities, bounds[k + 1][0]));
    let loss = own.loss * share(0);
    others.forEach((r, k) => (loss += r.loss * share(k + 1)));
    return { loss, probabilities, grads };
  }

  /** Ends the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
