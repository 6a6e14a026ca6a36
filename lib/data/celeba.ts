/**
 * CelebA (Liu et al., ICCV 2015) for the Blond_Hair-vs-Male benchmark of
 * Sagawa et al., in either release:
 * - official: Anno/list_attr_celeba.txt and Eval/list_eval_partition.txt (or
 *   both directly in the folder), images in Img/img_align_celeba/,
 *   img_align_celeba/ or directly in the folder. The attribute file is a count line, 40 names, then rows of
 *   file name + 40 values separated by runs of spaces: the names line has
 *   no entry for the file-name column, so names are matched to fields + 1.
 * - Kaggle (jessicali9530/celeba-dataset): list_attr_celeba.csv (image_id
 *   header) and list_eval_partition.csv, images in img_align_celeba/ or
 *   nested in img_align_celeba/img_align_celeba/.
 * Attributes are looked up by name, never by position; −1/1 become 0/1. The
 * two files are joined by file name (MaskTune pairs them by row position).
 *
 * label y = target (Blond_Hair); spurious attribute a = groupAttribute (Male),
 * stored under its lower-cased name ("male"). Groups follow group_DRO,
 * g = 2·y + a: 0 not blond, female; 1 not blond, male; 2 blond, female;
 * 3 blond, male (MaskTune's code indexes 2·a + y instead).
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { ImageFileSet } from "./image-files";
import {
  countGroups,
  GroupCounts,
  groupTable,
  parseInteger,
  readCsvTable,
  readLines,
  readWhitespaceRows,
  requireColumns,
  requireEveryGroup,
  requireFieldCount,
  requireListedFiles,
  requireUnique,
  splitSets,
  Splits,
  TableRow,
  whitespaceFields,
} from "./text-table";

export type CelebALayout = "official" | "kaggle-nested" | "kaggle-flat";

export interface CelebAOptions {
  /** The label attribute (Blond_Hair). */
  target?: string;
  /** The spurious attribute that forms the groups with the label (Male). */
  groupAttribute?: string;
}

export interface CelebA extends Splits {
  /** Which files were read, with the group table of every split. */
  source: string;
  layout: CelebALayout;
  groupCounts: GroupCounts;
}

/** An attribute file, either format: per image, every attribute as 0/1. */
export interface AttributeTable {
  file: string;
  names: string[];
  ids: string[];
  /** Line of each image's row, for messages. */
  lines: number[];
  /** Row-major values: image i, attribute j at i * names.length + j. */
  values: Uint8Array;
}

const ATTRIBUTE_COUNT = 40;
const FIX = "Pass the CelebA folder in its official layout (Anno/, Eval/, Img/img_align_celeba/) or Kaggle's (list_attr_celeba.csv, list_eval_partition.csv, img_align_celeba/); see datasets/README.md.";
const FIX_FILE = "The file is damaged or edited: re-extract it from the CelebA download.";

/** Readable names of an attribute's values 0 and 1, for the group names. */
const VALUE_NAMES: Record<string, [string, string]> = { Blond_Hair: ["not blond", "blond"], Male: ["female", "male"] };
const valueNames = (attribute: string): [string, string] => VALUE_NAMES[attribute] ?? [`not ${attribute}`, attribute];

/** Row `i` of `values` from the fields at `columns` of `row` (one per name), −1/1 read as 0/1. */
function putRow(values: Uint8Array, i: number, row: TableRow, columns: readonly number[], names: readonly string[], file: string): void {
  columns.forEach((at, j) => {
    const text = row.fields[at];
    // the two usual spellings skip the general parser: the full file has 8 million values
    const value = text === "1" ? 1 : text === "-1" ? -1 : parseInteger(text, { file, line: row.line, column: names[j] }, FIX_FILE, [-1, 1]);
    values[i * names.length + j] = (value + 1) / 2;
  });
}

/**
 * The official list_attr_celeba.txt: count line, names line, then a row of
 * file name + one value per name. Rows are split one at a time, so the
 * 8 million fields of the full file never live at once.
 */
