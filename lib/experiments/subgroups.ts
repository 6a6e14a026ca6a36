/**
 * Tables 1 and 2 of the paper: spurious features in subgroups, on CelebA
 * (Blond_Hair, spurious Male) and on Waterbirds (bird type, spurious
 * background). Per seed: ERM; MaskTune (xGradCAM masks of the training set
 * written to a PNG cache, one fine-tune epoch on them); Group DRO (uses the
 * training group labels, the paper's upper-bound row); JTT (a short ERM run,
 * its training errors up-weighted, a second run). Everything streams images
 * from disk; worst-group and average test accuracy per method.
 *
 * No method but Group DRO sees group labels: ERM, MaskTune and JTT keep the
 * checkpoint with the best validation accuracy; Group DRO the best
 * worst-group validation accuracy.
 */
import * as path from "path";
import { fileSource } from "../data/batch-source";
import { ImageFileSet, fileCount, fileSubset } from "../data/image-files";
import { loadAll } from "../data/images/stream";
import { CELEBA_EVAL, CELEBA_TRAIN, WATERBIRDS_EVAL, WATERBIRDS_TRAIN, describeTransform, outputSize } from "../data/images/transforms";
import { loadCelebA } from "../data/celeba";
import { Splits } from "../data/text-table";
import { loadWaterbirds } from "../data/waterbirds";
import { KitError } from "../errors";
import { GroupReport, groupReport, groupShares } from "../eval/groups";
import { predictSourceClasses } from "../eval/predict";
import { computeHeatmaps } from "../explain/cam";
import { Logger, consoleLogger } from "../log";
import { PAPER_MASKING } from "../masking/masktune";
import { describeRule } from "../masking/threshold";
import { ARCHITECTURES } from "../models/architectures";
import { Classifier } from "../models/classifier";
import { Row } from "../report/csv";
import { GridRow, imageGridFigure } from "../report/figures";
import { provenance } from "../report/provenance";
import { percent } from "../report/stats";
import { ErmResult, ModelSelection } from "../train/loop";
import { groupDro } from "../train/objective";
import { PAPER_SGD, describeOptimiser } from "../train/optimiser";
import { ImageExperimentConfig, ImageRun, describePretrained, imageRun, limitSet, loadRunModel, maskTune, trainOnFiles } from "./image-stages";
import { resultsRoot } from "./mnist-setup";
import { ExperimentResult, Measurement, PaperLookup, SeedRecord, summarise, writeExperiment } from "./results";

export const SUBGROUP_DATASETS = ["celeba", "waterbirds"] as const;
export type SubgroupDataset = (typeof SUBGROUP_DATASETS)[number];
export const METHODS = ["ERM", "MaskTune", "Group DRO", "JTT"] as const;
type Method = (typeof METHODS)[number];

export interface SubgroupConfig extends ImageExperimentConfig {
  dataset: SubgroupDataset;
  groupDro: { stepSize: number };
  /** JTT: epochs of the identification run, and how many times its errors are drawn per epoch. */
  jtt: { identificationEpochs: number; upweight: number };
  /** Test images per group shown with their heatmaps. */
  heatmapExamples: number;
}

type Preset = Omit<SubgroupConfig, "dataDir" | "pretrainedDir" | "seeds" | "outDir" | "cacheDir" | "fresh">;

/**
 * The paper's configurations (datasets.md 5.5 and 6.5; the authors' code
 * where the text is silent: constant learning rate, SGD momentum 0.9, weight
 * decay 1e-4). Group DRO's step size (0.01) and JTT's T and up-weight (the
 * JTT paper's CelebA values T = 1, λ = 50; for Waterbirds T = 60, λ = 100)
 * reuse the ERM optimiser: the kit's choice, the paper does not give them.
 */
export const PRESETS: Record<SubgroupDataset, Preset> = {
  celeba: {
    dataset: "celeba", architecture: "resnet50", evalTransform: CELEBA_EVAL, trainTransform: CELEBA_TRAIN,
    erm: { epochs: 20, batchSize: 512, lr: 1e-4, schedule: "authors-code", optimiser: PAPER_SGD },
    masking: PAPER_MASKING, fineTuneFrom: "best", groupDro: { stepSize: 0.01 }, jtt: { identificationEpochs: 1, upweight: 50 }, heatmapExamples: 1,
  },
  waterbirds: {
    dataset: "waterbirds", architecture: "resnet50", evalTransform: WATERBIRDS_EVAL, trainTransform: WATERBIRDS_TRAIN,
    erm: { epochs: 100, batchSize: 128, lr: 1e-4, schedule: "authors-code", optimiser: PAPER_SGD },
    masking: PAPER_MASKING, fineTuneFrom: "best", groupDro: { stepSize: 0.01 }, jtt: { identificationEpochs: 60, upweight: 100 }, heatmapExamples: 1,
  },
};

