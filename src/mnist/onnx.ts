/**
 * The four H6.1 networks as standard ONNX models (IR 8, opset 17, default domain only), run with
 * onnxruntime-web and cross-checked against tf.layers `predict`.
 *
 * One contract for all four, so that every model takes the same input:
 *
 *   image          float32 [N, 1, 28, 28]   grey values in [0, 1], NCHW (a row's 784 values in order)
 *   probabilities  float32 [N, 10]          softmax over the digits 0..9
 *
 * The graphs:
 *
 *   linear             image → Flatten → Gemm(W [784, 10], b) → Softmax → probabilities
 *   mlp, mlp-dropout   image → Flatten → (Gemm → Relu) × L → Gemm → Softmax   (no Dropout: inference)
 *   cnn                image → (Conv(W [F, C, 5, 5], pads 2, stride 1) → Relu → MaxPool(2x2, stride 2)) × 2
 *                        → Transpose(0, 2, 3, 1) → Flatten → Gemm → Softmax
 *
 * tf.layers stores a conv kernel as [kh, kw, in, out] and convolves NHWC data; ONNX Conv wants
 * [out, in, kh, kw] on NCHW data. The Transpose to NHWC before Flatten keeps tf.layers' flatten
 * order (h, w, c), so every Gemm's W is tf.layers' own kernel, byte for byte.
 * @module
 */
import * as ort from "onnxruntime-web";
import {
  encodeOnnxGraph,
  type ModelProto,
  onnxAttribute,
  onnxFloatTensor,
  type OnnxNode,
  onnxNode as node,
  type OnnxTensor,
} from "../onnx/encode.ts";
import { describeOnnxValue, ONNX_FLOAT, OnnxError, openOnnxSession, ORT_RUNTIME } from "../onnx/runtime.ts";
import type { NamedArray } from "./checkpoint.ts";
import { argmaxRows } from "./scores.ts";
import { H61, type MnistConfig } from "./spec.ts";
import type { MnistOnnxRecord } from "./train.ts";

/**
 * Largest |p_onnx − p_tfjs| accepted for an H6.1 network. The LSTM's 1e-5 (`MAX_ABS_DIFF` of
 * src/onnx/compare.ts) holds for sums of at most 202 products; these networks sum up to 3,136
 * (the CNN's output layer over 7·7·64 features) and 1,600 (its second convolution, 5·5·64), and
 * onnxruntime and XNNPACK add in different orders. float32 rounding grows with the number of terms
 * (about √n · 2⁻²⁴ of the sum of magnitudes for random rounding), so ten times the LSTM's bar.
 * Measured on the full runs' 2,000 test images: linear 2.1e-6, MLP 5.0e-6, CNN 1.27e-5.
 * Every predicted digit must still agree, and so must the accuracies.
 */
export const MNIST_MAX_ABS_DIFF = 1e-4;

/** Name of the graph's input. */
export const MNIST_ONNX_INPUT = "image";
/** Name of the graph's output. */
export const MNIST_ONNX_OUTPUT = "probabilities";

/** The config fields that fix a network's weights and graph. */
export type MnistNetShape = Pick<MnistConfig, "model" | "hiddenLayers" | "hiddenUnits" | "filters">;

/** The input's shape: `[N, 1, 28, 28]`. */
const INPUT_DIMS: readonly (number | string)[] = ["N", 1, H61.imageSide, H61.imageSide];

/**
 * The model's input and output as the `input` and `output` metadata strings state them.
 *
 * @returns The two strings.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(describeMnistIo().output, "probabilities: float32 [N, 10], softmax over the digits 0..9");
 * ```
 */
export function describeMnistIo(): { input: string; output: string } {
  return {
    input: `${MNIST_ONNX_INPUT}: float32 [${INPUT_DIMS.join(", ")}], grey values in [0, 1], NCHW`,
    output: `${MNIST_ONNX_OUTPUT}: float32 [N, ${H61.classes}], softmax over the digits 0..${H61.classes - 1}`,
  };
}

