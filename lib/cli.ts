#!/usr/bin/env node
/**
 * masktune <experiment> [options]
 *
 *   masktune fig2                 the paper's Figure 2 on the embedded MNIST digits
 *   masktune table5 --smoke       a small, fast configuration (tests, CI)
 *   masktune fig2 --data DIR      use the MNIST IDX files in DIR
 *   masktune table4 --dataset cifar10 --data DIR   the paper's CIFAR-10 configuration
 *   masktune doctor               checks the set-up and the datasets (lib/doctor.ts)
 *
 * Bad input ends with one clear message and a non-zero exit; --debug adds the stack.
 */
import { ParseArgsConfig, parseArgs } from "util";
import { initBackend } from "./backend";
import { requireIdxFolder } from "./data/idx";
import { doctorMain } from "./doctor";
import { KitError } from "./errors";
import { ENSEMBLE_SCORES, EnsembleScore } from "./eval/selective";
import { AnyExperiment, BiasedMnistExperiment, EXPERIMENTS, EXPERIMENT_NAMES, Experiment, ExperimentName, SelectiveExperiment } from "./experiments/registry";
import { ImageExperimentConfig } from "./experiments/image-stages";
import { MnistConfig } from "./experiments/mnist-setup";
import { SELECTIVE_DATASETS } from "./experiments/selective-data";
import { Table4Config } from "./experiments/table4";
import { NonFiniteLossError } from "./train/loop";
import { SCHEDULES, ScheduleName } from "./train/schedule";

const USAGE = `usage: masktune <experiment> [--smoke] [--out DIR] [--data DIR] [--seeds 1,2,3] [--epochs N]
                    [--schedule ${SCHEDULES.join("|")}] [--finetune-from best|last] [--fresh] [--debug]
  biased-MNIST experiments: [--placement random|by-digit]; --data is a folder of MNIST IDX files
  table4: [--dataset ${SELECTIVE_DATASETS.join("|")}] [--score ${ENSEMBLE_SCORES.join("|")}];
          --data is the dataset's folder (required except for the embedded MNIST digits)
  table1, table2, table3: --data DIR (CelebA / Waterbirds / IN-9L + bg_challenge folder, required)
          [--pretrained WEIGHTS_DIR] [--lr X]
doctor: masktune doctor [--data-root DIR] [--<dataset> DIR ...] checks the set-up and the datasets (doctor --help)
experiments:
${EXPERIMENT_NAMES.map((name) => `  ${name.padEnd(20)}${EXPERIMENTS[name].title}`).join("\n")}
--smoke: 1 seed, a few epochs on a few hundred images: checks that every stage runs; results in results/<experiment>-smoke
environment: MASKTUNE_BACKEND=node-gpu|node|wasm|cpu, MASKTUNE_RESULTS=DIR (default: results/ of this checkout),
             MASKTUNE_WASM_THREADS=1 (conv kernels on one core instead of two), MASKTUNE_WASM_KERNELS=stock`;

/** A mistake on the command line: the message, then the usage. */
class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n${USAGE}`);
    this.name = "UsageError";
  }
}

function usageError(problem: string): UsageError {
  return new UsageError(problem);
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} ${text}: a positive integer is needed`);
  return n;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw usageError(`${flag} ${text}: use one of ${allowed.join(", ")}`);
  return text as T;
}

type Values = Record<string, string | boolean | undefined>;

/** Options every experiment understands. */
function commonOverrides(values: Values): { fresh: boolean; outDir?: string; seeds?: number[] } {
  return {
    fresh: values.fresh === true,
    ...(values.out ? { outDir: String(values.out) } : {}),
    ...(values.seeds ? { seeds: String(values.seeds).split(",").map((s) => positiveInt("--seeds", s)) } : {}),
  };
}

function biasedMnistConfig(experiment: BiasedMnistExperiment, values: Values): MnistConfig {
  const overrides: Partial<MnistConfig> = commonOverrides(values);
  if (typeof values.data === "string") {
    requireIdxFolder(values.data);
    overrides.idxDir = values.data;
  }
  const config = values.smoke ? experiment.smokeConfig(overrides) : experiment.defaultConfig(overrides);
  if (typeof values.epochs === "string") config.erm = { ...config.erm, epochs: positiveInt("--epochs", values.epochs) };
  if (typeof values.schedule === "string") config.erm = { ...config.erm, schedule: oneOf<ScheduleName>("--schedule", values.schedule, SCHEDULES) };
  if (typeof values.placement === "string") config.bias = { ...config.bias, placement: oneOf("--placement", values.placement, ["random", "by-digit"] as const) };
  if (typeof values["finetune-from"] === "string") config.fineTuneFrom = oneOf("--finetune-from", values["finetune-from"], ["best", "last"] as const);
  return config;
}

