/**
 * RandMask, the paper's random-masking baseline: each image gets one square
 * hole of a random side (uniform in [minSide, maxSide]) around a random centre,
 * clipped at the border. Same fine-tune as MaskTune, different masks.
 */
import { Rng } from "../random";

export interface RandMaskConfig {
  minSide: number;
  maxSide: number;
}

/** The paper's MNIST setting: sides 2..14 (= 2..H/2, also appendix Table 6's random windows). */
export const PAPER_RANDMASK: RandMaskConfig = { minSide: 2, maxSide: 14 };

export function describeRandMask(config: RandMaskConfig): string {
  return config.minSide === config.maxSide ? `random ${config.minSide}x${config.minSide} window` : `random window, side ${config.minSide}-${config.maxSide}`;
}

/** N masks of height x width (1 = keep, 0 = masked), concatenated. */
export function randomSquareMasks(n: number, height: number, width: number, config: RandMaskConfig, rng: Rng): Float32Array {
  const masks = new Float32Array(n * height * width).fill(1);
  for (let i = 0; i < n; i++) {
    const side = rng.int(config.minSide, config.maxSide);
    const top = rng.int(0, height - 1) - Math.floor(side / 2);
    const left = rng.int(0, width - 1) - Math.floor(side / 2);
    for (let r = Math.max(0, top); r < Math.min(height, top + side); r++) {
      masks.fill(0, i * height * width + r * width + Math.max(0, left), i * height * width + r * width + Math.min(width, left + side));
    }
  }
  return masks;
}
