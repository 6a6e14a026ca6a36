/**
 * The metadata tables that describe an image folder (Waterbirds' metadata.csv,
 * CelebA's attribute and partition files): read as CSV or as runs-of-spaces
 * text with line numbers kept for error messages, checked cell by cell, and
 * turned into train/val/test ImageFileSets with the group table every split
 * must fill. Shared by the Waterbirds and CelebA loaders.
 */
import * as fs from "fs";
import * as path from "path";
import { KitError } from "../errors";
import { parseCsv, textTable } from "../report/csv";
import { fileSubset, ImageFileSet } from "./image-files";

/** One row of a table file and its 1-based line number in that file. */
export interface TableRow {
  line: number;
  fields: string[];
}

export interface Table {
  file: string;
  header: string[];
  rows: TableRow[];
}

/** One non-blank line of a text file and its 1-based number. */
export interface Line {
  line: number;
  text: string;
}

/** Where a value was read, for error messages. */
export interface Cell {
  file: string;
  line: number;
  column: string;
}

export const SPLITS = ["train", "val", "test"] as const;
export type SplitName = (typeof SPLITS)[number];
export type Splits = Record<SplitName, ImageFileSet>;
/** Samples per group id, for each split. */
export type GroupCounts = Record<SplitName, number[]>;

/** The non-blank lines of a text file (a BOM dropped), numbered from 1; refuses a missing or empty file. */
export function readLines(file: string, fix: string): Line[] {
  if (!fs.existsSync(file)) throw new KitError(file, "a file", "no such file", fix);
  const content = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const lines = content.split(/\r\n|\r|\n/).map((text, i) => ({ line: i + 1, text }));
  const nonBlank = lines.filter((l) => l.text.trim() !== "");
  if (nonBlank.length === 0) throw new KitError(file, "a table", "an empty file", fix);
  return nonBlank;
}

/** Fields separated by runs of spaces or tabs, as in CelebA's and CUB's .txt files. */
export function whitespaceFields(text: string): string[] {
  return text.trim().split(/\s+/);
}

/** A whitespace-separated table without a header. */
export function readWhitespaceRows(file: string, fix: string): TableRow[] {
  return readLines(file, fix).map((l) => ({ line: l.line, fields: whitespaceFields(l.text) }));
}

/**
 * A CSV file whose first line is the header; every row must have as many
 * fields as the header. Quoted fields are read as RFC 4180 says, but a line
 * break inside quotes is not supported (the tables here never have one).
 */
export function readCsvTable(file: string, fix: string): Table {
  // a line without quotes is just split (the full CelebA file has 8 million fields)
  const fields = (text: string) => (text.includes('"') ? parseCsv(text)[0] : text.split(","));
  const [first, ...rest] = readLines(file, fix);
  const header = fields(first.text);
  const rows = rest.map((l) => ({ line: l.line, fields: fields(l.text) }));
  requireFieldCount(file, rows, header.length, `one per header column (${header.join(",")})`, fix);
  return { file, header, rows };
}

/** Refuses the first row that does not have exactly `count` fields. */
export function requireFieldCount(file: string, rows: readonly TableRow[], count: number, what: string, fix: string): void {
  const bad = rows.find((r) => r.fields.length !== count);
  if (bad) {
    const truncated = bad.fields.length < count ? " (a truncated or damaged row?)" : "";
    throw new KitError(`${file} line ${bad.line}`, `${count} fields, ${what}`, `${bad.fields.length}${truncated}`, fix);
  }
}

/** Levenshtein distance, case-insensitive (for "did you mean"). */
function distance(a: string, b: string): number {
  const [s, t] = [a.toLowerCase(), b.toLowerCase()];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[t.length];
}

/** The index of each named column in `header`; all missing names are refused at once, each with its nearest header name. */
export function requireColumns(file: string, header: readonly string[], names: readonly string[], fix: string): number[] {
  const missing = names.filter((n) => !header.includes(n));
  if (missing.length > 0) {
    // a header that contains the name, or is contained in it, beats any edit distance ("blond" → "Blond_Hair", not "Bald")
    const score = (name: string, h: string) => (h.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(h.toLowerCase()) ? 0 : distance(name, h));
    const nearest = (name: string) => header.reduce((best, h) => (score(name, h) < score(name, best) ? h : best), header[0]);
    const found = missing.map((n) => `no "${n}" (did you mean "${nearest(n)}"?)`).join(", ");
    throw new KitError(file, `the column(s) ${names.join(", ")}`, found, fix);
  }
  return names.map((n) => header.indexOf(n));
}

