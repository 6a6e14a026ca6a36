/**
 * SVHN cropped digits from the official MATLAB files train_32x32.mat and
 * test_32x32.mat: X is uint8 [32, 32, 3, N], column-major; y is [N, 1] with
 * labels 1-10, where 10 means digit 0 (label = y % 10, as torchvision and
 * MaskTune map it). Images become NHWC float32 in [0, 1]. extra_32x32.mat is
 * not read.
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { ImageDataset } from "./dataset";
import { MatArray, readMatFile } from "./matfile";
import { putImage } from "./pixels";

const SIDE = 32;
const FILES = ["train_32x32.mat", "test_32x32.mat"];
const GET_FILES = "Download train_32x32.mat and test_32x32.mat (SVHN format 2, cropped digits) into this folder.";

export interface Svhn {
  train: ImageDataset;
  test: ImageDataset;
  source: string;
}

/** The image count of X after checking it is uint8 [32, 32, 3, N] (MATLAB drops a trailing N of 1). */
function imageCount(file: string, X: MatArray): number {
  const [h, w, c, n = 1] = X.dims;
  if (X.className !== "uint8" || X.dims.length < 3 || X.dims.length > 4 || h !== SIDE || w !== SIDE || c !== 3) {
    throw new KitError(file, "X as uint8 [32, 32, 3, N]", `${X.className} [${X.dims.join(", ")}]`, "This is not an SVHN cropped-digits file; " + GET_FILES);
  }
  return n;
}

/** Labels 0-9 from y (1-10, 10 = digit 0), after checking its size and values. */
function digitLabels(file: string, y: MatArray, n: number): Int32Array {
  if (y.dims.length !== 2 || Math.min(...y.dims) !== 1 || y.data.length !== n) {
    throw new KitError(file, `y of size ${n}x1 (one label per image in X)`, `${y.dims.join("x")}`, "The file is damaged or not SVHN; re-download it.");
  }
  const bad = y.data.findIndex((v: number) => !Number.isInteger(v) || v < 1 || v > 10);
  if (bad >= 0) throw new KitError(file, "labels that are integers 1-10", `${y.data[bad]} at index ${bad}`, "The file is damaged or not SVHN; re-download it.");
  return Int32Array.from(y.data, (v: number) => v % 10);
}

function loadSplit(dir: string, split: "train" | "test"): ImageDataset {
  const file = path.join(dir, `${split}_32x32.mat`);
  const { X, y } = readMatFile(file, ["X", "y"]);
  const n = imageCount(file, X);
  const labels = digitLabels(file, y, n);
  const shape = [SIDE, SIDE, 3] as const;
  const images = new Float32Array(n * SIDE * SIDE * 3);
  const pixels = X.data as Uint8Array;
  for (let i = 0; i < n; i++) putImage(images, i, shape, pixels, i * SIDE * SIDE * 3, { row: 1, col: SIDE, channel: SIDE * SIDE });
  const ids = Array.from(labels, (_, i) => `svhn:${split}:${i}`);
  return { name: `svhn/${split}`, shape, images, labels, numClasses: 10, ids, attributes: {} };
}

/** SVHN's official train and test sets (the extra set is not used). */
export function loadSvhn(dir: string): Svhn {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new KitError(dir, "a folder with the SVHN .mat files", "no such folder", GET_FILES);
  const missing = FILES.filter((name) => !fs.existsSync(path.join(dir, name)));
  if (missing.length > 0) throw new KitError(dir, FILES.join(" and "), `no ${missing.join(", ")}`, GET_FILES);
  const train = loadSplit(dir, "train");
  const test = loadSplit(dir, "test");
  const count = (ds: ImageDataset) => ds.labels.length.toLocaleString("en-US");
  return { train, test, source: `SVHN cropped digits (${dir}): ${count(train)} train / ${count(test)} test` };
}
