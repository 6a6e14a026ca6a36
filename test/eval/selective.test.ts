import { strict as assert } from "assert";
import {
  ScoredPredictions,
  calibrateThreshold,
  correctness,
  coverageTable,
  ensembleScores,
  gamblerScores,
  logSoftmaxRows,
  riskCoverageCurve,
  selectiveOutcome,
  softmaxResponse,
} from "../../lib/eval/selective";
import { DISPLAY_COLUMNS, displayRows, summarise } from "../../lib/experiments/results";
import { textTable, toCsv } from "../../lib/report/csv";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const logs = (probs: number[]) => Float64Array.from(probs, Math.log);
/** Scores with every prediction class 0; `labels` decide which are correct. */
const scored = (scores: number[], labels: number[] = scores.map(() => 0)): ScoredPredictions & { labels: Int32Array } => ({
  scores: Float64Array.from(scores),
  classes: new Int32Array(scores.length),
  labels: Int32Array.from(labels),
});
const TARGETS = [1, 0.95, 0.9, 0.85, 0.8];

describe("selective classification", () => {
  it("log-softmax in float64 keeps confident rows distinct where float32 probabilities tie at 1", () => {
    const out = logSoftmaxRows([0, Math.log(3), 0, 30, 0, 40], 2);
    close(Math.exp(out[0]), 0.25);
    close(Math.exp(out[1]), 0.75);
    close(out[3], -Math.exp(-30), 1e-20);
    assert.ok(out[3] < out[5] && out[5] < 0, "log P(top) must still order the two confident rows");
    assert.equal(Math.fround(Math.exp(out[3])), 1, "in float32 both would be exactly 1");
  });

  it("C02(i): k = ceil(c·N) gives validation coverage [100, 100, 90, 90, 80] on ten distinct scores", () => {
    const val = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
    const right = val.map(() => true);
    const coverages = TARGETS.map((c) => selectiveOutcome(val, right, calibrateThreshold(val, c)).coverage);
    assert.deepEqual(coverages.map((c) => Math.round(100 * c)), [100, 100, 90, 90, 80]);
    assert.equal(calibrateThreshold(val, 0.9), 0.2);
    assert.equal(calibrateThreshold(val, 0.85), 0.2);
    assert.equal(calibrateThreshold(val, 0.8), 0.3);
  });

  it("C02(ii): the 100% target accepts test samples below every validation score", () => {
    const rows = coverageTable(scored([0.9, 0.8, 0.7]), scored([0.95, 0.6], [0, 1]), [1]);
    assert.equal(rows[0].threshold, -Infinity);
    assert.equal(rows[0].test.coverage, 1);
    assert.equal(rows[0].test.error, 0.5, "the plain test error: one of two wrong");
  });

  it("C02(iii): the product and the authors' softmax-of-product rank P and Q differently", () => {
    // P: p_erm = p_ft = [0.8, 0.2]; Q: p_erm = [0.95, 0.05], p_ft = [0.66, 0.34].
    const init = logs([0.8, 0.2, 0.95, 0.05]);
    const final = logs([0.8, 0.2, 0.66, 0.34]);
    const product = ensembleScores(init, final, 2, "product");
    const softmax = ensembleScores(init, final, 2, "softmax-of-product");
    close(Math.exp(product.scores[0]), 0.64);
    close(Math.exp(product.scores[1]), 0.627);
    close(Math.exp(softmax.scores[0]), 0.6457, 1e-4);
    close(Math.exp(softmax.scores[1]), 0.6479, 1e-4);
    assert.deepEqual(Array.from(product.classes), [0, 0]);
    // At 50% coverage over {P, Q} (calibrated on the same two samples):
    const acceptedAtHalf = (s: ScoredPredictions) => {
      const t = calibrateThreshold(s.scores, 0.5);
      return ["P", "Q"].filter((_, i) => s.scores[i] >= t);
    };
    assert.deepEqual(acceptedAtHalf(product), ["P"]);
    assert.deepEqual(acceptedAtHalf(softmax), ["Q"]);
  });

  it("B08: nothing accepted gives coverage 0, error null and a warning; the other targets are still computed", () => {
    const rows = coverageTable(scored([0.99, 0.98, 0.97, 0.96, 0.95]), scored([0.5, 0.6, 0.7]), TARGETS);
    const at80 = rows[4];
    assert.equal(at80.threshold, 0.96);
    assert.equal(at80.test.coverage, 0);
    assert.equal(at80.test.error, null);
    assert.match(at80.warning!, /no test sample reaches the threshold for 80% coverage/);
    assert.equal(rows.length, 5);
    assert.deepEqual({ coverage: rows[0].test.coverage, error: rows[0].test.error }, { coverage: 1, error: 0 });
    assert.equal(rows[0].warning, undefined);
    for (const row of rows) assert.ok(row.test.error === null || Number.isFinite(row.test.error));
  });

  it("B08: an undefined error is blank in the CSV, null in JSON and — in the table, never NaN", () => {
    const prov = { kit_version: "t", git_commit: "t", backend: "cpu", date: "t" };
    const records = [1, 2].map((seed) => ({
      seed, seconds: 1, bestErmEpoch: 0,
      measurements: [
        { method: "MaskTune", evalSet: "test @ 80% target", metric: "selective_error", value: null },
        { method: "MaskTune", evalSet: "test @ 100% target", metric: "selective_error", value: seed === 1 ? 0.02 : null },
      ],
    }));
    const { summary } = summarise("t", records, {}, prov, () => undefined);
    assert.equal(summary[0].mean_pct, null);
    assert.equal(summary[0].n_seeds, 0);
    assert.deepEqual([summary[1].mean_pct, summary[1].n_seeds], ["2.00", 1], "only the seed with a value counts");
    const csv = toCsv(summary, ["method", "eval_set", "mean_pct"]);
    assert.match(csv, /MaskTune,test @ 80% target,\r\n/);
    assert.equal(JSON.parse(JSON.stringify(summary))[0].mean_pct, null);
    const table = textTable(displayRows(summary), DISPLAY_COLUMNS);
    assert.match(table, /test @ 80% target +selective_error +— /);
    assert.doesNotMatch(csv + table + JSON.stringify(summary), /NaN/);
  });

  it("ties at the threshold are accepted together, so coverage can exceed the target", () => {
    const val = [0.9, 0.8, 0.8, 0.8, 0.1];
    const t = calibrateThreshold(val, 0.4);
    assert.equal(t, 0.8);
    assert.equal(selectiveOutcome(val, val.map(() => true), t).coverage, 0.8);
  });

  it("coverage and selective error by hand on a small list", () => {
    // Scores and whether each prediction is right; threshold 0.5 accepts four, one of them wrong.
    const scores = [0.9, 0.2, 0.7, 0.5, 0.55, 0.1];
    const right = [true, false, false, true, true, false];
    assert.deepEqual(selectiveOutcome(scores, right, 0.5), { coverage: 4 / 6, accepted: 4, total: 6, error: 0.25 });
    assert.deepEqual(correctness(Int32Array.from([1, 0, 2]), Int32Array.from([1, 1, 2])), [true, false, true]);
  });

  it("rejects targets outside (0, 1] and an empty validation set", () => {
    assert.throws(() => calibrateThreshold([0.5], 0), /not in \(0, 1\]/);
    assert.throws(() => calibrateThreshold([0.5], 1.2), /not in \(0, 1\]/);
    assert.throws(() => calibrateThreshold([], 0.9), /no validation scores/);
  });

  it("Softmax Response and Deep Gamblers scores and classes", () => {
    const sr = softmaxResponse(logs([0.3, 0.7, 0.6, 0.4]), 2);
    assert.deepEqual(Array.from(sr.classes), [1, 0]);
    close(sr.scores[0], Math.log(0.7));
    // Two classes plus abstain: the class ignores the abstain column; the score is -log P(abstain).
    const dg = gamblerScores(logs([0.3, 0.1, 0.6, 0.1, 0.8, 0.1]), 3);
    assert.deepEqual(Array.from(dg.classes), [0, 1]);
    close(dg.scores[0], -Math.log(0.6));
    close(dg.scores[1], -Math.log(0.1));
  });

  it("risk–coverage curve and AURC by hand, with and without ties", () => {
    const distinct = riskCoverageCurve([0.9, 0.8, 0.7, 0.6], [true, false, true, true]);
    assert.deepEqual(distinct.points.map((p) => p.coverage), [0.25, 0.5, 0.75, 1]);
    close(distinct.points[1].risk, 0.5);
    close(distinct.aurc, (0 + 1 / 2 + 1 / 3 + 1 / 4) / 4);
    const tied = riskCoverageCurve([0.9, 0.9, 0.5], [true, false, true]);
    assert.equal(tied.points.length, 2);
    close(tied.points[0].coverage, 2 / 3);
    close(tied.aurc, (2 / 3) * 0.5 + (1 / 3) * (1 / 3));
  });
});
