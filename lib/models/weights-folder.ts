/**
 * Reads a TensorFlow.js layers-model folder with fs: model.json and the
 * weight shards its weightsManifest lists (pure tfjs has no file:// handler).
 * Used for the kit's own checkpoints and for converter output alike.
 *
 * Format (tfjs-converter write_weights.py): each manifest group lists its
 * shard files in `paths` and its weights as {name, shape, dtype}; the weights'
 * bytes are concatenated in that order and cut into shards of a fixed size
 * (4 MiB by default), the last one shorter, so a weight may span two shards.
 * Quantised weights keep dtype "float32" and add a `quantization` entry.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { KitError } from "../errors";

/** What to tell the user when a folder is unusable, in the caller's terms. */
export interface FolderAdvice {
  /** When model.json does not exist. */
  missing: string;
  /** When model.json or a shard is corrupt or incomplete. */
  damaged: string;
}

export interface WeightsFolder {
  modelJson: tf.io.ModelJSON;
  /** Every manifest entry, groups in order. */
  specs: tf.io.WeightsManifestEntry[];
  /** All weights as little-endian float32, in the order of `specs`. */
  data: ArrayBuffer;
}

const BYTES_PER_FLOAT = 4;

/** Reads `modelJsonFile` and its shards; only unquantised float32 weights. */
export function readWeightsFolder(modelJsonFile: string, advice: FolderAdvice): WeightsFolder {
  if (!fs.existsSync(modelJsonFile)) throw new KitError(modelJsonFile, "a model.json", "no such file", advice.missing);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(fs.readFileSync(modelJsonFile, "utf8")) as tf.io.ModelJSON;
  } catch (e) {
    throw new KitError(modelJsonFile, "valid JSON", `a parse error (${(e as Error).message})`, advice.damaged);
  }
  if (!modelJson.weightsManifest) {
    throw new KitError(modelJsonFile, "a weightsManifest entry", "none", "This is not a TensorFlow.js layers model.json.");
  }
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  for (const spec of specs) {
    const stored: string = spec.quantization?.dtype ?? spec.dtype;
    if (spec.quantization || stored !== "float32") {
      throw new KitError(
        modelJsonFile, "float32 weights", `${spec.name} stored as ${stored}${spec.quantization ? " (quantised)" : ""}`,
        "Only unquantised float32 weights are supported: re-run tensorflowjs_converter without --quantize_float16, --quantize_uint8 or --quantize_uint16.",
      );
    }
  }
  const dir = path.dirname(modelJsonFile);
  const groups = modelJson.weightsManifest.map((group, g) => readGroup(dir, group, g, advice));
  const joined = Buffer.concat(groups);
  return { modelJson, specs, data: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length) };
}

/** The concatenated shards of one group, checked against the bytes its weights need. */
function readGroup(dir: string, group: tf.io.WeightsManifestConfig[number], g: number, advice: FolderAdvice): Buffer {
  const files = group.paths.map((p) => path.join(dir, p));
  const shards = files.map((file) => {
    if (!fs.existsSync(file)) {
      throw new KitError(file, "a weight shard listed in model.json", "no such file", "Copy the whole folder: model.json and every shard it lists.");
    }
    return fs.readFileSync(file);
  });
  const expected = group.weights.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * BYTES_PER_FLOAT, 0);
  const found = shards.reduce((n, shard) => n + shard.length, 0);
  if (found !== expected) {
    // Every shard but the last has the full shard size, so the culprit is the
    // first earlier shard shorter than the longest one, else the last shard.
    const longest = Math.max(...shards.map((s) => s.length));
    const short = shards.findIndex((s, i) => i < shards.length - 1 && s.length < longest);
    const culprit = files[short < 0 ? files.length - 1 : short];
    throw new KitError(
      culprit, `weight group ${g + 1} (${files.length} shard file${files.length > 1 ? "s" : ""}) to hold ${expected} bytes`,
      `${found} bytes${found < expected ? ", so a shard is truncated" : ""}`, advice.damaged,
    );
  }
  return Buffer.concat(shards);
}
