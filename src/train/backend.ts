/**
 * Loads tfjs on its WASM backend (single-threaded under Deno and Node: tfjs turns its multithread flag off
 * whenever `process.versions.node` exists, tensorflow/tfjs issue #3830).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

let ready: Promise<void> | undefined;

/**
 * Selects the WASM backend once per process (or worker) and waits for it.
 *
 * @returns When the backend is ready.
 * @throws {Error} When the WASM backend cannot start.
 */
export function initBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set("PROD", true);
    if (!(await tf.setBackend("wasm"))) {
      throw new Error("The tfjs WASM backend failed to start");
    }
    await tf.ready();
  })();
  return ready;
}

export { tf };
