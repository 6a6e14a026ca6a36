/**
 * Waterbirds (Sagawa et al., ICLR 2020), read from a ready folder: metadata.csv
 * and the composited JPEGs at the relative paths it lists. That is the
 * released waterbird_complete95_forest2water2, MaskTune's corrected copy, or a
 * folder written by buildWaterbirds (waterbirds-builder.ts).
 *
 * - label y: 0 landbird, 1 waterbird. Spurious attribute `place`: 0 land, 1 water background.
 * - split: 0 train, 1 val, 2 test, as the metadata says.
 * - Groups use group_DRO's numbering, g = 2·y + place, everywhere in the kit
 *   (MaskTune's code indexes 2·place + y; tables name the groups, never only the index).
 * - ids are the img_filename values, e.g. "001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg".
 * - Group counts are computed from the file, never assumed: the corrected
 *   copy's differ from the release's (datasets.md §6.4).
 * Images are not decoded here; the streaming pipeline reads them batch by batch.
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { ImageFileSet } from "./image-files";
import { countGroups, GroupCounts, groupTable, parseInteger, readCsvTable, requireColumns, requireEveryGroup, requireListedFiles, requireUnique, splitSets, Splits, TableRow } from "./text-table";

/** The columns of the release's metadata.csv, in its order (pandas may add an unnamed index column before them). */
export const WATERBIRDS_COLUMNS = ["img_id", "img_filename", "y", "split", "place", "place_filename"] as const;

/** Group g = 2·y + place. */
export const WATERBIRDS_GROUP_NAMES: readonly string[] = ["landbird on land", "landbird on water", "waterbird on land", "waterbird on water"];

export function waterbirdsGroup(y: number, place: number): number {
  return 2 * y + place;
}

export interface Waterbirds extends Splits {
  /** What was read, with the group table of every split. */
  source: string;
  groupCounts: GroupCounts;
}

const FIX = "Pass the unpacked waterbird_complete95_forest2water2 folder, MaskTune's corrected copy, or a folder written by the kit's Waterbirds builder (see datasets/README.md); re-extract metadata.csv if it is damaged.";
const FIX_VALUES = 'Fix that line of metadata.csv or re-extract it: y and place are 0 or 1, split 0, 1 or 2, all written as integers ("1", not "1.0").';
const FIX_IMAGES = "Unpack the whole archive: the images sit next to metadata.csv at the relative paths it lists.";

/** The train, val and test sets of the Waterbirds folder `dir`, checked against its metadata.csv. */
export function loadWaterbirds(dir: string): Waterbirds {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new KitError(dir, "a Waterbirds folder holding metadata.csv", "no such folder", FIX);
  const file = path.join(dir, "metadata.csv");
  const { header, rows } = readCsvTable(file, FIX);
  if (rows.length === 0) throw new KitError(file, "one row per image after the header", "the header alone", FIX);
  const [filenameAt, yAt, splitAt, placeAt] = requireColumns(file, header, ["img_filename", "y", "split", "place"], FIX);
  const column = (at: number) => rows.map((r) => r.fields[at]);
  const integers = (at: number, allowed: number[]) => Int32Array.from(rows, (r: TableRow) => parseInteger(r.fields[at], { file, line: r.line, column: header[at] }, FIX_VALUES, allowed));

  const names = column(filenameAt);
  const lines = rows.map((r) => r.line);
  requireUnique(names, lines, { file, column: "img_filename" }, FIX);
  if (header.includes("img_id")) requireUnique(column(header.indexOf("img_id")), lines, { file, column: "img_id" }, FIX);
  const labels = integers(yAt, [0, 1]);
  const place = integers(placeAt, [0, 1]);
  const split = integers(splitAt, [0, 1, 2]);
  requireListedFiles(dir, names, file, FIX_IMAGES);

  const root = path.resolve(dir);
  const group = labels.map((y, i) => waterbirdsGroup(y, place[i]));
  const all: ImageFileSet = {
    name: "waterbirds",
    files: names.map((name) => path.join(root, name)),
    labels,
    numClasses: 2,
    ids: names,
    attributes: { place, group },
    groupNames: [...WATERBIRDS_GROUP_NAMES],
  };
  const groupCounts = countGroups(group, split, WATERBIRDS_GROUP_NAMES.length);
  requireEveryGroup(groupCounts, WATERBIRDS_GROUP_NAMES, file, "Check that this is a whole Waterbirds folder; the kit needs every group in every split to report worst-group accuracy.");
  return {
    ...splitSets(all, split, "waterbirds"),
    groupCounts,
    source: `Waterbirds, ${file}: groups g = 2·y + place (y 1 = waterbird, place 1 = water)\n${groupTable(groupCounts, WATERBIRDS_GROUP_NAMES)}`,
  };
}