/** The integer written in `text` (one of `allowed` when given); "1.0" and "" are refused, not rounded. */
export function parseInteger(text: string, cell: Cell, fix: string, allowed?: readonly number[]): number {
  const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(value) || (allowed && !allowed.includes(value))) {
    const expected = allowed ? `an integer, one of ${allowed.join(", ")}` : "an integer";
    const found = Number.isNaN(value) ? `"${text}" (not an integer)` : `${value}`;
    throw new KitError(`${cell.file} line ${cell.line}, column ${cell.column}`, expected, found, fix);
  }
  return value;
}

/** Refuses the first value that occurs twice, naming both lines. */
export function requireUnique(values: readonly string[], lines: readonly number[], cell: Omit<Cell, "line">, fix: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const earlier = seen.get(v);
    if (earlier !== undefined) throw new KitError(`${cell.file} line ${lines[i]}, column ${cell.column}`, "a value not used before", `"${v}", already on line ${earlier}`, fix);
    seen.set(v, lines[i]);
  });
}

/**
 * Refuses a listing whose files are not all in `root`. Each folder is read
 * once (one readdir instead of a stat per image), so 200,000 images cost
 * about as much as one directory listing.
 */
export function requireListedFiles(root: string, names: readonly string[], listFile: string, fix: string): void {
  const folders = new Map<string, Set<string>>();
  const missing = names.filter((name) => {
    const folder = path.dirname(path.join(root, name));
    let entries = folders.get(folder);
    if (!entries) {
      entries = new Set(fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory() ? fs.readdirSync(folder) : []);
      folders.set(folder, entries);
    }
    return !entries.has(path.basename(name));
  });
  if (missing.length > 0) {
    const examples = missing.slice(0, 3).join(", ");
    throw new KitError(root, `every image listed in ${listFile}`, `${missing.length.toLocaleString("en-US")} of ${names.length.toLocaleString("en-US")} missing, e.g. ${examples}`, fix);
  }
}

/** Train, val and test subsets of `all`, by split index 0, 1, 2 per sample (file order kept). */
export function splitSets(all: ImageFileSet, split: ArrayLike<number>, prefix: string): Splits {
  const indices = SPLITS.map((_, s) => Array.from(split, (v, i) => (v === s ? i : -1)).filter((i) => i >= 0));
  const [train, val, test] = SPLITS.map((name, s) => fileSubset(all, indices[s], `${prefix}/${name}`));
  return { train, val, test };
}

/** Samples per group id in each split (split index 0, 1, 2 per sample). */
export function countGroups(group: ArrayLike<number>, split: ArrayLike<number>, groupCount: number): GroupCounts {
  const counts = Object.fromEntries(SPLITS.map((s) => [s, new Array<number>(groupCount).fill(0)])) as GroupCounts;
  for (let i = 0; i < group.length; i++) counts[SPLITS[split[i]]][group[i]]++;
  return counts;
}

/** One row per group and a total row, a column per split. */
export function groupTable(counts: GroupCounts, groupNames: readonly string[]): string {
  const format = (n: number) => n.toLocaleString("en-US");
  const column = (g: number | "total") => Object.fromEntries(SPLITS.map((s) => [s, format(g === "total" ? counts[s].reduce((a, b) => a + b, 0) : counts[s][g])]));
  const rows = [...groupNames.map((group, g) => ({ g, group, ...column(g) })), { g: "", group: "total", ...column("total") }];
  return textTable(rows, ["g", "group", ...SPLITS]);
}

/** Refuses a split with an empty group (its worst-group accuracy would be undefined); the table goes into the message. */
export function requireEveryGroup(counts: GroupCounts, groupNames: readonly string[], subject: string, fix: string): void {
  const empty = SPLITS.flatMap((s) => groupNames.filter((_, g) => counts[s][g] === 0).map((name) => `${s}: ${name}`));
  if (empty.length > 0) throw new KitError(subject, "every group present in every split", `empty groups (${empty.join("; ")}):\n${groupTable(counts, groupNames)}\n`, fix);
}
