/** The kit's architectures by name, for configurations and for reloading checkpoints. */
import { Classifier } from "./classifier";
import { resnet32 } from "./resnet32";
import { resnet50 } from "./resnet50";
import { smallCnn } from "./small-cnn";

export interface BuildOptions {
  inputShape: readonly [number, number, number];
  numClasses: number;
  seed: number;
}

interface Architecture {
  title: string;
  build(options: BuildOptions): Classifier;
  /** The layer xGradCAM explains (see each builder). */
  camLayer: string;
}

export const ARCHITECTURES = {
  "small-cnn": { title: "SmallCNN", build: smallCnn, camLayer: "relu4" },
  resnet32: { title: "ResNet-32", build: resnet32, camLayer: "stage3_block5_relu2" },
  resnet50: { title: "ResNet-50", build: resnet50, camLayer: "conv5_block3_out" },
} satisfies Record<string, Architecture>;

export type ArchitectureName = keyof typeof ARCHITECTURES;

/** Name and CAM layer of an architecture, as loadClassifier needs them. */
export function architectureInfo(name: ArchitectureName): Omit<Classifier, "model"> {
  return { architecture: name, camLayer: ARCHITECTURES[name].camLayer };
}
