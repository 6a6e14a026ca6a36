/**
 * A dataset of image files on disk, described in memory: paths, labels and
 * per-sample attributes. Pixels are never all in memory; they are decoded
 * batch by batch by the streaming pipeline (lib/data/images/). Used for the
 * large real-image datasets (Waterbirds, CelebA, the Background Challenge).
 */
import { Rng } from "../random";

export interface ImageFileSet {
  /** What this is, e.g. "waterbirds/train". */
  name: string;
  /** Absolute path of each sample's image. */
  files: string[];
  /** Class index per sample, in [0, numClasses). */
  labels: Int32Array;
  numClasses: number;
  /** Stable id per sample (e.g. the file name relative to the dataset folder). */
  ids: string[];
  /** Extra integer metadata per sample; `group` indexes `groupNames` when present. */
  attributes: Record<string, Int32Array>;
  /** Readable name of each group id, e.g. "waterbird on land". */
  groupNames?: string[];
}

export function fileCount(set: ImageFileSet): number {
  return set.files.length;
}

/** `count` samples drawn at random (by `rng`), kept in set order; the whole set when it is not larger. */
export function fileSample(set: ImageFileSet, count: number, rng: Rng, name = set.name): ImageFileSet {
  return count >= fileCount(set) ? set : fileSubset(set, rng.permutation(fileCount(set)).slice(0, count).sort((a, b) => a - b), name);
}

/** The samples at `indices`, in that order. */
export function fileSubset(set: ImageFileSet, indices: readonly number[], name = set.name): ImageFileSet {
  const attributes: Record<string, Int32Array> = {};
  for (const [key, values] of Object.entries(set.attributes)) attributes[key] = Int32Array.from(indices, (i) => values[i]);
  return {
    ...set,
    name,
    files: indices.map((i) => set.files[i]),
    labels: Int32Array.from(indices, (i) => set.labels[i]),
    ids: indices.map((i) => set.ids[i]),
    attributes,
  };
}
