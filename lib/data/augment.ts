/**
 * Training-time augmentation on the CPU, over NHWC float32 pixel buffers,
 * applied to a batch right before its tensor is made. It follows the
 * torchvision transforms the MaskTune authors train with (torchvision 0.10 on
 * PIL images):
 * - CIFAR-10, Cats vs Dogs: RandomHorizontalFlip(0.5), then
 *   RandomAffine(degrees=15, translate=(0.1, 0.1)), nearest neighbour, fill 0.
 * - SVHN: RandomCrop(32, padding=4), zero padding.
 *
 * Geometry conventions, checked against torchvision's `F.affine` and
 * `_get_inverse_affine_matrix` and Pillow's nearest-neighbour affine
 * (`libImaging/Geometry.c`):
 * - Rotation is about the image centre: (W/2, H/2) in continuous coordinates
 *   where pixel i spans [i, i+1], i.e. ((W-1)/2, (H-1)/2) in pixel indices.
 *   (Older torchvision, e.g. its 0.7-era source, put it half a pixel off; 0.10 does not.)
 * - A positive angle turns the picture clockwise on screen (y points down);
 *   the translation is applied after the rotation.
 * - Each output pixel takes the source pixel holding the back-mapped centre of
 *   that output pixel (floor of the source coordinate); outside reads as 0.
 *   Pillow does this in 16.16 fixed point, so it can pick the neighbouring
 *   pixel where a source coordinate lies within ~1e-3 px of a pixel edge.
 * - The drawn translation is rounded to whole pixels with Python's round
 *   (half to even).
 */
import type { Rng } from "../random";
import { roundHalfEven } from "./images/geometry";

export interface AugmentConfig {
  /** Mirror left-right with probability 0.5. */
  hflip: boolean;
  /** Rotation uniform in ±degrees, shift uniform in ±translate·W and ±translate·H pixels. */
  affine?: { degrees: number; translate: number };
  /** Zero-pad this many pixels on every side, then crop a random window of the original size. */
  cropPadding?: number;
}

export const NO_AUGMENTATION: AugmentConfig = Object.freeze({ hflip: false });

export const CIFAR_AUGMENTATION: AugmentConfig = Object.freeze({
  hflip: true,
  affine: Object.freeze({ degrees: 15, translate: 0.1 }),
});

export const SVHN_AUGMENTATION: AugmentConfig = Object.freeze({ hflip: false, cropPadding: 4 });

type Shape = readonly [number, number, number];

/** The affine step, unless it is absent or can only give the identity. */
function activeAffine(a: AugmentConfig): { degrees: number; translate: number } | undefined {
  return a.affine && (a.affine.degrees !== 0 || a.affine.translate !== 0) ? a.affine : undefined;
}

export function isIdentity(a: AugmentConfig): boolean {
  return !a.hflip && !activeAffine(a) && !a.cropPadding;
}

/** For result tables, e.g. "hflip, affine ±15°/±10%", "random crop, pad 4" or "none". */
export function describeAugmentation(a: AugmentConfig): string {
  const parts: string[] = [];
  if (a.cropPadding) parts.push(`random crop, pad ${a.cropPadding}`);
  if (a.hflip) parts.push("hflip");
  const affine = activeAffine(a);
  if (affine) parts.push(`affine ±${affine.degrees}°/±${Math.round(affine.translate * 1000) / 10}%`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

/** Mirrors one [h, w, c] image left-right from `src` into `dst` (distinct buffers). */
export function flipImage(src: Float32Array, dst: Float32Array, shape: Shape): void {
  const [h, w, c] = shape;
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let x = 0; x < w; x++) {
      const from = row + (w - 1 - x) * c;
      const to = row + x * c;
      for (let k = 0; k < c; k++) dst[to + k] = src[from + k];
    }
  }
}

/**
 * The window at (top, left) of `src` zero-padded by `padding` on every side,
 * of the same size as `src`: dst(y, x) = src(y + top - padding, x + left - padding), or 0.
 */
