/**
 * MaskTune's two stages after ERM: mask the training set where the ERM
 * model's heatmaps are hottest, then fine-tune for exactly one epoch on the
 * masked images at a small learning rate (the last ERM rate).
 */
import { BatchSource } from "../data/batch-source";
import { ImageDataset, size, withImages } from "../data/dataset";
import { CamMethod, computeHeatmaps } from "../explain/cam";
import { Classifier } from "../models/classifier";
import { Rng } from "../random";
import { EpochRecord, trainEpoch } from "../train/loop";
import { OptimiserConfig } from "../train/optimiser";
import { Trainer } from "../train/trainer";
import { MaskRule, PAPER_RULE, applyMasks, maskedShare, masksFromHeatmaps } from "./threshold";

export interface MaskingConfig {
  method: CamMethod;
  rule: MaskRule;
  batchSize: number;
}

export const PAPER_MASKING: MaskingConfig = { method: "xgradcam", rule: PAPER_RULE, batchSize: 250 };

export interface MaskedSet {
  masked: ImageDataset;
  /** N * H * W multipliers, 1 = keep, 0 = removed. */
  masks: Float32Array;
  /** Share of pixels masked over the whole set. */
  maskedShare: number;
}

/** Masks `ds` with heatmaps of `c` (computed once, offline, as in the paper). */
export function maskWithHeatmaps(c: Classifier, ds: ImageDataset, config: MaskingConfig): MaskedSet {
  const heatmaps = computeHeatmaps(c, ds, { method: config.method, batchSize: config.batchSize });
  const masks = masksFromHeatmaps(heatmaps, ds.shape[0] * ds.shape[1], config.rule);
  return maskWith(ds, masks, `${ds.name}+masktune`);
}

/** `ds` with given masks applied. */
export function maskWith(ds: ImageDataset, masks: Float32Array, name: string): MaskedSet {
  if (masks.length !== size(ds) * ds.shape[0] * ds.shape[1]) {
    throw new Error(`maskWith: ${masks.length} mask pixels for ${size(ds)} images of ${ds.shape[0]}x${ds.shape[1]}`);
  }
  return { masked: withImages(ds, applyMasks(ds.images, masks, ds.shape[2]), name), masks, maskedShare: maskedShare(masks) };
}

export interface FineTuneConfig {
  lr: number;
  batchSize: number;
  optimiser: OptimiserConfig;
  seed: number;
  label: string;
}

/** One epoch on `data`, in place on `c`, with a fresh optimiser. */
export async function fineTuneOneEpoch(c: Classifier, data: ImageDataset | BatchSource, config: FineTuneConfig): Promise<EpochRecord> {
  const trainer = new Trainer(c, config.optimiser, config.lr);
  try {
    return await trainEpoch(trainer, data, { batchSize: config.batchSize, lr: config.lr, rng: Rng.for(config.seed, `${config.label}-shuffle`), label: config.label, epoch: 0 });
  } finally {
    trainer.dispose();
  }
}
