/**
 * CIFAR-10, binary version (`cifar-10-binary.tar.gz`): five training batches
 * and one test batch of 3,073-byte records (label byte, then the R, G and B
 * planes of a 32x32 image, row-major). Images become NHWC float32 in [0, 1].
 * The Python (pickle) version and CIFAR-100 are refused.
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { ImageDataset } from "./dataset";
import { putImage } from "./pixels";

export const CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const CIFAR100_RECORD = RECORD + 1;
const BIN_FOLDER = "cifar-10-batches-bin";
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = "test_batch.bin";
const GET_BINARY = "Download cifar-10-binary.tar.gz from the CIFAR-10 page, unpack it and pass its cifar-10-batches-bin folder (or the folder holding it).";

export interface Cifar10 {
  train: ImageDataset;
  test: ImageDataset;
  source: string;
  classNames: string[];
}

function isDirectory(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

/** The folder holding the .bin batches: `dir` itself or its cifar-10-batches-bin/. */
function batchFolder(dir: string): string {
  if (!isDirectory(dir)) throw new KitError(dir, "a folder with the CIFAR-10 binary batches", "no such folder", GET_BINARY);
  const nested = path.join(dir, BIN_FOLDER);
  if (isDirectory(nested)) return nested;
  if (fs.existsSync(path.join(dir, TRAIN_FILES[0]))) return dir;
  if (isDirectory(path.join(dir, "cifar-10-batches-py")) || fs.existsSync(path.join(dir, "data_batch_1"))) {
    throw new KitError(dir, "the binary version of CIFAR-10 (data_batch_1.bin ...)", "the Python (pickle) version", "Only the binary version is supported: " + GET_BINARY);
  }
  if (fs.existsSync(path.join(dir, "train.bin"))) {
    throw new KitError(dir, "CIFAR-10 batches (data_batch_1.bin ...)", "train.bin, which is how CIFAR-100 names its files", "CIFAR-100 is not supported. " + GET_BINARY);
  }
  return dir;
}

/** The records of one batch file, after checking its size and labels. */
function readBatch(file: string): Uint8Array {
  const bytes = fs.readFileSync(file);
  const found = `${bytes.length.toLocaleString("en-US")} bytes`;
  if (bytes.length === 0) throw new KitError(file, "3,073-byte CIFAR-10 records", "an empty file", "Re-download cifar-10-binary.tar.gz.");
  if (bytes.length % RECORD !== 0) {
    if (bytes.length % CIFAR100_RECORD === 0) {
      throw new KitError(file, "3,073-byte CIFAR-10 records", `${found}, a multiple of 3,074 (CIFAR-100 records: coarse label, fine label, pixels)`, "CIFAR-100 is not supported. " + GET_BINARY);
    }
    throw new KitError(file, "a multiple of 3,073 bytes (CIFAR-10 records)", `${found} (file truncated?)`, "Re-download cifar-10-binary.tar.gz.");
  }
  for (let i = 0; i < bytes.length; i += RECORD) {
    if (bytes[i] > 9) {
      throw new KitError(file, "labels 0-9", `${bytes[i]} in record ${i / RECORD}`, "This is not a CIFAR-10 batch; re-download cifar-10-binary.tar.gz.");
    }
  }
  return bytes;
}

function loadSplit(folder: string, files: string[], split: "train" | "test"): ImageDataset {
  const batches = files.map((name) => readBatch(path.join(folder, name)));
  const n = batches.reduce((sum, b) => sum + b.length / RECORD, 0);
  const shape = [SIDE, SIDE, 3] as const;
  const images = new Float32Array(n * SIDE * SIDE * 3);
  const labels = new Int32Array(n);
  let next = 0;
  for (const bytes of batches) {
    for (let start = 0; start < bytes.length; start += RECORD, next++) {
      labels[next] = bytes[start];
      putImage(images, next, shape, bytes, start + 1, { row: SIDE, col: 1, channel: PLANE });
    }
  }
  const ids = Array.from(labels, (_, i) => `cifar10:${split}:${i}`);
  return { name: `cifar10/${split}`, shape, images, labels, numClasses: 10, ids, attributes: {} };
}

/** The names in batches.meta.txt (one per line, trailing blank lines ignored), else the standard ten. */
function classNames(folder: string): string[] {
  const file = path.join(folder, "batches.meta.txt");
  if (!fs.existsSync(file)) return [...CIFAR10_CLASSES];
  const names = fs.readFileSync(file, "utf8").split(/\r?\n/).map((line) => line.trim());
  while (names.length > 0 && names[names.length - 1] === "") names.pop();
  if (names.length !== 10 || names.includes("")) {
    throw new KitError(file, "10 class names, one per line", `${names.length} lines`, "Re-download cifar-10-binary.tar.gz (the file lists the ten names in label order).");
  }
  return names;
}

/** CIFAR-10's official train (five batches) and test sets from the binary version. */
export function loadCifar10(dir: string): Cifar10 {
  const folder = batchFolder(dir);
  const missing = [...TRAIN_FILES, TEST_FILE].filter((name) => !fs.existsSync(path.join(folder, name)));
  if (missing.length > 0) {
    throw new KitError(folder, `the six batch files ${TRAIN_FILES.join(", ")}, ${TEST_FILE}`, `no ${missing.join(", ")}`, GET_BINARY);
  }
  const names = classNames(folder);
  const train = loadSplit(folder, TRAIN_FILES, "train");
  const test = loadSplit(folder, [TEST_FILE], "test");
  const count = (ds: ImageDataset) => ds.labels.length.toLocaleString("en-US");
  return { train, test, source: `CIFAR-10 binary (${folder}): ${count(train)} train / ${count(test)} test`, classNames: names };
}
