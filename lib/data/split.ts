/**
 * Seeded hold-out split of one dataset into two, the way the MaskTune code
 * carves validation out of training for CIFAR-10, SVHN and Cats vs Dogs:
 * shuffle the indices, the first floor(fraction * N) are held out. Its exact
 * split cannot be reproduced (it shuffles file-system order), only its sizes.
 */
import { KitError } from "../errors";
import { Rng } from "../random";
import { ImageDataset, size, subset } from "./dataset";

/** [kept, held out]; each part keeps the source order of its samples. `purpose` separates the draws of two splits with one seed. */
export function splitHoldout(ds: ImageDataset, fraction: number, seed: number, names: [string, string], purpose = "holdout-split"): [ImageDataset, ImageDataset] {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new KitError("hold-out fraction", "a number from 0 to 1", `${fraction}`, "Fix the split in the experiment config.");
  }
  const order = Rng.for(seed, purpose).permutation(size(ds));
  const cut = Math.floor(fraction * order.length);
  const sorted = (indices: number[]) => indices.sort((a, b) => a - b);
  return [subset(ds, sorted(order.slice(cut)), names[0]), subset(ds, sorted(order.slice(0, cut)), names[1])];
}
