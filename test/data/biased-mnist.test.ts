import { strict as assert } from "assert";
import { BLUE, PAPER_BIAS, binaryLabel, buildBiasedMnist, squarePixels } from "../../lib/data/biased-mnist";
import { size } from "../../lib/data/dataset";
import { Digits, loadEmbeddedMnist, splitStratified } from "../../lib/data/mnist";

const count = (xs: Int32Array, pred: (i: number) => boolean) => Array.from(xs.keys()).filter(pred).length;

describe("biased MNIST builder", () => {
  let pool: Digits;
  before(() => {
    pool = loadEmbeddedMnist();
  });

  it("maps digits 0-4 to class 0 and 5-9 to class 1", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(binaryLabel), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it("puts the square on exactly round(99%) of class 0 and round(1%) of class 1 in train and val", () => {
    const [train, val, test] = splitStratified(pool, [0.6, 0.1, 0.3], 1);
    const data = buildBiasedMnist({ train, val, test }, PAPER_BIAS, 1);
    for (const ds of [data.train, data.val]) {
      const sq = ds.attributes.square;
      const n0 = count(ds.labels, (i) => ds.labels[i] === 0);
      const n1 = size(ds) - n0;
      assert.equal(count(sq, (i) => ds.labels[i] === 0 && sq[i] === 1), Math.round(n0 * 0.99));
      assert.equal(count(sq, (i) => ds.labels[i] === 1 && sq[i] === 1), Math.round(n1 * 0.01));
    }
    const biased = data.testBiased;
    assert.equal(count(biased.attributes.square, (i) => biased.attributes.square[i] !== biased.labels[i]), 0, "biased test: square iff class 1");
    assert.equal(count(data.testOriginal.attributes.square, (i) => data.testOriginal.attributes.square[i] === 1), 0);
  });

  it("paints the square's colour on every square pixel and leaves the digit grey elsewhere", () => {
    const [train, val, test] = splitStratified(pool, [0.05, 0.05, 0.05], 2);
    const bias = { ...PAPER_BIAS, squares: [{ corner: "top-right" as const, colour: BLUE, side: 4 }] };
    const data = buildBiasedMnist({ train, val, test }, bias, 2);
    const ds = data.testBiased;
    const i = ds.labels.indexOf(1);
    const pixels = squarePixels(bias.squares[0], 28);
    assert.deepEqual(pixels.slice(0, 4), [24, 25, 26, 27]);
    for (const p of pixels) assert.deepEqual(Array.from(ds.images.slice((i * 784 + p) * 3, (i * 784 + p) * 3 + 3)), [0, 0, 1]);
    const j = ds.labels.indexOf(0);
    for (let p = 0; p < 784; p++) {
      const [r, g, b] = ds.images.slice((j * 784 + p) * 3, (j * 784 + p) * 3 + 3);
      assert.ok(r === g && g === b, "class-0 biased-test digits are untouched grey");
    }
  });

  it("'by-digit' placement copies the authors' code: the conflicting images are 4s and 5s", () => {
    const [train, val, test] = splitStratified(pool, [0.6, 0.1, 0.3], 1);
    const data = buildBiasedMnist({ train, val, test }, { ...PAPER_BIAS, placement: "by-digit" }, 1);
    const ds = data.train;
    const { digit, square } = ds.attributes;
    const class0Plain = Array.from(ds.labels.keys()).filter((i) => ds.labels[i] === 0 && !square[i]);
    const class1Square = Array.from(ds.labels.keys()).filter((i) => ds.labels[i] === 1 && square[i]);
    assert.ok(class0Plain.length > 0 && class1Square.length > 0);
    assert.ok(class0Plain.every((i) => digit[i] === 4));
    assert.ok(class1Square.every((i) => digit[i] === 5));
  });

  it("is a pure function of (digits, config, seed)", () => {
    const [train, val, test] = splitStratified(pool, [0.1, 0.1, 0.1], 3);
    const a = buildBiasedMnist({ train, val, test }, PAPER_BIAS, 3);
    const b = buildBiasedMnist({ train, val, test }, PAPER_BIAS, 3);
    assert.deepEqual(a.train.attributes.square, b.train.attributes.square);
    assert.deepEqual(a.train.ids, b.train.ids);
  });
});
