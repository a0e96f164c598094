/**
 * Inference off the event loop: a small pool of workers (see `worker.ts`), each with its own
 * onnxruntime-web session.
 *
 * - A request's rows are cut into slices of at most `sliceRows`, and the pool takes slices
 *   from the waiting requests in turn, so a one-series request waits for at most one slice of a
 *   10,000-row one, and the runtime's memory is sized by a slice, not by a request.
 * - At most `maxPendingRows` rows are accepted at once; beyond that {@link BusyError}.
 * - Every answer is checked: one finite probability in [0, 1] per row, else the request fails.
 *   A probe batch runs the same check when the pool starts, so a model that answers outside
 *   [0, 1] is never served.
 * @module
 */
import { MAX_ROWS } from "../core/input.ts";

/**
 * Deno's own Worker, taken when this module loads: onnxruntime-web's emscripten glue replaces
 * `globalThis.Worker` with node:worker_threads' Worker when it opens its first session, and a
 * worker made by that one has no `self` and never delivers its messages to `onmessage`.
 */
const WebWorker: typeof Worker = globalThis.Worker;

/** The pool has no room for a request; retry after `retryAfterSeconds`. */
export class BusyError extends Error {
  /** The error's name. */
  override name = "BusyError";
  /** A hint for the Retry-After header. */
  readonly retryAfterSeconds: number;
  /**
   * Says the pool is full.
   *
   * @param message Why, with the pending count.
   * @param retryAfterSeconds The hint.
   */
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The model answered something that is not one probability per row: a broken model, not bad input. */
export class ModelOutputError extends Error {
  /** The error's name. */
  override name = "ModelOutputError";
}

/** Options of {@link InferencePool.create}. */
export interface PoolOptions {
  /** model.onnx's bytes. */
  bytes: Uint8Array;
  /** What to call the model in errors. */
  name: string;
  /** Digits per series. */
  seriesLength: number;
  /** Digit values (10): the probe batch uses 0 and the largest. */
  digitValues?: number;
  /** Workers, each one session (default 1: the event loop keeps the other core of two). */
  workers?: number;
  /** Most rows per run of the runtime (default 500). */
  sliceRows?: number;
  /** Most rows accepted and not yet answered (default two full requests). */
  maxPendingRows?: number;
}

interface Job {
  digits: Float32Array; // [n * T]
  n: number;
  next: number; // first row not yet sent
  done: number; // rows answered
  out: Float32Array; // [n]
  resolve: (p: Float32Array) => void;
  reject: (e: Error) => void;
  failed: boolean;
}

interface Slot {
  worker: Worker;
  busy: { job: Job; start: number; id: number; sentAt: number } | null;
}

/**
 * Checks that `p` holds one finite probability in [0, 1] per row.
 *
 * @param p The model's answer.
 * @param n Rows asked.
 * @param name The model, for the message.
 * @throws {ModelOutputError} The first value out of range, or a wrong count.
 */
export function checkProbabilities(p: Float32Array, n: number, name: string): void {
  if (!(p instanceof Float32Array) || p.length !== n) {
    throw new ModelOutputError(`${name} answered ${p?.length} values for ${n} series, not one probability each`);
  }
  for (let i = 0; i < n; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new ModelOutputError(`${name} answered ${p[i]} for series ${i}: a probability must be in [0, 1]`);
    }
  }
}

/** Runs series through model.onnx in workers. */
export class InferencePool {
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #pendingRows = 0;
  #nextId = 1;
  #msPerRow = 1;
  #closed = false;
  readonly #options: Required<PoolOptions>;

  private constructor(options: Required<PoolOptions>) {
    this.#options = options;
  }

