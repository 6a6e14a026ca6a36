/**
 * A training run for the crash-and-resume tests, as its own process:
 * `node resume-child.js <checkpointDir>` trains SmallCNN on 1,024 embedded
 * digits for 4 epochs (64 steps each) with the kit's ERM loop and prints
 * `RESULT <json>` (per-epoch losses and accuracies, the best epoch, a
 * checksum of the last weights). Killed and started again with the same
 * folder, it resumes from its last finished epoch.
 */
import { initBackend } from "../../lib/backend";
import { subset } from "../../lib/data/dataset";
import { loadEmbeddedMnist, splitStratified } from "../../lib/data/mnist";
import { consoleLogger } from "../../lib/log";
import { smallCnn } from "../../lib/models/small-cnn";
import { digitsDataset } from "../../lib/experiments/selective-data";
import { trainErm } from "../../lib/train/loop";
import { PAPER_SGD } from "../../lib/train/optimiser";
import { checkpointChecksum } from "../../lib/train/resume";
import { makeSchedule } from "../../lib/train/schedule";

export const CHILD_EPOCHS = 4;

async function main(dir: string): Promise<void> {
  await initBackend({ quiet: true });
  const [train, val] = splitStratified(loadEmbeddedMnist(), [0.1024, 0.02], 5).map((d, i) => digitsDataset(d, i ? "val" : "train"));
  const c = smallCnn({ inputShape: train.shape, numClasses: 10, seed: 3 });
  const result = await trainErm(c, subset(train, Array.from({ length: 1024 }, (_, i) => i)), val, {
    epochs: CHILD_EPOCHS, batchSize: 16, schedule: makeSchedule("paper", 0.05, CHILD_EPOCHS), optimiser: PAPER_SGD, seed: 11, checkpointDir: dir, label: "resume test", log: consoleLogger,
  });
  const summary = {
    history: result.history.map((r) => ({ loss: r.loss, trainAccuracy: r.trainAccuracy, valAccuracy: r.valAccuracy })),
    bestEpoch: result.bestEpoch,
    lastWeights: checkpointChecksum(result.lastCheckpoint),
  };
  console.log(`RESULT ${JSON.stringify(summary)}`);
}

main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
