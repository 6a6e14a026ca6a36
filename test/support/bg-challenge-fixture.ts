/**
 * A small Background Challenge in one of its real layouts:
 * - "release": in9l/train|val/<class>/ (in9l.tar.gz) and
 *   bg_challenge/<variant>/val/<class>/ for the 8 image variants
 *   (backgrounds_challenge_data.tar.gz; fg_mask is not written);
 * - "masktune": train/, val/ and test/<variant>/val/<class>/.
 * Both layouts hold the same files. Each class has `perClass` images per
 * split, named as released: <wnid>_<num>.JPEG, and fg_<wnid>_<num>_bg_<wnid>_<num>.JPEG
 * for mixed_*. The foreground (the centre box) has its class's colour, the
 * background a class colour of its own that the variant keeps, removes (black)
 * or swaps; so a model can learn the class from either, and Mixed-Rand tells
 * which it did. only_bg_b and no_fg are the same images here, the foreground
 * being the box. Heights alternate side and 3/4 side, as real sizes vary.
 */
import * as path from "path";
import { BG_VARIANTS, BgVariant, IN9_CLASSES } from "../../lib/data/background-challenge";
import { tempDir, writeTwoTone } from "./image-fixture";
import { Rgb } from "./pipeline-fixture";

export type BgChallengeFixtureLayout = "release" | "masktune";

export interface BgChallengeFixtureOptions {
  /** Images per class in each split and variant (2). */
  perClass?: number;
  /** Image width (40). */
  side?: number;
  layout?: BgChallengeFixtureLayout;
}

/** Foreground and background colour of each class, by label. */
export const BG_FIXTURE_COLOURS: { foreground: Rgb[]; background: Rgb[] } = {
  foreground: [
    [230, 25, 75],
    [60, 180, 75],
    [255, 225, 25],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 240, 240],
    [240, 50, 230],
    [250, 250, 250],
  ],
  background: [
    [110, 80, 50],
    [40, 90, 40],
    [90, 90, 110],
    [150, 120, 70],
    [60, 60, 30],
    [30, 60, 90],
    [120, 40, 40],
    [70, 110, 100],
    [100, 100, 100],
  ],
};

/** The classes' WordNet ids (datasets.md §7.1); real files carry the leaf synset's. */
const WNIDS = ["n02084071", "n01503061", "n04576211", "n01661091", "n02075296", "n02159955", "n03800933", "n02469914", "n02512053"];
const BLACK: Rgb = [0, 0, 0];

const FOLDERS: Record<BgChallengeFixtureLayout, { train: string; val: string; test: string }> = {
  release: { train: path.join("in9l", "train"), val: path.join("in9l", "val"), test: "bg_challenge" },
  masktune: { train: "train", val: "val", test: "test" },
};

interface FixtureImage {
  name: string;
  outside: Rgb;
  inside: Rgb;
}

/** Class and image number of the background that a mixed_* variant gives foreground k of class c. */
function mixedBackground(variant: BgVariant, c: number, k: number, perClass: number): [number, number] {
  if (variant === "mixed_same") return [c, ((k + 1) % perClass) + 1];
  if (variant === "mixed_next") return [(c + 1) % IN9_CLASSES.length, k + 1];
  return [(c + 2 + 4 * k) % IN9_CLASSES.length, k + 1]; // mixed_rand: fixed, but varying with the class and image
}

/** Test image k of class c in `variant`; its foreground is <wnid>_<k + 1>. */
function testImage(variant: BgVariant, c: number, k: number, perClass: number): FixtureImage {
  const { foreground, background } = BG_FIXTURE_COLOURS;
  const fg = `${WNIDS[c]}_${k + 1}`;
  const name = `${fg}.JPEG`;
  switch (variant) {
    case "original":
      return { name, outside: background[c], inside: foreground[c] };
    case "only_bg_b":
    case "no_fg":
      return { name, outside: background[c], inside: BLACK };
    case "only_bg_t":
      return { name, outside: background[c], inside: background[c] };
    case "only_fg":
      return { name, outside: BLACK, inside: foreground[c] };
    default: {
      const [bgClass, bgNum] = mixedBackground(variant, c, k, perClass);
      return { name: `fg_${fg}_bg_${WNIDS[bgClass]}_${bgNum}.JPEG`, outside: background[bgClass], inside: foreground[c] };
    }
  }
}

/** The root folder (a new temp folder unless `dir` is given), written. */
export async function writeBgChallengeFixture(dir: string = tempDir("masktune-bg-challenge-"), options: BgChallengeFixtureOptions = {}): Promise<string> {
  const { perClass = 2, side = 40, layout = "release" } = options;
  const folders = FOLDERS[layout];
  for (let c = 0; c < IN9_CLASSES.length; c++) {
    for (let k = 0; k < perClass; k++) {
      const height = k % 2 === 0 ? side : Math.round((side * 3) / 4);
      const write = (folder: string, image: FixtureImage) => writeTwoTone(path.join(dir, folder, IN9_CLASSES[c], image.name), side, height, image.outside, image.inside);
      // training images: the class's foreground on its own background, numbered after the test images
      const trainImage = (num: number) => ({ name: `${WNIDS[c]}_${num}.JPEG`, outside: BG_FIXTURE_COLOURS.background[c], inside: BG_FIXTURE_COLOURS.foreground[c] });
      await write(folders.train, trainImage(perClass + k + 1));
      await write(folders.val, trainImage(2 * perClass + k + 1));
      for (const variant of BG_VARIANTS) await write(path.join(folders.test, variant, "val"), testImage(variant, c, k, perClass));
    }
  }
  return dir;
}
