#!/usr/bin/env node
/**
 * npm run reproduce [-- --smoke] [--only NOTEBOOK,...]: executes every notebook headless under the
 * tslab kernel (default configurations, or the smoke ones), then writes
 * results/index.html: each paper table or figure with ours beside the
 * paper's, links to the figures and to the executed notebooks. A notebook
 * whose dataset is not on disk is listed as skipped, with the folder it needs.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KitError } from "./errors";
import { resultsRoot } from "./experiments/mnist-setup";
import { ExperimentResult, resultsTableHtml } from "./experiments/results";
import { escapeHtml, writeReport } from "./report/html";

interface Entry {
  notebook: string;
  experiment: string;
  title: string;
  /** The dataset folder it needs (an environment variable, else a folder of the checkout). */
  data?: { env: string; folder: string };
}

const ROOT = path.join(__dirname, "..", "..");
const ENTRIES: Entry[] = [
  { notebook: "fig2-biased-mnist", experiment: "fig2", title: "Figure 2: biased MNIST" },
  { notebook: "table5-iterative", experiment: "table5", title: "Table 5: iterative masking" },
  { notebook: "table6-random-masking", experiment: "table6", title: "Table 6: random windows" },
  { notebook: "ablation-threshold", experiment: "ablation-threshold", title: "Section 3: masking-threshold ablation" },
  { notebook: "table4-selective", experiment: "table4", title: "Tables 4 and 7: selective classification" },
  { notebook: "table1-celeba", experiment: "table1", title: "Table 1: CelebA", data: { env: "MASKTUNE_CELEBA_DIR", folder: "datasets/celeba" } },
  { notebook: "table2-waterbirds", experiment: "table2", title: "Table 2: Waterbirds", data: { env: "MASKTUNE_WATERBIRDS_DIR", folder: "datasets/waterbirds" } },
  { notebook: "table3-background-challenge", experiment: "table3", title: "Table 3: the Background Challenge", data: { env: "MASKTUNE_BG_CHALLENGE_DIR", folder: "datasets/background-challenge" } },
];

type Outcome = { status: "executed"; minutes: number } | { status: "skipped" | "failed"; reason: string };

function requireJupyter(): void {
  const nbconvert = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
  const kernels = spawnSync("jupyter", ["kernelspec", "list"], { encoding: "utf8" });
  if (nbconvert.status !== 0 || !/\btslab\b/.test(kernels.stdout ?? "")) {
    throw new KitError("jupyter", "nbconvert and the tslab kernel", nbconvert.status !== 0 ? "no jupyter nbconvert" : "no tslab kernel", "Install Jupyter (environment.md) and run npm run kernel.");
  }
}

/** Why the entry cannot run here, or null. */
function missingData(entry: Entry): string | null {
  if (!entry.data) return null;
  const folder = process.env[entry.data.env] ?? path.join(ROOT, entry.data.folder);
  return fs.existsSync(folder) ? null : `no data: ${folder} does not exist (set ${entry.data.env} or see datasets/README.md)`;
}

function execute(entry: Entry, mode: string, notebooksOut: string): Outcome {
  const skip = missingData(entry);
  if (skip) return { status: "skipped", reason: skip };
  const started = Date.now();
  const run = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=-1", "--output-dir", notebooksOut, path.join(ROOT, "notebooks", `${entry.notebook}.ipynb`)],
    { encoding: "utf8", cwd: path.join(ROOT, "notebooks"), env: { ...process.env, MASKTUNE_NOTEBOOK_MODE: mode }, maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0) return { status: "failed", reason: (run.stderr ?? "").split("\n").filter((l) => /Error|error/.test(l)).slice(-3).join(" | ") || `exit ${run.status}` };
  return { status: "executed", minutes: (Date.now() - started) / 60000 };
}

function section(entry: Entry, outcome: Outcome, outDir: string, index: string, notebooksOut: string): { heading: string; html: string } {
  const link = (file: string, text: string) => `<a href="${escapeHtml(path.relative(path.dirname(index), file))}">${escapeHtml(text)}</a>`;
  if (outcome.status !== "executed") return { heading: entry.title, html: `<p><strong>${outcome.status}</strong>: ${escapeHtml(outcome.reason)}</p>` };
  const table = path.join(outDir, "table.csv");
  const resultFile = path.join(outDir, "result.json");
  // The experiment's own caption says what produced the table: data, sizes, epochs, seeds, backend, commit.
  const result: Pick<ExperimentResult, "caption" | "warnings" | "summary"> | null = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : null;
  return {
    heading: entry.title,
    html:
      `<p>executed in ${outcome.minutes.toFixed(1)} min — ${link(path.join(outDir, "figure.html"), "figures")}, ${link(path.join(notebooksOut, `${entry.notebook}.ipynb`), "executed notebook")}, ${link(table, "table.csv")}</p>` +
      (result ? resultsTableHtml(result.caption, result.warnings, result.summary) : ""),
  };
}

function main(argv: string[]): void {
  const smoke = argv.includes("--smoke");
  const mode = smoke ? "smoke" : "default";
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? "").split(",") : null;
  const unknown = (only ?? []).filter((n) => !ENTRIES.some((e) => e.notebook === n));
  if (unknown.length) throw new KitError("--only", `notebook names among ${ENTRIES.map((e) => e.notebook).join(", ")}`, unknown.join(", "), "Fix the names.");
  const entries = ENTRIES.filter((e) => !only || only.includes(e.notebook));
  requireJupyter();
  const results = resultsRoot();
  const notebooksOut = path.join(results, "notebooks");
  const index = path.join(results, "index.html");
  const sections = entries.map((entry, i) => {
    console.log(`[reproduce] ${i + 1}/${entries.length} ${entry.notebook} (${mode})`);
    const outcome = execute(entry, mode, notebooksOut);
    console.log(`[reproduce]   ${outcome.status}${outcome.status === "executed" ? ` in ${outcome.minutes.toFixed(1)} min` : `: ${outcome.reason}`}`);
    return section(entry, outcome, path.join(results, smoke ? `${entry.experiment}-smoke` : entry.experiment), index, notebooksOut);
  });
  writeReport(index, `MaskTune reproduction (${mode} configurations)`, [
    { heading: "About", html: `<p>Every notebook executed headless under the tslab kernel on ${escapeHtml(new Date().toISOString())}; each table gives ours (mean ± std over seeds) beside the paper's number.</p>` },
    ...sections,
  ]);
  console.log(`[reproduce] wrote ${index}`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof KitError ? `reproduce: ${e.message}` : e);
  process.exitCode = 1;
}
