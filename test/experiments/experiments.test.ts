import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ablation from "../../lib/experiments/ablation-threshold";
import * as fig2 from "../../lib/experiments/fig2";
import { summaryColumns, runColumns } from "../../lib/experiments/results";
import * as subgroups from "../../lib/experiments/subgroups";
import * as table4 from "../../lib/experiments/table4";
import * as table5 from "../../lib/experiments/table5";
import { silentLogger } from "../../lib/log";
import { parseCsv } from "../../lib/report/csv";
import { writeBgChallengeFixture } from "../support/bg-challenge-fixture";
import { writeCelebAFixture } from "../support/celeba-fixture";
import { writeCifarFolder } from "../support/cifar-fixture";
import { writeMnistFolder } from "../support/idx-fixture";
import { writeWaterbirdsFixture } from "../support/waterbirds-fixture";

const CLI = path.join(__dirname, "..", "..", "lib", "cli.js");
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `masktune-${name}-`));

function cli(results: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, MASKTUNE_BACKEND: process.env.MASKTUNE_BACKEND ?? "wasm", MASKTUNE_RESULTS: results },
  });
}

/** table.csv as objects keyed by column name. */
function readTable(file: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...rest] = parseCsv(fs.readFileSync(file, "utf8"));
  return { header, rows: rest.map((r) => Object.fromEntries(r.map((v, i) => [header[i], v]))) };
}

const cell = (rows: Record<string, string>[], method: string, evalSet: string, metric = "accuracy") =>
  rows.find((r) => r.method === method && r.eval_set === evalSet && r.metric === metric);

