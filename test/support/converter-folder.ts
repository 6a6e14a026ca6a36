/**
 * Writes a weights folder the way `tensorflowjs_converter --input_format keras`
 * does (tfjs-converter keras_h5_conversion.py + write_weights.py), as test
 * input for loadImagenetWeights and as a record of the format:
 *
 *   model.json  {"format": "layers-model", "generatedBy": "keras v…",
 *                "convertedBy": "TensorFlow.js Converter v…",
 *                "modelTopology": <the Keras model config>,
 *                "weightsManifest": [{"paths": ["group1-shard1of3.bin", …],
 *                  "weights": [{"name": "conv1_conv/kernel", "shape": [7, 7, 3, 64],
 *                               "dtype": "float32"}, …]}]}
 *   group1-shard{i}of{n}.bin  the weights' little-endian bytes, concatenated
 *                in manifest order and cut every `shardBytes` (4 MiB by
 *                default), so one weight may span two shards.
 *
 * All weights go in one group, as the converter does unless asked to split by
 * layer. A quantised weight keeps dtype "float32" and gains a `quantization`
 * entry ({dtype: "uint8" | "uint16" | "float16", min, scale}); its bytes are
 * then the quantised values. The topology is left null: the loader ignores it.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

export interface ConverterWeight {
  name: string;
  shape: number[];
  /** Float32 values, or the raw bytes of a quantised weight. */
  values: Float32Array | Uint8Array;
  quantization?: { dtype: "uint8" | "uint16" | "float16"; min?: number; scale?: number };
}

/** A model's weights under the names Keras and tfjs give them ("conv1_conv/kernel"). */
export function weightsOf(model: tf.LayersModel): ConverterWeight[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], values: w.read().dataSync() as Float32Array }));
}

/** Writes model.json and the shards into `dir`; returns the shard paths. */
export function writeConverterFolder(dir: string, weights: ConverterWeight[], shardBytes = 4 * 1024 * 1024): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const bytes = Buffer.concat(weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength)));
  const count = Math.ceil(bytes.length / shardBytes);
  const names = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
  names.forEach((name, i) => fs.writeFileSync(path.join(dir, name), bytes.subarray(i * shardBytes, (i + 1) * shardBytes)));
  const modelJson = {
    format: "layers-model",
    generatedBy: "keras v2.15.0",
    convertedBy: "masktune-ts test/support/converter-folder.ts",
    modelTopology: null,
    weightsManifest: [
      {
        paths: names,
        weights: weights.map(({ name, shape, quantization }) => ({ name, shape, dtype: "float32", ...(quantization ? { quantization } : {}) })),
      },
    ],
  };
  fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(modelJson));
  return names.map((name) => path.join(dir, name));
}
