/**
 * The Background Challenge (Xiao et al., ICLR 2021; MadryLab/backgrounds_challenge):
 * IN-9L for training and the ImageNet-9 test variants, read from class
 * folders. Nothing is decoded here; the streaming pipeline reads the images.
 *
 * - Classes: the nine folders of IN9_CLASSES, "00_dog" … "08_fish" (two names
 *   contain a space). The label is the integer before the first "_", checked
 *   against the name (MaskTune's in9l.py), never the directory-listing order.
 * - IN-9L (in9l.tar.gz): in9l/train/<class>/ and in9l/val/<class>/; MaskTune
 *   keeps the same two folders at the top of its dataset folder.
 * - Test variants (backgrounds_challenge_data.tar.gz): bg_challenge/<variant>/val/<class>/;
 *   MaskTune moves them to test/<variant>/val/<class>/. Ids carry the variant,
 *   "<variant>/<class>/<file>": the variants reuse file names (field case B13a).
 * - Files are *.JPEG, *.jpg or *.png, any case, sorted by label then name.
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { textTable } from "../report/csv";
import { ImageFileSet } from "./image-files";

/** The class folders in label order (the release's in9_classes.txt). */
export const IN9_CLASSES = ["00_dog", "01_bird", "02_wheeled vehicle", "03_reptile", "04_carnivore", "05_insect", "06_musical instrument", "07_primate", "08_fish"] as const;

/** The test variants that hold images (fg_mask holds .npy masks and is not one). */
export const BG_VARIANTS = ["original", "only_bg_b", "only_bg_t", "no_fg", "only_fg", "mixed_same", "mixed_rand", "mixed_next"] as const;
export type BgVariant = (typeof BG_VARIANTS)[number];

/** The variants MaskTune's Table 3 reports. */
export const MASKTUNE_BG_VARIANTS: readonly BgVariant[] = ["original", "mixed_same", "mixed_rand", "only_fg"];

export interface In9l {
  train: ImageFileSet;
  val: ImageFileSet;
  /** The folder read, with the image count of every class. */
  source: string;
}

export interface BgChallenge {
  /** One set per requested variant, keyed by its name. */
  sets: Record<string, ImageFileSet>;
  /** The folder read, with the image count of every variant and class. */
  source: string;
}

const RELEASE = "MadryLab/backgrounds_challenge";
const FIX_IN9L = `Download in9l.tar.gz (${RELEASE} README, "Training Data"), unpack it, and pass the in9l folder or the folder holding it; MaskTune's dataset folder (train/, val/, test/) works too. See datasets/README.md.`;
const FIX_TEST = `Download backgrounds_challenge_data.tar.gz (${RELEASE} releases, "data"), unpack it whole, and pass bg_challenge/ or the folder holding it; MaskTune's test/ folder (or its dataset folder) works too. See datasets/README.md.`;
const FIX_CLASS = 'Class folders are named as in the release\'s in9_classes.txt: two digits, "_" and the class name. Rename that folder or move it out (the kit only reads it).';
const IMAGE = /\.(jpe?g|png)$/i;

const isDirectory = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** The label of a class folder: its integer prefix, which must go with its name. `parent` only names the folder in errors. */
export function in9Label(folderName: string, parent?: string): number {
  const prefix = /^(\d+)_/.exec(folderName);
  const label = prefix ? Number(prefix[1]) : -1;
  if (IN9_CLASSES[label] !== folderName) {
    const known = label >= 0 && label < IN9_CLASSES.length ? ` (class ${label} is "${IN9_CLASSES[label]}")` : "";
    const subject = parent === undefined ? folderName : path.join(parent, folderName);
    throw new KitError(subject, `one of the IN-9 class folders ${IN9_CLASSES.map((c) => `"${c}"`).join(", ")}`, `an unknown class folder "${folderName}"${known}`, FIX_CLASS);
  }
  return label;
}

