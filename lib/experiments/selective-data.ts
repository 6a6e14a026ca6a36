/**
 * Train / validation / test sets for the selective-classification experiment,
 * by dataset name: the embedded MNIST digits (10 classes, the CPU default) or
 * MNIST IDX files, CIFAR-10 (binary), SVHN (.mat) and Cats vs Dogs (JPEG).
 * Validation is held out of the training files by seed, 20% as in the
 * MaskTune code; Cats vs Dogs has no public test split, so 20% of its images
 * are held out for testing first (the SelectiveNet protocol's 5,000 of 25,000).
 */
import { ImageDataset, sample } from "../data/dataset";
import { loadCatsVsDogs } from "../data/cats-vs-dogs";
import { loadCifar10 } from "../data/cifar10";
import { Digits, MNIST_SIDE, loadEmbeddedMnist, loadMnistIdx, splitStratified } from "../data/mnist";
import { splitHoldout } from "../data/split";
import { loadSvhn } from "../data/svhn";
import { KitError } from "../errors";
import { Logger } from "../log";
import { Rng } from "../random";

export const SELECTIVE_DATASETS = ["mnist", "cifar10", "svhn", "cats-vs-dogs"] as const;
export type SelectiveDataset = (typeof SELECTIVE_DATASETS)[number];

export interface SelectiveSplits {
  source: string;
  train: ImageDataset;
  val: ImageDataset;
  test: ImageDataset;
}

export interface SelectiveDataConfig {
  dataset: SelectiveDataset;
  /** Folder of the dataset's files; required except for the embedded MNIST digits. */
  dataDir?: string;
  /** Held out of the training files for validation (MaskTune: 0.2). */
  valFraction: number;
  /** Embedded digits only: fractions of the 10,000-digit pool (train, val, test). */
  embeddedSplit: { train: number; val: number; test: number };
  /** Use at most this many training images, drawn by seed (quick runs); all when absent. */
  trainLimit?: number;
  /** Side of the Cats-vs-Dogs images (MaskTune: 64). */
  imageSide: number;
}

/** Grey digits as a 10-class, one-channel dataset. */
export function digitsDataset(d: Digits, name: string): ImageDataset {
  return { name, shape: [MNIST_SIDE, MNIST_SIDE, 1], images: d.pixels, labels: d.digits, numClasses: 10, ids: d.ids, attributes: {} };
}

function trainAndVal(config: SelectiveDataConfig, trainFiles: ImageDataset, seed: number): [ImageDataset, ImageDataset] {
  const [train, val] = splitHoldout(trainFiles, config.valFraction, seed, [`${config.dataset}/train`, `${config.dataset}/val`]);
  return [limit(train, config.trainLimit, seed), val];
}

/** At most `count` training images, drawn by seed (loaders return files in class order, so the first N would be one class). */
function limit(ds: ImageDataset, count: number | undefined, seed: number): ImageDataset {
  return count === undefined ? ds : sample(ds, count, Rng.for(seed, "train-limit"));
}

function requireDataDir(config: SelectiveDataConfig): string {
  if (!config.dataDir) {
    throw new KitError(`--dataset ${config.dataset}`, "a data folder", "none", `Pass the folder with --data DIR (see datasets/README.md for the files ${config.dataset} needs).`);
  }
  return config.dataDir;
}

export async function loadSelectiveData(config: SelectiveDataConfig, seed: number, log: Logger): Promise<SelectiveSplits> {
  switch (config.dataset) {
    case "mnist": {
      if (config.dataDir) {
        const files = loadMnistIdx(config.dataDir);
        const [train, val] = trainAndVal(config, digitsDataset(files.train, "mnist/train-files"), seed);
        return { source: files.train.source, train, val, test: digitsDataset(files.test, "mnist/test") };
      }
      const pool = loadEmbeddedMnist();
      const { train, val, test } = config.embeddedSplit;
      const parts = splitStratified(pool, [train, val, test], seed);
      return {
        source: pool.source,
        train: limit(digitsDataset(parts[0], "mnist/train"), config.trainLimit, seed),
        val: digitsDataset(parts[1], "mnist/val"),
        test: digitsDataset(parts[2], "mnist/test"),
      };
    }
    case "cifar10":
    case "svhn": {
      const files = config.dataset === "cifar10" ? loadCifar10(requireDataDir(config)) : loadSvhn(requireDataDir(config));
      const [train, val] = trainAndVal(config, files.train, seed);
      return { source: files.source, train, val, test: files.test };
    }
    case "cats-vs-dogs": {
      const files = await loadCatsVsDogs(requireDataDir(config), { side: config.imageSide, log });
      const [rest, test] = splitHoldout(files.images, 0.2, seed, ["cats-vs-dogs/train-files", "cats-vs-dogs/test"], "test-split");
      const [train, val] = trainAndVal(config, rest, seed);
      return { source: files.source, train, val, test };
    }
  }
}
