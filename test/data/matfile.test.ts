import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readMatFile } from "../../lib/data/matfile";
import { expectKitError } from "../support/kit-error";
import { MatOptions, MatVariable, matFileBytes } from "../support/mat-fixture";

const X: MatVariable = { name: "X", className: "uint8", dims: [2, 2, 3, 2], values: Array.from({ length: 24 }, (_, i) => (i * 37) % 256) };
const Y: MatVariable = { name: "y", className: "double", dims: [2, 1], values: [10, 3] };

function tempFile(bytes: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "masktune-mat-")), "fixture.mat");
  fs.writeFileSync(file, bytes);
  return file;
}

describe("MAT-file Level 5 reader", () => {
  for (const options of [{}, { compress: true }, { bigEndian: true }, { compress: true, bigEndian: true }] as MatOptions[]) {
    it(`round-trips a uint8 [2, 2, 3, 2] array and a double label vector ${JSON.stringify(options)}`, () => {
      const file = tempFile(matFileBytes([X, Y], options));
      const { X: x, y } = readMatFile(file, ["X", "y"]);
      assert.deepEqual(x.dims, [2, 2, 3, 2]);
      assert.equal(x.className, "uint8");
      assert.ok(x.data instanceof Uint8Array);
      assert.deepEqual(Array.from(x.data), X.values);
      assert.equal(y.className, "double");
      assert.ok(y.data instanceof Float64Array);
      assert.deepEqual(Array.from(y.data), [10, 3]);
    });
  }

  it("converts the storage type to the class (double stored as miUINT8, a small element) and skips other variables", () => {
    const labels: MatVariable = { name: "labels", className: "double", dims: [1, 3], values: [1, 2, 250], storedAs: "uint8" };
    const file = tempFile(matFileBytes([X, labels, Y], { bigEndian: true }));
    const found = readMatFile(file, ["labels"]);
    assert.deepEqual(Object.keys(found), ["labels"]);
    assert.equal(found.labels.className, "double");
    assert.ok(found.labels.data instanceof Float64Array);
    assert.deepEqual(Array.from(found.labels.data), [1, 2, 250]);
  });

  it("refuses v7.3 (HDF5) files, by header text or by signature", () => {
    const v73 = Buffer.alloc(1024);
    v73.write("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: today HDF5 schema 1.00 .");
    expectKitError(() => readMatFile(tempFile(v73), ["X"]), "v7.3", "HDF5", "-v7", "official SVHN files");
    const hdf5 = Buffer.alloc(1024, 0x20);
    Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]).copy(hdf5, 512);
    expectKitError(() => readMatFile(tempFile(hdf5), ["X"]), "v7.3");
  });

  it("refuses Level 4 files and files that are not MAT-files", () => {
    const level4 = Buffer.alloc(64);
    level4.writeInt32LE(0, 0);
    level4.writeInt32LE(2, 4);
    level4.writeInt32LE(1, 8);
    level4.writeInt32LE(0, 12);
    level4.writeInt32LE(2, 16);
    level4.write("y\0", 20);
    const file = tempFile(level4);
    expectKitError(() => readMatFile(file, ["y"]), file, "Level 4", "-v7");
    expectKitError(() => readMatFile(tempFile(Buffer.alloc(0)), ["y"]), "empty file");
  });

  it("refuses a truncated compressed file and a broken zlib stream", () => {
    const bytes = matFileBytes([X, Y], { compress: true });
    const cut = tempFile(bytes.subarray(0, bytes.length - 5));
    expectKitError(() => readMatFile(cut, ["X", "y"]), cut, "truncated", "re-download");
    const broken = Buffer.from(bytes);
    broken.writeUInt32BE(0xdeadbeef, broken.length - 4);
    expectKitError(() => readMatFile(tempFile(broken), ["X", "y"]), "zlib stream", "broken", "re-download");
  });

  it("refuses an uncompressed element that runs past the end of the file", () => {
    const bytes = matFileBytes([X]);
    const file = tempFile(bytes.subarray(0, bytes.length - 9));
    expectKitError(() => readMatFile(file, ["X"]), file, "bytes left", "truncated");
  });

  it("names a missing variable and the ones the file holds", () => {
    const file = tempFile(matFileBytes([X], { compress: true }));
    expectKitError(() => readMatFile(file, ["X", "y"]), file, "no y", "it holds X");
  });

  it("refuses complex and struct arrays that were asked for", () => {
    // Uncompressed little-endian layout: header (128), matrix tag (8), flags tag (8), then the flags word.
    const flags = 128 + 8 + 8;
    const complex = matFileBytes([X]);
    complex[flags + 1] |= 0x08;
    expectKitError(() => readMatFile(tempFile(complex), ["X"]), "variable X", "complex");
    const struct = matFileBytes([X, Y]);
    struct[flags] = 2;
    expectKitError(() => readMatFile(tempFile(struct), ["X"]), "variable X", "struct");
    assert.deepEqual(Array.from(readMatFile(tempFile(struct), ["y"]).y.data), [10, 3]);
  });
});
