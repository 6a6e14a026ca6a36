import { strict as assert } from "assert";
import { centerCropBox, randomResizedCropBox, roundHalfEven, shorterSideSize } from "../../../lib/data/images/geometry";
import { Rng } from "../../../lib/random";

describe("image geometry (torchvision's box arithmetic)", () => {
  it("rounds halves to even like Python", () => {
    assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 4, -0, 2, 3]);
  });

  it("Resize(int) sets the shorter side and truncates the longer", () => {
    assert.deepEqual(shorterSideSize(500, 375, 256), [341, 256]);
    assert.deepEqual(shorterSideSize(375, 500, 256), [256, 341]);
    assert.deepEqual(shorterSideSize(256, 300, 256), [256, 300]);
    assert.deepEqual(shorterSideSize(20, 20, 10), [10, 10]);
  });

  it("CenterCrop offsets are round((size - crop) / 2), halves to even", () => {
    assert.deepEqual(centerCropBox(229, 231, 224, 224), { top: 4, left: 2, height: 224, width: 224 });
    assert.deepEqual(centerCropBox(178, 218, 178, 178), { top: 20, left: 0, height: 178, width: 178 });
  });

  it("random-resized-crop boxes lie inside the image, with area and ratio in range unless falling back", () => {
    const scale = [0.7, 1] as const;
    const ratio = [3 / 4, 4 / 3] as const;
    const rng = new Rng(7);
    let drawn = 0;
    for (const [width, height] of [[500, 375], [178, 218], [224, 224], [40, 20], [13, 9]]) {
      for (let n = 0; n < 300; n++) {
        const box = randomResizedCropBox(width, height, scale, ratio, rng);
        assert.ok(box.top >= 0 && box.left >= 0 && box.width > 0 && box.height > 0, JSON.stringify(box));
        assert.ok(box.top + box.height <= height && box.left + box.width <= width, JSON.stringify(box));
        if (box.fallback) continue;
        drawn++;
        // w and h are rounded from drawn sizes within half a pixel of them: the area and ratio were drawn in range.
        const [w, h] = [box.width, box.height];
        const what = `${width}x${height}: ${JSON.stringify(box)}`;
        assert.ok((w + 0.5) * (h + 0.5) >= scale[0] * width * height && (w - 0.5) * (h - 0.5) <= scale[1] * width * height, what);
        assert.ok((w + 0.5) / (h - 0.5) >= ratio[0] && (w - 0.5) / (h + 0.5) <= ratio[1], what);
      }
    }
    assert.ok(drawn > 1000, `only ${drawn} of 1500 boxes were drawn rather than the fallback`);
  });

  it("falls back to a centred crop clamped to the ratio range when nothing fits", () => {
    const rng = new Rng(1);
    assert.deepEqual(randomResizedCropBox(100, 5, [0.7, 1], [3 / 4, 4 / 3], rng), { top: 0, left: 46, height: 5, width: 7, fallback: true });
    assert.deepEqual(randomResizedCropBox(5, 100, [0.7, 1], [3 / 4, 4 / 3], rng), { top: 46, left: 0, height: 7, width: 5, fallback: true });
  });

  it("the same seed gives the same boxes", () => {
    const draw = (seed: number) => Array.from({ length: 20 }, ((rng) => () => randomResizedCropBox(300, 200, [0.7, 1], [0.75, 4 / 3], rng))(new Rng(seed)));
    assert.deepEqual(draw(3), draw(3));
    assert.notDeepEqual(draw(3), draw(4));
  });
});
