/**
 * Picks and initialises the tfjs backend once per process.
 *
 * Order: tfjs-node-gpu → tfjs-node → wasm → cpu. `MASKTUNE_BACKEND`
 * (`node-gpu`, `node`, `wasm`, `cpu`) forces one. On wasm the kit registers
 * the training kernels the stock backend lacks (see lib/wasm/README.md).
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmTrainingKernels, wasmKernelDetails } from "./wasm";

export type BackendChoice = "node-gpu" | "node" | "wasm" | "cpu";
const ORDER: readonly BackendChoice[] = ["node-gpu", "node", "wasm", "cpu"];

export interface BackendInfo {
  /** What the kit chose. */
  choice: BackendChoice;
  /** tfjs's own name of the active backend ("tensorflow", "wasm", "cpu"). */
  tfName: string;
  /** Short human-readable line printed once and stored with every result. */
  description: string;
  /** Longer detail printed once at start-up (e.g. which kernels the kit registered). */
  details?: string;
}

let active: BackendInfo | undefined;

/** The backend chosen by `initBackend`; throws if it has not run. */
export function backendInfo(): BackendInfo {
  if (!active) throw new Error("initBackend() has not been called yet");
  return active;
}

/** Loads an optional native package; true if it registered the 'tensorflow' backend. */
function loadNative(pkg: string): boolean {
  try {
    require(pkg);
  } catch {
    return false;
  }
  // The overrides in package.json alias @tensorflow/tfjs-node to plain tfjs (for
  // danfojs-node), so a successful require alone proves nothing.
  return tf.findBackendFactory("tensorflow") !== null;
}

async function tryBackend(choice: BackendChoice): Promise<BackendInfo | string> {
  switch (choice) {
    case "node-gpu":
    case "node": {
      const pkg = choice === "node-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      if (!loadNative(pkg)) return `${pkg} is not installed (optional; see environment.md)`;
      if (!(await tf.setBackend("tensorflow"))) return `${pkg} failed to initialise`;
      const usesGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      const description =
        choice === "node-gpu"
          ? usesGpu
            ? "tensorflow (tfjs-node-gpu, on the GPU)"
            : "tensorflow (tfjs-node-gpu, but NO GPU was found: running on the CPU; check CUDA/cuDNN, environment.md)"
          : "tensorflow (tfjs-node, CPU)";
      return { choice, tfName: "tensorflow", description };
    }
    case "wasm": {
      try {
        require("@tensorflow/tfjs-backend-wasm");
      } catch (e) {
        return `@tensorflow/tfjs-backend-wasm could not be loaded: ${(e as Error).message}`;
      }
      if (!(await tf.setBackend("wasm"))) return "the wasm backend failed to initialise";
      const kernels = registerWasmTrainingKernels();
      return { choice, tfName: "wasm", description: `wasm (${kernels})`, details: `kernels: ${wasmKernelDetails()}` };
    }
    case "cpu":
      await tf.setBackend("cpu");
      return { choice, tfName: "cpu", description: "cpu (pure JavaScript: slow, for checks only)" };
  }
}

/**
 * Selects the backend (once; later calls return the first choice) and prints
 * the choice unless `quiet`. Throws if a forced backend cannot be used.
 */
export async function initBackend(options: { quiet?: boolean; force?: BackendChoice } = {}): Promise<BackendInfo> {
  if (active) return active;
  const forced = options.force ?? (process.env.MASKTUNE_BACKEND as BackendChoice | undefined);
  if (forced !== undefined && !ORDER.includes(forced)) {
    throw new Error(`MASKTUNE_BACKEND=${forced} is not one of ${ORDER.join(", ")}`);
  }
  const skipped: string[] = [];
  for (const choice of forced ? [forced] : ORDER) {
    const result = await tryBackend(choice);
    if (typeof result === "string") {
      if (forced) throw new Error(`MASKTUNE_BACKEND=${forced}: ${result}`);
      skipped.push(result);
      continue;
    }
    await tf.ready();
    active = result;
    if (!options.quiet) {
      console.log(`[masktune] backend: ${result.description}${forced ? " (forced by MASKTUNE_BACKEND)" : ""}`);
      if (result.details) console.log(`[masktune]   ${result.details}`);
      for (const reason of skipped) console.log(`[masktune]   skipped: ${reason}`);
    }
    return result;
  }
  throw new Error("no tfjs backend could be initialised");
}
