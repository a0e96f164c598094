/**
 * Runs an exported model with onnxruntime-web (wasm, one thread).
 * @module
 */
import * as ort from "onnxruntime-web";
import { decodeOnnx, INPUT_NAME, type ModelProto, OUTPUT_NAME } from "./encode.ts";
import { SPEC } from "../core/spec.ts";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

/** Which runtime produced a result, for metrics.json. */
export const ORT_RUNTIME = `onnxruntime-web ${ort.env.versions.web} (wasm, 1 thread)`;

/**
 * An ONNX model that cannot be read, decoded or run, or that breaks the project's contract
 * (input `series` float32 `[N, T, 1]`, output `probability` float32 `[N, 1]` from a Sigmoid).
 * The message names the model.
 */
export class OnnxError extends Error {
  /** Always `"OnnxError"`. */
  override name = "OnnxError";
}

/** A loaded ONNX model. */
export interface OnnxModel {
  /** P(class 1) for each series of raw digits; `digits` is `[n, seriesLength]`. */
  predict(
    digits: ArrayLike<number>,
    seriesLength: number,
  ): Promise<Float32Array>;
  /** Frees the session. */
  release(): Promise<void>;
  /** The model's metadata properties. */
  metadata: Record<string, string>;
}

/** A graph input or output as a decoded model holds it. */
export type OnnxValueInfo = NonNullable<NonNullable<ModelProto["graph"]>["input"]>[number];

/**
 * Series per onnxruntime session run in {@link OnnxModel.predict}: the LSTM keeps every step's output, so one
 * run on 33,600 series of 30 steps (a boundary set in 16 orders) aborted the WebAssembly runtime; 8,192 series
 * hold a training split in one run.
 */
export const ONNX_PREDICT_CHUNK = 8192;

/** ONNX's data type code of float32 (`TensorProto.DataType.FLOAT`). */
export const ONNX_FLOAT = 1;

/**
 * The element type and dims of a graph input or output.
 *
 * @param v The input or output.
 * @returns Its data type code (0 when absent) and its dims, a symbolic dim by its name.
 */
export function describeOnnxValue(v: OnnxValueInfo): { elemType: number; dims: (number | string)[] } {
  const t = v.type?.tensorType;
  const dims = t?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))) ?? [];
  return { elemType: t?.elemType ?? 0, dims };
}

/** A model opened in onnxruntime-web, with its metadata properties. */
export interface OnnxSession {
  /** The session (wasm, one thread). */
  session: ort.InferenceSession;
  /** The model's metadata properties. */
  metadata: Record<string, string>;
}

/** Options of {@link openOnnxSession}. */
export interface OpenOnnxOptions {
  /** What to call the model in errors (its path). */
  name: string;
  /** Checks the decoded model against its contract before it is opened; throws an OnnxError. */
  check: (proto: ModelProto) => void;
}

/**
 * Decodes ONNX bytes, checks them with `options.check`, and opens them in onnxruntime-web (wasm,
 * one thread).
 *
 * @param bytes The model file's bytes.
 * @param options The model's name for errors, and its contract.
 * @returns The session and the model's metadata properties.
 * @throws {OnnxError} Bytes that are not ONNX, a broken contract, or bytes onnxruntime cannot
 *   load; the message names the model.
 */
export async function openOnnxSession(bytes: Uint8Array, options: OpenOnnxOptions): Promise<OnnxSession> {
  const { name } = options;
  let proto: ModelProto;
  try {
    proto = decodeOnnx(bytes);
  } catch (error) {
    throw new OnnxError(`${name} is not an ONNX model: ${(error as Error).message}`, { cause: error });
  }
  options.check(proto);
  const metadata = Object.fromEntries(
    (proto.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]),
  );
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ["wasm"],
      logSeverityLevel: 3,
    });
  } catch (error) {
    throw new OnnxError(`Cannot load ONNX model ${name}: ${(error as Error).message}`, { cause: error });
  }
  return { session, metadata };
}

/**
 * Checks a decoded model against the contract the project writes into every model.onnx:
 * one input `series`, float32 `[N, seriesLength, 1]`; one output `probability`, float32
 * `[N, 1]`, computed by a `Sigmoid` node.
 *
 * @param proto The decoded model.
 * @param name What to call the model in errors.
 * @param seriesLength Steps the caller will feed.
 * @throws {OnnxError} The first broken term, named.
 */
