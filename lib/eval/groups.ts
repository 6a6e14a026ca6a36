/**
 * Accuracy by group for the spurious-correlation benchmarks: per-group
 * accuracy, the worst group, and two averages — the plain accuracy over the
 * test set (what MaskTune reports) and the mean of the group accuracies
 * weighted by the training set's group shares (what Group DRO reports for
 * Waterbirds, whose val/test groups are balanced). Tables say which they show.
 */

export interface GroupReport {
  /** Accuracy of each group; null for a group with no test sample. */
  perGroup: (number | null)[];
  counts: number[];
  /** Minimum over groups with samples; null if there are none. */
  worst: number | null;
  /** Plain accuracy over all samples. */
  average: number;
  /** Group accuracies weighted by the training group shares (when given), over the groups present in test. */
  weightedAverage: number | null;
  /** Set when every prediction is the same class: the model has collapsed. */
  warning?: string;
}

/** Shares of each group among `groups` (e.g. the training set's). */
export function groupShares(groups: Int32Array, numGroups: number): number[] {
  const counts = new Array<number>(numGroups).fill(0);
  for (const g of groups) counts[g]++;
  return counts.map((c) => c / Math.max(1, groups.length));
}

export function groupReport(predictions: Int32Array, labels: Int32Array, groups: Int32Array, numGroups: number, trainShares?: readonly number[]): GroupReport {
  const counts = new Array<number>(numGroups).fill(0);
  const correct = new Array<number>(numGroups).fill(0);
  let allCorrect = 0;
  predictions.forEach((p, i) => {
    counts[groups[i]]++;
    if (p === labels[i]) {
      correct[groups[i]]++;
      allCorrect++;
    }
  });
  const perGroup = counts.map((n, g) => (n ? correct[g] / n : null));
  const present = perGroup.filter((a): a is number => a !== null);
  // Groups without test samples are left out and the weights renormalised over the rest.
  const presentShare = trainShares ? perGroup.reduce<number>((sum, a, g) => sum + (a === null ? 0 : trainShares[g]), 0) : 0;
  const weightedAverage = trainShares && presentShare > 0 ? perGroup.reduce<number>((sum, a, g) => sum + (a ?? 0) * trainShares[g], 0) / presentShare : null;
  const report: GroupReport = {
    perGroup,
    counts,
    worst: present.length ? Math.min(...present) : null,
    average: predictions.length ? allCorrect / predictions.length : 0,
    weightedAverage,
  };
  if (predictions.length > 1 && predictions.every((p) => p === predictions[0])) {
    report.warning = `predictions are constant (one class: ${predictions[0]}): the model has collapsed; check the learning rate and weight decay`;
  }
  return report;
}
