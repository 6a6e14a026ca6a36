/** Batched inference over a dataset, batch-norm in inference mode. */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, batches, imageBatch, range, size } from "../data/dataset";
import { Classifier, logits } from "../models/classifier";

export const EVAL_BATCH = 500;

/** Softmax probabilities, N * numClasses, row-major. */
export function predictProbabilities(c: Classifier, ds: ImageDataset): Float32Array {
  const out = new Float32Array(size(ds) * ds.numClasses);
  let offset = 0;
  for (const idx of batches(range(size(ds)), EVAL_BATCH)) {
    const probs = tf.tidy(() => tf.softmax(logits(c, imageBatch(ds, idx))));
    out.set(probs.dataSync(), offset);
    offset += probs.size;
    probs.dispose();
  }
  return out;
}

/** Arg-max class per row of an N * k probability (or logit) matrix. */
export function argMaxRows(scores: Float32Array, k: number): Int32Array {
  const n = scores.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

export function predictClasses(c: Classifier, ds: ImageDataset): Int32Array {
  return argMaxRows(predictProbabilities(c, ds), ds.numClasses);
}
