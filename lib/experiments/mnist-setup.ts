/**
 * What every biased-MNIST experiment (Figure 2, Tables 5 and 6, the
 * threshold ablation) shares: the configuration, the digits split by seed,
 * the biased sets, the ERM stage (cached on disk by a hash of everything it
 * depends on), evaluation on the three sets, and one-epoch fine-tunes.
 */
import * as path from "path";
import { BiasConfig, BiasedMnist, PAPER_BIAS, buildBiasedMnist } from "../data/biased-mnist";
import { ImageDataset, size } from "../data/dataset";
import { Digits, loadEmbeddedMnist, loadMnistIdx, splitStratified } from "../data/mnist";
import { accuracy } from "../eval/metrics";
import { predictClasses } from "../eval/predict";
import { Logger } from "../log";
import { PAPER_MASKING } from "../masking/masktune";
import { describeRule } from "../masking/threshold";
import { Classifier } from "../models/classifier";
import { SMALL_CNN, smallCnn } from "../models/small-cnn";
import { Row } from "../report/csv";
import { Measurement, SeedRecord } from "./results";
import { percent } from "../report/stats";
import { EpochRecord, ErmResult, loadClassifier } from "../train/loop";
import { RunConfig } from "./run-config";
import { fineTunedStage, pixelsHash, trainedStage } from "./trained-stage";
import { LrSchedule, makeSchedule } from "../train/schedule";
import { PAPER_SGD } from "../train/optimiser";

export const EVAL_SETS = ["val", "test-original", "test-biased"] as const;
export type EvalSet = (typeof EVAL_SETS)[number];
export const EVAL_SET_TITLES: Record<EvalSet, string> = {
  val: "validation (biased like training)",
  "test-original": "original test",
  "test-biased": "biased test",
};

/**
 * Where results go unless an experiment says otherwise: MASKTUNE_RESULTS, or
 * results/ at the top of this checkout (the same folder from the CLI and from
 * a notebook, whatever the working directory).
 */
export function resultsRoot(): string {
  return process.env.MASKTUNE_RESULTS ?? path.join(__dirname, "..", "..", "..", "results");
}

export interface MnistConfig extends RunConfig {
  /** Folder of MNIST IDX files; the embedded 10,000 digits when absent. */
  idxDir?: string;
  /**
   * Fractions of the digit pool. Embedded digits: train/val/test of one pool.
   * IDX files: train/val of the official training file, test of the official test file.
   */
  split: { train: number; val: number; test: number };
  bias: BiasConfig;
}

/** The default biased-MNIST protocol: embedded digits, the authors' schedule, 3 seeds. */
export function defaultMnistConfig(experiment: string, overrides: Partial<MnistConfig> = {}): MnistConfig {
  return {
    split: overrides.idxDir ? { train: 0.8, val: 0.2, test: 1 } : { train: 0.6, val: 0.1, test: 0.3 },
    bias: PAPER_BIAS,
    erm: { epochs: 20, batchSize: 128, lr: 0.01, schedule: "authors-code", optimiser: PAPER_SGD },
    masking: PAPER_MASKING,
    fineTuneFrom: "best",
    seeds: [1, 2, 3],
    outDir: path.join(resultsRoot(), experiment),
    cacheDir: path.join(resultsRoot(), "cache"),
    fresh: false,
    ...overrides,
  };
}

/**
 * A small configuration for tests and CI: 1,200 training digits, 3 epochs, 1
 * seed. Too short for meaningful accuracies (batch-norm statistics are barely
 * warmed up); it checks that every stage runs.
 */
export function smokeMnistConfig(experiment: string, overrides: Partial<MnistConfig> = {}): MnistConfig {
  const base = defaultMnistConfig(experiment, overrides);
  return {
    ...base,
    split: overrides.split ?? (overrides.idxDir ? { train: 0.02, val: 0.01, test: 0.05 } : { train: 0.12, val: 0.03, test: 0.04 }),
    erm: { ...base.erm, epochs: overrides.erm?.epochs ?? 3 },
    seeds: overrides.seeds ?? [1],
    outDir: overrides.outDir ?? path.join(resultsRoot(), `${experiment}-smoke`),
  };
}

