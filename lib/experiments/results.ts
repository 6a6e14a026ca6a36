/**
 * One reporting path for every experiment: per-seed measurements become
 * runs.csv (one row per seed) and table.csv (mean ± std over seeds, the
 * paper's number beside ours), result.json (the same summary, undefined
 * values as null, and the run's warnings), a text table for logs, and an
 * HTML page.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Logger } from "../log";
import { Row, textTable, writeCsv } from "../report/csv";
import { PlotlyFigure } from "../report/figures";
import { escapeHtml, htmlTable, writeReport } from "../report/html";
import { Provenance } from "../report/provenance";
import { MeanStd, meanStd, percent } from "../report/stats";

/** One number a seed produced, as a fraction; null when undefined (e.g. the error on an empty accepted set). */
export interface Measurement {
  method: string;
  evalSet: string;
  metric: string;
  value: number | null;
}

export interface SeedRecord {
  seed: number;
  seconds: number;
  bestErmEpoch: number;
  measurements: Measurement[];
}

export interface PaperValue {
  /** Percent. */
  value: number;
  source: string;
}

export type PaperLookup = (m: Omit<Measurement, "value">) => PaperValue | undefined;

const LEADING = ["experiment", "method", "eval_set", "metric"] as const;
const PROVENANCE = ["config_hash", "backend", "kit_version", "git_commit", "date"] as const;

/** A short hash of an experiment's configuration columns: rows with the same hash come from the same settings. */
export function configHash(config: Row): string {
  const sorted = Object.fromEntries(Object.keys(config).sort().map((k) => [k, config[k]]));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 12);
}

/** Columns of table.csv given the experiment's configuration columns. */
export function summaryColumns(configColumns: readonly string[]): string[] {
  return [...LEADING, "mean_pct", "std_pct", "n_seeds", "seeds", "paper_pct", "paper_source", ...configColumns, ...PROVENANCE];
}

/** Columns of runs.csv given the experiment's configuration columns. */
export function runColumns(configColumns: readonly string[]): string[] {
  return [...LEADING, "seed", "value_pct", "best_erm_epoch", "seconds", ...configColumns, ...PROVENANCE];
}

export interface Summary {
  summary: Row[];
  runs: Row[];
  /** Mean ± std of one cell over the seeds that gave a value, or null if none did. */
  stat(method: string, evalSet: string, metric?: string): MeanStd | null;
}

const key = (m: Omit<Measurement, "value">) => `${m.method}\u0000${m.evalSet}\u0000${m.metric}`;

/** Aggregates seeds cell by cell, in the order the first seed measured them. */
export function summarise(experiment: string, records: readonly SeedRecord[], config: Row, prov: Provenance, paper: PaperLookup): Summary {
  const config_hash = configHash(config);
  const cells = new Map<string, { cell: Omit<Measurement, "value">; values: number[] }>();
  // Undefined values (null) are left out of the mean; n_seeds counts the seeds that gave a value.
  const runs: Row[] = [];
  for (const record of records) {
    for (const m of record.measurements) {
      const entry = cells.get(key(m)) ?? { cell: { method: m.method, evalSet: m.evalSet, metric: m.metric }, values: [] };
      if (m.value !== null) entry.values.push(m.value);
      cells.set(key(m), entry);
      runs.push({
        experiment, method: m.method, eval_set: m.evalSet, metric: m.metric, seed: record.seed, value_pct: percent(m.value),
        best_erm_epoch: record.bestErmEpoch + 1, seconds: record.seconds.toFixed(1), ...config, config_hash, ...prov,
      });
    }
  }
  const seeds = records.map((r) => r.seed).join(";");
  const stats = new Map<string, MeanStd>();
  const summary: Row[] = [...cells.values()].map(({ cell, values }) => {
    const s = meanStd(values);
    if (s.n > 0) stats.set(key(cell), s);
    const p = paper(cell);
    return {
      experiment, method: cell.method, eval_set: cell.evalSet, metric: cell.metric,
      mean_pct: s.n > 0 ? percent(s.mean) : null, std_pct: s.n > 1 ? percent(s.std) : null, n_seeds: s.n, seeds,
      paper_pct: p ? p.value.toFixed(2) : null, paper_source: p ? p.source : null, ...config, config_hash, ...prov,
    };
  });
  return { summary, runs, stat: (method, evalSet, metric = "accuracy") => stats.get(key({ method, evalSet, metric })) ?? null };
}

