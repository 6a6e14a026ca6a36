/**
 * Table 5 of the paper (appendix): iterative MaskTune on biased MNIST with
 * two spurious squares (top-left red, top-right blue, on the same images),
 * 1, 2 and 3 rounds, accumulative vs non-accumulative masking.
 */
import { BLUE, PAPER_BIAS, RED } from "../data/biased-mnist";
import { pixelsPerImage } from "../data/dataset";
import { MNIST_SIDE } from "../data/mnist";
import { Logger, consoleLogger } from "../log";
import { ITERATIVE_MODES, IterativeMode, iterativeMaskTune } from "../masking/iterative";
import { applyMasks } from "../masking/threshold";
import { loadClassifier } from "../train/loop";
import { GridRow, LineSeries, imageGridFigure, lineFigure } from "../report/figures";
import { provenance } from "../report/provenance";
import { percent } from "../report/stats";
import { MnistConfig, defaultMnistConfig, evaluate, recordAccuracy, runSeeds, smokeMnistConfig } from "./mnist-setup";
import { ExperimentResult, Measurement, PaperLookup, summarise, writeExperiment } from "./results";

export interface Table5Config extends MnistConfig {
  rounds: number;
  modes: IterativeMode[];
  /** Optional early stop: masked-training accuracy below this fraction after a round. */
  stopBelowTrainAccuracy?: number;
  /** Square-carrying training images shown with their masks per round. */
  maskExamples: number;
}

/** Two squares on the same images: the paper's Table 5 bias. */
export const TWO_SQUARES = {
  ...PAPER_BIAS,
  squares: [
    { corner: "top-left" as const, colour: RED, side: 4 },
    { corner: "top-right" as const, colour: BLUE, side: 4 },
  ],
};

const method = (mode: IterativeMode, round: number) => `${mode}, round ${round}`;

/** The paper's Table 5 (percent): [biased test, original test]. */
export const PAPER_TABLE5: Record<string, [number, number]> = {
  ERM: [18.59, 60.78],
  [method("accumulative", 1)]: [24.68, 59.93],
  [method("accumulative", 2)]: [97.01, 98.61],
  [method("accumulative", 3)]: [98.88, 99.0],
  [method("non-accumulative", 1)]: [28.08, 64.38],
  [method("non-accumulative", 2)]: [30.69, 62.07],
  [method("non-accumulative", 3)]: [24.91, 58.76],
};

const paperLookup: PaperLookup = (m) => {
  const row = PAPER_TABLE5[m.method];
  if (!row || m.metric !== "accuracy" || m.evalSet === "val") return undefined;
  return { value: row[m.evalSet === "test-biased" ? 0 : 1], source: "paper Table 5 (two squares, 48,000 training digits)" };
};

export function defaultConfig(overrides: Partial<Table5Config> = {}): Table5Config {
  return { ...defaultMnistConfig("table5", { bias: TWO_SQUARES, ...overrides }), rounds: 3, modes: [...ITERATIVE_MODES], maskExamples: 3, ...overrides };
}

export function smokeConfig(overrides: Partial<Table5Config> = {}): Table5Config {
  return { ...smokeMnistConfig("table5", { bias: TWO_SQUARES, ...overrides }), rounds: 2, modes: [...ITERATIVE_MODES], maskExamples: 2, ...overrides };
}

