/**
 * A training stage kept on disk: its folder is named by a hash of everything
 * the trained weights depend on, and a done.json written last marks it
 * complete, so a finished stage is reused on the next run and an interrupted
 * one is retrained.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BatchSource } from "../data/batch-source";
import { ImageDataset } from "../data/dataset";
import { Logger } from "../log";
import { Classifier } from "../models/classifier";
import { ErmOptions, ErmResult, trainErm } from "../train/loop";

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
  if (!spec.fresh && fs.existsSync(done)) {
    const cached = JSON.parse(fs.readFileSync(done, "utf8")) as ErmResult;
    if (fs.existsSync(cached.bestCheckpoint) && fs.existsSync(cached.lastCheckpoint)) {
      log(`${options.label}: reusing the finished stage in ${dir} (--fresh retrains)`);
      return cached;
    }
  }
  fs.rmSync(done, { force: true });
  const model = await build();
  try {
    const result = await trainErm(model, train, val, { ...options, checkpointDir: dir });
    fs.writeFileSync(`${done}.tmp`, JSON.stringify(result));
    fs.renameSync(`${done}.tmp`, done);
    return result;
  } finally {
    model.model.dispose();
  }
}
