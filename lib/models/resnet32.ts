/**
 * ResNet-32 for 32x32x3 inputs, the CIFAR ResNet of He et al. 2016 (§4.2):
 * conv3x3 16 → BN → ReLU, three stages of 5 basic blocks with 16, 32 and 64
 * filters (stride 2 in the first block of stages 2 and 3), global average
 * pooling, dense numClasses. 6n+2 = 32 layers with n = 5.
 *
 * Basic block: conv3x3 → BN → ReLU → conv3x3 → BN, plus the shortcut, → ReLU.
 * Shortcuts are the paper's option A: identity, and where the shape changes,
 * x[:, ::2, ::2, :] with the new channels as zeros (no parameters). The zeros
 * go half before and half after the old channels, as in the widely used
 * PyTorch CIFAR ResNet (F.pad(x[:, :, ::2, ::2], (0,0,0,0, C/4, C/4))).
 *
 * Stride-2 convs pad one row/col on every side (explicit ZeroPadding2D, then
 * 'valid'), as PyTorch's padding=1; tf's 'same' would pad bottom/right only,
 * so the conv windows would no longer be centred on the subsampled shortcut.
 *
 * Convs have no bias (batch-norm follows). Initialisation and batch-norm as
 * in small-cnn.ts: PyTorch-default uniform ±1/sqrt(fan_in) weights from
 * seeded initialisers, zero biases, BN momentum 0.1 (Keras 0.9), eps 1e-5.
 * Trainable parameters with 10 classes: 464,154 (the paper's "0.46M").
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { batchNorm } from "./batch-norm";
import { Classifier } from "./classifier";

export interface ResNet32Options {
  inputShape: readonly [number, number, number];
  numClasses: number;
  seed: number;
}

/**
 * Option-A shortcut when a block halves the resolution and adds channels:
 * keeps every second row and column (starting at 0) and zero-pads the channel
 * axis by `pad` on each side. No weights.
 */
export class SubsamplePadShortcut extends tf.layers.Layer {
  static readonly className = "SubsamplePadShortcut";
  private readonly pad: number;

  constructor(config: { pad: number; name?: string }) {
    super(config);
    this.pad = config.pad;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as tf.Shape;
    const half = (d: number | null) => (d === null ? null : Math.ceil(d / 2));
    return [n, half(h), half(w), c === null ? null : c + 2 * this.pad];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      if (h % 2 || w % 2) x = tf.pad(x, [[0, 0], [0, h % 2], [0, w % 2], [0, 0]]);
      const h2 = Math.ceil(h / 2), w2 = Math.ceil(w / 2);
      // [N, H, W, C] as [N*H/2, 2, W/2, 2C]: row parity on axis 1, column parity
      // in the two halves of the last axis; keep parity 0 of both (4-D slice).
      const even = tf.slice(tf.reshape(x, [n * h2, 2, w2, 2 * c]), [0, 0, 0, 0], [n * h2, 1, w2, c]);
      return tf.pad(tf.reshape(even, [n, h2, w2, c]), [[0, 0], [0, 0], [0, 0], [this.pad, this.pad]]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pad: this.pad };
  }
}
tf.serialization.registerClass(SubsamplePadShortcut);

export function resnet32({ inputShape, numClasses, seed }: ResNet32Options): Classifier {
  const rng = Rng.for(seed, "init");
  const weights = () => tf.initializers.varianceScaling({ scale: 1 / 3, mode: "fanIn", distribution: "uniform", seed: rng.seed() });
  const bn = (name: string) => batchNorm({ name, momentum: 0.9, epsilon: 1e-5 });
  const relu = (name: string) => tf.layers.activation({ name, activation: "relu" });
  const conv = (x: tf.SymbolicTensor, name: string, filters: number, stride: number): tf.SymbolicTensor => {
    const padded = stride === 1 ? x : (tf.layers.zeroPadding2d({ name: `${name}_pad`, padding: 1 }).apply(x) as tf.SymbolicTensor);
    return tf.layers.conv2d({
      name, filters, kernelSize: 3, strides: stride, padding: stride === 1 ? "same" : "valid",
      useBias: false, kernelInitializer: weights(),
    }).apply(padded) as tf.SymbolicTensor;
  };

  const input = tf.input({ shape: [...inputShape], name: "input" });
  let x = relu("relu1").apply(bn("bn1").apply(conv(input, "conv1", 16, 1))) as tf.SymbolicTensor;
  const stages = [16, 32, 64];
  stages.forEach((filters, s) => {
    for (let b = 0; b < 5; b++) {
      const name = `stage${s + 1}_block${b + 1}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      const inFilters = x.shape[3] as number;
      let y = relu(`${name}_relu1`).apply(bn(`${name}_bn1`).apply(conv(x, `${name}_conv1`, filters, stride))) as tf.SymbolicTensor;
      y = bn(`${name}_bn2`).apply(conv(y, `${name}_conv2`, filters, 1)) as tf.SymbolicTensor;
      const shortcut = stride === 1 && inFilters === filters
        ? x
        : (new SubsamplePadShortcut({ name: `${name}_shortcut`, pad: (filters - inFilters) / 2 }).apply(x) as tf.SymbolicTensor);
      x = relu(`${name}_relu2`).apply(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut])) as tf.SymbolicTensor;
    }
  });
  const camLayer = x.sourceLayer.name; // stage3_block5_relu2, 8x8x64 for 32x32 inputs
  const pooled = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: "logits", units: numClasses, kernelInitializer: weights() }).apply(pooled) as tf.SymbolicTensor;
  return { architecture: "resnet32", model: tf.model({ name: "resnet32", inputs: input, outputs: out }), camLayer };
}
