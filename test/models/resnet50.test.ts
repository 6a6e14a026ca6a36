import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Classifier, splitAtCamLayer } from "../../lib/models/classifier";
import { loadModel, saveModel } from "../../lib/models/checkpoint";
import { loadImagenetWeights } from "../../lib/models/imagenet-weights";
import { ImagenetPreprocessing, Preprocessing } from "../../lib/models/preprocess";
import { RESNET50_HEAD, resnet50 } from "../../lib/models/resnet50";
import { ConverterWeight, weightsOf, writeConverterFolder } from "../support/converter-folder";
import { expectKitError, expectKitErrorAsync } from "../support/kit-error";
import { maxAbsDiff } from "../support/tiny";

/** Keras ResNet50's layer names (keras/src/applications/resnet.py), without input and predictions. */
function kerasLayerNames(): string[] {
  const names = ["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool"];
  for (const [stage, blocks] of [[2, 3], [3, 4], [4, 6], [5, 3]]) {
    for (let b = 1; b <= blocks; b++) {
      const block = `conv${stage}_block${b}`;
      if (b === 1) names.push(`${block}_0_conv`, `${block}_0_bn`);
      for (const suffix of ["1_conv", "1_bn", "1_relu", "2_conv", "2_bn", "2_relu", "3_conv", "3_bn", "add", "out"]) names.push(`${block}_${suffix}`);
    }
  }
  return [...names, "avg_pool"];
}

function countOf(weights: tf.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
}

/** Weight folders are ~95 MB each: every one made here is removed after the suite. */
const made: string[] = [];
function tmpDir(): string {
  made.push(fs.mkdtempSync(path.join(os.tmpdir(), "masktune-resnet50-")));
  return made[made.length - 1];
}

/** Logits of the model in inference mode, as a flat array. */
function outputsOf(c: Classifier, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => (c.model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

function valuesOf(c: Classifier, layer: string): Float32Array[] {
  return c.model.getLayer(layer).getWeights().map((w) => w.dataSync() as Float32Array);
}

/** One RGB pixel (0.8, 0.5, 0.2) twice, masked in raw [0, 1] space with mask [0, 1], then preprocessed. */
function maskedPixels(mode: Preprocessing): number[] {
  return tf.tidy(() => {
    const raw = tf.tensor4d([0.8, 0.5, 0.2, 0.8, 0.5, 0.2], [1, 1, 2, 3]);
    const masked = tf.mul(raw, tf.tensor4d([0, 1], [1, 1, 2, 1]));
    return Array.from((new ImagenetPreprocessing({ mode }).apply(masked) as tf.Tensor).dataSync());
  });
}

function assertClose(actual: number[], expected: number[], decimals: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 0.5 * 10 ** -decimals, `[${i}] ${a} vs ${expected[i]}`));
}

