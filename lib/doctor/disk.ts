/**
 * The results folder (results/ of the checkout or MASKTUNE_RESULTS): whether
 * it can be written, and the free space of its file system (results and the
 * training cache under it). Nothing is created: a folder that does not exist
 * yet is judged by its nearest existing parent.
 */
import * as fs from "fs";
import * as path from "path";
import { resultsRoot } from "../experiments/mnist-setup";
import { Check } from "./check";

const GIB = 1024 ** 3;
/** Below this a warning: the default run needs little, the real-image caches much more. */
export const LOW_DISK_GIB = 5;

function nearestExisting(dir: string): string {
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) at = path.dirname(at);
  return at;
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function resultsCheck(root = resultsRoot()): Check {
  const base = { section: "Images and disk", name: "results folder", needed: true };
  const moveIt = "Set MASKTUNE_RESULTS=/a/writable/folder (environment.md, \"Where results go\").";
  const existing = nearestExisting(root);
  const where = existing === path.resolve(root) ? root : `${root} (not created yet; judged by ${existing})`;
  if (!fs.statSync(existing).isDirectory()) return { ...base, status: "error", detail: `${existing} is a file, not a folder`, fix: moveIt };
  if (!writable(existing)) return { ...base, status: "error", detail: `${where} is not writable`, fix: moveIt };
  const { bavail, bsize } = fs.statfsSync(existing);
  const free = (bavail * bsize) / GIB;
  const detail = `${where}: writable, ${free.toFixed(1)} GiB free for results and results/cache`;
  if (free < LOW_DISK_GIB) {
    return { ...base, status: "warning", detail, fix: `Under ${LOW_DISK_GIB} GiB free: the MNIST runs need little, but the real-image caches need much more (CelebA's masked images about 22 GiB); free space, delete results/cache, or set MASKTUNE_RESULTS.` };
  }
  return { ...base, status: "ok", detail };
}
