/**
 * Two kit-only wasm kernels behind the kit's training batch-norm op
 * (lib/models/batch-norm.ts), for x of shape [..., C] with statistics per
 * last-axis channel over the other axes (M values per channel):
 *
 *   MasktuneBatchMoments         x -> [2, C]: row 0 the mean, row 1 the biased
 *                                variance sum((x - mean)^2) / M
 *   MasktuneBatchNormTrainingGrad dy, x, mean, variance, scale -> dx, dscale, doffset
 *                                of y = offset + scale * (x - mean) / sqrt(variance + eps)
 *                                with mean and variance the batch's own, so
 *                                dx includes their dependence on x:
 *
 *     rs = 1 / sqrt(variance + eps), S1 = sum(dy), S2 = sum(dy * (x - mean))
 *     doffset = S1    dscale = S2 * rs
 *     dx = scale * rs * (dy - S1 / M - (x - mean) * rs^2 * S2 / M)
 *
 * tf.moments and the gradient flowing back through it take ~15 full-size
 * passes per layer as separate ops (Mean, Sub, Square, Mean forward; Tile,
 * Multiply, Sum, Add backward); these take two passes forward and two
 * backward. Sums are double precision; the mean is rounded to float32 before
 * the variance pass, as tf.moments does.
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormGradSums } from "./batchnorm-sums";
import { TensorInfo, backendOf, heapF32 } from "./util";

export const BATCH_MOMENTS = "MasktuneBatchMoments";
export const BATCH_NORM_TRAINING_GRAD = "MasktuneBatchNormTrainingGrad";

function channels(x: TensorInfo, name: string): { c: number; n: number } {
  const c = x.shape[x.shape.length - 1];
  const n = tf.util.sizeFromShape(x.shape);
  if (x.dtype !== "float32" || x.shape.length < 2 || c === 0 || n === 0) {
    throw new Error(`${name}: needs a non-empty float32 tensor [..., C]; got ${x.dtype} [${x.shape}]`);
  }
  return { c, n };
}

export function batchMoments(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const { x } = args.inputs;
  const backend = backendOf(args.backend);
  const { c, n } = channels(x, BATCH_MOMENTS);
  const count = n / c;
  const out = backend.makeOutput([2, c], "float32");
  const xs = heapF32(backend, x), o = heapF32(backend, out);
  // Four channels at a time in local accumulators, as in batchnorm-sums.ts.
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let i = j; i < n; i += c) { a0 += xs[i]; a1 += xs[i + 1]; a2 += xs[i + 2]; a3 += xs[i + 3]; }
    const m0 = Math.fround(a0 / count), m1 = Math.fround(a1 / count), m2 = Math.fround(a2 / count), m3 = Math.fround(a3 / count);
    let v0 = 0, v1 = 0, v2 = 0, v3 = 0;
    for (let i = j; i < n; i += c) {
      const d0 = xs[i] - m0, d1 = xs[i + 1] - m1, d2 = xs[i + 2] - m2, d3 = xs[i + 3] - m3;
      v0 += d0 * d0; v1 += d1 * d1; v2 += d2 * d2; v3 += d3 * d3;
    }
    o[j] = m0; o[j + 1] = m1; o[j + 2] = m2; o[j + 3] = m3;
    o[c + j] = v0 / count; o[c + j + 1] = v1 / count; o[c + j + 2] = v2 / count; o[c + j + 3] = v3 / count;
  }
  for (; j < c; j++) {
    let a = 0;
    for (let i = j; i < n; i += c) a += xs[i];
    const m = Math.fround(a / count);
    let v = 0;
    for (let i = j; i < n; i += c) v += (xs[i] - m) * (xs[i] - m);
    o[j] = m;
    o[c + j] = v / count;
  }
  return out;
}

interface GradArgs {
  inputs: { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

export function batchNormTrainingGrad(args: GradArgs): TensorInfo[] {
  const { dy, x, mean, variance, scale } = args.inputs;
  const backend = backendOf(args.backend);
  const { c, n } = channels(x, BATCH_NORM_TRAINING_GRAD);
  const count = n / c;
  const eps = args.attrs.varianceEpsilon as number;
  const sums = batchNormGradSums({ inputs: { dy, x, mean }, backend });
  const dx = backend.makeOutput(x.shape.slice(), "float32");
  const dscale = backend.makeOutput([c], "float32");
  const doffset = backend.makeOutput([c], "float32");
  // Views only now: makeOutput may grow (and detach) the heap.
  const s = heapF32(backend, sums), g = heapF32(backend, dy), xs = heapF32(backend, x);
  const m = heapF32(backend, mean), v = heapF32(backend, variance), gamma = heapF32(backend, scale);
  const dxs = heapF32(backend, dx), ds = heapF32(backend, dscale), dof = heapF32(backend, doffset);
  // dx = a * dy + b + k * (x - mean), per channel.
  const a = new Float64Array(c), b = new Float64Array(c), k = new Float64Array(c), mu = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const rs = 1 / Math.sqrt(v[j] + eps);
    a[j] = gamma[j] * rs;
    b[j] = (-a[j] * s[j]) / count;
    k[j] = (-a[j] * rs * rs * s[c + j]) / count;
    mu[j] = m[j];
    ds[j] = s[c + j] * rs;
    dof[j] = s[j];
  }
  backend.disposeData(sums.dataId);
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const a0 = a[j], a1 = a[j + 1], a2 = a[j + 2], a3 = a[j + 3];
    const b0 = b[j], b1 = b[j + 1], b2 = b[j + 2], b3 = b[j + 3];
    const k0 = k[j], k1 = k[j + 1], k2 = k[j + 2], k3 = k[j + 3];
    const m0 = mu[j], m1 = mu[j + 1], m2 = mu[j + 2], m3 = mu[j + 3];
    for (let i = j; i < n; i += c) {
      dxs[i] = a0 * g[i] + b0 + k0 * (xs[i] - m0);
      dxs[i + 1] = a1 * g[i + 1] + b1 + k1 * (xs[i + 1] - m1);
      dxs[i + 2] = a2 * g[i + 2] + b2 + k2 * (xs[i + 2] - m2);
      dxs[i + 3] = a3 * g[i + 3] + b3 + k3 * (xs[i + 3] - m3);
    }
  }
  for (; j < c; j++) {
    const aj = a[j], bj = b[j], kj = k[j], mj = mu[j];
    for (let i = j; i < n; i += c) dxs[i] = aj * g[i] + bj + kj * (xs[i] - mj);
  }
  return [dx, dscale, doffset];
}
