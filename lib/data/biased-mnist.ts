/**
 * Biased MNIST (MaskTune, section 4.1 / Figure 2): digits 0-4 are class 0 and
 * 5-9 class 1; images become RGB; a coloured square in a corner is the
 * spurious feature. In training and validation 99% of class 0 and 1% of
 * class 1 carry it; the "biased" test set puts it on every class-1 digit and
 * no class-0 digit; the "original" test set has no squares.
 *
 * Which images carry the square is a deliberate choice (`placement`):
 * - "random" (the kit's default, the natural reading of the paper): a seeded
 *   random choice within each class;
 * - "by-digit" (the authors' code): images are ordered by digit first, so the
 *   class-0 images without a square are all 4s and the class-1 images with one
 *   are all 5s.
 */
import { KitError } from "../errors";
import { Rng } from "../random";
import { ImageDataset } from "./dataset";
import { Digits, MNIST_SIDE, digitCount } from "./mnist";

export type Corner = "top-left" | "top-right" | "bottom-left" | "bottom-right";
export type Rgb = readonly [number, number, number];

export const RED: Rgb = [1, 0, 0];
export const BLUE: Rgb = [0, 0, 1];

export interface SquareSpec {
  corner: Corner;
  /** RGB in [0, 1]. The authors' code paints red; the paper's text says blue. */
  colour: Rgb;
  /** Side in pixels (4 in the paper). */
  side: number;
}

export type ConflictPlacement = "random" | "by-digit";

export interface BiasConfig {
  /** The spurious squares; every biased image carries all of them. */
  squares: readonly SquareSpec[];
  /** Share of class 1 with the squares (= share of class 0 without) in train and val. */
  conflictingRatio: number;
  placement: ConflictPlacement;
}

export const PAPER_BIAS: BiasConfig = {
  squares: [{ corner: "top-left", colour: RED, side: 4 }],
  conflictingRatio: 0.01,
  placement: "random",
};

/** 0-4 → 0, 5-9 → 1. */
export function binaryLabel(digit: number): number {
  return digit >= 5 ? 1 : 0;
}

/** Top-left (row, col) of a square in an image of side `imageSide`. */
export function squareOrigin(square: SquareSpec, imageSide: number): [number, number] {
  const far = imageSide - square.side;
  switch (square.corner) {
    case "top-left":
      return [0, 0];
    case "top-right":
      return [0, far];
    case "bottom-left":
      return [far, 0];
    case "bottom-right":
      return [far, far];
  }
}

/** Flat pixel indices (row * side + col) a square covers. */
export function squarePixels(square: SquareSpec, imageSide: number): number[] {
  const [r0, c0] = squareOrigin(square, imageSide);
  const pixels: number[] = [];
  for (let r = r0; r < r0 + square.side; r++) {
    for (let c = c0; c < c0 + square.side; c++) pixels.push(r * imageSide + c);
  }
  return pixels;
}

/**
 * Which images carry the squares: in class 0 the first round(n0 * (1 - ratio)),
 * in class 1 the first round(n1 * ratio), "first" in the placement's order.
 */
export function chooseSquareCarriers(digits: Int32Array, ratio: number, placement: ConflictPlacement, rng: Rng): Uint8Array {
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new KitError("conflictingRatio", "a number in [0, 1]", String(ratio), "Fix the bias config.");
  }
  const carries = new Uint8Array(digits.length);
  for (const cls of [0, 1]) {
    const members: number[] = [];
    digits.forEach((d, i) => {
      if (binaryLabel(d) === cls) members.push(i);
    });
    if (placement === "random") rng.shuffle(members);
    else members.sort((a, b) => digits[a] - digits[b] || a - b);
    const share = cls === 0 ? 1 - ratio : ratio;
    for (const i of members.slice(0, Math.round(members.length * share))) carries[i] = 1;
  }
  return carries;
}

/** Grey digits → RGB images with the squares painted on the carriers. */
export function paintDataset(d: Digits, carries: Uint8Array, squares: readonly SquareSpec[], name: string): ImageDataset {
  const n = digitCount(d);
  const area = MNIST_SIDE * MNIST_SIDE;
  const images = new Float32Array(n * area * 3);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < area; p++) {
      const v = d.pixels[i * area + p];
      const o = (i * area + p) * 3;
      images[o] = v;
      images[o + 1] = v;
      images[o + 2] = v;
    }
    if (!carries[i]) continue;
    for (const square of squares) {
      for (const p of squarePixels(square, MNIST_SIDE)) images.set(square.colour, (i * area + p) * 3);
    }
  }
  return {
    name,
    shape: [MNIST_SIDE, MNIST_SIDE, 3],
    images,
    labels: Int32Array.from(d.digits, binaryLabel),
    numClasses: 2,
    ids: d.ids,
    attributes: { digit: Int32Array.from(d.digits), square: Int32Array.from(carries) },
  };
}

export interface BiasedMnist {
  train: ImageDataset;
  val: ImageDataset;
  /** Untouched digits (no squares). */
  testOriginal: ImageDataset;
  /** Every class-1 digit carries the squares, no class-0 digit does. */
  testBiased: ImageDataset;
}

/** Builds the four sets from already split digits; a pure function of (digits, config, seed). */
export function buildBiasedMnist(split: { train: Digits; val: Digits; test: Digits }, bias: BiasConfig, seed: number): BiasedMnist {
  const rng = Rng.for(seed, "bias-placement");
  const biased = (d: Digits, ratio: number, name: string) =>
    paintDataset(d, chooseSquareCarriers(d.digits, ratio, bias.placement, rng), bias.squares, name);
  return {
    train: biased(split.train, bias.conflictingRatio, "biased-mnist/train"),
    val: biased(split.val, bias.conflictingRatio, "biased-mnist/val"),
    testOriginal: paintDataset(split.test, new Uint8Array(digitCount(split.test)), bias.squares, "biased-mnist/test-original"),
    testBiased: biased(split.test, 1, "biased-mnist/test-biased"),
  };
}