function readOfficialAttributes(file: string): AttributeTable {
  const [countLine, namesLine, ...lines] = readLines(file, FIX);
  if (!namesLine) throw new KitError(file, "a line of attribute names after the count line", "the count line alone", FIX_FILE);
  const names = whitespaceFields(namesLine.text);
  const count = parseInteger(countLine.text, { file, line: countLine.line, column: "image count" }, FIX_FILE);
  if (count !== lines.length) throw new KitError(file, `${count.toLocaleString("en-US")} image rows, as line ${countLine.line} says`, `${lines.length.toLocaleString("en-US")}`, FIX_FILE);
  const columns = names.map((_, j) => j + 1);
  const values = new Uint8Array(lines.length * names.length);
  const ids = lines.map((l, i) => {
    const row = { line: l.line, fields: whitespaceFields(l.text) };
    requireFieldCount(file, [row], names.length + 1, `the file name and one value per name on line ${namesLine.line} (${names.length} names)`, FIX_FILE);
    putRow(values, i, row, columns, names, file);
    return row.fields[0];
  });
  return { file, names, ids, lines: lines.map((l) => l.line), values };
}

/** Kaggle's list_attr_celeba.csv: header image_id + names, comma-separated. */
function readKaggleAttributes(file: string): AttributeTable {
  const { header, rows } = readCsvTable(file, FIX);
  const [idAt] = requireColumns(file, header, ["image_id"], FIX_FILE);
  const columns = header.map((_, j) => j).filter((j) => j !== idAt);
  const names = columns.map((j) => header[j]);
  const values = new Uint8Array(rows.length * names.length);
  rows.forEach((r, i) => putRow(values, i, r, columns, names, file));
  return { file, names, ids: rows.map((r) => r.fields[idAt]), lines: rows.map((r) => r.line), values };
}

/** An attribute file in either format (by extension: .csv is Kaggle's, anything else the official text). */
export function readCelebAAttributes(file: string): AttributeTable {
  const table = file.endsWith(".csv") ? readKaggleAttributes(file) : readOfficialAttributes(file);
  requireUnique(table.ids, table.lines, { file, column: "image id" }, FIX_FILE);
  return table;
}

/** One attribute's 0/1 values by name, with a "did you mean" when it is missing. */
export function attributeValues(table: AttributeTable, name: string): Int32Array {
  const [j] = requireColumns(table.file, table.names, [name], "Use one of the 40 attribute names of that file (its names line, or its CSV header), spelt as there.");
  return Int32Array.from(table.ids, (_, i) => table.values[i * table.names.length + j]);
}

/** Partition per image id (0 train, 1 val, 2 test) from either format. */
function readPartitions(file: string): Map<string, number> {
  let rows: TableRow[];
  if (file.endsWith(".csv")) {
    const table = readCsvTable(file, FIX);
    const [idAt, partitionAt] = requireColumns(file, table.header, ["image_id", "partition"], FIX_FILE);
    rows = table.rows.map((r) => ({ line: r.line, fields: [r.fields[idAt], r.fields[partitionAt]] }));
  } else {
    rows = readWhitespaceRows(file, FIX);
    requireFieldCount(file, rows, 2, "a file name and a partition", FIX_FILE);
  }
  requireUnique(rows.map((r) => r.fields[0]), rows.map((r) => r.line), { file, column: "image id" }, FIX_FILE);
  return new Map(rows.map((r) => [r.fields[0], parseInteger(r.fields[1], { file, line: r.line, column: "partition" }, FIX_FILE, [0, 1, 2])]));
}

interface Files {
  attributes: string;
  partitions: string;
  /** Candidate image folders, most specific first, with the layout each implies. */
  imageFolders: [string, CelebALayout][];
}

const exists = (p: string) => fs.existsSync(p);

function findFiles(dir: string): Files {
  const kaggle = path.join(dir, "list_attr_celeba.csv");
  if (exists(kaggle)) {
    const flat = path.join(dir, "img_align_celeba");
    return { attributes: kaggle, partitions: path.join(dir, "list_eval_partition.csv"), imageFolders: [[path.join(flat, "img_align_celeba"), "kaggle-nested"], [flat, "kaggle-flat"]] };
  }
  const official = [path.join(dir, "Anno", "list_attr_celeba.txt"), path.join(dir, "list_attr_celeba.txt")].find(exists);
  if (official) {
    const partitions = [path.join(dir, "Eval", "list_eval_partition.txt"), path.join(dir, "list_eval_partition.txt")].find(exists) ?? path.join(dir, "Eval", "list_eval_partition.txt");
    const folders = [path.join(dir, "Img", "img_align_celeba"), path.join(dir, "img_align_celeba"), dir];
    return { attributes: official, partitions, imageFolders: folders.map((f) => [f, "official"]) };
  }
  const found = exists(dir) ? "neither Anno/list_attr_celeba.txt, list_attr_celeba.txt nor list_attr_celeba.csv" : "no such folder";
  throw new KitError(dir, "a CelebA folder", found, FIX);
}

