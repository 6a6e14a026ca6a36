/**
 * Class activation maps, batched: one forward and one backward pass per batch.
 *
 * For activations A (N x h x w x C) of the classifier's CAM layer and the
 * gradient g of each image's own predicted logit (the arg-max, not the label)
 * with respect to A, a method supplies channel weights w (N x C); then
 *   cam = ReLU(sum_c w_c * A_c), upsampled bilinearly (half-pixel centres) to
 *   the input size, and min-max normalised per image.
 * Denominators carry EPS so a channel with zero activation, or an image whose
 * map is zero everywhere, gives zeros, never NaN.
 */
import * as tf from "@tensorflow/tfjs";
import { ImageDataset, batches, imageBatch, range, size } from "../data/dataset";
import { Classifier, SplitClassifier, splitAtCamLayer } from "../models/classifier";

export const EPS = 1e-7;

type ChannelWeights = (gradients: tf.Tensor4D, activations: tf.Tensor4D) => tf.Tensor2D;

/** Channel-weight rule of each CAM method; adding a method is one entry here. */
export const CAM_METHODS = {
  /** xGradCAM (Fu et al. 2020): w_c = sum_ij(g * A) / (sum_ij A + eps). */
  xgradcam: (g, a) => tf.div(tf.sum(tf.mul(g, a), [1, 2]), tf.add(tf.sum(a, [1, 2]), EPS)),
  /** Grad-CAM (Selvaraju et al. 2017): w_c = mean_ij g. */
  gradcam: (g) => tf.mean(g, [1, 2]),
} satisfies Record<string, ChannelWeights>;

export type CamMethod = keyof typeof CAM_METHODS;

/** ReLU(sum_c w_c A_c): N x h x w, not yet resized or normalised. */
export function weightedMap(activations: tf.Tensor4D, gradients: tf.Tensor4D, method: CamMethod): tf.Tensor3D {
  return tf.tidy(() => {
    const w = CAM_METHODS[method](gradients, activations);
    const [n, , , c] = activations.shape;
    return tf.relu(tf.sum(tf.mul(activations, tf.reshape(w, [n, 1, 1, c])), 3)) as tf.Tensor3D;
  });
}

/** Resizes N x h x w maps to N x H x W and min-max normalises each to [0, 1]. */
export function upsampleAndNormalise(maps: tf.Tensor3D, height: number, width: number): tf.Tensor3D {
  return tf.tidy(() => {
    const resized = tf.squeeze(tf.image.resizeBilinear(tf.expandDims(maps, 3) as tf.Tensor4D, [height, width], false, true), [3]);
    const lo = tf.min(resized, [1, 2], true);
    const shifted = tf.sub(resized, lo);
    return tf.div(shifted, tf.add(tf.max(shifted, [1, 2], true), EPS)) as tf.Tensor3D;
  });
}

/** Heatmaps (N x H x W in [0, 1]) of a batch for each image's predicted class. */
export function heatmapBatch(split: SplitClassifier, images: tf.Tensor4D, method: CamMethod): tf.Tensor3D {
  return tf.tidy(() => {
    const activations = split.features.apply(images, { training: false }) as tf.Tensor4D;
    // One head pass: the one-hot of each row's arg-max selects its own predicted
    // logit and carries no gradient itself.
    const ownLogit = (a: tf.Tensor) => {
      const logits = split.head(a);
      return tf.sum(tf.mul(logits, tf.oneHot(tf.argMax(logits, -1), logits.shape[1] as number)));
    };
    const gradients = tf.grad(ownLogit)(activations) as tf.Tensor4D;
    return upsampleAndNormalise(weightedMap(activations, gradients, method), images.shape[1], images.shape[2]);
  });
}

export interface HeatmapOptions {
  method: CamMethod;
  batchSize: number;
  /** Which samples; all by default. */
  indices?: readonly number[];
}

/** Heatmaps of a dataset (or of `indices`), N * H * W floats in [0, 1]. */
export function computeHeatmaps(c: Classifier, ds: ImageDataset, options: HeatmapOptions): Float32Array {
  const split = splitAtCamLayer(c);
  const indices = options.indices ?? range(size(ds));
  const area = ds.shape[0] * ds.shape[1];
  const out = new Float32Array(indices.length * area);
  let offset = 0;
  for (const idx of batches(indices, options.batchSize)) {
    const images = imageBatch(ds, idx);
    const maps = heatmapBatch(split, images, options.method);
    out.set(maps.dataSync(), offset);
    offset += maps.size;
    tf.dispose([images, maps]);
  }
  return out;
}