export async function run(config: Table5Config, log: Logger = consoleLogger): Promise<ExperimentResult> {
  const prov = provenance();
  log(`table5: ${config.seeds.length} seed(s), ${config.rounds} rounds, modes ${config.modes.join(" and ")}, ${config.bias.squares.length} squares, backend ${prov.backend}`);
  const { records, columns, protocol, first: examples } = await runSeeds<GridRow[]>(
    config,
    log,
    async (setup, first) => {
      const { seed, data } = setup;
      const train = data.train;
      const measurements: Measurement[] = [];
      recordAccuracy(log, seed, "ERM", evaluate(setup.best, setup.evalSets), measurements);
      const shown = first ? Array.from(train.labels.keys()).filter((i) => train.attributes.square[i]).slice(0, config.maskExamples) : [];
      const per = pixelsPerImage(train);
      const area = train.shape[0] * train.shape[1];
      const rows: GridRow[] = shown.map((i) => ({ title: `digit ${train.attributes.digit[i]}`, panels: [{ name: "input", kind: "rgb", values: train.images.slice(i * per, (i + 1) * per) }] }));
      for (const mode of config.modes) {
        const c = await loadClassifier(setup.best, setup.startCheckpoint);
        await iterativeMaskTune(
          c,
          train,
          {
            rounds: config.rounds,
            mode,
            masking: config.masking,
            fineTune: { lr: setup.schedule.finalLr, batchSize: config.erm.batchSize, optimiser: config.erm.optimiser, seed },
            stopBelowTrainAccuracy: config.stopBelowTrainAccuracy,
          },
          (round) => {
            const name = method(mode, round.round);
            recordAccuracy(log, seed, name, evaluate(c, setup.evalSets), measurements);
            log(`seed ${seed}: ${name}: ${percent(round.maskedShare)}% of pixels masked, masked-train accuracy ${percent(round.trainAccuracy)}%`);
            measurements.push(
              { method: name, evalSet: "train", metric: "masked_pixel_share", value: round.maskedShare },
              { method: name, evalSet: "train (masked)", metric: "train_accuracy", value: round.trainAccuracy },
            );
            shown.forEach((i, row) =>
              rows[row].panels.push({ name: `${mode === "accumulative" ? "acc." : "non-acc."} r${round.round}`, kind: "rgb", values: applyMasks(train.images.slice(i * per, (i + 1) * per), round.masks.slice(i * area, (i + 1) * area), 3) }),
            );
          },
        );
        c.model.dispose();
      }
      return { measurements, extra: rows };
    },
    { max_rounds: config.rounds },
  );

  const summarised = summarise("table5", records, columns, prov, paperLookup);
  const rounds = Array.from({ length: config.rounds + 1 }, (_, r) => r);
  const cell = (mode: IterativeMode, r: number) => (r === 0 ? "ERM" : method(mode, r));
  const palette = ["#1f77b4", "#2ca02c", "#d62728", "#9467bd"];
  const series: LineSeries[] = config.modes.flatMap((mode, m) =>
    (["test-biased", "test-original"] as const).flatMap((evalSet, e) => {
      const name = `${mode}, ${evalSet === "test-biased" ? "biased" : "original"} test`;
      const color = palette[(2 * m + e) % palette.length];
      const dash = evalSet === "test-biased" ? "solid" : "dash";
      return [
        { name: `${name} (ours)`, x: rounds, y: rounds.map((r) => summarised.stat(cell(mode, r), evalSet)), dash, color },
        { name: `${name} (paper)`, x: rounds, paper: true, color, y: rounds.map((r) => paperValue(cell(mode, r), evalSet)) },
      ];
    }),
  );
  return writeExperiment(
    config.outDir,
    {
      experiment: "table5",
      title: "MaskTune: Table 5 (iterative masking, two spurious squares)",
      caption: `Biased MNIST with two squares: ${protocol}; round 0 is ERM; backend ${prov.backend}, kit ${prov.kit_version} ${prov.git_commit}. The paper trains on 48,000 digits for 100 epochs.`,
      provenance: prov,
      summarised,
      configColumns: Object.keys(columns),
      figures: [
        { heading: "Accuracy per masking round", figure: lineFigure("Table 5: accuracy vs masking round", "round (0 = ERM)", series) },
        { heading: "Masked training images per round", figure: imageGridFigure(`training images after each round (seed ${config.seeds[0]})`, examples ?? [], MNIST_SIDE, MNIST_SIDE) },
      ],
    },
    log,
  );
}

function paperValue(name: string, evalSet: "test-biased" | "test-original") {
  const row = PAPER_TABLE5[name];
  return row ? { mean: row[evalSet === "test-biased" ? 0 : 1] / 100, std: 0, n: 1 } : null;
}