/** Everything one seed's methods start from. */
export interface SeedSetup {
  seed: number;
  source: string;
  data: BiasedMnist;
  evalSets: Record<EvalSet, ImageDataset>;
  schedule: LrSchedule;
  erm: ErmResult;
  /** The best-validation ERM model (masks and the ERM row come from it). */
  best: Classifier;
  /** Checkpoint the fine-tunes start from. */
  startCheckpoint: string;
}

function splitDigits(config: MnistConfig, seed: number): { source: string; train: Digits; val: Digits; test: Digits } {
  const { train, val, test } = config.split;
  if (config.idxDir) {
    const files = loadMnistIdx(config.idxDir);
    const [trainPart, valPart] = splitStratified(files.train, [train, val], seed);
    const [testPart] = splitStratified(files.test, [test], seed);
    return { source: files.train.source, train: trainPart, val: valPart, test: testPart };
  }
  const pool = loadEmbeddedMnist();
  const [trainPart, valPart, testPart] = splitStratified(pool, [train, val, test], seed);
  return { source: pool.source, train: trainPart, val: valPart, test: testPart };
}

/** The ERM stage of one seed: trained once per configuration, then reused. */
function ermStage(config: MnistConfig, seed: number, data: BiasedMnist, schedule: LrSchedule, log: Logger): Promise<ErmResult> {
  const key = { architecture: "small-cnn", data: config.idxDir ? path.resolve(config.idxDir) : "embedded", split: config.split, bias: config.bias, erm: config.erm, seed };
  return trainedStage(
    { stage: "erm", key, cacheDir: config.cacheDir, fresh: config.fresh },
    () => smallCnn({ inputShape: data.train.shape, numClasses: 2, seed }),
    data.train,
    data.val,
    { epochs: config.erm.epochs, batchSize: config.erm.batchSize, schedule, optimiser: config.erm.optimiser, seed, label: `ERM seed ${seed}`, log },
    log,
  );
}

/** Splits, biases and trains (or reloads) ERM for one seed. */
export async function setUpSeed(config: MnistConfig, seed: number, log: Logger): Promise<SeedSetup> {
  const digits = splitDigits(config, seed);
  const data = buildBiasedMnist(digits, config.bias, seed);
  log(`seed ${seed}: ${size(data.train)} train / ${size(data.val)} val / ${size(data.testOriginal)} test digits from ${digits.source}`);
  const schedule = makeSchedule(config.erm.schedule, config.erm.lr, config.erm.epochs);
  const erm = await ermStage(config, seed, data, schedule, log);
  const best = await loadClassifier(SMALL_CNN, erm.bestCheckpoint);
  log(`seed ${seed}: best ERM epoch ${erm.bestEpoch + 1} (val ${percent(erm.bestValScore)}%); fine-tunes start from the ${config.fineTuneFrom} checkpoint at lr ${schedule.finalLr}`);
  return {
    seed,
    source: digits.source,
    data,
    evalSets: { val: data.val, "test-original": data.testOriginal, "test-biased": data.testBiased },
    schedule,
    erm,
    best,
    startCheckpoint: config.fineTuneFrom === "best" ? erm.bestCheckpoint : erm.lastCheckpoint,
  };
}

export function evaluate(c: Classifier, sets: Record<EvalSet, ImageDataset>): Record<EvalSet, number> {
  const out = {} as Record<EvalSet, number>;
  for (const name of EVAL_SETS) out[name] = accuracy(predictClasses(c, sets[name]), sets[name].labels);
  return out;
}

export function describeEpoch(method: string, r: EpochRecord): string {
  return `${method} fine-tune epoch: loss ${r.loss.toFixed(4)}, train acc (masked) ${percent(r.trainAccuracy)}%, ${r.seconds.toFixed(1)}s`;
}

/** A fresh copy of the start checkpoint, fine-tuned for one epoch on `data` (a cached stage, keyed by the data's pixels). */
export async function fineTuned(setup: SeedSetup, config: MnistConfig, data: ImageDataset, method: string, log: Logger): Promise<Classifier> {
  const { model, epoch, reused } = await fineTunedStage(
    { stage: "finetune", key: { pixels: pixelsHash(data.images), labels: pixelsHash(new Float32Array(data.labels)) }, cacheDir: config.cacheDir, fresh: config.fresh },
    setup.best,
    setup.startCheckpoint,
    data,
    { lr: setup.schedule.finalLr, batchSize: config.erm.batchSize, optimiser: config.erm.optimiser, seed: setup.seed, label: `${method} seed ${setup.seed}` },
    log,
  );
  if (!reused) log(`seed ${setup.seed}: ${describeEpoch(method, epoch)}`);
  return model;
}

