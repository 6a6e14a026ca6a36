/** The settings every experiment's configuration shares. */
import { MaskingConfig } from "../masking/masktune";
import { OptimiserConfig } from "../train/optimiser";
import { ScheduleName } from "../train/schedule";

/** How the ERM stage (and the methods that train like it) is trained. */
export interface ErmSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: ScheduleName;
  optimiser: OptimiserConfig;
}

export interface RunConfig {
  erm: ErmSettings;
  masking: MaskingConfig;
  /** Which ERM checkpoint the fine-tunes start from (masks always come from the best). */
  fineTuneFrom: "best" | "last";
  seeds: number[];
  outDir: string;
  /** Finished training stages are kept here and reused when their inputs match. */
  cacheDir: string;
  /** Retrain even when a cached stage matches. */
  fresh: boolean;
}
