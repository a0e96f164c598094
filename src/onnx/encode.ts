/**
 * Writes the trained network as a standard ONNX model (protobuf through `onnx-proto`):
 *
 *   series [N, T, 1] (raw digits) → [Sub(offset)] → Div(divisor) → Transpose(1, 0, 2) → LSTM → Reshape([-1, H])
 *     → Gemm(Wd, bd) → Sigmoid → probability [N, 1]
 *
 * With the one-hot input, Equal(series, [0, 1, ..., 9]) → Cast(float) takes the place of Sub and Div: the
 * graph turns raw digits into `[N, T, 10]` itself, so every consumer still sends raw digits. With a shifted
 * scaling (`centered-shift`), Cast(int64) → Gather(the ten digits' inputs) takes their place.
 *
 * IR version 8 with opset 17: the pair that onnx 1.13+ writes by default, that
 * onnxruntime-web 1.30 runs (IR 7–13, opsets 13–26; it rejects IR 14 and opset 27) and that older runtimes
 * (onnxruntime ≥ 1.13, TensorRT 8.6) read too; every operator used is unchanged since.
 * @module
 */
import onnxProto from "onnx-proto";
import type { onnx as OnnxTypes } from "onnx-proto";
import { type Affine, digitInputs, type InputEncoding, inputWidth, SPEC, type TrainConfig } from "../core/spec.ts";

const onnx = onnxProto.onnx;

/** IR version written. */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset imported. */
export const ONNX_OPSET = 17;
/** Name of the graph's input. */
export const INPUT_NAME = "series";
/** Name of the graph's output. */
export const OUTPUT_NAME = "probability";
/** tfjs gate blocks (i, f, c, o) taken, in order, for ONNX's gate blocks (i, o, f, c). */
export const TFJS_BLOCK_FOR_ONNX_GATE = [0, 3, 1, 2] as const;

/**
 * The model's input and output as the `input` and `output` metadata strings state them,
 * derived from the config: shapes from its series length, the class from its threshold.
 *
 * @param config The series length and the label threshold.
 * @returns The two metadata strings.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   describeIo({ seriesLength: 12, threshold: 40 }).output,
 *   "probability: float32 [N, 1], P(sum >= 40)",
 * );
 * ```
 */
export function describeIo(config: Pick<TrainConfig, "seriesLength" | "threshold">): { input: string; output: string } {
  return {
    input: `${INPUT_NAME}: float32 [N, ${config.seriesLength}, 1], raw digits 0..${SPEC.digitValues - 1}`,
    output: `${OUTPUT_NAME}: float32 [N, 1], P(sum >= ${config.threshold})`,
  };
}

/** Weights in the tf.layers layout, as plain arrays. */
export interface ExportWeights {
  /** `[F, 4H]`, gates i, f, c, o (F inputs per step: 1, or 10 one-hot). */
  kernel: Float32Array;
  /** `[H, 4H]`, gates i, f, c, o. */
  recurrentKernel: Float32Array;
  /** `[4H]`. */
  bias: Float32Array;
  /** `[H, 1]`. */
  denseKernel: Float32Array;
  /** `[1]`. */
  denseBias: Float32Array;
}

/** Options of {@link encodeOnnx}. */
export interface EncodeOptions {
  /** The trained weights, in the tf.layers layout. */
  weights: ExportWeights;
  /** Hidden size H. */
  units: number;
  /** Steps per series T. */
  seriesLength: number;
  /** The trainer's input scaling, applied inside the graph: (digit − offset) / divisor, or one-hot. */
  input: InputEncoding;
  /** The LSTM's gate activation; the exporter supports "sigmoid" (ONNX "Sigmoid"). */
  recurrentActivation: "sigmoid";
  /** String properties stored in the model's metadata. */
  metadata: Record<string, string>;
}

function floatTensor(name: string, dims: number[], values: Float32Array) {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    throw new RangeError(
      `Tensor "${name}" needs ${size} values for shape [${dims}], got ${values.length}`,
    );
  }
  const copy = Float32Array.from(values); // little-endian on every platform we run
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(copy.buffer),
  });
}

