/**
 * Figure 2 of the paper: ERM vs RandMask vs MaskTune on biased MNIST, tested
 * on the original digits and on the biased test set, plus xGradCAM heatmaps
 * of biased-test digits before and after MaskTune. One function, `run`,
 * shared by the CLI, the notebook and the smoke test.
 */
import * as path from "path";
import { BiasConfig, PAPER_BIAS, buildBiasedMnist } from "../data/biased-mnist";
import { ImageDataset, pixelsPerImage, size } from "../data/dataset";
import { Digits, MNIST_SIDE, loadEmbeddedMnist, loadMnistIdx, splitStratified } from "../data/mnist";
import { computeHeatmaps } from "../explain/cam";
import { accuracy } from "../eval/metrics";
import { predictClasses } from "../eval/predict";
import { squareHitRate } from "../eval/shortcut";
import { Logger, consoleLogger } from "../log";
import { MaskingConfig, PAPER_MASKING, fineTuneOneEpoch, maskWith, maskWithHeatmaps } from "../masking/masktune";
import { PAPER_RANDMASK, RandMaskConfig, randomSquareMasks } from "../masking/randmask";
import { Classifier } from "../models/classifier";
import { smallCnn } from "../models/small-cnn";
import { Rng } from "../random";
import { Row, textTable, writeCsv } from "../report/csv";
import { HeatmapExample, PlotlyFigure, groupedBarFigure, heatmapGridFigure } from "../report/figures";
import { escapeHtml, htmlTable, writeReport } from "../report/html";
import { Provenance, provenance } from "../report/provenance";
import { MeanStd, meanStd, percent } from "../report/stats";
import { EpochRecord, loadClassifier, trainErm } from "../train/loop";
import { ScheduleName, makeSchedule } from "../train/schedule";
import { PAPER_SGD, SgdConfig } from "../train/sgd";

export const METHODS = ["ERM", "RandMask", "MaskTune"] as const;
export type Method = (typeof METHODS)[number];
export const EVAL_SETS = ["val", "test-original", "test-biased"] as const;
export type EvalSet = (typeof EVAL_SETS)[number];

const EVAL_SET_TITLES: Record<EvalSet, string> = {
  val: "validation (biased like training)",
  "test-original": "original test",
  "test-biased": "biased test",
};

/** The paper's numbers (percent) shown beside ours. */
export const PAPER_FIG2: Partial<Record<Method, { source: string; values: Partial<Record<EvalSet, number>> }>> = {
  MaskTune: { source: "paper Fig. 2 / Table 6 (48,000 training digits)", values: { "test-biased": 98.26, "test-original": 98.46 } },
  RandMask: { source: "paper Table 6, random-window masking", values: { "test-biased": 59.06, "test-original": 91.02 } },
};

export interface Fig2Config {
  /** Folder of MNIST IDX files; the embedded 10,000 digits when absent. */
  idxDir?: string;
  /**
   * Fractions of the digit pool. Embedded digits: train/val/test of one pool.
   * IDX files: train/val of the official training file, test of the official test file.
   */
  split: { train: number; val: number; test: number };
  bias: BiasConfig;
  erm: { epochs: number; batchSize: number; lr: number; schedule: ScheduleName; sgd: SgdConfig };
  masking: MaskingConfig;
  /** Which ERM checkpoint MaskTune and RandMask fine-tune from (masks always come from the best). */
  fineTuneFrom: "best" | "last";
  randMask: RandMaskConfig;
  seeds: number[];
  /** Biased-test digits shown with their heatmaps (half per class). */
  heatmapExamples: number;
  outDir: string;
}

/** The default run: the embedded digits, the authors' schedule, 3 seeds. */
export function defaultConfig(overrides: Partial<Fig2Config> = {}): Fig2Config {
  const config: Fig2Config = {
    split: overrides.idxDir ? { train: 0.8, val: 0.2, test: 1 } : { train: 0.6, val: 0.1, test: 0.3 },
    bias: PAPER_BIAS,
    erm: { epochs: 20, batchSize: 128, lr: 0.01, schedule: "authors-code", sgd: PAPER_SGD },
    masking: PAPER_MASKING,
    fineTuneFrom: "best",
    randMask: PAPER_RANDMASK,
    seeds: [1, 2, 3],
    heatmapExamples: 6,
    outDir: path.join("results", "fig2"),
    ...overrides,
  };
  return config;
}

