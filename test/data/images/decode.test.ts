import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { decodeImage } from "../../../lib/data/images/decode";
import { ImageTransform, TrainTransform, asStored } from "../../../lib/data/images/transforms";
import { Rng } from "../../../lib/random";
import { expectKitErrorAsync } from "../../support/kit-error";
import { Rgb, pattern, tempDirs, writeImage, writeTextured } from "../../support/pipeline-fixture";

const RED: Rgb = [220, 20, 30];
const GREEN: Rgb = [30, 200, 40];
const BLUE: Rgb = [20, 40, 210];
const WHITE: Rgb = [250, 250, 250];
const YELLOW: Rgb = [230, 220, 20];
const SAGE: Rgb = [100, 160, 120]; // inside the CMYK gamut, so it survives the round trip

/** The colour (0-255) of pixel (x, y) of a size x size decoded image. */
function colourAt(pixels: Float32Array, size: number, x: number, y: number): Rgb {
  const at = (y * size + x) * 3;
  return [0, 1, 2].map((c) => pixels[at + c] * 255) as Rgb;
}

function assertColour(found: Rgb, expected: Rgb, tolerance: number, what: string): void {
  assert.ok(found.every((v, c) => Math.abs(v - expected[c]) <= tolerance), `${what}: ${found.map(Math.round)} vs ${expected}`);
}

