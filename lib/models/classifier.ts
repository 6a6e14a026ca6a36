/**
 * A classifier is a tf.LayersModel plus the name of the layer whose output
 * xGradCAM explains. Everything after that layer must be a plain chain
 * (pooling, flatten, dense, ...), so the model can be split there into a
 * feature extractor and a head whose gradient we can take.
 */
import * as tf from "@tensorflow/tfjs";

export interface Classifier {
  /** Registry name of the architecture, e.g. "small-cnn". */
  architecture: string;
  model: tf.LayersModel;
  /** Output of this layer is what xGradCAM weighs (the last ReLU before the final pooling). */
  camLayer: string;
}

export interface SplitClassifier {
  /** Input → activations of the CAM layer. */
  features: tf.LayersModel;
  /** CAM-layer activations → logits, in inference mode. */
  head: (activations: tf.Tensor) => tf.Tensor;
}

/** Splits the model at its CAM layer; throws if what follows is not a chain. */
export function splitAtCamLayer(c: Classifier): SplitClassifier {
  const layers = c.model.layers;
  const at = layers.findIndex((l) => l.name === c.camLayer);
  if (at < 0) throw new Error(`${c.architecture}: no layer named ${c.camLayer}`);
  const headLayers = layers.slice(at + 1);
  headLayers.forEach((layer, i) => {
    const previous = i === 0 ? layers[at] : headLayers[i - 1];
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new Error(`${c.architecture}: layers after ${c.camLayer} must form a chain; ${layer.name} does not follow ${previous.name}`);
    }
  });
  const features = tf.model({ inputs: c.model.inputs, outputs: c.model.getLayer(c.camLayer).output as tf.SymbolicTensor });
  const head = (activations: tf.Tensor) =>
    headLayers.reduce((x, layer) => layer.apply(x, { training: false }) as tf.Tensor, activations);
  return { features, head };
}

/** Logits in inference mode (batch-norm uses its moving statistics). */
export function logits(c: Classifier, images: tf.Tensor4D): tf.Tensor2D {
  return c.model.apply(images, { training: false }) as tf.Tensor2D;
}
