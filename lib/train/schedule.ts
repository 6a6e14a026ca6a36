/**
 * Learning-rate schedules for ERM. MaskTune's fine-tune epoch runs at the
 * schedule's last learning rate, so the choice matters twice.
 * - "authors-code": constant. The authors' code never steps its scheduler
 *   during ERM, so it trains (and fine-tunes) at the initial rate. This is what
 *   reproduces the paper's Figure 2, and the kit's default.
 * - "paper": the text's step schedule, halved every quarter of the epochs
 *   (x0.5 every 25 of 100 epochs).
 */
export type ScheduleName = "authors-code" | "paper";
export const SCHEDULES: readonly ScheduleName[] = ["authors-code", "paper"];

export interface LrSchedule {
  name: ScheduleName;
  /** Learning rate for a 0-based epoch. */
  lrAt(epoch: number): number;
  /** The last ERM epoch's rate: the fine-tune rate. */
  finalLr: number;
}

export function makeSchedule(name: ScheduleName, baseLr: number, epochs: number): LrSchedule {
  const step = Math.max(1, Math.round(epochs / 4));
  const lrAt = name === "paper" ? (epoch: number) => baseLr * 0.5 ** Math.floor(epoch / step) : () => baseLr;
  return { name, lrAt, finalLr: lrAt(epochs - 1) };
}
