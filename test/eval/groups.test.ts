import { strict as assert } from "assert";
import { groupReport, groupShares } from "../../lib/eval/groups";

describe("group metrics", () => {
  it("B10(a): a constant predictor gets per-group accuracy [1, 1, 0, 0], worst 0, and a warning", () => {
    // Two rows per group; groups 0 and 1 are class 0, groups 2 and 3 class 1 (g = 2y + place).
    const groups = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const report = groupReport(new Int32Array(8), labels, groups, 4);
    assert.deepEqual(report.perGroup, [1, 1, 0, 0]);
    assert.equal(report.worst, 0);
    assert.equal(report.average, 0.5);
    assert.match(report.warning!, /predictions are constant \(one class: 0\)/);
  });

  it("weights group accuracies by the training shares, and leaves empty groups out of the worst", () => {
    const trainShares = groupShares(Int32Array.from([0, 0, 0, 1]), 3);
    assert.deepEqual(trainShares, [0.75, 0.25, 0]);
    const report = groupReport(Int32Array.from([1, 0, 1, 1]), Int32Array.from([1, 1, 1, 0]), Int32Array.from([0, 0, 1, 1]), 3, trainShares);
    assert.deepEqual(report.perGroup, [0.5, 0.5, null]);
    assert.deepEqual(report.counts, [2, 2, 0]);
    assert.equal(report.worst, 0.5);
    assert.equal(report.weightedAverage, 0.75 * 0.5 + 0.25 * 0.5);
    assert.equal(report.warning, undefined);
  });
});
