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

/**
 * Loads a model saved by `saveModel` (or any tfjs layers model.json with its
 * shards beside it). Accepts a path or a file:// URL to the model.json.
 */
export async function loadModel(location: string): Promise<tf.LayersModel> {
  const file = location.replace(/^file:\/\//, "");
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new KitError(location, `the path of a ${MODEL_JSON}`, "a folder", `Point at ${path.join(file, MODEL_JSON)} instead.`);
  }
  if (!fs.existsSync(file)) {
    throw new KitError(location, `a saved ${MODEL_JSON}`, "no such file", "Check the checkpoint path (run the training stage first).");
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(fs.readFileSync(file, "utf8")) as tf.io.ModelJSON;
  } catch (e) {
    throw new KitError(file, "valid JSON", `a parse error (${(e as Error).message})`, "The checkpoint is corrupt; delete it and retrain.");
  }
  if (!modelJson.weightsManifest) {
    throw new KitError(file, "a weightsManifest entry", "none", "This is not a tfjs layers model.json.");
  }
  const dir = path.dirname(file);
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const shards = modelJson.weightsManifest.flatMap((group) => group.paths).map((p) => {
    const shard = path.join(dir, p);
    if (!fs.existsSync(shard)) throw new KitError(shard, "a weight shard listed in model.json", "no such file", "Copy the whole checkpoint folder.");
    return fs.readFileSync(shard);
  });
  const weightData = Buffer.concat(shards);
  const expectedBytes = weightSpecs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightData.length !== expectedBytes) {
    throw new KitError(dir, `${expectedBytes} bytes of float32 weights`, `${weightData.length}`, "The checkpoint is truncated; delete it and retrain.");
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs,
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.length),
    }),
  );
}
