/**
 * `masktune doctor [--data-root DIR] [--<dataset> DIR ...]`: checks that this
 * checkout can run the kit and says what to fix, one line per check: Node,
 * the tfjs backend (and why; on a GPU backend, whether it really uses the
 * GPU), the kit's wasm kernels, Jupyter and the tslab kernel, sharp, the
 * results folder and its free disk, the embedded MNIST digits, and every
 * dataset of the kit (found? complete? counts and a decoded sample; where to
 * get it when absent). Exit code 0 when the default run (`npm start`) can
 * run and no dataset folder named on the command line is broken.
 */
import * as path from "path";
import { parseArgs } from "util";
import { KitError } from "./errors";
import { Check, passed } from "./doctor/check";
import { CHECKOUT } from "./doctor/checkout";
import { datasetCheck, DatasetFolders } from "./doctor/dataset-check";
import { KIT_DATASETS } from "./doctor/datasets";
import { resultsCheck } from "./doctor/disk";
import { embeddedDigitsCheck } from "./doctor/embedded-digits";
import { nbconvertCheck, tslabCheck } from "./doctor/jupyter";
import { formatReport } from "./doctor/report";
import { backendCheck, nodeCheck, wasmKernelsCheck } from "./doctor/runtime";
import { sharpCheck } from "./doctor/sharp-check";

export type { Check, Status } from "./doctor/check";
export type { DatasetFolders } from "./doctor/dataset-check";

const USAGE = `usage: masktune doctor [--data-root DIR] ${KIT_DATASETS.map((d) => `[--${d.name} DIR]`).join(" ")}
  --data-root DIR   a folder holding datasets by name (DIR/cifar10, DIR/celeba, ...); datasets/ of the checkout is always looked at
  --<dataset> DIR   that dataset's folder: checked, and an error if it is broken`;

/** Every check, in report order. Initialises the tfjs backend (quietly) if it is not yet. */
export async function runDoctor(folders: DatasetFolders = {}): Promise<Check[]> {
  const { check: backend, info } = await backendCheck();
  const checks = [nodeCheck(), backend, wasmKernelsCheck(info), nbconvertCheck(), tslabCheck(), await sharpCheck(), resultsCheck(), embeddedDigitsCheck()];
  for (const ds of KIT_DATASETS) checks.push(await datasetCheck(ds, folders));
  return checks;
}

function parseDoctorArgs(argv: string[]): DatasetFolders & { help: boolean } {
  const datasetOptions = Object.fromEntries(KIT_DATASETS.map((d) => [d.name, { type: "string" as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { "data-root": { type: "string" }, help: { type: "boolean" }, ...datasetOptions } }));
  } catch (e) {
    throw new KitError("masktune doctor", "the options below", (e as Error).message, USAGE);
  }
  const given = Object.fromEntries(KIT_DATASETS.filter((d) => typeof values[d.name] === "string").map((d) => [d.name, path.resolve(values[d.name] as string)]));
  const root = values["data-root"];
  return { given, ...(typeof root === "string" ? { dataRoot: path.resolve(root) } : {}), help: values.help === true };
}

/** The CLI command: prints the report (or the usage) and returns the exit code. */
export async function doctorMain(argv: string[]): Promise<number> {
  const { help, ...folders } = parseDoctorArgs(argv);
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const checks = await runDoctor(folders);
  console.log(formatReport(checks, `masktune doctor: checkout ${CHECKOUT} (${process.platform}-${process.arch})`));
  return passed(checks) ? 0 : 1;
}
