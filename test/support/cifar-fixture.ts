/** Writes small CIFAR-10 binary batches (the real format) for the loader and experiment tests. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const RECORD = 3073;
export const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);

/** The byte the fixture stores for pixel (y, x, c) of record `n` (numbered across all files). */
export const pixel = (n: number, y: number, x: number, c: number) => (n * 13 + c * 85 + y * 7 + x) % 256;

/** Records in the binary format: label, then R, G, B planes of 32x32, row-major. */
export function records(labels: number[], first: number, recordSize = RECORD): Buffer {
  const bytes = Buffer.alloc(labels.length * recordSize);
  labels.forEach((label, i) => {
    const start = i * recordSize;
    bytes[start] = label;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) bytes[start + 1 + c * 1024 + y * 32 + x] = pixel(first + i, y, x, c);
      }
    }
  });
  return bytes;
}

/**
 * A cifar-10-batches-bin folder inside a temp dir: `perBatch` records per
 * training batch (labels 0, 1, 2, ... mod 10 across the batches) and the given test labels.
 */
export function writeCifarFolder(meta?: string, perBatch = 2, testLabels = [9, 0, 4]): { parent: string; folder: string } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-cifar-"));
  const folder = path.join(parent, "cifar-10-batches-bin");
  fs.mkdirSync(folder);
  TRAIN_FILES.forEach((name, b) => {
    const first = perBatch * b;
    fs.writeFileSync(path.join(folder, name), records(Array.from({ length: perBatch }, (_, i) => (first + i) % 10), first));
  });
  fs.writeFileSync(path.join(folder, "test_batch.bin"), records(testLabels, 100));
  if (meta !== undefined) fs.writeFileSync(path.join(folder, "batches.meta.txt"), meta);
  return { parent, folder };
}

