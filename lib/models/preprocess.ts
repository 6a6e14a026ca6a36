/**
 * Input normalisation for pretrained weights, as the first layer of the model.
 * The rest of the kit keeps images as RGB in [0, 1] and masks them there
 * (field case B06: a pixel zeroed after normalisation is the mean colour, not
 * black); this layer then produces what the weights were trained on:
 *   "caffe"  Keras resnet50.preprocess_input: ×255, RGB→BGR, minus the BGR
 *            means [103.939, 116.779, 123.68], no division.
 *   "torch"  torchvision, timm and MaskTune: minus the RGB means
 *            [0.485, 0.456, 0.406], divided by [0.229, 0.224, 0.225].
 * Being a layer, the mode is saved in model.json and travels with the weights.
 */
import * as tf from "@tensorflow/tfjs";
import { KitError } from "../errors";

export type Preprocessing = "caffe" | "torch";

/** y = (x · scale − mean) / std per output channel, after RGB→BGR when `bgr`. */
const MODES: Record<Preprocessing, { bgr: boolean; scale: number; mean: number[]; std: number[] }> = {
  caffe: { bgr: true, scale: 255, mean: [103.939, 116.779, 123.68], std: [1, 1, 1] },
  torch: { bgr: false, scale: 1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

export class ImagenetPreprocessing extends tf.layers.Layer {
  static readonly className = "ImagenetPreprocessing";
  readonly mode: Preprocessing;

  constructor(config: { mode: Preprocessing; name?: string }) {
    super(config);
    if (!Object.hasOwn(MODES, config.mode)) {
      throw new KitError(
        `preprocessing layer ${config.name ?? ""}`.trim(), `"caffe" or "torch"`, JSON.stringify(config.mode),
        "Use caffe for weights converted from Keras, torch for torchvision/timm weights.",
      );
    }
    this.mode = config.mode;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels !== 3) {
      throw new KitError(`preprocessing layer ${this.name}`, "RGB input with 3 channels", `${channels} channels`, "Convert the images to RGB before the model.");
    }
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const { bgr, scale, mean, std } = MODES[this.mode];
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const ordered = bgr ? tf.reverse(x, -1) : x;
      return tf.div(tf.sub(tf.mul(ordered, scale), tf.tensor1d(mean)), tf.tensor1d(std));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(ImagenetPreprocessing);
