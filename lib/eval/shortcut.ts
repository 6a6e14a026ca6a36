/**
 * Did the masks find the shortcut? Among images that carry the spurious
 * squares, the share whose mask removes at least half of the squares' pixels
 * (a pixel counts as removed when its multiplier is at most 0.5).
 */
import { ImageDataset, size } from "../data/dataset";
import { SquareSpec, squarePixels } from "../data/biased-mnist";

export function squareHitRate(masks: Float32Array, ds: ImageDataset, squares: readonly SquareSpec[]): { rate: number; carriers: number } {
  const [height, width] = ds.shape;
  if (height !== width) throw new Error("squareHitRate expects square images");
  const area = height * width;
  const covered = [...new Set(squares.flatMap((s) => squarePixels(s, height)))];
  let carriers = 0;
  let hits = 0;
  for (let i = 0; i < size(ds); i++) {
    if (!ds.attributes.square?.[i]) continue;
    carriers++;
    const removed = covered.filter((p) => masks[i * area + p] <= 0.5).length;
    if (removed * 2 >= covered.length) hits++;
  }
  return { rate: carriers === 0 ? NaN : hits / carriers, carriers };
}
