/**
 * The H6.1 network the draw-a-digit page (/mnist) runs in the browser: a run directory of
 * `deno task mnist`, read and checked once when the server starts. A run directory that is missing
 * or cannot be served is not fatal: the server starts anyway, and the page says why.
 *
 * The checks are src/mnist's own: `readMnistRun` (metrics.json's fields, model.onnx's bytes) and
 * `loadMnistOnnx` (the input/output contract, and that onnxruntime-web opens it), then one probe
 * image that must come back as ten probabilities summing to 1. Neither loads tfjs (run_dir.ts imports
 * it only to write a run), so the server never does; a layering test pins this.
 * @module
 */
import { ModelDirError } from "../model_dir/errors.ts";
import { decodeOnnx } from "../onnx/encode.ts";
import { describeOnnxValue, OnnxError } from "../onnx/runtime.ts";
import { H61 } from "../mnist/spec.ts";
import { readMnistRun } from "../mnist/run_dir.ts";
import { loadMnistOnnx } from "../mnist/onnx.ts";

/** A run directory the page can run. */
export interface MnistAvailable {
  /** The page can run it. */
  available: true;
  /** The run directory, as given. */
  dir: string;
  /** model.onnx's bytes, served to the page. */
  bytes: Uint8Array;
  /** Hex SHA-256 of model.onnx. */
  sha256: string;
  /** The network (the run's config: `linear`, `mlp`, `mlp-dropout` or `cnn`). */
  model: string;
  /** Test accuracy recorded at training. */
  testAccuracy: number;
  /** Test images it was measured on. */
  testSize: number;
  /** The input's dims for one image, as model.onnx declares them (the batch dim as 1), e.g. `[1, 1, 28, 28]`. */
  inputDims: number[];
  /** Classes in the output. */
  classes: number;
}

/** A run directory the page cannot run, and why. */
export interface MnistUnavailable {
  /** The page cannot run a model. */
  available: false;
  /** The run directory, as given; absent when the server was given none. */
  dir?: string;
  /** Why, in one line. */
  reason: string;
}

/** What {@link loadServedMnist} finds. */
export type ServedMnist = MnistAvailable | MnistUnavailable;

/** What the page hears when the server was started without a run directory. */
export const NO_MNIST: MnistUnavailable = Object.freeze({
  available: false,
  reason: "the server was started without an MNIST run directory (deno task serve --mnist DIR)",
});

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Reads and checks a run directory for the page (see the module's header).
 *
 * @param dir The run directory.
 * @returns The model and its identity, or why it cannot be served (a missing directory, a missing or
 *   malformed file, a model.onnx that breaks the contract or answers a probe wrongly, no permission).
 * @throws {Error} Only a bug: every failure of the run directory is an answer.
 */
export async function loadServedMnist(dir: string): Promise<ServedMnist> {
  const unavailable = (reason: string): MnistUnavailable => ({ available: false, dir, reason });
  try {
    await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return unavailable(`${dir} does not exist`);
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return unavailable(`${dir} cannot be read: ${oneLine(error)}`);
    }
    throw error;
  }
  try {
    const run = await readMnistRun(dir);
    const bytes = run.onnxBytes;
    const session = await loadMnistOnnx(bytes, run.paths.onnx);
    let p: Float32Array; // [1, 10]
    try {
      p = await session.predict(new Float32Array(H61.pixels)); // a black image
    } finally {
      await session.release();
    }
    const sum = p.reduce((s, v) => s + v, 0);
    if (p.length !== H61.classes || !p.every((v) => v >= 0 && v <= 1) || !(Math.abs(sum - 1) <= 1e-4)) {
      return unavailable(
        `${run.paths.onnx} answers a black image with [${
          Array.from(p)
        }], not ${H61.classes} probabilities summing to 1`,
      );
    }
    const graph = decodeOnnx(bytes).graph!;
    const oneImage = (dims: (number | string)[]) => dims.map((d) => (typeof d === "string" ? 1 : d));
    return {
      available: true,
      dir,
      bytes,
      sha256: hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
      model: run.config.model,
      testAccuracy: run.test.accuracy,
      testSize: run.test.size,
      inputDims: oneImage(describeOnnxValue(graph.input![0]).dims),
      classes: Number(describeOnnxValue(graph.output![0]).dims[1]),
    };
  } catch (error) {
    if (error instanceof ModelDirError || error instanceof OnnxError) return unavailable(oneLine(error));
    throw error;
  }
}

/**
 * What the page reads at /mnist/info.json: everything but the model's bytes.
 *
 * @param mnist The served run directory.
 * @returns A JSON-ready record.
 */
export function mnistInfo(mnist: ServedMnist): Omit<MnistAvailable, "bytes"> | MnistUnavailable {
  if (!mnist.available) return mnist;
  const { bytes: _, ...info } = mnist;
  return info;
}

/** An error's message on one line. */
function oneLine(error: unknown): string {
  return (error as Error).message.split("\n")[0];
}
