/**
 * Figure 2 of the paper: ERM vs RandMask vs MaskTune on biased MNIST, tested
 * on the original digits and on the biased test set, plus xGradCAM heatmaps
 * of biased-test digits before and after MaskTune. One function, `run`,
 * shared by the CLI, the notebook and the smoke test.
 */
import { ImageDataset, pixelsPerImage, size } from "../data/dataset";
import { MNIST_SIDE } from "../data/mnist";
import { computeHeatmaps } from "../explain/cam";
import { squareHitRate } from "../eval/shortcut";
import { Logger, consoleLogger } from "../log";
import { maskWith, maskWithHeatmaps } from "../masking/masktune";
import { PAPER_RANDMASK, RandMaskConfig, randomSquareMasks } from "../masking/randmask";
import { describeRule } from "../masking/threshold";
import { Classifier } from "../models/classifier";
import { Rng } from "../random";
import { GridRow, groupedBarFigure, imageGridFigure } from "../report/figures";
import { provenance } from "../report/provenance";
import { percent } from "../report/stats";
import { MnistConfig, EVAL_SETS, EVAL_SET_TITLES, EvalSet, defaultMnistConfig, evaluate, fineTuned, recordAccuracy, runSeeds, smokeMnistConfig } from "./mnist-setup";
import { ExperimentResult, Measurement, PaperLookup, summarise, writeExperiment } from "./results";

export const METHODS = ["ERM", "RandMask", "MaskTune"] as const;
type Method = (typeof METHODS)[number];

/** The paper's numbers (percent) shown beside ours. */
export const PAPER_FIG2: Partial<Record<Method, { source: string; values: Partial<Record<EvalSet, number>> }>> = {
  MaskTune: { source: "paper Fig. 2 / Table 6 (48,000 training digits)", values: { "test-biased": 98.26, "test-original": 98.46 } },
  RandMask: { source: "paper Table 6, random-window masking", values: { "test-biased": 59.06, "test-original": 91.02 } },
};

const paperLookup: PaperLookup = (m) => {
  const paper = PAPER_FIG2[m.method as Method];
  const value = paper?.values[m.evalSet as EvalSet];
  return m.metric === "accuracy" && paper && value !== undefined ? { value, source: paper.source } : undefined;
};

export interface Fig2Config extends MnistConfig {
  randMask: RandMaskConfig;
  /** Biased-test digits shown with their heatmaps (half per class). */
  heatmapExamples: number;
}

export function defaultConfig(overrides: Partial<Fig2Config> = {}): Fig2Config {
  return { ...defaultMnistConfig("fig2", overrides), randMask: PAPER_RANDMASK, heatmapExamples: 6, ...overrides };
}

export function smokeConfig(overrides: Partial<Fig2Config> = {}): Fig2Config {
  return { ...smokeMnistConfig("fig2", overrides), randMask: PAPER_RANDMASK, heatmapExamples: 4, ...overrides };
}

/** Biased-test indices for the heatmap panel: half class 0, half class 1 (class 1 carries the square). */
function exampleIndices(ds: ImageDataset, count: number): number[] {
  const pick = (cls: number) => Array.from(ds.labels.keys()).filter((i) => ds.labels[i] === cls).slice(0, Math.ceil(count / 2));
  return [...pick(0), ...pick(1)].slice(0, count);
}

/** A few biased-test digits with each model's xGradCAM heatmap. */
function heatmapRows(ds: ImageDataset, config: Fig2Config, models: Record<string, Classifier>): GridRow[] {
  const shown = exampleIndices(ds, config.heatmapExamples);
  const area = ds.shape[0] * ds.shape[1];
  const per = pixelsPerImage(ds);
  const maps = Object.entries(models).map(([name, c]) => ({ name: `${name} ${config.masking.method}`, values: computeHeatmaps(c, ds, { ...config.masking, indices: shown }) }));
  return shown.map((i, j) => ({
    title: `class ${ds.labels[i]}${ds.attributes.square[i] ? " + square" : ""}`,
    panels: [
      { name: "input", kind: "rgb" as const, values: ds.images.slice(i * per, (i + 1) * per) },
      ...maps.map((m) => ({ name: m.name, kind: "heatmap" as const, values: m.values.slice(j * area, (j + 1) * area) })),
    ],
  }));
}