describe("decodeImage", function () {
  this.timeout(20_000);
  const dirs = tempDirs("decode");
  after(dirs.cleanup);

  it("Resize(int) + CenterCrop keeps the aspect ratio: the middle stripes of a wide image survive", async () => {
    // 40x20, four 10-px vertical stripes. Shorter side 20 -> 10 gives 20x10; the centre 10x10 holds stripes 2 and 3.
    const stripes = [RED, GREEN, BLUE, WHITE];
    const file = await writeImage(path.join(dirs.make(), "wide.png"), pattern(40, 20, (x) => stripes[Math.floor(x / 10)]), 40, 20);
    const out = await decodeImage(file, { kind: "resize-center-crop", resize: 10, crop: 10 });
    assert.equal(out.length, 10 * 10 * 3);
    for (const y of [0, 5, 9]) {
      assertColour(colourAt(out, 10, 2, y), GREEN, 1, `(2, ${y})`);
      assertColour(colourAt(out, 10, 7, y), BLUE, 1, `(7, ${y})`);
    }
  });

  it("...and in a tall image the cut is vertical", async () => {
    const stripes = [RED, GREEN, BLUE, WHITE];
    const file = await writeImage(path.join(dirs.make(), "tall.png"), pattern(20, 40, (_, y) => stripes[Math.floor(y / 10)]), 20, 40);
    const out = await decodeImage(file, { kind: "resize-center-crop", resize: 10, crop: 10 });
    assertColour(colourAt(out, 10, 5, 2), GREEN, 1, "top");
    assertColour(colourAt(out, 10, 5, 7), BLUE, 1, "bottom");
  });

  it("ignores EXIF orientation, as torchvision's PIL loader does", async () => {
    const stripes = [RED, GREEN, BLUE, WHITE];
    const file = path.join(dirs.make(), "rotated.jpg");
    await sharp(Buffer.from(pattern(40, 20, (x) => stripes[Math.floor(x / 10)])), { raw: { width: 40, height: 20, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toFile(file);
    const out = await decodeImage(file, { kind: "resize-center-crop", resize: 10, crop: 10 });
    assertColour(colourAt(out, 10, 2, 5), GREEN, 8, "left");
    assertColour(colourAt(out, 10, 7, 5), BLUE, 8, "right");
  });

  it("Resize((h, w)) squashes: all four stripes remain, in order", async () => {
    const stripes = [RED, GREEN, BLUE, WHITE];
    const file = await writeImage(path.join(dirs.make(), "wide.png"), pattern(40, 20, (x) => stripes[Math.floor(x / 10)]), 40, 20);
    const out = await decodeImage(file, { kind: "resize-center-crop", resize: [8, 8], crop: 8 });
    assertColour(colourAt(out, 8, 0, 4), RED, 1, "left");
    assertColour(colourAt(out, 8, 7, 4), WHITE, 1, "right");
    const [, g3, b3] = colourAt(out, 8, 3, 4);
    const [, g4, b4] = colourAt(out, 8, 4, 4);
    assert.ok(g3 > b3 && b4 > g4, "green then blue in the middle");
  });

  it("CelebA style: centre crop first (the shorter side by default), then resize", async () => {
    // 20 wide, 30 high: rows 0-4 red, rows 25-29 blue, columns 0-4 yellow, the rest green.
    const colour = (x: number, y: number): Rgb => (y < 5 ? RED : y >= 25 ? BLUE : x < 5 ? YELLOW : GREEN);
    const file = await writeImage(path.join(dirs.make(), "face.png"), pattern(20, 30, colour), 20, 30);
    const shortSide = await decodeImage(file, { kind: "center-crop-resize", size: 10 });
    for (let y = 0; y < 10; y++) {
      assertColour(colourAt(shortSide, 10, 0, y), YELLOW, 1, `left edge row ${y}`);
      assertColour(colourAt(shortSide, 10, 9, y), GREEN, 1, `right edge row ${y}`);
    }
    const crop10 = await decodeImage(file, { kind: "center-crop-resize", crop: 10, size: 5 });
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) assertColour(colourAt(crop10, 5, x, y), GREEN, 0.5, `(${x}, ${y})`);
  });

  it("random-resized-crop: the same seed gives the same pixels, another seed others", async () => {
    const [file] = await writeTextured(dirs.make(), 1, 60, 40);
    const t: TrainTransform = { kind: "random-resized-crop", size: 16, scale: [0.7, 1], ratio: [3 / 4, 4 / 3], hflip: true };
    const a = await decodeImage(file, t, new Rng(1));
    assert.deepEqual(await decodeImage(file, t, new Rng(1)), a);
    assert.notDeepEqual(await decodeImage(file, t, new Rng(2)), a);
    await expectKitErrorAsync(() => decodeImage(file, t), "Rng");
  });

  it("a flip mirrors the output exactly, and about half the draws flip", async () => {
    const file = await writeImage(path.join(dirs.make(), "halves.png"), pattern(40, 20, (x) => (x < 20 ? RED : BLUE)), 40, 20);
    // scale 1 and ratio 2 always crop the whole 40x20 image: only the flip varies.
    const t: TrainTransform = { kind: "random-resized-crop", size: 8, scale: [1, 1], ratio: [2, 2], hflip: true };
    const plain = await decodeImage(file, { ...t, hflip: false }, new Rng(0));
    const mirrored = new Float32Array(plain.length);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) mirrored.set(plain.subarray((y * 8 + 7 - x) * 3, (y * 8 + 8 - x) * 3), (y * 8 + x) * 3);
    let flips = 0;
    for (let seed = 0; seed < 40; seed++) {
      const out = await decodeImage(file, t, new Rng(seed));
      const flipped = out.every((v, i) => v === mirrored[i]);
      assert.ok(flipped || out.every((v, i) => v === plain[i]), `seed ${seed}: neither the image nor its mirror`);
      if (flipped) flips++;
    }
    assert.ok(flips >= 10 && flips <= 30, `${flips} of 40 flipped`);
  });

  it("grey, grey+alpha, RGBA, 16-bit and CMYK files all become 3-channel RGB; alpha is dropped, not composited", async () => {
    const dir = dirs.make();
    const grey = await writeImage(path.join(dir, "grey.png"), new Uint8Array(6 * 4).fill(100), 6, 4, 1);
    const greyAlpha = await writeImage(path.join(dir, "grey-alpha.png"), pattern(6, 4, () => [100, 0, 0]).filter((_, i) => i % 3 !== 2), 6, 4, 2);
    const rgba = await writeImage(path.join(dir, "rgba.png"), new Uint8Array(6 * 4 * 4).map((_, i) => [10, 200, 30, 0][i % 4]), 6, 4, 4);
    const deep = path.join(dir, "deep.png");
    await sharp(Buffer.from(pattern(6, 4, () => GREEN)), { raw: { width: 6, height: 4, channels: 3 } }).toColourspace("rgb16").png().toFile(deep);
    const cmyk = path.join(dir, "cmyk.jpg");
    await sharp(Buffer.from(pattern(6, 4, () => SAGE)), { raw: { width: 6, height: 4, channels: 3 } }).toColourspace("cmyk").jpeg().toFile(cmyk);
    const expected: [string, Rgb, number][] = [[grey, [100, 100, 100], 0.5], [greyAlpha, [100, 100, 100], 0.5], [rgba, [10, 200, 30], 0.5], [deep, GREEN, 0.5], [cmyk, SAGE, 12]];
    for (const [file, colour, tolerance] of expected) {
      const out = await decodeImage(file, { kind: "resize-center-crop", resize: 4, crop: 4 });
      assert.equal(out.length, 4 * 4 * 3, file);
      assertColour(colourAt(out, 4, 1, 1), colour, tolerance, path.basename(file));
    }
  });

  it("reads files as stored, and refuses another size", async () => {
    const [file] = await writeTextured(dirs.make(), 1, 12, 12);
    const out = await decodeImage(file, asStored(12));
    assertColour(colourAt(out, 12, 3, 2), [3 * 7, 2 * 5, 5 * 3], 1e-4, "pixel (3, 2)");
    await expectKitErrorAsync(() => decodeImage(file, asStored(10)), file, "10x10", "12x12");
  });

  it("undecodable, truncated and missing files give a KitError naming the file", async () => {
    const dir = dirs.make();
    const text = path.join(dir, "notes.jpg");
    fs.writeFileSync(text, "not an image");
    const [whole] = await writeTextured(dir, 1, 64, 48, "jpg");
    const truncated = path.join(dir, "truncated.jpg");
    fs.writeFileSync(truncated, fs.readFileSync(whole).subarray(0, 600));
    const t: ImageTransform = { kind: "resize-center-crop", resize: 32, crop: 32 };
    for (const file of [text, truncated, path.join(dir, "missing.png")]) {
      await expectKitErrorAsync(() => decodeImage(file, t), file, "JPEG or PNG");
    }
  });
});
