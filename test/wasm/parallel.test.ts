// The two-thread conv kernels (lib/wasm/parallel.ts) and the fused momentum-SGD
// kernel (lib/wasm/sgd-momentum.ts) against the cpu backend.
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { registerWasmTrainingKernels } from "../../lib/wasm";
import { CTRL, helperControlForTests, helperReady, setParallelThreshold, setWatchdogFloor, splitStats, startHelper, stopHelper } from "../../lib/wasm/parallel";
import { SGD_MOMENTUM } from "../../lib/wasm/sgd-momentum";
import { ConvCase, cpuVsWasm, relErr, runOn, tensor } from "./helpers";

const TOL = 1e-4;

// [batch, H, W, inC, outC, k, stride, pad]: odd and even batches, strides 1 and 2.
const CONVS: ConvCase[] = [
  [2, 6, 7, 3, 4, 3, 1, "same"],
  [5, 8, 8, 3, 5, 3, 2, "same"],
  [3, 9, 9, 4, 2, 3, 2, "valid"],
  [4, 8, 8, 3, 4, 3, 2, [[0, 0], [1, 2], [2, 0], [0, 0]]],
  [7, 10, 9, 3, 2, 5, 1, "same"],
];

describe("wasm kit kernels on two threads (split by batch) vs cpu", () => {
  const threadsBefore = process.env.MASKTUNE_WASM_THREADS;
  before(async () => {
    registerWasmTrainingKernels();
    // The worker is on by default; make sure MASKTUNE_WASM_THREADS=1 does not turn it off here.
    delete process.env.MASKTUNE_WASM_THREADS;
    startHelper();
    setParallelThreshold(0); // split every conv kernel, however small
    await helperReady();
  });
  after(async () => {
    setParallelThreshold(8e6);
    stopHelper();
    if (threadsBefore === undefined) delete process.env.MASKTUNE_WASM_THREADS;
    else process.env.MASKTUNE_WASM_THREADS = threadsBefore;
    await tf.setBackend("wasm");
  });

  it("the worker thread starts (on a machine with 2+ cores)", async function () {
    if (require("os").cpus().length < 2) this.skip();
    assert.ok(await helperReady(), "worker not ready");
  });

  for (const [n, h, w, ci, co, k, s, pad] of CONVS) {
    const label = `n${n} ${h}x${w}x${ci}->${co} k${k} s${s} ${JSON.stringify(pad)}`;
    const outShape = () => tf.backend_util.computeConv2DInfo([n, h, w, ci], [k, k, ci, co], s, 1, pad).outShape;

    it(`Conv2D, FusedConv2D (bias + relu), Conv2DBackpropInput, Conv2DBackpropFilter ${label}`, async () => {
      const before = { ...splitStats };
      const { err } = await cpuVsWasm(() => {
        const x = tensor([n, h, w, ci], 1), filter = tensor([k, k, ci, co], 2), dy = tensor(outShape(), 3), bias = tensor([co], 4);
        return [
          tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, s, pad),
          tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: s, pad, bias, activation: "relu" }),
          tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, { strides: [s, s], pad, dataFormat: "NHWC", inputShape: [n, h, w, ci] }) as tf.Tensor,
          tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { strides: [s, s], pad, dataFormat: "NHWC", filterShape: [k, k, ci, co] }) as tf.Tensor,
        ];
      });
      assert.ok(err < TOL, `rel err ${err}`);
      assert.equal(splitStats.split - before.split, 4);
      if (await helperReady(0)) assert.equal(splitStats.onWorker - before.onWorker, 4);
    });
  }

  it("gives the same bits with and without the worker, and leaks nothing", async () => {
    await tf.setBackend("wasm");
    const f = () => {
      const x = tensor([6, 9, 9, 3], 5), dy = tensor([6, 5, 5, 4], 7);
      return [tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { strides: [2, 2], pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 3, 4] }) as tf.Tensor];
    };
    const withWorker = await runOn("wasm", f);
    const { numTensors, numBytes } = tf.memory();
    stopHelper();
    const before = { ...splitStats };
    const alone = await runOn("wasm", f);
    assert.equal(splitStats.onWorker, before.onWorker);
    assert.deepEqual(Array.from(alone[0]), Array.from(withWorker[0]));
    assert.deepEqual([tf.memory().numTensors, tf.memory().numBytes], [numTensors, numBytes]);
    registerWasmTrainingKernels({ fast: false });
    registerWasmTrainingKernels({ fast: true }); // restarts the worker
  });

  const smallConv = () => {
    const x = tensor([6, 9, 9, 3], 8), filter = tensor([3, 3, 3, 4], 9);
    return [tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same")];
  };

  it("a wake-up without a new job does not confuse the worker (Atomics.wait can return early)", async function () {
    if (!(await helperReady())) this.skip();
    const expected = await runOn("wasm", smallConv);
    const ctrl = helperControlForTests()!;
    setWatchdogFloor(500);
    try {
      // What V8 sometimes does in a busy process: the worker's wait returns
      // "ok" although no job was posted. Before the job's sequence number
      // travelled with the job, the worker then answered the next job with the
      // previous number and the main thread waited for ever.
      for (let i = 0; i < 3; i++) {
        Atomics.notify(ctrl, CTRL.POSTED);
        await new Promise((r) => setTimeout(r, 20));
        const before = { ...splitStats };
        const got = await runOn("wasm", smallConv);
        assert.deepEqual(Array.from(got[0]), Array.from(expected[0]));
        assert.deepEqual([splitStats.onWorker - before.onWorker, splitStats.fellBack - before.fellBack], [1, 0]);
      }
    } finally {
      setWatchdogFloor(2000);
    }
  });

  it("gives up on a worker that does not answer in time: same bits, then one thread", async function () {
    if (!(await helperReady())) this.skip();
    const answered = await runOn("wasm", smallConv);
    const before = { ...splitStats };
    Atomics.store(helperControlForTests()!, CTRL.DELAY_MS, 5000); // the worker sleeps 5 s per job
    setWatchdogFloor(100); // the main thread waits 100 ms
    const t0 = Date.now();
    try {
      const gaveUp = await runOn("wasm", smallConv);
      assert.deepEqual(Array.from(gaveUp[0]), Array.from(answered[0]));
      assert.ok(Date.now() - t0 < 4000, "waited for the stalled worker");
      assert.deepEqual([splitStats.fellBack - before.fellBack, splitStats.onWorker - before.onWorker], [1, 0]);
      assert.equal(await helperReady(0), false, "the stalled worker is still in use");
      const later = await runOn("wasm", smallConv);
      assert.deepEqual(Array.from(later[0]), Array.from(answered[0]));
    } finally {
      setWatchdogFloor(2000);
      registerWasmTrainingKernels({ fast: false });
      registerWasmTrainingKernels({ fast: true }); // a fresh worker
    }
  });
});

