/**
 * Tables as danfojs DataFrames, and CSV that is RFC 4180-correct. danfojs's
 * own `toCSV` does not quote fields, so a value with a comma, quote or line
 * break would break the row; the kit writes the CSV text itself.
 */
import * as fs from "fs";
import * as path from "path";
import * as dfd from "danfojs-node";

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/** One field, quoted when it holds a comma, quote, CR or LF (quotes doubled). */
export function csvField(value: Cell): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text (CRLF line ends, as RFC 4180 says) with the given column order. */
export function toCsv(rows: readonly Row[], columns: readonly string[]): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c] ?? null)).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** Parses RFC 4180 CSV text into rows of strings (used to read results back). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

export function writeCsv(file: string, rows: readonly Row[], columns: readonly string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, toCsv(rows, columns));
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * The rows as a danfojs DataFrame with explicit dtypes: a column whose cells
 * are all numbers or numeric text ("90.00") becomes numeric, anything else
 * string. Declaring them avoids danfojs's inference, which labels numeric
 * text float32 but keeps the strings (so sum() would concatenate).
 */
export function toDataFrame(rows: readonly Row[], columns: readonly string[]): dfd.DataFrame {
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number" || NUMBER.test(String(r[c]))));
  const dtypes = columns.map((c, j) => (!numeric[j] ? "string" : rows.every((r) => Number.isInteger(Number(r[c] ?? 0))) ? "int32" : "float32"));
  const data = rows.map((r) => columns.map((c, j) => (numeric[j] ? (r[c] === null || r[c] === undefined ? NaN : Number(r[c])) : String(r[c] ?? ""))));
  return new dfd.DataFrame(data, { columns: [...columns], dtypes });
}

/** A plain fixed-width text table for logs (every row, nothing truncated). */
export function textTable(rows: readonly Row[], columns: readonly string[]): string {
  const cells = [columns.map(String), ...rows.map((r) => columns.map((c) => String(r[c] ?? "")))];
  const widths = columns.map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  const line = (row: string[]) => row.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
