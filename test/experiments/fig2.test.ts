import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RUN_COLUMNS, SUMMARY_COLUMNS, run, smokeConfig } from "../../lib/experiments/fig2";
import { silentLogger } from "../../lib/log";
import { parseCsv } from "../../lib/report/csv";
import { writeMnistFolder } from "../support/idx-fixture";

const CLI = path.join(__dirname, "..", "..", "lib", "cli.js");

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, MASKTUNE_BACKEND: process.env.MASKTUNE_BACKEND ?? "wasm" } });
}

describe("Figure 2 experiment", () => {
  it("`masktune fig2 --smoke` runs end to end and writes the table, the runs and the figure", function () {
    this.timeout(300_000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-fig2-"));
    const result = cli("fig2", "--smoke", "--out", out);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /backend: wasm/);
    assert.match(result.stdout, /ERM seed 1 {2}epoch 3\/3/);
    assert.match(result.stdout, /mask_hit_rate/);

    const table = parseCsv(fs.readFileSync(path.join(out, "table.csv"), "utf8"));
    assert.deepEqual(table[0], [...SUMMARY_COLUMNS]);
    const rows = table.slice(1).map((r) => Object.fromEntries(r.map((v, i) => [table[0][i], v])));
    assert.equal(rows.length, 3 * 3 + 3);
    for (const r of rows.filter((r) => r.metric === "accuracy")) {
      const v = Number(r.mean_pct);
      assert.ok(v >= 0 && v <= 100 && /^\d+\.\d\d$/.test(r.mean_pct), `${r.method} ${r.eval_set}: ${r.mean_pct}`);
      assert.equal(r.erm_epochs, "3");
      assert.match(r.backend, /^wasm/);
    }
    const maskTuneBiased = rows.find((r) => r.method === "MaskTune" && r.eval_set === "test-biased")!;
    assert.equal(maskTuneBiased.paper_pct, "98.26");
    const runs = parseCsv(fs.readFileSync(path.join(out, "runs.csv"), "utf8"));
    assert.deepEqual(runs[0], [...RUN_COLUMNS]);
    assert.equal(runs.length - 1, rows.length);

    const html = fs.readFileSync(path.join(out, "figure.html"), "utf8");
    assert.equal((html.match(/Plotly\.newPlot\("figure-/g) ?? []).length, 2);
    assert.ok(html.includes("Figure 2: accuracy on biased MNIST"));
    assert.ok(fs.existsSync(path.join(out, "checkpoints", "seed-1", "erm", "best", "model.json")));
  });

  it("runs on MNIST IDX files given with --data (in-process, on a written fixture)", async function () {
    this.timeout(120_000);
    const dir = writeMnistFolder(300, 100, { gzip: true });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-fig2-idx-"));
    const config = smokeConfig({ idxDir: dir, outDir: out, split: { train: 0.7, val: 0.3, test: 1 }, heatmapExamples: 2 });
    config.erm = { ...config.erm, epochs: 1 };
    const result = await run(config, silentLogger);
    assert.equal(result.seeds[0].sizes.train, 210);
    assert.equal(result.seeds[0].sizes.test, 100);
    assert.match(result.dataSource, /MNIST IDX files in/);
    assert.equal(result.heatmapFigure.data.length, 2 * 3);
  });

  it("exits non-zero with one clear line, and no stack trace, for a missing data folder", () => {
    const result = cli("fig2", "--smoke", "--data", "/no/such/folder");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^masktune: \/no\/such\/folder: expected one of train-images-idx3-ubyte/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it("rejects an unknown experiment and a bad option value with the usage", () => {
    const unknown = cli("fig9");
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /experiment "fig9"[\s\S]*usage: masktune fig2/);
    const badSchedule = cli("fig2", "--schedule", "cosine");
    assert.equal(badSchedule.status, 1);
    assert.match(badSchedule.stderr, /--schedule cosine \(one of authors-code, paper\)/);
  });
});