function selectiveConfig(experiment: SelectiveExperiment, values: Values): Table4Config {
  const overrides: Partial<Table4Config> = commonOverrides(values);
  if (typeof values.dataset === "string") overrides.dataset = oneOf("--dataset", values.dataset, SELECTIVE_DATASETS);
  if (typeof values.data === "string") overrides.dataDir = values.data;
  const config = values.smoke ? experiment.smokeConfig(overrides) : experiment.defaultConfig(overrides);
  if (config.dataset !== "mnist" && !config.dataDir) throw usageError(`--dataset ${config.dataset} needs --data DIR (the folder with its files; see datasets/README.md)`);
  if (typeof values.epochs === "string") {
    const epochs = positiveInt("--epochs", values.epochs);
    // Deep Gamblers' warm-up stays the same share of training.
    const warmupEpochs = Math.round((config.gamblers.warmupEpochs / config.erm.epochs) * epochs);
    config.erm = { ...config.erm, epochs };
    config.gamblers = { ...config.gamblers, warmupEpochs };
  }
  if (typeof values.schedule === "string") config.erm = { ...config.erm, schedule: oneOf<ScheduleName>("--schedule", values.schedule, SCHEDULES) };
  if (typeof values.score === "string") config.score = oneOf<EnsembleScore>("--score", values.score, ENSEMBLE_SCORES);
  if (typeof values["finetune-from"] === "string") config.fineTuneFrom = oneOf("--finetune-from", values["finetune-from"], ["best", "last"] as const);
  return config;
}

function positiveNumber(flag: string, text: string): number {
  const x = Number(text);
  if (!(Number.isFinite(x) && x > 0)) throw usageError(`${flag} ${text}: a positive number is needed`);
  return x;
}

/** Options of the real-image experiments (Tables 1, 2, 3). */
function imageConfig<C extends ImageExperimentConfig>(experiment: Experiment<C>, values: Values): C {
  const overrides: Partial<C> = commonOverrides(values) as Partial<C>;
  if (typeof values.data !== "string") throw usageError("--data DIR is needed: the dataset folder (datasets/README.md says where to download it)");
  overrides.dataDir = values.data;
  if (typeof values.pretrained === "string") overrides.pretrainedDir = values.pretrained;
  const config = values.smoke ? experiment.smokeConfig(overrides) : experiment.defaultConfig(overrides);
  if (typeof values.epochs === "string") {
    const epochs = positiveInt("--epochs", values.epochs);
    // JTT's identification run (Tables 1-2) keeps its share of training, at least one epoch.
    const withJtt = config as C & { jtt?: { identificationEpochs: number; upweight: number } };
    if (withJtt.jtt) withJtt.jtt = { ...withJtt.jtt, identificationEpochs: Math.max(1, Math.round((withJtt.jtt.identificationEpochs / config.erm.epochs) * epochs)) };
    config.erm = { ...config.erm, epochs };
  }
  if (typeof values.lr === "string") config.erm = { ...config.erm, lr: positiveNumber("--lr", values.lr) };
  if (typeof values.schedule === "string") config.erm = { ...config.erm, schedule: oneOf<ScheduleName>("--schedule", values.schedule, SCHEDULES) };
  if (typeof values["finetune-from"] === "string") config.fineTuneFrom = oneOf("--finetune-from", values["finetune-from"], ["best", "last"] as const);
  return config;
}

/** parseArgs, with an unknown or malformed option reported as a usage error. */
function parseCommandLine<O extends ParseArgsConfig["options"]>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) throw usageError((e as Error).message);
    throw e;
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "doctor") {
    process.exitCode = await doctorMain(argv.slice(1));
    return;
  }
  const { values, positionals } = parseCommandLine(argv, {
      smoke: { type: "boolean", default: false },
      out: { type: "string" },
      data: { type: "string" },
      seeds: { type: "string" },
      epochs: { type: "string" },
      schedule: { type: "string" },
      placement: { type: "string" },
      dataset: { type: "string" },
      score: { type: "string" },
      pretrained: { type: "string" },
      lr: { type: "string" },
      "finetune-from": { type: "string" },
      fresh: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [name, ...extra] = positionals;
  if (!EXPERIMENT_NAMES.includes(name as ExperimentName)) throw usageError(name ? `unknown experiment "${name}"` : "which experiment?");
  if (extra.length) throw usageError(`unexpected argument${extra.length > 1 ? "s" : ""} ${extra.map((a) => `"${a}"`).join(" ")} (options start with --)`);
  const experiment: AnyExperiment = EXPERIMENTS[name as ExperimentName];
  const only = (flag: keyof typeof values, kind: string) => {
    if (values[flag] !== undefined) throw usageError(`--${flag} applies to ${kind} experiments only`);
  };

  if (experiment.kind !== "selective") {
    only("dataset", "selective-classification (table4)");
    only("score", "selective-classification (table4)");
  }
  if (experiment.kind === "biased-mnist" || experiment.kind === "selective") {
    only("pretrained", "real-image (table1, table2, table3)");
    only("lr", "real-image (table1, table2, table3)");
  }
  if (experiment.kind !== "biased-mnist") only("placement", "biased-MNIST");
  let run: () => Promise<unknown>;
  if (experiment.kind === "selective") {
    const config = selectiveConfig(experiment, values);
    run = () => experiment.run(config);
  } else if (experiment.kind === "subgroups") {
    const config = imageConfig(experiment, values);
    run = () => experiment.run(config);
  } else if (experiment.kind === "background") {
    const config = imageConfig(experiment, values);
    run = () => experiment.run(config);
  } else {
    const config = biasedMnistConfig(experiment, values);
    run = () => experiment.run(config);
  }

  await initBackend();
  const started = Date.now();
  await run();
  console.log(`[masktune] ${name} done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const debug = process.argv.includes("--debug");
  if (e instanceof KitError || e instanceof NonFiniteLossError || e instanceof UsageError) {
    console.error(`masktune: ${e.message}`);
    if (debug) console.error(e.stack);
  } else {
    console.error(debug ? e : `masktune: unexpected error: ${(e as Error).message ?? e}\n(run again with --debug for the stack trace)`);
  }
  process.exitCode = 1;
});