/**
 * Every weight a network has, by role, in the tf.layers layout (input to output, kernel before bias).
 *
 * @param config The model and its sizes.
 * @returns Each weight's role and shape.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   mnistWeightShapes({ model: "cnn", hiddenLayers: 0, hiddenUnits: 0, filters: [2, 3] }).map((w) => w.shape),
 *   [[5, 5, 1, 2], [2], [5, 5, 2, 3], [3], [147, 10], [10]],
 * );
 * ```
 */
export function mnistWeightShapes(config: MnistNetShape): { name: string; shape: number[] }[] {
  const K = H61.classes;
  const out: { name: string; shape: number[] }[] = [];
  const layer = (name: string, kernel: number[]) =>
    out.push({ name: `${name}/kernel`, shape: kernel }, { name: `${name}/bias`, shape: [kernel.at(-1)!] });
  let features: number = H61.pixels;
  if (config.model === "mlp" || config.model === "mlp-dropout") {
    for (let k = 1; k <= config.hiddenLayers; k++) {
      layer(`hidden${k}`, [features, config.hiddenUnits]);
      features = config.hiddenUnits;
    }
  } else if (config.model === "cnn") {
    const k = H61.cnn.kernelSize;
    let side = H61.imageSide;
    let channels = 1;
    config.filters.forEach((f, i) => {
      layer(`conv${i + 1}`, [k, k, channels, f]);
      channels = f;
      side = Math.floor((side - H61.cnn.poolSize) / H61.cnn.poolStride) + 1; // 'valid' pooling
    });
    features = side * side * channels;
  }
  layer("output", [features, K]);
  return out;
}

/**
 * Reorders a tf.layers conv kernel `[kh, kw, in, out]` into ONNX Conv's `[out, in, kh, kw]`.
 *
 * @param kernel The values, row-major.
 * @param shape `[kh, kw, in, out]`.
 * @returns A new array, `[out, in, kh, kw]`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * // 1x2 kernel, 1 input channel, 2 filters: [k(0,0,f0), k(0,0,f1), k(0,1,f0), k(0,1,f1)]
 * assertEquals([...onnxConvKernel(Float32Array.of(1, 2, 3, 4), [1, 2, 1, 2])], [1, 3, 2, 4]);
 * ```
 */
export function onnxConvKernel(kernel: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + i) * cout + o];
        }
      }
    }
  }
  return out;
}

/** Options of {@link encodeMnistOnnx}. */
export interface MnistEncodeOptions {
  /** The model and its sizes. */
  config: MnistNetShape;
  /** Every weight of {@link mnistWeightShapes}, by role, in the tf.layers layout (`mnistOnnxWeights` of export.ts). */
  weights: readonly NamedArray[];
  /** String properties stored in the model's metadata. */
  metadata: Record<string, string>;
}

/**
 * Encodes an H6.1 network as ONNX bytes (see the module's header for the graphs).
 *
 * @param options The model's shape, its weights and metadata.
 * @returns The serialised ModelProto.
 * @throws {RangeError} A weight that is missing, of another shape, or not used, named with its shape.
 */
