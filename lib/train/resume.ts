/**
 * Crash-safe training: after every epoch the model, the optimiser's state and
 * the run's bookkeeping (random-generator states, history, best epoch) go to
 * `<dir>/epoch-<n>/`, and only then does `<dir>/resume.json` (written to a
 * temporary file and renamed) point at it, with a SHA-256 of every file. A run
 * killed at any moment restarts from the epoch resume.json names; a folder
 * whose files do not match their checksums is never loaded (the run starts
 * over and says why).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Logger } from "../log";
import { Classifier } from "../models/classifier";
import { loadModel, saveModel } from "../models/checkpoint";
import type { EpochRecord } from "./loop";
import { Trainer } from "./trainer";

/** Everything besides weights that a resumed run needs to continue exactly. */
export interface RunState {
  /** Epochs finished. */
  epoch: number;
  shuffleRng: number;
  transformRng: number;
  history: EpochRecord[];
  learningRates: number[];
  bestEpoch: number;
  bestValScore: number;
}

interface ResumeFile extends RunState {
  optimiser: { step: number; lengths: number[] };
  /** File (relative to the epoch folder) → SHA-256. */
  checksums: Record<string, string>;
}

const RESUME = "resume.json";
const MODEL = "model";
const OPTIMISER = "optimiser.bin";
const FILES = [path.join(MODEL, "model.json"), path.join(MODEL, "weights.bin"), OPTIMISER];

function epochDir(dir: string, epoch: number): string {
  return path.join(dir, `epoch-${epoch}`);
}

/** The model.json of the checkpoint written after `epoch` epochs. */
export function epochCheckpoint(dir: string, epoch: number): string {
  return path.join(epochDir(dir, epoch), MODEL, "model.json");
}

function checksum(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes the state after `state.epoch` epochs, then points resume.json at it. */
export async function saveEpoch(dir: string, classifier: Classifier, trainer: Trainer, state: RunState): Promise<void> {
  const folder = epochDir(dir, state.epoch);
  fs.rmSync(folder, { recursive: true, force: true });
  await saveModel(classifier.model, path.join(folder, MODEL));
  const optimiser = trainer.exportState();
  fs.writeFileSync(path.join(folder, OPTIMISER), Buffer.concat(optimiser.arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  const checksums = Object.fromEntries(FILES.map((f) => [f, checksum(path.join(folder, f))]));
  const file: ResumeFile = { ...state, optimiser: { step: optimiser.step, lengths: optimiser.arrays.map((a) => a.length) }, checksums };
  writeAtomically(path.join(dir, RESUME), JSON.stringify(file));
}

/** Deletes epoch folders other than those of `keep` (e.g. the last and the best). */
export function pruneEpochs(dir: string, keep: readonly number[]): void {
  const kept = new Set(keep.map((e) => path.basename(epochDir(dir, e))));
  for (const name of fs.readdirSync(dir)) {
    if (/^epoch-\d+$/.test(name) && !kept.has(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Why the saved state cannot be used, or null when it can. */
function problem(dir: string, file: ResumeFile): string | null {
  const folder = epochDir(dir, file.epoch);
  for (const f of FILES) {
    const full = path.join(folder, f);
    if (!fs.existsSync(full)) return `${full} is missing`;
    if (checksum(full) !== file.checksums[f]) return `${full} does not match its checksum`;
  }
  return null;
}

/**
 * Restores the model weights and the optimiser from the last finished epoch
 * in `dir`, and returns the run's state; null when there is nothing (usable)
 * to resume from.
 */
export async function restoreLatest(dir: string, classifier: Classifier, trainer: Trainer, label: string, log: Logger): Promise<RunState | null> {
  const resumeFile = path.join(dir, RESUME);
  if (!fs.existsSync(resumeFile)) return null;
  let file: ResumeFile;
  try {
    file = JSON.parse(fs.readFileSync(resumeFile, "utf8")) as ResumeFile;
  } catch {
    log(`${label}: ${resumeFile} is unreadable; starting over`);
    return null;
  }
  const bad = problem(dir, file);
  if (bad) {
    log(`${label}: cannot resume (${bad}); starting over`);
    return null;
  }
  const folder = epochDir(dir, file.epoch);
  const saved = await loadModel(epochCheckpoint(dir, file.epoch));
  classifier.model.setWeights(saved.getWeights());
  saved.dispose();
  const bytes = fs.readFileSync(path.join(folder, OPTIMISER));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  const arrays = file.optimiser.lengths.map((n) => all.slice(offset, (offset += n)));
  trainer.importState({ step: file.optimiser.step, arrays });
  log(`${label}: resuming after epoch ${file.epoch} from ${folder}`);
  const { epoch, shuffleRng, transformRng, history, learningRates, bestEpoch, bestValScore } = file;
  return { epoch, shuffleRng, transformRng, history, learningRates, bestEpoch, bestValScore };
}

/** SHA-256 of a checkpoint's files, to store beside it and check before reuse. */
export function checkpointChecksum(modelJson: string): string {
  const dir = path.dirname(modelJson);
  return createHash("sha256").update(checksum(modelJson)).update(checksum(path.join(dir, "weights.bin"))).digest("hex");
}