export function checkOnnxContract(proto: ModelProto, name: string, seriesLength: number): void {
  const graph = proto.graph;
  const input = graph?.input?.find((i) => i.name === INPUT_NAME);
  if (!graph || !input) {
    throw new OnnxError(`${name} is not an ONNX model with an input "${INPUT_NAME}"`);
  }
  const i = describeOnnxValue(input);
  if (i.dims.length !== 3 || typeof i.dims[0] !== "string" || i.dims[1] !== seriesLength || i.dims[2] !== 1) {
    throw new OnnxError(
      `ONNX model ${name} must take "${INPUT_NAME}" of shape [N, ${seriesLength}, 1], got [${i.dims}]`,
    );
  }
  if (i.elemType !== ONNX_FLOAT) {
    throw new OnnxError(`ONNX model ${name} must take "${INPUT_NAME}" as float32, got data type ${i.elemType}`);
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1 || outputs[0].name !== OUTPUT_NAME) {
    throw new OnnxError(
      `ONNX model ${name} must have the one output "${OUTPUT_NAME}", got [${outputs.map((o) => o.name)}]`,
    );
  }
  const o = describeOnnxValue(outputs[0]);
  if (o.elemType !== ONNX_FLOAT || o.dims.length !== 2 || typeof o.dims[0] !== "string" || o.dims[1] !== 1) {
    throw new OnnxError(
      `ONNX model ${name} must give "${OUTPUT_NAME}" as float32 [N, 1], got data type ${o.elemType} [${o.dims}]`,
    );
  }
  const last = (graph.node ?? []).find((n) => n.output?.includes(OUTPUT_NAME));
  if (last?.opType !== "Sigmoid") {
    throw new OnnxError(
      `ONNX model ${name} must compute "${OUTPUT_NAME}" with a Sigmoid, got ${last?.opType ?? "no node"}`,
    );
  }
}

/**
 * Opens ONNX bytes in onnxruntime-web after checking them against the project's contract
 * (see {@link checkOnnxContract}).
 *
 * @param bytes The model file's bytes.
 * @param name What to call the model in errors (its path).
 * @param options `seriesLength`: steps the caller will feed (the spec's by default); `chunk`: series per
 *   session run ({@link ONNX_PREDICT_CHUNK} by default; `predict` runs larger inputs piece by piece).
 * @returns The loaded model, with its metadata properties.
 * @throws {OnnxError} Bytes that are not ONNX, a broken contract, or bytes onnxruntime cannot
 *   load; the message names the model.
 * @throws {RangeError} A chunk that is not a positive integer.
 */
export async function loadOnnx(
  bytes: Uint8Array,
  name: string,
  options: { seriesLength?: number; chunk?: number } = {},
): Promise<OnnxModel> {
  const seriesLength = options.seriesLength ?? SPEC.seriesLength;
  const chunk = options.chunk ?? ONNX_PREDICT_CHUNK;
  if (!Number.isSafeInteger(chunk) || chunk < 1) {
    throw new RangeError(`ONNX predict chunk must be a positive integer, got ${chunk}`);
  }
  const { session, metadata } = await openOnnxSession(bytes, {
    name,
    check: (proto) => checkOnnxContract(proto, name, seriesLength),
  });
  // one session run: n series in, n probabilities out
  const run = async (x: Float32Array, n: number, seriesLength: number): Promise<Float32Array> => {
    const input = new ort.Tensor("float32", x, [n, seriesLength, 1]);
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run({ [INPUT_NAME]: input });
    } catch (error) {
      throw new OnnxError(
        `ONNX model ${name} failed on input [${n}, ${seriesLength}, 1]: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const p = out[OUTPUT_NAME];
    if (p.type !== "float32" || p.dims.length !== 2 || p.dims[0] !== n || p.dims[1] !== 1) {
      throw new OnnxError(
        `ONNX model ${name} answered "${OUTPUT_NAME}" as ${p.type} [${p.dims}], not float32 [${n}, 1]`,
      );
    }
    return p.data as Float32Array;
  };
  if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
    await session.release();
    throw new OnnxError(
      `ONNX model ${name} must have input "${INPUT_NAME}" and output "${OUTPUT_NAME}", got inputs [${session.inputNames}] and outputs [${session.outputNames}]`,
    );
  }
  return {
    metadata,
    async predict(digits, seriesLength) {
      const all = Float32Array.from(digits);
      const total = all.length / seriesLength;
      if (total <= chunk) return await run(all, total, seriesLength);
      const result = new Float32Array(total);
      for (let start = 0; start < total; start += chunk) {
        const n = Math.min(chunk, total - start);
        result.set(await run(all.subarray(start * seriesLength, (start + n) * seriesLength), n, seriesLength), start);
      }
      return result;
    },
    release: () => session.release(),
  };
}

/**
 * Reads, checks and opens an ONNX file (see {@link loadOnnx}).
 *
 * @param path The file.
 * @param seriesLength Steps the caller will feed (the spec's by default).
 * @returns The loaded model with its metadata.
 * @throws {OnnxError} A missing file (the Deno error is the cause), bytes that are not ONNX,
 *   or a broken contract; the message names the file.
 */
export async function loadOnnxFile(
  path: string,
  seriesLength: number = SPEC.seriesLength,
): Promise<OnnxModel> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new OnnxError(`Cannot read ONNX model ${path}: ${(error as Error).message}`, { cause: error });
  }
  return await loadOnnx(bytes, path, { seriesLength });
}
