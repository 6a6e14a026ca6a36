// The kit's batch-norm layer (lib/models/batch-norm.ts) against
// tf.layers.batchNormalization on the cpu backend: training output, the
// gradients in x, gamma and beta, the moving statistics, inference output;
// on cpu (tf-op formulas) and on wasm (kit kernels MasktuneBatchMoments and
// MasktuneBatchNormTrainingGrad), for 4-D and 2-D inputs and channel counts
// that are and are not multiples of four.
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { BatchNorm, batchNorm } from "../../lib/models/batch-norm";
import { registerWasmTrainingKernels } from "../../lib/wasm";
import { BATCH_MOMENTS, BATCH_NORM_TRAINING_GRAD } from "../../lib/wasm/batchnorm-training";
import { relErr, runOn, tensor } from "../wasm/helpers";

const TOL = 1e-4;

/**
 * Applies a batch-norm layer built by `make` to fixed data (training, then
 * inference): the outputs, d/dx, d/dgamma, d/dbeta of sum(y * w), and the
 * moving mean and variance after the training call.
 */
function exercise(make: () => tf.layers.Layer, shape: number[]): tf.Tensor[] {
  const c = shape[shape.length - 1];
  const bn = make();
  const x = tf.add(tf.mul(tensor(shape, 51), 3), 2);
  const w = tensor(shape, 52);
  bn.build(x.shape);
  bn.setWeights([tf.add(tensor([c], 53), 1.2), tensor([c], 54), tf.zeros([c]), tf.ones([c])]);
  const loss = (xx: tf.Tensor) => tf.sum(tf.mul(bn.apply(xx, { training: true }) as tf.Tensor, w)) as tf.Scalar;
  const y = bn.apply(x, { training: true }) as tf.Tensor;
  const [movingMean, movingVariance] = bn.getWeights().slice(2);
  const { grads } = tf.variableGrads(() => loss(x), bn.trainableWeights.map((v) => v.read() as tf.Variable));
  const dx = tf.grad(loss)(x);
  const inference = bn.apply(x, { training: false }) as tf.Tensor;
  const out = [y, dx, ...bn.trainableWeights.map((v) => grads[(v.read() as tf.Variable).name]), movingMean.clone(), movingVariance.clone(), inference];
  for (const v of bn.weights) v.dispose();
  return out;
}

const stock = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
const kit = () => batchNorm({ momentum: 0.9, epsilon: 1e-5 });

describe("kit batch-norm layer vs tf.layers.batchNormalization", () => {
  for (const shape of [[4, 5, 6, 8], [3, 4, 5, 6], [16, 12], [5, 7]]) {
    it(`${JSON.stringify(shape)}: same output, gradients and moving statistics on cpu and wasm`, async () => {
      registerWasmTrainingKernels();
      assert.ok(tf.getKernel(BATCH_MOMENTS, "wasm") && tf.getKernel(BATCH_NORM_TRAINING_GRAD, "wasm"), "kit kernels not registered");
      const reference = await runOn("cpu", () => exercise(stock, shape));
      for (const backend of ["cpu", "wasm"] as const) {
        const ours = await runOn(backend, () => exercise(kit, shape));
        const names = ["y", "dx", "dgamma", "dbeta", "moving mean", "moving variance", "inference y"];
        names.forEach((name, i) => assert.ok(relErr(ours[i], reference[i]) < TOL, `${backend} ${name}: rel err ${relErr(ours[i], reference[i])}`));
      }
    });
  }

  it("the gradient in x is that of the batch statistics too (sums to zero per channel)", async () => {
    const [, dx] = await runOn("wasm", () => exercise(kit, [6, 3, 3, 4]));
    for (let ch = 0; ch < 4; ch++) {
      let sum = 0, scale = 0;
      for (let i = ch; i < dx.length; i += 4) { sum += dx[i]; scale += Math.abs(dx[i]); }
      assert.ok(Math.abs(sum) < 1e-5 * scale, `channel ${ch}: sum ${sum} of |${scale}|`);
    }
  });

  it("keeps the tf.layers weight names and survives serialization", async () => {
    await tf.setBackend("cpu");
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] }), batchNorm({ name: "bn", momentum: 0.9, epsilon: 1e-5 })] });
    assert.deepEqual(model.getLayer("bn").weights.map((w) => w.originalName), ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]);
    assert.deepEqual(model.getLayer("bn").trainableWeights.map((w) => w.originalName), ["bn/gamma", "bn/beta"]);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }; }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    assert.ok(loaded.getLayer("bn") instanceof BatchNorm);
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  it("leaks no tensors across training calls", async () => {
    await tf.setBackend("wasm");
    const bn = kit();
    const x = tensor([4, 3, 3, 8], 55);
    bn.build(x.shape);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(bn.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, bn.trainableWeights.map((v) => v.read() as tf.Variable));
      tf.dispose([value, grads]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    for (const v of bn.weights) v.dispose();
    x.dispose();
  });
});
