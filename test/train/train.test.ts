import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { withImages } from "../../lib/data/dataset";
import { computeHeatmaps } from "../../lib/explain/cam";
import { maskWithHeatmaps } from "../../lib/masking/masktune";
import { Rng } from "../../lib/random";
import { NonFiniteLossError, trainEpoch } from "../../lib/train/loop";
import { makeSchedule } from "../../lib/train/schedule";
import { PAPER_SGD } from "../../lib/train/optimiser";
import { Trainer } from "../../lib/train/trainer";
import { tinyConvModel, tinyDataset } from "../support/tiny";

describe("training", () => {
  it("schedules: 'authors-code' is constant; 'paper' halves every quarter and fine-tunes at the last rate", () => {
    const constant = makeSchedule("authors-code", 0.01, 100);
    assert.equal(constant.lrAt(99), 0.01);
    assert.equal(constant.finalLr, 0.01);
    const paper = makeSchedule("paper", 0.01, 100);
    assert.deepEqual([0, 24, 25, 50, 75, 99].map((e) => paper.lrAt(e)), [0.01, 0.01, 0.005, 0.0025, 0.00125, 0.00125]);
    assert.equal(makeSchedule("paper", 0.01, 20).finalLr, 0.00125);
  });

  it("lowers the loss on a fixed batch (SGD with momentum and weight decay)", async () => {
    const c = tinyConvModel();
    const trainer = new Trainer(c, PAPER_SGD, 0.1);
    const ds = tinyDataset(8);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push((await trainEpoch(trainer, ds, { batchSize: 8, lr: 0.1, rng: new Rng(1), label: "t", epoch: i })).loss);
    assert.ok(losses[14] < losses[0] * 0.9, `losses ${losses.map((l) => l.toFixed(3))}`);
    trainer.dispose();
    c.model.dispose();
  });

  it("B14: the tensor count does not grow across epochs or heatmap/masking passes", async () => {
    const c = tinyConvModel();
    const trainer = new Trainer(c, PAPER_SGD, 0.01);
    const ds = tinyDataset(8);
    const counts: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      await trainEpoch(trainer, ds, { batchSize: 4, lr: 0.01, rng: new Rng(2), label: "t", epoch });
      counts.push(tf.memory().numTensors);
    }
    assert.equal(counts[2], counts[1]);
    const images = tinyDataset(4);
    const passes: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      computeHeatmaps(c, images, { method: "xgradcam", batchSize: 2 });
      maskWithHeatmaps(c, images, { method: "xgradcam", rule: { kind: "mean-std", k: 2 }, batchSize: 2 });
      passes.push(tf.memory().numTensors);
    }
    assert.equal(passes[2], passes[1]);
    trainer.dispose();
    c.model.dispose();
  });

  it("stops on a NaN loss with a message naming the run, epoch and batch", async () => {
    const c = tinyConvModel();
    const trainer = new Trainer(c, PAPER_SGD, 0.01);
    const clean = tinyDataset(8);
    const images = clean.images.slice();
    images.fill(NaN, 0, 8 * 8 * 3 * 8);
    const poisoned = withImages(clean, images, "poisoned");
    await assert.rejects(
      () => trainEpoch(trainer, poisoned, { batchSize: 4, lr: 0.01, rng: new Rng(3), label: "ERM seed 9", epoch: 2 }),
      (e: unknown) => e instanceof NonFiniteLossError && e.message.startsWith("ERM seed 9: loss became NaN at epoch 3, batch 1"),
    );
    trainer.dispose();
    c.model.dispose();
  });
});
