/**
 * SmallCNN of the MaskTune authors' MNIST experiments: four 3x3 valid convs
 * (16, 16, 32, 32) each with batch-norm and ReLU, a max-pool after every two,
 * then dense 256 → BN → ReLU → dense numClasses.
 *
 * Initialisation follows PyTorch's defaults for conv and linear weights
 * (uniform ±1/sqrt(fan_in)) with seeded initialisers; biases start at zero.
 * Batch-norm uses PyTorch's momentum (0.1, i.e. Keras 0.9) and eps 1e-5.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random";
import { batchNorm } from "./batch-norm";
import { Classifier } from "./classifier";

/** Architecture name and CAM layer, for reloading a checkpoint as a Classifier. */
export const SMALL_CNN: Omit<Classifier, "model"> = { architecture: "small-cnn", camLayer: "relu4" };

export interface SmallCnnOptions {
  inputShape: readonly [number, number, number];
  numClasses: number;
  seed: number;
}

export function smallCnn({ inputShape, numClasses, seed }: SmallCnnOptions): Classifier {
  const rng = Rng.for(seed, "init");
  const weights = () => tf.initializers.varianceScaling({ scale: 1 / 3, mode: "fanIn", distribution: "uniform", seed: rng.seed() });
  const bn = (name: string) => batchNorm({ name, momentum: 0.9, epsilon: 1e-5 });
  const conv = (name: string, filters: number, first = false) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: "valid",
      kernelInitializer: weights(),
      ...(first ? { inputShape: [...inputShape] } : {}),
    });
  const relu = (name: string) => tf.layers.activation({ name, activation: "relu" });

  const model = tf.sequential({
    name: "small_cnn",
    layers: [
      conv("conv1", 16, true), bn("bn1"), relu("relu1"),
      conv("conv2", 16), bn("bn2"), relu("relu2"),
      tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 }),
      conv("conv3", 32), bn("bn3"), relu("relu3"),
      conv("conv4", 32), bn("bn4"), relu("relu4"),
      tf.layers.maxPooling2d({ name: "pool2", poolSize: 2 }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ name: "fc1", units: 256, kernelInitializer: weights() }),
      bn("bn5"), relu("relu5"),
      tf.layers.dense({ name: "logits", units: numClasses, kernelInitializer: weights() }),
    ],
  });
  return { ...SMALL_CNN, model };
}
