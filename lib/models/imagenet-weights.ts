/**
 * Loads ImageNet weights into the kit's ResNet-50 (resnet50.ts) from the
 * folder `tensorflowjs_converter --input_format keras` writes (datasets.md
 * §8.1): model.json with a weightsManifest, plus its weight shards. The
 * converter's topology is ignored; weights are matched by name, never by
 * position, so the kit's own head and preprocessing layer do not get in the way.
 *
 * Manifest names are "<Keras layer>/<variable>" ("conv1_conv/kernel",
 * "conv1_bn/moving_mean"): the converter copies the HDF5 weight names and
 * drops TensorFlow's ":0" slot (keras_h5_conversion.normalize_weight_name).
 * Tolerated variants: any leading path such as the model name (Keras 3 saves
 * variable paths, e.g. "resnet50/conv1_conv/kernel"), a leftover ":0", and a
 * "_<n>" suffix such as tfjs gives a variable whose name was already taken
 * ("conv1_conv/kernel_1").
 *
 * Every backbone weight (up to the CAM layer) must be in the folder. Head
 * weights are loaded when present under the head's name; anything else, such
 * as ImageNet's "predictions" layer, is skipped and reported.
 */
import { createHash } from "crypto";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { KitError } from "../errors";
import { Logger, silentLogger } from "../log";
import { Classifier } from "./classifier";
import { ImagenetPreprocessing } from "./preprocess";
import { readWeightsFolder } from "./weights-folder";

export interface LoadImagenetOptions {
  log?: Logger;
}

export interface LoadedWeights {
  /** Model weights that received values, as "<layer>/<variable>". */
  loaded: string[];
  /** Manifest names that match no weight of the model. */
  skipped: string[];
}

const ADVICE = {
  missing: "Convert the Keras ResNet50 with tensorflowjs_converter --input_format keras (datasets.md §8.1) and pass its output folder.",
  damaged: "Convert or copy the weights folder again.",
};
const MISSING_SHOWN = 5;

/** Assigns the folder's weights to `classifier.model` by name; all or nothing. */
export async function loadImagenetWeights(classifier: Classifier, dir: string, options: LoadImagenetOptions = {}): Promise<LoadedWeights> {
  const log = options.log ?? silentLogger;
  const file = path.join(dir, "model.json");
  const { specs, data } = readWeightsFolder(file, ADVICE);
  const variables = modelVariables(classifier.model);

  const assignments = new Map<string, Float32Array>();
  const skipped: string[] = [];
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data, offset, size);
    offset += size * Float32Array.BYTES_PER_ELEMENT;
    const key = resolve(spec.name, variables);
    if (key === undefined) {
      skipped.push(spec.name);
      continue;
    }
    const expected = variables.get(key)!.shape;
    if (!sameShape(expected, spec.shape)) {
      throw new KitError(`${file}: layer ${key.split("/")[0]}`, `${key} of shape [${expected}]`, `${spec.name} of shape [${spec.shape}]`, "The folder does not hold Keras ResNet50 (v1) weights that fit this model; convert keras.applications.ResNet50.");
    }
    if (assignments.has(key)) {
      throw new KitError(file, `one weight for ${key}`, `a second one, ${spec.name}`, "Convert a single ResNet50 model, not a model that nests two.");
    }
    assignments.set(key, values);
  }

  const missing = backboneKeys(classifier).filter((key) => !assignments.has(key));
  if (missing.length > 0) {
    throw new KitError(
      file, "every backbone weight of Keras ResNet50", `${missing.length} missing: ${missing.slice(0, MISSING_SHOWN).join(", ")}${missing.length > MISSING_SHOWN ? ", ..." : ""}`,
      "Convert the whole keras.applications.ResNet50 (with or without its top), without renaming layers.",
    );
  }

  tf.tidy(() => assignments.forEach((values, key) => {
    const variable = variables.get(key)!;
    variable.write(tf.tensor(values, variable.shape as number[]));
  }));
  log(`loaded ${assignments.size} weights from ${dir}${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}`);
  const preprocess = classifier.model.layers.find((l): l is ImagenetPreprocessing => l instanceof ImagenetPreprocessing);
  if (preprocess && preprocess.mode !== "caffe") {
    log(`warning: Keras ImageNet weights expect "caffe" preprocessing; this model uses "${preprocess.mode}"`);
  }
  return { loaded: [...assignments.keys()], skipped };
}

/** "<layer>/<variable>", the name Keras and tfjs save a weight under. */
function keyOf(layer: tf.layers.Layer, weight: tf.LayerVariable): string {
  return `${layer.name}/${weight.originalName.split("/").pop()}`;
}

function modelVariables(model: tf.LayersModel): Map<string, tf.LayerVariable> {
  return new Map(model.layers.flatMap((layer) => layer.weights.map((w) => [keyOf(layer, w), w] as const)));
}

/** Keys of every weight up to and including the CAM layer. */
function backboneKeys(classifier: Classifier): string[] {
  const layers = classifier.model.layers;
  const cam = layers.findIndex((l) => l.name === classifier.camLayer);
  return layers.slice(0, cam + 1).flatMap((layer) => layer.weights.map((w) => keyOf(layer, w)));
}

/** The model key a manifest name refers to, if any (see the header for the variants). */
function resolve(name: string, variables: Map<string, tf.LayerVariable>): string | undefined {
  const parts = name.replace(/:\d+$/, "").split("/");
  if (parts.length < 2) return undefined;
  const unsuffixed = (s: string) => s.replace(/_\d+$/, "");
  const [layer, variable] = parts.slice(-2);
  return [`${layer}/${unsuffixed(variable)}`, `${unsuffixed(layer)}/${unsuffixed(variable)}`].find((key) => variables.has(key));
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * SHA-256 (first 16 hex digits) of a weights folder's manifest and weights:
 * recorded with every result and part of every stage key, so numbers from
 * different weights are never mixed up (field case B13d).
 */
export function weightsFingerprint(dir: string): string {
  const { specs, data } = readWeightsFolder(path.join(dir, "model.json"), ADVICE);
  return createHash("sha256").update(JSON.stringify(specs)).update(new Uint8Array(data)).digest("hex").slice(0, 16);
}