export const DISPLAY_COLUMNS = ["method", "eval set", "metric", "ours (%)", "paper (%)"];

/** The compact table people read: ours (mean ± std) beside the paper. */
export function displayRows(summary: readonly Row[]): Row[] {
  return summary.map((r) => ({
    method: r.method,
    "eval set": r.eval_set,
    metric: r.metric,
    "ours (%)": Number(r.n_seeds) > 1 ? `${r.mean_pct} ± ${r.std_pct}` : r.mean_pct ?? "—",
    "paper (%)": r.paper_pct ?? "—",
  }));
}

export interface FigureSection {
  heading: string;
  figure: PlotlyFigure;
}

/** What every experiment returns (and the notebooks display). */
export interface ExperimentResult {
  experiment: string;
  title: string;
  caption: string;
  provenance: Provenance;
  summary: Row[];
  runs: Row[];
  summaryColumns: string[];
  figures: FigureSection[];
  /** Things a reader must know about these numbers (e.g. an undefined error); also in result.json and the HTML. */
  warnings: string[];
  files: { table: string; runs: string; figure: string; json: string };
}

/** The caption (with the configuration hash), the warnings and the table of a result, as figure.html and the reproduce index show them. */
export function resultsTableHtml(caption: string, warnings: readonly string[], summary: readonly Row[]): string {
  const warningHtml = warnings.length ? `<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>` : "";
  return `<p class="caption">${escapeHtml(caption)} Configuration hash ${escapeHtml(String(summary[0]?.config_hash ?? ""))}.</p>\n${warningHtml}${htmlTable(displayRows(summary), DISPLAY_COLUMNS)}`;
}

/** Writes table.csv, runs.csv and figure.html into `outDir`, logs the table, and returns the result. */
export function writeExperiment(
  outDir: string,
  parts: Omit<ExperimentResult, "files" | "summaryColumns" | "runs" | "summary" | "warnings"> & { summarised: Summary; configColumns: readonly string[]; warnings?: string[] },
  log: Logger,
): ExperimentResult {
  const files = { table: path.join(outDir, "table.csv"), runs: path.join(outDir, "runs.csv"), figure: path.join(outDir, "figure.html"), json: path.join(outDir, "result.json") };
  const warnings = parts.warnings ?? [];
  const columns = summaryColumns(parts.configColumns);
  writeCsv(files.table, parts.summarised.summary, columns);
  writeCsv(files.runs, parts.summarised.runs, runColumns(parts.configColumns));
  const rows = displayRows(parts.summarised.summary);
  fs.writeFileSync(files.json, JSON.stringify({ experiment: parts.experiment, title: parts.title, caption: parts.caption, provenance: parts.provenance, warnings, summary: parts.summarised.summary }, null, 1));
  writeReport(files.figure, parts.title, [
    { heading: "Results", html: resultsTableHtml(parts.caption, warnings, parts.summarised.summary) },
    ...parts.figures,
  ]);
  log(textTable(rows, DISPLAY_COLUMNS));
  log(parts.caption);
  for (const w of warnings) log(`warning: ${w}`);
  log(`wrote ${files.table}, ${files.runs}, ${files.json} and ${files.figure}`);
  return {
    experiment: parts.experiment,
    title: parts.title,
    caption: parts.caption,
    provenance: parts.provenance,
    summary: parts.summarised.summary,
    runs: parts.summarised.runs,
    summaryColumns: columns,
    figures: parts.figures,
    warnings,
    files,
  };
}
