/**
 * One dataset's check: find its folder (the doctor's --<name> option, the
 * environment variable its notebook reads, <--data-root>/<name>, or
 * datasets/<name> of the checkout, in that order), run its probe, and say
 * what was found. An absent dataset is optional; a broken folder is an error
 * when the user named it (option or environment variable) and a warning when
 * it was only found by name.
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { Check, errorText } from "./check";
import { CHECKOUT } from "./checkout";
import { KitDataset } from "./datasets";
import { readmeEntry } from "./readme";

export interface DatasetFolders {
  /** Folders given per dataset name, e.g. { cifar10: "/data/cifar-10-batches-bin" }. */
  given?: Record<string, string>;
  /** A folder holding datasets by name: <root>/cifar10, <root>/celeba, ... */
  dataRoot?: string;
}

interface Location {
  dir: string;
  /** How it was found, e.g. "--cifar10" or "datasets/ of the checkout". */
  how: string;
  /** Named by the user rather than found by name. */
  explicit: boolean;
}

const isDirectory = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

export function locate(ds: KitDataset, folders: DatasetFolders): Location | undefined {
  const given = folders.given?.[ds.name];
  if (given !== undefined) return { dir: given, how: `--${ds.name}`, explicit: true };
  const fromEnv = ds.env === undefined ? undefined : process.env[ds.env];
  if (fromEnv) return { dir: fromEnv, how: ds.env!, explicit: true };
  const roots: [string | undefined, string][] = [
    [folders.dataRoot, "--data-root"],
    [path.join(CHECKOUT, "datasets"), "datasets/ of the checkout"],
  ];
  for (const [root, how] of roots) {
    if (root !== undefined && isDirectory(path.join(root, ds.name))) return { dir: path.join(root, ds.name), how, explicit: false };
  }
  return undefined;
}

/** Where to get it and how to lay it out, from datasets/README.md. */
function howToGet(ds: KitDataset): string {
  const { source, layout } = readmeEntry(ds.title, ds.heading);
  const lines = [
    `download ${source ?? ds.title}: ${ds.page}`,
    `put it at datasets/${ds.name} or pass --${ds.name} DIR${ds.env ? ` (notebooks: ${ds.env}=DIR)` : ""}; expected layout (datasets/README.md, "${ds.heading.replace(/^#+ /, "")}"):`,
    ...(layout ?? "see datasets/README.md").split("\n").map((l) => `  ${l}`),
  ];
  return lines.join("\n");
}

export async function datasetCheck(ds: KitDataset, folders: DatasetFolders): Promise<Check> {
  const { usedBy } = readmeEntry(ds.title, ds.heading);
  const base = { section: "Data", name: ds.title, needed: false };
  const at = locate(ds, folders);
  if (at === undefined) return { ...base, status: "missing", detail: `not found (optional${usedBy ? `; used by ${usedBy}` : ""})`, fix: howToGet(ds) };
  const where = `${at.dir} (${at.how})`;
  try {
    return { ...base, status: "ok", detail: `${where}: ${await ds.probe(at.dir)}` };
  } catch (e) {
    const status = at.explicit ? "error" : "warning";
    if (e instanceof KitError) return { ...base, status, detail: `${where} is not complete: ${e.subject}: expected ${e.expected}, found ${e.found}`, fix: e.fix };
    return { ...base, status, detail: `${where} could not be read: ${errorText(e)}`, fix: howToGet(ds) };
  }
}
