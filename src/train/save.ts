/**
 * The tf.layers model as the files of a model directory (`tfjs/model.json`, `tfjs/weights.bin`),
 * and back. Where and how they are written is the model directory's business
 * (`src/model_dir/`).
 * @module
 */
import { tf } from "./backend.ts";
import { readTfjsFiles, type TfjsFiles, type TfjsWeightSpec } from "../model_dir/model_dir.ts";

function float32Specs(specs: tf.io.WeightsManifestEntry[]): TfjsWeightSpec[] {
  return specs.map((s) => {
    if (s.dtype !== "float32" || s.quantization) {
      throw new Error(`Weight "${s.name}" is ${s.dtype}${s.quantization ? " quantized" : ""}, not plain float32`);
    }
    return { name: s.name, shape: s.shape, dtype: "float32" };
  });
}

/**
 * The tf.layers model as files: `model.json` (topology and manifest) and the weights.
 *
 * @param model The network.
 * @returns The files' contents.
 */
export async function tfjsFiles(model: tf.LayersModel): Promise<TfjsFiles> {
  let files: TfjsFiles | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    const data = artifacts.weightData ?? new ArrayBuffer(0);
    const weights = new Uint8Array(data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data));
    const topology = artifacts.modelTopology;
    if (!topology || topology instanceof ArrayBuffer) throw new Error("tf.layers gave no JSON topology");
    files = {
      modelJson: {
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: { ...topology },
        weightsManifest: [{ paths: ["weights.bin"], weights: float32Specs(artifacts.weightSpecs ?? []) }],
      },
      weights,
    };
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } });
  }));
  if (!files) throw new Error("tf.layers did not save the model");
  return files;
}

/**
 * Loads the tf.layers model of a model directory.
 *
 * @param dir The model directory.
 * @returns The network.
 * @throws {ModelDirError} A missing or malformed file, named.
 */
export async function loadTfjsModel(dir: string): Promise<tf.LayersModel> {
  const { modelJson, weights } = await readTfjsFiles(dir);
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
}
