/**
 * Cats vs Dogs (the selective-classification benchmark): Kaggle "Dogs vs.
 * Cats" train/ (cat.<id>.jpg, dog.<id>.jpg) or Microsoft's PetImages
 * (Cat/<n>.jpg, Dog/<n>.jpg). Every image is decoded to RGB with sharp and
 * resized to side x side by a plain bicubic resize that ignores the aspect
 * ratio, like MaskTune's PIL resize((64, 64)). cat = 0, dog = 1.
 * Undecodable files (PetImages has about 1,700) are skipped and reported; the
 * user's files are only read. MaskTune's test split rests on idx lists that
 * were never published, so this returns one dataset for the experiment to split.
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { KitError } from "../errors";
import { ImageDataset } from "./dataset";
import { limiter } from "./images/limiter";
import { putImage } from "./pixels";

export interface CatsVsDogsOptions {
  /** Side of the square images (64 in MaskTune). */
  side?: number;
  /** At most this many images per class (for quick runs). */
  limit?: number;
  log?: (line: string) => void;
}

export interface CatsVsDogs {
  images: ImageDataset;
  source: string;
  skipped: { file: string; reason: string }[];
}

const LAYOUTS = "Kaggle's train/cat.<id>.jpg and train/dog.<id>.jpg (or those files directly in the folder), or Microsoft's PetImages/Cat/<n>.jpg and PetImages/Dog/<n>.jpg";
const GET_FILES = "Unzip Kaggle's Dogs vs. Cats train.zip or Microsoft's kagglecatsanddogs zip and pass the folder (see datasets/README.md).";
const CONCURRENCY = 4;
const PROGRESS_EVERY = 2000;

interface Candidate {
  file: string;
  /** File name, with its class folder for PetImages (ids must be unique). */
  name: string;
  label: number;
  id: number;
}

interface Listing {
  layout: string;
  root: string;
  candidates: Candidate[];
  /** Entries that are not images of the layout (README, Thumbs.db, ...). */
  ignored: number;
}

function isDirectory(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

/** The files of `folder` matching `pattern` (whose last group is the numeric id); the rest are counted. */
function scan(folder: string, pattern: RegExp, label: (m: RegExpExecArray) => number, prefix = ""): { candidates: Candidate[]; ignored: number } {
  const candidates: Candidate[] = [];
  let ignored = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const m = entry.isFile() || entry.isSymbolicLink() ? pattern.exec(entry.name) : null;
    if (m) candidates.push({ file: path.join(folder, entry.name), name: prefix + entry.name, label: label(m), id: Number(m[m.length - 1]) });
    else ignored++;
  }
  return { candidates, ignored };
}

function findImages(dir: string): Listing {
  if (!isDirectory(dir)) throw new KitError(dir, `a folder in one of two layouts: ${LAYOUTS}`, "no such folder", GET_FILES);
  for (const root of [path.join(dir, "PetImages"), dir]) {
    if (isDirectory(path.join(root, "Cat")) && isDirectory(path.join(root, "Dog"))) {
      const parts = ["Cat", "Dog"].map((folder, label) => scan(path.join(root, folder), /^(\d+)\.jpg$/, () => label, `${folder}/`));
      return { layout: "PetImages", root, candidates: parts.flatMap((p) => p.candidates), ignored: parts[0].ignored + parts[1].ignored };
    }
  }
  const root = isDirectory(path.join(dir, "train")) ? path.join(dir, "train") : dir;
  return { layout: "Kaggle", root, ...scan(root, /^(cat|dog)\.(\d+)\.jpg$/, (m) => (m[1] === "dog" ? 1 : 0)) };
}

/** Sorted by label, then numeric id; at most `limit` per class. */
function choose(candidates: Candidate[], limit: number | undefined): Candidate[] {
  const sorted = [...candidates].sort((a, b) => a.label - b.label || a.id - b.id);
  return limit === undefined ? sorted : [0, 1].flatMap((label) => sorted.filter((c) => c.label === label).slice(0, limit));
}

/** side x side x 3 uint8 pixels, HWC; grey, CMYK and alpha sources all come out as sRGB. */
async function decode(file: string, side: number): Promise<Buffer> {
  const { data, info } = await sharp(file)
    .removeAlpha()
    .toColourspace("srgb")
    .resize(side, side, { fit: "fill", kernel: "cubic" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== side || info.height !== side) {
    throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${side}x${side}x3`);
  }
  return data;
}

function requirePositiveInteger(option: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw new KitError(`Cats vs Dogs option ${option}`, "a positive integer", `${value}`, "Fix the option.");
  }
}

/** All decodable cat and dog images of `dir`, in label-then-id order. */
export async function loadCatsVsDogs(dir: string, options: CatsVsDogsOptions = {}): Promise<CatsVsDogs> {
  const { side = 64, limit, log = () => undefined } = options;
  requirePositiveInteger("side", side);
  requirePositiveInteger("limit", limit);
  const listing = findImages(dir);
  const chosen = choose(listing.candidates, limit);
  if (chosen.length === 0) {
    throw new KitError(dir, `cat and dog images in one of two layouts: ${LAYOUTS}`, `none (${listing.ignored} other entries in ${listing.root})`, GET_FILES);
  }

  const results: ({ pixels: Buffer } | { reason: string })[] = new Array(chosen.length);
  let done = 0;
  const decodeSlot = limiter(CONCURRENCY);
  await Promise.all(chosen.map((_, i) => decodeSlot(async () => {
    try {
      results[i] = { pixels: await decode(chosen[i].file, side) };
    } catch (e) {
      results[i] = { reason: (e as Error).message };
    }
    done++;
    if (done % PROGRESS_EVERY === 0) log(`Cats vs Dogs: ${done.toLocaleString("en-US")} / ${chosen.length.toLocaleString("en-US")} images decoded`);
  })));

  const kept: { candidate: Candidate; pixels: Buffer }[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const [i, r] of results.entries()) {
    if ("pixels" in r) kept.push({ candidate: chosen[i], pixels: r.pixels });
    else skipped.push({ file: chosen[i].file, reason: r.reason });
  }
  if (skipped.length > 0) log(`Cats vs Dogs: skipped ${skipped.length.toLocaleString("en-US")} undecodable file(s), e.g. ${skipped[0].file} (${skipped[0].reason})`);
  if (kept.length === 0) throw new KitError(listing.root, "decodable images", `none of ${chosen.length} could be decoded (${skipped[0].reason})`, GET_FILES);

  const shape = [side, side, 3] as const;
  const images = new Float32Array(kept.length * side * side * 3);
  kept.forEach((k, i) => putImage(images, i, shape, k.pixels, 0, { row: side * 3, col: 3, channel: 1 }));
  const labels = Int32Array.from(kept, (k) => k.candidate.label);
  const ids = kept.map((k) => `cats-vs-dogs:${k.candidate.name}`);
  const cats = labels.filter((l) => l === 0).length;
  const notes = [
    `${cats.toLocaleString("en-US")} cats + ${(labels.length - cats).toLocaleString("en-US")} dogs at ${side}x${side}`,
    ...(limit !== undefined ? [`at most ${limit} per class`] : []),
    ...(listing.ignored > 0 ? [`${listing.ignored} other entries ignored`] : []),
    ...(skipped.length > 0 ? [`${skipped.length} undecodable skipped`] : []),
  ];
  return {
    images: { name: "cats-vs-dogs", shape, images, labels, numClasses: 2, ids, attributes: {} },
    source: `Cats vs Dogs, ${listing.layout} layout (${listing.root}): ${notes.join(", ")}`,
    skipped,
  };
}
