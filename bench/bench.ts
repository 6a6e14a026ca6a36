/**
 * `npm run bench`: median milliseconds of the kit's hot paths on the active
 * backend (lib/backend.ts; MASKTUNE_BACKEND forces one). On wasm every case
 * runs twice, with stock kernels (registerWasmTrainingKernels({fast: false}):
 * stock tfjs-backend-wasm plus only the missing Conv2DBackpropFilter and the
 * MaxPoolGrad fix) and with the kit's kernels ({fast: true}), and the table
 * shows stock/kit. MASKTUNE_WASM_KERNELS=stock limits it to stock.
 *
 * Cases (5 warm-up runs, then 20 timed ones: the first few steps of a process
 * are slower while V8 optimises the JS kernels and the wasm heap grows; inputs
 * are fixed synthetic data):
 *   smallcnn-train     one Trainer.step (forward, backward, momentum SGD with
 *                      weight decay, loss read back), SmallCNN, batch 128, 28x28x3
 *   smallcnn-infer     SmallCNN forward pass in inference mode, batch 128, read back
 *   resnet32-train     one Trainer.step, ResNet-32, batch 128, 32x32x3
 *   xgradcam-mask-1k   maskWithHeatmaps with PAPER_MASKING (xGradCAM heatmaps in
 *                      batches of 250, then the paper's threshold and masking) over
 *                      1,000 synthetic 28x28x3 images, SmallCNN
 *
 * Prints progress and a table; writes the same rows to results/bench.csv.
 */
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend";
import { ImageDataset } from "../lib/data/dataset";
import { PAPER_MASKING, maskWithHeatmaps } from "../lib/masking/masktune";
import { Classifier } from "../lib/models/classifier";
import { resnet32 } from "../lib/models/resnet32";
import { smallCnn } from "../lib/models/small-cnn";
import { Row, textTable, writeCsv } from "../lib/report/csv";
import { PAPER_SGD } from "../lib/train/optimiser";
import { Trainer } from "../lib/train/trainer";
import { registerWasmTrainingKernels } from "../lib/wasm";
import { helperReady } from "../lib/wasm/parallel";

const WARMUP = 5;
const REPS = 20;

interface Case {
  name: string;
  batch: number;
  input: string;
  /** Builds the model and data; returns one repetition and a clean-up. */
  setup: () => { run: () => void; dispose: () => void };
}

/** Deterministic pseudo-random pixels in [0, 1) and labels 0/1. */
function syntheticData(n: number, side: number): { images: Float32Array; labels: Int32Array } {
  const images = new Float32Array(n * side * side * 3);
  let s = 12345;
  for (let i = 0; i < images.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    images[i] = s / 4294967296;
  }
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 2) };
}

function trainCase(name: string, side: number, build: (seed: number) => Classifier): Case {
  return {
    name, batch: 128, input: `${side}x${side}x3`,
    setup: () => {
      const c = build(1);
      const trainer = new Trainer(c, PAPER_SGD, 0.01);
      const { images, labels } = syntheticData(128, side);
      const x = tf.tensor4d(images, [128, side, side, 3]);
      const y = tf.tensor1d(labels, "int32");
      return { run: () => { trainer.step(x, y); }, dispose: () => { tf.dispose([x, y]); trainer.dispose(); c.model.dispose(); } };
    },
  };
}

const small = (seed: number) => smallCnn({ inputShape: [28, 28, 3], numClasses: 2, seed });

