import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadSvhn } from "../../lib/data/svhn";
import { expectKitError } from "../support/kit-error";
import { MatOptions, MatVariable, writeMatFile } from "../support/mat-fixture";

/** The byte the fixture stores for row r, column c, channel k of image n. */
const pixel = (r: number, c: number, k: number, n: number) => (r + 3 * c + 50 * k + 17 * n) % 256;

/** X as MATLAB stores it: [32, 32, 3, n], column-major (r + 32c + 1024k + 3072n). */
function svhnX(n: number): MatVariable {
  const values = new Uint8Array(3072 * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      for (let c = 0; c < 32; c++) {
        for (let r = 0; r < 32; r++) values[r + 32 * c + 1024 * k + 3072 * i] = pixel(r, c, k, i);
      }
    }
  }
  return { name: "X", className: "uint8", dims: [32, 32, 3, n], values };
}

function svhnY(labels: number[], className: "uint8" | "double" = "double"): MatVariable {
  return { name: "y", className, dims: [labels.length, 1], values: labels };
}

/** A folder with train_32x32.mat (labels `trainLabels`) and a 2-image test_32x32.mat. */
function writeSvhnFolder(trainLabels: number[], options: MatOptions = { compress: true }, y = svhnY(trainLabels)): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-svhn-"));
  writeMatFile(path.join(dir, "train_32x32.mat"), [svhnX(trainLabels.length), y], options);
  writeMatFile(path.join(dir, "test_32x32.mat"), [svhnX(2), svhnY([7, 10], "uint8")], options);
  return dir;
}

describe("SVHN loader", () => {
  for (const options of [{ compress: true }, { compress: false, bigEndian: true }] as MatOptions[]) {
    it(`maps labels 10 → 0 and transposes column-major X to NHWC ${JSON.stringify(options)}`, () => {
      const dir = writeSvhnFolder([1, 10, 5], options);
      const { train, test, source } = loadSvhn(dir);
      assert.deepEqual(Array.from(train.labels), [1, 0, 5]);
      assert.deepEqual(Array.from(test.labels), [7, 0]);
      assert.deepEqual(train.shape, [32, 32, 3]);
      assert.equal(train.images.length, 3 * 3072);
      assert.deepEqual(train.ids, ["svhn:train:0", "svhn:train:1", "svhn:train:2"]);
      assert.equal(source, `SVHN cropped digits (${dir}): 3 train / 2 test`);
      // Image 1, row 5, column 9, blue: NHWC index ((1·32 + 5)·32 + 9)·3 + 2.
      assert.equal(train.images[((1 * 32 + 5) * 32 + 9) * 3 + 2], Math.fround(pixel(5, 9, 2, 1) / 255));
      assert.notEqual(pixel(5, 9, 2, 1), pixel(9, 5, 2, 1));
      assert.equal(test.images[((1 * 32 + 31) * 32 + 0) * 3 + 0], Math.fround(pixel(31, 0, 0, 1) / 255));
    });
  }

  it("refuses labels outside 1-10 or not integers", () => {
    for (const [bad, shown] of [[0, "0 at index 1"], [11, "11 at index 1"], [2.5, "2.5 at index 1"]] as const) {
      const dir = writeSvhnFolder([1, bad, 3]);
      expectKitError(() => loadSvhn(dir), path.join(dir, "train_32x32.mat"), "integers 1-10", shown);
    }
  });

  it("refuses a y whose length differs from the number of images in X", () => {
    const dir = writeSvhnFolder([1, 2, 3], { compress: true }, svhnY([1, 2]));
    expectKitError(() => loadSvhn(dir), "train_32x32.mat", "y of size 3x1", "found 2x1");
  });

  it("refuses an X that is not uint8 [32, 32, 3, N]", () => {
    const dir = writeSvhnFolder([1]);
    const file = path.join(dir, "test_32x32.mat");
    writeMatFile(file, [{ name: "X", className: "uint8", dims: [28, 28, 1, 1], values: new Uint8Array(784) }, svhnY([1])]);
    expectKitError(() => loadSvhn(dir), file, "uint8 [32, 32, 3, N]", "uint8 [28, 28, 1, 1]");
  });

  it("names missing files and a missing folder", () => {
    const dir = writeSvhnFolder([1]);
    fs.unlinkSync(path.join(dir, "test_32x32.mat"));
    expectKitError(() => loadSvhn(dir), dir, "no test_32x32.mat", "Download");
    expectKitError(() => loadSvhn(path.join(dir, "nowhere")), "no such folder");
  });
});