const TABLE: Record<SubgroupDataset, string> = { celeba: "table1", waterbirds: "table2" };

export function defaultConfig(dataset: SubgroupDataset, overrides: Partial<SubgroupConfig> = {}): SubgroupConfig {
  return { ...PRESETS[dataset], seeds: [1, 2, 3], outDir: path.join(resultsRoot(), TABLE[dataset]), cacheDir: path.join(resultsRoot(), "cache"), fresh: false, ...overrides };
}

/**
 * A CPU-sized check that every stage runs: SmallCNN at 64x64 (a ResNet-50
 * training step takes seconds per image on a CPU), 6 epochs at batch 4, 1
 * seed, at most 64 images per split. The numbers mean little; the tables
 * say what ran.
 */
export function smokeConfig(dataset: SubgroupDataset, overrides: Partial<SubgroupConfig> = {}): SubgroupConfig {
  const base = defaultConfig(dataset, overrides);
  return {
    ...base,
    architecture: overrides.architecture ?? "small-cnn",
    evalTransform: overrides.evalTransform ?? { kind: "resize-center-crop", resize: 73, crop: 64 },
    trainTransform: overrides.trainTransform ?? { ...base.trainTransform, size: 64 },
    limit: overrides.limit ?? 64,
    erm: { ...base.erm, epochs: overrides.erm?.epochs ?? 6, batchSize: overrides.erm?.batchSize ?? 4, lr: overrides.erm?.lr ?? 0.01 },
    jtt: overrides.jtt ?? { identificationEpochs: 2, upweight: 5 },
    seeds: overrides.seeds ?? [1],
    outDir: overrides.outDir ?? `${base.outDir}-smoke`,
  };
}

/** The paper's Tables 1 and 2 (percent): worst-group and average test accuracy. */
const PAPER: Record<SubgroupDataset, { source: string; rows: Partial<Record<Method, { worst: number; average: number }>> }> = {
  celeba: {
    source: "paper Table 1 (CelebA)",
    rows: { ERM: { worst: 47.2, average: 95.6 }, MaskTune: { worst: 78.0, average: 91.3 }, "Group DRO": { worst: 88.3, average: 91.8 }, JTT: { worst: 40.6, average: 88.0 } },
  },
  waterbirds: {
    source: "paper Table 2 (corrected Waterbirds)",
    rows: { ERM: { worst: 80.8, average: 94.0 }, MaskTune: { worst: 86.4, average: 93.0 }, "Group DRO": { worst: 89.3, average: 94.4 } },
  },
};

function paperLookup(dataset: SubgroupDataset): PaperLookup {
  const { source, rows } = PAPER[dataset];
  return (m) => {
    const row = rows[m.method as Method];
    const value = m.evalSet !== "test" || !row ? undefined : m.metric === "worst_group_accuracy" ? row.worst : m.metric === "average_accuracy" ? row.average : undefined;
    return value === undefined ? undefined : { value, source };
  };
}

/** The dataset's splits; with `limit`, a random sample of each (the same for every seed), with a warning for any group it leaves empty. */
function loadSplits(config: SubgroupConfig, warnings: string[]): Splits & { source: string } {
  if (!config.dataDir) {
    throw new KitError(`${TABLE[config.dataset]} (${config.dataset})`, "a dataset folder", "none", `Pass it with --data DIR (or dataDir in a notebook); datasets/README.md says where to download ${config.dataset === "celeba" ? "CelebA" : "Waterbirds"} and which layout the folder needs.`);
  }
  const data = config.dataset === "celeba" ? loadCelebA(config.dataDir) : loadWaterbirds(config.dataDir);
  if (config.limit === undefined) return data;
  const limited = { source: `${data.source.split("\n")[0]} (a random ${config.limit} of each split)`, train: limitSet(data.train, config.limit), val: limitSet(data.val, config.limit), test: limitSet(data.test, config.limit) };
  const groupNames = data.train.groupNames ?? [];
  for (const split of ["train", "val", "test"] as const) {
    const empty = groupNames.filter((_, g) => !limited[split].attributes.group.includes(g));
    if (empty.length) warnings.push(`the ${config.limit}-image sample of ${split} has no ${empty.join(", ")} image: raise the limit for per-group numbers`);
  }
  return limited;
}

/** Worst-group validation accuracy, for Group DRO's model selection (it is allowed group labels). */
function worstGroupSelection(groupCount: number): ModelSelection {
  return {
    name: "worst-group val acc",
    score: (predictions, val) => groupReport(predictions, val.labels, val.attributes.group, groupCount).worst ?? 0,
  };
}

