/**
 * Decodes one image file with sharp and applies a transform's plan, giving
 * HWC RGB float32 in [0, 1]. Any JPEG or PNG (grey, CMYK, 16-bit, with alpha)
 * first becomes 8-bit sRGB with the alpha channel dropped, like torchvision's
 * PIL loader (`convert("RGB")`); like it, no EXIF auto-rotation.
 *
 * Resizing uses sharp's "linear" kernel. torchvision resizes PIL images with
 * Pillow's bilinear filter, whose support widens with the reduction factor
 * (antialiased). libvips' linear kernel does the same when shrinking: against
 * a Pillow-style reference on a 512x600 photo, shrinking to 256x256, 224x224
 * and 140x160 differs by 0.2/255 on average (at most 11/255), where
 * "mitchell" gives 0.5, "cubic" 1.5 and "lanczos3" 2.1. When enlarging,
 * libvips places output pixel x at input x*s - 0.5 where Pillow uses
 * (x + 0.5)*s - 0.5, a shift of half an output pixel that no kernel choice
 * removes (4/255 mean difference at 512 -> 600).
 */
import sharp from "sharp";
import { KitError } from "../../errors";
import type { Rng } from "../../random";
import { putImage } from "../pixels";
import { ImagePlan, ImageTransform, checkTransform, outputSize, planImage } from "./transforms";

interface Rgb {
  data: Buffer;
  width: number;
  height: number;
}

/** The file at its stored size as 8-bit RGB, HWC. */
async function decodeRgb(file: string): Promise<Rgb> {
  try {
    const { data, info } = await sharp(file).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels} in ${data.length} bytes`);
    }
    return { data, width: info.width, height: info.height };
  } catch (e) {
    throw new KitError(file, "a JPEG or PNG image that sharp can decode", (e as Error).message, "Re-extract or re-download the file, or leave it out of the dataset.");
  }
}

/** Crops and resizes as planned (the flip is left to the copy out). */
async function applyPlan(image: Rgb, plan: ImagePlan): Promise<Buffer> {
  if (!plan.before && !plan.resize && !plan.after) return image.data;
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  let [width, height] = [image.width, image.height];
  if (plan.before) {
    pipeline = pipeline.extract(plan.before);
    [width, height] = [plan.before.width, plan.before.height];
  }
  // Pillow returns a same-size resize unchanged; so does this.
  if (plan.resize && (plan.resize[0] !== width || plan.resize[1] !== height)) {
    pipeline = pipeline.resize(plan.resize[0], plan.resize[1], { fit: "fill", kernel: "linear" });
  }
  if (plan.after) pipeline = pipeline.extract(plan.after);
  return pipeline.raw().toBuffer();
}

/**
 * Decodes `file`, applies `transform` (a training transform draws its crop,
 * then its flip, from `rng`) and writes the result as image `index` of `dst`,
 * NHWC float32 in [0, 1]. The transform is assumed checked.
 */
export async function decodeInto(file: string, transform: ImageTransform, dst: Float32Array, index: number, rng?: Rng): Promise<void> {
  const image = await decodeRgb(file);
  const plan = planImage(transform, image.width, image.height, file, rng);
  const pixels = await applyPlan(image, plan);
  const size = outputSize(transform);
  if (pixels.length !== size * size * 3) throw new Error(`decodeInto: ${file} came out as ${pixels.length} bytes, expected ${size}x${size}x3`);
  // A flip is a copy that reads each row backwards.
  const strides = { row: size * 3, col: plan.flip ? -3 : 3, channel: 1 };
  putImage(dst, index, [size, size, 3], pixels, plan.flip ? (size - 1) * 3 : 0, strides);
}

/** One image file through `transform`: size x size x 3 float32 in [0, 1], HWC, not normalised. */
export async function decodeImage(file: string, transform: ImageTransform, rng?: Rng): Promise<Float32Array> {
  checkTransform(transform);
  const size = outputSize(transform);
  const out = new Float32Array(size * size * 3);
  await decodeInto(file, transform, out, 0, rng);
  return out;
}
