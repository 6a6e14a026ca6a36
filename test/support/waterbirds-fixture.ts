/**
 * A small ready Waterbirds folder in the release's format: metadata.csv and
 * JPEGs at <species folder>/<file>.jpg. Every group has `perGroupPerSplit`
 * images in every split, ordered by split, then group g = 2·y + place. The
 * image shows its place colour with its bird colour in the centre box, so
 * a model can learn either the bird or the background.
 */
import * as path from "path";
import { WATERBIRDS_COLUMNS } from "../../lib/data/waterbirds";
import { Row, toCsv } from "../../lib/report/csv";
import { tempDir, writeText, writeTwoTone } from "./image-fixture";
import { Rgb } from "./pipeline-fixture";

export interface WaterbirdsFixtureOptions {
  /** Images per group in each split (3). */
  perGroupPerSplit?: number;
  /** Image width; heights alternate side and 3/4 side, as Waterbirds sizes vary (48). */
  side?: number;
  /** Write pandas' unnamed index column first (false). */
  indexColumn?: boolean;
}

/** Colours by y (landbird, waterbird) and by place (land, water). */
export const WATERBIRDS_FIXTURE_COLOURS: { bird: [Rgb, Rgb]; place: [Rgb, Rgb] } = {
  bird: [
    [200, 120, 40],
    [240, 240, 240],
  ],
  place: [
    [40, 150, 60],
    [30, 70, 200],
  ],
};

const SPECIES = ["094.White_breasted_Nuthatch", "059.California_Gull"];
const PLACES = ["/b/bamboo_forest", "/o/ocean"];

/** The folder (a new temp folder unless `dir` is given), written. */
export async function writeWaterbirdsFixture(dir: string = tempDir("masktune-waterbirds-"), options: WaterbirdsFixtureOptions = {}): Promise<string> {
  const { perGroupPerSplit = 3, side = 48, indexColumn = false } = options;
  const rows: Row[] = [];
  for (let split = 0; split < 3; split++) {
    for (let g = 0; g < 4; g++) {
      for (let k = 0; k < perGroupPerSplit; k++) {
        const id = rows.length + 1;
        const [y, place] = [g >> 1, g & 1];
        const species = SPECIES[y];
        const img_filename = `${species}/${species.split(".")[1]}_${String(id).padStart(4, "0")}.jpg`;
        const height = k % 2 === 0 ? side : Math.round((side * 3) / 4);
        await writeTwoTone(path.join(dir, img_filename), side, height, WATERBIRDS_FIXTURE_COLOURS.place[place], WATERBIRDS_FIXTURE_COLOURS.bird[y]);
        rows.push({ "": id - 1, img_id: id, img_filename, y, split, place, place_filename: `${PLACES[place]}/${String(id).padStart(8, "0")}.jpg` });
      }
    }
  }
  writeText(path.join(dir, "metadata.csv"), toCsv(rows, indexColumn ? ["", ...WATERBIRDS_COLUMNS] : WATERBIRDS_COLUMNS));
  return dir;
}
