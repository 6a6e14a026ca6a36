/**
 * One optimisation step: SGD with momentum and (coupled, PyTorch-style) weight
 * decay on every trainable weight, softmax cross-entropy on the logits.
 * Weight decay wd is added to the loss as wd/2 * sum(w^2), whose gradient
 * wd * w is what torch.optim.SGD(weight_decay=wd) adds to each gradient.
 */
import * as tf from "@tensorflow/tfjs";
import { Classifier } from "../models/classifier";

export interface SgdConfig {
  momentum: number;
  weightDecay: number;
}

export const PAPER_SGD: SgdConfig = { momentum: 0.9, weightDecay: 1e-4 };

export interface StepResult {
  /** Mean cross-entropy of the batch (without the weight-decay term). */
  loss: number;
  /** Correctly classified samples in the batch (training-mode forward pass). */
  correct: number;
}

export class SgdTrainer {
  private readonly optimizer: tf.MomentumOptimizer;
  private readonly variables: tf.Variable[];

  constructor(
    private readonly classifier: Classifier,
    private readonly config: SgdConfig,
    learningRate: number,
  ) {
    this.optimizer = tf.train.momentum(learningRate, config.momentum);
    this.variables = classifier.model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  setLearningRate(lr: number): void {
    this.optimizer.setLearningRate(lr);
  }

  step(images: tf.Tensor4D, labels: tf.Tensor1D): StepResult {
    const numClasses = this.classifier.model.outputs[0].shape[1] as number;
    let crossEntropy: tf.Scalar | undefined;
    let correct: tf.Scalar | undefined;
    const total = this.optimizer.minimize(
      () => {
        const logits = this.classifier.model.apply(images, { training: true }) as tf.Tensor2D;
        crossEntropy = tf.keep(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits) as tf.Scalar);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), "int32")) as tf.Scalar);
        const decay = tf.addN(this.variables.map((v) => tf.sum(tf.square(v))));
        return tf.add(crossEntropy, tf.mul(decay, this.config.weightDecay / 2)) as tf.Scalar;
      },
      true,
      this.variables,
    );
    const result = { loss: crossEntropy!.dataSync()[0], correct: correct!.dataSync()[0] };
    tf.dispose([total!, crossEntropy!, correct!]);
    return result;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
