/** Batched inference over a dataset, batch-norm in inference mode. */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/batch-source";
import { ImageDataset, batches, imageBatch, range, size } from "../data/dataset";
import { Classifier, logits } from "../models/classifier";

export const EVAL_BATCH = 500;

const outputCount = (c: Classifier) => c.model.outputs[0].shape[1] as number;

/** Raw model outputs, N * outputs, row-major, with the number of outputs per row. */
export function predictLogits(c: Classifier, ds: ImageDataset): { values: Float32Array; outputs: number } {
  const outputs = outputCount(c);
  const values = new Float32Array(size(ds) * outputs);
  let offset = 0;
  for (const idx of batches(range(size(ds)), EVAL_BATCH)) {
    const batch = tf.tidy(() => logits(c, imageBatch(ds, idx)));
    values.set(batch.dataSync(), offset);
    offset += batch.size;
    batch.dispose();
  }
  return { values, outputs };
}

/** Softmax probabilities, N * outputs, row-major. */
export function predictProbabilities(c: Classifier, ds: ImageDataset): Float32Array {
  const { values, outputs } = predictLogits(c, ds);
  return tf.tidy(() => tf.softmax(tf.tensor2d(values, [size(ds), outputs])).dataSync() as Float32Array);
}

/**
 * Arg-max over the first `classes` columns of each row of an N * width matrix
 * (width > classes when the model has non-class outputs, e.g. Deep Gamblers' abstention).
 */
export function argMaxRows(scores: Float32Array, width: number, classes = width): Int32Array {
  const n = scores.length / width;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (scores[i * width + j] > scores[i * width + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** The predicted class of each sample: the best of the dataset's classes. */
export function predictClasses(c: Classifier, ds: ImageDataset): Int32Array {
  const { values, outputs } = predictLogits(c, ds);
  return argMaxRows(values, outputs, ds.numClasses);
}

/** predictLogits for a source that may stream from disk (evaluation transforms, source order). */
export async function predictSourceLogits(c: Classifier, source: BatchSource): Promise<{ values: Float32Array; outputs: number }> {
  const outputs = outputCount(c);
  const values = new Float32Array(source.size * outputs);
  for await (const { indices, pixels } of source.batches(range(source.size), EVAL_BATCH)) {
    const batch = tf.tidy(() => logits(c, tf.tensor4d(pixels, [indices.length, ...source.shape])));
    values.set(batch.dataSync(), indices[0] * outputs);
    batch.dispose();
  }
  return { values, outputs };
}

export async function predictSourceClasses(c: Classifier, source: BatchSource): Promise<Int32Array> {
  const { values, outputs } = await predictSourceLogits(c, source);
  return argMaxRows(values, outputs, source.numClasses);
}
