import { strict as assert } from "assert";
import {
  CELEBA_EVAL,
  CELEBA_TRAIN,
  IMAGENET_EVAL,
  IN9L_MASKING,
  ImageTransform,
  TrainTransform,
  WATERBIRDS_EVAL,
  WATERBIRDS_TRAIN,
  asStored,
  checkTransform,
  describeTransform,
  outputSize,
  planImage,
} from "../../../lib/data/images/transforms";
import { Rng } from "../../../lib/random";
import { expectKitError } from "../../support/kit-error";

describe("image transforms", () => {
  it("presets follow the authors' transforms and all output 224x224", () => {
    assert.deepEqual(WATERBIRDS_EVAL, { kind: "resize-center-crop", resize: [256, 256], crop: 224 });
    assert.deepEqual(CELEBA_EVAL, { kind: "center-crop-resize", crop: 178, size: 224 });
    assert.deepEqual(IMAGENET_EVAL, { kind: "resize-center-crop", resize: 256, crop: 224 });
    assert.deepEqual(IN9L_MASKING, { kind: "resize-center-crop", resize: [224, 224], crop: 224 });
    assert.deepEqual(WATERBIRDS_TRAIN.ratio, [3 / 4, 4 / 3]);
    assert.deepEqual(CELEBA_TRAIN.ratio, [1, 4 / 3]);
    for (const t of [WATERBIRDS_EVAL, CELEBA_EVAL, IMAGENET_EVAL, IN9L_MASKING, WATERBIRDS_TRAIN, CELEBA_TRAIN]) {
      assert.equal(outputSize(t), 224);
      checkTransform(t);
    }
    assert.equal(describeTransform(WATERBIRDS_EVAL), "resize to 256x256, centre crop 224");
    assert.equal(describeTransform(IMAGENET_EVAL), "resize shorter side to 256, centre crop 224");
  });

  it("Waterbirds squashes to 256x256 while ImageNet keeps the aspect ratio", () => {
    assert.deepEqual(planImage(WATERBIRDS_EVAL, 500, 375, "a.jpg"), { resize: [256, 256], after: { top: 16, left: 16, height: 224, width: 224 }, flip: false });
    // 341 - 224 = 117: the left offset is round(58.5) = 58.
    assert.deepEqual(planImage(IMAGENET_EVAL, 500, 375, "a.jpg"), { resize: [341, 256], after: { top: 16, left: 58, height: 224, width: 224 }, flip: false });
  });

  it("CelebA crops the centre 178x178 first, then resizes", () => {
    assert.deepEqual(planImage(CELEBA_EVAL, 178, 218, "f.jpg"), { before: { top: 20, left: 0, height: 178, width: 178 }, resize: [224, 224], flip: false });
    const shortSide: ImageTransform = { kind: "center-crop-resize", size: 64 };
    assert.deepEqual(planImage(shortSide, 90, 60, "f.jpg").before, { top: 0, left: 15, height: 60, width: 60 });
  });

  it("names the file when an image is too small to crop or not stored at the expected size", () => {
    expectKitError(() => planImage(CELEBA_EVAL, 150, 218, "/data/small.jpg"), "/data/small.jpg", "150x218");
    expectKitError(() => planImage(asStored(224), 256, 256, "/cache/3.png"), "/cache/3.png", "224x224", "256x256");
    assert.deepEqual(planImage(asStored(224), 224, 224, "/cache/3.png"), { flip: false });
  });

  it("a training transform needs an rng and flips about half the time", () => {
    expectKitError(() => planImage(WATERBIRDS_TRAIN, 300, 200, "a.jpg"), "Rng");
    const rng = new Rng(11);
    const draws = 4000;
    let flips = 0;
    for (let n = 0; n < draws; n++) if (planImage(WATERBIRDS_TRAIN, 300, 200, "a.jpg", rng).flip) flips++;
    assert.ok(Math.abs(flips / draws - 0.5) < 0.03, `${flips} flips in ${draws}`);
    const noFlip: TrainTransform = { ...WATERBIRDS_TRAIN, hflip: false };
    assert.ok(Array.from({ length: 200 }, () => planImage(noFlip, 300, 200, "a.jpg", rng).flip).every((f) => !f));
  });

  it("refuses unusable transforms", () => {
    expectKitError(() => checkTransform({ kind: "resize-center-crop", resize: 200, crop: 224 }), "crop 224 of 200");
    expectKitError(() => checkTransform({ kind: "resize-center-crop", resize: [256, 100], crop: 224 }), "no larger");
    expectKitError(() => checkTransform({ ...WATERBIRDS_TRAIN, scale: [0.7, 1.5] }), "scale 0.7,1.5");
    expectKitError(() => checkTransform({ ...WATERBIRDS_TRAIN, ratio: [4 / 3, 3 / 4] }), "ratio");
    expectKitError(() => checkTransform({ kind: "center-crop-resize", size: 22.5 }), "22.5");
    expectKitError(() => checkTransform(asStored(0)), "positive integer");
  });
});
