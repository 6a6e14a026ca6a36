/**
 * One optimisation step: forward in training mode, the objective's loss on
 * the logits, gradients of every trainable weight, and the optimiser's update
 * (lib/train/optimiser.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { Classifier } from "../models/classifier";
import { CROSS_ENTROPY, Objective } from "./objective";
import { OptimiserConfig, RuleState, UpdateRule, makeUpdateRule } from "./optimiser";

export interface StepResult {
  /** Mean loss of the batch (without the weight-decay term). */
  loss: number;
  /** Correctly classified samples in the batch (training-mode forward pass). */
  correct: number;
}

export class Trainer {
  private readonly variables: tf.Variable[];
  private readonly rule: UpdateRule;
  private lr: number;

  constructor(
    private readonly classifier: Classifier,
    readonly optimiser: OptimiserConfig,
    learningRate: number,
  ) {
    this.lr = learningRate;
    this.rule = makeUpdateRule(optimiser);
    this.variables = classifier.model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  setLearningRate(lr: number): void {
    this.lr = lr;
  }

  /** The rate the next step applies. */
  get learningRate(): number {
    return this.lr;
  }

  /** `indices`: the batch's sample indices, for objectives that keep per-sample state. */
  step(images: tf.Tensor4D, labels: tf.Tensor1D, objective: Objective = CROSS_ENTROPY, indices: readonly number[] = []): StepResult {
    let correct: tf.Scalar | undefined;
    const { value: loss, grads } = tf.variableGrads(() => {
      const logits = this.classifier.model.apply(images, { training: true }) as tf.Tensor2D;
      const k = objective.classes(logits.shape[1]);
      const classLogits = k === logits.shape[1] ? logits : tf.slice(logits, [0, 0], [-1, k]);
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(classLogits, -1), labels), "int32")) as tf.Scalar);
      return objective.loss(logits, labels, indices);
    }, this.variables);
    this.rule.apply(this.variables, grads, this.lr);
    const result = { loss: loss.dataSync()[0], correct: correct!.dataSync()[0] };
    tf.dispose([loss, correct!]);
    return result;
  }

  /** The optimiser's state (momentum buffers, moments, step count) as plain arrays. */
  exportState(): RuleState {
    return this.rule.exportState();
  }

  importState(state: RuleState): void {
    this.rule.importState(state, this.variables);
  }

  dispose(): void {
    this.rule.dispose();
  }
}
