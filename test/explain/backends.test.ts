import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { computeHeatmaps } from "../../lib/explain/cam";
import { Rng } from "../../lib/random";
import { trainEpoch } from "../../lib/train/loop";
import { PAPER_SGD } from "../../lib/train/optimiser";
import { Trainer } from "../../lib/train/trainer";
import { maxAbsDiff, tinyConvModel, tinyDataset } from "../support/tiny";

/** One SGD step then a heatmap pass, on the given backend, from the same weights. */
async function stepAndExplain(backend: string): Promise<{ loss: number; heat: Float32Array; weights: Float32Array }> {
  await tf.setBackend(backend);
  const c = tinyConvModel(11);
  const ds = tinyDataset(4);
  const trainer = new Trainer(c, PAPER_SGD, 0.1);
  await trainEpoch(trainer, ds, { batchSize: 4, lr: 0.1, rng: new Rng(1), label: backend, epoch: 0 });
  const second = await trainEpoch(trainer, ds, { batchSize: 4, lr: 0.1, rng: new Rng(1), label: backend, epoch: 1 });
  const heat = computeHeatmaps(c, ds, { method: "xgradcam", batchSize: 4 });
  const weights = Float32Array.from(c.model.getWeights().flatMap((w) => Array.from(w.dataSync())));
  trainer.dispose();
  c.model.dispose();
  return { loss: second.loss, heat, weights };
}

describe("B18: training and heatmaps on wasm match the cpu backend", () => {
  let original: string;
  before(() => {
    original = tf.getBackend();
  });
  after(async () => {
    await tf.setBackend(original);
  });

  it("gives the same loss after an SGD step, the same weights and the same heatmaps (1e-4)", async function () {
    if (!tf.findBackend("wasm") && !tf.findBackendFactory("wasm")) this.skip();
    const wasm = await stepAndExplain("wasm");
    const cpu = await stepAndExplain("cpu");
    assert.ok(Math.abs(wasm.loss - cpu.loss) < 1e-4, `loss ${wasm.loss} vs ${cpu.loss}`);
    assert.ok(maxAbsDiff(wasm.weights, cpu.weights) < 1e-4);
    assert.ok(maxAbsDiff(wasm.heat, cpu.heat) < 1e-4);
    assert.ok(wasm.heat.some((v) => v > 0.5), "the heatmaps are not trivially zero");
  });
});
