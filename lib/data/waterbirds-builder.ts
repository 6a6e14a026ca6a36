/**
 * Builds a Waterbirds folder from CUB-200-2011 and Places365 the way
 * group_DRO's generate_waterbirds.py does (datasets.md §6.2): each bird is cut
 * out with its segmentation mask and pasted on a land (bamboo forest,
 * broadleaf forest) or water (ocean, natural lake) photo, with 95 % of training
 * waterbirds on water and 95 % of training landbirds on land, val and test
 * balanced. Three differences, all recorded in outDir/waterbirds-build.json:
 * - every random choice comes from a seeded Rng (the script's are unseeded,
 *   so the release cannot be rebuilt; its counts can);
 * - labels are corrected by default: keywords match whole words of the
 *   species name, so Eastern_Towhee, Western_Meadowlark and Western_Wood_Pewee
 *   ("tern" inside "eastern"/"western") are land birds (`labels: "original"` keeps the bug);
 * - an exclusion list can drop images first (the MaskTune paper removed
 *   images showing more than one bird; its list is not published).
 * Reads cubDir and placesDir only; writes outDir, which must be new or empty.
 */
import * as fs from "fs";
import * as path from "path";
import sharp, { ResizeOptions } from "sharp";
import { KitError } from "../errors";
import { Rng } from "../random";
import { toCsv } from "../report/csv";
import { limiter } from "./images/limiter";
import { countGroups, GroupCounts, groupTable, parseInteger, readLines, readWhitespaceRows, requireFieldCount, requireListedFiles, requireUnique, TableRow } from "./text-table";
import { WATERBIRDS_COLUMNS, WATERBIRDS_GROUP_NAMES, waterbirdsGroup } from "./waterbirds";

/** group_DRO's keyword list: seabirds, then waterfowl. */
export const WATERBIRD_KEYWORDS = ["Albatross", "Auklet", "Cormorant", "Frigatebird", "Fulmar", "Gull", "Jaeger", "Kittiwake", "Pelican", "Puffin", "Tern", "Gadwall", "Grebe", "Mallard", "Merganser", "Guillemot", "Pacific_Loon"];

/** Places365 categories per place: 0 land, 1 water. */
const PLACE_CATEGORIES = [
  ["/b/bamboo_forest", "/f/forest/broadleaf"],
  ["/o/ocean", "/l/lake/natural"],
];

export type WaterbirdLabels = "corrected" | "original";

export interface WaterbirdsBuildOptions {
  /** The CUB_200_2011 folder (images.txt, train_test_split.txt, classes.txt, images/); segmentations/ inside it or beside it. */
  cubDir: string;
  /** Holds categories_places365.txt and data_large/ (the high-resolution training images). */
  placesDir: string;
  outDir: string;
  seed: number;
  /** Share of training waterbirds on water and of training landbirds on land (0.95). */
  confounderStrength?: number;
  /** Share of CUB's training images held out as val (0.2). */
  valFraction?: number;
  /** A text file of img_ids or img_filenames (one a line, # comments) to leave out. */
  exclusionList?: string;
  labels?: WaterbirdLabels;
  log?: (line: string) => void;
}

export interface WaterbirdsBuild {
  metadataFile: string;
  /** Species folders whose label differs from the original script's, e.g. "021.Eastern_Towhee". */
  changedSpecies: string[];
  /** Images whose label differs from the original script's. */
  changedImages: number;
  excluded: number;
  groupCounts: GroupCounts;
}

interface CubImage {
  id: number;
  filename: string;
  species: string;
  training: boolean;
}

interface Row {
  image: CubImage;
  y: number;
  split: number;
  place: number;
  background: string;
}

const FIX_CUB = "Pass the unpacked CUB_200_2011 folder (CUB_200_2011.tgz), with segmentations.tgz unpacked inside or beside it.";
const FIX_PLACES = "Pass a folder holding categories_places365.txt (filelist_places365-standard.tar) and data_large/ (places365standard_easyformat's high-resolution data_large.tar).";
const PROGRESS_EVERY = 1000;
const CONCURRENCY = 4;

/**
 * y for a CUB species folder such as "021.Eastern_Towhee": 1 if a keyword
 * matches the name after the first ".". "original" matches substrings, as
 * the script does; "corrected" matches whole words of the underscore-separated
 * name (a keyword of two words, Pacific_Loon, as two consecutive words).
 */
export function waterbirdLabel(speciesFolder: string, labels: WaterbirdLabels): number {
  const name = speciesFolder.slice(speciesFolder.indexOf(".") + 1).toLowerCase();
  const words = name.split("_");
  const matches = (keyword: string) => {
    const k = keyword.toLowerCase();
    if (labels === "original") return name.includes(k);
    const kWords = k.split("_");
    return words.some((_, i) => kWords.every((w, j) => words[i + j] === w));
  };
  return WATERBIRD_KEYWORDS.some(matches) ? 1 : 0;
}

