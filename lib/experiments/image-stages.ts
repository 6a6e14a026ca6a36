/**
 * The stages every real-image experiment (Tables 1, 2 and 3) shares, on image
 * files streamed from disk: a model (ImageNet weights when configured), a
 * training run cached by a hash of its inputs, MaskTune's masking pass
 * (masked training images written as PNGs) and its one fine-tune epoch.
 */
import * as path from "path";
import { fileSource } from "../data/batch-source";
import { ImageDataset } from "../data/dataset";
import { ImageFileSet, fileSample } from "../data/image-files";
import { writeTransformedCache } from "../data/images/png-cache";
import { EvalTransform, TrainTransform, asStored, outputSize } from "../data/images/transforms";
import { KitError } from "../errors";
import { Logger } from "../log";
import { maskWithHeatmaps } from "../masking/masktune";
import { ARCHITECTURES, ArchitectureName, architectureInfo } from "../models/architectures";
import { Classifier } from "../models/classifier";
import { loadImagenetWeights, weightsFingerprint } from "../models/imagenet-weights";
import { Rng } from "../random";
import { percent } from "../report/stats";
import { ErmOptions, ErmResult, loadClassifier } from "../train/loop";
import { checkpointChecksum } from "../train/resume";
import { makeSchedule } from "../train/schedule";
import { RunConfig } from "./run-config";
import { StageSpec, fineTunedStage, trainedStage } from "./trained-stage";

export interface ImageExperimentConfig extends RunConfig {
  /** The dataset folder (datasets/README.md). */
  dataDir?: string;
  architecture: ArchitectureName;
  /** Folder of ImageNet ResNet-50 weights from the TensorFlow.js converter (environment.md); random initialisation when absent. */
  pretrainedDir?: string;
  /** Evaluation images. */
  evalTransform: EvalTransform;
  /** Images the masks are computed on (and the masked PNGs' size); the evaluation transform when absent. */
  maskingTransform?: EvalTransform;
  trainTransform: TrainTransform;
  /** Use at most this many images of each split (quick runs); all when absent. */
  limit?: number;
}

/** One seed's run of an image experiment. */
export interface ImageRun {
  config: ImageExperimentConfig;
  /** Names the experiment in stage keys, e.g. "waterbirds". */
  experiment: string;
  train: ImageFileSet;
  val: ImageFileSet;
  seed: number;
  log: Logger;
  /** Fingerprint of the ImageNet weights, when used. */
  weights: string | null;
}

/** At most `limit` images of a set, drawn at random but the same for every seed and run, and the same positions for sets of one size (aligned benchmark variants). */
export function limitSet(set: ImageFileSet, limit: number | undefined): ImageFileSet {
  return limit === undefined ? set : fileSample(set, limit, Rng.for(0, "limit"));
}

export function imageRun(config: ImageExperimentConfig, experiment: string, train: ImageFileSet, val: ImageFileSet, seed: number, log: Logger): ImageRun {
  if (config.pretrainedDir && config.architecture !== "resnet50") {
    throw new KitError("--pretrained", "a ResNet-50 run (ImageNet weights fit ResNet-50 only)", `architecture ${config.architecture}`, "Drop --pretrained, or drop --smoke (whose stand-in is a SmallCNN).");
  }
  return { config, experiment, train, val, seed, log, weights: config.pretrainedDir ? weightsFingerprint(config.pretrainedDir) : null };
}

export function describePretrained(run: Pick<ImageRun, "config" | "weights">): string {
  return run.weights ? `ImageNet weights ${run.weights} (${run.config.pretrainedDir})` : "no (random initialisation)";
}

function stage(run: ImageRun, name: string, extra: object): StageSpec {
  const { config } = run;
  const key = {
    experiment: run.experiment, data: path.resolve(config.dataDir ?? ""), limit: config.limit, architecture: config.architecture, weights: run.weights,
    evalTransform: config.evalTransform, trainTransform: config.trainTransform, erm: config.erm, seed: run.seed, ...extra,
  };
  return { stage: name, key, cacheDir: config.cacheDir, fresh: config.fresh };
}

