/**
 * The training loop: seeded shuffles, one progress line per epoch, a clear
 * stop on a non-finite loss, best-validation and last checkpoints on disk.
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { BatchSource, asSource } from "../data/batch-source";
import { ImageDataset } from "../data/dataset";
import { accuracy } from "../eval/metrics";
import { predictSourceClasses } from "../eval/predict";
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
  /** Draws the source's random training transforms (if it has any); a fixed one derived from the label by default. */
  transformRng?: Rng;
  /** Names the run in messages, e.g. "ERM seed 1". */
  label: string;
  epoch: number;
  /** What the step minimises; cross-entropy by default. */
  objective?: Objective;
  /**
   * How often each sample is drawn per epoch (JTT's up-weighting); once each
   * by default. The epoch's order is a shuffle of the repeated indices.
   */
  repeats?: Int32Array;
}

/** The epoch's sample order: every index `repeats[i]` times (once by default), shuffled. */
function epochOrder(n: number, rng: Rng, repeats?: Int32Array): number[] {
  if (!repeats) return rng.permutation(n);
  const order: number[] = [];
  repeats.forEach((r, i) => {
    for (let k = 0; k < r; k++) order.push(i);
  });
  return rng.shuffle(order);
}

/** One pass over `data` in a seeded random order (in-memory datasets are wrapped without augmentation). */
export async function trainEpoch(trainer: Trainer, data: ImageDataset | BatchSource, options: EpochOptions): Promise<Omit<EpochRecord, "valAccuracy">> {
  const source = asSource(data);
  const started = Date.now();
  trainer.setLearningRate(options.lr);
  const order = epochOrder(source.size, options.rng, options.repeats);
  const transformRng = options.transformRng ?? Rng.for(options.epoch, `${options.label}-transforms`);
  let lossSum = 0;
  let correct = 0;
  let batchIndex = 0;
  for await (const { indices, pixels } of source.batches(order, options.batchSize, { rng: transformRng })) {
    const images = tf.tensor4d(pixels, [indices.length, ...source.shape]);
    const labels = tf.tensor1d(Int32Array.from(indices, (i) => source.labels[i]), "int32");
    const step = trainer.step(images, labels, options.objective ?? CROSS_ENTROPY, indices);
    tf.dispose([images, labels]);
    if (!Number.isFinite(step.loss)) throw new NonFiniteLossError(options.label, options.epoch, batchIndex, step.loss);
    lossSum += step.loss * indices.length;
    correct += step.correct;
    batchIndex++;
  }
  return {
    epoch: options.epoch,
    lr: options.lr,
    loss: lossSum / order.length,
    trainAccuracy: correct / order.length,
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
  repeats?: Int32Array;
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
export async function trainErm(classifier: Classifier, train: ImageDataset | BatchSource, val: ImageDataset | BatchSource, options: ErmOptions): Promise<ErmResult> {
  const trainer = new Trainer(classifier, options.optimiser, options.schedule.lrAt(0));
  const rng = Rng.for(options.seed, "erm-shuffle");
  const transformRng = Rng.for(options.seed, "erm-transforms");
  const valSource = asSource(val);
  const best = path.join(options.checkpointDir, "best");
  const last = path.join(options.checkpointDir, "last");
  const history: EpochRecord[] = [];
  let bestEpoch = -1;
  let bestValAccuracy = -1;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const lr = options.schedule.lrAt(epoch);
      const objective = options.objectiveAt?.(epoch);
      const record: EpochRecord = await trainEpoch(trainer, train, { batchSize: options.batchSize, lr, rng, transformRng, label: options.label, epoch, objective, repeats: options.repeats });
      record.valAccuracy = accuracy(await predictSourceClasses(classifier, valSource), valSource.labels);
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
