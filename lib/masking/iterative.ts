/**
 * Iterative MaskTune (appendix, Table 5): repeat (heatmaps with the latest
 * model → mask → one fine-tune epoch) for several rounds.
 * - accumulative: each round's mask multiplies into the already-masked images
 *   (heatmaps are computed on those masked images);
 * - non-accumulative: each round's mask is computed on, and applied to, the
 *   raw images.
 * An optional bound stops early once the latest model cannot fit the masked
 * training set any more (the paper's natural stop).
 */
import { ImageDataset } from "../data/dataset";
import { accuracy } from "../eval/metrics";
import { predictClasses } from "../eval/predict";
import { Classifier } from "../models/classifier";
import { FineTuneConfig, MaskingConfig, fineTuneOneEpoch, maskWithHeatmaps } from "./masktune";
import { maskedShare } from "./threshold";

export type IterativeMode = "accumulative" | "non-accumulative";
export const ITERATIVE_MODES: readonly IterativeMode[] = ["accumulative", "non-accumulative"];

export interface IterativeConfig {
  rounds: number;
  mode: IterativeMode;
  masking: MaskingConfig;
  fineTune: Omit<FineTuneConfig, "label">;
  /** Stop after a round whose masked-training accuracy (inference mode) is below this fraction. */
  stopBelowTrainAccuracy?: number;
}

export interface RoundRecord {
  round: number;
  /** Share of raw pixels removed by all masks so far (accumulative) or by this round's mask. */
  maskedShare: number;
  /** Accuracy of the fine-tuned model on this round's masked training set. */
  trainAccuracy: number;
  /** The masks this round's training images are the raw images times (N * H * W multipliers). */
  masks: Float32Array;
}

/** Combines two mask sets pixel by pixel (accumulative masking). */
export function multiplyMasks(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error(`multiplyMasks: ${a.length} vs ${b.length} pixels`);
  return a.map((v, i) => v * b[i]);
}

/**
 * Runs the rounds on `c` in place. `afterRound` sees the model after each
 * round (to evaluate it); the returned records stop at the first round below
 * the bound (that round included).
 */
export async function iterativeMaskTune(
  c: Classifier,
  raw: ImageDataset,
  config: IterativeConfig,
  afterRound: (round: RoundRecord) => void | Promise<void>,
): Promise<RoundRecord[]> {
  const records: RoundRecord[] = [];
  let current = raw;
  let cumulative: Float32Array | null = null;
  for (let round = 1; round <= config.rounds; round++) {
    const source = config.mode === "accumulative" ? current : raw;
    const step = maskWithHeatmaps(c, source, config.masking);
    cumulative = config.mode === "accumulative" && cumulative ? multiplyMasks(cumulative, step.masks) : step.masks;
    // Accumulative: the source is already masked, so this is raw × all masks so far.
    const masked = step.masked;
    await fineTuneOneEpoch(c, masked, { ...config.fineTune, label: `MaskTune ${config.mode} round ${round} seed ${config.fineTune.seed}` });
    const record: RoundRecord = {
      round,
      maskedShare: maskedShare(cumulative),
      trainAccuracy: accuracy(predictClasses(c, masked), masked.labels),
      masks: cumulative,
    };
    records.push(record);
    await afterRound(record);
    current = masked;
    if (config.stopBelowTrainAccuracy !== undefined && record.trainAccuracy < config.stopBelowTrainAccuracy) break;
  }
  return records;
}
