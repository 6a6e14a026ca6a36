/**
 * Where training and evaluation read pixels from: an in-memory dataset, or
 * image files decoded batch by batch from disk. Both give batches of NHWC
 * float32 pixels in [0, 1] for a list of sample indices, with the source's
 * random training transforms when asked.
 */
import { KitError } from "../errors";
import { Rng } from "../random";
import { AugmentConfig, NO_AUGMENTATION, augmentBatch, isIdentity } from "./augment";
import { ImageDataset, batchPixels, batches, size } from "./dataset";
import { ImageFileSet, fileCount } from "./image-files";
import { streamBatches } from "./images/stream";
import { EvalTransform, TrainTransform, outputSize } from "./images/transforms";

export interface PixelBatch {
  /** Sample indices of the batch, in order. */
  indices: number[];
  /** indices.length * H * W * C pixels. */
  pixels: Float32Array;
}

export interface BatchSource {
  name: string;
  size: number;
  /** Height, width, channels of every batch image. */
  shape: readonly [number, number, number];
  labels: Int32Array;
  numClasses: number;
  attributes: Record<string, Int32Array>;
  /** Batches of `order` in that order; with `training`, random training transforms drawn from its rng. */
  batches(order: readonly number[], batchSize: number, training?: { rng: Rng }): AsyncIterable<PixelBatch>;
}

/** An in-memory dataset as a source; `augmentation` is applied to training batches only. */
export function memorySource(ds: ImageDataset, augmentation: AugmentConfig = NO_AUGMENTATION): BatchSource {
  return {
    name: ds.name,
    size: size(ds),
    shape: ds.shape,
    labels: ds.labels,
    numClasses: ds.numClasses,
    attributes: ds.attributes,
    async *batches(order, batchSize, training) {
      for (const indices of batches(order, batchSize)) {
        const pixels = batchPixels(ds, indices);
        if (training && !isIdentity(augmentation)) augmentBatch(pixels, indices.length, ds.shape, augmentation, training.rng);
        yield { indices, pixels };
      }
    },
  };
}

/** A source as given, or an in-memory dataset wrapped as one (no augmentation). */
export function asSource(data: ImageDataset | BatchSource): BatchSource {
  return "batches" in data ? data : memorySource(data);
}

/**
 * Image files streamed from disk: `evalTransform` for evaluation and
 * masking, `trainTransform` (same output size) for training batches.
 */
export function fileSource(set: ImageFileSet, evalTransform: EvalTransform, trainTransform?: TrainTransform): BatchSource {
  const side = outputSize(evalTransform);
  if (trainTransform && outputSize(trainTransform) !== side) {
    throw new KitError(`${set.name} transforms`, `training and evaluation images of one size`, `${outputSize(trainTransform)} and ${side}`, "Give both transforms the same output size.");
  }
  return {
    name: set.name,
    size: fileCount(set),
    shape: [side, side, 3],
    labels: set.labels,
    numClasses: set.numClasses,
    attributes: set.attributes,
    async *batches(order, batchSize, training) {
      const transform = training && trainTransform ? trainTransform : evalTransform;
      for await (const { indices, pixels } of streamBatches(set, order, batchSize, transform, { rng: training?.rng })) yield { indices, pixels };
    },
  };
}