function inputShape(config: ImageExperimentConfig): [number, number, number] {
  const side = outputSize(config.evalTransform);
  return [side, side, 3];
}

/**
 * A training run of a fresh model on the training files (random training
 * transforms), selected on the validation files; cached under `name` and
 * `key` (everything the weights depend on beyond the shared configuration).
 */
export function trainOnFiles(run: ImageRun, name: string, label: string, extra: Partial<ErmOptions> = {}, key: object = {}): Promise<ErmResult> {
  const { config, seed, log } = run;
  const epochs = extra.epochs ?? config.erm.epochs;
  const build = async () => {
    const c = ARCHITECTURES[config.architecture].build({ inputShape: inputShape(config), numClasses: run.train.numClasses, seed });
    if (config.pretrainedDir) await loadImagenetWeights(c, config.pretrainedDir, { log });
    return c;
  };
  return trainedStage(
    stage(run, name, key),
    build,
    fileSource(run.train, config.evalTransform, config.trainTransform),
    fileSource(run.val, config.evalTransform),
    { epochs, batchSize: config.erm.batchSize, schedule: makeSchedule(config.erm.schedule, config.erm.lr, epochs), optimiser: config.erm.optimiser, seed, log, label: `${label} seed ${seed}`, ...extra },
    log,
  );
}

export function loadRunModel(run: ImageRun, checkpoint: string): Promise<Classifier> {
  return loadClassifier(architectureInfo(run.config.architecture), checkpoint);
}

/** MaskTune's masked training set: the ERM model's heatmap masks in raw pixel space, written as PNGs (streamed, never all in memory). */
function maskedTrainingSet(run: ImageRun, erm: Classifier, ermCheckpoint: string): Promise<ImageFileSet> {
  const { config, train, log } = run;
  const transform = config.maskingTransform ?? config.evalTransform;
  if (config.masking.rule.kind === "dataset-mean") {
    throw new KitError("masking rule dataset-mean", "a per-image rule for streamed images", "a dataset-wide one (it would become a per-batch mean)", "Use mean + k·std, top-K or soft masks here.");
  }
  return writeTransformedCache(
    train,
    transform,
    path.join(config.cacheDir, "masked"),
    (pixels, indices, shape) => {
      const batch: ImageDataset = { name: "batch", shape, images: pixels, labels: Int32Array.from(indices, (i) => train.labels[i]), numClasses: train.numClasses, ids: indices.map(String), attributes: {} };
      return maskWithHeatmaps(erm, batch, config.masking).masked.images;
    },
    { batchSize: config.masking.batchSize, key: { erm: checkpointChecksum(ermCheckpoint), masking: config.masking }, fresh: config.fresh, log },
  );
}

/**
 * MaskTune after ERM: masks from the best ERM model, then one epoch on the
 * masked images through the training transform (as the authors' code does)
 * at the last ERM learning rate, from the configured ERM checkpoint.
 */
export async function maskTune(run: ImageRun, ermRun: ErmResult, erm: Classifier): Promise<Classifier> {
  const { config, seed, log } = run;
  const masked = await maskedTrainingSet(run, erm, ermRun.bestCheckpoint);
  const side = outputSize(config.maskingTransform ?? config.evalTransform);
  const lr = makeSchedule(config.erm.schedule, config.erm.lr, config.erm.epochs).finalLr;
  const { model, epoch } = await fineTunedStage(
    // The masked PNGs' folder is named by a hash of everything they depend on.
    { stage: "finetune", key: { masked: path.dirname(masked.files[0] ?? ""), trainTransform: config.trainTransform }, cacheDir: config.cacheDir, fresh: config.fresh },
    architectureInfo(config.architecture),
    config.fineTuneFrom === "best" ? ermRun.bestCheckpoint : ermRun.lastCheckpoint,
    fileSource(masked, asStored(side), config.trainTransform),
    { lr, batchSize: config.erm.batchSize, optimiser: config.erm.optimiser, seed, label: `MaskTune seed ${seed}` },
    log,
  );
  log(`seed ${seed}: MaskTune fine-tune epoch at lr ${lr}: loss ${epoch.loss.toFixed(4)}, train acc (masked) ${percent(epoch.trainAccuracy)}%`);
  return model;
}