/** The first candidate folder that holds the first listed image (the full check comes after). */
function findImageFolder(files: Files, firstId: string): [string, CelebALayout] {
  const found = files.imageFolders.find(([folder]) => exists(path.join(folder, firstId)));
  if (!found) throw new KitError(firstId, `an image in ${files.imageFolders.map(([f]) => f).join(" or ")}`, "none of them holds it", "Unzip img_align_celeba.zip into the folder (see datasets/README.md).");
  return found;
}

/** Refuses image ids that the other file lacks, with a count and examples. */
function requireSameIds(ids: readonly string[], partitions: Map<string, number>, attributesFile: string, partitionsFile: string): void {
  const listed = new Set(ids);
  const noPartition = ids.filter((id) => !partitions.has(id));
  const noAttributes = [...partitions.keys()].filter((id) => !listed.has(id));
  if (noPartition.length + noAttributes.length > 0) {
    const part = (missing: string[], file: string) => (missing.length > 0 ? [`${missing.length.toLocaleString("en-US")} not in ${file} (e.g. ${missing.slice(0, 3).join(", ")})`] : []);
    throw new KitError(`${attributesFile} and ${partitionsFile}`, "the same image ids", [...part(noPartition, partitionsFile), ...part(noAttributes, attributesFile)].join("; "), "Use the attribute and partition files of one CelebA download.");
  }
}

/** Train, val and test sets of the CelebA folder `dir`, labelled by `target`, grouped with `groupAttribute`. */
export function loadCelebA(dir: string, options: CelebAOptions = {}): CelebA {
  const { target = "Blond_Hair", groupAttribute = "Male" } = options;
  const files = findFiles(dir);
  const table = readCelebAAttributes(files.attributes);
  if (table.ids.length === 0) throw new KitError(files.attributes, "one row per image", "none", FIX_FILE);
  if (table.names.length !== ATTRIBUTE_COUNT) throw new KitError(files.attributes, `${ATTRIBUTE_COUNT} attribute names`, `${table.names.length}`, FIX_FILE);
  const partitions = readPartitions(files.partitions);
  requireSameIds(table.ids, partitions, files.attributes, files.partitions);
  const badName = table.ids.findIndex((id) => !/^\d{6}\.jpg$/.test(id));
  if (badName >= 0) throw new KitError(`${files.attributes} line ${table.lines[badName]}`, "an image name of the form NNNNNN.jpg", `"${table.ids[badName]}"`, FIX_FILE);

  const labels = attributeValues(table, target);
  const spurious = attributeValues(table, groupAttribute);
  const [imageFolder, layout] = findImageFolder(files, table.ids[0]);
  requireListedFiles(imageFolder, table.ids, files.attributes, "Unzip all of img_align_celeba.zip; the attribute file lists 202,599 images.");

  const [notY, y] = valueNames(target);
  const [notA, a] = valueNames(groupAttribute);
  const groupNames = [`${notY}, ${notA}`, `${notY}, ${a}`, `${y}, ${notA}`, `${y}, ${a}`];
  const group = labels.map((label, i) => 2 * label + spurious[i]);
  const split = Int32Array.from(table.ids, (id) => partitions.get(id) as number);
  const root = path.resolve(imageFolder);
  const all: ImageFileSet = {
    name: "celeba",
    files: table.ids.map((id) => path.join(root, id)),
    labels,
    numClasses: 2,
    ids: table.ids,
    attributes: { [groupAttribute.toLowerCase()]: spurious, group },
    groupNames,
  };
  const groupCounts = countGroups(group, split, groupNames.length);
  requireEveryGroup(groupCounts, groupNames, files.attributes, "Check that the attribute file is the whole CelebA one; the kit needs every group in every split to report worst-group accuracy.");
  return {
    ...splitSets(all, split, "celeba"),
    layout,
    groupCounts,
    source: `CelebA, ${layout} layout: ${files.attributes}, ${files.partitions}, images in ${imageFolder}; y = ${target}, a = ${groupAttribute}, groups g = 2·y + a\n${groupTable(groupCounts, groupNames)}`,
  };
}
