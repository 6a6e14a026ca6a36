// End-to-end checks of the kit wasm kernels: gradients of a small
// conv + batch-norm + dense loss, one SGD step of a tiny tf.layers model, both
// against the cpu backend, and no tensor leaks across repeated steps.
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { registerWasmTrainingKernels, wasmKernelDetails } from "../../lib/wasm";
import { cpuVsWasm, randomValues, relErr, runOn, tensor } from "./helpers";

const TOL = 1e-4;

/** conv(stride 2, same) -> batch norm (moments, as tf.layers does) -> relu -> conv(valid) -> maxpool -> dense -> softmax CE. */
function smallNetGrads(): tf.Tensor[] {
  const x = tensor([3, 9, 8, 3], 11);
  const w1 = tensor([3, 3, 3, 4], 12);
  const gamma = tf.add(tensor([4], 13), 1.5), beta = tensor([4], 14);
  const w2 = tensor([3, 3, 4, 5], 15);
  const wd = tensor([2 * 1 * 5, 3], 16), bd = tensor([3], 17);
  const labels = tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3);
  const loss = (x: tf.Tensor, w1: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, w2: tf.Tensor, wd: tf.Tensor) => {
    let h: tf.Tensor = tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, "same"); // [3,5,4,4]
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    h = tf.relu(tf.batchNorm(h, mean, variance, beta, gamma, 1e-5));
    h = tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 1, "valid"); // [3,3,2,5]
    h = tf.maxPool(h as tf.Tensor4D, 2, 2, "same"); // [3,2,1,5]
    const logits = tf.add(tf.matMul(tf.reshape(h, [3, -1]), wd), bd);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const inputs = [x, w1, gamma, beta, w2, wd];
  const value = loss(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]));
  const grads = tf.grads(loss as (...a: tf.Tensor[]) => tf.Tensor)(inputs);
  return [value, ...grads];
}

/** conv 4 filters on 8x8x3 -> global average pool -> dense 2, fixed weights. */
function tinyModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: "same" }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 2 }));
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(randomValues(w.size, 100 + i), w.shape)));
  return m;
}

describe("wasm kit kernels: gradients and training vs cpu", () => {
  before(() => { registerWasmTrainingKernels(); });
  after(async () => {
    registerWasmTrainingKernels(); // back to the default mode chosen by initBackend
    await tf.setBackend("wasm");
  });

  it("tf.grads of conv + batch norm + dense matches cpu", async () => {
    const { err } = await cpuVsWasm(smallNetGrads);
    assert.ok(err < TOL, `rel err ${err}`);
  });

  it("the batch-norm gradient matches cpu in tf.layers (training: true)", async () => {
    const f = (): tf.Tensor[] => {
      const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
      const x = tf.add(tf.mul(tensor([4, 5, 6, 7], 21), 3), 2);
      const w = tensor([4, 5, 6, 7], 22);
      bn.build(x.shape);
      bn.setWeights([tf.add(tensor([7], 23), 1.2), tensor([7], 24), tf.zeros([7]), tf.ones([7])]);
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(tf.mul(bn.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, bn.trainableWeights.map((v) => v.read() as tf.Variable));
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(bn.apply(xx, { training: true }) as tf.Tensor, w)))(x);
      const out = [value, gx, ...Object.values(grads)];
      for (const v of bn.weights) v.dispose();
      return out;
    };
    const { err } = await cpuVsWasm(f);
    assert.ok(err < TOL, `rel err ${err}`);
  });

  it("one SGD step of a tiny model gives the same loss and weights as cpu", async () => {
    const step = (): tf.Tensor[] => {
      const m = tinyModel();
      const x = tensor([4, 8, 8, 3], 31);
      const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), 2);
      const opt = tf.train.sgd(0.1);
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      const after = tf.losses.softmaxCrossEntropy(y, m.predict(x) as tf.Tensor);
      const out = [loss, after, ...m.getWeights().map((w) => tf.clone(w))];
      opt.dispose();
      m.dispose();
      return out;
    };
    const { err, cpu, wasm } = await cpuVsWasm(step);
    assert.ok(err < TOL, `rel err ${err}`);
    assert.ok(Math.abs(wasm[0][0] - cpu[0][0]) < TOL && Math.abs(wasm[1][0] - cpu[1][0]) < TOL);
    assert.ok(wasm[1][0] < wasm[0][0], "the step should lower the loss");
  });

  it("stock mode (only the missing kernel) still trains and matches cpu", async () => {
    const desc = registerWasmTrainingKernels({ fast: false });
    try {
      assert.match(desc, /kit kernels stock/);
      assert.match(wasmKernelDetails(), /added Conv2DBackpropFilter; fixed MaxPoolGrad$/);
      // The stock Conv2DBackpropInput is back in place.
      assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm")!.kernelFunc.name, "conv2DBackpropInput");
      const { err } = await cpuVsWasm(smallNetGrads);
      assert.ok(err < TOL, `rel err ${err}`);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it("registering again is a no-op and returns the same description", () => {
    const a = registerWasmTrainingKernels();
    const b = registerWasmTrainingKernels();
    assert.equal(a, b);
  });

  it("repeated gradient computations and training steps leak no tensors or wasm buffers", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const m = tinyModel();
    const x = tensor([4, 8, 8, 3], 41);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), 2);
    const opt = tf.train.momentum(0.01, 0.9);
    const round = () => {
      tf.dispose(tf.tidy(smallNetGrads));
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      if (loss) loss.dispose();
    };
    round(); // creates the optimizer's momentum slots
    const tensors = tf.memory().numTensors, ids = backend.numDataIds();
    for (let i = 0; i < 5; i++) round();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), ids);
    tf.dispose([x, y]);
    opt.dispose();
    m.dispose();
  });
});

// Keep the imports used even if a test above is edited away.
void relErr; void runOn;
