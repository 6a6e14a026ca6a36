import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { Objective, crossEntropy, gamblersLoss, groupDro } from "../../lib/train/objective";
import { PAPER_ADAM, PAPER_SGD, makeUpdateRule } from "../../lib/train/optimiser";
import { Rng } from "../../lib/random";
import { trainEpoch } from "../../lib/train/loop";
import { Trainer } from "../../lib/train/trainer";
import { tinyConvModel, tinyDataset } from "../support/tiny";

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe("optimisers and objectives", () => {
  it("Adam with coupled weight decay matches torch's formula over three steps", () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, "adam_w");
    const rule = makeUpdateRule({ ...PAPER_ADAM, weightDecay: 0.1 });
    const c = [0.5, 1];
    // Reference in float64: the loss is sum(c * w), so dL/dw = c.
    const ref = [1, -2];
    const m = [0, 0];
    const v = [0, 0];
    for (let t = 1; t <= 3; t++) {
      rule.apply([w], { [w.name]: tf.tensor1d(c) }, 0.1);
      for (let i = 0; i < 2; i++) {
        const g = c[i] + 0.1 * ref[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        ref[i] -= (0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
    const got = w.dataSync();
    close(got[0], ref[0]);
    close(got[1], ref[1]);
    close(ref[0], 0.7, 1e-3); // each early Adam step moves about lr against the gradient's sign
    rule.dispose();
    w.dispose();
  });

  it("the gambler's loss is -log(P(y) + P(abstain) / payoff), by hand", () => {
    const logits = tf.tensor2d([[Math.log(0.5), Math.log(0.2), Math.log(0.3)], [Math.log(0.5), Math.log(0.2), Math.log(0.3)]]);
    const loss = gamblersLoss(2).loss(logits, tf.tensor1d([0, 1], "int32"), [0, 1]);
    close(loss.dataSync()[0], -(Math.log(0.65) + Math.log(0.35)) / 2);
    assert.equal(gamblersLoss(2).classes(3), 2);
    assert.throws(() => gamblersLoss(1), /payoff 1 must be above 1/);
    tf.dispose([logits, loss]);
  });

  it("cross-entropy can ignore trailing non-class outputs (the Deep Gamblers warm-up)", () => {
    const logits = tf.tensor2d([[Math.log(0.5), Math.log(0.2), Math.log(0.3)]]);
    const loss = crossEntropy(1).loss(logits, tf.tensor1d([0], "int32"), [0]);
    close(loss.dataSync()[0], -Math.log(5 / 7));
    tf.dispose([logits, loss]);
  });

  it("Group DRO: one step's group weights and loss by hand", () => {
    const dro = groupDro(Int32Array.from([0, 0, 1, 2, 2]), 3, 0.5);
    // Zero logits over two classes: every sample's cross-entropy is ln 2. Samples 0, 1 (group 0) and 2 (group 1) are in the batch.
    const logits = tf.zeros([3, 2]) as tf.Tensor2D;
    const loss = dro.loss(logits, tf.tensor1d([0, 1, 0], "int32"), [0, 1, 2]);
    const up = Math.exp(0.5 * Math.LN2);
    const q = [up, up, 1].map((v) => v / (2 * up + 1));
    dro.weights().forEach((w, g) => close(w, q[g]));
    close(loss.dataSync()[0], (q[0] + q[1]) * Math.LN2, 1e-5);
    tf.dispose([logits, loss]);
  });

  it("repeats draw each sample as often as asked in one epoch (JTT's up-weighting)", async () => {
    const c = tinyConvModel();
    const trainer = new Trainer(c, PAPER_SGD, 0.01);
    const seen: number[] = [];
    const spy: Objective = { ...crossEntropy(), loss: (logits, labels, indices) => (seen.push(...indices), crossEntropy().loss(logits, labels, indices)) };
    const record = await trainEpoch(trainer, tinyDataset(4), { batchSize: 2, lr: 0.01, rng: new Rng(1), label: "t", epoch: 0, objective: spy, repeats: Int32Array.from([2, 0, 1, 3]) });
    assert.deepEqual(seen.sort(), [0, 0, 2, 3, 3, 3]);
    assert.ok(record.trainAccuracy >= 0 && record.trainAccuracy <= 1);
    trainer.dispose();
    c.model.dispose();
  });
});