async function testReport(c: Classifier, config: SubgroupConfig, test: ImageFileSet, trainShares: number[]): Promise<GroupReport> {
  const predictions = await predictSourceClasses(c, fileSource(test, config.evalTransform));
  return groupReport(predictions, test.labels, test.attributes.group, trainShares.length, trainShares);
}

function measurementsOf(method: Method, report: GroupReport, groupNames: readonly string[]): Measurement[] {
  return [
    { method, evalSet: "test", metric: "worst_group_accuracy", value: report.worst },
    { method, evalSet: "test", metric: "average_accuracy", value: report.average },
    { method, evalSet: "test", metric: "train_weighted_average_accuracy", value: report.weightedAverage },
    ...report.perGroup.map((value, g) => ({ method, evalSet: `test: ${groupNames[g]}`, metric: "accuracy", value })),
  ];
}

/** One test image per group (when there is one) with each model's heatmap, like the paper's Figure 3. */
async function heatmapRows(config: SubgroupConfig, test: ImageFileSet, models: Partial<Record<Method, Classifier>>, groupNames: readonly string[]): Promise<GridRow[]> {
  const picks: number[] = [];
  groupNames.forEach((_, g) => {
    const members = Array.from(test.attributes.group.keys()).filter((i) => test.attributes.group[i] === g);
    picks.push(...members.slice(0, config.heatmapExamples));
  });
  const images = await loadAll(fileSubset(test, picks), config.evalTransform);
  const side = images.shape[0];
  const maps = Object.entries(models).map(([name, c]) => ({ name: `${name} ${config.masking.method}`, values: computeHeatmaps(c!, images, { ...config.masking }) }));
  const per = side * side * 3;
  return picks.map((i, j) => ({
    title: groupNames[test.attributes.group[i]],
    panels: [
      { name: "input", kind: "rgb" as const, values: images.images.slice(j * per, (j + 1) * per) },
      ...maps.map((m) => ({ name: m.name, kind: "heatmap" as const, values: m.values.slice(j * side * side, (j + 1) * side * side) })),
    ],
  }));
}

function configColumns(config: SubgroupConfig, data: Splits, run: ImageRun, erm: ErmResult): Row {
  // Read back from the run (B10): what the optimiser applied, not the defaults.
  const s = erm.settings;
  return {
    dataset: config.dataset,
    train_size: fileCount(data.train),
    val_size: fileCount(data.val),
    test_size: fileCount(data.test),
    architecture: config.architecture,
    pretrained: describePretrained(run),
    eval_transform: describeTransform(config.evalTransform),
    train_transform: describeTransform(config.trainTransform),
    erm_epochs: s.epochs,
    batch_size: s.batchSize,
    erm_lr: s.learningRates[0] ?? null,
    schedule: config.erm.schedule,
    optimiser: describeOptimiser(s.optimiser),
    seed_of_first_run: s.seed,
    cam: config.masking.method,
    mask_rule: describeRule(config.masking.rule),
    finetune_from: config.fineTuneFrom,
    group_dro_step_size: config.groupDro.stepSize,
    jtt_identification_epochs: config.jtt.identificationEpochs,
    jtt_upweight: config.jtt.upweight,
    selection: "ERM, MaskTune, JTT: best val accuracy (no group labels); Group DRO: best worst-group val accuracy",
  };
}

