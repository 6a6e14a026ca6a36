/**
 * Small image files for the image-pipeline tests (lib/data/images): pixel
 * patterns written with sharp as JPEG or PNG (by extension) into temporary
 * folders, and ImageFileSets over them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { ImageFileSet } from "../../lib/data/image-files";

export type Rgb = [number, number, number];

/** A width x height RGB image, HWC uint8, whose pixel (x, y) is colour(x, y). */
export function pattern(width: number, height: number, colour: (x: number, y: number) => Rgb): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set(colour(x, y), (y * width + x) * 3);
  }
  return pixels;
}

/** Writes HWC uint8 pixels with `channels` per pixel as a PNG or a quality-95 JPEG, by the file's extension. */
export async function writeImage(file: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3): Promise<string> {
  const raw = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  // Without b-w, sharp stores one or two channels as RGB(A).
  const image = channels <= 2 ? raw.toColourspace("b-w") : raw;
  await (file.endsWith(".png") ? image.png() : image.jpeg({ quality: 95 })).toFile(file);
  return file;
}

/** `count` distinct textured images of width x height written as `dir/<i>.<ext>`. */
export async function writeTextured(dir: string, count: number, width: number, height: number, ext = "png"): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const pixels = pattern(width, height, (x, y) => [(x * 7 + i * 31) % 256, (y * 5 + i * 17) % 256, ((x + y) * 3 + i * 13) % 256]);
    files.push(await writeImage(path.join(dir, `${i}.${ext}`), pixels, width, height));
  }
  return files;
}

/** Fresh temporary folders, all removed by cleanup(). */
export function tempDirs(prefix: string): { make: () => string; cleanup: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      made.push(fs.mkdtempSync(path.join(os.tmpdir(), `masktune-${prefix}-`)));
      return made[made.length - 1];
    },
    cleanup: () => made.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })),
  };
}

/** A set over `files`: label i % 2, id = file name, attribute group = i % 4. */
export function fileSetOf(files: string[], name = "fixture"): ImageFileSet {
  return {
    name,
    files,
    labels: Int32Array.from(files, (_, i) => i % 2),
    numClasses: 2,
    ids: files.map((f) => path.basename(f)),
    attributes: { group: Int32Array.from(files, (_, i) => i % 4) },
  };
}