/** The image files of the class folders in `dir` (hidden entries skipped), as a set with ids "<idPrefix>/<class>/<file>". */
function readClassFolders(dir: string, idPrefix: string, name: string, fix: string): ImageFileSet {
  const classes = fs
    .readdirSync(dir)
    .filter((entry) => !entry.startsWith(".") && isDirectory(path.join(dir, entry)))
    .map((folder) => ({ folder, label: in9Label(folder, dir) }))
    .sort((a, b) => a.label - b.label);
  const samples = classes.flatMap(({ folder, label }) =>
    fs
      .readdirSync(path.join(dir, folder), { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && IMAGE.test(e.name))
      .map((e) => e.name)
      .sort()
      .map((file) => ({ folder, label, file })),
  );
  if (samples.length === 0) {
    const found = classes.length === 0 ? "no class folders" : `${classes.length} class folder(s) without images`;
    throw new KitError(dir, "images (*.JPEG, *.jpg, *.png) in the class folders 00_dog … 08_fish", found, fix);
  }
  const root = path.resolve(dir);
  return {
    name,
    files: samples.map((s) => path.join(root, s.folder, s.file)),
    labels: Int32Array.from(samples, (s) => s.label),
    numClasses: IN9_CLASSES.length,
    ids: samples.map((s) => `${idPrefix}/${s.folder}/${s.file}`),
    attributes: {},
  };
}

/** Images per class (a row each) and per set (a column each), then the classes some set lacks. */
function countTable(sets: Record<string, ImageFileSet>): string {
  const names = Object.keys(sets);
  const counts = names.map((n) => IN9_CLASSES.map((_, c) => sets[n].labels.filter((y) => y === c).length));
  const format = (n: number) => n.toLocaleString("en-US");
  const rows = IN9_CLASSES.map((folder, c) => ({ y: c, class: folder, ...Object.fromEntries(names.map((n, j) => [n, format(counts[j][c])])) }));
  const total = { y: "", class: "total", ...Object.fromEntries(names.map((n) => [n, format(sets[n].files.length)])) };
  const empty = names.flatMap((n, j) => IN9_CLASSES.filter((_, c) => counts[j][c] === 0).map((folder) => `${n}/${folder}`));
  const note = empty.length > 0 ? `\nno images (empty or missing class folder): ${empty.join(", ")}` : "";
  return textTable([...rows, total], ["y", "class", ...names]) + note;
}

/** IN-9L's train and val sets from `dir`: the folder holding train/ and val/, or the folder holding in9l/. */
export function loadIn9l(dir: string): In9l {
  if (!isDirectory(dir)) throw new KitError(dir, "an IN-9L folder holding train/ and val/", "no such folder", FIX_IN9L);
  const root = [path.join(dir, "in9l"), dir].find((d) => isDirectory(path.join(d, "train")) || isDirectory(path.join(d, "val")));
  if (root === undefined) throw new KitError(dir, "an IN-9L folder holding train/ and val/, or a folder holding in9l/", "neither", FIX_IN9L);
  const [train, val] = (["train", "val"] as const).map((split) => {
    const splitDir = path.join(root, split);
    if (!isDirectory(splitDir)) throw new KitError(splitDir, "a folder of IN-9 class folders", "no such folder", FIX_IN9L);
    return readClassFolders(splitDir, split, `in9l/${split}`, FIX_IN9L);
  });
  return { train, val, source: `IN-9L, ${path.resolve(root)}: labels from the class folders' numeric prefix\n${countTable({ train, val })}` };
}

/** Refuses variant names that are not image variants of the release. */
function requireVariants(variants: readonly string[]): void {
  if (variants.length === 0) throw new KitError("Background Challenge variants", `one or more of ${BG_VARIANTS.join(", ")}`, "none", "Name the variants to load.");
  const unknown = variants.filter((v) => !(BG_VARIANTS as readonly string[]).includes(v));
  if (unknown.length > 0) {
    const masks = unknown.includes("fg_mask") ? " (fg_mask holds .npy foreground masks, not images)" : "";
    throw new KitError("Background Challenge variants", `one or more of ${BG_VARIANTS.join(", ")}`, `${unknown.map((v) => `"${v}"`).join(", ")}${masks}`, "Use the variant folder names of bg_challenge/.");
  }
}

/**
 * The test variants' sets from `dir`: bg_challenge/ itself, the folder holding
 * it, MaskTune's test/ folder, or MaskTune's dataset folder holding test/.
 * A requested variant that is missing, or holds no image, is refused.
 */
export function loadBgChallenge(dir: string, variants: readonly string[] = MASKTUNE_BG_VARIANTS): BgChallenge {
  requireVariants(variants);
  if (!isDirectory(dir)) throw new KitError(dir, "the Background Challenge test sets (bg_challenge/<variant>/val/)", "no such folder", FIX_TEST);
  // bg_challenge/ and test/ are tried before `dir`, which may also hold training archives (original/train/, ...)
  const holdsVariants = (d: string) => BG_VARIANTS.some((v) => isDirectory(path.join(d, v, "val")));
  const root = [path.join(dir, "bg_challenge"), path.join(dir, "test"), dir].find(holdsVariants);
  if (root === undefined) throw new KitError(dir, "<variant>/val/<class folder>/ in it, in bg_challenge/ or in test/", `none of the variants ${BG_VARIANTS.join(", ")}`, FIX_TEST);
  const sets: Record<string, ImageFileSet> = {};
  for (const variant of variants) {
    const variantDir = path.join(root, variant);
    if (!isDirectory(path.join(variantDir, "val"))) throw new KitError(path.join(variantDir, "val"), `the "${variant}" test set`, "no such folder", FIX_TEST);
    if (isDirectory(path.join(variantDir, "train"))) {
      throw new KitError(variantDir, "a test set (val/ only)", `train/ as well: the training archive ${variant}.tar.gz, whose val/ is not the test set`, FIX_TEST);
    }
    sets[variant] = readClassFolders(path.join(variantDir, "val"), variant, `bg_challenge/${variant}`, FIX_TEST);
  }
  return { sets, source: `Background Challenge test sets, ${path.resolve(root)}: labels from the class folders' numeric prefix\n${countTable(sets)}` };
}

/** "<class>/<wnid>_<num>" of an id "<variant>/<class>/<file>": mixed_* files are fg_<wnid>_<num>_bg_<wnid>_<num>.JPEG, the others <wnid>_<num>.JPEG. */
function foregroundKey(id: string): string {
  const [, folder, file] = id.split("/");
  const stem = file.replace(/\.[^.]*$/, "");
  return `${folder}/${/^fg_(.+?)_bg_/.exec(stem)?.[1] ?? stem}`;
}

/**
 * For sample `originalIndex` of `sets.original`, the index of the sample with
 * the same foreground in every set (the first one in set order; undefined
 * where the variant lacks it).
 */
export function sameForeground(sets: Record<string, ImageFileSet>, originalIndex: number): Record<string, number | undefined> {
  const original = sets.original;
  if (original === undefined) throw new KitError("sameForeground", 'the "original" set among the sets', Object.keys(sets).join(", ") || "no sets", 'Load "original" with the other variants.');
  if (!Number.isInteger(originalIndex) || originalIndex < 0 || originalIndex >= original.ids.length) {
    throw new RangeError(`sameForeground: index ${originalIndex} outside the ${original.ids.length} original samples`);
  }
  const key = foregroundKey(original.ids[originalIndex]);
  return Object.fromEntries(
    Object.entries(sets).map(([variant, set]) => {
      const i = set.ids.findIndex((id) => foregroundKey(id) === key);
      return [variant, i >= 0 ? i : undefined];
    }),
  );
}
