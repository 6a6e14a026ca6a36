/**
 * Gradient of FusedBatchNorm (tf.batchNorm), used on the wasm backend in
 * place of tfjs-core's.
 *
 * tfjs-core's version materialises 1/sqrt(var+eps) at the full size of x
 * with tf.tile (slow on wasm: ~100 ms for a 128x26x26x16 activation) and
 * computes the per-channel reductions with several full-size temporaries.
 * Here every per-channel factor stays a [C] vector that broadcasts, and the
 * two reductions that the five partials share (sum(dy) and
 * sum(dy * (x - mean))) are computed once:
 *
 *   k = scale / sqrt(var + eps)
 *   dx = dy * k            dmean = -k * sum(dy)     doffset = sum(dy)
 *   dscale = sum(dy*(x-mean)) / sqrt(var+eps)
 *   dvar = -0.5 * k / (var + eps) * sum(dy*(x-mean))
 *
 * Both sums come from one pass of the kit kernel MasktuneBatchNormGradSums
 * (batchnorm-sums.ts) when the statistics are per last-axis channel (the
 * batch-norm layer case), else from plain tf ops. It only takes over while
 * the wasm backend is active; elsewhere the original gradient runs unchanged.
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_GRAD_SUMS } from "./batchnorm-sums";

export function fusedBatchNormGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: "FusedBatchNorm",
    inputsToSave: ["x", "mean", "variance", "scale"],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== "wasm") return original.gradFunc(dy, saved, attrs);
      const g = dy as tf.Tensor;
      const [x, mean, variance, scale] = saved;
      const eps = attrs.varianceEpsilon as number;
      const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const sumToMean = (t: tf.Tensor): tf.Tensor => tf.reshape(axes.length ? tf.sum(t, axes) : t, mean.shape);

      // Computed here rather than inside the closures: each closure runs in
      // its own tidy, while these live until the backward pass ends.
      const rs = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
      const k = scale == null ? rs : tf.mul(rs, scale);
      const c = x.shape[x.shape.length - 1];
      let sumDy: tf.Tensor, sumDyXm: tf.Tensor;
      if (mean.size === c && axes.length === x.rank - 1 && x.dtype === "float32" && g.dtype === "float32") {
        const sums = tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { dy: g, x, mean }, {}) as tf.Tensor;
        [sumDy, sumDyXm] = tf.unstack(sums).map((t) => tf.reshape(t, mean.shape));
      } else {
        sumDy = sumToMean(g);
        sumDyXm = tf.tidy(() => sumToMean(tf.mul(g, tf.sub(x, mean))));
      }
      return {
        x: () => tf.mul(g, k),
        mean: () => tf.neg(tf.mul(k, sumDy)),
        variance: () => tf.mul(tf.mul(tf.mul(k, tf.square(rs)), tf.scalar(-0.5)), sumDyXm),
        scale: () => tf.mul(sumDyXm, rs),
        offset: () => tf.clone(sumDy),
      };
    },
  };
}
