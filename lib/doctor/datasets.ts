/**
 * The kit's datasets as the doctor sees them: where each comes from, how it
 * is looked up, and a probe that runs the kit's own loader on a folder (the
 * loaders check file presence and format and throw a KitError naming the file
 * and the fix) and summarises what it read. Image datasets also decode one
 * sample with sharp.
 */
import * as fs from "fs";
import * as path from "path";
import sharp, { OutputInfo } from "sharp";
import { loadBgChallenge, loadIn9l } from "../data/background-challenge";
import { loadCatsVsDogs } from "../data/cats-vs-dogs";
import { loadCelebA } from "../data/celeba";
import { loadCifar10 } from "../data/cifar10";
import { fileCount, ImageFileSet } from "../data/image-files";
import { digitCount, loadMnistIdx } from "../data/mnist";
import { loadSvhn } from "../data/svhn";
import { loadWaterbirds } from "../data/waterbirds";
import { KitError } from "../errors";
import { errorText } from "./check";

export interface KitDataset {
  /** Folder name under datasets/ or --data-root, and the doctor's option (--<name> DIR). */
  name: string;
  /** The first cell of its row in datasets/README.md's table. */
  title: string;
  /** The heading of its layout section in datasets/README.md. */
  heading: string;
  /** The download page(s). */
  page: string;
  /** The environment variable its notebook reads, if any. */
  env?: string;
  /** Loads `dir` with the kit's loader; a one-line summary (counts, the decoded sample). */
  probe(dir: string): Promise<string>;
}

const n = (count: number) => count.toLocaleString("en-US");

/** "train 4,795 / val 1,199 / test 5,794" */
function counts(sets: Record<string, number>): string {
  return Object.entries(sets).map(([split, count]) => `${split} ${n(count)}`).join(" / ");
}

/** Decodes `file` with sharp: "<file> decodes to WxHxC". */
async function decodeSample(file: string, root: string): Promise<string> {
  let info: OutputInfo;
  try {
    ({ info } = await sharp(file).raw().toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new KitError(file, "an image that sharp decodes", `an error (${errorText(e)})`, "The file is damaged: extract it again from the dataset's archive.");
  }
  return `sample ${path.relative(root, file)} decodes to ${info.width}x${info.height}x${info.channels}`;
}

/** Image files (.jpg, .jpeg, .png) under `dir`, counted per top-level entry ("." for files directly in it). */
function imageFilesPerFolder(dir: string): string {
  const tally = new Map<string, number>();
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!/\.(jpe?g|png)$/i.test(entry)) continue;
    const top = entry.includes(path.sep) ? `${entry.split(path.sep)[0]}/` : ".";
    tally.set(top, (tally.get(top) ?? 0) + 1);
  }
  return [...tally].map(([folder, count]) => `${folder} ${n(count)}`).join(", ") || "none";
}

async function splitsWithSample(dir: string, sets: Record<string, ImageFileSet>): Promise<string> {
  const sizes = Object.fromEntries(Object.entries(sets).map(([name, set]) => [name, fileCount(set)]));
  const first = Object.values(sets).find((set) => fileCount(set) > 0)!;
  return `images ${counts(sizes)}; ${await decodeSample(first.files[0], dir)}`;
}

export const KIT_DATASETS: readonly KitDataset[] = [
  {
    name: "mnist",
    title: "MNIST, official IDX files",
    heading: "## MNIST IDX folder layout",
    page: "http://yann.lecun.com/exdb/mnist/",
    probe: async (dir) => {
      const { train, test } = loadMnistIdx(dir);
      return `digits ${counts({ train: digitCount(train), test: digitCount(test) })}`;
    },
  },
  {
    name: "cifar10",
    title: "CIFAR-10, binary version",
    heading: "## CIFAR-10 binary layout",
    page: "https://www.cs.toronto.edu/~kriz/cifar.html",
    probe: async (dir) => {
      const { train, test, classNames } = loadCifar10(dir);
      return `images ${counts({ train: train.labels.length, test: test.labels.length })}; classes ${classNames.join(", ")}`;
    },
  },
  {
    name: "svhn",
    title: "SVHN, cropped digits",
    heading: "## SVHN layout",
    page: "http://ufldl.stanford.edu/housenumbers/",
    probe: async (dir) => {
      const { train, test } = loadSvhn(dir);
      return `images ${counts({ train: train.labels.length, test: test.labels.length })}`;
    },
  },
  {
    name: "cats-vs-dogs",
    title: "Cats vs Dogs",
    heading: "## Cats vs Dogs layouts",
    page: "https://www.kaggle.com/c/dogs-vs-cats/data or https://www.microsoft.com/en-us/download/details.aspx?id=54765",
    probe: async (dir) => {
      // The loader with one image per class: it finds the layout and decodes those two with sharp.
      const { images, skipped } = await loadCatsVsDogs(dir, { limit: 1 });
      const decoded = images.ids.map((id) => id.replace(/^cats-vs-dogs:/, "")).join(" and ");
      const notes = skipped.length > 0 ? `; undecodable: ${skipped.map((s) => s.file).join(", ")}` : "";
      return `image files ${imageFilesPerFolder(dir)}; ${decoded} decode${notes}`;
    },
  },
  {
    name: "waterbirds",
    title: "Waterbirds",
    heading: "## Waterbirds",
    page: "https://github.com/kohpangwei/group_DRO (its README links the archive)",
    env: "MASKTUNE_WATERBIRDS_DIR",
    probe: async (dir) => {
      const { train, val, test } = loadWaterbirds(dir);
      return splitsWithSample(dir, { train, val, test });
    },
  },
  {
    name: "celeba",
    title: "CelebA",
    heading: "## CelebA layouts",
    page: "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html or https://www.kaggle.com/datasets/jessicali9530/celeba-dataset",
    env: "MASKTUNE_CELEBA_DIR",
    probe: async (dir) => {
      const { train, val, test, layout } = loadCelebA(dir);
      return `${layout} layout; ${await splitsWithSample(dir, { train, val, test })}`;
    },
  },
  {
    name: "background-challenge",
    title: "Background Challenge (ImageNet-9)",
    heading: "## Background Challenge",
    page: "https://github.com/MadryLab/backgrounds_challenge (README and releases)",
    env: "MASKTUNE_BG_CHALLENGE_DIR",
    probe: async (dir) => {
      const { train, val } = loadIn9l(dir);
      const { sets } = loadBgChallenge(dir);
      return splitsWithSample(dir, { "IN-9L train": train, "IN-9L val": val, ...sets });
    },
  },
];
