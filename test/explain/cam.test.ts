import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { EPS, computeHeatmaps, heatmapBatch, upsampleAndNormalise, weightedMap } from "../../lib/explain/cam";
import { splitAtCamLayer } from "../../lib/models/classifier";
import { maxAbsDiff, meanHeadModel } from "../support/tiny";

/** [n, h, w, c] from per-channel h x w arrays of each image. */
function nhwc(images: number[][][][]): tf.Tensor4D {
  return tf.tidy(() => tf.stack(images.map((channels) => tf.stack(channels.map((ch) => tf.tensor2d(ch)), 2))) as tf.Tensor4D);
}

const A_IMAGE = [[[1, 0], [0, 0]], [[0, 0], [0, 0]]]; // ch0 lit top-left → class 0
const B_IMAGE = [[[0, 0], [0, 0]], [[0, 0], [0, 1]]]; // ch1 lit bottom-right → class 1

describe("xGradCAM", () => {
  it("B01a: a map negative everywhere becomes exactly zero, not NaN", () => {
    const a = nhwc([[[[1, 2], [3, 4]]]]);
    const g = tf.fill([1, 2, 2, 1], -1) as tf.Tensor4D;
    const map = weightedMap(a, g, "xgradcam");
    const heat = upsampleAndNormalise(map, 2, 2);
    assert.deepEqual(Array.from(heat.dataSync()), [0, 0, 0, 0]);
    tf.dispose([a, g, map, heat]);
  });

  it("B01b: a channel with zero activations gets weight 0 (eps in the denominator)", () => {
    const a = nhwc([[[[1, 0], [0, 1]], [[0, 0], [0, 0]]]]);
    const g = nhwc([[[[1, 1], [1, 1]], [[5, 5], [5, 5]]]]);
    const map = weightedMap(a, g, "xgradcam");
    // w0 = (1 + 1) / (2 + eps) ≈ 1, w1 = 0 / (0 + eps) = 0.
    const expected = [1, 0, 0, 1].map((v) => (v * 2) / (2 + EPS));
    assert.ok(maxAbsDiff(map.dataSync(), expected) < 1e-6, `got ${map.dataSync()}`);
    tf.dispose([a, g, map]);
  });

  it("weights channels by sum(g*A)/sum(A): a hand-computed two-channel case", () => {
    // ch0 = [[2,0],[0,2]], g0 = [[1,1],[1,1]] → w0 = 4/4 = 1
    // ch1 = [[0,1],[3,0]], g1 = [[0,2],[1,0]] → w1 = (2 + 3)/4 = 1.25
    // cam = [[2, 1.25], [3.75, 2]]
    const a = nhwc([[[[2, 0], [0, 2]], [[0, 1], [3, 0]]]]);
    const g = nhwc([[[[1, 1], [1, 1]], [[0, 2], [1, 0]]]]);
    const map = weightedMap(a, g, "xgradcam");
    assert.ok(maxAbsDiff(map.dataSync(), [2, 1.25, 3.75, 2]) < 1e-5, `got ${map.dataSync()}`);
    // Grad-CAM on the same tensors: w0 = 1, w1 = 0.75 → [[2, 0.75], [2.25, 2]]
    const gradcam = weightedMap(a, g, "gradcam");
    assert.ok(maxAbsDiff(gradcam.dataSync(), [2, 0.75, 2.25, 2]) < 1e-5, `got ${gradcam.dataSync()}`);
    tf.dispose([a, g, map, gradcam]);
  });

  it("upsamples bilinearly with half-pixel centres, then min-max normalises", () => {
    // 2x2 [[0,1],[2,3]] → 4x4: sample positions per axis clamp to [0, .25, .75, 1],
    // so value(r, c) = 2 * p[r] + p[c]; min 0, max 3.
    const map = tf.tensor3d([[[0, 1], [2, 3]]]);
    const heat = upsampleAndNormalise(map, 4, 4);
    const p = [0, 0.25, 0.75, 1];
    const expected = p.flatMap((pr) => p.map((pc) => (2 * pr + pc) / (3 + EPS)));
    assert.ok(maxAbsDiff(heat.dataSync(), expected) < 1e-6, `got ${heat.dataSync()}`);
    tf.dispose([map, heat]);
  });

  it("B03: each image in a batch is explained for its own predicted class", () => {
    const c = meanHeadModel();
    const split = splitAtCamLayer(c);
    const batch = nhwc([A_IMAGE, B_IMAGE]);
    const heat = heatmapBatch(split, batch, "xgradcam");
    const values = heat.dataSync();
    assert.ok(maxAbsDiff(values.slice(0, 4), [1, 0, 0, 0]) < 1e-6, `A: ${values.slice(0, 4)}`);
    assert.ok(maxAbsDiff(values.slice(4, 8), [0, 0, 0, 1]) < 1e-6, `B: ${values.slice(4, 8)}`);
    for (const [k, image] of [A_IMAGE, B_IMAGE].entries()) {
      const alone = nhwc([image]);
      const single = heatmapBatch(split, alone, "xgradcam");
      assert.ok(maxAbsDiff(single.dataSync(), values.slice(4 * k, 4 * k + 4)) <= 1e-6);
      tf.dispose([alone, single]);
    }
    tf.dispose([batch, heat]);
    c.model.dispose();
  });

  it("B04: batch-norm runs in inference mode: results do not depend on the batch, statistics do not move, no tensors leak", () => {
    const c = meanHeadModel(true);
    const split = splitAtCamLayer(c);
    const bnBefore = c.model.getLayer("bn").getWeights().map((w) => Array.from(w.dataSync()));
    const run = (images: number[][][][]) => {
      const x = nhwc(images);
      const heat = heatmapBatch(split, x, "xgradcam");
      const logits = c.model.predict(x) as tf.Tensor;
      const out = { heat: heat.dataSync().slice(0, 4), logits: logits.dataSync().slice(0, 2) };
      tf.dispose([x, heat, logits]);
      return out;
    };
    run([A_IMAGE]); // warm-up: first calls may build layer state
    const before = tf.memory().numTensors;
    const alone = run([A_IMAGE]);
    for (const batch of [[A_IMAGE, B_IMAGE], [A_IMAGE, A_IMAGE, B_IMAGE, B_IMAGE]]) {
      const inBatch = run(batch);
      assert.ok(maxAbsDiff(alone.heat, inBatch.heat) <= 1e-6);
      assert.ok(maxAbsDiff(alone.logits, inBatch.logits) <= 1e-6);
    }
    // A batch of one is not normalised to zero (the training-mode failure sign).
    assert.ok(Math.abs(alone.logits[0] - alone.logits[1]) > 0.1, `logits ${alone.logits}`);
    assert.deepEqual(c.model.getLayer("bn").getWeights().map((w) => Array.from(w.dataSync())), bnBefore);
    assert.equal(tf.memory().numTensors, before);
    c.model.dispose();
  });

  it("computeHeatmaps over a dataset matches the batch function and leaks nothing", () => {
    const c = meanHeadModel();
    const images = Float32Array.from([...nhwc([A_IMAGE]).dataSync(), ...nhwc([B_IMAGE]).dataSync()]);
    const ds = { name: "ab", shape: [2, 2, 2] as const, images, labels: Int32Array.from([0, 1]), numClasses: 2, ids: ["a", "b"], attributes: {} };
    computeHeatmaps(c, ds, { method: "xgradcam", batchSize: 1 });
    const before = tf.memory().numTensors;
    const heat = computeHeatmaps(c, ds, { method: "xgradcam", batchSize: 1 });
    assert.ok(maxAbsDiff(heat, [1, 0, 0, 0, 0, 0, 0, 1]) < 1e-6);
    assert.equal(tf.memory().numTensors, before);
    c.model.dispose();
  });
});