function intTensor(name: string, values: number[]) {
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    int64Data: values,
  });
}

function attr(name: string, value: number | string | number[] | string[]) {
  const A = onnx.AttributeProto.AttributeType;
  const enc = new TextEncoder();
  if (typeof value === "number") {
    return onnx.AttributeProto.create({ name, type: A.INT, i: value });
  }
  if (typeof value === "string") {
    return onnx.AttributeProto.create({
      name,
      type: A.STRING,
      s: enc.encode(value),
    });
  }
  if (typeof value[0] === "string") {
    return onnx.AttributeProto.create({
      name,
      type: A.STRINGS,
      strings: (value as string[]).map((v) => enc.encode(v)),
    });
  }
  return onnx.AttributeProto.create({
    name,
    type: A.INTS,
    ints: value as number[],
  });
}

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === "string"
              ? onnx.TensorShapeProto.Dimension.create({ dimParam: d })
              : onnx.TensorShapeProto.Dimension.create({ dimValue: d })
          ),
        }),
      }),
    }),
  });
}

/**
 * Reorders tfjs gate blocks (i, f, c, o) into ONNX LSTM's W `[1, 4H, F]`, R `[1, 4H, H]` and B `[1, 8H]`.
 *
 * @param w The tf.layers weights; the kernel's size gives F, the inputs per step.
 * @param units H.
 * @returns W, R and B.
 */
export function onnxLstmWeights(
  w: ExportWeights,
  units: number,
): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const H = units;
  const F = w.kernel.length / (4 * H);
  const W = new Float32Array(4 * H * F); // [1, 4H, F]
  const R = new Float32Array(4 * H * H); // [1, 4H, H]
  const B = new Float32Array(8 * H); // [1, 8H] = [Wb, Rb]; Rb stays 0
  TFJS_BLOCK_FOR_ONNX_GATE.forEach((block, gate) => {
    for (let u = 0; u < H; u++) {
      const src = block * H + u;
      const row = gate * H + u;
      for (let f = 0; f < F; f++) W[row * F + f] = w.kernel[f * 4 * H + src];
      B[row] = w.bias[src];
      for (let v = 0; v < H; v++) {
        R[row * H + v] = w.recurrentKernel[v * 4 * H + src];
      }
    }
  });
  return { W, R, B };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: ReturnType<typeof attr>[] = []) {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: outputs[0], attribute: attributes });
}

/** The input scaling inside the graph, (digit − offset) / divisor or one-hot: its nodes (output `scaled`) and constants. */
function scalingNodes(input: InputEncoding) {
  if ("values" in input) {
    // [N, T, 1] == [V] broadcasts to [N, T, V]: true at the digit's own value
    return {
      nodes: [
        node("Equal", [INPUT_NAME, "digit_values"], ["one_hot"]),
        node("Cast", ["one_hot"], ["scaled"], [attr("to", onnx.TensorProto.DataType.FLOAT)]),
      ],
      initializers: [
        floatTensor("digit_values", [input.values], Float32Array.from({ length: input.values }, (_, d) => d)),
      ],
    };
  }
  if (input.shift) {
    // each digit value's input from a table: Gather over axis 0 of [V] with indices [N, T, 1] gives [N, T, 1]
    const table = digitInputs(input).map((row) => row[0]);
    return {
      nodes: [
        node("Cast", [INPUT_NAME], ["digit_index"], [attr("to", onnx.TensorProto.DataType.INT64)]),
        node("Gather", ["digit_inputs", "digit_index"], ["scaled"]),
      ],
      initializers: [floatTensor("digit_inputs", [table.length], Float32Array.from(table))],
    };
  }
  return {
    nodes: input.offset === 0 ? [node("Div", [INPUT_NAME, "input_divisor"], ["scaled"])] : [
      node("Sub", [INPUT_NAME, "input_offset"], ["shifted"]),
      node("Div", ["shifted", "input_divisor"], ["scaled"]),
    ],
    initializers: [
      ...(input.offset === 0 ? [] : [floatTensor("input_offset", [], Float32Array.of(input.offset))]),
      floatTensor("input_divisor", [], Float32Array.of(input.divisor)),
    ],
  };
}

