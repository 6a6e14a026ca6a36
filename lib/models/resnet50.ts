/**
 * ResNet-50 with the topology and layer names of Keras' ResNet50
 * (keras/src/applications/resnet.py, "v1"), so ImageNet weights converted
 * from Keras load by name (imagenet-weights.ts); datasets.md §8.
 *
 *   preprocess (RGB in [0, 1] → what the weights expect, preprocess.ts)
 *   conv1_pad (3) → conv1_conv 7x7/2, 64 → conv1_bn → conv1_relu
 *   pool1_pad (1) → pool1_pool max 3x3/2
 *   conv2..conv5: 3, 4, 6, 3 bottleneck blocks of 64, 128, 256, 512 filters;
 *     conv{s}_block{b}: _1_conv 1x1 (carries the stride: v1, not torchvision's
 *     v1.5) → _1_bn → _1_relu → _2_conv 3x3 same → _2_bn → _2_relu →
 *     _3_conv 1x1, 4·filters → _3_bn; block 1 has the projection shortcut
 *     _0_conv 1x1 (same stride) → _0_bn; _add([shortcut, y]) → _out (ReLU).
 *     Stride 1 in conv2, 2 in the first block of conv3..conv5.
 *   avg_pool (global average) → head_logits (dense numClasses)
 *
 * The head is new and deliberately not called "predictions", so ImageNet's
 * 1000-way layer is never loaded into it. The CAM layer is conv5_block3_out,
 * MaskTune's model.layer4[-1].
 *
 * As in Keras, convolutions have biases and batch-norm eps is 1.001e-5.
 * Batch-norm momentum is 0.9 (PyTorch's 0.1), not Keras' 0.99: MaskTune
 * fine-tunes with PyTorch, and the kit's other models use the same value.
 * Kernels start PyTorch-style (uniform ±1/sqrt(fan_in), seeded), biases at 0,
 * as in small-cnn.ts; pretrained weights replace all but the head.
 *
 * Parameters with 1000 classes: 25,636,712 in all as Keras reports, of which
 * 25,583,592 trainable and 53,120 batch-norm moving statistics.
 */
import * as tf from "@tensorflow/tfjs";
import { KitError } from "../errors";
import { Rng } from "../random";
import { batchNorm } from "./batch-norm";
import { Classifier } from "./classifier";
import { ImagenetPreprocessing, Preprocessing } from "./preprocess";

export interface ResNet50Options {
  inputShape: readonly [number, number, number];
  numClasses: number;
  seed: number;
  /** What the weights expect; "caffe" (the default) for Keras ImageNet weights. */
  preprocessing?: Preprocessing;
}

/** Name of the new classification layer. */
export const RESNET50_HEAD = "head_logits";

const STAGES = [
  { name: "conv2", filters: 64, blocks: 3, stride: 1 },
  { name: "conv3", filters: 128, blocks: 4, stride: 2 },
  { name: "conv4", filters: 256, blocks: 6, stride: 2 },
  { name: "conv5", filters: 512, blocks: 3, stride: 2 },
];

export function resnet50({ inputShape, numClasses, seed, preprocessing = "caffe" }: ResNet50Options): Classifier {
  const [height, width] = inputShape;
  if (height < 32 || width < 32) {
    throw new KitError("resnet50 inputShape", "at least 32x32 pixels (as Keras requires)", `${height}x${width}`, "Resize the images (224x224 is what the ImageNet weights saw).");
  }
  const rng = Rng.for(seed, "init");
  const weights = () => tf.initializers.varianceScaling({ scale: 1 / 3, mode: "fanIn", distribution: "uniform", seed: rng.seed() });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (x: tf.SymbolicTensor, name: string, filters: number, kernelSize: number, strides = 1, padding: "valid" | "same" = "valid") =>
    apply(tf.layers.conv2d({ name, filters, kernelSize, strides, padding, kernelInitializer: weights() }), x);
  const bn = (x: tf.SymbolicTensor, name: string) => apply(batchNorm({ name, momentum: 0.9, epsilon: 1.001e-5 }), x);
  const relu = (x: tf.SymbolicTensor, name: string) => apply(tf.layers.activation({ name, activation: "relu" }), x);

  const block = (x: tf.SymbolicTensor, name: string, filters: number, stride: number, projection: boolean) => {
    const shortcut = projection ? bn(conv(x, `${name}_0_conv`, 4 * filters, 1, stride), `${name}_0_bn`) : x;
    let y = relu(bn(conv(x, `${name}_1_conv`, filters, 1, stride), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(bn(conv(y, `${name}_2_conv`, filters, 3, 1, "same"), `${name}_2_bn`), `${name}_2_relu`);
    y = bn(conv(y, `${name}_3_conv`, 4 * filters, 1), `${name}_3_bn`);
    return relu(apply(tf.layers.add({ name: `${name}_add` }), [shortcut, y]), `${name}_out`);
  };

  const input = tf.input({ shape: [...inputShape], name: "input" });
  let x = apply(new ImagenetPreprocessing({ name: "preprocess", mode: preprocessing }), input);
  x = apply(tf.layers.zeroPadding2d({ name: "conv1_pad", padding: 3 }), x);
  x = relu(bn(conv(x, "conv1_conv", 64, 7, 2), "conv1_bn"), "conv1_relu");
  x = apply(tf.layers.zeroPadding2d({ name: "pool1_pad", padding: 1 }), x);
  x = apply(tf.layers.maxPooling2d({ name: "pool1_pool", poolSize: 3, strides: 2 }), x);
  for (const stage of STAGES) {
    for (let b = 1; b <= stage.blocks; b++) x = block(x, `${stage.name}_block${b}`, stage.filters, b === 1 ? stage.stride : 1, b === 1);
  }
  const camLayer = x.sourceLayer.name; // conv5_block3_out
  const pooled = apply(tf.layers.globalAveragePooling2d({ name: "avg_pool" }), x);
  const logits = apply(tf.layers.dense({ name: RESNET50_HEAD, units: numClasses, kernelInitializer: weights() }), pooled);
  return { architecture: "resnet50", model: tf.model({ name: "resnet50", inputs: input, outputs: logits }), camLayer };
}
