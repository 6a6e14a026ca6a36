/**
 * BatchMatMul for the wasm backend. The stock kernel is fast (XNNPACK) only
 * without transposes; with transposeA or transposeB it falls back to a slow
 * loop (~13x slower for a [73728,144]^T x [73728,16] product). The gradients
 * of every matMul/dense layer use exactly those transposed forms, so here the
 * operands are transposed explicitly (a cheap copy) and the stock kernel runs
 * untransposed.
 */
import * as tf from "@tensorflow/tfjs";
import { Scope, TensorInfo, backendOf, stockKernel } from "./util";

interface Args {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

function swapLastTwo(s: Scope, t: TensorInfo): TensorInfo {
  const r = t.shape.length;
  const perm = t.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return s.run("Transpose", { x: t }, { perm });
}

export function batchMatMul(args: Args): TensorInfo {
  const { transposeA, transposeB } = args.attrs;
  if (!transposeA && !transposeB) return stockKernel("BatchMatMul")(args as never) as TensorInfo;
  const s = new Scope(backendOf(args.backend));
  try {
    const a = transposeA ? swapLastTwo(s, args.inputs.a) : args.inputs.a;
    const b = transposeB ? swapLastTwo(s, args.inputs.b) : args.inputs.b;
    return s.keep(s.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false }));
  } finally {
    s.dispose();
  }
}
