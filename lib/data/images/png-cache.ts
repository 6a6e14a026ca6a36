/**
 * Transformed images kept on disk instead of in memory, for the MaskTune
 * stage: a set is streamed through an evaluation transform, mapped batch by
 * batch (e.g. heatmap masking) and written as 8-bit PNGs into a folder named
 * by a hash of the key, the transform and the sample ids. A done.json written
 * last marks the folder complete: a complete folder is reused without mapping
 * anything, an incomplete one (an interrupted run) is rebuilt from scratch.
 *
 * Read the PNGs back with asStored(size), which decodes without resizing, or
 * with a training transform for the fine-tuning epoch (MaskTune applies its
 * training augmentation to the saved masked images).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { KitError } from "../../errors";
import { Logger, silentLogger } from "../../log";
import { range } from "../dataset";
import { ImageFileSet, fileCount } from "../image-files";
import { limiter } from "./limiter";
import { streamBatches } from "./stream";
import { EvalTransform, checkTransform, describeTransform, outputSize } from "./transforms";

export type MapBatch = (pixels: Float32Array, indices: number[], shape: [number, number, number]) => Float32Array | Promise<Float32Array>;

export interface CacheOptions {
  batchSize: number;
  /** Everything the mapped pixels depend on besides the transform and the samples: the masking config, a checksum of the model's weights, ... */
  key: unknown;
  /** Rebuild even when a complete cache of the same key exists. */
  fresh?: boolean;
  log?: Logger;
  /** Images decoding, and PNGs being written, at once (default 4). */
  concurrency?: number;
}

const DONE = "done.json";
const PROGRESS_EVERY = 5000;

function cacheDir(set: ImageFileSet, transform: EvalTransform, outDir: string, key: unknown): string {
  const hash = createHash("sha256").update(JSON.stringify({ key, transform })).update(set.ids.join("\n")).digest("hex");
  return path.join(outDir, hash.slice(0, 16));
}

/** Whether `dir` holds a finished cache of `count` images. */
function isComplete(dir: string, count: number): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, DONE), "utf8")) as { count?: unknown }).count === count;
  } catch {
    return false;
  }
}

/** One size x size image of [0, 1] values as an 8-bit RGB PNG, round(x * 255). */
async function writePng(file: string, values: Float32Array, size: number): Promise<void> {
  const bytes = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  await sharp(bytes, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
}

/**
 * `set` through `transform` and `mapBatch`, as PNGs under
 * `outDir/<hash>/<index>.png`; returns the same samples (labels, ids,
 * attributes) pointing at the PNGs. Reuses a complete folder of the same
 * key, transform and samples without calling `mapBatch`.
 */
export async function writeTransformedCache(
  set: ImageFileSet,
  transform: EvalTransform,
  outDir: string,
  mapBatch: MapBatch,
  options: CacheOptions,
): Promise<ImageFileSet> {
  const { batchSize, key, log = silentLogger, concurrency = 4 } = options;
  checkTransform(transform);
  const count = fileCount(set);
  const dir = cacheDir(set, transform, outDir, key);
  const files = range(count).map((i) => path.join(dir, `${i}.png`));
  const cached: ImageFileSet = { ...set, files };
  if (!options.fresh && isComplete(dir, count)) {
    log(`${set.name}: reusing ${count.toLocaleString("en-US")} cached images in ${dir}`);
    return cached;
  }

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const size = outputSize(transform);
  const per = size * size * 3;
  const limit = limiter(concurrency);
  // One batch's PNG writes overlap the next batch's decoding and mapping; never more.
  let writing: Promise<unknown> = Promise.resolve();
  let written = 0;
  for await (const batch of streamBatches(set, range(count), batchSize, transform, { concurrency })) {
    const mapped = await mapBatch(batch.pixels, batch.indices, batch.shape);
    if (mapped.length !== batch.pixels.length) {
      throw new KitError(`mapBatch for ${set.name}`, `${batch.pixels.length} values (one per input value)`, `${mapped.length}`, "Return an array of the input's length.");
    }
    await writing;
    writing = Promise.all(batch.indices.map((i, k) => limit(() => writePng(files[i], mapped.subarray(k * per, (k + 1) * per), size))));
    writing.catch(() => undefined);
    const before = written;
    written += batch.indices.length;
    if (Math.floor(written / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
      log(`${set.name}: ${written.toLocaleString("en-US")} / ${count.toLocaleString("en-US")} images cached`);
    }
  }
  await writing;

  const done = path.join(dir, DONE);
  fs.writeFileSync(`${done}.tmp`, JSON.stringify({ set: set.name, count, size, transform, key, finished: new Date().toISOString() }, null, 2));
  fs.renameSync(`${done}.tmp`, done);
  log(`${set.name}: cached ${count.toLocaleString("en-US")} images (${describeTransform(transform)}) in ${dir}`);
  return cached;
}
