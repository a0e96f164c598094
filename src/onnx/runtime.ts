/**
 * Runs an exported model with onnxruntime-web (wasm, one thread).
 * @module
 */
import * as ort from "onnxruntime-web";
import { decodeOnnx, INPUT_NAME, OUTPUT_NAME } from "./encode.ts";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

/** Which runtime produced a result, for metrics.json. */
export const ORT_RUNTIME = `onnxruntime-web ${ort.env.versions.web} (wasm, 1 thread)`;

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

/**
 * Opens ONNX bytes in onnxruntime-web and checks the input and output the project expects.
 *
 * @param bytes The model file's bytes.
 * @param name What to call the model in errors (its path).
 * @param metadata The model's metadata properties, when the caller has decoded them.
 * @returns The loaded model.
 * @throws {Error} Bytes onnxruntime cannot load, or a model without the `series` input and
 *   `probability` output; the message names the model.
 */
export async function loadOnnx(
  bytes: Uint8Array,
  name: string,
  metadata: Record<string, string> = {},
): Promise<OnnxModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ["wasm"],
      logSeverityLevel: 3,
    });
  } catch (error) {
    throw new Error(
      `Cannot load ONNX model ${name}: ${(error as Error).message}`,
    );
  }
  if (
    !session.inputNames.includes(INPUT_NAME) ||
    !session.outputNames.includes(OUTPUT_NAME)
  ) {
    await session.release();
    throw new Error(
      `ONNX model ${name} must have input "${INPUT_NAME}" and output "${OUTPUT_NAME}", got inputs [${session.inputNames}] and outputs [${session.outputNames}]`,
    );
  }
  return {
    metadata,
    async predict(digits, seriesLength) {
      const n = digits.length / seriesLength;
      const input = new ort.Tensor("float32", Float32Array.from(digits), [
        n,
        seriesLength,
        1,
      ]);
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await session.run({ [INPUT_NAME]: input });
      } catch (error) {
        throw new Error(
          `ONNX model ${name} failed on input [${n}, ${seriesLength}, 1]: ${(error as Error).message}`,
        );
      }
      return out[OUTPUT_NAME].data as Float32Array;
    },
    release: () => session.release(),
  };
}

/**
 * Reads, checks and opens an ONNX file: it must decode as ONNX and take `series` of shape
 * `[N, seriesLength, 1]`.
 *
 * @param path The file.
 * @param seriesLength Steps the caller will feed (spec: 30).
 * @returns The loaded model with its metadata.
 * @throws {Error} A missing file, bytes that are not ONNX, or a wrong input; the message names the file.
 */
export async function loadOnnxFile(
  path: string,
  seriesLength = 30,
): Promise<OnnxModel> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(
      `Cannot read ONNX model ${path}: ${(error as Error).message}`,
    );
  }
  let proto: ReturnType<typeof decodeOnnx>;
  try {
    proto = decodeOnnx(bytes);
  } catch (error) {
    throw new Error(
      `${path} is not an ONNX model: ${(error as Error).message}`,
    );
  }
  const input = proto.graph?.input?.find((i) => i.name === INPUT_NAME);
  if (!proto.graph || !input) {
    throw new Error(
      `${path} is not an ONNX model with an input "${INPUT_NAME}"`,
    );
  }
  const dims = input.type?.tensorType?.shape?.dim?.map((
    d,
  ) => (d.dimParam ? d.dimParam : Number(d.dimValue))) ?? [];
  if (
    dims.length !== 3 || typeof dims[0] !== "string" ||
    dims[1] !== seriesLength || dims[2] !== 1
  ) {
    throw new Error(
      `ONNX model ${path} must take "${INPUT_NAME}" of shape [N, ${seriesLength}, 1], got [${dims}]`,
    );
  }
  const metadata = Object.fromEntries(
    (proto.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]),
  );
  return await loadOnnx(bytes, path, metadata);
}
