/**
 * The box arithmetic of torchvision 0.10's transforms on PIL images, with no
 * pixels involved: how big Resize(int) makes an image, where CenterCrop cuts,
 * and RandomResizedCrop.get_params. Checked against torchvision's
 * `transforms.py` / `functional.py` (Python's round() is half to even; int()
 * truncates).
 */
import type { Rng } from "../../random";

/** A window of an image, in whole pixels. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** [width, height] after Resize(side): the shorter side becomes `side`, the longer int(side * long / short). */
export function shorterSideSize(width: number, height: number, side: number): [number, number] {
  if (width <= height) return width === side ? [width, height] : [side, Math.trunc((side * height) / width)];
  return height === side ? [width, height] : [Math.trunc((side * width) / height), side];
}

/** CenterCrop: the cropHeight x cropWidth window whose offsets are round((size - crop) / 2). */
export function centerCropBox(width: number, height: number, cropHeight: number, cropWidth: number): Box {
  return {
    top: roundHalfEven((height - cropHeight) / 2),
    left: roundHalfEven((width - cropWidth) / 2),
    height: cropHeight,
    width: cropWidth,
  };
}

/** Uniform in [lo, hi). */
function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/**
 * RandomResizedCrop.get_params: up to 10 tries of an area share uniform in
 * `scale` and an aspect ratio (width / height) log-uniform in `ratio`; the
 * first box that fits is placed uniformly. When none fits, the centre crop
 * of the whole image clamped to the ratio range (`fallback` true).
 */
export function randomResizedCropBox(
  width: number,
  height: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): Box & { fallback: boolean } {
  const area = width * height;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * uniform(rng, scale[0], scale[1]);
    const aspect = Math.exp(uniform(rng, logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(0, height - h), left: rng.int(0, width - w), height: h, width: w, fallback: false };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w, fallback: true };
}