/** Python's round(): halves go to the even integer (466.5 → 466), which the released val counts show. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return x % 1 === 0.5 && r % 2 === 1 ? r - 1 : r;
}

/** `count` items of `items`, drawn without replacement. */
function draw<T>(items: readonly T[], count: number, rng: Rng): T[] {
  return rng.permutation(items.length).slice(0, count).map((i) => items[i]);
}

/** The segmentation mask's path for an image path. */
const pngOf = (filename: string) => filename.replace(/\.jpg$/, ".png");

const isDirectory = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Integer first fields of a CUB table, and its rows keyed by them; ids must be unique. */
function readIdTable(file: string, fields: number): Map<number, TableRow> {
  const rows = readWhitespaceRows(file, FIX_CUB);
  requireFieldCount(file, rows, fields, "an id then its value", FIX_CUB);
  requireUnique(rows.map((r) => r.fields[0]), rows.map((r) => r.line), { file, column: "id" }, FIX_CUB);
  return new Map(rows.map((r) => [parseInteger(r.fields[0], { file, line: r.line, column: "id" }, FIX_CUB), r]));
}

/** CUB's images with their species and official train/test flag, by id; the three id tables must agree. */
function readCub(cubDir: string): CubImage[] {
  const images = readIdTable(path.join(cubDir, "images.txt"), 2);
  const splitFile = path.join(cubDir, "train_test_split.txt");
  const splits = readIdTable(splitFile, 2);
  const classes = new Set([...readIdTable(path.join(cubDir, "classes.txt"), 2).values()].map((r) => r.fields[1]));
  const unmatched = [...images.keys()].filter((id) => !splits.has(id)).concat([...splits.keys()].filter((id) => !images.has(id)));
  if (unmatched.length > 0) throw new KitError(`${path.join(cubDir, "images.txt")} and ${splitFile}`, "the same image ids", `${unmatched.length} in only one of them, e.g. ${unmatched.slice(0, 3).join(", ")}`, FIX_CUB);
  return [...images.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, row]) => {
      const filename = row.fields[1];
      const species = filename.split("/")[0];
      if (!classes.has(species)) throw new KitError(`${path.join(cubDir, "images.txt")} line ${row.line}`, "a species folder listed in classes.txt", `"${species}"`, FIX_CUB);
      const split = splits.get(id) as TableRow;
      const training = parseInteger(split.fields[1], { file: splitFile, line: split.line, column: "is_training" }, FIX_CUB, [0, 1]) === 1;
      return { id, filename, species, training };
    });
}

/** The ids named by the exclusion list, each an img_id or an img_filename of images.txt. */
function readExclusions(file: string, images: readonly CubImage[]): Set<number> {
  const byName = new Map(images.map((im) => [im.filename, im.id]));
  const ids = new Set(images.map((im) => im.id));
  const excluded = new Set<number>();
  const unknown: string[] = [];
  for (const { text } of readLines(file, "Give a text file with one img_id or img_filename per line.")) {
    const entry = text.trim();
    if (entry.startsWith("#")) continue;
    const id = /^\d+$/.test(entry) ? Number(entry) : byName.get(entry);
    if (id !== undefined && ids.has(id)) excluded.add(id);
    else unknown.push(entry);
  }
  if (unknown.length > 0) throw new KitError(file, "img_ids or img_filenames of images.txt", `${unknown.length} not in images.txt, e.g. ${unknown.slice(0, 3).join(", ")}`, "Fix the list: it must name images of this CUB folder.");
  return excluded;
}

/** Per place, its Places365 files ("/b/bamboo_forest/00000001.jpg"), in file-name order. */
function readBackgrounds(placesDir: string): string[][] {
  const categoriesFile = path.join(placesDir, "categories_places365.txt");
  const known = new Set(readWhitespaceRows(categoriesFile, FIX_PLACES).map((r) => r.fields[0]));
  const missing = PLACE_CATEGORIES.flat().filter((c) => !known.has(c));
  if (missing.length > 0) throw new KitError(categoriesFile, `the categories ${PLACE_CATEGORIES.flat().join(", ")}`, `no ${missing.join(", ")}`, FIX_PLACES);
  return PLACE_CATEGORIES.map((categories) =>
    categories.flatMap((category) => {
      const folder = path.join(placesDir, "data_large", category);
      if (!isDirectory(folder)) throw new KitError(folder, "a folder of Places365 images", "no such folder", FIX_PLACES);
      return fs.readdirSync(folder).filter((f) => f.endsWith(".jpg")).sort().map((f) => `${category}/${f}`);
    }),
  );
}

