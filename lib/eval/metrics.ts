/** Plain metrics over predictions; everything is a fraction in [0, 1]. */
import { ImageDataset } from "../data/dataset";

export function accuracy(predicted: Int32Array, labels: Int32Array): number {
  if (predicted.length !== labels.length) throw new Error(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

/** Accuracy within each value of an attribute (e.g. square / no square); keys are the values. */
export function accuracyBy(predicted: Int32Array, ds: ImageDataset, attribute: string): Map<number, { accuracy: number; count: number }> {
  const values = ds.attributes[attribute];
  if (!values) throw new Error(`${ds.name} has no attribute ${attribute}`);
  const out = new Map<number, { accuracy: number; count: number }>();
  for (const value of new Set(values)) {
    const members = Array.from(values.keys()).filter((i) => values[i] === value);
    out.set(value, {
      accuracy: accuracy(Int32Array.from(members, (i) => predicted[i]), Int32Array.from(members, (i) => ds.labels[i])),
      count: members.length,
    });
  }
  return out;
}