/** A graph with the project's input and output contract, as a serialised ModelProto. */
function modelBytes(
  name: string,
  seriesLength: number,
  nodes: ReturnType<typeof node>[],
  initializers: ReturnType<typeof floatTensor>[],
  metadata: Record<string, string>,
): Uint8Array {
  const graph = onnx.GraphProto.create({
    name,
    node: nodes,
    initializer: initializers,
    input: [valueInfo(INPUT_NAME, ["N", seriesLength, 1])],
    output: [valueInfo(OUTPUT_NAME, ["N", 1])],
  });
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: "lstm-sum",
    producerVersion: "1",
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: ONNX_OPSET })],
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The recurrent cells besides the LSTM that the exporter writes, by ONNX operator. */
export type SimpleCell = "RNN" | "GRU";

/** Gate blocks of each cell: RNN one, GRU three (z, r, h in both tf.layers and ONNX order). */
const CELL_GATES: Readonly<Record<SimpleCell, number>> = { RNN: 1, GRU: 3 };

/** Options of {@link encodeRecurrentOnnx}. */
export interface RecurrentEncodeOptions {
  /** The ONNX operator of the cell. */
  cell: SimpleCell;
  /** tf.layers weights: kernel `[1, gH]`, recurrent kernel `[H, gH]`, bias `[gH]` (g gate blocks), Dense `[H, 1]` and `[1]`. */
  weights: {
    kernel: Float32Array;
    recurrentKernel: Float32Array;
    bias: Float32Array;
    denseKernel: Float32Array;
    denseBias: Float32Array;
  };
  /** Hidden size H. */
  units: number;
  /** Steps per series T. */
  seriesLength: number;
  /** The trainer's input scaling, applied inside the graph. */
  input: Affine;
  /** String properties stored in the model's metadata. */
  metadata: Record<string, string>;
}

/**
 * Reorders tf.layers' RNN or GRU weights into ONNX's W `[1, gH, 1]`, R `[1, gH, H]` and B `[1, 2gH]`
 * (the recurrent bias, which tf.layers does not have, stays 0). The gate blocks keep their order.
 *
 * @param cell The cell.
 * @param w The tf.layers weights.
 * @param units H.
 * @returns W, R and B.
 * @throws {RangeError} Weights whose sizes do not fit the cell and `units`.
 */
export function onnxRecurrentWeights(
  cell: SimpleCell,
  w: RecurrentEncodeOptions["weights"],
  units: number,
): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const G = CELL_GATES[cell] * units;
  if (w.kernel.length !== G || w.recurrentKernel.length !== units * G || w.bias.length !== G) {
    throw new RangeError(`${cell} weights do not fit ${units} units`);
  }
  const R = new Float32Array(G * units);
  for (let row = 0; row < G; row++) {
    for (let v = 0; v < units; v++) R[row * units + v] = w.recurrentKernel[v * G + row];
  }
  const B = new Float32Array(2 * G);
  B.set(w.bias);
  return { W: Float32Array.from(w.kernel), R, B };
}

/**
 * Encodes the `rnn` or `gru` arch as ONNX bytes, the LSTM graph with the cell swapped:
 *
 *   series → [Sub] → Div → Transpose(1, 0, 2) → RNN | GRU → Reshape([-1, H]) → Gemm → Sigmoid → probability
 *
 * The GRU resets before the recurrent product, as tf.layers does (`linear_before_reset` 0).
 *
 * @param options The cell, weights, sizes, the in-graph input scaling and metadata.
 * @returns The serialised ModelProto.
 * @throws {RangeError} Weights whose sizes do not fit `units`.
 */
