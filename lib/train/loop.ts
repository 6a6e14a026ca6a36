/**
 * The training loop: seeded shuffles, one progress line per epoch, a clear
 * stop on a non-finite loss, best-validation and last checkpoints on disk.
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { AugmentConfig, augmentBatch, isIdentity } from "../data/augment";
import { ImageDataset, batchPixels, batches, size } from "../data/dataset";
import { accuracy } from "../eval/metrics";
import { predictClasses } from "../eval/predict";
import { Logger } from "../log";
import { Classifier } from "../models/classifier";
import { loadModel, saveModel } from "../models/checkpoint";
import { Rng } from "../random";
import { LrSchedule } from "./schedule";
import { CROSS_ENTROPY, Objective } from "./objective";
import { OptimiserConfig } from "./optimiser";
import { Trainer } from "./trainer";

export interface EpochRecord {
  epoch: number;
  lr: number;
  loss: number;
  trainAccuracy: number;
  valAccuracy?: number;
  seconds: number;
}

/** Thrown when the loss stops being a finite number; names where it happened. */
export class NonFiniteLossError extends Error {
  constructor(readonly label: string, readonly epoch: number, readonly batch: number, readonly loss: number) {
    super(`${label}: loss became ${loss} at epoch ${epoch + 1}, batch ${batch + 1}. Training stopped; lower the learning rate or check the inputs for NaN.`);
    this.name = "NonFiniteLossError";
  }
}

export interface EpochOptions {
  batchSize: number;
  lr: number;
  /** Seeds this epoch's shuffle. */
  rng: Rng;
  /** Names the run in messages, e.g. "ERM seed 1". */
  label: string;
  epoch: number;
  /** What the step minimises; cross-entropy by default. */
  objective?: Objective;
  /** Random transforms of each training batch, with their own draws; none by default. */
  augmentation?: { config: AugmentConfig; rng: Rng };
}

/** One pass over `data` in a seeded random order. */
export function trainEpoch(trainer: Trainer, data: ImageDataset, options: EpochOptions): Omit<EpochRecord, "valAccuracy"> {
  const started = Date.now();
  trainer.setLearningRate(options.lr);
  let lossSum = 0;
  let correct = 0;
  let batchIndex = 0;
  for (const idx of batches(options.rng.permutation(size(data)), options.batchSize)) {
    const pixels = batchPixels(data, idx);
    const augmentation = options.augmentation;
    if (augmentation && !isIdentity(augmentation.config)) augmentBatch(pixels, idx.length, data.shape, augmentation.config, augmentation.rng);
    const images = tf.tensor4d(pixels, [idx.length, ...data.shape]);
    const labels = tf.tensor1d(Int32Array.from(idx, (i) => data.labels[i]), "int32");
    const step = trainer.step(images, labels, options.objective ?? CROSS_ENTROPY);
    tf.dispose([images, labels]);
    if (!Number.isFinite(step.loss)) throw new NonFiniteLossError(options.label, options.epoch, batchIndex, step.loss);
    lossSum += step.loss * idx.length;
    correct += step.correct;
    batchIndex++;
  }
  return {
    epoch: options.epoch,
    lr: options.lr,
    loss: lossSum / size(data),
    trainAccuracy: correct / size(data),
    seconds: (Date.now() - started) / 1000,
  };
}

export interface ErmOptions {
  epochs: number;
  batchSize: number;
  schedule: LrSchedule;
  optimiser: OptimiserConfig;
  seed: number;
  /** Checkpoints go to `<dir>/best` and `<dir>/last`. */
  checkpointDir: string;
  label: string;
  log: Logger;
  /** The objective of each epoch (e.g. a warm-up before the gambler's loss); cross-entropy by default. */
  objectiveAt?: (epoch: number) => Objective;
  augmentation?: AugmentConfig;
}

export interface ErmResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestValAccuracy: number;
  bestCheckpoint: string;
  lastCheckpoint: string;
}

export function formatEpoch(label: string, r: EpochRecord, epochs: number): string {
  const val = r.valAccuracy === undefined ? "" : `  val acc ${(100 * r.valAccuracy).toFixed(2)}%`;
  return `${label}  epoch ${String(r.epoch + 1).padStart(String(epochs).length)}/${epochs}  lr ${r.lr.toPrecision(3)}  loss ${r.loss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%${val}  ${r.seconds.toFixed(1)}s`;
}

/**
 * ERM: trains `classifier` in place for `epochs` epochs; keeps the checkpoint
 * with the best validation accuracy (validation carries the training bias; no
 * group labels) and the last one.
 */
export async function trainErm(classifier: Classifier, train: ImageDataset, val: ImageDataset, options: ErmOptions): Promise<ErmResult> {
  const trainer = new Trainer(classifier, options.optimiser, options.schedule.lrAt(0));
  const rng = Rng.for(options.seed, "erm-shuffle");
  const augmentation = options.augmentation && { config: options.augmentation, rng: Rng.for(options.seed, "erm-augment") };
  const best = path.join(options.checkpointDir, "best");
  const last = path.join(options.checkpointDir, "last");
  const history: EpochRecord[] = [];
  let bestEpoch = -1;
  let bestValAccuracy = -1;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const lr = options.schedule.lrAt(epoch);
      const objective = options.objectiveAt?.(epoch);
      const record: EpochRecord = trainEpoch(trainer, train, { batchSize: options.batchSize, lr, rng, label: options.label, epoch, objective, augmentation });
      record.valAccuracy = accuracy(predictClasses(classifier, val), val.labels);
      history.push(record);
      options.log(formatEpoch(options.label, record, options.epochs));
      if (record.valAccuracy > bestValAccuracy) {
        bestValAccuracy = record.valAccuracy;
        bestEpoch = epoch;
        await saveModel(classifier.model, best);
      }
    }
  } finally {
    trainer.dispose();
  }
  await saveModel(classifier.model, last);
  return { history, bestEpoch, bestValAccuracy, bestCheckpoint: path.join(best, "model.json"), lastCheckpoint: path.join(last, "model.json") };
}

/** Reloads a checkpoint as a classifier of the given architecture. */
export async function loadClassifier(like: Omit<Classifier, "model">, modelJson: string): Promise<Classifier> {
  return { architecture: like.architecture, camLayer: like.camLayer, model: await loadModel(modelJson) };
}
