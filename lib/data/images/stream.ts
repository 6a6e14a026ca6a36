/**
 * Streams an ImageFileSet from disk as batches of transformed pixels, so a
 * dataset never has to fit in memory (CelebA has ~200k images). The batches
 * after the one the consumer holds decode meanwhile in sharp's worker
 * threads; at most prefetch + 1 batches exist at a time.
 *
 * A training transform's draws depend only on the rng and the order: each
 * image gets its own Rng, seeded from `rng` in order when its batch is
 * scheduled, so decode concurrency and timing never change them.
 */
import { KitError } from "../../errors";
import { Rng } from "../../random";
import { ImageDataset, batches, range } from "../dataset";
import { ImageFileSet, fileCount } from "../image-files";
import { decodeInto } from "./decode";
import { limiter } from "./limiter";
import { ImageTransform, checkTransform, outputSize, requireRng } from "./transforms";

export interface StreamOptions {
  /** Required by a training transform: its crops and flips are drawn from it. */
  rng?: Rng;
  /** Batches decoded ahead of the one the consumer holds (default 2). */
  prefetch?: number;
  /** Images decoding at once (default 4, libuv's default thread pool size). */
  concurrency?: number;
}

export interface ImageBatch {
  /** Sample indices of the batch, in order. */
  indices: number[];
  /** indices.length images of `shape`, NHWC float32 in [0, 1]. */
  pixels: Float32Array;
  shape: [number, number, number];
}

function requireInteger(option: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new KitError(`streamBatches option ${option}`, `an integer >= ${min}`, `${value}`, "Fix the option.");
  }
}

function checkOrder(set: ImageFileSet, order: readonly number[]): void {
  const n = fileCount(set);
  const bad = order.find((i) => !(Number.isInteger(i) && i >= 0 && i < n));
  if (bad !== undefined) {
    throw new KitError(`batch order for ${set.name}`, `sample indices in 0..${n - 1}`, `${bad}`, "Build the order from the set's own indices (e.g. range or a permutation of its size).");
  }
}

/** Batches of `order` (the last may be smaller) of `set` through `transform`, decoded ahead of the consumer. */
export async function* streamBatches(
  set: ImageFileSet,
  order: readonly number[],
  batchSize: number,
  transform: ImageTransform,
  options: StreamOptions = {},
): AsyncGenerator<ImageBatch> {
  const { prefetch = 2, concurrency = 4 } = options;
  checkTransform(transform);
  requireInteger("batchSize", batchSize, 1);
  requireInteger("prefetch", prefetch, 0);
  requireInteger("concurrency", concurrency, 1);
  checkOrder(set, order);
  const rng = transform.kind === "random-resized-crop" ? requireRng(transform, options.rng) : undefined;

  const size = outputSize(transform);
  const shape: [number, number, number] = [size, size, 3];
  const limit = limiter(concurrency);
  const chunks = batches(order, batchSize);
  const pending: Promise<ImageBatch>[] = [];
  let stopped = false;

  const decodeBatch = async (indices: number[], rngs: (Rng | undefined)[]): Promise<ImageBatch> => {
    const pixels = new Float32Array(indices.length * size * size * 3);
    await Promise.all(
      indices.map((i, k) =>
        limit(async () => {
          if (!stopped) await decodeInto(set.files[i], transform, pixels, k, rngs[k]);
        }),
      ),
    );
    return { indices, pixels, shape };
  };

  const schedule = (ahead: number) => {
    while (pending.length < ahead) {
      const chunk = chunks.next();
      if (chunk.done) return;
      const batch = decodeBatch(chunk.value, chunk.value.map(() => rng && new Rng(rng.seed())));
      // A failure surfaces when the consumer reaches this batch, not as an unhandled rejection before.
      batch.catch(() => undefined);
      pending.push(batch);
    }
  };

  try {
    for (;;) {
      schedule(Math.max(1, prefetch));
      const next = pending.shift();
      if (!next) return;
      const batch = await next;
      schedule(prefetch);
      yield batch;
    }
  } finally {
    // Queued decodes of batches nobody will read are skipped.
    stopped = true;
  }
}

/** A whole (small) set through `transform` as one in-memory dataset, in set order. */
export async function loadAll(
  set: ImageFileSet,
  transform: ImageTransform,
  options: StreamOptions & { batchSize?: number } = {},
): Promise<ImageDataset> {
  const size = outputSize(transform);
  const per = size * size * 3;
  const images = new Float32Array(fileCount(set) * per);
  for await (const batch of streamBatches(set, range(fileCount(set)), options.batchSize ?? 64, transform, options)) {
    images.set(batch.pixels, batch.indices[0] * per);
  }
  return {
    name: set.name,
    shape: [size, size, 3],
    images,
    labels: set.labels,
    numClasses: set.numClasses,
    ids: set.ids,
    attributes: set.attributes,
  };
}
