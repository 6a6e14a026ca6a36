#!/usr/bin/env node
/**
 * masktune <experiment> [options]
 *
 *   masktune fig2                 the paper's Figure 2 on the embedded MNIST digits
 *   masktune table5 --smoke       a small, fast configuration (tests, CI)
 *   masktune fig2 --data DIR      use the MNIST IDX files in DIR
 *
 * Bad input ends with one clear message and a non-zero exit; --debug adds the stack.
 */
import { parseArgs } from "util";
import { initBackend } from "./backend";
import { requireIdxFolder } from "./data/idx";
import { KitError } from "./errors";
import { EXPERIMENTS, EXPERIMENT_NAMES, Experiment, ExperimentName } from "./experiments/registry";
import { MnistConfig } from "./experiments/mnist-setup";
import { NonFiniteLossError } from "./train/loop";
import { SCHEDULES, ScheduleName } from "./train/schedule";

const USAGE = `usage: masktune <experiment> [--smoke] [--out DIR] [--data MNIST_IDX_DIR] [--seeds 1,2,3]
                    [--epochs N] [--schedule ${SCHEDULES.join("|")}] [--placement random|by-digit]
                    [--finetune-from best|last] [--fresh] [--debug]
experiments:
${EXPERIMENT_NAMES.map((name) => `  ${name.padEnd(20)}${EXPERIMENTS[name].title}`).join("\n")}
--smoke: 1 seed, 3 ERM epochs, 1,200 training digits, results in results/<experiment>-smoke
environment: MASKTUNE_BACKEND=node-gpu|node|wasm|cpu, MASKTUNE_RESULTS=DIR (default: results/ of this checkout),
             MASKTUNE_WASM_THREADS=2 (second core for conv kernels; opt-in), MASKTUNE_WASM_KERNELS=stock`;

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

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      smoke: { type: "boolean", default: false },
      out: { type: "string" },
      data: { type: "string" },
      seeds: { type: "string" },
      epochs: { type: "string" },
      schedule: { type: "string" },
      placement: { type: "string" },
      "finetune-from": { type: "string" },
      fresh: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [name] = positionals;
  if (!EXPERIMENT_NAMES.includes(name as ExperimentName)) throw usageError(name ? `unknown experiment "${name}"` : "which experiment?");
  const experiment: Experiment = EXPERIMENTS[name as ExperimentName];

  const overrides: Partial<MnistConfig> = { fresh: values.fresh };
  if (values.data) {
    requireIdxFolder(values.data);
    overrides.idxDir = values.data;
  }
  if (values.out) overrides.outDir = values.out;
  if (values.seeds) overrides.seeds = values.seeds.split(",").map((s) => positiveInt("--seeds", s));
  const config = values.smoke ? experiment.smokeConfig(overrides) : experiment.defaultConfig(overrides);
  if (values.epochs) config.erm = { ...config.erm, epochs: positiveInt("--epochs", values.epochs) };
  if (values.schedule) config.erm = { ...config.erm, schedule: oneOf<ScheduleName>("--schedule", values.schedule, SCHEDULES) };
  if (values.placement) config.bias = { ...config.bias, placement: oneOf("--placement", values.placement, ["random", "by-digit"] as const) };
  if (values["finetune-from"]) config.fineTuneFrom = oneOf("--finetune-from", values["finetune-from"], ["best", "last"] as const);

  await initBackend();
  const started = Date.now();
  await experiment.run(config);
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
