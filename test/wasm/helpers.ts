// Shared helpers for the wasm kernel tests: seeded data, running the same
// computation on cpu and wasm, and relative errors.
import * as tf from "@tensorflow/tfjs";

/** Deterministic uniform(-1, 1) values (LCG), so failures reproduce. */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** max |a - b| / max(|b|, 1e-6) */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let diff = 0, scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** Runs `f` on the given backend inside tidy and returns its outputs' values. */
export async function runOn(backend: "cpu" | "wasm", f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return values;
}

/** Runs `f` on cpu and on wasm; returns the worst relative error over its outputs. */
export async function cpuVsWasm(f: () => tf.Tensor[]): Promise<{ err: number; cpu: Float32Array[]; wasm: Float32Array[] }> {
  const cpu = await runOn("cpu", f);
  const wasm = await runOn("wasm", f);
  let err = 0;
  cpu.forEach((c, i) => { err = Math.max(err, relErr(wasm[i], c)); });
  return { err, cpu, wasm };
}

export function tensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** A conv padding as tf.conv2d takes it. */
export type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];
/** A conv test case: [batch, H, W, inC, outC, k, stride, pad]. */
export type ConvCase = [number, number, number, number, number, number, number, Pad];
