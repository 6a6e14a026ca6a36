import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { splitAtCamLayer } from "../../lib/models/classifier";
import { resnet32 } from "../../lib/models/resnet32";
import { PAPER_SGD } from "../../lib/train/optimiser";
import { Trainer } from "../../lib/train/trainer";

/**
 * Expected parameters with 10 classes (convs have no bias; BN has gamma, beta
 * trainable and moving mean, variance non-trainable, 2C each):
 *   stem    conv 3*3*3*16 = 432                                   BN 16 ch
 *   stage 1 10 convs 3*3*16*16 = 2,304 each            = 23,040   BN 160 ch
 *   stage 2 3*3*16*32 = 4,608 + 9 convs 3*3*32*32 = 9,216 each
 *                      = 4,608 + 82,944               = 87,552   BN 320 ch
 *   stage 3 3*3*32*64 = 18,432 + 9 convs 3*3*64*64 = 36,864 each
 *                      = 18,432 + 331,776             = 350,208  BN 640 ch
 *   dense   64*10 + 10 = 650; shortcuts (option A) have none.
 *   conv + dense = 432 + 23,040 + 87,552 + 350,208 + 650 = 461,882
 *   BN channels 16 + 160 + 320 + 640 = 1,136 → trainable 2,272, moving 2,272
 *   trainable 461,882 + 2,272 = 464,154 (He et al.: 0.46M); total 466,426.
 */
const TRAINABLE = 464_154;
const TOTAL = 466_426;

function countOf(weights: tf.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
}

/** A fixed tiny batch: 4 images 32x32x3, two classes told apart by brightness. */
function tinyBatch(): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const per = 32 * 32 * 3;
  const pixels = Float32Array.from({ length: 4 * per }, (_, i) => (((i * 7919) % 101) / 100) * 0.5 + 0.5 * (Math.floor(i / per) % 2));
  return { x: tf.tensor4d(pixels, [4, 32, 32, 3]), y: tf.tensor1d([0, 1, 0, 1], "int32") };
}

describe("ResNet-32 (He et al. 2016, CIFAR, option-A shortcuts)", function () {
  this.timeout(300000);

  it("has the paper's parameter count and layout", () => {
    const c = resnet32({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
    assert.equal(countOf(c.model.trainableWeights), TRAINABLE);
    assert.equal(c.model.countParams(), TOTAL);
    const convs = c.model.layers.filter((l) => l.getClassName() === "Conv2D");
    assert.equal(convs.length, 31); // + the dense layer = 32 weighted layers
    assert.deepEqual(c.model.outputs[0].shape, [null, 10]);
    c.model.dispose();
  });

  it("gives logits of shape [N, classes] and is deterministic for a seed", () => {
    const a = resnet32({ inputShape: [32, 32, 3], numClasses: 3, seed: 4 });
    const b = resnet32({ inputShape: [32, 32, 3], numClasses: 3, seed: 4 });
    const { x, y } = tinyBatch();
    const la = a.model.predict(x) as tf.Tensor;
    const lb = b.model.predict(x) as tf.Tensor;
    assert.deepEqual(la.shape, [4, 3]);
    assert.deepEqual(Array.from(la.dataSync()), Array.from(lb.dataSync()));
    tf.dispose([x, y, la, lb]);
    a.model.dispose();
    b.model.dispose();
  });

  it("splits at its CAM layer (the last ReLU, 8x8x64) into features and a head", () => {
    const c = resnet32({ inputShape: [32, 32, 3], numClasses: 2, seed: 2 });
    const split = splitAtCamLayer(c);
    assert.deepEqual(c.model.getLayer(c.camLayer).outputShape, [null, 8, 8, 64]);
    const { x, y } = tinyBatch();
    const a = split.features.predict(x) as tf.Tensor;
    assert.deepEqual(a.shape, [4, 8, 8, 64]);
    const viaHead = split.head(a);
    const direct = c.model.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(viaHead, direct))).dataSync()[0];
    assert.ok(diff < 1e-5, `head(features(x)) differs from the model by ${diff}`);
    tf.dispose([x, y, a, viaHead, direct]);
    c.model.dispose();
  });

  it("lowers the loss on a fixed batch with one SGD step, and does not leak tensors", () => {
    const c = resnet32({ inputShape: [32, 32, 3], numClasses: 2, seed: 3 });
    const trainer = new Trainer(c, PAPER_SGD, 0.05);
    const { x, y } = tinyBatch();
    const before = trainer.step(x, y).loss;
    const counts = [tf.memory().numTensors];
    const after = trainer.step(x, y).loss;
    counts.push(tf.memory().numTensors);
    trainer.step(x, y);
    counts.push(tf.memory().numTensors);
    assert.ok(after < before, `loss ${before} -> ${after}`);
    assert.equal(counts[2], counts[1]);
    assert.equal(counts[1], counts[0]);
    tf.dispose([x, y]);
    trainer.dispose();
    c.model.dispose();
  });
});
