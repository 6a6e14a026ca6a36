/**
 * Turning heatmaps into masks. A mask is a multiplier per pixel in [0, 1]
 * (1 = keep, 0 = removed); the masked image is image * mask on every channel.
 *
 * The paper's rule (section 3; the authors' masking.py): per image, over the
 * heatmap values > 0 only, tau = mean + k * std (population std); remove the
 * pixels with heatmap > tau (strict). A map with no positive value masks
 * nothing. k = 2 won the paper's comparison; the other rules below are the
 * alternatives it tried (section 3, "Masking Threshold").
 */

export type MaskRule =
  /** Per image: remove heatmap > mean + k * std of the positive values (the paper, k = 2). */
  | { kind: "mean-std"; k: number }
  /** One threshold for the whole dataset: the mean of every positive heatmap value. */
  | { kind: "dataset-mean" }
  /** Per image: remove the `pixels` hottest positive pixels. */
  | { kind: "top-k"; pixels: number }
  /** No threshold: multiply by 1 - heatmap. */
  | { kind: "soft" };

export const PAPER_RULE: MaskRule = { kind: "mean-std", k: 2 };

export function describeRule(rule: MaskRule): string {
  switch (rule.kind) {
    case "mean-std":
      return `mean + ${rule.k}·std`;
    case "dataset-mean":
      return "dataset-wide mean";
    case "top-k":
      return `top-${rule.pixels} pixels`;
    case "soft":
      return "soft (1 - heatmap)";
  }
}

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

/** Removes the pixels above tau (strict); nothing when tau is null. */
function thresholdMask(heatmap: ArrayLike<number>, tau: number | null, out: Float32Array, offset: number): void {
  for (let i = 0; i < heatmap.length; i++) out[offset + i] = tau !== null && heatmap[i] > tau ? 0 : 1;
}

/** The paper's mask for one heatmap (mean + k * std). */
export function maskFromHeatmap(heatmap: ArrayLike<number>, k: number): Float32Array {
  const out = new Float32Array(heatmap.length);
  thresholdMask(heatmap, meanStdThreshold(heatmap, k), out, 0);
  return out;
}

/** The mean of all positive values (null when there are none). */
function positiveMean(values: Float32Array): number | null {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (v > 0) {
      n++;
      sum += v;
    }
  }
  return n === 0 ? null : sum / n;
}

/** Removes the `count` largest positive values (ties broken by position). */
function topKMask(heatmap: Float32Array, count: number, out: Float32Array, offset: number): void {
  out.fill(1, offset, offset + heatmap.length);
  const order = Array.from(heatmap.keys())
    .filter((i) => heatmap[i] > 0)
    .sort((a, b) => heatmap[b] - heatmap[a] || a - b);
  for (const i of order.slice(0, count)) out[offset + i] = 0;
}

/** Masks for N heatmaps of `area` pixels each (concatenated), by `rule`. */
export function masksFromHeatmaps(heatmaps: Float32Array, area: number, rule: MaskRule): Float32Array {
  const masks = new Float32Array(heatmaps.length);
  const datasetTau = rule.kind === "dataset-mean" ? positiveMean(heatmaps) : null;
  for (let start = 0; start < heatmaps.length; start += area) {
    const heatmap = heatmaps.subarray(start, start + area);
    switch (rule.kind) {
      case "mean-std":
        thresholdMask(heatmap, meanStdThreshold(heatmap, rule.k), masks, start);
        break;
      case "dataset-mean":
        thresholdMask(heatmap, datasetTau, masks, start);
        break;
      case "top-k":
        topKMask(heatmap, rule.pixels, masks, start);
        break;
      case "soft":
        for (let i = 0; i < area; i++) masks[start + i] = 1 - heatmap[i];
        break;
    }
  }
  return masks;
}

/** image * mask on every channel: NHWC pixels times N*H*W masks (a new array). */
export function applyMasks(images: Float32Array, masks: Float32Array, channels: number): Float32Array {
  if (images.length !== masks.length * channels) {
    throw new Error(`applyMasks: ${images.length} pixel values for ${masks.length} mask pixels x ${channels} channels`);
  }
  return images.map((v, i) => v * masks[Math.floor(i / channels)]);
}

/** Mean share of each pixel removed (0 = nothing, 1 = everything; soft masks count fractionally). */
export function maskedShare(masks: Float32Array): number {
  let removed = 0;
  for (const m of masks) removed += 1 - m;
  return masks.length === 0 ? 0 : removed / masks.length;
}