export function encodeRecurrentOnnx(options: RecurrentEncodeOptions): Uint8Array {
  const { cell, weights, units: H, seriesLength: T } = options;
  const G = CELL_GATES[cell] * H;
  const { W, R, B } = onnxRecurrentWeights(cell, weights, H);
  const scaling = scalingNodes(options.input);
  const op = cell.toLowerCase();
  return modelBytes(
    `${op}_sum`,
    T,
    [
      ...scaling.nodes,
      node("Transpose", ["scaled"], ["time_major"], [attr("perm", [1, 0, 2])]),
      node(cell, ["time_major", `${op}_W`, `${op}_R`, `${op}_B`], [`${op}_Y`, `${op}_Y_h`], [
        attr("hidden_size", H),
        attr("direction", "forward"),
        attr("activations", cell === "GRU" ? ["Sigmoid", "Tanh"] : ["Tanh"]),
        ...(cell === "GRU" ? [attr("linear_before_reset", 0)] : []),
      ]),
      node("Reshape", [`${op}_Y_h`, "last_h_shape"], ["last_h"]),
      node("Gemm", ["last_h", "dense_W", "dense_B"], ["logit"]),
      node("Sigmoid", ["logit"], [OUTPUT_NAME]),
    ],
    [
      ...scaling.initializers,
      floatTensor(`${op}_W`, [1, G, 1], W),
      floatTensor(`${op}_R`, [1, G, H], R),
      floatTensor(`${op}_B`, [1, 2 * G], B),
      intTensor("last_h_shape", [-1, H]),
      floatTensor("dense_W", [H, 1], weights.denseKernel),
      floatTensor("dense_B", [1], weights.denseBias),
    ],
    options.metadata,
  );
}

/** Options of {@link encodeConv1dOnnx}. */
export interface Conv1dEncodeOptions {
  /** tf.layers Conv1D kernel `[width, 1, filters]` and bias `[filters]`, Dense `[filters, 1]` and `[1]`. */
  weights: { kernel: Float32Array; bias: Float32Array; denseKernel: Float32Array; denseBias: Float32Array };
  /** Filters F. */
  filters: number;
  /** Kernel width K. */
  kernelSize: number;
  /** Steps per series T. */
  seriesLength: number;
  /** The trainer's input scaling, applied inside the graph. */
  input: Affine;
  /** String properties stored in the model's metadata. */
  metadata: Record<string, string>;
}

/**
 * Encodes the `conv1d` arch as ONNX bytes:
 *
 *   series → [Sub] → Div → Transpose(0, 2, 1) → Conv(W [F, 1, K], valid) → Relu → GlobalAveragePool
 *     → Reshape([-1, F]) → Gemm → Sigmoid → probability
 *
 * @param options Weights, sizes, the in-graph input scaling and metadata.
 * @returns The serialised ModelProto.
 * @throws {RangeError} Weights whose sizes do not fit `filters` and `kernelSize`.
 */
export function encodeConv1dOnnx(options: Conv1dEncodeOptions): Uint8Array {
  const { weights, filters: F, kernelSize: K, seriesLength: T } = options;
  if (weights.kernel.length !== K * F || weights.bias.length !== F || weights.denseKernel.length !== F) {
    throw new RangeError(`Conv1D weights do not fit ${F} filters of width ${K}`);
  }
  // tf.layers [K, 1, F] → ONNX [F, 1, K]
  const W = new Float32Array(F * K);
  for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) W[f * K + k] = weights.kernel[k * F + f];
  const scaling = scalingNodes(options.input);
  return modelBytes(
    "conv1d_sum",
    T,
    [
      ...scaling.nodes,
      node("Transpose", ["scaled"], ["channels_first"], [attr("perm", [0, 2, 1])]),
      node("Conv", ["channels_first", "conv_W", "conv_B"], ["conv"], [attr("kernel_shape", [K])]),
      node("Relu", ["conv"], ["relu"]),
      node("GlobalAveragePool", ["relu"], ["pooled"]),
      node("Reshape", ["pooled", "pooled_shape"], ["features"]),
      node("Gemm", ["features", "dense_W", "dense_B"], ["logit"]),
      node("Sigmoid", ["logit"], [OUTPUT_NAME]),
    ],
    [
      ...scaling.initializers,
      floatTensor("conv_W", [F, 1, K], W),
      floatTensor("conv_B", [F], weights.bias),
      intTensor("pooled_shape", [-1, F]),
      floatTensor("dense_W", [F, 1], weights.denseKernel),
      floatTensor("dense_B", [1], weights.denseBias),
    ],
    options.metadata,
  );
}