/** The configuration columns every biased-MNIST result row carries. */
export function mnistConfigColumns(config: MnistConfig, setup: SeedSetup): Row {
  return {
    data: setup.source,
    train_size: size(setup.data.train),
    val_size: size(setup.data.val),
    test_size: size(setup.data.testOriginal),
    erm_epochs: config.erm.epochs,
    batch_size: config.erm.batchSize,
    erm_lr: config.erm.lr,
    schedule: config.erm.schedule,
    finetune_lr: setup.schedule.finalLr,
    finetune_from: config.fineTuneFrom,
    bias_placement: config.bias.placement,
    conflicting_ratio: config.bias.conflictingRatio,
    squares: config.bias.squares.map((s) => `${s.corner} rgb(${s.colour.map((v) => Math.round(255 * v)).join(" ")})`).join("; "),
    cam: config.masking.method,
    mask_rule: describeRule(config.masking.rule),
  };
}

/** One line for captions: data, sizes, schedule, seeds. */
export function describeProtocol(config: MnistConfig, setup: SeedSetup): string {
  return (
    `${setup.source}; ${size(setup.data.train)} train / ${size(setup.data.val)} val / ${size(setup.data.testOriginal)} test digits; SmallCNN, ` +
    `${config.erm.epochs} ERM epochs at lr ${config.erm.lr} ("${config.erm.schedule}" schedule), fine-tune epochs at lr ${setup.schedule.finalLr} from the ${config.fineTuneFrom} ERM checkpoint; ` +
    `${config.bias.squares.length} square(s), placed ${config.bias.placement === "random" ? "on a seeded random choice of images" : "by digit order (authors' code)"}; ` +
    `seeds ${config.seeds.join(", ")}`
  );
}

/** What an experiment's per-seed body returns: its numbers and, optionally, material for figures. */
export interface SeedOutcome<X> {
  measurements: Measurement[];
  extra?: X;
}

export interface SeedsRun<X> {
  records: SeedRecord[];
  /** Configuration columns of the result rows (from the first seed). */
  columns: Row;
  /** One-line description of the protocol, for captions. */
  protocol: string;
  /** The first seed's `extra` (figures show one seed). */
  first: X | undefined;
}

/**
 * The seed loop every biased-MNIST experiment shares: set up each seed (split,
 * bias, ERM), run `body` on it, time it, free the ERM model.
 */
export async function runSeeds<X>(config: MnistConfig, log: Logger, body: (setup: SeedSetup, first: boolean) => Promise<SeedOutcome<X>>, extraColumns: Row = {}): Promise<SeedsRun<X>> {
  const run: SeedsRun<X> = { records: [], columns: {}, protocol: "", first: undefined };
  for (const seed of config.seeds) {
    const started = Date.now();
    const setup = await setUpSeed(config, seed, log);
    try {
      const first = run.records.length === 0;
      const outcome = await body(setup, first);
      if (first) {
        run.columns = { ...mnistConfigColumns(config, setup), ...extraColumns };
        run.protocol = describeProtocol(config, setup);
        run.first = outcome.extra;
      }
      run.records.push({ seed, seconds: (Date.now() - started) / 1000, bestErmEpoch: setup.erm.bestEpoch, measurements: outcome.measurements });
    } finally {
      setup.best.model.dispose();
    }
  }
  return run;
}

/** Logs one model's accuracies on the three sets and adds them to `into`. */
export function recordAccuracy(log: Logger, seed: number, method: string, acc: Record<EvalSet, number>, into: Measurement[]): void {
  log(`seed ${seed}: ${method.padEnd(30)} ` + EVAL_SETS.map((s) => `${s} ${percent(acc[s])}%`).join("  "));
  for (const evalSet of EVAL_SETS) into.push({ method, evalSet, metric: "accuracy", value: acc[evalSet] });
}