export function cropImage(
  src: Float32Array,
  dst: Float32Array,
  shape: Shape,
  padding: number,
  top: number,
  left: number,
): void {
  const [h, w, c] = shape;
  const dy = top - padding;
  const dx = left - padding;
  dst.fill(0, 0, h * w * c);
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(w, w - dx);
  if (x0 >= x1) return;
  for (let y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
    const from = ((y + dy) * w + x0 + dx) * c;
    dst.set(src.subarray(from, from + (x1 - x0) * c), (y * w + x0) * c);
  }
}

/**
 * Rotates one [h, w, c] image by `angleDeg` (clockwise on screen) about its
 * centre, then shifts it by (tx, ty) pixels (right, down), nearest neighbour
 * with zero fill, from `src` into `dst` (distinct buffers).
 */
export function affineImage(
  src: Float32Array,
  dst: Float32Array,
  shape: Shape,
  angleDeg: number,
  tx: number,
  ty: number,
): void {
  const [h, w, c] = shape;
  const rad = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const cx = w / 2;
  const cy = h / 2;
  for (let y = 0; y < h; y++) {
    const v = y + 0.5 - cy - ty;
    for (let x = 0; x < w; x++) {
      const u = x + 0.5 - cx - tx;
      // Inverse map of the output pixel's centre into the source image.
      const sx = Math.floor(cos * u + sin * v + cx);
      const sy = Math.floor(-sin * u + cos * v + cy);
      const to = (y * w + x) * c;
      if (sx >= 0 && sx < w && sy >= 0 && sy < h) {
        const from = (sy * w + sx) * c;
        for (let k = 0; k < c; k++) dst[to + k] = src[from + k];
      } else {
        for (let k = 0; k < c; k++) dst[to + k] = 0;
      }
    }
  }
}


function checkConfig(config: AugmentConfig): void {
  const { affine, cropPadding } = config;
  if (affine && !(affine.degrees >= 0 && affine.translate >= 0 && affine.translate <= 1)) {
    throw new Error(`augment: affine needs degrees >= 0 and translate in [0, 1], got ${JSON.stringify(affine)}`);
  }
  if (cropPadding !== undefined && !(Number.isInteger(cropPadding) && cropPadding >= 0)) {
    throw new Error(`augment: cropPadding must be a non-negative integer, got ${cropPadding}`);
  }
}

/**
 * Augments `count` images of shape [h,w,c] stored back to back in `pixels`
 * (NHWC), in place, one independent draw per image from rng.
 *
 * Per image, in this order and with these draws: crop (top, left: rng.int each),
 * flip (one rng.next), affine (angle, tx, ty: one rng.next each). A step the
 * config turns off (or sets to zero) draws nothing, so seed and config fix the batch.
 */
export function augmentBatch(
  pixels: Float32Array,
  count: number,
  shape: Shape,
  config: AugmentConfig,
  rng: Rng,
): void {
  checkConfig(config);
  const [h, w, c] = shape;
  const per = h * w * c;
  if (pixels.length < count * per) {
    throw new Error(`augmentBatch: ${pixels.length} pixels cannot hold ${count} images of ${h}x${w}x${c}`);
  }
  if (isIdentity(config)) return;
  const scratch = new Float32Array(per);
  const { cropPadding } = config;
  const affine = activeAffine(config);
  for (let n = 0; n < count; n++) {
    const image = pixels.subarray(n * per, (n + 1) * per);
    // Each step writes into the other buffer; `cur` holds the latest result.
    let cur: Float32Array = image;
    let next: Float32Array = scratch;
    if (cropPadding) {
      const top = rng.int(0, 2 * cropPadding);
      const left = rng.int(0, 2 * cropPadding);
      cropImage(cur, next, shape, cropPadding, top, left);
      [cur, next] = [next, cur];
    }
    if (config.hflip && rng.next() < 0.5) {
      flipImage(cur, next, shape);
      [cur, next] = [next, cur];
    }
    if (affine) {
      const angle = affine.degrees * (2 * rng.next() - 1);
      const maxDx = affine.translate * w;
      const maxDy = affine.translate * h;
      const tx = roundHalfEven(maxDx * (2 * rng.next() - 1));
      const ty = roundHalfEven(maxDy * (2 * rng.next() - 1));
      affineImage(cur, next, shape, angle, tx, ty);
      [cur, next] = [next, cur];
    }
    if (cur !== image) image.set(cur);
  }
}
