import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { csvField, parseCsv, textTable, toCsv, toDataFrame } from "../../lib/report/csv";
import { groupedBarFigure, imageGridFigure, lineFigure } from "../../lib/report/figures";
import { escapeHtml, renderReport } from "../../lib/report/html";
import { meanStd, percent } from "../../lib/report/stats";

describe("reporting", () => {
  it("B17: a float32 accuracy of 9/10 is written as 90.00, and reads back as 0.9", () => {
    const correct = tf.tensor1d([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const acc = tf.mean(tf.cast(correct, "float32")).dataSync()[0];
    assert.notEqual(acc, 0.9, "float32 noise is real");
    const csv = toCsv([{ method: "MaskTune", accuracy_pct: percent(acc) }], ["method", "accuracy_pct"]);
    assert.equal(csv, "method,accuracy_pct\r\nMaskTune,90.00\r\n");
    assert.equal(Number(parseCsv(csv)[1][1]) / 100, 0.9);
    correct.dispose();
  });

  it("writes RFC 4180 CSV: fields with commas, quotes and line breaks are quoted and round-trip", () => {
    const tricky = ['wasm (kit kernels: a, b)', 'say "hi"', "two\nlines", "", "plain"];
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField(null), "");
    const rows = tricky.map((t, i) => ({ id: i, text: t }));
    const parsed = parseCsv(toCsv(rows, ["id", "text"]));
    assert.deepEqual(parsed, [["id", "text"], ...tricky.map((t, i) => [String(i), t])]);
  });

  it("B16: numeric text becomes numbers in the DataFrame (sum 110, not '010100'); ids keep leading zeros", () => {
    const df = toDataFrame([{ A: "10", id: "000001.jpg" }, { A: "100", id: "000123.jpg" }], ["A", "id"]);
    assert.equal(df.column("A").sum(), 110);
    assert.deepEqual(df.column("id").values, ["000001.jpg", "000123.jpg"]);
  });

  it("prints every row in a text table, nothing truncated", () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ name: `row ${i} with a long label`, v: i }));
    const lines = textTable(rows, ["name", "v"]).split("\n");
    assert.equal(lines.length, 14);
    assert.ok(lines[13].startsWith("row 11 with a long label"));
  });

  it("mean ± std over seeds uses the sample std", () => {
    const s = meanStd([0.5, 0.7, 0.9]);
    assert.ok(Math.abs(s.mean - 0.7) < 1e-12 && Math.abs(s.std - 0.2) < 1e-12 && s.n === 3, JSON.stringify(s));
    assert.equal(meanStd([0.4]).std, 0);
  });

  it("builds a grouped bar figure with error bars and hatched paper bars", () => {
    const fig = groupedBarFigure("t", ["a", "b"], [
      { name: "ours", values: [{ mean: 0.5, std: 0.1, n: 3 }, null] },
      { name: "paper", paper: true, values: [null, { mean: 0.98, std: 0, n: 1 }] },
    ]);
    assert.equal(fig.data.length, 2);
    assert.deepEqual(fig.data[0].y, [50, null]);
    assert.deepEqual((fig.data[0].error_y as { array: number[] }).array, [10, 0]);
    assert.deepEqual(fig.data[1].y, [null, 98]);
    assert.ok("marker" in fig.data[1]);
  });

  it("builds a heatmap grid: one image and one heatmap per model per row", () => {
    const image = new Float32Array(2 * 2 * 3).fill(1);
    const map = Float32Array.from([0, 0.5, 1, 0.25]);
    const fig = imageGridFigure("t", [{ title: "x", panels: [{ name: "input", kind: "rgb", values: image }, { name: "ERM", kind: "heatmap", values: map }, { name: "MaskTune", kind: "heatmap", values: map }] }], 2, 2);
    assert.deepEqual(fig.data.map((d) => d.type), ["image", "heatmap", "heatmap"]);
    assert.deepEqual(fig.data[0].z, [[[255, 255, 255], [255, 255, 255]], [[255, 255, 255], [255, 255, 255]]]);
    assert.deepEqual(fig.data[1].z, [[0, 0.5], [1, 0.25]]);
    assert.deepEqual(fig.layout.grid, { rows: 1, columns: 3, pattern: "independent" });
    assert.deepEqual(fig.data.map((d) => d.showscale), [undefined, true, false], "one colour scale");
  });

  it("builds a line figure: ours with error bars, the paper as markers", () => {
    const fig = lineFigure("t", "round", [
      { name: "ours", x: [0, 1], y: [{ mean: 0.2, std: 0.01, n: 3 }, { mean: 0.9, std: 0.02, n: 3 }] },
      { name: "paper", x: [0, 1], paper: true, y: [null, { mean: 0.97, std: 0, n: 1 }] },
    ]);
    assert.deepEqual(fig.data[0].y, [20, 90]);
    assert.deepEqual((fig.data[0].error_y as { array: number[] }).array, [1, 2]);
    assert.equal(fig.data[1].mode, "markers");
  });

  it("renders a standalone page with plotly inlined and text escaped", () => {
    const html = renderReport("a <b>", [{ heading: "h", figure: { data: [], layout: {} } }]);
    assert.ok(html.includes("a &lt;b&gt;"));
    assert.ok(html.includes("Plotly.newPlot(\"figure-0\""));
    assert.ok(!/<script[^>]+src=/.test(html), "no external script");
    assert.ok(html.length > 3_000_000, "the plotly bundle is inlined");
    assert.equal(escapeHtml(`"'&`), "&quot;&#39;&amp;");
  });
});
