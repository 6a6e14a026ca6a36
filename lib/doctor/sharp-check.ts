/** Whether sharp (libvips) works: a one-pixel PNG encoded and decoded back. */
import sharp from "sharp";
import { Check, errorText } from "./check";

const PIXEL = [200, 100, 50];

export async function sharpCheck(): Promise<Check> {
  const base = { section: "Images and disk", name: "sharp", needed: true };
  const fix = "Reinstall with npm ci on this machine (sharp's prebuilt libvips comes from @img/sharp-<platform>; node_modules copied from another OS or CPU does not work).";
  try {
    const png = await sharp(Buffer.from(PIXEL), { raw: { width: 1, height: 1, channels: 3 } }).png().toBuffer();
    const back = await sharp(png).raw().toBuffer();
    if (!PIXEL.every((v, i) => back[i] === v)) return { ...base, status: "error", detail: `a 1-pixel PNG decoded to [${[...back].join(", ")}], not [${PIXEL.join(", ")}]`, fix };
  } catch (e) {
    return { ...base, status: "error", detail: errorText(e), fix };
  }
  return { ...base, status: "ok", detail: `sharp ${sharp.versions.sharp ?? "?"}, libvips ${sharp.versions.vips}: a 1-pixel PNG encodes and decodes` };
}