/** Options of {@link encodeLinearOnnx}. */
export interface LinearEncodeOptions {
  /** The Dense kernel, `[T, 1]`. */
  kernel: Float32Array;
  /** The Dense bias, `[1]`. */
  bias: Float32Array;
  /** Steps per series T. */
  seriesLength: number;
  /** The trainer's input scaling, applied inside the graph. */
  input: Affine;
  /** String properties stored in the model's metadata. */
  metadata: Record<string, string>;
}

/**
 * Encodes the `linear` arch, one logistic unit on the scaled digits, as ONNX bytes:
 *
 *   series [N, T, 1] → [Sub(offset)] → Div(divisor) → Reshape([-1, T]) → Gemm(W [T, 1], b) → Sigmoid → probability [N, 1]
 *
 * @param options Weights, sizes, the in-graph input scaling and metadata.
 * @returns The serialised ModelProto.
 * @throws {RangeError} Weights whose sizes do not fit `seriesLength`.
 */
export function encodeLinearOnnx(options: LinearEncodeOptions): Uint8Array {
  const T = options.seriesLength;
  const scaling = scalingNodes(options.input);
  return modelBytes(
    "linear_sum",
    T,
    [
      ...scaling.nodes,
      node("Reshape", ["scaled", "flat_shape"], ["flat"]),
      node("Gemm", ["flat", "dense_W", "dense_B"], ["logit"]),
      node("Sigmoid", ["logit"], [OUTPUT_NAME]),
    ],
    [
      ...scaling.initializers,
      intTensor("flat_shape", [-1, T]),
      floatTensor("dense_W", [T, 1], options.kernel),
      floatTensor("dense_B", [1], options.bias),
    ],
    options.metadata,
  );
}

/**
 * Encodes the network as ONNX bytes.
 *
 * @param options Weights, sizes, the in-graph input scaling and metadata.
 * @returns The serialised ModelProto.
 * @throws {RangeError} Weights whose sizes do not fit `units`, or an unsupported activation.
 */
export function encodeOnnx(options: EncodeOptions): Uint8Array {
  const { weights, units: H, seriesLength: T } = options;
  if (options.recurrentActivation !== "sigmoid") {
    throw new RangeError(
      `Recurrent activation must be "sigmoid", got "${options.recurrentActivation}"`,
    );
  }
  const { W, R, B } = onnxLstmWeights(weights, H);
  const scaling = scalingNodes(options.input);
  return modelBytes(
    "lstm_sum",
    T,
    [
      ...scaling.nodes,
      node("Transpose", ["scaled"], ["time_major"], [attr("perm", [1, 0, 2])]),
      node("LSTM", ["time_major", "lstm_W", "lstm_R", "lstm_B"], ["lstm_Y", "lstm_Y_h", "lstm_Y_c"], [
        attr("hidden_size", H),
        attr("direction", "forward"),
        attr("activations", ["Sigmoid", "Tanh", "Tanh"]),
      ]),
      node("Reshape", ["lstm_Y_h", "last_h_shape"], ["last_h"]),
      node("Gemm", ["last_h", "dense_W", "dense_B"], ["logit"]),
      node("Sigmoid", ["logit"], [OUTPUT_NAME]),
    ],
    [
      ...scaling.initializers,
      floatTensor("lstm_W", [1, 4 * H, inputWidth(options.input)], W),
      floatTensor("lstm_R", [1, 4 * H, H], R),
      floatTensor("lstm_B", [1, 8 * H], B),
      intTensor("last_h_shape", [-1, H]),
      floatTensor("dense_W", [H, 1], weights.denseKernel),
      floatTensor("dense_B", [1], weights.denseBias),
    ],
    options.metadata,
  );
}

