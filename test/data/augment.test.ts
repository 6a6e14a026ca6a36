import { strict as assert } from "assert";
import {
  AugmentConfig,
  CIFAR_AUGMENTATION,
  NO_AUGMENTATION,
  SVHN_AUGMENTATION,
  affineImage,
  augmentBatch,
  cropImage,
  describeAugmentation,
  flipImage,
  isIdentity,
} from "../../lib/data/augment";
import { Rng } from "../../lib/random";

type Shape = readonly [number, number, number];

/** 1, 2, 3, ... in NHWC order. */
const counting = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 1);

function affine(src: Float32Array, shape: Shape, angle: number, tx = 0, ty = 0): number[] {
  const dst = new Float32Array(src.length).fill(-1);
  affineImage(src, dst, shape, angle, tx, ty);
  return Array.from(dst);
}

function randomBatch(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next());
}

/** Row and column of the one non-zero pixel of a single-channel image. */
function brightAt(pixels: Float32Array, image: number, h: number, w: number): [number, number] {
  const view = pixels.subarray(image * h * w, (image + 1) * h * w);
  const at = view.findIndex((v) => v !== 0);
  assert.ok(at >= 0, `image ${image} lost its bright pixel`);
  return [Math.floor(at / w), at % w];
}

describe("augmentation", () => {
  describe("flipImage", () => {
    it("mirrors a 2x3x1 image left-right", () => {
      const dst = new Float32Array(6);
      flipImage(counting(6), dst, [2, 3, 1]);
      assert.deepEqual(Array.from(dst), [3, 2, 1, 6, 5, 4]);
    });

    it("keeps a pixel's channels together", () => {
      const dst = new Float32Array(6);
      flipImage(counting(6), dst, [1, 2, 3]);
      assert.deepEqual(Array.from(dst), [4, 5, 6, 1, 2, 3]);
    });
  });

  describe("affineImage", () => {
    it("at 0° with a whole-pixel translation is a shift with zero fill", () => {
      // 3x4: shift right 1, up 1, so out(y, x) = in(y + 1, x - 1).
      assert.deepEqual(affine(counting(12), [3, 4, 1], 0, 1, -1), [0, 5, 6, 7, 0, 9, 10, 11, 0, 0, 0, 0]);
    });

    it("turns a 3x3 image 90° clockwise for +90 (torchvision's sign)", () => {
      assert.deepEqual(affine(counting(9), [3, 3, 1], 90), [7, 4, 1, 8, 5, 2, 9, 6, 3]);
    });

    it("rotates a 4x4 image onto itself about ((w-1)/2, (h-1)/2): no half-pixel drift", () => {
      const src = counting(16);
      assert.deepEqual(affine(src, [4, 4, 1], 90), [13, 9, 5, 1, 14, 10, 6, 2, 15, 11, 7, 3, 16, 12, 8, 4]);
      assert.deepEqual(affine(src, [4, 4, 1], -90), [4, 8, 12, 16, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13]);
      assert.deepEqual(affine(src, [4, 4, 1], 180), Array.from(src).reverse());
    });

    it("rotates about the centre first, then translates", () => {
      assert.deepEqual(affine(counting(9), [3, 3, 1], 90, 1, 0), [0, 7, 4, 0, 8, 5, 0, 9, 6]);
    });

    it("samples 45° by nearest neighbour from each output pixel's centre", () => {
      // Hand-mapped: (x, y) -> floor(R⁻¹((x, y) + 0.5 - c) + c) with c = (1.5, 1.5).
      assert.deepEqual(affine(counting(9), [3, 3, 1], 45), [4, 1, 2, 7, 5, 3, 8, 9, 6]);
    });

    it("never invents values: every output is a source pixel or 0", () => {
      const src = randomBatch(8 * 8 * 3, 1);
      const allowed = new Set([0, ...src]);
      for (const angle of [-14.3, 3.7, 12.9]) {
        assert.ok(affine(src, [8, 8, 3], angle, 1, -2).every((v) => allowed.has(v)));
      }
    });
  });

  describe("cropImage", () => {
    const src = counting(9); // 3x3
    const crop = (top: number, left: number) => {
      const dst = new Float32Array(9).fill(-1);
      cropImage(src, dst, [3, 3, 1], 2, top, left);
      return Array.from(dst);
    };

    it("puts the zero padding at the rows and columns the offsets expose", () => {
      assert.deepEqual(crop(0, 0), [0, 0, 0, 0, 0, 0, 0, 0, 1]);
      assert.deepEqual(crop(4, 4), [9, 0, 0, 0, 0, 0, 0, 0, 0]);
      assert.deepEqual(crop(2, 2), Array.from(src));
      assert.deepEqual(crop(1, 3), [0, 0, 0, 2, 3, 0, 5, 6, 0]);
    });

    it("moves whole pixels with all their channels", () => {
      const dst = new Float32Array(12);
      cropImage(counting(12), dst, [2, 2, 3], 1, 0, 2);
      assert.deepEqual(Array.from(dst), [0, 0, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0]);
    });
  });

  describe("augmentBatch", () => {
    const shape: Shape = [8, 8, 3];
    const per = 8 * 8 * 3;

    it("leaves pixels and the rng untouched under NO_AUGMENTATION", () => {
      const pixels = randomBatch(5 * per, 2);
      const before = Array.from(pixels);
      const rng = new Rng(9);
      augmentBatch(pixels, 5, shape, NO_AUGMENTATION, rng);
      assert.deepEqual(Array.from(pixels), before);
      assert.equal(rng.next(), new Rng(9).next());
    });

    for (const [name, config] of [
      ["CIFAR", CIFAR_AUGMENTATION],
      ["SVHN", SVHN_AUGMENTATION],
    ] as const) {
      it(`${name}: the same seed gives the same batch, another seed another`, () => {
        const run = (seed: number) => {
          const pixels = randomBatch(16 * per, 3);
          augmentBatch(pixels, 16, shape, config, new Rng(seed));
          return Array.from(pixels);
        };
        assert.deepEqual(run(5), run(5));
        assert.notDeepEqual(run(5), run(6));
        assert.notDeepEqual(run(5), Array.from(randomBatch(16 * per, 3)));
      });
    }

    it("draws crop (top, left), flip, then angle, tx, ty per image, in that order", () => {
      const config: AugmentConfig = { hflip: true, affine: { degrees: 15, translate: 0.25 }, cropPadding: 2 };
      const pixels = randomBatch(4 * per, 4);
      const expected = pixels.slice();
      augmentBatch(pixels, 4, shape, config, new Rng(11));

      const rng = new Rng(11);
      const a = new Float32Array(per);
      const b = new Float32Array(per);
      for (let n = 0; n < 4; n++) {
        const image = expected.subarray(n * per, (n + 1) * per);
        const top = rng.int(0, 4);
        const left = rng.int(0, 4);
        cropImage(image, a, shape, 2, top, left);
        if (rng.next() < 0.5) flipImage(a.slice(), a, shape);
        const angle = 15 * (2 * rng.next() - 1);
        const tx = Math.round(2 * (2 * rng.next() - 1));
        const ty = Math.round(2 * (2 * rng.next() - 1));
        affineImage(a, b, shape, angle, tx, ty);
        image.set(b);
      }
      assert.deepEqual(Array.from(pixels), Array.from(expected));
    });

    it("flips about half of 2,000 images", () => {
      const pixels = new Float32Array(2000 * 2);
      for (let n = 0; n < 2000; n++) pixels[2 * n + 1] = 1;
      augmentBatch(pixels, 2000, [1, 2, 1], { hflip: true }, new Rng(12));
      let flipped = 0;
      for (let n = 0; n < 2000; n++) {
        const [l, r] = [pixels[2 * n], pixels[2 * n + 1]];
        assert.ok((l === 0 && r === 1) || (l === 1 && r === 0));
        if (l === 1) flipped++;
      }
      const share = flipped / 2000;
      assert.ok(share >= 0.45 && share <= 0.55, `flipped share ${share}`);
    });

    it("translates by whole pixels within ±round(0.1·32) = ±3 and reaches every shift", () => {
      const count = 1000;
      const pixels = new Float32Array(count * 32 * 32);
      for (let n = 0; n < count; n++) pixels[n * 1024 + 16 * 32 + 16] = 1;
      augmentBatch(pixels, count, [32, 32, 1], { hflip: false, affine: { degrees: 0, translate: 0.1 } }, new Rng(13));
      const dys = new Set<number>();
      const dxs = new Set<number>();
      for (let n = 0; n < count; n++) {
        const [row, col] = brightAt(pixels, n, 32, 32);
        dys.add(row - 16);
        dxs.add(col - 16);
      }
      const all = [-3, -2, -1, 0, 1, 2, 3];
      assert.deepEqual([...dys].sort((p, q) => p - q), all);
      assert.deepEqual([...dxs].sort((p, q) => p - q), all);
    });

    it("SVHN crop offsets cover 0..8 on both axes and nothing else", () => {
      const count = 1000;
      const pixels = new Float32Array(count * 32 * 32);
      for (let n = 0; n < count; n++) pixels[n * 1024 + 16 * 32 + 16] = 1;
      augmentBatch(pixels, count, [32, 32, 1], SVHN_AUGMENTATION, new Rng(14));
      const tops = new Set<number>();
      const lefts = new Set<number>();
      for (let n = 0; n < count; n++) {
        // The pixel at 16 lands at 16 + padding - offset.
        const [row, col] = brightAt(pixels, n, 32, 32);
        tops.add(20 - row);
        lefts.add(20 - col);
      }
      const all = [0, 1, 2, 3, 4, 5, 6, 7, 8];
      assert.deepEqual([...tops].sort((p, q) => p - q), all);
      assert.deepEqual([...lefts].sort((p, q) => p - q), all);
    });

    it("refuses a bad config and a buffer too small for the batch", () => {
      const pixels = new Float32Array(per);
      assert.throws(() => augmentBatch(pixels, 2, shape, NO_AUGMENTATION, new Rng(1)), /cannot hold 2 images/);
      assert.throws(
        () => augmentBatch(pixels, 1, shape, { hflip: false, affine: { degrees: -1, translate: 0 } }, new Rng(1)),
        /degrees >= 0/,
      );
      assert.throws(() => augmentBatch(pixels, 1, shape, { hflip: false, cropPadding: 1.5 }, new Rng(1)), /cropPadding/);
    });
  });

  describe("describeAugmentation and isIdentity", () => {
    it("names each preset as the result tables print it", () => {
      assert.equal(describeAugmentation(NO_AUGMENTATION), "none");
      assert.equal(describeAugmentation(CIFAR_AUGMENTATION), "hflip, affine ±15°/±10%");
      assert.equal(describeAugmentation(SVHN_AUGMENTATION), "random crop, pad 4");
    });

    it("treats a zero affine and zero padding as no augmentation", () => {
      const zero: AugmentConfig = { hflip: false, affine: { degrees: 0, translate: 0 }, cropPadding: 0 };
      assert.ok(isIdentity(NO_AUGMENTATION));
      assert.ok(isIdentity(zero));
      assert.equal(describeAugmentation(zero), "none");
      assert.ok(!isIdentity(CIFAR_AUGMENTATION));
      assert.ok(!isIdentity(SVHN_AUGMENTATION));
    });
  });
});
