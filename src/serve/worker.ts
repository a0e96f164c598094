/**
 * An inference worker: opens model.onnx in its own onnxruntime-web session and runs slices of
 * series sent by {@link InferencePool}, so the server's event loop never waits on inference.
 *
 * Messages in: `{ kind: "load", bytes, name, seriesLength }`, then `{ id, digits }` where
 * `digits` is float32 `[n * seriesLength]`. Out: `{ kind: "ready" }` or `{ kind: "failed", message }`,
 * then `{ id, p }` (float32 `[n]`) or `{ id, error }`.
 * @module
 */
/// <reference lib="deno.worker" />
import { loadOnnx, type OnnxModel } from "../onnx/runtime.ts";

let model: OnnxModel | undefined;
let seriesLength = 0;

globalThis.onmessage = async (event: MessageEvent) => {
  const msg = event.data;
  if (msg.kind === "load") {
    try {
      seriesLength = msg.seriesLength;
      model = await loadOnnx(msg.bytes, msg.name, { seriesLength });
      globalThis.postMessage({ kind: "ready" });
    } catch (e) {
      globalThis.postMessage({ kind: "failed", message: (e as Error).message });
    }
    return;
  }
  try {
    if (!model) throw new Error("The worker has no model");
    const p = await model.predict(msg.digits as Float32Array, seriesLength);
    const out = Float32Array.from(p);
    globalThis.postMessage({ id: msg.id, p: out }, [out.buffer]);
  } catch (e) {
    globalThis.postMessage({ id: msg.id, error: (e as Error).message });
  }
};
