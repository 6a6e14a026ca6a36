/**
 * MaskTune's mask rule (section 3; the authors' masking.py): per image, over
 * the heatmap values > 0 only, tau = mean + k * std (population std); mask the
 * pixels with heatmap > tau (strict). A map with no positive value masks
 * nothing. k = 2 is the paper's choice.
 */

/** tau for one heatmap, or null when no value is positive. */
export function meanStdThreshold(heatmap: ArrayLike<number>, k: number): number | null {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < heatmap.length; i++) {
    if (heatmap[i] > 0) {
      n++;
      sum += heatmap[i];
    }
  }
  if (n === 0) return null;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < heatmap.length; i++) {
    if (heatmap[i] > 0) squares += (heatmap[i] - mean) ** 2;
  }
  return mean + k * Math.sqrt(squares / n);
}

/** 1 = keep, 0 = masked, for one heatmap. */
export function maskFromHeatmap(heatmap: ArrayLike<number>, k: number): Uint8Array {
  const tau = meanStdThreshold(heatmap, k);
  return Uint8Array.from({ length: heatmap.length }, (_, i) => (tau !== null && heatmap[i] > tau ? 0 : 1));
}

/** Masks for N heatmaps of `area` pixels each, concatenated. */
export function masksFromHeatmaps(heatmaps: Float32Array, area: number, k: number): Uint8Array {
  const masks = new Uint8Array(heatmaps.length);
  for (let start = 0; start < heatmaps.length; start += area) {
    masks.set(maskFromHeatmap(heatmaps.subarray(start, start + area), k), start);
  }
  return masks;
}

/** image * mask on every channel: NHWC pixels times N*H*W masks (a new array). */
export function applyMasks(images: Float32Array, masks: Uint8Array, channels: number): Float32Array {
  if (images.length !== masks.length * channels) {
    throw new Error(`applyMasks: ${images.length} pixel values for ${masks.length} mask pixels x ${channels} channels`);
  }
  return images.map((v, i) => v * masks[Math.floor(i / channels)]);
}

/** Share of mask pixels that are masked (0 = nothing, 1 = everything). */
export function maskedShare(masks: Uint8Array): number {
  let masked = 0;
  for (const m of masks) masked += 1 - m;
  return masks.length === 0 ? 0 : masked / masks.length;
}
