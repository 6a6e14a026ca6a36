/**
 * FusedBatchNorm (tf.batchNorm's forward) for the wasm backend, replacing the
 * stock kernel (~3 ns per element; 13-14 ms of a SmallCNN training step).
 *
 *   out = offset + (x - mean) * scale / sqrt(variance + eps)
 *
 * with mean, variance, scale, offset broadcast cyclically over x, as the cpu
 * backend does. When all four have the same length C (per-channel vectors, the
 * tf.layers case) the factor scale / sqrt(variance + eps) is computed once
 * per channel and one JS pass over x does the rest; other shapes go to stock.
 */
import * as tf from "@tensorflow/tfjs";
import { TensorInfo, backendOf, heapF32, stockKernel } from "./util";

interface Args {
  inputs: { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo; offset?: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

export function fusedBatchNorm(args: Args): TensorInfo {
  const { x, mean, variance, scale, offset } = args.inputs;
  const backend = backendOf(args.backend);
  const c = tf.util.sizeFromShape(mean.shape);
  const n = tf.util.sizeFromShape(x.shape);
  const same = (t?: TensorInfo) => t === undefined || tf.util.sizeFromShape(t.shape) === c;
  if (x.dtype !== "float32" || c === 0 || n % c !== 0 || !same(variance) || !same(scale) || !same(offset)) {
    return stockKernel("FusedBatchNorm")(args as never) as TensorInfo;
  }
  const eps = (args.attrs.varianceEpsilon as number | undefined) ?? 0.001;
  const out = backend.makeOutput(x.shape.slice(), "float32");
  const xs = heapF32(backend, x), o = heapF32(backend, out);
  const m = heapF32(backend, mean), v = heapF32(backend, variance);
  const s = scale ? heapF32(backend, scale) : undefined, b = offset ? heapF32(backend, offset) : undefined;
  const k = new Float64Array(c), mu = new Float64Array(c), beta = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    k[j] = (s ? s[j] : 1) / Math.sqrt(v[j] + eps);
    mu[j] = m[j];
    beta[j] = b ? b[j] : 0;
  }
  // Four channels at a time, their constants in locals, striding over the
  // pixels (~1.4 ms for 128x26x26x16, against ~4 ms pixel by pixel).
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const k0 = k[j], k1 = k[j + 1], k2 = k[j + 2], k3 = k[j + 3];
    const m0 = mu[j], m1 = mu[j + 1], m2 = mu[j + 2], m3 = mu[j + 3];
    const b0 = beta[j], b1 = beta[j + 1], b2 = beta[j + 2], b3 = beta[j + 3];
    for (let i = j; i < n; i += c) {
      o[i] = b0 + (xs[i] - m0) * k0;
      o[i + 1] = b1 + (xs[i + 1] - m1) * k1;
      o[i + 2] = b2 + (xs[i + 2] - m2) * k2;
      o[i + 3] = b3 + (xs[i + 3] - m3) * k3;
    }
  }
  for (; j < c; j++) {
    const kj = k[j], mj = mu[j], bj = beta[j];
    for (let i = j; i < n; i += c) o[i] = bj + (xs[i] - mj) * kj;
  }
  return out;
}