/**
 * A small configuration for tests and CI: 1,200 training digits, 3 epochs, 1
 * seed. Too short for meaningful accuracies (batch-norm statistics are barely
 * warmed up); it checks that every stage runs.
 */
export function smokeConfig(overrides: Partial<Fig2Config> = {}): Fig2Config {
  const base = defaultConfig(overrides);
  return {
    ...base,
    split: overrides.split ?? (overrides.idxDir ? { train: 0.02, val: 0.01, test: 0.05 } : { train: 0.12, val: 0.03, test: 0.04 }),
    erm: { ...base.erm, epochs: overrides.erm?.epochs ?? 3 },
    seeds: overrides.seeds ?? [1],
    heatmapExamples: overrides.heatmapExamples ?? 4,
    outDir: overrides.outDir ?? path.join("results", "fig2-smoke"),
  };
}

export interface SeedResult {
  seed: number;
  accuracy: Record<Method, Record<EvalSet, number>>;
  /** Share of square-carrying training images whose MaskTune mask removes >= half the square. */
  maskHitRate: number;
  squareCarriers: number;
  maskedShare: { MaskTune: number; RandMask: number };
  ermHistory: EpochRecord[];
  bestEpoch: number;
  fineTuneLr: number;
  sizes: { train: number; val: number; test: number };
  seconds: number;
}

export interface Fig2Result {
  config: Fig2Config;
  provenance: Provenance;
  dataSource: string;
  seeds: SeedResult[];
  /** One row per (method, eval set) and for the mask hit rate: the table.csv rows. */
  summary: Row[];
  /** One row per (seed, method, eval set): the runs.csv rows. */
  runs: Row[];
  barFigure: PlotlyFigure;
  heatmapFigure: PlotlyFigure;
  caption: string;
  files: { table: string; runs: string; figure: string };
}

interface DigitSplit {
  source: string;
  train: Digits;
  val: Digits;
  test: Digits;
}

