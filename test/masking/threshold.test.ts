import { strict as assert } from "assert";
import { applyMasks, maskFromHeatmap, maskedShare, masksFromHeatmaps, meanStdThreshold } from "../../lib/masking/threshold";
import { PAPER_RANDMASK, randomSquareMasks } from "../../lib/masking/randmask";
import { Rng } from "../../lib/random";

const masked = (mask: Uint8Array) => Array.from(mask.keys()).filter((i) => mask[i] === 0);

describe("mask threshold (mean + k*std over positive values)", () => {
  it("C01(i): population std over the positives masks only the 1.0 pixel", () => {
    const heat = [0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.6, 0.65, 1.0];
    assert.ok(Math.abs(meanStdThreshold(heat, 2)! - 0.96302) < 1e-5);
    assert.deepEqual(masked(maskFromHeatmap(heat, 2)), [9]);
  });

  it("C01(ii): zeros are left out of the statistics, so nothing is masked", () => {
    const heat = [0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.9, 1.0];
    assert.ok(Math.abs(meanStdThreshold(heat, 2)! - 1.09402) < 1e-5);
    assert.deepEqual(masked(maskFromHeatmap(heat, 2)), []);
  });

  it("C01(iii): a single positive pixel or a constant map is not masked (strict >)", () => {
    assert.equal(meanStdThreshold([0, 0, 0.7, 0], 2), 0.7);
    assert.deepEqual(masked(maskFromHeatmap([0, 0, 0.7, 0], 2)), []);
    assert.deepEqual(masked(maskFromHeatmap([0.5, 0.5, 0.5], 0)), []);
  });

  it("B01: an all-zero heatmap masks nothing and gives no NaN", () => {
    assert.equal(meanStdThreshold([0, 0, 0, 0], 2), null);
    const mask = maskFromHeatmap([0, 0, 0, 0], 2);
    assert.deepEqual(Array.from(mask), [1, 1, 1, 1]);
    const image = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const out = applyMasks(image, mask, 1);
    assert.deepEqual(Array.from(out), Array.from(image));
    assert.ok(out.every(Number.isFinite));
  });

  it("k = 0 masks everything above the positives' mean", () => {
    assert.deepEqual(masked(maskFromHeatmap([0, 0.2, 0.4, 0.6], 0)), [3]);
  });

  it("masks a batch image by image and multiplies every channel", () => {
    const heat = Float32Array.from([0, 0.1, 0.1, 1, /* image 2: */ 0, 0, 0, 0]);
    const masks = masksFromHeatmaps(heat, 4, 1);
    assert.deepEqual(Array.from(masks), [1, 1, 1, 0, 1, 1, 1, 1]);
    const rgb = Float32Array.from({ length: 24 }, () => 0.5);
    const out = applyMasks(rgb, masks, 3);
    assert.deepEqual(Array.from(out.slice(9, 12)), [0, 0, 0]);
    assert.equal(out.filter((v) => v === 0).length, 3);
    assert.equal(maskedShare(masks), 1 / 8);
  });
});

describe("RandMask", () => {
  it("cuts one square per image with a side in [2, 14], clipped at the border", () => {
    const n = 2000;
    const masks = randomSquareMasks(n, 28, 28, PAPER_RANDMASK, Rng.for(5, "randmask"));
    const sides = new Set<number>();
    for (let i = 0; i < n; i++) {
      const holes = masked(masks.subarray(i * 784, (i + 1) * 784));
      assert.ok(holes.length >= 1, `image ${i} has no hole`);
      const rows = holes.map((p) => Math.floor(p / 28));
      const cols = holes.map((p) => p % 28);
      const h = Math.max(...rows) - Math.min(...rows) + 1;
      const w = Math.max(...cols) - Math.min(...cols) + 1;
      assert.equal(holes.length, h * w, "the hole is one rectangle");
      assert.ok(h <= 14 && w <= 14);
      if (Math.min(...rows) > 0 && Math.max(...rows) < 27 && Math.min(...cols) > 0 && Math.max(...cols) < 27) {
        assert.equal(h, w, "an unclipped hole is square");
        sides.add(h);
      }
    }
    assert.deepEqual([...sides].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it("is reproducible from its seed", () => {
    const a = randomSquareMasks(10, 28, 28, PAPER_RANDMASK, Rng.for(1, "randmask"));
    const b = randomSquareMasks(10, 28, 28, PAPER_RANDMASK, Rng.for(1, "randmask"));
    assert.deepEqual(a, b);
  });
});
