/**
 * What happens to a decoded image before the model sees it, as plain data:
 * the evaluation/masking transforms (deterministic) and the training
 * transform (random), with the presets the MaskTune authors used, and the
 * per-image plan (crop boxes, output size, flip) a transform gives for an
 * image of a given size. Applying a plan with sharp is decode.ts's job.
 *
 * Sources (transforms as the authors' code builds them, torchvision 0.10):
 * - Waterbirds: kohpangwei/group_DRO data/cub_dataset.py and MaskTune
 *   src/methods/waterbirds_train.py: eval and masking Resize((256, 256)),
 *   CenterCrop(224); train RandomResizedCrop(224, scale (0.7, 1),
 *   ratio (3/4, 4/3), bilinear), RandomHorizontalFlip.
 * - CelebA: group_DRO data/celebA_dataset.py: eval CenterCrop(178),
 *   Resize((224, 224)); train as Waterbirds but ratio (1, 4/3).
 * - Background Challenge (MaskTune src/methods/in9l_train.py): test
 *   Resize(256), CenterCrop(224); masking Resize((224, 224)).
 * No normalisation here: pixels stay in [0, 1] and the model normalises, so
 * masks apply to raw pixels.
 */
import { KitError } from "../../errors";
import type { Rng } from "../../random";
import { Box, centerCropBox, randomResizedCropBox, shorterSideSize } from "./geometry";

/**
 * torchvision's Resize then CenterCrop(crop). `resize` as a number: the
 * shorter side becomes that (Resize(256)); as [height, width]: exactly that
 * size, aspect ratio ignored (Resize((256, 256))).
 */
export interface ResizeCenterCrop {
  kind: "resize-center-crop";
  resize: number | readonly [number, number];
  crop: number;
}

/** CenterCrop(crop) (the shorter side when absent), then Resize((size, size)). */
export interface CenterCropResize {
  kind: "center-crop-resize";
  crop?: number;
  size: number;
}

/** Decode only: the files are already size x size (e.g. the PNG cache); any other size is an error. */
export interface AsStored {
  kind: "as-stored";
  size: number;
}

export type EvalTransform = ResizeCenterCrop | CenterCropResize | AsStored;

/** RandomResizedCrop(size, scale, ratio), then RandomHorizontalFlip(0.5) when `hflip`. */
export interface TrainTransform {
  kind: "random-resized-crop";
  size: number;
  /** Range of the crop's share of the image area. */
  scale: readonly [number, number];
  /** Range of the crop's width / height, sampled log-uniformly. */
  ratio: readonly [number, number];
  hflip: boolean;
}

export type ImageTransform = EvalTransform | TrainTransform;

export const WATERBIRDS_EVAL: EvalTransform = Object.freeze({ kind: "resize-center-crop", resize: Object.freeze([256, 256] as const), crop: 224 });
export const CELEBA_EVAL: EvalTransform = Object.freeze({ kind: "center-crop-resize", crop: 178, size: 224 });
export const IMAGENET_EVAL: EvalTransform = Object.freeze({ kind: "resize-center-crop", resize: 256, crop: 224 });
/** The Background Challenge's masking transform (no crop). */
export const IN9L_MASKING: EvalTransform = Object.freeze({ kind: "resize-center-crop", resize: Object.freeze([224, 224] as const), crop: 224 });

export const WATERBIRDS_TRAIN: TrainTransform = Object.freeze({
  kind: "random-resized-crop",
  size: 224,
  scale: Object.freeze([0.7, 1] as const),
  ratio: Object.freeze([3 / 4, 4 / 3] as const),
  hflip: true,
});
export const CELEBA_TRAIN: TrainTransform = Object.freeze({ ...WATERBIRDS_TRAIN, ratio: Object.freeze([1, 4 / 3] as const) });

/** Reading files a transform already produced (size x size). */
export function asStored(size: number): AsStored {
  return { kind: "as-stored", size };
}

/** Side of the square images a transform outputs. */
export function outputSize(t: ImageTransform): number {
  return t.kind === "resize-center-crop" ? t.crop : t.size;
}

