/**
 * Every experiment the kit reproduces, by the name the CLI and the notebooks
 * use. Adding one is a module with defaultConfig / smokeConfig / run and one
 * line here; its `kind` tells the CLI which options apply.
 */
import { Logger } from "../log";
import * as ablationThreshold from "./ablation-threshold";
import * as fig2 from "./fig2";
import { MnistConfig } from "./mnist-setup";
import { ExperimentResult } from "./results";
import * as subgroups from "./subgroups";
import * as table3 from "./table3";
import * as table4 from "./table4";
import * as table5 from "./table5";
import * as table6 from "./table6";

export interface Experiment<C> {
  title: string;
  defaultConfig(overrides?: Partial<C>): C;
  smokeConfig(overrides?: Partial<C>): C;
  run(config: C, log?: Logger): Promise<ExperimentResult>;
}

/** Figure 2, Tables 5 and 6, the ablation: SmallCNN on biased MNIST. */
export type BiasedMnistExperiment = Experiment<MnistConfig> & { kind: "biased-mnist" };
/** Tables 4 and 7: selective classification on a named dataset. */
export type SelectiveExperiment = Experiment<table4.Table4Config> & { kind: "selective" };
/** Tables 1 and 2: worst-group accuracy on a real-image dataset the user downloads. */
export type SubgroupExperiment = Experiment<subgroups.SubgroupConfig> & { kind: "subgroups" };
/** Table 3: IN-9L and the Background Challenge, which the user downloads. */
export type BackgroundExperiment = Experiment<table3.Table3Config> & { kind: "background" };

function subgroupExperiment(dataset: subgroups.SubgroupDataset): Omit<SubgroupExperiment, "kind" | "title"> {
  return {
    defaultConfig: (overrides) => subgroups.defaultConfig(dataset, overrides),
    smokeConfig: (overrides) => subgroups.smokeConfig(dataset, overrides),
    run: subgroups.run,
  };
}

export const EXPERIMENTS = {
  fig2: { kind: "biased-mnist", title: "Figure 2: ERM vs RandMask vs MaskTune on biased MNIST", ...fig2 },
  table1: { kind: "subgroups", title: "Table 1: CelebA, worst-group accuracy (ERM, MaskTune, Group DRO, JTT)", ...subgroupExperiment("celeba") },
  table2: { kind: "subgroups", title: "Table 2: Waterbirds, worst-group accuracy (ERM, MaskTune, Group DRO, JTT)", ...subgroupExperiment("waterbirds") },
  table3: { kind: "background", title: "Table 3: the Background Challenge (IN-9L; original, mixed_same, mixed_rand, only_fg; BG-Gap)", ...table3 },
  table4: { kind: "selective", title: "Tables 4 and 7: selective classification (MaskTune, Softmax Response, Deep Gamblers)", ...table4 },
  table5: { kind: "biased-mnist", title: "Table 5: iterative MaskTune, two spurious squares", ...table5 },
  table6: { kind: "biased-mnist", title: "Table 6: random-window masking vs MaskTune", ...table6 },
  "ablation-threshold": { kind: "biased-mnist", title: "Section 3: masking-threshold ablation", ...ablationThreshold },
} satisfies Record<string, AnyExperiment>;

export type AnyExperiment = BiasedMnistExperiment | SelectiveExperiment | SubgroupExperiment | BackgroundExperiment;

export type ExperimentName = keyof typeof EXPERIMENTS;
export const EXPERIMENT_NAMES = Object.keys(EXPERIMENTS) as ExperimentName[];