/** The folder of the CUB segmentation masks: CUB_200_2011/segmentations or a segmentations/ beside it. */
function findSegmentations(cubDir: string): string {
  const candidates = [path.join(cubDir, "segmentations"), path.join(path.dirname(path.resolve(cubDir)), "segmentations")];
  const found = candidates.find(isDirectory);
  if (!found) throw new KitError(cubDir, `the segmentation masks in ${candidates.join(" or ")}`, "neither folder", FIX_CUB);
  return found;
}

/** Refuses an outDir that is inside (or is) a source folder, or that already holds files. */
function requireFreshOutput(outDir: string, sources: readonly string[]): void {
  const out = path.resolve(outDir);
  for (const source of sources) {
    const relative = path.relative(path.resolve(source), out);
    if (!relative.startsWith("..") && !path.isAbsolute(relative)) throw new KitError(outDir, "a folder outside the CUB and Places folders", `a folder inside ${source}`, "Choose another output folder: the source folders are only read.");
  }
  if (fs.existsSync(out) && (!isDirectory(out) || fs.readdirSync(out).length > 0)) throw new KitError(outDir, "a new or empty folder", "a folder with files in it", "Choose a new output folder; the builder never overwrites files.");
}

function requireFraction(option: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new KitError(`Waterbirds builder option ${option}`, "a number from 0 to 1", `${value}`, "Fix the option.");
}

/** The split (0 train, 1 val, 2 test) of each image: CUB test → 2, a seeded valFraction of CUB train → 1. */
function assignSplits(images: readonly CubImage[], valFraction: number, rng: Rng): number[] {
  const training = images.filter((im) => im.training);
  const val = new Set(draw(training, roundHalfEven(valFraction * training.length), rng));
  return images.map((im) => (!im.training ? 2 : val.has(im) ? 1 : 0));
}

/** place per image: in each split and class, a seeded subset of the script's size is put on water. */
function assignPlaces(ys: readonly number[], splits: readonly number[], confounderStrength: number, rng: Rng): number[] {
  const places = ys.map(() => 0);
  for (const split of [0, 1, 2]) {
    for (const y of [0, 1]) {
      const members = ys.map((_, i) => i).filter((i) => splits[i] === split && ys[i] === y);
      const onWater = split !== 0 ? 0.5 : y === 1 ? confounderStrength : 1 - confounderStrength;
      for (const i of draw(members, roundHalfEven(onWater * members.length), rng)) places[i] = 1;
    }
  }
  return places;
}

/** A background per image: each place's pool shuffled, then handed out in image order, none twice. */
function assignBackgrounds(places: readonly number[], pools: readonly string[][], rng: Rng, placesDir: string): string[] {
  const shuffled = pools.map((pool, place) => {
    const needed = places.filter((p) => p === place).length;
    if (pool.length < needed) throw new KitError(path.join(placesDir, "data_large"), `at least ${needed} ${place === 1 ? "water" : "land"} images (${PLACE_CATEGORIES[place].join(", ")})`, `${pool.length}`, FIX_PLACES);
    return rng.shuffle([...pool]);
  });
  const handedOut = pools.map(() => 0);
  return places.map((place) => shuffled[place][handedOut[place]++]);
}

