/** Tiny models and datasets with hand-checkable numbers, shared by the tests. */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../../lib/data/dataset";
import { Classifier } from "../../lib/models/classifier";

/**
 * Field case B03: the "features" are the 2x2x2 input itself; the head's
 * logits are [mean(ch0), mean(ch1)]. With `withBatchNorm`, a batch-norm layer
 * (moving mean 0, variance 1, gamma 1, beta 0) sits between them (B04).
 */
export function meanHeadModel(withBatchNorm = false): Classifier {
  const layers: tf.layers.Layer[] = [tf.layers.activation({ name: "features", activation: "linear", inputShape: [2, 2, 2] })];
  if (withBatchNorm) layers.push(tf.layers.batchNormalization({ name: "bn", axis: -1, epsilon: 1e-5 }));
  layers.push(tf.layers.globalAveragePooling2d({ name: "gap" }));
  layers.push(tf.layers.dense({ name: "logits", units: 2, useBias: false, kernelInitializer: "identity" }));
  return { architecture: "mean-head", model: tf.sequential({ layers }), camLayer: "features" };
}

/** Field case B14: conv 4 filters on 8x8x3 → ReLU → global average pool → dense 2. */
export function tinyConvModel(seed = 7): Classifier {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "conv", filters: 4, kernelSize: 3, padding: "same", inputShape: [8, 8, 3], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.activation({ name: "relu", activation: "relu" }),
      tf.layers.globalAveragePooling2d({ name: "gap" }),
      tf.layers.dense({ name: "logits", units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  return { architecture: "tiny-conv", model, camLayer: "relu" };
}

/** A deterministic 8x8x3 dataset of n images, labels alternating 0/1; class 1 is brighter. */
export function tinyDataset(n: number): ImageDataset {
  const per = 8 * 8 * 3;
  const images = Float32Array.from({ length: n * per }, (_, i) => (((i * 7919) % 101) / 100) * 0.5 + 0.5 * (Math.floor(i / per) % 2));
  return {
    name: "tiny",
    shape: [8, 8, 3],
    images,
    labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    numClasses: 2,
    ids: Array.from({ length: n }, (_, i) => `tiny:${i}`),
    attributes: {},
  };
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