export function encodeMnistOnnx(options: MnistEncodeOptions): Uint8Array {
  const { config } = options;
  const byName = new Map(options.weights.map((w) => [w.name, w]));
  const expected = mnistWeightShapes(config);
  for (const { name, shape } of expected) {
    const w = byName.get(name);
    if (!w || w.shape.join() !== shape.join()) {
      throw new RangeError(
        `ONNX export of model ${config.model} needs weight "${name}" of shape [${shape}], got ${
          w ? `[${w.shape}]` : "none"
        }`,
      );
    }
  }
  const unused = options.weights.filter((w) => !expected.some((e) => e.name === w.name));
  if (unused.length) {
    throw new RangeError(
      `ONNX export of model ${config.model} got weights it does not use: ${
        unused.map((w) => `"${w.name}"`).join(", ")
      }`,
    );
  }
  const get = (name: string) => byName.get(name)!;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  /** Gemm(x, LAYER/kernel, LAYER/bias) → `${layer}`: the tf.layers kernel is already [in, out]. */
  const gemm = (x: string, layer: string) => {
    const [kernel, bias] = [get(`${layer}/kernel`), get(`${layer}/bias`)];
    initializers.push(
      onnxFloatTensor(`${layer}_W`, kernel.shape, kernel.values),
      onnxFloatTensor(`${layer}_B`, bias.shape, bias.values),
    );
    nodes.push(node("Gemm", [x, `${layer}_W`, `${layer}_B`], [layer]));
    return layer;
  };
  let x = MNIST_ONNX_INPUT; // [N, 1, 28, 28]
  if (config.model === "cnn") {
    const k = H61.cnn.kernelSize;
    const before = Math.floor((k - 1) / 2); // 'same' at stride 1: tf.layers pads floor((k−1)/2) before
    const pads = [before, before, k - 1 - before, k - 1 - before]; // [top, left, bottom, right]
    config.filters.forEach((_, i) => {
      const layer = `conv${i + 1}`;
      const [kernel, bias] = [get(`${layer}/kernel`), get(`${layer}/bias`)];
      const [kh, kw, cin, cout] = kernel.shape;
      initializers.push(
        onnxFloatTensor(`${layer}_W`, [cout, cin, kh, kw], onnxConvKernel(kernel.values, kernel.shape)),
        onnxFloatTensor(`${layer}_B`, bias.shape, bias.values),
      );
      const pool = H61.cnn.poolSize;
      nodes.push(
        node("Conv", [x, `${layer}_W`, `${layer}_B`], [layer], [
          onnxAttribute("kernel_shape", [kh, kw]),
          onnxAttribute("strides", [H61.cnn.stride, H61.cnn.stride]),
          onnxAttribute("pads", pads),
        ]), // [N, F, s, s]
        node("Relu", [layer], [`${layer}_relu`]),
        node("MaxPool", [`${layer}_relu`], [`pool${i + 1}`], [
          onnxAttribute("kernel_shape", [pool, pool]),
          onnxAttribute("strides", [H61.cnn.poolStride, H61.cnn.poolStride]),
        ]), // [N, F, s/2, s/2]
      );
      x = `pool${i + 1}`;
    });
    nodes.push(node("Transpose", [x], ["channels_last"], [onnxAttribute("perm", [0, 2, 3, 1])])); // [N, 7, 7, F]
    x = "channels_last";
  }
  nodes.push(node("Flatten", [x], ["features"], [onnxAttribute("axis", 1)])); // [N, 784] or [N, 7·7·F] in h, w, c order
  x = "features";
  if (config.model === "mlp" || config.model === "mlp-dropout") {
    for (let k = 1; k <= config.hiddenLayers; k++) {
      const h = gemm(x, `hidden${k}`); // [N, units]
      nodes.push(node("Relu", [h], [`${h}_relu`]));
      x = `${h}_relu`;
    }
  }
  const logits = gemm(x, "output"); // [N, 10]
  nodes.push(node("Softmax", [logits], [MNIST_ONNX_OUTPUT], [onnxAttribute("axis", 1)]));
  return encodeOnnxGraph({
    name: `mnist_${config.model.replace("-", "_")}`,
    producerName: "lstm-sum mnist",
    inputs: [{ name: MNIST_ONNX_INPUT, dims: [...INPUT_DIMS] }],
    outputs: [{ name: MNIST_ONNX_OUTPUT, dims: ["N", H61.classes] }],
    nodes,
    initializers,
    metadata: options.metadata,
  });
}

