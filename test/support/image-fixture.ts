/**
 * Two-tone images and masks for the dataset-folder fixtures (Waterbirds, CUB,
 * CelebA): one colour with another in the centre box, written by the
 * pipeline fixture's sharp writer.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pattern, Rgb, writeImage } from "./pipeline-fixture";

/** The centre half of a width x height image, where the fixtures put the "object" (bird, face). */
export function centreBox(width: number, height: number): { left: number; top: number; right: number; bottom: number } {
  return { left: Math.floor(width / 4), top: Math.floor(height / 4), right: Math.floor((3 * width) / 4), bottom: Math.floor((3 * height) / 4) };
}

function inCentreBox(width: number, height: number): (x: number, y: number) => boolean {
  const box = centreBox(width, height);
  return (x, y) => x >= box.left && x < box.right && y >= box.top && y < box.bottom;
}

/** A JPEG or PNG (by extension) of `outside` with `inside` in the centre box; folders are created. */
export async function writeTwoTone(file: string, width: number, height: number, outside: Rgb, inside: Rgb = outside): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const inBox = inCentreBox(width, height);
  await writeImage(file, pattern(width, height, (x, y) => (inBox(x, y) ? inside : outside)), width, height);
}

/** A one-channel PNG mask, 255 in the centre box and 0 elsewhere (a CUB segmentation, but binary). */
export async function writeMask(file: string, width: number, height: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const inBox = inCentreBox(width, height);
  await writeImage(file, Uint8Array.from({ length: width * height }, (_, i) => (inBox(i % width, Math.floor(i / width)) ? 255 : 0)), width, height, 1);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `text` to `file`, creating its folder. */
export function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
