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
import { FineTuneConfig, fineTuneOneEpoch } from "../masking/masktune";
import { saveModel } from "../models/checkpoint";
import { EpochRecord, ErmOptions, ErmResult, loadClassifier, trainErm } from "../train/loop";
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

/**
 * Part of every stage's key: raise it when a change to the kit alters what
 * training produces from the same inputs, so stages trained by older code are
 * not reused (2: the kit's fused batch-norm layer, lib/models/batch-norm.ts).
 */
const TRAINING_CODE_VERSION = 2;

export function stageDir(spec: StageSpec): string {
  const key = { stage: spec.stage, key: spec.key, code: TRAINING_CODE_VERSION };
  const hash = createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 16);
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

/** What a cached fine-tune records besides its checkpoint. */
interface FineTuneDone {
  checkpoint: string;
  checksum: string;
  epoch: EpochRecord;
}

/**
 * One fine-tune epoch from the checkpoint `start` on `data`, kept on disk
 * under a hash of the start weights, the data's identity and the settings
 * (`spec.key` must name the data: e.g. a hash of its pixels or its cache
 * folder). A finished one is reloaded after its checksum is verified.
 */
export async function fineTunedStage(
  spec: StageSpec,
  like: Omit<Classifier, "model">,
  start: string,
  data: ImageDataset | BatchSource,
  config: FineTuneConfig,
  log: Logger,
): Promise<{ model: Classifier; epoch: EpochRecord; reused: boolean }> {
  const dir = stageDir({ ...spec, key: { start: checkpointChecksum(start), config, data: spec.key } });
  const done = path.join(dir, DONE);
  if (spec.fresh) fs.rmSync(dir, { recursive: true, force: true });
  if (fs.existsSync(done)) {
    try {
      const cached = JSON.parse(fs.readFileSync(done, "utf8")) as FineTuneDone;
      if (checkpointChecksum(cached.checkpoint) === cached.checksum) {
        log(`${config.label}: reusing the finished fine-tune in ${dir}`);
        return { model: await loadClassifier(like, cached.checkpoint), epoch: cached.epoch, reused: true };
      }
    } catch {
      // Unreadable or missing files: fine-tune again below.
    }
    log(`${config.label}: the cached fine-tune in ${dir} is unusable; running it again`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const model = await loadClassifier(like, start);
  const epoch = await fineTuneOneEpoch(model, data, config);
  await saveModel(model.model, path.join(dir, "model"));
  const checkpoint = path.join(dir, "model", "model.json");
  const record: FineTuneDone = { checkpoint, checksum: checkpointChecksum(checkpoint), epoch };
  fs.writeFileSync(`${done}.tmp`, JSON.stringify(record));
  fs.renameSync(`${done}.tmp`, done);
  return { model, epoch, reused: false };
}

/** A short SHA-256 of pixel values: names a (masked) in-memory dataset in a stage key. */
export function pixelsHash(pixels: Float32Array): string {
  return createHash("sha256").update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)).digest("hex").slice(0, 16);
}