/** Runs the whole experiment for every seed and writes table.csv, runs.csv and figure.html. */
export async function run(config: Fig2Config, log: Logger = consoleLogger): Promise<ExperimentResult> {
  const prov = provenance();
  log(`fig2: ${config.seeds.length} seed(s), ${config.erm.epochs} ERM epochs, schedule "${config.erm.schedule}", square placement "${config.bias.placement}", backend ${prov.backend}`);
  const { records, columns, protocol, first: heatmaps } = await runSeeds<GridRow[]>(config, log, async (setup, first) => {
    const { seed, data } = setup;
    const masked = maskWithHeatmaps(setup.best, data.train, config.masking);
    const hit = squareHitRate(masked.masks, data.train, config.bias.squares);
    log(`seed ${seed}: masked ${percent(masked.maskedShare)}% of training pixels; the mask covers >= half the square on ${percent(hit.rate)}% of ${hit.carriers} square-carrying images`);
    const randomMasks = randomSquareMasks(size(data.train), data.train.shape[0], data.train.shape[1], config.randMask, Rng.for(seed, "randmask"));
    const randMasked = maskWith(data.train, randomMasks, `${data.train.name}+randmask`);
    const models: Record<Method, Classifier> = {
      ERM: setup.best,
      MaskTune: await fineTuned(setup, config, masked.masked, "MaskTune", log),
      RandMask: await fineTuned(setup, config, randMasked.masked, "RandMask", log),
    };
    const measurements: Measurement[] = [];
    for (const method of METHODS) recordAccuracy(log, seed, method, evaluate(models[method], setup.evalSets), measurements);
    measurements.push(
      { method: "MaskTune", evalSet: "train (square carriers)", metric: "mask_hit_rate", value: hit.rate },
      { method: "MaskTune", evalSet: "train", metric: "masked_pixel_share", value: masked.maskedShare },
      { method: "RandMask", evalSet: "train", metric: "masked_pixel_share", value: randMasked.maskedShare },
    );
    const extra = first ? heatmapRows(data.testBiased, config, { ERM: models.ERM, MaskTune: models.MaskTune }) : undefined;
    models.MaskTune.model.dispose();
    models.RandMask.model.dispose();
    return { measurements, extra };
  });

  const summarised = summarise("fig2", records, columns, prov, paperLookup);
  const bars = groupedBarFigure(
    "Figure 2: accuracy on biased MNIST",
    EVAL_SETS.map((s) => EVAL_SET_TITLES[s]),
    [
      ...METHODS.map((m) => ({ name: `${m} (ours)`, values: EVAL_SETS.map((s) => summarised.stat(m, s)) })),
      ...Object.entries(PAPER_FIG2).map(([m, p]) => ({
        name: `${m} (${p!.source})`,
        paper: true,
        values: EVAL_SETS.map((s) => (p!.values[s] === undefined ? null : { mean: p!.values[s]! / 100, std: 0, n: 1 })),
      })),
    ],
  );
  return writeExperiment(
    config.outDir,
    {
      experiment: "fig2",
      title: "MaskTune: Figure 2 (biased MNIST)",
      caption: `Biased MNIST: ${protocol}; mask ${config.masking.method}, ${describeRule(config.masking.rule)}; backend ${prov.backend}, kit ${prov.kit_version} ${prov.git_commit}. The paper trains on 48,000 digits for 100 epochs.`,
      provenance: prov,
      summarised,
      configColumns: Object.keys(columns),
      figures: [
        { heading: "Accuracy", figure: bars },
        { heading: "Heatmaps before and after MaskTune", figure: imageGridFigure(`${config.masking.method} on biased-test digits (seed ${config.seeds[0]})`, heatmaps ?? [], MNIST_SIDE, MNIST_SIDE) },
      ],
    },
    log,
  );
}
