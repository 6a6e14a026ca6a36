import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp, { Sharp } from "sharp";
import { loadCatsVsDogs } from "../../lib/data/cats-vs-dogs";
import { ImageDataset } from "../../lib/data/dataset";
import { treeSnapshot } from "../support/tree-snapshot";
import { expectKitErrorAsync } from "../support/kit-error";

type Rgb = [number, number, number];
const RED: Rgb = [200, 30, 60];
const BLUE: Rgb = [20, 40, 220];
const GREEN: Rgb = [100, 160, 120]; // inside the CMYK gamut, so it survives the round trip

function solid(colour: Rgb): Sharp {
  return sharp({ create: { width: 10, height: 7, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } });
}

async function jpeg(colour: Rgb): Promise<Buffer> {
  return solid(colour).jpeg({ quality: 95 }).toBuffer();
}

/** A one-channel JPEG, as some Kaggle and PetImages files are. */
async function greyJpeg(value: number): Promise<Buffer> {
  return sharp(Buffer.alloc(10 * 7, value), { raw: { width: 10, height: 7, channels: 1 } }).toColourspace("b-w").jpeg({ quality: 95 }).toBuffer();
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "masktune-cvd-"));
}

function writeFiles(folder: string, files: Record<string, Buffer | string>): void {
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), bytes);
}

/** Mean of each channel of image `i`. */
function meanColour(ds: ImageDataset, i: number): Rgb {
  const per = ds.shape[0] * ds.shape[1] * 3;
  const sums: Rgb = [0, 0, 0];
  for (let p = 0; p < per; p++) sums[p % 3] += ds.images[i * per + p];
  return sums.map((s) => (s / (per / 3)) * 255) as Rgb;
}

function assertColour(ds: ImageDataset, i: number, expected: Rgb, tolerance: number): void {
  const found = meanColour(ds, i);
  found.forEach((v, c) => assert.ok(Math.abs(v - expected[c]) <= tolerance, `image ${ds.ids[i]}: ${found} vs ${expected}`));
}

describe("Cats vs Dogs loader", () => {
  it("reads the Kaggle layout: labels from names, sorted by id, RGB at 64x64, garbage skipped, files untouched", async () => {
    const dir = tempDir();
    const cmyk = await solid(GREEN).toColourspace("cmyk").jpeg({ quality: 95 }).toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, "cmyk");
    const grey = await greyJpeg(128);
    assert.equal((await sharp(grey).metadata()).channels, 1);
    writeFiles(path.join(dir, "train"), {
      "cat.10.jpg": grey,
      "cat.2.jpg": await solid(BLUE).png().toBuffer(),
      "cat.1.jpg": await jpeg(RED),
      "cat.99.jpg": "this is not an image",
      "dog.20.jpg": cmyk,
      "dog.3.jpg": await jpeg(BLUE),
      "README.txt": "notes",
    });
    const before = treeSnapshot(dir);
    const lines: string[] = [];
    const { images, source, skipped } = await loadCatsVsDogs(dir, { log: (line) => lines.push(line) });

    assert.deepEqual(images.ids, ["cat.1.jpg", "cat.2.jpg", "cat.10.jpg", "dog.3.jpg", "dog.20.jpg"].map((n) => `cats-vs-dogs:${n}`));
    assert.deepEqual(Array.from(images.labels), [0, 0, 0, 1, 1]);
    assert.deepEqual(images.shape, [64, 64, 3]);
    assert.equal(images.images.length, 5 * 64 * 64 * 3);
    assert.equal(images.numClasses, 2);
    assertColour(images, 0, RED, 4);
    assertColour(images, 1, BLUE, 1);
    assertColour(images, 2, [128, 128, 128], 2);
    assertColour(images, 3, BLUE, 4);
    assertColour(images, 4, GREEN, 10); // through CMYK and back: close, not exact
    assert.ok(images.images.every((v) => v >= 0 && v <= 1));

    assert.deepEqual(skipped.map((s) => s.file), [path.join(dir, "train", "cat.99.jpg")]);
    assert.ok(skipped[0].reason.length > 0);
    assert.ok(lines.some((l) => l.includes("skipped 1 undecodable") && l.includes("cat.99.jpg")), lines.join("\n"));
    assert.equal(source, `Cats vs Dogs, Kaggle layout (${path.join(dir, "train")}): 3 cats + 2 dogs at 64x64, 1 other entries ignored, 1 undecodable skipped`);
    assert.deepEqual(treeSnapshot(dir), before);
  });

  it("reads Microsoft's PetImages layout, with a per-class limit and another side", async () => {
    const dir = tempDir();
    writeFiles(path.join(dir, "PetImages", "Cat"), { "1.jpg": await jpeg(RED), "12.jpg": await jpeg(RED), "3.jpg": await jpeg(RED), "Thumbs.db": "x" });
    writeFiles(path.join(dir, "PetImages", "Dog"), { "1.jpg": await jpeg(BLUE), "0.jpg": "", "5.jpg": await jpeg(BLUE) });
    const { images, skipped, source } = await loadCatsVsDogs(dir, { side: 8, limit: 2 });
    assert.deepEqual(images.ids, ["Cat/1.jpg", "Cat/3.jpg", "Dog/1.jpg"].map((n) => `cats-vs-dogs:${n}`));
    assert.deepEqual(Array.from(images.labels), [0, 0, 1]);
    assert.deepEqual(images.shape, [8, 8, 3]);
    assertColour(images, 2, BLUE, 4);
    assert.deepEqual(skipped.map((s) => path.basename(s.file)), ["0.jpg"]);
    assert.ok(source.startsWith(`Cats vs Dogs, PetImages layout (${path.join(dir, "PetImages")}): 2 cats + 1 dogs at 8x8, at most 2 per class`), source);

    const all = await loadCatsVsDogs(path.join(dir, "PetImages"), { side: 8 });
    assert.equal(all.images.labels.length, 5);
  });

  it("names the folder and both layouts when no image is found", async () => {
    const dir = tempDir();
    writeFiles(dir, { "1.jpg": await jpeg(RED) });
    await expectKitErrorAsync(() => loadCatsVsDogs(dir), dir, "cat.<id>.jpg", "PetImages/Cat/<n>.jpg", "none (1 other entries");
    await expectKitErrorAsync(() => loadCatsVsDogs(path.join(dir, "nowhere")), "no such folder", "PetImages");
    await expectKitErrorAsync(() => loadCatsVsDogs(dir, { side: 0 }), "side", "positive integer");
  });
});
