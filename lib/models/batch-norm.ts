/**
 * The kit's batch-norm layer: tf.layers.batchNormalization (last axis, with
 * scale and offset; same weight names gamma, beta, moving_mean,
 * moving_variance, same momentum convention) whose training step is one op
 * with its own gradient instead of tf.moments plus tf.batchNorm.
 *
 * tf.layers builds the training forward from tf.moments (Mean, Sub, Square,
 * Mean), and autodiff then sends the gradient back through each of those ops:
 * about 15 full-size passes per layer per step. Here the batch statistics and
 * the complete input gradient (including the statistics' dependence on x)
 * come from two passes forward and two backward: kit kernels on wasm
 * (lib/wasm/batchnorm-training.ts), the same formulas as tf ops elsewhere.
 * Inference uses the moving statistics exactly as tf.layers does.
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_MOMENTS, BATCH_NORM_TRAINING_GRAD } from "../wasm/batchnorm-training";

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;
const leadingAxes = (t: tf.Tensor) => Array.from({ length: t.rank - 1 }, (_, i) => i);

/** Per-channel (last axis) mean and biased variance over all other axes. */
function batchMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (hasKernel(BATCH_MOMENTS)) {
    const [mean, variance] = tf.unstack(tf.engine().runKernel(BATCH_MOMENTS, { x }, {}) as tf.Tensor2D) as tf.Tensor1D[];
    return { mean, variance };
  }
  const { mean, variance } = tf.moments(x, leadingAxes(x));
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** dx, dgamma, dbeta of batchNormTraining (formulas in lib/wasm/batchnorm-training.ts). */
function batchNormTrainingGrad(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor, epsilon: number): tf.Tensor[] {
  if (hasKernel(BATCH_NORM_TRAINING_GRAD)) {
    return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, mean, variance, scale: gamma }, { varianceEpsilon: epsilon }) as tf.Tensor[];
  }
  const axes = leadingAxes(x);
  const count = x.size / x.shape[x.rank - 1];
  const rs = tf.rsqrt(tf.add(variance, epsilon));
  const centred = tf.sub(x, mean);
  const sumDy = tf.sum(dy, axes);
  const sumDyCentred = tf.sum(tf.mul(dy, centred), axes);
  const dx = tf.mul(tf.mul(gamma, rs), tf.sub(
    tf.sub(dy, tf.div(sumDy, count)),
    tf.mul(centred, tf.mul(tf.square(rs), tf.div(sumDyCentred, count))),
  ));
  return [dx, tf.mul(sumDyCentred, rs), sumDy];
}

/**
 * y = beta + gamma * (x - mean) / sqrt(variance + epsilon) with the batch's
 * own per-channel mean and biased variance, differentiable in x, gamma and
 * beta. Also returns the statistics (for the moving averages).
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((xIn, g, b, save) => {
    const [xt, gt, bt] = [xIn, g, b] as tf.Tensor[];
    stats = batchMoments(xt);
    // The op's forward runs in its own tidy: keep the statistics for the caller.
    tf.keep(stats.mean);
    tf.keep(stats.variance);
    (save as tf.GradSaveFunc)([xt, stats.mean, stats.variance, gt]);
    return {
      value: tf.batchNorm(xt, stats.mean, stats.variance, bt as tf.Tensor1D, gt as tf.Tensor1D, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sMean, sVariance, sGamma] = saved;
        return batchNormTrainingGrad(dy, sx, sMean, sVariance, sGamma, epsilon);
      },
    };
  });
  const y = op(x, gamma, beta);
  // Handed out as clones tracked by the caller's scope, like any op output.
  const { mean, variance } = stats!;
  const out = { y, mean: mean.clone(), variance: variance.clone() };
  tf.dispose([mean, variance]);
  return out;
}

export interface BatchNormArgs {
  name?: string;
  /** Keras convention: moving = momentum * moving + (1 - momentum) * batch (PyTorch's 0.1 is 0.9 here). */
  momentum?: number;
  epsilon?: number;
}

export class BatchNorm extends tf.layers.Layer {
  static readonly className = "MasktuneBatchNorm";
  private readonly momentum: number;
  private readonly epsilon: number;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;
  private movingMean?: tf.LayerVariable;
  private movingVariance?: tf.LayerVariable;

  constructor(args: BatchNormArgs = {}) {
    super({ name: args.name });
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1];
    if (c === null) throw new Error(`${this.name}: the last (channel) axis of the input must be known`);
    this.gamma = this.addWeight("gamma", [c], "float32", tf.initializers.ones());
    this.beta = this.addWeight("beta", [c], "float32", tf.initializers.zeros());
    this.movingMean = this.addWeight("moving_mean", [c], "float32", tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [c], "float32", tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma!.read() as tf.Tensor1D, beta = this.beta!.read() as tf.Tensor1D;
      if (!kwargs.training) {
        return tf.batchNorm(x, this.movingMean!.read() as tf.Tensor1D, this.movingVariance!.read() as tf.Tensor1D, beta, gamma, this.epsilon);
      }
      const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.epsilon);
      // The moving averages as tf.layers updates them: m - (m - batch) * (1 - momentum).
      for (const [moving, batch] of [[this.movingMean!, mean], [this.movingVariance!, variance]] as const) {
        const old = moving.read();
        moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
      }
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(BatchNorm);

export function batchNorm(args: BatchNormArgs): BatchNorm {
  return new BatchNorm(args);
}
