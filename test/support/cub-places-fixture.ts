/**
 * A tiny CUB-200-2011 (text files, images, segmentations/ beside it, as when
 * both archives are unpacked in one folder) and Places365 (categories file and
 * data_large/) tree for the Waterbirds builder. The species are the three
 * land birds the original keyword match mislabels, two true waterbirds that
 * contain "tern" or two words of a keyword (Western_Grebe, Pacific_Loon), a
 * gull and a plain land bird. Every bird is a solid box in the centre of a
 * grey photo, and its mask covers exactly that box; Places photos are solid
 * land or water colours (water ones smaller than the birds, so they are upscaled).
 */
import * as path from "path";
import { tempDir, writeMask, writeText, writeTwoTone } from "./image-fixture";
import { Rgb } from "./pipeline-fixture";

export const CUB_FIXTURE_SPECIES = [
  "021.Eastern_Towhee",
  "053.Western_Grebe",
  "059.California_Gull",
  "086.Pacific_Loon",
  "088.Western_Meadowlark",
  "094.White_breasted_Nuthatch",
  "102.Western_Wood_Pewee",
];

export const CUB_FIXTURE_COLOURS: { bird: Rgb; photo: Rgb; land: Rgb; water: Rgb } = {
  bird: [220, 40, 40],
  photo: [128, 128, 128],
  land: [40, 160, 60],
  water: [30, 60, 200],
};

const CATEGORIES: [string, Rgb, number, number][] = [
  ["/b/bamboo_forest", CUB_FIXTURE_COLOURS.land, 64, 48],
  ["/f/forest/broadleaf", CUB_FIXTURE_COLOURS.land, 64, 48],
  ["/o/ocean", CUB_FIXTURE_COLOURS.water, 24, 20],
  ["/l/lake/natural", CUB_FIXTURE_COLOURS.water, 24, 20],
];

export interface CubPlacesFixture {
  cubDir: string;
  placesDir: string;
  /** img_filename per img_id (index id − 1). */
  filenames: string[];
}

/**
 * Writes the two trees below `dir` (a new temp folder unless given):
 * `perSpecies` images per species, every fourth one a CUB test image, 64x64
 * and 128x64 in turn (the bird box then fills whole 16x16 JPEG blocks, so
 * its colour survives compression); enough Places photos for any place assignment.
 */
export async function writeCubPlacesFixture(dir: string = tempDir("masktune-cub-"), perSpecies = 4): Promise<CubPlacesFixture> {
  const cubDir = path.join(dir, "CUB_200_2011");
  const placesDir = path.join(dir, "places365");
  const filenames: string[] = [];
  for (const species of CUB_FIXTURE_SPECIES) {
    for (let k = 0; k < perSpecies; k++) {
      const name = `${species}/${species.split(".")[1]}_${String(filenames.length + 1).padStart(4, "0")}_${k}.jpg`;
      const [width, height] = filenames.length % 2 === 0 ? [64, 64] : [128, 64];
      await writeTwoTone(path.join(cubDir, "images", name), width, height, CUB_FIXTURE_COLOURS.photo, CUB_FIXTURE_COLOURS.bird);
      await writeMask(path.join(dir, "segmentations", name.replace(/\.jpg$/, ".png")), width, height);
      filenames.push(name);
    }
  }
  const lines = (f: (name: string, i: number) => string) => filenames.map(f).join("\n") + "\n";
  writeText(path.join(cubDir, "images.txt"), lines((name, i) => `${i + 1} ${name}`));
  writeText(path.join(cubDir, "train_test_split.txt"), lines((_, i) => `${i + 1} ${i % 4 === 3 ? 0 : 1}`));
  writeText(path.join(cubDir, "image_class_labels.txt"), lines((name, i) => `${i + 1} ${Number(name.slice(0, 3))}`));
  writeText(path.join(cubDir, "classes.txt"), CUB_FIXTURE_SPECIES.map((s) => `${Number(s.slice(0, 3))} ${s}\n`).join(""));

  writeText(path.join(placesDir, "categories_places365.txt"), ["/a/airfield", ...CATEGORIES.map(([c]) => c)].map((c, i) => `${c} ${i}\n`).join(""));
  const perCategory = Math.ceil(filenames.length / 2);
  for (const [category, colour, width, height] of CATEGORIES) {
    for (let n = 1; n <= perCategory; n++) await writeTwoTone(path.join(placesDir, "data_large", category, `${String(n).padStart(8, "0")}.jpg`), width, height, colour);
  }
  writeText(path.join(placesDir, "data_large", "o", "ocean", "README.txt"), "not an image\n");
  return { cubDir, placesDir, filenames };
}