describe("ResNet-50 (Keras layout) and ImageNet weights from a converter folder", function () {
  this.timeout(300000);
  let source: Classifier; // the weights written to folders
  let target: Classifier; // a differently seeded model they are loaded into
  let x: tf.Tensor4D;
  let dir: string;
  let full: ConverterWeight[];

  before(() => {
    source = resnet50({ inputShape: [64, 64, 3], numClasses: 2, seed: 1 });
    target = resnet50({ inputShape: [64, 64, 3], numClasses: 2, seed: 2 });
    x = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 5) as tf.Tensor4D;
    dir = tmpDir();
    full = weightsOf(source.model);
  });

  after(() => {
    source.model.dispose();
    target.model.dispose();
    x.dispose();
    made.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });

  describe("preprocessing layer (field case B06: mask in raw pixel space)", () => {
    it("torch mode: a masked pixel becomes (0 - mean) / std, an unmasked one (x - mean) / std", () => {
      const [masked, unmasked] = [maskedPixels("torch").slice(0, 3), maskedPixels("torch").slice(3)];
      assertClose(masked, [-2.1179, -2.0357, -1.8044], 4);
      assertClose(unmasked, [(0.8 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (0.2 - 0.406) / 0.225], 4);
      assertClose(unmasked, [1.3755, 0.1964, -0.9156], 4);
    });

    it("caffe mode: x255, RGB to BGR, minus the BGR means", () => {
      const out = maskedPixels("caffe");
      // (0.8, 0.5, 0.2) * 255 = (204, 127.5, 51); as BGR (51, 127.5, 204) - (103.939, 116.779, 123.68).
      assertClose(out.slice(3), [-52.939, 10.721, 80.32], 3);
      assertClose(out.slice(0, 3), [-103.939, -116.779, -123.68], 3);
    });

    it("is the model's first layer, caffe by default, and survives a checkpoint round trip", async () => {
      assert.ok(source.model.layers[1] instanceof ImagenetPreprocessing);
      assert.equal((source.model.layers[1] as ImagenetPreprocessing).mode, "caffe");

      const input = tf.input({ shape: [1, 2, 3] });
      const model = tf.model({ inputs: input, outputs: new ImagenetPreprocessing({ mode: "torch", name: "preprocess" }).apply(input) as tf.SymbolicTensor });
      const ckpt = tmpDir();
      await saveModel(model, ckpt);
      const loaded = await loadModel(path.join(ckpt, "model.json"));
      assert.equal((loaded.getLayer("preprocess") as ImagenetPreprocessing).mode, "torch");
      const pixels = tf.tensor4d([0.8, 0.5, 0.2, 0, 0, 0], [1, 1, 2, 3]);
      assertClose(Array.from((loaded.predict(pixels) as tf.Tensor).dataSync()).slice(3), [-2.1179, -2.0357, -1.8044], 4);
      tf.dispose(pixels);
      model.dispose();
      loaded.dispose();
    });

    it("refuses an unknown mode and a non-RGB input", () => {
      expectKitError(() => new ImagenetPreprocessing({ mode: "tf" as Preprocessing }), "preprocessing", "caffe");
      expectKitError(() => resnet50({ inputShape: [64, 64, 1], numClasses: 2, seed: 1 }), "preprocess", "3 channels", "1 channels");
      expectKitError(() => resnet50({ inputShape: [16, 16, 3], numClasses: 2, seed: 1 }), "resnet50", "32x32", "16x16");
    });
  });

  describe("architecture", () => {
    it("has exactly Keras' layer names, plus input, preprocess and the new head", () => {
      const names = source.model.layers.map((l) => l.name);
      const expected = kerasLayerNames();
      assert.equal(expected.length, 177 - 2); // Keras' 177 layers less input and predictions
      assert.deepEqual([...names].sort(), [...expected, "input", "preprocess", RESNET50_HEAD].sort());
      assert.equal(source.camLayer, "conv5_block3_out");
      const conv = source.model.getLayer("conv3_block1_1_conv").getConfig();
      assert.deepEqual([conv.kernelSize, conv.strides, conv.useBias], [[1, 1], [2, 2], true]); // v1: stride on the 1x1
      const bn = source.model.getLayer("conv1_bn").getConfig();
      assert.deepEqual([bn.epsilon, bn.momentum], [1.001e-5, 0.9]);
    });

    it("has Keras' 25,636,712 parameters with 1000 classes (25,583,592 trainable) and its shapes at 224x224", () => {
      const c = resnet50({ inputShape: [224, 224, 3], numClasses: 1000, seed: 1 });
      assert.equal(c.model.countParams(), 25_636_712);
      assert.equal(countOf(c.model.trainableWeights), 25_583_592);
      const shapes = {
        conv1_pad: [230, 230, 3], conv1_conv: [112, 112, 64], pool1_pad: [114, 114, 64], pool1_pool: [56, 56, 64],
        conv2_block3_out: [56, 56, 256], conv3_block4_out: [28, 28, 512], conv4_block6_out: [14, 14, 1024], conv5_block3_out: [7, 7, 2048],
      };
      for (const [layer, shape] of Object.entries(shapes)) assert.deepEqual(c.model.getLayer(layer).outputShape, [null, ...shape], layer);
      c.model.dispose();
    });

    it("has 2048*2 + 2 head parameters with 2 classes", () => {
      // 25,636,712 - (2048*1000 + 1000) + (2048*2 + 2)
      assert.equal(source.model.countParams(), 23_591_810);
      assert.equal(countOf(source.model.trainableWeights), 23_538_690);
    });

    it("splits at conv5_block3_out into features and a head that reproduce the model", () => {
      const split = splitAtCamLayer(source);
      tf.tidy(() => {
        const features = split.features.predict(x) as tf.Tensor;
        assert.deepEqual(features.shape, [2, 2, 2, 2048]);
        assert.ok(maxAbsDiff(split.head(features).dataSync(), outputsOf(source, x)) < 1e-5);
      });
    });
  });

  describe("loading weights by name from a converter folder", () => {
    it("loads a model's own weights into a differently seeded one (2+ shards): identical outputs", async () => {
      const shards = writeConverterFolder(dir, full);
      assert.ok(shards.length >= 2, `${shards.length} shards`);
      assert.ok(maxAbsDiff(outputsOf(source, x), outputsOf(target, x)) > 1e-3, "the two seeds should differ before loading");
      const tensorsBefore = tf.memory().numTensors;
      const report = await loadImagenetWeights(target, dir);
      assert.equal(tf.memory().numTensors, tensorsBefore);
      assert.equal(report.loaded.length, 53 * 2 + 53 * 4 + 2); // 53 convs (kernel, bias), 53 BNs, the head
      assert.deepEqual(report.skipped, []);
      const diff = maxAbsDiff(outputsOf(source, x), outputsOf(target, x));
      assert.ok(diff < 1e-5, `outputs differ by ${diff}`);
    });

    it("accepts a model-name prefix, ':0' and '_1' suffixes, skips ImageNet's predictions and keeps the head", async () => {
      const fresh = resnet50({ inputShape: [64, 64, 3], numClasses: 2, seed: 3 });
      const head = valuesOf(fresh, RESNET50_HEAD);
      const renamed = full
        .filter((w) => !w.name.startsWith(`${RESNET50_HEAD}/`))
        .map((w, i) => ({ ...w, name: `resnet50/${w.name}${["", ":0", "_1"][i % 3]}` }));
      const predictions: ConverterWeight[] = [
        { name: "resnet50/predictions/kernel", shape: [2048, 1000], values: new Float32Array(2048 * 1000) },
        { name: "resnet50/predictions/bias", shape: [1000], values: new Float32Array(1000) },
      ];
      const imagenet = tmpDir();
      writeConverterFolder(imagenet, [...renamed, ...predictions]);
      const lines: string[] = [];
      const report = await loadImagenetWeights(fresh, imagenet, { log: (line) => lines.push(line) });
      assert.deepEqual(report.skipped, ["resnet50/predictions/kernel", "resnet50/predictions/bias"]);
      assert.equal(report.loaded.length, 53 * 6);
      assert.ok(lines.some((l) => l.includes("skipped resnet50/predictions/kernel")), lines.join("\n"));
      assert.deepEqual(valuesOf(fresh, RESNET50_HEAD), head);
      const features = (c: Classifier) => tf.tidy(() => (splitAtCamLayer(c).features.predict(x) as tf.Tensor).dataSync());
      assert.ok(maxAbsDiff(features(fresh), features(source)) < 1e-5);
      fresh.model.dispose();
    });

    it("names conv1_conv and both shapes when a kernel has the wrong shape", async () => {
      const wrong = tmpDir();
      writeConverterFolder(wrong, full.map((w) => (w.name === "conv1_conv/kernel" ? { ...w, shape: [3, 7, 7, 64] } : w)));
      await expectKitErrorAsync(() => loadImagenetWeights(target, wrong), "conv1_conv", "[7,7,3,64]", "[3,7,7,64]");
    });

    it("lists missing backbone weights and changes nothing", async () => {
      const partial = tmpDir();
      const dropped = ["conv4_block2_2_conv/bias", "conv5_block3_3_bn/moving_variance"];
      writeConverterFolder(partial, full.filter((w) => !dropped.includes(w.name)));
      const fresh = resnet50({ inputShape: [64, 64, 3], numClasses: 2, seed: 4 });
      const before = valuesOf(fresh, "conv1_conv");
      await expectKitErrorAsync(() => loadImagenetWeights(fresh, partial), "2 missing", ...dropped);
      assert.deepEqual(valuesOf(fresh, "conv1_conv"), before);
      fresh.model.dispose();
    });

    it("names a truncated shard, in the middle or at the end, and a missing one", async () => {
      // conv1_conv/kernel, /bias and conv1_bn/gamma: 37,632 + 256 + 256 bytes in 3 shards of 16 KiB.
      const make = () => {
        const small = tmpDir();
        return writeConverterFolder(small, full.slice(0, 3), 16 * 1024);
      };
      const truncate = (file: string) => fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
      for (const which of [1, 2]) {
        const shards = make();
        assert.equal(shards.length, 3);
        truncate(shards[which]);
        await expectKitErrorAsync(() => loadImagenetWeights(target, path.dirname(shards[which])), shards[which], "truncated");
      }
      const incomplete = make();
      fs.rmSync(incomplete[1]);
      await expectKitErrorAsync(() => loadImagenetWeights(target, path.dirname(incomplete[1])), incomplete[1], "no such file");
      await expectKitErrorAsync(() => loadImagenetWeights(target, tmpDir()), "model.json", "tensorflowjs_converter");
    });

    it("refuses quantised weights, saying to convert without quantisation", async () => {
      const quantised = tmpDir();
      const kernel = full[0];
      const size = kernel.shape.reduce((a, b) => a * b, 1);
      writeConverterFolder(quantised, [{ ...kernel, values: new Uint8Array(size), quantization: { dtype: "uint8", min: -1, scale: 0.01 } }]);
      await expectKitErrorAsync(() => loadImagenetWeights(target, quantised), "conv1_conv/kernel", "uint8", "quantised", "without --quantize");
    });
  });
});