/** A loaded MNIST ONNX model. */
export interface MnistOnnxModel {
  /**
   * Softmax probabilities of images, in chunks of `chunk` (500 when absent).
   * `x` is `[n, 784]` row-major grey values: the same values as `[n, 1, 28, 28]`.
   * Resolves to `[n, 10]`; rejects with a RangeError when `x` is not whole images.
   */
  predict(x: Float32Array, chunk?: number): Promise<Float32Array>;
  /** Frees the session. */
  release(): Promise<void>;
  /** The model's metadata properties. */
  metadata: Record<string, string>;
}

/**
 * Checks a decoded model against the MNIST contract: one input `image`, float32 `[N, 1, 28, 28]`;
 * one output `probabilities`, float32 `[N, 10]`, computed by a `Softmax` node.
 *
 * @param proto The decoded model.
 * @param name What to call the model in errors.
 * @throws {OnnxError} The first broken term, named.
 */
export function checkMnistOnnxContract(proto: ModelProto, name: string): void {
  const graph = proto.graph;
  const inputs = graph?.input ?? [];
  if (!graph || inputs.length !== 1 || inputs[0].name !== MNIST_ONNX_INPUT) {
    throw new OnnxError(
      `ONNX model ${name} must have the one input "${MNIST_ONNX_INPUT}", got [${inputs.map((i) => i.name)}]`,
    );
  }
  const i = describeOnnxValue(inputs[0]);
  const symbolic = (d: number | string) => typeof d === "string";
  if (
    i.elemType !== ONNX_FLOAT || i.dims.length !== 4 || !symbolic(i.dims[0]) ||
    i.dims.slice(1).join() !== INPUT_DIMS.slice(1).join()
  ) {
    throw new OnnxError(
      `ONNX model ${name} must take "${MNIST_ONNX_INPUT}" as float32 [${
        INPUT_DIMS.join(", ")
      }], got data type ${i.elemType} [${i.dims}]`,
    );
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1 || outputs[0].name !== MNIST_ONNX_OUTPUT) {
    throw new OnnxError(
      `ONNX model ${name} must have the one output "${MNIST_ONNX_OUTPUT}", got [${outputs.map((o) => o.name)}]`,
    );
  }
  const o = describeOnnxValue(outputs[0]);
  if (o.elemType !== ONNX_FLOAT || o.dims.length !== 2 || !symbolic(o.dims[0]) || o.dims[1] !== H61.classes) {
    throw new OnnxError(
      `ONNX model ${name} must give "${MNIST_ONNX_OUTPUT}" as float32 [N, ${H61.classes}], got data type ${o.elemType} [${o.dims}]`,
    );
  }
  const last = (graph.node ?? []).find((n) => n.output?.includes(MNIST_ONNX_OUTPUT));
  if (last?.opType !== "Softmax") {
    throw new OnnxError(
      `ONNX model ${name} must compute "${MNIST_ONNX_OUTPUT}" with a Softmax, got ${last?.opType ?? "no node"}`,
    );
  }
}

/**
 * Opens MNIST ONNX bytes in onnxruntime-web (wasm, one thread) after checking the contract
 * ({@link checkMnistOnnxContract}).
 *
 * @param bytes The model's bytes.
 * @param name What to call the model in errors (its path).
 * @returns The loaded model.
 * @throws {OnnxError} Bytes that are not ONNX, a broken contract, or bytes onnxruntime cannot load.
 */