const CASES: Case[] = [
  trainCase("smallcnn-train", 28, small),
  {
    name: "smallcnn-infer", batch: 128, input: "28x28x3",
    setup: () => {
      const c = small(1);
      const x = tf.tensor4d(syntheticData(128, 28).images, [128, 28, 28, 3]);
      return {
        run: () => { const out = c.model.apply(x, { training: false }) as tf.Tensor; out.dataSync(); out.dispose(); },
        dispose: () => { x.dispose(); c.model.dispose(); },
      };
    },
  },
  trainCase("resnet32-train", 32, (seed) => resnet32({ inputShape: [32, 32, 3], numClasses: 10, seed })),
  {
    name: "xgradcam-mask-1k", batch: PAPER_MASKING.batchSize, input: "1000x28x28x3",
    setup: () => {
      const c = small(1);
      const { images, labels } = syntheticData(1000, 28);
      const ds: ImageDataset = {
        name: "synthetic", shape: [28, 28, 3], images, labels, numClasses: 2,
        ids: Array.from({ length: 1000 }, (_, i) => `s:${i}`), attributes: {},
      };
      return { run: () => { maskWithHeatmaps(c, ds, PAPER_MASKING); }, dispose: () => c.model.dispose() };
    },
  },
];

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function measure(c: Case, kernels: string): { median: number; p10: number; p90: number } {
  const { run, dispose } = c.setup();
  let before = 0;
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REPS; i++) {
    const t0 = performance.now();
    run();
    const ms = performance.now() - t0;
    if (i === 0) before = tf.memory().numTensors; // after the first run: optimizer state exists
    if (i >= WARMUP) times.push(ms);
    console.log(`  ${c.name} [${kernels}] ${i < WARMUP ? "warm-up" : "rep"} ${i < WARMUP ? i + 1 : i - WARMUP + 1}: ${ms.toFixed(1)} ms`);
  }
  const leaked = tf.memory().numTensors - before;
  dispose();
  if (leaked > 0) console.log(`  WARNING: ${c.name} [${kernels}] left ${leaked} more tensors after the timed runs`);
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p10: quantile(times, 0.1), p90: quantile(times, 0.9) };
}

async function main(): Promise<void> {
  const info = await initBackend();
  const onWasm = info.tfName === "wasm";
  const modes: ("stock" | "kit" | "-")[] = !onWasm ? ["-"] : process.env.MASKTUNE_WASM_KERNELS === "stock" ? ["stock"] : ["stock", "kit"];
  const date = new Date().toISOString();
  const cpu = `${os.cpus()[0]?.model ?? "unknown"} x${os.cpus().length}`;
  const rows: Row[] = [];
  for (const mode of modes) {
    if (mode !== "-") {
      console.log(`[bench] ${registerWasmTrainingKernels({ fast: mode === "kit" })}`);
      await helperReady(); // kit mode: time the second thread from the first step (no-op without one)
    }
    for (const c of CASES) {
      console.log(`[bench] ${c.name} (batch ${c.batch}, ${c.input}) on ${info.tfName}, kernels ${mode}`);
      const m = measure(c, mode);
      rows.push({
        benchmark: c.name, batch: c.batch, input: c.input, backend: info.tfName, kernels: mode,
        median_ms: round(m.median), p10_ms: round(m.p10), p90_ms: round(m.p90), repetitions: REPS,
        ratio: null, date, node: process.version, cpu,
      });
    }
  }
  if (onWasm) registerWasmTrainingKernels(); // leave the default (kit) kernels active
  for (const row of rows.filter((r) => r.kernels === "kit")) {
    const stock = rows.find((r) => r.kernels === "stock" && r.benchmark === row.benchmark);
    if (stock) row.ratio = Math.round(((stock.median_ms as number) / (row.median_ms as number)) * 100) / 100;
  }
  const columns = ["benchmark", "batch", "input", "backend", "kernels", "median_ms", "p10_ms", "p90_ms", "repetitions", "ratio", "date", "node", "cpu"];
  console.log(`\n[bench] ${info.description}; ${cpu}; node ${process.version}; ms, median of ${REPS} after ${WARMUP} warm-up runs`);
  if (modes.length === 2) {
    const sideBySide = CASES.map((c) => {
      const s = rows.find((r) => r.benchmark === c.name && r.kernels === "stock")!;
      const k = rows.find((r) => r.benchmark === c.name && r.kernels === "kit")!;
      return { benchmark: c.name, batch: c.batch, input: c.input, stock_ms: s.median_ms, kit_ms: k.median_ms, "stock/kit": k.ratio };
    });
    console.log(textTable(sideBySide, ["benchmark", "batch", "input", "stock_ms", "kit_ms", "stock/kit"]));
  } else {
    console.log(textTable(rows, ["benchmark", "batch", "input", "kernels", "median_ms", "p10_ms", "p90_ms"]));
  }
  const file = path.join(process.cwd(), "results", "bench.csv");
  writeCsv(file, rows, columns);
  console.log(`[bench] wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
