import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { iterativeMaskTune, multiplyMasks, RoundRecord } from "../../lib/masking/iterative";
import { PAPER_MASKING } from "../../lib/masking/masktune";
import { PAPER_SGD } from "../../lib/train/optimiser";
import { tinyConvModel, tinyDataset } from "../support/tiny";

describe("iterative MaskTune", () => {
  it("accumulative masking multiplies masks pixel by pixel", () => {
    const round1 = Float32Array.from([1, 0, 1, 1]);
    const round2 = Float32Array.from([1, 1, 0, 1]);
    assert.deepEqual(Array.from(multiplyMasks(round1, round2)), [1, 0, 0, 1]);
    const soft = Float32Array.from([0.5, 1, 0.25, 1]);
    assert.deepEqual(Array.from(multiplyMasks(round1, soft)), [0.5, 0, 0.25, 1]);
  });

  async function rounds(mode: "accumulative" | "non-accumulative", stopBelowTrainAccuracy?: number): Promise<{ records: RoundRecord[]; seen: number[] }> {
    const c = tinyConvModel(11);
    const raw = tinyDataset(8);
    const seen: number[] = [];
    const records = await iterativeMaskTune(
      c,
      raw,
      { rounds: 3, mode, masking: { ...PAPER_MASKING, batchSize: 4, rule: { kind: "top-k", pixels: 5 } }, fineTune: { lr: 0.01, batchSize: 4, optimiser: PAPER_SGD, seed: 1 }, stopBelowTrainAccuracy },
      (r) => {
        seen.push(r.round);
      },
    );
    c.model.dispose();
    return { records, seen };
  }

  it("accumulative: each round's masks contain the previous ones, so the masked share grows", async () => {
    const { records, seen } = await rounds("accumulative");
    assert.deepEqual(seen, [1, 2, 3]);
    for (let r = 1; r < records.length; r++) {
      const before = records[r - 1].masks;
      assert.ok(records[r].masks.every((v, i) => v <= before[i]), `round ${r + 1} keeps every earlier hole`);
      assert.ok(records[r].maskedShare >= records[r - 1].maskedShare);
    }
    assert.ok(records[0].maskedShare > 0, "the heatmaps are not empty");
  });

  it("non-accumulative: every round masks the raw images afresh (at most top-5 holes each round)", async () => {
    const { records } = await rounds("non-accumulative");
    for (const r of records) assert.ok(r.maskedShare > 0 && r.maskedShare <= 5 / 64 + 1e-9, `round ${r.round}: ${r.maskedShare}`);
    const accumulated = (await rounds("accumulative")).records;
    assert.ok(accumulated[2].maskedShare > records[2].maskedShare, "accumulating removes more than one round alone");
  });

  it("stops after the first round whose masked-training accuracy is below the bound", async () => {
    const { records, seen } = await rounds("accumulative", 1.01);
    assert.equal(records.length, 1);
    assert.deepEqual(seen, [1]);
  });

  it("leaks no tensors across rounds", async () => {
    await rounds("non-accumulative");
    const before = tf.memory().numTensors;
    await rounds("non-accumulative");
    assert.equal(tf.memory().numTensors, before);
  });
});