export async function loadMnistOnnx(bytes: Uint8Array, name: string): Promise<MnistOnnxModel> {
  const { session, metadata } = await openOnnxSession(bytes, {
    name,
    check: (proto) => checkMnistOnnxContract(proto, name),
  });
  const P = H61.pixels;
  const K = H61.classes;
  return {
    metadata,
    async predict(x, chunk = 500) {
      if (x.length === 0 || x.length % P !== 0) {
        throw new RangeError(`Images must be whole rows of ${P} grey values, got ${x.length} values`);
      }
      const n = x.length / P;
      const out = new Float32Array(n * K);
      for (let start = 0; start < n; start += chunk) {
        const size = Math.min(chunk, n - start);
        const dims = [size, 1, H61.imageSide, H61.imageSide];
        const input = new ort.Tensor("float32", x.slice(start * P, (start + size) * P), dims);
        let result: ort.InferenceSession.ReturnType;
        try {
          result = await session.run({ [MNIST_ONNX_INPUT]: input });
        } catch (error) {
          throw new OnnxError(`ONNX model ${name} failed on input [${dims}]: ${(error as Error).message}`, {
            cause: error,
          });
        }
        const p = result[MNIST_ONNX_OUTPUT];
        if (p.type !== "float32" || p.dims.join() !== [size, K].join()) {
          throw new OnnxError(
            `ONNX model ${name} answered "${MNIST_ONNX_OUTPUT}" as ${p.type} [${p.dims}], not float32 [${size}, ${K}]`,
          );
        }
        out.set(p.data as Float32Array, start * K);
      }
      return out;
    },
    release: () => session.release(),
  };
}

/** What {@link compareMnistProbabilities} finds. */
export interface MnistComparison {
  /** The figures for metrics.json. */
  record: MnistOnnxRecord;
  /** tf.layers' accuracy on the same images. */
  tfjsAccuracy: number;
  /** What failed; empty when ONNX agrees with tfjs. */
  problems: string[];
}

/**
 * Compares ONNX probabilities with tf.layers ones on labelled images: the largest absolute
 * difference (at most {@link MNIST_MAX_ABS_DIFF}), every predicted digit, and both accuracies.
 *
 * @param labels Digits, `[n]`.
 * @param onnxP ONNX probabilities, `[n, 10]`.
 * @param tfjsP tf.layers probabilities, `[n, 10]`.
 * @returns The record, tf.layers' accuracy, and what failed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const p = new Float32Array(10).fill(0.05);
 * p[3] = 0.55;
 * const { record, problems } = compareMnistProbabilities([3], p, p);
 * assertEquals([record.accuracy, record.maxAbsDiff, record.decisionsAgree, problems], [1, 0, true, []]);
 * ```
 */
export function compareMnistProbabilities(
  labels: ArrayLike<number>,
  onnxP: Float32Array,
  tfjsP: Float32Array,
): MnistComparison {
  const K = H61.classes;
  if (onnxP.length !== tfjsP.length || onnxP.length !== labels.length * K) {
    throw new RangeError(
      `Probabilities must be [${labels.length}, ${K}] for ${labels.length} labels, got ${onnxP.length} and ${tfjsP.length} values`,
    );
  }
  let maxAbsDiff = 0;
  for (let i = 0; i < onnxP.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnxP[i] - tfjsP[i]));
  const a = argmaxRows(onnxP);
  const b = argmaxRows(tfjsP);
  let agree = 0;
  let right = 0;
  let tfjsRight = 0;
  for (let i = 0; i < labels.length; i++) {
    if (a[i] === b[i]) agree++;
    if (a[i] === labels[i]) right++;
    if (b[i] === labels[i]) tfjsRight++;
  }
  const record: MnistOnnxRecord = {
    runtime: ORT_RUNTIME,
    maxAbsDiff,
    decisionsAgree: agree === labels.length,
    accuracy: right / labels.length,
  };
  const tfjsAccuracy = tfjsRight / labels.length;
  const problems: string[] = [];
  if (!(maxAbsDiff <= MNIST_MAX_ABS_DIFF)) {
    problems.push(`max |p_onnx - p_tfjs| ${maxAbsDiff} exceeds ${MNIST_MAX_ABS_DIFF}`);
  }
  if (!record.decisionsAgree) {
    problems.push(`${labels.length - agree} of ${labels.length} ONNX predicted digits differ from tfjs`);
  }
  if (record.accuracy !== tfjsAccuracy) {
    problems.push(`ONNX accuracy ${record.accuracy} differs from tfjs accuracy ${tfjsAccuracy}`);
  }
  return { record, tfjsAccuracy, problems };
}