/** For logs and result tables, e.g. "resize to 256x256, centre crop 224". */
export function describeTransform(t: ImageTransform): string {
  switch (t.kind) {
    case "resize-center-crop":
      return `${typeof t.resize === "number" ? `resize shorter side to ${t.resize}` : `resize to ${t.resize[0]}x${t.resize[1]}`}, centre crop ${t.crop}`;
    case "center-crop-resize":
      return `centre crop ${t.crop ?? "shorter side"}, resize to ${t.size}x${t.size}`;
    case "as-stored":
      return `as stored (${t.size}x${t.size})`;
    case "random-resized-crop":
      return `random resized crop ${t.size} (scale ${t.scale[0]}–${t.scale[1]}, ratio ${t.ratio[0].toFixed(2)}–${t.ratio[1].toFixed(2)})${t.hflip ? ", hflip" : ""}`;
  }
}

function isSide(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}

function isRange(r: readonly [number, number], max: number): boolean {
  return r.length === 2 && r[0] > 0 && r[0] <= r[1] && r[1] <= max;
}

/** What `t` lacks and what it has instead, or null when usable. */
function problem(t: ImageTransform): { expected: string; found: string } | null {
  switch (t.kind) {
    case "resize-center-crop": {
      const sides = typeof t.resize === "number" ? [t.resize] : [...t.resize];
      if (!sides.every(isSide) || !isSide(t.crop)) return { expected: "positive integer sizes", found: `resize ${t.resize}, crop ${t.crop}` };
      return t.crop <= Math.min(...sides) ? null : { expected: "a crop no larger than the resized image", found: `crop ${t.crop} of ${t.resize}` };
    }
    case "center-crop-resize":
      return isSide(t.size) && (t.crop === undefined || isSide(t.crop)) ? null : { expected: "positive integer sizes", found: `crop ${t.crop}, size ${t.size}` };
    case "as-stored":
      return isSide(t.size) ? null : { expected: "a positive integer size", found: `${t.size}` };
    case "random-resized-crop":
      if (!isSide(t.size)) return { expected: "a positive integer size", found: `${t.size}` };
      return isRange(t.scale, 1) && isRange(t.ratio, Infinity)
        ? null
        : { expected: "0 < scale[0] <= scale[1] <= 1 and 0 < ratio[0] <= ratio[1]", found: `scale ${t.scale}, ratio ${t.ratio}` };
    default:
      return { expected: "kind resize-center-crop, center-crop-resize, as-stored or random-resized-crop", found: `${(t as { kind: unknown }).kind}` };
  }
}

export function checkTransform(t: ImageTransform): void {
  const p = problem(t);
  if (p) throw new KitError("image transform", p.expected, p.found, "Fix the transform, or start from a preset such as WATERBIRDS_EVAL.");
}

/** The rng a training transform draws from; an error when there is none. */
export function requireRng(t: TrainTransform, rng: Rng | undefined): Rng {
  if (!rng) throw new KitError(`image transform ${describeTransform(t)}`, "an Rng for its random draws", "none", "Pass an rng, e.g. Rng.for(seed, \"augment\").");
  return rng;
}

/** What to do to one decoded image: crop, resize to [width, height], crop again, mirror. */
export interface ImagePlan {
  before?: Box;
  resize?: [number, number];
  after?: Box;
  flip: boolean;
}

/**
 * The plan `t` gives for a `width` x `height` image named `file` (for
 * errors); a training transform draws from `rng`: the crop, then the flip.
 */
export function planImage(t: ImageTransform, width: number, height: number, file: string, rng?: Rng): ImagePlan {
  switch (t.kind) {
    case "resize-center-crop": {
      const [w, h] = typeof t.resize === "number" ? shorterSideSize(width, height, t.resize) : [t.resize[1], t.resize[0]];
      return { resize: [w, h], after: centerCropBox(w, h, t.crop, t.crop), flip: false };
    }
    case "center-crop-resize": {
      const crop = t.crop ?? Math.min(width, height);
      if (crop > Math.min(width, height)) {
        throw new KitError(file, `an image of at least ${crop}x${crop} pixels for a centre crop of ${crop}`, `${width}x${height}`, "Use a smaller crop (or none: the shorter side) for these images.");
      }
      return { before: centerCropBox(width, height, crop, crop), resize: [t.size, t.size], flip: false };
    }
    case "as-stored":
      if (width !== t.size || height !== t.size) {
        throw new KitError(file, `a ${t.size}x${t.size} image (read as stored, no resize)`, `${width}x${height}`, "Rebuild the cache this file belongs to, or read it with a resizing transform.");
      }
      return { flip: false };
    case "random-resized-crop": {
      const draws = requireRng(t, rng);
      const box = randomResizedCropBox(width, height, t.scale, t.ratio, draws);
      return { before: box, resize: [t.size, t.size], flip: t.hflip && draws.next() < 0.5 };
    }
  }
}
