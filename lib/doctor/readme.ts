/**
 * What datasets/README.md says about a dataset, for the doctor to print when
 * the dataset is not found: its row of the overview table (what it is used
 * by, where it comes from) and the first code block of its section (the
 * expected folder layout). Read at run time so the two never disagree.
 */
import * as fs from "fs";
import { DATASETS_README } from "./checkout";

export interface ReadmeEntry {
  usedBy?: string;
  source?: string;
  layout?: string;
}

const plain = (cell: string) => cell.replace(/`/g, "").trim();

/** The table row whose first cell is `title`: | dataset | used by | where it comes from | how to point the kit at it |. */
function tableRow(lines: readonly string[], title: string): Pick<ReadmeEntry, "usedBy" | "source"> {
  const row = lines.find((l) => l.startsWith(`| ${title} |`));
  if (row === undefined) return {};
  const [, usedBy, source] = row.split("|").slice(1).map(plain);
  return { usedBy, source };
}

/** The first fenced block after the heading line `heading`, before the next "## " heading. */
function firstBlock(lines: readonly string[], heading: string): string | undefined {
  const start = lines.indexOf(heading);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  const section = lines.slice(start + 1, end < 0 ? undefined : end);
  const open = section.findIndex((l) => l.startsWith("```"));
  const close = section.findIndex((l, i) => i > open && l.startsWith("```"));
  return open < 0 || close < 0 ? undefined : section.slice(open + 1, close).join("\n");
}

/** The entry of the dataset titled `title` (table row) with its layout under `heading`; empty when the README is absent. */
export function readmeEntry(title: string, heading: string, file = DATASETS_README): ReadmeEntry {
  if (!fs.existsSync(file)) return {};
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  return { ...tableRow(lines, title), layout: firstBlock(lines, heading) };
}
