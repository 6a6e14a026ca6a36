/**
 * Memory check of the streaming image pipeline (`npx tsc -p . && node
 * dist/bench/memory.js [images]`): writes a fixture of 256x300 JPEGs (2,000
 * by default) to a temporary folder, then runs MaskTune's masking pass over
 * it with writeTransformedCache: Waterbirds' eval transform (256x256, centre
 * 224), batches of 32, xGradCAM heatmaps of a ResNet-32 (random weights: the
 * weights do not change the memory) and mean + 2·std masks. Prints the peak
 * resident memory of the pass (sampled every 50 ms), the process's maxRSS,
 * the time taken, and what the same images would take in memory as float32.
 * The folder is removed at the end.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { ImageFileSet } from "../lib/data/image-files";
import { limiter } from "../lib/data/images/limiter";
import { MapBatch, writeTransformedCache } from "../lib/data/images/png-cache";
import { WATERBIRDS_EVAL, outputSize } from "../lib/data/images/transforms";
import { initBackend } from "../lib/backend";
import { ImageDataset } from "../lib/data/dataset";
import { PAPER_MASKING, maskWithHeatmaps } from "../lib/masking/masktune";
import { Classifier } from "../lib/models/classifier";
import { resnet32 } from "../lib/models/resnet32";
import { Rng } from "../lib/random";

const WIDTH = 256;
const HEIGHT = 300;
const BATCH = 32;
const MiB = 1024 * 1024;

/** A photo-like JPEG: smooth colour gradients plus noise, different per image. */
async function writeFixtureImage(file: string, rng: Rng): Promise<void> {
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  const [fx, fy, phase] = [rng.next() * 0.05, rng.next() * 0.05, rng.next() * 6];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const base = 128 + 90 * Math.sin(fx * x + fy * y + phase);
      for (let c = 0; c < 3; c++) pixels[(y * WIDTH + x) * 3 + c] = base + 40 * c - 40 + rng.int(-20, 20);
    }
  }
  await sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
}

async function writeFixture(dir: string, count: number): Promise<ImageFileSet> {
  const rng = Rng.for(0, "memory-bench");
  const files = Array.from({ length: count }, (_, i) => path.join(dir, `${i}.jpg`));
  const limit = limiter(4);
  await Promise.all(files.map((file, i) => limit(() => writeFixtureImage(file, new Rng(rng.seed() + i)))));
  return {
    name: "memory-bench",
    files,
    labels: Int32Array.from(files, (_, i) => i % 2),
    numClasses: 2,
    ids: files.map((f) => path.basename(f)),
    attributes: {},
  };
}

/** MaskTune's masking of one batch: xGradCAM of `model`, mean + 2·std masks, applied in raw pixel space. */
function maskBatch(model: Classifier): MapBatch {
  return (pixels, indices, shape) => {
    const batch: ImageDataset = { name: "batch", shape, images: pixels, labels: new Int32Array(indices.length), numClasses: 2, ids: indices.map(String), attributes: {} };
    return maskWithHeatmaps(model, batch, { ...PAPER_MASKING, batchSize: BATCH }).masked.images;
  };
}

/** Samples RSS every 50 ms; stop() gives the peak in bytes. */
function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

function folderBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 2000);
  await initBackend();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-memory-"));
  try {
    const source = path.join(root, "jpeg");
    fs.mkdirSync(source);
    let start = Date.now();
    const set = await writeFixture(source, count);
    console.log(`fixture: ${count} JPEGs of ${WIDTH}x${HEIGHT}, ${(folderBytes(source) / MiB).toFixed(1)} MiB, written in ${((Date.now() - start) / 1000).toFixed(1)} s`);

    const size = outputSize(WATERBIRDS_EVAL);
    const model = resnet32({ inputShape: [size, size, 3], numClasses: 2, seed: 1 });
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    start = Date.now();
    const cached = await writeTransformedCache(set, WATERBIRDS_EVAL, path.join(root, "cache"), maskBatch(model), {
      batchSize: BATCH,
      key: { bench: "memory", masking: PAPER_MASKING },
      log: (line) => console.log(`  ${line}`),
    });
    const seconds = (Date.now() - start) / 1000;
    const peak = sampler.stop();

    model.model.dispose();
    const inMemory = count * size * size * 3 * 4;
    const pngBytes = folderBytes(path.dirname(cached.files[0]));
    console.log(`masking pass (ResNet-32 xGradCAM, mean + 2·std): ${count} images -> ${size}x${size} PNGs, batch ${BATCH}, ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} images/s)`);
    console.log(`  PNG cache: ${(pngBytes / MiB).toFixed(1)} MiB (${(pngBytes / count / 1024).toFixed(0)} KiB per image)`);
    console.log(`  RSS before the pass: ${(before / MiB).toFixed(0)} MiB; peak during it (50 ms samples): ${(peak / MiB).toFixed(0)} MiB`);
    console.log(`  process maxRSS (whole run, fixture included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    console.log(`  the same images held in memory as float32: ${(inMemory / MiB).toFixed(0)} MiB`);
    if (peak > 2 * 1024 * MiB) throw new Error(`peak RSS ${(peak / MiB).toFixed(0)} MiB is over 2 GiB`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
