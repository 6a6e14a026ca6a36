/**
 * The training loop: seeded shuffles, one progress line per epoch, a clear
 * stop on a non-finite loss, best-validation and last checkpoints on disk.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { BatchSource, asSource } from "../data/batch-source";
import { ImageDataset } from "../data/dataset";
import { accuracy } from "../eval/metrics";
import { predictSourceClasses } from "../eval/predict";
import { KitError } from "../errors";
import { Logger } from "../log";
import { Classifier } from "../models/classifier";
import { loadModel } from "../models/checkpoint";
import { Rng } from "../random";
import { LrSchedule } from "./schedule";
import { CROSS_ENTROPY, Objective } from "./objective";
import { OptimiserConfig } from "./optimiser";
import { epochCheckpoint, pruneEpochs, restoreLatest, saveEpoch } from "./resume";
import { Trainer } from "./trainer";

export interface EpochRecord {
  epoch: number;
  lr: number;
  loss: number;
  trainAccuracy: number;
  valAccuracy?: number;
  /** The model-selection score on validation, when it is not plain accuracy. */
  valScore?: number;
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
  /** Every epoch's state goes to `<dir>/epoch-<n>/` (the last and the best are kept) and `<dir>/resume.json`. */
  checkpointDir: string;
  label: string;
  log: Logger;
  /** The objective of each epoch (e.g. a warm-up before the gambler's loss); cross-entropy by default. */
  objectiveAt?: (epoch: number) => Objective;
  repeats?: Int32Array;
  /** How the "best" checkpoint is chosen; validation accuracy by default (no group labels). */
  selection?: ModelSelection;
  /** Epochs before this one never become the best (e.g. a warm-up that does not train every output). */
  selectFromEpoch?: number;
}

/** A validation score to keep the best checkpoint by (higher is better). */
export interface ModelSelection {
  name: string;
  score(predictions: Int32Array, val: BatchSource): number;
}

export const BY_VAL_ACCURACY: ModelSelection = { name: "validation accuracy", score: (predictions, val) => accuracy(predictions, val.labels) };

/** What a run actually used, read back from the live trainer (not from defaults). */
export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  /** Learning rate of each epoch as the optimiser applied it. */
  learningRates: number[];
  optimiser: OptimiserConfig;
  seed: number;
  selection: string;
}

export interface ErmResult {
  history: EpochRecord[];
  bestEpoch: number;
  /** The selection score of the best epoch. */
  bestValScore: number;
  bestCheckpoint: string;
  lastCheckpoint: string;
  settings: TrainingSettings;
}

export function formatEpoch(label: string, r: EpochRecord, epochs: number, selection = BY_VAL_ACCURACY): string {
  const val =
    (r.valAccuracy === undefined ? "" : `  val acc ${(100 * r.valAccuracy).toFixed(2)}%`) +
    (r.valScore === undefined ? "" : `  ${selection.name} ${(100 * r.valScore).toFixed(2)}%`);
  return `${label}  epoch ${String(r.epoch + 1).padStart(String(epochs).length)}/${epochs}  lr ${r.lr.toPrecision(3)}  loss ${r.loss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%${val}  ${r.seconds.toFixed(1)}s`;
}

/**
 * ERM: trains `classifier` in place for `epochs` epochs; keeps the checkpoint
 * with the best validation score (accuracy unless `selection` says otherwise:
 * validation carries the training bias and no group labels are used) and the
 * last one. After every epoch the whole state is saved (lib/train/resume.ts),
 * so a run that was killed continues from its last finished epoch and ends
 * exactly as an uninterrupted one would.
 */
export async function trainErm(classifier: Classifier, train: ImageDataset | BatchSource, val: ImageDataset | BatchSource, options: ErmOptions): Promise<ErmResult> {
  const dir = options.checkpointDir;
  const trainer = new Trainer(classifier, options.optimiser, options.schedule.lrAt(0));
  const rng = Rng.for(options.seed, "erm-shuffle");
  const transformRng = Rng.for(options.seed, "erm-transforms");
  const valSource = asSource(val);
  const selection = options.selection ?? BY_VAL_ACCURACY;
  const selectFrom = options.selectFromEpoch ?? 0;
  if (valSource.size === 0) throw new KitError(`${options.label} validation set`, "at least one image", "none", "Give the run a validation split (it picks the best checkpoint).");
  if (selectFrom >= options.epochs) throw new KitError(`${options.label}`, `more epochs than the ${selectFrom} excluded from model selection`, `${options.epochs}`, "Train longer or shorten the warm-up.");
  fs.mkdirSync(dir, { recursive: true });
  const resumed = await restoreLatest(dir, classifier, trainer, options.label, options.log);
  const history: EpochRecord[] = resumed?.history ?? [];
  const learningRates: number[] = resumed?.learningRates ?? [];
  let bestEpoch = resumed?.bestEpoch ?? -1;
  let bestValScore = resumed?.bestValScore ?? -Infinity;
  if (resumed) {
    rng.state = resumed.shuffleRng;
    transformRng.state = resumed.transformRng;
  }
  try {
    for (let epoch = resumed?.epoch ?? 0; epoch < options.epochs; epoch++) {
      const lr = options.schedule.lrAt(epoch);
      const objective = options.objectiveAt?.(epoch);
      const record: EpochRecord = await trainEpoch(trainer, train, { batchSize: options.batchSize, lr, rng, transformRng, label: options.label, epoch, objective, repeats: options.repeats });
      learningRates.push(trainer.learningRate);
      const predictions = await predictSourceClasses(classifier, valSource);
      record.valAccuracy = accuracy(predictions, valSource.labels);
      const score = selection === BY_VAL_ACCURACY ? record.valAccuracy : (record.valScore = selection.score(predictions, valSource));
      history.push(record);
      options.log(formatEpoch(options.label, record, options.epochs, selection));
      if (epoch >= selectFrom && score > bestValScore) {
        bestValScore = score;
        bestEpoch = epoch;
      }
      await saveEpoch(dir, classifier, trainer, { epoch: epoch + 1, shuffleRng: rng.state, transformRng: transformRng.state, history, learningRates, bestEpoch, bestValScore });
      pruneEpochs(dir, [epoch + 1, bestEpoch + 1]);
    }
  } finally {
    trainer.dispose();
  }
  const settings: TrainingSettings = { epochs: history.length, batchSize: options.batchSize, learningRates, optimiser: trainer.optimiser, seed: options.seed, selection: selection.name };
  return { history, bestEpoch, bestValScore, bestCheckpoint: epochCheckpoint(dir, bestEpoch + 1), lastCheckpoint: epochCheckpoint(dir, history.length), settings };
}

/** Reloads a checkpoint as a classifier of the given architecture. */
export async function loadClassifier(like: Omit<Classifier, "model">, modelJson: string): Promise<Classifier> {
  return { architecture: like.architecture, camLayer: like.camLayer, model: await loadModel(modelJson) };
}
