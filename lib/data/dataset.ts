/**
 * The kit's one in-memory dataset shape: images as NHWC float32 in [0, 1],
 * integer labels, a stable id per sample and named per-sample attributes
 * (digit, whether a spurious square is present, group, ...).
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";

export interface ImageDataset {
  /** What this is, e.g. "biased-mnist/train". */
  name: string;
  /** Height, width, channels of every image. */
  shape: readonly [number, number, number];
  /** N * H * W * C pixels, NHWC, in [0, 1]. */
  images: Float32Array;
  /** Class index per sample, in [0, numClasses). */
  labels: Int32Array;
  numClasses: number;
  /** Stable id per sample (survives shuffles, masking and subsetting). */
  ids: string[];
  /** Extra integer metadata per sample, e.g. `digit`, `square`. */
  attributes: Record<string, Int32Array>;
}

export function size(ds: ImageDataset): number {
  return ds.labels.length;
}

export function pixelsPerImage(ds: ImageDataset): number {
  return ds.shape[0] * ds.shape[1] * ds.shape[2];
}

/** The same samples with new pixels (e.g. masked), everything else shared. */
export function withImages(ds: ImageDataset, images: Float32Array, name: string): ImageDataset {
  if (images.length !== ds.images.length) {
    throw new Error(`withImages: ${images.length} pixels given for a dataset of ${ds.images.length}`);
  }
  return { ...ds, images, name };
}

/** The subset at `indices`, in that order (copies pixels). */
export function subset(ds: ImageDataset, indices: readonly number[], name = ds.name): ImageDataset {
  const per = pixelsPerImage(ds);
  const images = new Float32Array(indices.length * per);
  indices.forEach((src, dst) => images.set(ds.images.subarray(src * per, (src + 1) * per), dst * per));
  const attributes: Record<string, Int32Array> = {};
  for (const [key, values] of Object.entries(ds.attributes)) {
    attributes[key] = Int32Array.from(indices, (i) => values[i]);
  }
  return {
    ...ds,
    name,
    images,
    labels: Int32Array.from(indices, (i) => ds.labels[i]),
    ids: indices.map((i) => ds.ids[i]),
    attributes,
  };
}

/** The pixels of images `indices`, back to back (a copy). */
export function batchPixels(ds: ImageDataset, indices: readonly number[]): Float32Array {
  const per = pixelsPerImage(ds);
  const pixels = new Float32Array(indices.length * per);
  indices.forEach((src, dst) => pixels.set(ds.images.subarray(src * per, (src + 1) * per), dst * per));
  return pixels;
}

/** `count` samples drawn at random (by `rng`), kept in dataset order; the whole set when it is not larger. */
export function sample(ds: ImageDataset, count: number, rng: Rng, name = ds.name): ImageDataset {
  return count >= size(ds) ? ds : subset(ds, rng.permutation(size(ds)).slice(0, count).sort((a, b) => a - b), name);
}

/** Images `indices` as one [n, H, W, C] tensor (the caller disposes it). */
export function imageBatch(ds: ImageDataset, indices: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(batchPixels(ds, indices), [indices.length, ...ds.shape]);
}

/** Consecutive chunks of `order` of at most `batchSize` (the last may be smaller). */
export function* batches(order: readonly number[], batchSize: number): Generator<number[]> {
  for (let start = 0; start < order.length; start += batchSize) {
    yield order.slice(start, start + batchSize);
  }
}

/** 0..n-1, for evaluation passes in dataset order. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
