/**
 * Copies one uint8 image stored in any strided layout (CIFAR's CHW planes,
 * SVHN's column-major MATLAB array, a decoder's HWC buffer) into the kit's
 * NHWC float32 pixels, scaled to [0, 1] by x/255.
 */

/** Where pixel (row, col, channel) sits in the source: start + row·row + col·col + channel·channel. */
export interface Strides {
  row: number;
  col: number;
  channel: number;
}

/** Writes image `index` of `dst` (NHWC with `shape`) from `src` read at `start` with `strides`. */
export function putImage(
  dst: Float32Array,
  index: number,
  shape: readonly [number, number, number],
  src: Uint8Array,
  start: number,
  strides: Strides,
): void {
  const [height, width, channels] = shape;
  let out = index * height * width * channels;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const at = start + r * strides.row + c * strides.col;
      for (let k = 0; k < channels; k++) dst[out++] = src[at + k * strides.channel] / 255;
    }
  }
}