/** Decoded sRGB pixels of an image file, optionally resized first; undecodable files are refused by name. */
async function rgb(file: string, resize?: ResizeOptions): Promise<{ data: Buffer; width: number; height: number }> {
  try {
    const image = sharp(file).removeAlpha().toColourspace("srgb");
    const { data, info } = await (resize ? image.resize(resize) : image).raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (e) {
    throw new KitError(file, "a decodable image", (e as Error).message, "Re-extract the file from its archive.");
  }
}

/**
 * bird·mask + background·(1 − mask), the mask being the segmentation PNG as
 * RGB / 255 (soft). The background is scaled to cover the bird image and
 * centre-cropped (Lanczos), which is the script's crop_and_resize up to
 * rounding. Sums are clamped at 255 (the script adds uint8 arrays). Saved
 * as a JPEG of quality 75, Pillow's default.
 */
async function composite(image: string, segmentation: string, background: string, output: string): Promise<void> {
  const bird = await rgb(image);
  const mask = await rgb(segmentation);
  if (mask.width !== bird.width || mask.height !== bird.height) {
    throw new KitError(segmentation, `a mask of its image's size, ${bird.width}x${bird.height}`, `${mask.width}x${mask.height}`, "Use the segmentations of this CUB release.");
  }
  const place = await rgb(background, { width: bird.width, height: bird.height, fit: "cover", position: "centre", kernel: "lanczos3" });
  const out = Buffer.alloc(bird.data.length);
  for (let i = 0; i < out.length; i++) {
    const m = mask.data[i] / 255;
    out[i] = Math.min(255, Math.round(bird.data[i] * m) + Math.round(place.data[i] * (1 - m)));
  }
  fs.mkdirSync(path.dirname(output), { recursive: true });
  await sharp(out, { raw: { width: bird.width, height: bird.height, channels: 3 } }).jpeg({ quality: 75 }).toFile(output);
}

/** Composites every row's image into outDir at its CUB path, a few at a time. */
async function compositeAll(rows: readonly Row[], dirs: { cubDir: string; segmentations: string; placesDir: string; outDir: string }, log: (line: string) => void): Promise<void> {
  const limit = limiter(CONCURRENCY);
  let done = 0;
  await Promise.all(
    rows.map((row) =>
      limit(async () => {
        const { filename } = row.image;
        const segmentation = path.join(dirs.segmentations, pngOf(filename));
        await composite(path.join(dirs.cubDir, "images", filename), segmentation, path.join(dirs.placesDir, "data_large", row.background), path.join(dirs.outDir, filename));
        if (++done % PROGRESS_EVERY === 0) log(`Waterbirds: ${done.toLocaleString("en-US")} / ${rows.length.toLocaleString("en-US")} images composited`);
      }),
    ),
  );
}

/** Builds Waterbirds into options.outDir: the composited JPEGs, metadata.csv and waterbirds-build.json. */
export async function buildWaterbirds(options: WaterbirdsBuildOptions): Promise<WaterbirdsBuild> {
  const { cubDir, placesDir, outDir, seed, confounderStrength = 0.95, valFraction = 0.2, exclusionList, labels = "corrected", log = () => undefined } = options;
  requireFraction("confounderStrength", confounderStrength);
  requireFraction("valFraction", valFraction);
  if (!Number.isInteger(seed)) throw new KitError("Waterbirds builder option seed", "an integer", `${seed}`, "Fix the option.");
  requireFreshOutput(outDir, [cubDir, placesDir]);

  const cub = readCub(cubDir);
  const excluded = exclusionList === undefined ? new Set<number>() : readExclusions(exclusionList, cub);
  const images = cub.filter((im) => !excluded.has(im.id));
  const segmentations = findSegmentations(cubDir);
  requireListedFiles(path.join(cubDir, "images"), images.map((im) => im.filename), path.join(cubDir, "images.txt"), FIX_CUB);
  requireListedFiles(segmentations, images.map((im) => pngOf(im.filename)), `${path.join(cubDir, "images.txt")} (as .png)`, FIX_CUB);

  const ys = images.map((im) => waterbirdLabel(im.species, labels));
  const changed = images.filter((im, i) => waterbirdLabel(im.species, "original") !== ys[i]);
  const changedSpecies = [...new Set(changed.map((im) => im.species))].sort();
  const splits = assignSplits(images, valFraction, Rng.for(seed, "waterbirds/val"));
  const places = assignPlaces(ys, splits, confounderStrength, Rng.for(seed, "waterbirds/place"));
  const background = assignBackgrounds(places, readBackgrounds(placesDir), Rng.for(seed, "waterbirds/backgrounds"), placesDir);
  const rows: Row[] = images.map((image, i) => ({ image, y: ys[i], split: splits[i], place: places[i], background: background[i] }));

  if (excluded.size > 0) log(`Waterbirds: ${excluded.size} image(s) excluded by ${exclusionList}`);
  if (labels === "corrected") log(`Waterbirds: corrected the labels of ${changed.length} image(s) of ${changedSpecies.join(", ") || "no species"} (land birds the original keyword match calls waterbirds)`);
  await compositeAll(rows, { cubDir, segmentations, placesDir, outDir }, log);

  fs.mkdirSync(outDir, { recursive: true });
  const metadataFile = path.join(outDir, "metadata.csv");
  const records = rows.map((r) => ({ img_id: r.image.id, img_filename: r.image.filename, y: r.y, split: r.split, place: r.place, place_filename: r.background }));
  fs.writeFileSync(metadataFile, toCsv(records, WATERBIRDS_COLUMNS));
  const groupCounts = countGroups(rows.map((r) => waterbirdsGroup(r.y, r.place)), splits, WATERBIRDS_GROUP_NAMES.length);
  const build = { seed, confounderStrength, valFraction, labels, exclusionList: exclusionList ?? null, excludedIds: [...excluded].sort((a, b) => a - b), changedSpecies, changedImages: changed.length, groupCounts, cubDir: path.resolve(cubDir), placesDir: path.resolve(placesDir) };
  fs.writeFileSync(path.join(outDir, "waterbirds-build.json"), JSON.stringify(build, null, 2) + "\n");
  log(`Waterbirds: wrote ${metadataFile} (seed ${seed}), groups g = 2·y + place\n${groupTable(groupCounts, WATERBIRDS_GROUP_NAMES)}`);
  return { metadataFile, changedSpecies, changedImages: changed.length, excluded: excluded.size, groupCounts };
}