/** An ONNX node as onnx-proto builds it. */
export type OnnxNode = OnnxTypes.NodeProto;
/** An ONNX tensor (an initializer) as onnx-proto builds it. */
export type OnnxTensor = OnnxTypes.TensorProto;
/** An ONNX node attribute as onnx-proto builds it. */
export type OnnxAttribute = OnnxTypes.AttributeProto;

/**
 * A node of the default domain, named after its first output (the encoders' own building block).
 *
 * @param opType The operator, e.g. `"Gemm"`.
 * @param inputs Names of its inputs.
 * @param outputs Names of its outputs; the first also names the node.
 * @param attributes Its attributes ({@link onnxAttribute}).
 * @returns The node.
 */
export function onnxNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: OnnxAttribute[] = [],
): OnnxNode {
  return node(opType, inputs, outputs, attributes);
}

/**
 * An attribute: an integer, a string, a list of integers or a list of strings.
 *
 * @param name The attribute's name, e.g. `"perm"`.
 * @param value Its value; a number is written as an INT.
 * @returns The attribute.
 */
export function onnxAttribute(name: string, value: number | string | number[] | string[]): OnnxAttribute {
  return attr(name, value);
}

/**
 * A float32 tensor with its values as little-endian raw data (copied).
 *
 * @param name The tensor's name.
 * @param dims Its shape.
 * @param values Its values, row-major.
 * @returns The tensor.
 * @throws {RangeError} Values whose count does not fit the shape, naming the tensor.
 */
export function onnxFloatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  return floatTensor(name, dims, values);
}

/**
 * A one-dimensional int64 tensor, e.g. a shape for `Reshape`.
 *
 * @param name The tensor's name.
 * @param values Its values.
 * @returns The tensor.
 */
export function onnxInt64Tensor(name: string, values: number[]): OnnxTensor {
  return intTensor(name, values);
}

/** Options of {@link encodeOnnxGraph}. */
export interface OnnxGraphOptions {
  /** The graph's name. */
  name: string;
  /** The model's `producerName`; "lstm-sum" when absent. */
  producerName?: string;
  /** The graph's float32 inputs: names and shapes, a string for a symbolic dimension. */
  inputs: { name: string; dims: (number | string)[] }[];
  /** The graph's float32 outputs: names and shapes. */
  outputs: { name: string; dims: (number | string)[] }[];
  /** The nodes, in topological order. */
  nodes: OnnxNode[];
  /** The initializers (weights and constants). */
  initializers: OnnxTensor[];
  /** String properties stored in the model's metadata. */
  metadata: Record<string, string>;
}

/**
 * Encodes any graph of the default domain as a ModelProto with the project's IR version
 * ({@link ONNX_IR_VERSION}) and opset ({@link ONNX_OPSET}).
 *
 * @param options The graph, its inputs and outputs, and metadata.
 * @returns The serialised ModelProto.
 */
export function encodeOnnxGraph(options: OnnxGraphOptions): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: options.name,
    node: options.nodes,
    initializer: options.initializers,
    input: options.inputs.map((v) => valueInfo(v.name, v.dims)),
    output: options.outputs.map((v) => valueInfo(v.name, v.dims)),
  });
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: options.producerName ?? "lstm-sum",
    producerVersion: "1",
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: ONNX_OPSET })],
    graph,
    metadataProps: Object.entries(options.metadata).map(([key, value]) =>
      onnx.StringStringEntryProto.create({ key, value })
    ),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A decoded ONNX model: onnx-proto's `ModelProto`. */
export type ModelProto = OnnxTypes.ModelProto;

/**
 * Decodes ONNX bytes into a ModelProto (for tests and for checking files).
 *
 * @param bytes The file's bytes.
 * @returns The decoded model.
 * @throws {Error} Bytes that are not a protobuf ModelProto.
 */
export function decodeOnnx(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}
