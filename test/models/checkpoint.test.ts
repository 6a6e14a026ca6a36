import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { KitError } from "../../lib/errors";
import { loadModel, saveModel } from "../../lib/models/checkpoint";
import { smallCnn } from "../../lib/models/small-cnn";
import { maxAbsDiff, meanHeadModel } from "../support/tiny";

describe("checkpoints (B15)", () => {
  const inputs = () => tf.tensor4d(Float32Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i)), [4, 2, 2, 2]);

  it("round-trips a model with batch-norm statistics through model.json + weights.bin", async () => {
    const c = meanHeadModel(true);
    const bn = c.model.getLayer("bn");
    bn.setWeights(bn.getWeights().map((w, i) => tf.fill(w.shape, [1, 0, 0.5, 2.0][i])));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-ckpt-"));
    await saveModel(c.model, dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"]);

    const x = inputs();
    const expected = (c.model.predict(x) as tf.Tensor).dataSync();
    const loaded = await loadModel(`file://${dir}/model.json`);
    assert.ok(maxAbsDiff((loaded.predict(x) as tf.Tensor).dataSync(), expected) < 1e-6);
    assert.deepEqual(loaded.getLayer("bn").getWeights().map((w) => Array.from(w.dataSync())), [[1, 1], [0, 0], [0.5, 0.5], [2, 2]]);

    const moved = `${dir}-moved`;
    fs.renameSync(dir, moved);
    const again = await loadModel(path.join(moved, "model.json"));
    assert.ok(maxAbsDiff((again.predict(x) as tf.Tensor).dataSync(), expected) < 1e-6);
    tf.dispose(x);
    [c.model, loaded, again].forEach((m) => m.dispose());
  });

  it("gives SmallCNN identical predictions after a reload", async () => {
    const c = smallCnn({ inputShape: [28, 28, 3], numClasses: 2, seed: 3 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-ckpt-"));
    await saveModel(c.model, dir);
    const loaded = await loadModel(path.join(dir, "model.json"));
    const x = tf.randomUniform([3, 28, 28, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    assert.deepEqual((loaded.predict(x) as tf.Tensor).dataSync(), (c.model.predict(x) as tf.Tensor).dataSync());
    tf.dispose(x);
    c.model.dispose();
    loaded.dispose();
  });

  it("refuses a folder with a message naming model.json, and a truncated weights file", async () => {
    const c = meanHeadModel();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-ckpt-"));
    await saveModel(c.model, dir);
    await assert.rejects(loadModel(`file://${dir}`), (e: unknown) => e instanceof KitError && e.message.includes(path.join(dir, "model.json")));
    const weights = path.join(dir, "weights.bin");
    fs.writeFileSync(weights, fs.readFileSync(weights).subarray(0, 8));
    await assert.rejects(loadModel(path.join(dir, "model.json")), (e: unknown) => e instanceof KitError && /truncated/.test(e.message));
    c.model.dispose();
  });
});
