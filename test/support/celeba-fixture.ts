/**
 * A small CelebA folder in the official or a Kaggle layout, the annotation
 * files in their real formats (all 40 attributes). Every group of
 * (Blond_Hair, Male) has `perGroupPerSplit` images in every split, ordered by
 * split, then group g = 2·blond + male; files are 000001.jpg, 000002.jpg, ...
 * The other attributes follow a pattern that differs from column to
 * column, so a parser that shifts columns reads wrong labels. Each image
 * shows its hair colour with its face colour in the centre box.
 */
import * as path from "path";
import { toCsv } from "../../lib/report/csv";
import { tempDir, writeText, writeTwoTone } from "./image-fixture";
import { Rgb } from "./pipeline-fixture";

export type CelebAFixtureLayout = "official" | "kaggle-nested" | "kaggle-flat";

export interface CelebAFixtureOptions {
  layout?: CelebAFixtureLayout;
  /** Images per group in each split (2). */
  perGroupPerSplit?: number;
}

/** The 40 attributes in the release's column order. */
export const CELEBA_ATTRIBUTES = [
  "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair",
  "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones",
  "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks",
  "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
];

/** Colours by blond (no, yes) and by male (no, yes). */
export const CELEBA_FIXTURE_COLOURS: { hair: [Rgb, Rgb]; face: [Rgb, Rgb] } = {
  hair: [
    [70, 45, 30],
    [235, 205, 110],
  ],
  face: [
    [230, 170, 160],
    [170, 130, 100],
  ],
};

/** Image size: a small version of the aligned faces' 178 x 218. */
export const CELEBA_FIXTURE_SIZE = { width: 36, height: 44 };

const IMAGE_FOLDERS: Record<CelebAFixtureLayout, string> = {
  official: path.join("Img", "img_align_celeba"),
  "kaggle-nested": path.join("img_align_celeba", "img_align_celeba"),
  "kaggle-flat": "img_align_celeba",
};

interface FixtureImage {
  id: string;
  partition: number;
  /** −1/1 per attribute of CELEBA_ATTRIBUTES. */
  values: number[];
}

function fixtureImages(perGroupPerSplit: number): FixtureImage[] {
  const images: FixtureImage[] = [];
  for (let partition = 0; partition < 3; partition++) {
    for (let g = 0; g < 4; g++) {
      for (let k = 0; k < perGroupPerSplit; k++) {
        const n = images.length + 1;
        const values = CELEBA_ATTRIBUTES.map((name, j) => {
          if (name === "Blond_Hair") return g >> 1 ? 1 : -1;
          if (name === "Male") return g & 1 ? 1 : -1;
          return (n + j) % 3 === 0 ? 1 : -1;
        });
        images.push({ id: `${String(n).padStart(6, "0")}.jpg`, partition, values });
      }
    }
  }
  return images;
}

/** list_attr_celeba.txt as released: count, names with a trailing space, values padded to width 2. */
function officialAttributes(images: readonly FixtureImage[]): string {
  const rows = images.map((im) => `${im.id} ${im.values.map((v) => String(v).padStart(2)).join(" ")}`);
  return [String(images.length), CELEBA_ATTRIBUTES.join(" ") + " ", ...rows].join("\n") + "\n";
}

function writeAnnotations(dir: string, layout: CelebAFixtureLayout, images: readonly FixtureImage[]): void {
  if (layout === "official") {
    writeText(path.join(dir, "Anno", "list_attr_celeba.txt"), officialAttributes(images));
    writeText(path.join(dir, "Eval", "list_eval_partition.txt"), images.map((im) => `${im.id} ${im.partition}\n`).join(""));
    return;
  }
  const attributes = images.map((im) => ({ image_id: im.id, ...Object.fromEntries(CELEBA_ATTRIBUTES.map((name, j) => [name, im.values[j]])) }));
  writeText(path.join(dir, "list_attr_celeba.csv"), toCsv(attributes, ["image_id", ...CELEBA_ATTRIBUTES]));
  writeText(path.join(dir, "list_eval_partition.csv"), toCsv(images.map((im) => ({ image_id: im.id, partition: im.partition })), ["image_id", "partition"]));
}

/** The folder (a new temp folder unless `dir` is given), written. */
export async function writeCelebAFixture(dir: string = tempDir("masktune-celeba-"), options: CelebAFixtureOptions = {}): Promise<string> {
  const { layout = "official", perGroupPerSplit = 2 } = options;
  const images = fixtureImages(perGroupPerSplit);
  writeAnnotations(dir, layout, images);
  const blond = CELEBA_ATTRIBUTES.indexOf("Blond_Hair");
  const male = CELEBA_ATTRIBUTES.indexOf("Male");
  const { width, height } = CELEBA_FIXTURE_SIZE;
  for (const im of images) {
    const file = path.join(dir, IMAGE_FOLDERS[layout], im.id);
    await writeTwoTone(file, width, height, CELEBA_FIXTURE_COLOURS.hair[(im.values[blond] + 1) / 2], CELEBA_FIXTURE_COLOURS.face[(im.values[male] + 1) / 2]);
  }
  return dir;
}
