/**
 * Identity (and Cast to the same dtype) for the wasm backend without a copy.
 *
 * The stock wasm Identity copies the data; tfjs tensors are immutable, so the
 * cpu backend's Identity instead shares the data and bumps its reference
 * count, as the wasm Reshape kernel does. A training step calls Identity ~170
 * times (tf.clone in gradients and optimizers, tf.cast(x, 'float32') in
 * tf.moments), about 9 ms of copies per SmallCNN step.
 */
import * as tf from "@tensorflow/tfjs";
import { TensorInfo, backendOf, stockKernel } from "./util";

interface Args {
  inputs: { x: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

function share(args: Args): TensorInfo {
  const { x } = args.inputs;
  backendOf(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export function identity(args: Args): TensorInfo {
  return share(args);
}

export function cast(args: Args): TensorInfo {
  if (args.attrs.dtype === args.inputs.x.dtype) return share(args);
  return stockKernel("Cast")(args as never) as TensorInfo;
}
