/**
 * Training kernels for the tfjs wasm backend (see README.md in this folder).
 *
 * registerWasmTrainingKernels() is called by lib/backend.ts right after
 * tf.setBackend('wasm'). `fast: false` (or MASKTUNE_WASM_KERNELS=stock)
 * registers only what training needs on top of stock wasm (the missing
 * Conv2DBackpropFilter and a fix for the wrong stock MaxPoolGrad); `fast: true`
 * (the default) also replaces slow stock kernels and gradients with faster
 * ones built from the backend's own XNNPACK kernels or JS loops on the wasm
 * heap. Calling it again with the same mode is a no-op; with the other mode
 * it switches (the stock kernels and gradients are restored first).
 */
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilter } from "./conv2d-backprop-filter";
import { conv2DBackpropInputFast } from "./conv2d-backprop-input";
import { maxPoolGrad } from "./maxpool-grad";
import { batchMatMul } from "./batch-matmul";
import { tile } from "./tile";
import { mean, sum } from "./reduce";
import { cast, identity } from "./identity";
import { BATCH_NORM_GRAD_SUMS, batchNormGradSums } from "./batchnorm-sums";
import { fusedBatchNormGradConfig } from "./batchnorm-grad";
import { meanGradConfig } from "./mean-grad";
import { SGD_MOMENTUM, sgdMomentum } from "./sgd-momentum";
import { fusedBatchNorm } from "./batchnorm";
import { BATCH_MOMENTS, BATCH_NORM_TRAINING_GRAD, batchMoments, batchNormTrainingGrad } from "./batchnorm-training";
import { captureStockKernels } from "./util";
import { splitKernel, startHelper, stopHelper } from "./parallel";

type Mode = "stock" | "fast";

interface KitKernel {
  name: string;
  /** missing: stock wasm has none; fix: stock is wrong; speed: stock is slow (fast mode only). */
  why: "missing" | "fix" | "speed";
  kernelFunc: tf.KernelFunc;
}

const k = (name: string, why: KitKernel["why"], fn: unknown): KitKernel => ({ name, why, kernelFunc: fn as tf.KernelFunc });

const KERNELS: KitKernel[] = [
  k("Conv2DBackpropFilter", "missing", conv2DBackpropFilter),
  // Stock wasm MaxPoolGrad (tfjs-backend-wasm 4.22) sends the gradient to the
  // wrong input for windows whose values are all negative, and breaks ties
  // differently from the cpu backend.
  k("MaxPoolGrad", "fix", maxPoolGrad),
  k("Conv2DBackpropInput", "speed", conv2DBackpropInputFast),
  k("BatchMatMul", "speed", batchMatMul),
  k("Tile", "speed", tile),
  k("Sum", "speed", sum),
  k("Mean", "speed", mean),
  k("Identity", "speed", identity),
  k("Cast", "speed", cast),
  k("FusedBatchNorm", "speed", fusedBatchNorm),
  // Kit-only kernel used by the FusedBatchNorm gradient below.
  k(BATCH_NORM_GRAD_SUMS, "speed", batchNormGradSums),
  // Kit-only kernels of the kit's batch-norm layer in training (lib/models/batch-norm.ts).
  k(BATCH_MOMENTS, "speed", batchMoments),
  k(BATCH_NORM_TRAINING_GRAD, "speed", batchNormTrainingGrad),
  // Kit-only kernel used by the SGD update rule (lib/train/optimiser.ts) when registered.
  k(SGD_MOMENTUM, "speed", sgdMomentum),
  // The big conv kernels split by batch over two threads (parallel.ts); these
  // override the single-threaded entries above in fast mode.
  k("Conv2D", "speed", splitKernel("Conv2D")),
  k("FusedConv2D", "speed", splitKernel("FusedConv2D")),
  k("Conv2DBackpropInput", "speed", splitKernel("Conv2DBackpropInput")),
  k("Conv2DBackpropFilter", "speed", splitKernel("Conv2DBackpropFilter")),
];

/** Gradient replacements (fast mode only; off wasm they defer to the original). */
const GRADIENTS: { name: string; make: (original: tf.GradConfig) => tf.GradConfig }[] = [
  { name: "FusedBatchNorm", make: fusedBatchNormGradConfig },
  { name: "Mean", make: meanGradConfig },
];

/** Stock wasm kernels the kit kernels call (captured before any is replaced). */
const BUILDING_BLOCKS = [
  "Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Transpose", "Reverse", "PadV2", "Slice",
  "BatchMatMul", "Fill", "Tile", "Sum", "Mean", "MaxPoolGrad", "Cast", "FusedBatchNorm",
];

/** The wasm kernel configs and gradients as first seen, before the kit touched anything. */
const original = new Map<string, tf.KernelConfig | undefined>();
const originalGrads = new Map<string, tf.GradConfig>();
let current: Mode | undefined;
let description = "";
let details = "";

/** Puts back the stock kernels (or nothing, where stock had none) and gradients. */
function restoreOriginals(): void {
  for (const [name, cfg] of original) {
    if (tf.getKernel(name, "wasm") !== undefined) tf.unregisterKernel(name, "wasm");
    if (cfg !== undefined) tf.registerKernel(cfg);
  }
  for (const cfg of originalGrads.values()) tf.registerGradient(cfg);
}

export function registerWasmTrainingKernels(options: { fast?: boolean } = {}): string {
  const env = process.env.MASKTUNE_WASM_KERNELS;
  const mode: Mode = env === "stock" || options.fast === false ? "stock" : "fast";
  if (current === mode) return description;
  if (current === undefined) {
    for (const { name } of KERNELS) original.set(name, tf.getKernel(name, "wasm"));
    for (const { name } of GRADIENTS) originalGrads.set(name, tf.getGradient(name));
    captureStockKernels(BUILDING_BLOCKS);
  } else {
    restoreOriginals();
  }
  const done: Record<KitKernel["why"], string[]> = { missing: [], fix: [], speed: [] };
  for (const kk of KERNELS) {
    if (kk.why === "speed" && mode === "stock") continue;
    if (tf.getKernel(kk.name, "wasm") !== undefined) tf.unregisterKernel(kk.name, "wasm");
    tf.registerKernel({ kernelName: kk.name, backendName: "wasm", kernelFunc: kk.kernelFunc });
    done[kk.why].push(kk.name);
  }
  const grads: string[] = [];
  if (mode === "fast") {
    for (const { name, make } of GRADIENTS) {
      tf.registerGradient(make(originalGrads.get(name)!));
      grads.push(name);
    }
  }
  let threads = "";
  if (mode === "fast") threads = startHelper();
  else stopHelper();
  current = mode;
  const parts: string[] = [];
  if (done.missing.length) parts.push(`added ${done.missing.join(", ")}`);
  if (done.fix.length) parts.push(`fixed ${done.fix.join(", ")}`);
  if (done.speed.length) parts.push(`faster ${[...new Set(done.speed)].join(", ")}`);
  if (grads.length) parts.push(`gradients ${grads.join(", ")}`);
  details = parts.join("; ");
  description = `kit kernels ${mode}${env === "stock" ? " (MASKTUNE_WASM_KERNELS=stock)" : ""}${threads ? `, ${threads}` : ""}`;
  return description;
}

/** Which kernels and gradients the last registration added, fixed or replaced. */
export function wasmKernelDetails(): string {
  return details;
}