export async function run(config: SubgroupConfig, log: Logger = consoleLogger): Promise<ExperimentResult> {
  const prov = provenance();
  const table = TABLE[config.dataset];
  const warnings: string[] = [];
  const data = loadSplits(config, warnings);
  const groupNames = data.train.groupNames ?? [];
  const groupCount = groupNames.length;
  log(`${table}: ${config.dataset}, ${ARCHITECTURES[config.architecture].title}${config.pretrainedDir ? " (ImageNet weights)" : " (random initialisation)"}, ${config.seeds.length} seed(s), ${config.erm.epochs} epochs, backend ${prov.backend}`);
  log(data.source);
  if (!config.pretrainedDir && config.architecture === "resnet50") log("warning: no --pretrained folder: ResNet-50 starts from random weights, not the paper's ImageNet initialisation");
  const trainShares = groupShares(data.train.attributes.group, groupCount);
  const records: SeedRecord[] = [];
  let columns: Row = {};
  let heatmaps: GridRow[] = [];
  for (const seed of config.seeds) {
    const started = Date.now();
    const run = imageRun(config, config.dataset, data.train, data.val, seed, log);
    const ermRun = await trainOnFiles(run, "erm", "ERM");
    const models: Partial<Record<Method, Classifier>> = { ERM: await loadRunModel(run, ermRun.bestCheckpoint) };
    try {
      models.MaskTune = await maskTune(run, ermRun, models.ERM!);

      const dro = groupDro(data.train.attributes.group, groupCount, config.groupDro.stepSize);
      const droRun = await trainOnFiles(run, "group-dro", "Group DRO", { objectiveAt: () => dro, selection: worstGroupSelection(groupCount) }, { groupDro: config.groupDro });
      models["Group DRO"] = await loadRunModel(run, droRun.bestCheckpoint);

      const idRun = await trainOnFiles(run, "jtt-identification", "JTT identification", { epochs: config.jtt.identificationEpochs }, { epochs: config.jtt.identificationEpochs });
      const idModel = await loadRunModel(run, idRun.lastCheckpoint);
      const trainPredictions = await predictSourceClasses(idModel, fileSource(data.train, config.evalTransform));
      idModel.model.dispose();
      const repeats = Int32Array.from(trainPredictions, (p, i) => (p === data.train.labels[i] ? 1 : config.jtt.upweight));
      const errors = repeats.filter((r) => r > 1).length;
      log(`seed ${seed}: JTT error set ${errors} of ${fileCount(data.train)} training images, each drawn ${config.jtt.upweight}x per epoch`);
      if (errors === 0) warnings.push(`JTT, seed ${seed}: the identification model made no training error, so JTT's second run is plain ERM`);
      const jttRun = await trainOnFiles(run, "jtt", "JTT", { repeats }, { jtt: config.jtt });
      models.JTT = await loadRunModel(run, jttRun.bestCheckpoint);

      const measurements: Measurement[] = [];
      for (const method of METHODS) {
        const report = await testReport(models[method]!, config, data.test, trainShares);
        log(`seed ${seed}: ${method.padEnd(9)} worst-group ${percent(report.worst)}%  average ${percent(report.average)}%  ` + report.perGroup.map((a, g) => `${groupNames[g]} ${percent(a)}%`).join(", "));
        if (report.warning) warnings.push(`${method}, seed ${seed}: ${report.warning}`);
        measurements.push(...measurementsOf(method, report, groupNames));
      }
      if (records.length === 0) {
        columns = configColumns(config, data, run, ermRun);
        heatmaps = await heatmapRows(config, data.test, { ERM: models.ERM, MaskTune: models.MaskTune }, groupNames);
      }
      records.push({ seed, seconds: (Date.now() - started) / 1000, bestErmEpoch: ermRun.bestEpoch, measurements });
    } finally {
      for (const c of Object.values(models)) c?.model.dispose();
    }
  }
  const summarised = summarise(table, records, columns, prov, paperLookup(config.dataset));
  const side = outputSize(config.evalTransform);
  return writeExperiment(
    config.outDir,
    {
      experiment: table,
      title: `MaskTune: Table ${table === "table1" ? 1 : 2} (${config.dataset === "celeba" ? "CelebA, Blond_Hair vs Male" : "Waterbirds"})`,
      caption:
        `${data.source.split("\n")[0]}; ${fileCount(data.train)} train / ${fileCount(data.val)} val / ${fileCount(data.test)} test images; ${ARCHITECTURES[config.architecture].title} ${config.pretrainedDir ? "from ImageNet weights" : "from random initialisation (the paper starts from ImageNet weights)"}, ` +
        `${config.erm.epochs} epochs at lr ${config.erm.lr}, ${describeOptimiser(config.erm.optimiser)}, batch ${config.erm.batchSize}; eval ${describeTransform(config.evalTransform)}; train ${describeTransform(config.trainTransform)}; ` +
        `MaskTune: ${config.masking.method} masks (${describeRule(config.masking.rule)}), one fine-tune epoch on the masked images through the training transform (as the authors' code); Group DRO step size ${config.groupDro.stepSize}; JTT T = ${config.jtt.identificationEpochs}, up-weight ${config.jtt.upweight}; ` +
        `seeds ${config.seeds.join(", ")}; backend ${prov.backend}, kit ${prov.kit_version} ${prov.git_commit}. "average_accuracy" is plain test accuracy (as MaskTune reports); ` +
        `"train_weighted_average_accuracy" weights the group accuracies by the training group shares (as Group DRO reports for Waterbirds). Paper column: ${PAPER[config.dataset].source}.`,
      provenance: prov,
      summarised,
      configColumns: Object.keys(columns),
      warnings,
      figures: [{ heading: "Heatmaps before and after MaskTune (like the paper's Figure 3)", figure: imageGridFigure(`${config.masking.method} on test images (seed ${config.seeds[0]})`, heatmaps, side, side) }],
    },
    log,
  );
}
