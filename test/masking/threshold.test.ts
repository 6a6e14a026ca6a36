import { strict as assert } from "assert";
import { applyMasks, describeRule, maskFromHeatmap, maskedShare, masksFromHeatmaps, meanStdThreshold } from "../../lib/masking/threshold";
import { PAPER_RANDMASK, randomSquareMasks } from "../../lib/masking/randmask";
import { Rng } from "../../lib/random";

const masked = (mask: Float32Array) => Array.from(mask.keys()).filter((i) => mask[i] === 0);

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
    const masks = masksFromHeatmaps(heat, 4, { kind: "mean-std", k: 1 });
    assert.deepEqual(Array.from(masks), [1, 1, 1, 0, 1, 1, 1, 1]);
    const rgb = Float32Array.from({ length: 24 }, () => 0.5);
    const out = applyMasks(rgb, masks, 3);
    assert.deepEqual(Array.from(out.slice(9, 12)), [0, 0, 0]);
    assert.equal(out.filter((v) => v === 0).length, 3);
    assert.equal(maskedShare(masks), 1 / 8);
  });
});

describe("threshold variants (section 3 ablation) on a known heatmap", () => {
  // Two 4-pixel heatmaps; positives of both: .2 .4 .6 .8 .5 → dataset mean 0.5.
  const heat = Float32Array.from([0, 0.2, 0.4, 0.6, /* image 2: */ 0.8, 0.5, 0, 0]);

  it("mean + k·std for k = 0..3 removes fewer pixels as k grows", () => {
    // image 1 positives .2 .4 .6: mean .4, std .1633 → tau(k) = .4, .5633, .7266, .89
    const removed = [0, 1, 2, 3].map((k) => masked(masksFromHeatmaps(heat.subarray(0, 4), 4, { kind: "mean-std", k })));
    assert.deepEqual(removed, [[3], [3], [], []]);
  });

  it("dataset-wide mean: one threshold (0.5) for every image", () => {
    assert.deepEqual(masked(masksFromHeatmaps(heat, 4, { kind: "dataset-mean" })), [3, 4]);
  });

  it("top-K removes the K hottest positive pixels per image, never a zero", () => {
    assert.deepEqual(masked(masksFromHeatmaps(heat, 4, { kind: "top-k", pixels: 2 })), [2, 3, 4, 5]);
    assert.deepEqual(masked(masksFromHeatmaps(heat, 4, { kind: "top-k", pixels: 3 })), [1, 2, 3, 4, 5]);
  });

  it("soft masks multiply by 1 - heatmap and count fractionally", () => {
    const soft = masksFromHeatmaps(heat, 4, { kind: "soft" });
    assert.ok(Array.from(soft).every((v, i) => Math.abs(v - (1 - heat[i])) < 1e-7));
    assert.ok(Math.abs(maskedShare(soft) - 2.5 / 8) < 1e-7);
    assert.equal(describeRule({ kind: "soft" }), "soft (1 - heatmap)");
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

  it("fixed-size windows: every unclipped hole is exactly side x side", () => {
    const masks = randomSquareMasks(300, 28, 28, { minSide: 8, maxSide: 8 }, Rng.for(2, "w"));
    for (let i = 0; i < 300; i++) {
      const holes = masked(masks.subarray(i * 784, (i + 1) * 784));
      assert.ok(holes.length <= 64 && holes.length >= 16, `image ${i}: ${holes.length}`);
    }
    assert.ok(Array.from({ length: 300 }, (_, i) => masked(masks.subarray(i * 784, (i + 1) * 784)).length).filter((n) => n === 64).length > 150);
  });

  it("is reproducible from its seed", () => {
    const a = randomSquareMasks(10, 28, 28, PAPER_RANDMASK, Rng.for(1, "randmask"));
    const b = randomSquareMasks(10, 28, 28, PAPER_RANDMASK, Rng.for(1, "randmask"));
    assert.deepEqual(a, b);
  });
});
