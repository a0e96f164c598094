/**
 * Saves a trained model directory: tfjs model files, metrics.json and history.json.
 * @module
 */
import { tf } from "./backend.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";

/**
 * Writes the tf.layers model as `DIR/tfjs/model.json` and `DIR/tfjs/weights.bin`, atomically.
 *
 * @param model The network.
 * @param dir The model directory.
 */
export async function saveTfjsModel(
  model: tf.LayersModel,
  dir: string,
): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    await writeFileAtomic(`${dir}/tfjs/weights.bin`, weights);
    await writeJsonAtomic(`${dir}/tfjs/model.json`, {
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{
        paths: ["weights.bin"],
        weights: artifacts.weightSpecs,
      }],
    });
    return {
      modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" },
    };
  }));
}

/**
 * Loads a model written by {@link saveTfjsModel}.
 *
 * @param dir The model directory.
 * @returns The network.
 * @throws {Error} A missing or unreadable file, named.
 */
export async function loadTfjsModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = `${dir}/tfjs/model.json`;
  const json = JSON.parse(await Deno.readTextFile(jsonPath));
  const weights = await Deno.readFile(`${dir}/tfjs/weights.bin`);
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: weights.buffer.slice(
      weights.byteOffset,
      weights.byteOffset + weights.byteLength,
    ),
  }));
}
