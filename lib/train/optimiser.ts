/**
 * The update rules the paper's configurations use, both with PyTorch's
 * coupled weight decay (the decay term wd * w is added to the gradient before
 * the rule, as torch.optim does with `weight_decay`):
 *
 *   SGD:  g = dL/dw + wd * w;  acc = momentum * acc + g;  w = w - lr * acc
 *         (no dampening, no Nesterov; the same as tf.train.momentum)
 *   Adam: g = dL/dw + wd * w;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *         w = w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * On the wasm backend with the kit's kernels, SGD is one kernel per variable
 * ("MasktuneSgdMomentum", lib/wasm/sgd-momentum.ts); elsewhere the same
 * formula as tf ops. Both round every operation to float32, identically.
 */
import * as tf from "@tensorflow/tfjs";
import { SGD_MOMENTUM } from "../wasm/sgd-momentum";

export interface SgdConfig {
  kind: "sgd";
  momentum: number;
  weightDecay: number;
}

export interface AdamConfig {
  kind: "adam";
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export type OptimiserConfig = SgdConfig | AdamConfig;

/** SGD as in the paper's MNIST, CIFAR-10 and SVHN runs. */
export const PAPER_SGD: SgdConfig = { kind: "sgd", momentum: 0.9, weightDecay: 1e-4 };
/** Adam as in the paper's Cats-vs-Dogs run (torch defaults for betas and eps). */
export const PAPER_ADAM: AdamConfig = { kind: "adam", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4 };

export function describeOptimiser(o: OptimiserConfig): string {
  return o.kind === "sgd"
    ? `SGD momentum ${o.momentum}, weight decay ${o.weightDecay}`
    : `Adam betas (${o.beta1}, ${o.beta2}), eps ${o.epsilon}, weight decay ${o.weightDecay}`;
}

/** An update rule's state as plain arrays, e.g. for a resumable checkpoint. */
export interface RuleState {
  /** Steps taken (Adam's bias correction needs it). */
  step: number;
  /** State tensors' values in a fixed order; empty before the first step. */
  arrays: Float32Array[];
}

/** Applies one update to `variables`; owns its state (momentum buffers, moments). */
export interface UpdateRule {
  apply(variables: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): void;
  exportState(): RuleState;
  importState(state: RuleState, variables: readonly tf.Variable[]): void;
  dispose(): void;
}

/** State tensors as arrays, variable by variable. */
function exportTensors(state: tf.Tensor[][] | undefined): Float32Array[] {
  return (state ?? []).flat().map((t) => Float32Array.from(t.dataSync()));
}

/** Rebuilds per-variable state tensors (`perVariable` of them each) from arrays; undefined when there are none. */
function importTensors(arrays: Float32Array[], variables: readonly tf.Variable[], perVariable: number): tf.Tensor[][] | undefined {
  if (arrays.length === 0) return undefined;
  if (arrays.length !== variables.length * perVariable) throw new Error(`optimiser state holds ${arrays.length} arrays for ${variables.length} variables`);
  return variables.map((v, i) => Array.from({ length: perVariable }, (_, k) => tf.keep(tf.tensor(arrays[i * perVariable + k], v.shape))));
}

/** Replaces each state tensor with the next one and assigns the new weight; disposes the old tensors and the gradient. */
function commit(v: tf.Variable, g: tf.Tensor, newWeight: tf.Tensor, state: tf.Tensor[][], i: number, next: tf.Tensor[]): void {
  v.assign(newWeight);
  tf.dispose([newWeight, g, ...state[i]]);
  state[i] = next;
}

class SgdMomentum implements UpdateRule {
  /** Momentum buffers, created (as zeros) on the first step like torch's. */
  private state: tf.Tensor[][] | undefined;

  constructor(private readonly config: SgdConfig) {}

  apply(variables: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, weightDecay } = this.config;
    const state = (this.state ??= variables.map((v) => [tf.keep(tf.zerosLike(v))]));
    const fused = tf.getKernel(SGD_MOMENTUM, tf.getBackend()) !== undefined;
    variables.forEach((v, i) => {
      const g = grads[v.name];
      const [acc] = state[i];
      const [w, next] = fused
        ? (tf.engine().runKernel(SGD_MOMENTUM, { w: v, g, acc }, { lr, momentum, weightDecay }) as tf.Tensor[])
        : tf.tidy(() => {
            const decayed = weightDecay === 0 ? g : tf.add(g, tf.mul(v, weightDecay));
            const a = tf.add(tf.mul(acc, momentum), decayed);
            return [tf.add(tf.mul(a, -lr), v), a];
          });
      commit(v, g, w, state, i, [next]);
    });
  }

  exportState(): RuleState {
    return { step: 0, arrays: exportTensors(this.state) };
  }

  importState(state: RuleState, variables: readonly tf.Variable[]): void {
    this.dispose();
    this.state = importTensors(state.arrays, variables, 1);
  }

  dispose(): void {
    if (this.state) tf.dispose(this.state.flat());
    this.state = undefined;
  }
}

class Adam implements UpdateRule {
  private state: tf.Tensor[][] | undefined;
  private step = 0;

  constructor(private readonly config: AdamConfig) {}

  apply(variables: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const state = (this.state ??= variables.map((v) => [tf.keep(tf.zerosLike(v)), tf.keep(tf.zerosLike(v))]));
    this.step++;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    variables.forEach((v, i) => {
      const g = grads[v.name];
      const [m, s] = state[i];
      const [w, nextM, nextS] = tf.tidy(() => {
        const decayed = weightDecay === 0 ? g : tf.add(g, tf.mul(v, weightDecay));
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(decayed, 1 - beta1));
        const s1 = tf.add(tf.mul(s, beta2), tf.mul(tf.square(decayed), 1 - beta2));
        const denominator = tf.add(tf.sqrt(tf.div(s1, correction2)), epsilon);
        return [tf.sub(v, tf.mul(tf.div(m1, denominator), lr / correction1)), m1, s1];
      });
      commit(v, g, w, state, i, [nextM, nextS]);
    });
  }

  exportState(): RuleState {
    return { step: this.step, arrays: exportTensors(this.state) };
  }

  importState(state: RuleState, variables: readonly tf.Variable[]): void {
    this.dispose();
    this.state = importTensors(state.arrays, variables, 2);
    this.step = state.step;
  }

  dispose(): void {
    if (this.state) tf.dispose(this.state.flat());
    this.state = undefined;
  }
}

export function makeUpdateRule(config: OptimiserConfig): UpdateRule {
  return config.kind === "sgd" ? new SgdMomentum(config) : new Adam(config);
}
