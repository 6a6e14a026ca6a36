// Each kit wasm kernel against the cpu backend's kernel, on random shapes.
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { registerWasmTrainingKernels } from "../../lib/wasm";
import { ConvCase, cpuVsWasm, tensor } from "./helpers";

const TOL = 1e-4;

// [batch, H, W, inC, outC, k, stride, pad]
const CONVS: ConvCase[] = [
  [1, 5, 5, 2, 3, 3, 1, "valid"],
  [3, 6, 7, 3, 4, 3, 1, "same"],
  [2, 7, 6, 3, 4, 3, 2, "same"],
  [2, 8, 8, 3, 5, 3, 2, "same"],
  [3, 8, 8, 3, 5, 3, 2, "valid"],
  [1, 9, 9, 4, 2, 3, 2, "valid"],
  [2, 9, 9, 4, 2, 1, 2, "same"],
  [2, 8, 8, 4, 6, 1, 2, "valid"],
  [2, 4, 4, 3, 2, 1, 1, "valid"],
  [2, 10, 9, 3, 2, 5, 1, "same"],
  [1, 8, 8, 3, 4, 3, 2, [[0, 0], [1, 2], [2, 0], [0, 0]]],
  [2, 7, 7, 2, 3, 3, 1, [[0, 0], [2, 1], [0, 3], [0, 0]]],
];

describe("wasm kit kernels vs cpu", () => {
  before(() => { registerWasmTrainingKernels(); });
  after(async () => { await tf.setBackend("wasm"); });

  for (const [n, h, w, ci, co, k, s, pad] of CONVS) {
    const label = `n${n} ${h}x${w}x${ci}->${co} k${k} s${s} ${JSON.stringify(pad)}`;
    const outShape = (): number[] => {
      const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], [k, k, ci, co], s, 1, pad);
      return info.outShape;
    };

    it(`Conv2DBackpropFilter ${label}`, async () => {
      const { err } = await cpuVsWasm(() => {
        const x = tensor([n, h, w, ci], 1), dy = tensor(outShape(), 2);
        return [tf.engine().runKernel("Conv2DBackpropFilter", { x, dy },
          { strides: [s, s], pad, dataFormat: "NHWC", filterShape: [k, k, ci, co] }) as tf.Tensor];
      });
      assert.ok(err < TOL, `rel err ${err}`);
    });

    it(`Conv2DBackpropInput ${label}`, async () => {
      const { err } = await cpuVsWasm(() => {
        const filter = tensor([k, k, ci, co], 3), dy = tensor(outShape(), 4);
        return [tf.engine().runKernel("Conv2DBackpropInput", { dy, filter },
          { strides: [s, s], pad, dataFormat: "NHWC", inputShape: [n, h, w, ci] }) as tf.Tensor];
      });
      assert.ok(err < TOL, `rel err ${err}`);
    });
  }

  const REDUCTIONS: [number[], number[], boolean][] = [
    [[4, 5, 6, 3], [0, 1, 2], false],
    [[4, 5, 6, 3], [0, 1, 2], true],
    [[3, 5, 6, 17], [1, 2], false],
    [[3, 5, 6, 9], [0], true],
    [[4, 6], [0], false],
    [[4, 5, 6], [2], false],
    [[4, 5, 6], [0, 2], false],
  ];
  for (const [shape, axes, keepDims] of REDUCTIONS) {
    for (const op of ["sum", "mean"] as const) {
      it(`${op} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepDims ${keepDims}`, async () => {
        const { err, cpu, wasm } = await cpuVsWasm(() => [tf[op](tensor(shape, 5), axes, keepDims)]);
        assert.equal(wasm[0].length, cpu[0].length);
        assert.ok(err < TOL, `rel err ${err}`);
        const shapes = await Promise.all((["cpu", "wasm"] as const).map(async (b) => {
          await tf.setBackend(b);
          return tf.tidy(() => tf[op](tensor(shape, 5), axes, keepDims).shape);
        }));
        assert.deepEqual(shapes[1], shapes[0]);
      });
    }
  }

  const TILES: [number[], number[]][] = [
    [[1, 1, 1, 5], [4, 3, 2, 1]],
    [[3, 1, 1, 5], [1, 4, 3, 1]],
    [[1, 4], [6, 1]],
    [[2, 3], [2, 2]],
    [[2, 1, 3], [1, 4, 2]],
  ];
  for (const [shape, reps] of TILES) {
    it(`Tile ${JSON.stringify(shape)} reps ${JSON.stringify(reps)}`, async () => {
      const { err } = await cpuVsWasm(() => [tf.tile(tensor(shape, 6), reps)]);
      assert.equal(err, 0);
    });
  }

  const MATMULS: [number[], number[], boolean, boolean][] = [
    [[7, 5], [5, 3], false, false],
    [[5, 7], [5, 3], true, false],
    [[7, 5], [3, 5], false, true],
    [[5, 7], [3, 5], true, true],
    [[2, 5, 7], [2, 5, 3], true, false],
    [[2, 7, 5], [1, 3, 5], false, true],
  ];
  for (const [a, b, ta, tb] of MATMULS) {
    it(`BatchMatMul ${JSON.stringify(a)}${ta ? "^T" : ""} x ${JSON.stringify(b)}${tb ? "^T" : ""}`, async () => {
      const { err } = await cpuVsWasm(() => [tf.matMul(tensor(a, 7), tensor(b, 8), ta, tb)]);
      assert.ok(err < TOL, `rel err ${err}`);
    });
  }

  // [shape, pool, stride, pad]; relu() makes all-zero windows (ties).
  const POOLS: [number[], number, number, "same" | "valid"][] = [
    [[2, 8, 8, 3], 2, 2, "valid"],
    [[2, 7, 9, 4], 2, 2, "same"],
    [[1, 7, 7, 5], 3, 1, "same"],
    [[3, 9, 8, 2], 3, 2, "valid"],
  ];
  for (const [shape, size, stride, pad] of POOLS) {
    it(`MaxPoolGrad ${JSON.stringify(shape)} pool ${size} stride ${stride} ${pad} (with ties)`, async () => {
      const { err } = await cpuVsWasm(() => {
        const x = tf.relu(tensor(shape, 9));
        const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, stride, pad), tensor(
          tf.maxPool(x as tf.Tensor4D, size, stride, pad).shape, 10)));
        return [tf.grad(f)(x)];
      });
      assert.ok(err < TOL, `rel err ${err}`);
    });
  }

  it("Identity and Cast share data but stay independent tensors", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor([1, 2, 3]);
    const y = tf.clone(x), z = tf.cast(x, "float32"), i = tf.cast(x, "int32");
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(z.dataSync()), [1, 2, 3]);
    assert.equal(i.dtype, "int32");
    assert.deepEqual(Array.from(i.dataSync()), [1, 2, 3]);
    tf.dispose([y, z, i]);
  });
});
