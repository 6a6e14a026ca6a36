/**
 * Every experiment the kit reproduces, by the name the CLI and the notebooks
 * use. Adding one is a module with defaultConfig / smokeConfig / run and one
 * line here.
 */
import { Logger } from "../log";
import * as ablationThreshold from "./ablation-threshold";
import * as fig2 from "./fig2";
import { MnistConfig } from "./mnist-setup";
import { ExperimentResult } from "./results";
import * as table5 from "./table5";
import * as table6 from "./table6";

/** What the CLI needs of an experiment (each one's config extends MnistConfig). */
export interface Experiment {
  title: string;
  defaultConfig(overrides?: Partial<MnistConfig>): MnistConfig;
  smokeConfig(overrides?: Partial<MnistConfig>): MnistConfig;
  run(config: MnistConfig, log?: Logger): Promise<ExperimentResult>;
}

export const EXPERIMENTS = {
  fig2: { title: "Figure 2: ERM vs RandMask vs MaskTune on biased MNIST", ...fig2 },
  table5: { title: "Table 5: iterative MaskTune, two spurious squares", ...table5 },
  table6: { title: "Table 6: random-window masking vs MaskTune", ...table6 },
  "ablation-threshold": { title: "Section 3: masking-threshold ablation", ...ablationThreshold },
} satisfies Record<string, Experiment>;

export type ExperimentName = keyof typeof EXPERIMENTS;
export const EXPERIMENT_NAMES = Object.keys(EXPERIMENTS) as ExperimentName[];
