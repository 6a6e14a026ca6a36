import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { expectKitError } from "../support/kit-error";
import { digitCount, loadEmbeddedMnist, loadMnistIdx, splitStratified } from "../../lib/data/mnist";
import { idxBytes, writeMnistFolder } from "../support/idx-fixture";

describe("MNIST loaders", () => {
  it("loads the 10,000 embedded digits with about 1,000 per digit in [0, 1]", () => {
    const d = loadEmbeddedMnist();
    assert.equal(digitCount(d), 10000);
    assert.equal(d.pixels.length, 10000 * 784);
    for (let digit = 0; digit < 10; digit++) {
      const n = d.digits.filter((v) => v === digit).length;
      assert.ok(n > 850 && n < 1150, `digit ${digit}: ${n}`);
    }
    assert.ok(d.pixels.every((v) => v >= 0 && v <= 1));
    assert.equal(new Set(d.ids).size, 10000);
  });

  it("splits stratified by digit, deterministically by seed, without overlap", () => {
    const d = loadEmbeddedMnist();
    const [a, b, c] = splitStratified(d, [0.6, 0.1, 0.3], 4);
    const [a2] = splitStratified(d, [0.6, 0.1, 0.3], 4);
    const [a3] = splitStratified(d, [0.6, 0.1, 0.3], 5);
    assert.deepEqual(a.ids, a2.ids);
    assert.notDeepEqual(a.ids, a3.ids);
    const all = new Set([...a.ids, ...b.ids, ...c.ids]);
    assert.equal(all.size, 10000);
    for (let digit = 0; digit < 10; digit++) {
      const total = d.digits.filter((v) => v === digit).length;
      assert.equal(a.digits.filter((v) => v === digit).length, Math.round(0.6 * total));
    }
  });

  for (const variant of [{ gzip: false }, { gzip: true }, { gzip: true, dotNames: true }]) {
    it(`reads IDX files ${JSON.stringify(variant)}`, () => {
      const dir = writeMnistFolder(30, 20, variant);
      const { train, test } = loadMnistIdx(dir);
      assert.equal(digitCount(train), 30);
      assert.equal(digitCount(test), 20);
      assert.deepEqual(Array.from(train.digits.slice(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      assert.ok(Math.abs(train.pixels[1] - 31 / 255) < 1e-7);
    });
  }

  it("refuses a truncated image file, naming it and the expected size", () => {
    const dir = writeMnistFolder(10, 10);
    const file = path.join(dir, "train-images-idx3-ubyte");
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5000));
    expectKitError(() => loadMnistIdx(dir), file, "7,856 bytes", "truncated", "Re-download");
  });

  it("refuses a gzip stream that ends early", () => {
    const dir = writeMnistFolder(10, 10, { gzip: true });
    const file = path.join(dir, "t10k-labels-idx1-ubyte.gz");
    const gz = fs.readFileSync(file);
    fs.writeFileSync(file, gz.subarray(0, gz.length - 6));
    expectKitError(() => loadMnistIdx(dir), file, "gzip");
  });

  it("refuses a wrong magic number", () => {
    const dir = writeMnistFolder(10, 10);
    const file = path.join(dir, "train-labels-idx1-ubyte");
    const bytes = fs.readFileSync(file);
    bytes[0] = 0x1f;
    bytes[1] = 0x00;
    fs.writeFileSync(file, bytes);
    expectKitError(() => loadMnistIdx(dir), file, "magic");
  });

  it("refuses swapped image and label files (wrong dimension count)", () => {
    const dir = writeMnistFolder(10, 10);
    fs.renameSync(path.join(dir, "train-images-idx3-ubyte"), path.join(dir, "tmp"));
    fs.renameSync(path.join(dir, "train-labels-idx1-ubyte"), path.join(dir, "train-images-idx3-ubyte"));
    fs.renameSync(path.join(dir, "tmp"), path.join(dir, "train-labels-idx1-ubyte"));
    expectKitError(() => loadMnistIdx(dir), "3 dimension(s)", "found 1");
  });

  it("refuses a label out of range and mismatched image/label counts", () => {
    const dir = writeMnistFolder(10, 10);
    fs.writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte"), idxBytes(0x08, [10], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 12])));
    expectKitError(() => loadMnistIdx(dir), "labels 0-9", "12 at index 9");
    fs.writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte.gz"), zlib.gzipSync(idxBytes(0x08, [9], new Uint8Array(9))));
    fs.unlinkSync(path.join(dir, "t10k-labels-idx1-ubyte"));
    expectKitError(() => loadMnistIdx(dir), "10 labels", "found 9");
  });

  it("names the files it looked for when the folder lacks them", () => {
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "masktune-empty-"));
    expectKitError(() => loadMnistIdx(dir), dir, "train-images-idx3-ubyte.gz", "Download");
  });
});
