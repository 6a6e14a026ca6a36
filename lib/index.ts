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
export { loadCifar10, CIFAR10_CLASSES } from "./data/cifar10";
export { loadSvhn } from "./data/svhn";
export { loadCatsVsDogs } from "./data/cats-vs-dogs";
export { readMatFile } from "./data/matfile";
export { splitHoldout } from "./data/split";
export { augmentBatch, describeAugmentation, NO_AUGMENTATION, CIFAR_AUGMENTATION, SVHN_AUGMENTATION } from "./data/augment";
export type { AugmentConfig } from "./data/augment";
export { memorySource, fileSource, asSource } from "./data/batch-source";
export type { BatchSource, PixelBatch } from "./data/batch-source";
export { fileCount, fileSubset } from "./data/image-files";
export type { ImageFileSet } from "./data/image-files";
export { streamBatches, loadAll } from "./data/images/stream";
export { writeTransformedCache } from "./data/images/png-cache";
export { WATERBIRDS_EVAL, WATERBIRDS_TRAIN, CELEBA_EVAL, CELEBA_TRAIN, IMAGENET_EVAL, asStored, describeTransform } from "./data/images/transforms";
export type { EvalTransform, TrainTransform } from "./data/images/transforms";
export { loadWaterbirds, WATERBIRDS_GROUP_NAMES } from "./data/waterbirds";
export { buildWaterbirds, waterbirdLabel, WATERBIRD_KEYWORDS } from "./data/waterbirds-builder";
export { loadCelebA } from "./data/celeba";
export { loadIn9l, loadBgChallenge, sameForeground, in9Label, IN9_CLASSES, BG_VARIANTS, MASKTUNE_BG_VARIANTS } from "./data/background-challenge";

export { smallCnn } from "./models/small-cnn";
export { resnet32 } from "./models/resnet32";
export { resnet50 } from "./models/resnet50";
export { loadImagenetWeights, weightsFingerprint } from "./models/imagenet-weights";
export { ARCHITECTURES, architectureInfo } from "./models/architectures";
export type { ArchitectureName } from "./models/architectures";
export type { Classifier } from "./models/classifier";
export { saveModel, loadModel } from "./models/checkpoint";

export { makeSchedule, SCHEDULES } from "./train/schedule";
export type { ScheduleName, LrSchedule } from "./train/schedule";
export { Trainer } from "./train/trainer";
export { PAPER_SGD, PAPER_ADAM, describeOptimiser } from "./train/optimiser";
export type { OptimiserConfig, SgdConfig, AdamConfig } from "./train/optimiser";
export { CROSS_ENTROPY, crossEntropy, gamblersLoss, groupDro } from "./train/objective";
export type { Objective } from "./train/objective";
export { trainErm, trainEpoch, loadClassifier, NonFiniteLossError, BY_VAL_ACCURACY } from "./train/loop";
export type { ModelSelection, TrainingSettings, ErmResult } from "./train/loop";

export { computeHeatmaps, CAM_METHODS } from "./explain/cam";
export type { CamMethod } from "./explain/cam";
export { maskFromHeatmap, masksFromHeatmaps, applyMasks, meanStdThreshold, maskedShare, describeRule, PAPER_RULE } from "./masking/threshold";
export type { MaskRule } from "./masking/threshold";
export { maskWithHeatmaps, fineTuneOneEpoch, PAPER_MASKING } from "./masking/masktune";
export { randomSquareMasks, PAPER_RANDMASK, describeRandMask } from "./masking/randmask";

export { accuracy } from "./eval/metrics";
export { predictLogits, predictProbabilities, predictClasses } from "./eval/predict";
export { squareHitRate } from "./eval/shortcut";
export { groupReport, groupShares } from "./eval/groups";
export { bgGap, challengeAccuracy } from "./eval/background";
export type { GroupReport } from "./eval/groups";
export {
  logSoftmaxRows, softmaxResponse, ensembleScores, gamblerScores, calibrateThreshold, selectiveOutcome, correctness,
  coverageTable, riskCoverageCurve, ENSEMBLE_SCORES, PAPER_COVERAGES,
} from "./eval/selective";
export type { ScoredPredictions, EnsembleScore, SelectiveOutcome, CoverageRow, RiskCoveragePoint } from "./eval/selective";

export { toCsv, parseCsv, writeCsv, toDataFrame, textTable } from "./report/csv";
export { renderReport, writeReport, htmlTable, figureHtml, plotlyScript } from "./report/html";
export type { PlotlyFigure, GridRow } from "./report/figures";
export { imageGridFigure, groupedBarFigure, lineFigure, curveFigure } from "./report/figures";

export { iterativeMaskTune, multiplyMasks, ITERATIVE_MODES } from "./masking/iterative";
export type { IterativeMode, RoundRecord } from "./masking/iterative";

export { EXPERIMENTS, EXPERIMENT_NAMES } from "./experiments/registry";
export type { ExperimentName } from "./experiments/registry";
export { DISPLAY_COLUMNS, displayRows } from "./experiments/results";
export type { ExperimentResult } from "./experiments/results";
export * as fig2 from "./experiments/fig2";
export * as table4 from "./experiments/table4";
export * as subgroups from "./experiments/subgroups";
export * as table3 from "./experiments/table3";
export { SELECTIVE_DATASETS, loadSelectiveData } from "./experiments/selective-data";
export * as table5 from "./experiments/table5";
export * as table6 from "./experiments/table6";
export * as ablationThreshold from "./experiments/ablation-threshold";
