/**
 * Standalone HTML reports that open offline: plotly.js is inlined once per
 * page, figures are plain JSON specs, tables are HTML.
 */
import * as fs from "fs";
import * as path from "path";
import { Row } from "./csv";
import { PlotlyFigure } from "./figures";

let plotlyBundle: string | undefined;

function plotlySource(): string {
  plotlyBundle ??= fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return plotlyBundle;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

export function htmlTable(rows: readonly Row[], columns: readonly string[]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td>${escapeHtml(String(r[c] ?? ""))}</td>`).join("")}</tr>`).join("\n");
  return `<table class="results"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export interface ReportSection {
  heading: string;
  /** Trusted HTML (escape any text with escapeHtml). */
  html?: string;
  figure?: PlotlyFigure;
}

/** Escapes a JSON text for a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * plotly.js inlined as script elements, for a page or a notebook (once per
 * notebook). The classic notebook loads require.js, which would capture the
 * bundle as an AMD module and leave no global `Plotly`; hiding `define` while
 * the bundle runs makes it set `window.Plotly` everywhere.
 */
export function plotlyScript(): string {
  return `<script>window.__masktuneDefine = window.define; window.define = undefined;</script>
<script>${plotlySource()}</script>
<script>window.define = window.__masktuneDefine;</script>`;
}

/** A div plus the script that draws `figure` into it (needs plotlyScript() on the page). */
export function figureHtml(figure: PlotlyFigure, id: string): string {
  return `<div id="${escapeHtml(id)}" class="figure"></div>
<script>Plotly.newPlot(${JSON.stringify(id)}, ${scriptJson(figure.data)}, ${scriptJson(figure.layout)}, {displaylogo: false});</script>`;
}

/** A standalone page; plotly.js is inlined only when a section has a figure. */
export function renderReport(title: string, sections: readonly ReportSection[]): string {
  const parts = sections.map((s, i) => {
    const figure = s.figure ? figureHtml(s.figure, `figure-${i}`) : "";
    return `<section><h2>${escapeHtml(s.heading)}</h2>\n${s.html ?? ""}\n${figure}</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px} table.results{border-collapse:collapse} table.results td,table.results th{border:1px solid #ccc;padding:4px 8px;text-align:left} .caption{color:#444}</style>
${sections.some((s) => s.figure) ? plotlyScript() : ""}
</head><body><h1>${escapeHtml(title)}</h1>
${parts.join("\n")}
</body></html>
`;
}

export function writeReport(file: string, title: string, sections: readonly ReportSection[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderReport(title, sections));
}
