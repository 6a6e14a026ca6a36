/**
 * A training stage kept on disk: its folder is named by a hash of everything
 * the trained weights depend on, and a done.json written last marks it
 * complete, with a checksum of each checkpoint it names. A finished stage is
 * reused on the next run (after its checksums are verified: a corrupt one is
 * retrained, never loaded); an interrupted one resumes from its last finished
 * epoch (lib/train/resume.ts); `fresh` throws both away.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BatchSource } from "../data/batch-source";
import { ImageDataset } from "../data/dataset";
import { Logger } from "../log";
import { Classifier } from "../models/classifier";
import { ErmOptions, ErmResult, trainErm } from "../train/loop";
import { checkpointChecksum } from "../train/resume";

export interface StageSpec {
  /** Folder prefix, e.g. "erm" or "gamblers". */
  stage: string;
  /** Everything the weights depend on (data, split, architecture, training settings, seed). */
  key: unknown;
  cacheDir: string;
  /** Retrain even when a finished stage matches. */
  fresh: boolean;
}

export function stageDir(spec: StageSpec): string {
  const hash = createHash("sha256").update(JSON.stringify({ stage: spec.stage, key: spec.key })).digest("hex").slice(0, 16);
  return path.join(spec.cacheDir, `${spec.stage}-${hash}`);
}

const DONE = "done.json";

/** Trains a fresh model from `build` (disposed afterwards), or reuses the finished stage. */
export async function trainedStage(
  spec: StageSpec,
  build: () => Classifier | Promise<Classifier>,
  train: ImageDataset | BatchSource,
  val: ImageDataset | BatchSource,
  options: Omit<ErmOptions, "checkpointDir">,
  log: Logger,
): Promise<ErmResult> {
  const dir = stageDir(spec);
  const done = path.join(dir, DONE);
  if (spec.fresh) fs.rmSync(dir, { recursive: true, force: true });
  if (fs.existsSync(done)) {
    const cached = readDone(done);
    const bad = cached && corruption(cached);
    if (cached && !bad) {
      log(`${options.label}: reusing the finished stage in ${dir} (--fresh retrains)`);
      return cached.result;
    }
    log(`${options.label}: the cached stage in ${dir} is unusable (${bad ?? "unreadable done.json"}); retraining it`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const model = await build();
  try {
    const result = await trainErm(model, train, val, { ...options, checkpointDir: dir });
    const record: DoneFile = { result, checksums: { best: checkpointChecksum(result.bestCheckpoint), last: checkpointChecksum(result.lastCheckpoint) } };
    fs.writeFileSync(`${done}.tmp`, JSON.stringify(record));
    fs.renameSync(`${done}.tmp`, done);
    return result;
  } finally {
    model.model.dispose();
  }
}

interface DoneFile {
  result: ErmResult;
  checksums: { best: string; last: string };
}

function readDone(file: string): DoneFile | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as DoneFile;
    return parsed.result && parsed.checksums ? parsed : null;
  } catch {
    return null;
  }
}

/** Why a finished stage's checkpoints cannot be trusted, or null. */
function corruption(done: DoneFile): string | null {
  for (const which of ["best", "last"] as const) {
    const file = which === "best" ? done.result.bestCheckpoint : done.result.lastCheckpoint;
    try {
      if (checkpointChecksum(file) !== done.checksums[which]) return `the ${which} checkpoint ${path.dirname(file)} does not match its checksum`;
    } catch {
      return `the ${which} checkpoint ${path.dirname(file)} is missing`;
    }
  }
  return null;
}
