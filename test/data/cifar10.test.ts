import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CIFAR10_CLASSES, loadCifar10 } from "../../lib/data/cifar10";
import { RECORD, pixel, records, writeCifarFolder } from "../support/cifar-fixture";
import { expectKitError } from "../support/kit-error";

describe("CIFAR-10 binary loader", () => {
  it("reads labels, NHWC pixels in [0, 1], ids, counts and class names from batches.meta.txt", () => {
    const names = CIFAR10_CLASSES.map((n) => n.toUpperCase());
    const { folder } = writeCifarFolder(names.join("\n") + "\n\n\n");
    const { train, test, source, classNames } = loadCifar10(folder);
    assert.deepEqual(classNames, names);
    assert.deepEqual(Array.from(train.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(test.labels), [9, 0, 4]);
    assert.deepEqual(train.shape, [32, 32, 3]);
    assert.equal(train.images.length, 10 * 32 * 32 * 3);
    assert.equal(train.ids[7], "cifar10:train:7");
    assert.equal(test.ids[2], "cifar10:test:2");
    assert.equal(source, `CIFAR-10 binary (${folder}): 10 train / 3 test`);
    for (const [n, y, x, c] of [[0, 0, 0, 0], [3, 5, 17, 1], [9, 31, 30, 2], [7, 2, 0, 2]]) {
      assert.equal(train.images[((n * 32 + y) * 32 + x) * 3 + c], Math.fround(pixel(n, y, x, c) / 255), `train pixel ${[n, y, x, c]}`);
    }
    assert.equal(test.images[((2 * 32 + 4) * 32 + 6) * 3 + 1], Math.fround(pixel(102, 4, 6, 1) / 255));
  });

  it("accepts the folder holding cifar-10-batches-bin and falls back to the standard class names", () => {
    const { parent } = writeCifarFolder();
    const { train, classNames } = loadCifar10(parent);
    assert.equal(train.labels.length, 10);
    assert.deepEqual(classNames, CIFAR10_CLASSES);
  });

  it("refuses a truncated batch, naming the file", () => {
    const { folder } = writeCifarFolder();
    const file = path.join(folder, "data_batch_3.bin");
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expectKitError(() => loadCifar10(folder), file, "multiple of 3,073", "6,145 bytes", "truncated", "Re-download");
  });

  it("refuses CIFAR-100: 3,074-byte records, or its train.bin", () => {
    const { folder } = writeCifarFolder();
    const file = path.join(folder, "test_batch.bin");
    fs.writeFileSync(file, records([1, 2, 3], 0, RECORD + 1));
    expectKitError(() => loadCifar10(folder), file, "3,074", "CIFAR-100", "not supported");
    const cifar100 = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-cifar100-"));
    fs.writeFileSync(path.join(cifar100, "train.bin"), records([1, 2], 0, RECORD + 1));
    expectKitError(() => loadCifar10(cifar100), cifar100, "train.bin", "CIFAR-100");
  });

  it("refuses a label above 9", () => {
    const { folder } = writeCifarFolder();
    const file = path.join(folder, "data_batch_5.bin");
    fs.writeFileSync(file, records([3, 10], 0));
    expectKitError(() => loadCifar10(folder), file, "labels 0-9", "10 in record 1");
  });

  it("names the missing batch files", () => {
    const { folder } = writeCifarFolder();
    fs.unlinkSync(path.join(folder, "data_batch_4.bin"));
    fs.unlinkSync(path.join(folder, "test_batch.bin"));
    expectKitError(() => loadCifar10(folder), folder, "no data_batch_4.bin, test_batch.bin", "cifar-10-binary.tar.gz");
  });

  it("refuses the Python version and a missing folder, naming the binary archive", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-cifar-py-"));
    fs.mkdirSync(path.join(parent, "cifar-10-batches-py"));
    expectKitError(() => loadCifar10(parent), parent, "Python", "Only the binary version", "cifar-10-binary.tar.gz");
    const pyFolder = path.join(parent, "cifar-10-batches-py");
    fs.writeFileSync(path.join(pyFolder, "data_batch_1"), "pickle");
    expectKitError(() => loadCifar10(pyFolder), "Python", "cifar-10-binary.tar.gz");
    expectKitError(() => loadCifar10(path.join(parent, "nowhere")), "no such folder", "cifar-10-binary.tar.gz");
  });
});
