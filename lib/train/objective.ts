/**
 * What a training step minimises, from the model's logits. A model may have
 * outputs that are not classes (Deep Gamblers' abstention output): `classes`
 * says how many leading outputs are, and training accuracy is the arg-max
 * over those.
 */
import * as tf from "@tensorflow/tfjs";

export interface Objective {
  name: string;
  /** Leading class outputs among `outputs` logits. */
  classes(outputs: number): number;
  /** Mean loss over the batch; `indices` are the batch's sample indices in the training set (for per-sample state such as groups). */
  loss(logits: tf.Tensor2D, labels: tf.Tensor1D, indices: readonly number[]): tf.Scalar;
}

/** Softmax cross-entropy over the first `outputs - extraOutputs` logits (all of them by default). */
export function crossEntropy(extraOutputs = 0): Objective {
  const classes = (outputs: number) => outputs - extraOutputs;
  return {
    name: extraOutputs ? `cross-entropy over the class outputs` : "cross-entropy",
    classes,
    loss: (logits, labels) =>
      tf.tidy(() => {
        const k = classes(logits.shape[1]);
        const classLogits = extraOutputs ? tf.slice(logits, [0, 0], [-1, k]) : logits;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, k), classLogits) as tf.Scalar;
      }),
  };
}

export const CROSS_ENTROPY = crossEntropy();

/**
 * Deep Gamblers (Liu et al., NeurIPS 2019): k class outputs and one
 * abstention output under one softmax; the loss is
 * -mean log(P(y|x) + P(abstain|x) / payoff), with payoff o in (1, k].
 * Computed in log space: log(a + b/o) = logaddexp(log a, log b - log o).
 */
export function gamblersLoss(payoff: number): Objective {
  if (!(payoff > 1)) throw new RangeError(`Deep Gamblers payoff ${payoff} must be above 1`);
  return {
    name: `gambler's loss (payoff ${payoff})`,
    classes: (outputs) => outputs - 1,
    loss: (logits, labels) =>
      tf.tidy(() => {
        const outputs = logits.shape[1];
        const logP = tf.logSoftmax(logits);
        const logTrue = tf.sum(tf.mul(logP, tf.oneHot(labels, outputs)), 1);
        const logAbstain = tf.sub(tf.squeeze(tf.slice(logP, [0, outputs - 1], [-1, 1]), [1]), Math.log(payoff));
        const top = tf.maximum(logTrue, logAbstain);
        const logGain = tf.add(top, tf.log(tf.add(tf.exp(tf.sub(logTrue, top)), tf.exp(tf.sub(logAbstain, top)))));
        return tf.neg(tf.mean(logGain)) as tf.Scalar;
      }),
  };
}

/**
 * Online Group DRO (Sagawa et al., ICLR 2020), the paper's comparison row
 * that trains with group labels. Per batch: the mean cross-entropy of each
 * group (0 for a group absent from the batch), the group weights
 * q <- q * exp(stepSize * groupLoss) renormalised, and the loss
 * sum_g q_g * groupLoss_g. `groups` holds every training sample's group.
 */
export function groupDro(groups: Int32Array, numGroups: number, stepSize = 0.01): Objective & { weights(): number[] } {
  const q = new Float64Array(numGroups).fill(1 / numGroups);
  return {
    name: `Group DRO (step size ${stepSize})`,
    classes: (outputs) => outputs,
    weights: () => Array.from(q),
    loss: (logits, labels, indices) =>
      tf.tidy(() => {
        const perSample = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits, undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D;
        const membership = tf.oneHot(tf.tensor1d(Int32Array.from(indices, (i) => groups[i]), "int32"), numGroups).transpose() as tf.Tensor2D;
        const counts = tf.maximum(tf.sum(membership, 1), 1);
        const groupLoss = tf.div(tf.squeeze(tf.matMul(membership, tf.expandDims(perSample, 1)), [1]), counts);
        // The weights follow the detached group losses, as in the reference implementation.
        const values = groupLoss.dataSync();
        let total = 0;
        for (let g = 0; g < numGroups; g++) total += q[g] *= Math.exp(stepSize * values[g]);
        for (let g = 0; g < numGroups; g++) q[g] /= total;
        return tf.sum(tf.mul(groupLoss, tf.tensor1d(Float32Array.from(q)))) as tf.Scalar;
      }),
  };
}
