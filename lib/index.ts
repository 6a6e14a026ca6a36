/** The kit's public API: what notebooks and other programs import. */
export { initBackend, backendInfo } from "./backend";
export type { BackendChoice, BackendInfo } from "./backend";
export { KitError } from "./errors";
export { Rng, deriveSeed } from "./random";
export { consoleLogger, silentLogger } from "./log";
export type { Logger } from "./log";

export * from "./data/dataset";
export { loadEmbeddedMnist, loadMnistIdx, splitStratified } from "./data/mnist";
export type { Digits } from "./data/mnist";
export { buildBiasedMnist, PAPER_BIAS, RED, BLUE } from "./data/biased-mnist";
export type { BiasConfig, SquareSpec, ConflictPlacement, BiasedMnist } from "./data/biased-mnist";

export { smallCnn } from "./models/small-cnn";
export type { Classifier } from "./models/classifier";
export { saveModel, loadModel } from "./models/checkpoint";

export { makeSchedule, SCHEDULES } from "./train/schedule";
export type { ScheduleName, LrSchedule } from "./train/schedule";
export { SgdTrainer, PAPER_SGD } from "./train/sgd";
export { trainErm, trainEpoch, loadClassifier, NonFiniteLossError } from "./train/loop";

export { computeHeatmaps, CAM_METHODS } from "./explain/cam";
export type { CamMethod } from "./explain/cam";
export { maskFromHeatmap, masksFromHeatmaps, applyMasks, meanStdThreshold, maskedShare, describeRule, PAPER_RULE } from "./masking/threshold";
export type { MaskRule } from "./masking/threshold";
export { maskWithHeatmaps, fineTuneOneEpoch, PAPER_MASKING } from "./masking/masktune";
export { randomSquareMasks, PAPER_RANDMASK, describeRandMask } from "./masking/randmask";

export { accuracy } from "./eval/metrics";
export { predictProbabilities, predictClasses } from "./eval/predict";
export { squareHitRate } from "./eval/shortcut";

export { toCsv, parseCsv, writeCsv, toDataFrame, textTable } from "./report/csv";
export { renderReport, writeReport, htmlTable, figureHtml, plotlyScript } from "./report/html";
export type { PlotlyFigure, GridRow } from "./report/figures";
export { imageGridFigure, groupedBarFigure, lineFigure } from "./report/figures";

export { iterativeMaskTune, multiplyMasks, ITERATIVE_MODES } from "./masking/iterative";
export type { IterativeMode, RoundRecord } from "./masking/iterative";

export { EXPERIMENTS, EXPERIMENT_NAMES } from "./experiments/registry";
export type { ExperimentName } from "./experiments/registry";
export { DISPLAY_COLUMNS, displayRows } from "./experiments/results";
export type { ExperimentResult } from "./experiments/results";
export * as fig2 from "./experiments/fig2";
export * as table5 from "./experiments/table5";
export * as table6 from "./experiments/table6";
export * as ablationThreshold from "./experiments/ablation-threshold";
