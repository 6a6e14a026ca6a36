/**
 * Gradient of Mean, used on the wasm backend in place of tfjs-core's.
 *
 * tfjs-core builds dx = (dy * ones(x.shape)) / n: a full-size Fill, a
 * broadcasting Multiply and a full-size Div. Here dy / n (small) is
 * broadcast once with tf.broadcastTo (the Tile kernel, which the kit makes a
 * single XNNPACK outer product on wasm, see tile.ts). tf.moments calls Mean
 * twice per batch-norm layer, so this is on the hot path of every BN layer.
 * Other backends keep the original gradient.
 */
import * as tf from "@tensorflow/tfjs";

export function meanGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: "Mean",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== "wasm") return original.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const keptShape = x.shape.slice();
      let n = 1;
      for (const a of axes) {
        n *= x.shape[a];
        keptShape[a] = 1;
      }
      return {
        x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, keptShape), tf.scalar(n)), x.shape),
      };
    },
  };
}
