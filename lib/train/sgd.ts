/**
 * One optimisation step: SGD with momentum and (coupled, PyTorch-style) weight
 * decay on every trainable weight, softmax cross-entropy on the logits.
 *
 * The objective is loss = CE + wd/2 * sum(w^2). Its weight-decay part has the
 * gradient wd * w, which is added to each variable's cross-entropy gradient
 * directly (as torch.optim.SGD(weight_decay=wd) does) instead of through
 * autodiff of the sum of squares; the update is then torch's momentum SGD
 * (no dampening, no Nesterov), the same as tf.train.momentum:
 *
 *   g = dCE/dw + wd * w;   acc = momentum * acc + g;   w = w - lr * acc
 *
 * On the wasm backend with the kit's kernels this is one kernel per variable
 * ("MasktuneSgdMomentum", lib/wasm/sgd-momentum.ts); elsewhere the same
 * formula as tf ops. Both round every operation to float32, identically.
 */
import * as tf from "@tensorflow/tfjs";
import { Classifier } from "../models/classifier";
import { SGD_MOMENTUM } from "../wasm/sgd-momentum";

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
  private readonly variables: tf.Variable[];
  /** Momentum buffers, created (as zeros) on the first step like torch's. */
  private accumulators: tf.Tensor[] | undefined;
  private learningRate: number;

  constructor(
    private readonly classifier: Classifier,
    private readonly config: SgdConfig,
    learningRate: number,
  ) {
    this.learningRate = learningRate;
    this.variables = classifier.model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  step(images: tf.Tensor4D, labels: tf.Tensor1D): StepResult {
    const numClasses = this.classifier.model.outputs[0].shape[1] as number;
    let correct: tf.Scalar | undefined;
    const { value: crossEntropy, grads } = tf.variableGrads(() => {
      const logits = this.classifier.model.apply(images, { training: true }) as tf.Tensor2D;
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), "int32")) as tf.Scalar);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits) as tf.Scalar;
    }, this.variables);
    this.update(grads);
    const result = { loss: crossEntropy.dataSync()[0], correct: correct!.dataSync()[0] };
    tf.dispose([crossEntropy, correct!]);
    return result;
  }

  /** Applies one momentum-SGD update with weight decay; disposes `grads`. */
  private update(grads: tf.NamedTensorMap): void {
    const { momentum, weightDecay } = this.config;
    this.accumulators ??= this.variables.map((v) => tf.keep(tf.zerosLike(v)));
    const fused = tf.getKernel(SGD_MOMENTUM, tf.getBackend()) !== undefined;
    this.variables.forEach((v, i) => {
      const g = grads[v.name];
      const acc = this.accumulators![i];
      const [w, next] = fused
        ? (tf.engine().runKernel(SGD_MOMENTUM, { w: v, g, acc }, { lr: this.learningRate, momentum, weightDecay }) as tf.Tensor[])
        : tf.tidy(() => {
            const decayed = weightDecay === 0 ? g : tf.add(g, tf.mul(v, weightDecay));
            const a = tf.add(tf.mul(acc, momentum), decayed);
            return [tf.add(tf.mul(a, -this.learningRate), v), a];
          });
      v.assign(w);
      tf.dispose([w, g, acc]);
      this.accumulators![i] = next;
    });
  }

  dispose(): void {
    if (this.accumulators) tf.dispose(this.accumulators);
    this.accumulators = undefined;
  }
}
