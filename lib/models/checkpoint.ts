/**
 * Saving and loading a tf.LayersModel as model.json + weights.bin in a folder.
 * Pure tfjs has no file:// handler (only tfjs-node registers one), so the kit
 * writes the artefacts itself; the format is the standard tfjs layers format.
 * Weight paths in model.json are relative, so a checkpoint folder can be moved.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { KitError } from "../errors";
import { readWeightsFolder } from "./weights-folder";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** Writes `dir`/model.json and `dir`/weights.bin (each via a temporary file and a rename). */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
      };
      writeAtomically(path.join(dir, WEIGHTS_BIN), Buffer.from(weightData));
      writeAtomically(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** What a bad checkpoint folder calls for. */
const CHECKPOINT_ADVICE = {
  missing: "Check the checkpoint path (run the training stage first).",
  damaged: "The checkpoint is truncated or corrupt; delete it and retrain.",
};

/**
 * Loads a model saved by `saveModel` (or any tfjs layers model.json with its
 * shards beside it). Accepts a path or a file:// URL to the model.json.
 */
export async function loadModel(location: string): Promise<tf.LayersModel> {
  const file = location.replace(/^file:\/\//, "");
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new KitError(location, `the path of a ${MODEL_JSON}`, "a folder", `Point at ${path.join(file, MODEL_JSON)} instead.`);
  }
  const { modelJson, specs, data } = readWeightsFolder(file, CHECKPOINT_ADVICE);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: data }));
}