describe("experiments (smoke configurations)", () => {
  const results = tmp("results");

  it("`masktune fig2 --smoke` runs end to end and writes the table, the runs and the figure", function () {
    this.timeout(300_000);
    const run = cli(results, "fig2", "--smoke");
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /backend: wasm/);
    assert.match(run.stdout, /ERM seed 1 {2}epoch 3\/3/);
    const out = path.join(results, "fig2-smoke");
    const { header, rows } = readTable(path.join(out, "table.csv"));
    assert.deepEqual(header.slice(0, 10), summaryColumns([]).slice(0, 10));
    assert.equal(rows.length, 3 * 3 + 3);
    for (const r of rows.filter((r) => r.metric === "accuracy")) {
      assert.ok(/^\d+\.\d\d$/.test(r.mean_pct) && Number(r.mean_pct) <= 100, `${r.method} ${r.eval_set}: ${r.mean_pct}`);
      assert.equal(r.erm_epochs, "3");
      assert.match(r.backend, /^wasm/);
    }
    assert.equal(cell(rows, "MaskTune", "test-biased")!.paper_pct, "98.26");
    assert.equal(cell(rows, "ERM", "test-biased")!.paper_pct, "");
    const runs = parseCsv(fs.readFileSync(path.join(out, "runs.csv"), "utf8"));
    assert.deepEqual(runs[0].slice(0, 8), runColumns([]).slice(0, 8));
    assert.equal(runs.length - 1, rows.length);
    const html = fs.readFileSync(path.join(out, "figure.html"), "utf8");
    assert.equal((html.match(/Plotly\.newPlot\("figure-/g) ?? []).length, 2);
    assert.ok(fs.readdirSync(path.join(results, "cache")).some((d) => d.startsWith("erm-")));
  });

  it("`masktune table6 --smoke` reuses the cached ERM stage of the same configuration", function () {
    this.timeout(300_000);
    const run = cli(results, "table6", "--smoke");
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /ERM seed 1: reusing the finished stage/);
    assert.doesNotMatch(run.stdout, /epoch 1\/3/);
    const { rows } = readTable(path.join(results, "table6-smoke", "table.csv"));
    assert.deepEqual([...new Set(rows.map((r) => r.method))], ["ERM", "random window, side 2-14", "random 8x8 window", "MaskTune"]);
    assert.equal(cell(rows, "random window, side 2-14", "test-original")!.paper_pct, "91.02");
    const fresh = cli(results, "table6", "--smoke", "--fresh", "--epochs", "1");
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.match(fresh.stdout, /ERM seed 1 {2}epoch 1\/1/);
  });

  it("table5 runs accumulative and non-accumulative rounds with the paper's numbers beside ours", async function () {
    this.timeout(300_000);
    const out = tmp("table5");
    const config = table5.smokeConfig({ outDir: out, cacheDir: path.join(out, "cache"), split: { train: 0.06, val: 0.03, test: 0.03 } });
    config.erm = { ...config.erm, epochs: 1 };
    const result = await table5.run(config, silentLogger);
    const rows = result.summary as Record<string, string>[];
    assert.equal(rows[0].squares, "top-left rgb(255 0 0); top-right rgb(0 0 255)");
    for (const mode of ["accumulative", "non-accumulative"]) {
      for (const round of [1, 2]) assert.ok(cell(rows, `${mode}, round ${round}`, "test-biased"), `${mode} round ${round}`);
    }
    assert.equal(cell(rows, "accumulative, round 2", "test-biased")!.paper_pct, "97.01");
    assert.equal(cell(rows, "non-accumulative, round 1", "test-original")!.paper_pct, "64.38");
    const share = (m: string) => Number(cell(rows, m, "train", "masked_pixel_share")!.mean_pct);
    assert.ok(share("accumulative, round 2") >= share("accumulative, round 1"), "accumulative masks only grow");
    assert.equal(result.figures.length, 2);
  });

  it("the threshold ablation reports every variant, and Grad-CAM beside xGradCAM", async function () {
    this.timeout(300_000);
    const out = tmp("ablation");
    const config = ablation.smokeConfig({ outDir: out, cacheDir: path.join(out, "cache"), split: { train: 0.06, val: 0.03, test: 0.03 } });
    config.erm = { ...config.erm, epochs: 1 };
    const result = await ablation.run(config, silentLogger);
    const methods = [...new Set(result.summary.map((r) => r.method))];
    assert.deepEqual(methods, [
      "ERM", "xgradcam, mean + 0·std", "xgradcam, mean + 1·std", "xgradcam, mean + 2·std", "xgradcam, mean + 3·std",
      "xgradcam, dataset-wide mean", "xgradcam, soft (1 - heatmap)", "xgradcam, top-16 pixels", "gradcam, mean + 2·std",
    ]);
    const share = (m: string) => Number(cell(result.summary as Record<string, string>[], m, "train", "masked_pixel_share")!.mean_pct);
    assert.ok(share("xgradcam, mean + 0·std") >= share("xgradcam, mean + 1·std"));
    assert.ok(share("xgradcam, mean + 1·std") >= share("xgradcam, mean + 3·std"));
  });

  it("fig2 runs on MNIST IDX files given with --data (in-process, on a written fixture)", async function () {
    this.timeout(120_000);
    const dir = writeMnistFolder(300, 100, { gzip: true });
    const out = tmp("fig2-idx");
    const config = fig2.smokeConfig({ idxDir: dir, outDir: out, cacheDir: path.join(out, "cache"), split: { train: 0.7, val: 0.3, test: 1 }, heatmapExamples: 2 });
    config.erm = { ...config.erm, epochs: 1 };
    const result = await fig2.run(config, silentLogger);
    const first = result.summary[0];
    assert.equal(first.train_size, 210);
    assert.equal(first.test_size, 100);
    assert.match(String(first.data), /MNIST IDX files in/);
    assert.equal(result.figures[1].figure.data.length, 2 * 3);
  });

  it("`masktune table4 --smoke` reports coverage and selective error of three methods at five coverages", function () {
    this.timeout(300_000);
    const run = cli(results, "table4", "--smoke");
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Deep Gamblers seed 1 {2}epoch 3\/3/);
    const out = path.join(results, "table4-smoke");
    const { rows } = readTable(path.join(out, "table.csv"));
    assert.deepEqual([...new Set(rows.map((r) => r.method))], ["MaskTune", "Softmax Response", "Deep Gamblers"]);
    assert.equal(rows.length, 3 * (5 * 2 + 2));
    for (const method of ["MaskTune", "Softmax Response", "Deep Gamblers"]) {
      assert.equal(cell(rows, method, "test @ 100% target", "coverage")!.mean_pct, "100.00", `${method} accepts everything at 100%`);
      for (const target of [95, 90, 85, 80]) {
        const coverage = Number(cell(rows, method, `test @ ${target}% target`, "coverage")!.mean_pct);
        assert.ok(coverage <= 100 && coverage >= target - 15, `${method} @ ${target}%: ${coverage}`);
      }
    }
    assert.equal(cell(rows, "MaskTune", "test @ 95% target", "coverage")!.paper_pct, "95.19");
    assert.match(cell(rows, "MaskTune", "test @ 95% target", "coverage")!.paper_source, /SVHN \(reference only/);
    assert.equal(rows[0].calibration, "k = ceil(c*N) on validation; accept score >= k-th highest; c = 100% accepts all");
    const json = JSON.parse(fs.readFileSync(path.join(out, "result.json"), "utf8"));
    assert.equal(json.summary.length, rows.length);
    assert.ok(Array.isArray(json.warnings));
    const html = fs.readFileSync(path.join(out, "figure.html"), "utf8");
    assert.equal((html.match(/Plotly\.newPlot\("figure-/g) ?? []).length, 1);
  });

  it("table4 runs on CIFAR-10 binary batches given as a folder (in-process, on a written fixture, with augmentation)", async function () {
    this.timeout(120_000);
    const { parent } = writeCifarFolder(undefined, 16, Array.from({ length: 20 }, (_, i) => i % 10));
    const out = tmp("table4-cifar");
    // SmallCNN instead of the preset's ResNet-32 keeps this a plumbing test.
    const config = table4.smokeConfig({ dataset: "cifar10", dataDir: parent, architecture: "small-cnn", outDir: out, cacheDir: path.join(out, "cache") });
    config.erm = { ...config.erm, epochs: 1 };
    config.gamblers = { ...config.gamblers, warmupEpochs: 0 };
    const result = await table4.run(config, silentLogger);
    const first = result.summary[0];
    assert.deepEqual([first.train_size, first.val_size, first.test_size], [64, 16, 20]);
    assert.equal(first.augmentation, "hflip, affine ±15°/±10%");
    assert.match(String(first.data), /CIFAR-10 binary/);
    assert.equal(cell(result.summary as Record<string, string>[], "Softmax Response", "test @ 90% target", "selective_error")!.paper_pct, "6.52");
  });

  it("table4 needs --data for a dataset that is not embedded, and names the file it cannot read", function () {
    this.timeout(60_000);
    const missing = cli(results, "table4", "--dataset", "cifar10");
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^masktune: --dataset cifar10 needs --data DIR/);
    const wrong = cli(results, "table4", "--smoke", "--dataset", "svhn", "--data", "/no/such/folder");
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^masktune: \/no\/such\/folder/);
    assert.doesNotMatch(wrong.stderr, /\n\s+at /);
    const misplaced = cli(results, "fig2", "--dataset", "svhn");
    assert.match(misplaced.stderr, /^masktune: --dataset applies to selective-classification \(table4\) experiments only/);
  });

  it("`masktune table2 --smoke --data DIR` runs ERM, MaskTune, Group DRO and JTT on a Waterbirds folder and reports worst-group accuracy", async function () {
    this.timeout(600_000);
    const data = await writeWaterbirdsFixture();
    const run = cli(results, "table2", "--smoke", "--data", data, "--lr", "0.001");
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /JTT error set \d+ of 12 training images/);
    const out = path.join(results, "table2-smoke");
    const { rows } = readTable(path.join(out, "table.csv"));
    assert.deepEqual([...new Set(rows.map((r) => r.method))], ["ERM", "MaskTune", "Group DRO", "JTT"]);
    for (const method of ["ERM", "MaskTune", "Group DRO", "JTT"]) {
      for (const metric of ["worst_group_accuracy", "average_accuracy"]) assert.match(cell(rows, method, "test", metric)!.mean_pct, /^\d+\.\d\d$/, `${method} ${metric}`);
      assert.ok(cell(rows, method, "test: waterbird on land"), `${method}: per-group rows`);
    }
    assert.equal(cell(rows, "MaskTune", "test", "worst_group_accuracy")!.paper_pct, "86.40");
    assert.equal(cell(rows, "Group DRO", "test", "average_accuracy")!.paper_pct, "94.40");
    // B10(b): the learning rate actually applied, read back from the run, not the preset's.
    const json = JSON.parse(fs.readFileSync(path.join(out, "result.json"), "utf8"));
    assert.equal(json.summary[0].erm_lr, 0.001);
    assert.equal(json.summary[0].batch_size, 4);
    assert.equal(json.summary[0].erm_epochs, 6);
    assert.equal(json.summary[0].pretrained, "no (random initialisation)");
    assert.equal(json.summary[0].seed_of_first_run, 1);
    const html = fs.readFileSync(path.join(out, "figure.html"), "utf8");
    assert.equal((html.match(/Plotly\.newPlot\("figure-/g) ?? []).length, 1);
    assert.ok(fs.readdirSync(path.join(results, "cache", "masked")).length > 0, "masked training images are cached as PNG");
  });

  it("table1 runs on a CelebA folder (in-process) and the results record a collapsed model's warning (B10a)", async function () {
    this.timeout(600_000);
    const data = await writeCelebAFixture(undefined, { layout: "kaggle-nested" });
    const out = tmp("table1");
    const config = subgroups.smokeConfig("celeba", { dataDir: data, outDir: out, cacheDir: path.join(out, "cache") });
    // One step at a tiny learning rate: the models stay near their initial constant prediction.
    config.erm = { ...config.erm, epochs: 1, batchSize: 64, lr: 1e-6 };
    config.jtt = { identificationEpochs: 1, upweight: 2 };
    const result = await subgroups.run(config, silentLogger);
    const rows = result.summary as Record<string, string>[];
    assert.deepEqual([...new Set(rows.map((r) => r.method))], ["ERM", "MaskTune", "Group DRO", "JTT"]);
    assert.ok(cell(rows, "ERM", "test: blond, male"), "groups are named");
    assert.equal(cell(rows, "ERM", "test", "worst_group_accuracy")!.paper_pct, "47.20");
    const constant = result.warnings.filter((w) => /predictions are constant \(one class/.test(w));
    assert.ok(constant.length > 0, `warnings: ${result.warnings.join(" | ")}`);
    const json = JSON.parse(fs.readFileSync(result.files.json, "utf8"));
    assert.deepEqual(json.warnings, result.warnings);
  });

  it("`masktune table3 --smoke --data DIR` trains on IN-9L and reports every variant and the BG-Gap for ERM and MaskTune", async function () {
    this.timeout(600_000);
    const data = await writeBgChallengeFixture(undefined, { layout: "masktune" });
    const run = cli(results, "table3", "--smoke", "--data", data);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /seed 1: MaskTune original [\d.]+%  mixed_same [\d.]+%  mixed_rand [\d.]+%  only_fg [\d.]+%  BG-Gap -?[\d.]+/);
    const out = path.join(results, "table3-smoke");
    const { rows } = readTable(path.join(out, "table.csv"));
    for (const method of ["ERM", "MaskTune"]) {
      for (const variant of ["original", "mixed_same", "mixed_rand", "only_fg"]) assert.match(cell(rows, method, variant)!.mean_pct, /^\d+\.\d\d$/);
      const gap = cell(rows, method, "mixed_same − mixed_rand", "bg_gap")!;
      const expected = Number(cell(rows, method, "mixed_same")!.mean_pct) - Number(cell(rows, method, "mixed_rand")!.mean_pct);
      assert.ok(Math.abs(Number(gap.mean_pct) - expected) < 0.011, `${method}: gap ${gap.mean_pct} vs ${expected}`);
    }
    assert.equal(cell(rows, "MaskTune", "mixed_rand")!.paper_pct, "78.60");
    assert.equal(cell(rows, "ERM", "mixed_same − mixed_rand", "bg_gap")!.paper_pct, "14.20");
    const html = fs.readFileSync(path.join(out, "figure.html"), "utf8");
    assert.match(html, /"text":"mixed_rand"/, "the figure shows the foreground under each variant");
  });

  it("table3 names a missing test variant folder", async function () {
    this.timeout(60_000);
    const data = await writeBgChallengeFixture(undefined, { layout: "release" });
    fs.rmSync(path.join(data, "bg_challenge", "mixed_rand"), { recursive: true });
    const run = cli(results, "table3", "--smoke", "--data", data);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^masktune: .*mixed_rand/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it("table1/table2 without --data say which folder is needed", function () {
    this.timeout(60_000);
    const run = cli(results, "table2", "--smoke");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^masktune: --data DIR is needed: the dataset folder/);
    const missing = cli(results, "table1", "--smoke", "--data", "/no/such/celeba");
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^masktune: \/no\/such\/celeba/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });

  it("exits non-zero with one clear line, and no stack trace, for a missing data folder", function () {
    this.timeout(60_000);
    const run = cli(results, "fig2", "--smoke", "--data", "/no/such/folder");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^masktune: \/no\/such\/folder: expected a folder with the four MNIST IDX files, found no such folder\./);
    assert.doesNotMatch(run.stdout, /ERM|seed/, "fails before any work starts");
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it("rejects an unknown experiment and a bad option value with the usage", function () {
    this.timeout(60_000);
    const unknown = cli(results, "fig9");
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^masktune: unknown experiment "fig9"\nusage: masktune <experiment>[\s\S]*table5 +Table 5/);
    const badSchedule = cli(results, "fig2", "--schedule", "cosine");
    assert.equal(badSchedule.status, 1);
    assert.match(badSchedule.stderr, /^masktune: --schedule cosine: use one of authors-code, paper\n/);
    const badSeeds = cli(results, "fig2", "--seeds", "0");
    assert.match(badSeeds.stderr, /^masktune: --seeds 0: a positive integer is needed\n/);
  });
});