  /**
   * Starts the workers, loads the model in each and runs the probe batch.
   *
   * @param options The model and the pool's bounds.
   * @returns The running pool.
   * @throws {Error} A model the runtime cannot load, or {@link ModelOutputError} from the probe.
   */
  static async create(options: PoolOptions): Promise<InferencePool> {
    const pool = new InferencePool({
      bytes: options.bytes,
      name: options.name,
      seriesLength: options.seriesLength,
      digitValues: options.digitValues ?? 10,
      workers: Math.max(1, options.workers ?? 1),
      sliceRows: Math.max(1, options.sliceRows ?? 500),
      maxPendingRows: options.maxPendingRows ?? 2 * MAX_ROWS,
    });
    try {
      for (let k = 0; k < pool.#options.workers; k++) pool.#slots.push(await pool.#spawn());
      await pool.#probe();
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** Rows accepted and not yet answered. */
  get pendingRows(): number {
    return this.#pendingRows;
  }

  /**
   * P(class 1) for each series.
   *
   * @param digits Float32 `[n * seriesLength]`, raw digits.
   * @returns Float32 `[n]`, each in [0, 1].
   * @throws {BusyError} More pending rows than the bound allows.
   * @throws {ModelOutputError} An answer that is not one probability in [0, 1] per row.
   */
  run(digits: Float32Array): Promise<Float32Array> {
    const n = digits.length / this.#options.seriesLength;
    if (this.#closed) return Promise.reject(new Error("The server is shutting down"));
    if (this.#pendingRows > 0 && this.#pendingRows + n > this.#options.maxPendingRows) {
      const seconds = Math.max(1, Math.ceil((this.#pendingRows * this.#msPerRow) / 1000 / this.#slots.length));
      return Promise.reject(
        new BusyError(
          `The server is busy: ${this.#pendingRows} series are waiting (at most ${this.#options.maxPendingRows}); retry in ${seconds} s`,
          seconds,
        ),
      );
    }
    this.#pendingRows += n;
    return new Promise<Float32Array>((resolve, reject) => {
      this.#queue.push({ digits, n, next: 0, done: 0, out: new Float32Array(n), resolve, reject, failed: false });
      this.#dispatch();
    });
  }

  /** Fails what is waiting and stops the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue) this.#fail(job, new Error("The server is shutting down"));
    this.#queue = [];
    for (const slot of this.#slots) {
      if (slot.busy) this.#fail(slot.busy.job, new Error("The server is shutting down"));
      slot.worker.terminate();
    }
    this.#slots = [];
    await Promise.resolve();
  }

  async #probe(): Promise<void> {
    const { seriesLength: T, digitValues, name } = this.#options;
    const top = digitValues - 1;
    const rows = [
      new Array(T).fill(0),
      new Array(T).fill(top),
      Array.from({ length: T }, (_, t) => t % digitValues),
      Array.from({ length: T }, (_, t) => (t % 2 ? top : 0)),
      Array.from({ length: T }, (_, t) => (t < T / 3 ? top : 0)),
    ];
    const digits = new Float32Array(rows.flat());
    try {
      await this.run(digits);
    } catch (e) {
      if (e instanceof ModelOutputError) {
        throw new ModelOutputError(`${name} fails the probe batch: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  #spawn(): Promise<Slot> {
    const worker = new WebWorker(new URL("./worker.ts", import.meta.url), { type: "module" });
    const slot: Slot = { worker, busy: null };
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent) => {
        const msg = event.data;
        if (msg.kind === "ready") {
          worker.onmessage = (e: MessageEvent) => this.#answer(slot, e.data);
          resolve(slot);
        } else {
          worker.terminate();
          reject(new Error(msg.message));
        }
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#crashed(slot, new Error(`Inference worker failed: ${event.message}`));
        reject(new Error(`Inference worker failed: ${event.message}`));
      };
      worker.postMessage({
        kind: "load",
        bytes: this.#options.bytes,
        name: this.#options.name,
        seriesLength: this.#options.seriesLength,
      });
    });
  }

  #answer(slot: Slot, msg: { id: number; p?: Float32Array; error?: string }): void {
    const busy = slot.busy;
    if (!busy || busy.id !== msg.id) return;
    slot.busy = null;
    const { job, start } = busy;
    if (job.failed) return this.#dispatch();
    const rows = Math.min(this.#options.sliceRows, job.n - start);
    try {
      if (msg.error !== undefined) throw new Error(msg.error);
      checkProbabilities(msg.p!, rows, this.#options.name);
      job.out.set(msg.p!, start);
      job.done += rows;
      this.#msPerRow = 0.8 * this.#msPerRow + 0.2 * ((performance.now() - busy.sentAt) / rows);
      if (job.done === job.n) {
        this.#pendingRows -= job.n;
        job.resolve(job.out);
      }
    } catch (e) {
      this.#fail(job, e as Error);
    }
    this.#dispatch();
  }

  #crashed(slot: Slot, error: Error): void {
    if (slot.busy) this.#fail(slot.busy.job, error);
    slot.busy = null;
    const k = this.#slots.indexOf(slot);
    if (k < 0 || this.#closed) return;
    slot.worker.terminate();
    this.#slots.splice(k, 1);
    this.#spawn().then((fresh) => {
      if (this.#closed) fresh.worker.terminate();
      else {
        this.#slots.push(fresh);
        this.#dispatch();
      }
    }, () => {});
  }

  #fail(job: Job, error: Error): void {
    if (job.failed) return;
    job.failed = true;
    this.#pendingRows -= job.n;
    this.#queue = this.#queue.filter((j) => j !== job);
    job.reject(error);
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.busy) continue;
      const job = this.#queue.shift();
      if (!job) return;
      const T = this.#options.seriesLength;
      const start = job.next;
      const end = Math.min(job.n, start + this.#options.sliceRows);
      job.next = end;
      if (end < job.n) this.#queue.push(job); // take turns with the other requests
      const id = this.#nextId++;
      slot.busy = { job, start, id, sentAt: performance.now() };
      const digits = job.digits.slice(start * T, end * T);
      slot.worker.postMessage({ id, digits }, [digits.buffer]);
    }
  }
}
