/**
 * Memory check of the streaming image pipeline (`npx tsc -p . && node
 * dist/bench/memory.js [images]`): writes a fixture of 256x300 JPEGs (2,000
 * by default) to a temporary folder, then runs a masking-like pass over it
 * with writeTransformedCache: Waterbirds' eval transform (256x256, centre
 * 224), batches of 64, and a mapBatch that zeroes the brightest 5% of each
 * image's pixels (a stand-in for heatmap masking; no model). Prints the peak
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
import { writeTransformedCache } from "../lib/data/images/png-cache";
import { WATERBIRDS_EVAL, outputSize } from "../lib/data/images/transforms";
import { Rng } from "../lib/random";

const WIDTH = 256;
const HEIGHT = 300;
const BATCH = 64;
const MASKED_SHARE = 0.05;
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

/** Zeroes, per image, the pixels whose channel mean is among the brightest MASKED_SHARE. */
function maskBrightest(pixels: Float32Array, indices: number[], shape: [number, number, number]): Float32Array {
  const [h, w, c] = shape;
  const area = h * w;
  const out = pixels.slice();
  const brightness = new Float32Array(area);
  for (let n = 0; n < indices.length; n++) {
    const image = out.subarray(n * area * c, (n + 1) * area * c);
    for (let p = 0; p < area; p++) brightness[p] = (image[p * c] + image[p * c + 1] + image[p * c + 2]) / 3;
    const tau = Float32Array.from(brightness).sort()[Math.floor(area * (1 - MASKED_SHARE))];
    for (let p = 0; p < area; p++) if (brightness[p] >= tau) image.fill(0, p * c, (p + 1) * c);
  }
  return out;
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
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-memory-"));
  try {
    const source = path.join(root, "jpeg");
    fs.mkdirSync(source);
    let start = Date.now();
    const set = await writeFixture(source, count);
    console.log(`fixture: ${count} JPEGs of ${WIDTH}x${HEIGHT}, ${(folderBytes(source) / MiB).toFixed(1)} MiB, written in ${((Date.now() - start) / 1000).toFixed(1)} s`);

    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    start = Date.now();
    const cached = await writeTransformedCache(set, WATERBIRDS_EVAL, path.join(root, "cache"), maskBrightest, {
      batchSize: BATCH,
      key: { bench: "memory", masked: MASKED_SHARE },
      log: (line) => console.log(`  ${line}`),
    });
    const seconds = (Date.now() - start) / 1000;
    const peak = sampler.stop();

    const size = outputSize(WATERBIRDS_EVAL);
    const inMemory = count * size * size * 3 * 4;
    const pngBytes = folderBytes(path.dirname(cached.files[0]));
    console.log(`masking pass: ${count} images -> ${size}x${size} PNGs, batch ${BATCH}, ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} images/s)`);
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
