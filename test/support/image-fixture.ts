/** Small solid or two-tone images and masks written with sharp, shared by the image-folder fixtures. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";

export type Rgb = [number, number, number];

/** The centre half of a width x height image, where the fixtures put the "object" (bird, face). */
export function centreBox(width: number, height: number): { left: number; top: number; right: number; bottom: number } {
  return { left: Math.floor(width / 4), top: Math.floor(height / 4), right: Math.floor((3 * width) / 4), bottom: Math.floor((3 * height) / 4) };
}

/** Raw pixels with `channels` values per pixel: `inside` within the centre box, `outside` elsewhere. */
function pixels(width: number, height: number, channels: number, outside: number[], inside: number[]): Buffer {
  const box = centreBox(width, height);
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = x >= box.left && x < box.right && y >= box.top && y < box.bottom ? inside : outside;
      data.set(colour, (y * width + x) * channels);
    }
  }
  return data;
}

/** A JPEG (quality 95) of `outside` with `inside` in the centre box; folders are created. */
export async function writeJpeg(file: string, width: number, height: number, outside: Rgb, inside: Rgb = outside): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(pixels(width, height, 3, outside, inside), { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toFile(file);
}

/** A one-channel PNG mask: 255 in the centre box, 0 elsewhere (as a CUB segmentation, but binary). */
export async function writeMask(file: string, width: number, height: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(pixels(width, height, 1, [0], [255]), { raw: { width, height, channels: 1 } }).png().toFile(file);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `text` to `file`, creating its folder. */
export function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