function splitDigits(config: Fig2Config, seed: number): DigitSplit {
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

function evaluate(c: Classifier, sets: Record<EvalSet, ImageDataset>): Record<EvalSet, number> {
  const out = {} as Record<EvalSet, number>;
  for (const name of EVAL_SETS) out[name] = accuracy(predictClasses(c, sets[name]), sets[name].labels);
  return out;
}

/** Biased-test indices for the heatmap panel: half class 0, half class 1 (class 1 carries the square). */
function exampleIndices(ds: ImageDataset, count: number): number[] {
  const pick = (cls: number) => Array.from(ds.labels.keys()).filter((i) => ds.labels[i] === cls).slice(0, Math.ceil(count / 2));
  return [...pick(0), ...pick(1)].slice(0, count);
}

/** One seed end to end; `withExamples` also explains a few biased-test digits for the figure. */
async function runSeed(config: Fig2Config, seed: number, withExamples: boolean, log: Logger): Promise<{ result: SeedResult; examples: HeatmapExample[]; source: string }> {
  const started = Date.now();
  const digits = splitDigits(config, seed);
  const data = buildBiasedMnist(digits, config.bias, seed);
  const evalSets: Record<EvalSet, ImageDataset> = { val: data.val, "test-original": data.testOriginal, "test-biased": data.testBiased };
  log(`seed ${seed}: ${size(data.train)} train / ${size(data.val)} val / ${size(data.testOriginal)} test digits from ${digits.source}`);

  const schedule = makeSchedule(config.erm.schedule, config.erm.lr, config.erm.epochs);
  const seedDir = path.join(config.outDir, "checkpoints", `seed-${seed}`);
  const erm = smallCnn({ inputShape: data.train.shape, numClasses: 2, seed });
  const trained = await trainErm(erm, data.train, data.val, {
    epochs: config.erm.epochs,
    batchSize: config.erm.batchSize,
    schedule,
    sgd: config.erm.sgd,
    seed,
    checkpointDir: path.join(seedDir, "erm"),
    label: `ERM seed ${seed}`,
    log,
  });
  erm.model.dispose();
  const best = await loadClassifier(erm, trained.bestCheckpoint);
  const start = config.fineTuneFrom === "best" ? trained.bestCheckpoint : trained.lastCheckpoint;
  log(`seed ${seed}: best ERM epoch ${trained.bestEpoch + 1} (val ${percent(trained.bestValAccuracy)}%); fine-tuning from the ${config.fineTuneFrom} checkpoint at lr ${schedule.finalLr}`);

  const masked = maskWithHeatmaps(best, data.train, config.masking);
  const hit = squareHitRate(masked.masks, data.train, config.bias.squares);
  log(`seed ${seed}: masked ${percent(masked.maskedShare)}% of training pixels; mask covers >= half the square on ${percent(hit.rate)}% of ${hit.carriers} square-carrying images`);

  const [height, width] = data.train.shape;
  const randomMasks = randomSquareMasks(size(data.train), height, width, config.randMask, Rng.for(seed, "randmask"));
  const randMasked = maskWith(data.train, randomMasks, `${data.train.name}+randmask`);

  const fineTune = { lr: schedule.finalLr, batchSize: config.erm.batchSize, sgd: config.erm.sgd, seed };
  const maskTune = await loadClassifier(erm, start);
  log(`seed ${seed}: ` + describeEpoch("MaskTune", fineTuneOneEpoch(maskTune, masked.masked, { ...fineTune, label: `MaskTune seed ${seed}` })));
  const randMask = await loadClassifier(erm, start);
  log(`seed ${seed}: ` + describeEpoch("RandMask", fineTuneOneEpoch(randMask, randMasked.masked, { ...fineTune, label: `RandMask seed ${seed}` })));

  const accuracyByMethod: Record<Method, Record<EvalSet, number>> = { ERM: evaluate(best, evalSets), RandMask: evaluate(randMask, evalSets), MaskTune: evaluate(maskTune, evalSets) };
  for (const method of METHODS) {
    log(`seed ${seed}: ${method.padEnd(8)} ` + EVAL_SETS.map((s) => `${s} ${percent(accuracyByMethod[method][s])}%`).join("  "));
  }

  const examples = withExamples ? heatmapExamples(data.testBiased, config, { ERM: best, MaskTune: maskTune }) : [];
  [best, maskTune, randMask].forEach((c) => c.model.dispose());

  const result: SeedResult = {
    seed,
    accuracy: accuracyByMethod,
    maskHitRate: hit.rate,
    squareCarriers: hit.carriers,
    maskedShare: { MaskTune: masked.maskedShare, RandMask: randMasked.maskedShare },
    ermHistory: trained.history,
    bestEpoch: trained.bestEpoch,
    fineTuneLr: schedule.finalLr,
    sizes: { train: size(data.train), val: size(data.val), test: size(data.testOriginal) },
    seconds: (Date.now() - started) / 1000,
  };
  return { result, examples, source: digits.source };
}

/** A few biased-test digits with each model's xGradCAM heatmap. */
function heatmapExamples(ds: ImageDataset, config: Fig2Config, models: Record<string, Classifier>): HeatmapExample[] {
  const shown = exampleIndices(ds, config.heatmapExamples);
  const area = ds.shape[0] * ds.shape[1];
  const per = pixelsPerImage(ds);
  const maps = Object.entries(models).map(([name, c]) => ({ name: `${name} xGradCAM`, values: computeHeatmaps(c, ds, { ...config.masking, indices: shown }) }));
  return shown.map((i, j) => ({
    title: `class ${ds.labels[i]}${ds.attributes.square[i] ? " + square" : ""}`,
    image: ds.images.slice(i * per, (i + 1) * per),
    maps: maps.map((m) => ({ name: m.name, values: m.values.slice(j * area, (j + 1) * area) })),
  }));
}

function describeEpoch(method: string, r: EpochRecord): string {
  return `${method} fine-tune epoch: loss ${r.loss.toFixed(4)}, train acc (masked) ${percent(r.trainAccuracy)}%, ${r.seconds.toFixed(1)}s`;
}

/** Columns of table.csv, in order (documented in the README). */
export const SUMMARY_COLUMNS = [
  "experiment", "method", "eval_set", "metric", "mean_pct", "std_pct", "n_seeds", "seeds", "paper_pct", "paper_source",
  "data", "train_size", "val_size", "test_size", "erm_epochs", "batch_size", "erm_lr", "schedule", "finetune_lr", "finetune_from",
  "bias_placement", "conflicting_ratio", "square_colour", "mask_k", "backend", "kit_version", "git_commit", "date",
] as const;

/** Columns of runs.csv: one value per seed. */
export const RUN_COLUMNS = [
  "experiment", "seed", "method", "eval_set", "metric", "value_pct", "best_erm_epoch", "seconds",
  "data", "train_size", "val_size", "test_size", "erm_epochs", "schedule", "finetune_lr", "bias_placement", "backend", "kit_version", "git_commit", "date",
] as const;

function configColumns(config: Fig2Config, source: string, first: SeedResult, prov: Provenance): Row {
  return {
    experiment: "fig2",
    data: source,
    train_size: first.sizes.train,
    val_size: first.sizes.val,
    test_size: first.sizes.test,
    erm_epochs: config.erm.epochs,
    batch_size: config.erm.batchSize,
    erm_lr: config.erm.lr,
    schedule: config.erm.schedule,
    finetune_lr: first.fineTuneLr,
    finetune_from: config.fineTuneFrom,
    bias_placement: config.bias.placement,
    conflicting_ratio: config.bias.conflictingRatio,
    square_colour: config.bias.squares.map((s) => `${s.corner} rgb(${s.colour.map((v) => Math.round(255 * v)).join(" ")})`).join("; "),
    mask_k: config.masking.k,
    ...prov,
  };
}

function summarise(config: Fig2Config, source: string, seeds: SeedResult[], prov: Provenance): { summary: Row[]; runs: Row[]; stats: Map<string, MeanStd> } {
  const common = configColumns(config, source, seeds[0], prov);
  const seedList = seeds.map((s) => s.seed).join(";");
  const summary: Row[] = [];
  const runs: Row[] = [];
  const stats = new Map<string, MeanStd>();
  const add = (method: string, evalSet: string, metric: string, values: number[], paper?: { source: string; value?: number }) => {
    const s = meanStd(values);
    stats.set(`${method}/${evalSet}/${metric}`, s);
    summary.push({
      ...common, method, eval_set: evalSet, metric, mean_pct: percent(s.mean), std_pct: percent(s.std), n_seeds: s.n, seeds: seedList,
      paper_pct: paper?.value === undefined ? null : paper.value.toFixed(2), paper_source: paper?.value === undefined ? null : paper.source,
    });
    seeds.forEach((seed, i) =>
      runs.push({ ...common, seed: seed.seed, method, eval_set: evalSet, metric, value_pct: percent(values[i]), best_erm_epoch: seed.bestEpoch + 1, seconds: seed.seconds.toFixed(1) }),
    );
  };
  for (const method of METHODS) {
    for (const evalSet of EVAL_SETS) {
      const paper = PAPER_FIG2[method];
      add(method, evalSet, "accuracy", seeds.map((s) => s.accuracy[method][evalSet]), paper && { source: paper.source, value: paper.values[evalSet] });
    }
  }
  add("MaskTune", "train (square carriers)", "mask_hit_rate", seeds.map((s) => s.maskHitRate));
  add("MaskTune", "train", "masked_pixel_share", seeds.map((s) => s.maskedShare.MaskTune));
  add("RandMask", "train", "masked_pixel_share", seeds.map((s) => s.maskedShare.RandMask));
  return { summary, runs, stats };
}

/** The compact table people read: ours (mean ± std) beside the paper. */
export function displayRows(result: Fig2Result): Row[] {
  return result.summary.map((r) => ({
    method: r.method,
    "eval set": r.eval_set,
    metric: r.metric,
    "ours (%)": r.n_seeds !== null && Number(r.n_seeds) > 1 ? `${r.mean_pct} ± ${r.std_pct}` : r.mean_pct,
    "paper (%)": r.paper_pct ?? "—",
  }));
}
export const DISPLAY_COLUMNS = ["method", "eval set", "metric", "ours (%)", "paper (%)"];

/** Runs the whole experiment for every seed and writes table.csv, runs.csv and figure.html. */
export async function run(config: Fig2Config, log: Logger = consoleLogger): Promise<Fig2Result> {
  const prov = provenance();
  log(`fig2: ${config.seeds.length} seed(s), ${config.erm.epochs} ERM epochs, schedule "${config.erm.schedule}", square placement "${config.bias.placement}", backend ${prov.backend}`);
  const seeds: SeedResult[] = [];
  let examples: HeatmapExample[] = [];
  let source = "";
  for (const seed of config.seeds) {
    const out = await runSeed(config, seed, seeds.length === 0, log);
    seeds.push(out.result);
    if (seeds.length === 1) examples = out.examples;
    source = out.source;
  }
  const { summary, runs, stats } = summarise(config, source, seeds, prov);
  const first = seeds[0];
  const caption =
    `Biased MNIST (${source}; ${first.sizes.train} train / ${first.sizes.val} val / ${first.sizes.test} test digits), SmallCNN, ` +
    `${config.erm.epochs} ERM epochs at lr ${config.erm.lr} with the "${config.erm.schedule}" schedule, one fine-tune epoch at lr ${first.fineTuneLr}, ` +
    `square ${config.bias.placement === "random" ? "on a seeded random choice of images" : "on images ordered by digit (authors' code)"}, ` +
    `seeds ${config.seeds.join(", ")}, backend ${prov.backend}, kit ${prov.kit_version} ${prov.git_commit}. ` +
    `The paper trains on 48,000 digits for 100 epochs.`;

  const categories = EVAL_SETS.map((s) => EVAL_SET_TITLES[s]);
  const barFigure = groupedBarFigure(
    "Figure 2: accuracy on biased MNIST",
    categories,
    [
      ...METHODS.map((m) => ({ name: `${m} (ours)`, values: EVAL_SETS.map((s) => stats.get(`${m}/${s}/accuracy`) ?? null) })),
      ...Object.entries(PAPER_FIG2).map(([m, p]) => ({
        name: `${m} (${p!.source})`,
        paper: true,
        values: EVAL_SETS.map((s) => (p!.values[s] === undefined ? null : { mean: p!.values[s]! / 100, std: 0, n: 1 })),
      })),
    ],
  );
  const heatmapFigure = heatmapGridFigure(`xGradCAM on biased-test digits (seed ${first.seed})`, examples, MNIST_SIDE, MNIST_SIDE);

  const files = {
    table: path.join(config.outDir, "table.csv"),
    runs: path.join(config.outDir, "runs.csv"),
    figure: path.join(config.outDir, "figure.html"),
  };
  writeCsv(files.table, summary, SUMMARY_COLUMNS);
  writeCsv(files.runs, runs, RUN_COLUMNS);
  const result: Fig2Result = { config, provenance: prov, dataSource: source, seeds, summary, runs, barFigure, heatmapFigure, caption, files };
  writeReport(files.figure, "MaskTune: Figure 2 (biased MNIST)", [
    { heading: "Accuracy", html: `<p class="caption">${escapeHtml(caption)}</p>\n${htmlTable(displayRows(result), DISPLAY_COLUMNS)}`, figure: barFigure },
    { heading: "Heatmaps before and after MaskTune", figure: heatmapFigure },
  ]);
  log(textTable(displayRows(result), DISPLAY_COLUMNS));
  log(caption);
  log(`wrote ${files.table}, ${files.runs} and ${files.figure}`);
  return result;
}