describe(`${SGD_MOMENTUM} (fused momentum SGD with weight decay) vs tf ops on cpu`, () => {
  it("matches the tf-ops update to the bit", async () => {
    registerWasmTrainingKernels();
    const shape = [3, 3, 4, 5];
    const attrs = { lr: 0.05, momentum: 0.9, weightDecay: 1e-2 };
    const ops = () => {
      const w = tensor(shape, 31), g = tensor(shape, 32), acc = tensor(shape, 33);
      const a = tf.add(tf.mul(acc, attrs.momentum), tf.add(g, tf.mul(w, attrs.weightDecay)));
      return [tf.add(tf.mul(a, -attrs.lr), w), a];
    };
    const cpu = await runOn("cpu", ops);
    const wasm = await runOn("wasm", () => tf.engine().runKernel(SGD_MOMENTUM, { w: tensor(shape, 31), g: tensor(shape, 32), acc: tensor(shape, 33) }, attrs) as tf.Tensor[]);
    assert.ok(relErr(wasm[0], cpu[0]) < TOL && relErr(wasm[1], cpu[1]) < TOL);
    assert.deepEqual(Array.from(wasm[0]), Array.from(cpu[0]));
    assert.deepEqual(Array.from(wasm[1]), Array.from(cpu[1]));
  });
});

describe("FusedBatchNorm forward (kit JS kernel) vs cpu", () => {
  const CASES: [number[], boolean][] = [[[4, 5, 6, 8], true], [[3, 5, 7], true], [[2, 3, 3, 6], false], [[5, 12], true]];
  for (const [shape, affine] of CASES) {
    it(`${JSON.stringify(shape)} ${affine ? "with" : "without"} scale and offset`, async () => {
      registerWasmTrainingKernels();
      const c = shape[shape.length - 1];
      const { err } = await cpuVsWasm(() => {
        const x = tf.add(tf.mul(tensor(shape, 41), 3), 1);
        const mean = tensor([c], 42), variance = tf.add(tf.abs(tensor([c], 43)), 0.1);
        return [tf.batchNorm(x, mean, variance, affine ? tensor([c], 44) : undefined, affine ? tf.add(tensor([c], 45), 1) : undefined, 1e-5)];
      });
      assert.ok(err < TOL, `rel err ${err}`);
    });
  }
  it("full-size statistics (falls back to stock)", async () => {
    const { err } = await cpuVsWasm(() => [tf.batchNorm(tensor([2, 3, 4], 46), tensor([2, 3, 4], 47), tf.add(tf.abs(tensor([2, 3, 4], 48)), 0.5))]);
    assert.ok(err < TOL, `rel err ${err}`);
  });
});
