/**
 * "MasktuneSgdMomentum", a kit-only wasm kernel: one variable's update of
 * momentum SGD with coupled weight decay (torch.optim.SGD, no dampening, no
 * Nesterov), in one pass over the wasm heap:
 *
 *   g'  = g + wd * w
 *   acc = momentum * acc + g'
 *   w   = w + (-lr) * acc
 *
 * Inputs w, g, acc (same shape, float32); outputs [w, acc]. Every product and
 * sum is rounded to float32 (Math.fround), so the result is bit-for-bit that
 * of the same formula as tf ops (sgd.ts's fallback on other backends). It
 * replaces ~8 tf ops per variable (the weight-decay term's Square, Sum and
 * their gradient, and the optimizer's Multiply/Add), each of which costs a
 * kernel launch and a full-size temporary.
 */
import * as tf from "@tensorflow/tfjs";
import { TensorInfo, backendOf, heapF32 } from "./util";

export const SGD_MOMENTUM = "MasktuneSgdMomentum";

interface Args {
  inputs: { w: TensorInfo; g: TensorInfo; acc: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

export function sgdMomentum(args: Args): TensorInfo[] {
  const { w, g, acc } = args.inputs;
  const backend = backendOf(args.backend);
  const n = tf.util.sizeFromShape(w.shape);
  if (tf.util.sizeFromShape(g.shape) !== n || tf.util.sizeFromShape(acc.shape) !== n) {
    throw new Error(`${SGD_MOMENTUM}: w, g and acc must have the same size`);
  }
  const f = Math.fround;
  const negLr = f(-(args.attrs.lr as number));
  const momentum = f(args.attrs.momentum as number);
  const wd = f(args.attrs.weightDecay as number);
  const wOut = backend.makeOutput(w.shape.slice(), "float32");
  const accOut = backend.makeOutput(w.shape.slice(), "float32");
  const ws = heapF32(backend, w), gs = heapF32(backend, g), as = heapF32(backend, acc);
  const wo = heapF32(backend, wOut), ao = heapF32(backend, accOut);
  for (let i = 0; i < n; i++) {
    const wi = ws[i];
    const gi = wd === 0 ? gs[i] : f(gs[i] + f(wd * wi));
    const ai = f(f(momentum * as[i]) + gi);
    ao[i] = ai;
    wo[i] = f(wi + f(negLr * ai));
  }
  return [wOut, accOut];
}
