/**
 * Tile for the wasm backend, replacing the stock kernel (a generic per-element
 * index loop: ~100 ms to broadcast a [1,1,1,16] vector to 128x26x26x16) for
 * the case that matters in training: a tensor broadcast along a block of
 * size-1 axes (what tf.broadcastTo and the batch-norm/mean gradients produce).
 *
 * With x viewed as [B, 1, S] (B = the axes before the block, S = the axes
 * after it) and R the product of the repetitions, the output [B, R, S] is the
 * outer product ones[R,1] x x[1,S] in each batch: one XNNPACK matmul with
 * K = 1, exact (each output is 1 * x). Anything else goes to the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { Scope, TensorInfo, backendOf, stockKernel, view } from "./util";

interface Args {
  inputs: { x: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);

export function tile(args: Args): TensorInfo {
  const { x } = args.inputs;
  const reps = args.attrs.reps as number[];
  const tiled = reps.map((r, i) => (r !== 1 ? i : -1)).filter((i) => i >= 0);
  const first = tiled[0], last = tiled[tiled.length - 1];
  const ok = x.dtype === "float32" && tiled.length > 0 && prod(x.shape) > 0 &&
    x.shape.slice(first, last + 1).every((d) => d === 1);
  if (!ok) return stockKernel("Tile")(args as never) as TensorInfo;

  const outShape = x.shape.map((d, i) => d * reps[i]);
  const b = prod(x.shape.slice(0, first));
  const r = prod(reps.slice(first, last + 1));
  const sz = prod(x.shape.slice(last + 1));
  const s = new Scope(backendOf(args.backend));
  try {
    const ones = s.run("Fill", {}, { shape: [1, r, 1], value: 1, dtype: "float32" });
    const out = s.run("BatchMatMul", { a: ones, b: view(x, [b, 1, sz]) }, { transposeA: false, transposeB: false });
    return view(s.keep(out), outShape);
  } finally {
    s.dispose();
  }
}
