/**
 * Runtime checks: the Node version, the tfjs backend the kit picks (and why,
 * and whether a GPU backend really runs on the GPU), and on wasm whether the
 * kit's training kernels are registered.
 */
import * as tf from "@tensorflow/tfjs";
import { BackendInfo, initBackend } from "../backend";
import { wasmKernelDetails } from "../wasm";
import { Check, errorText } from "./check";

const SECTION = "Runtime";
const MIN_NODE = 20;
const GPU_PACKAGE = "@tensorflow/tfjs-node-gpu";

export function nodeCheck(version = process.versions.node): Check {
  const major = Number(version.split(".")[0]);
  const ok = major >= MIN_NODE;
  return {
    section: SECTION,
    name: "Node.js",
    status: ok ? "ok" : "error",
    detail: `v${version} (${MIN_NODE} or newer needed)`,
    ...(ok ? {} : { fix: `Install Node.js ${MIN_NODE} or newer (https://nodejs.org), then npm ci.` }),
    needed: true,
  };
}

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const ORDER = "the order node-gpu, node, wasm, cpu";

/** Why the kit ended up with `info`: forced, or what the earlier choices lacked. */
function reason(info: BackendInfo): string {
  const forced = process.env.MASKTUNE_BACKEND;
  if (forced) return `forced by MASKTUNE_BACKEND=${forced}`;
  if (info.choice === "node-gpu") return `${GPU_PACKAGE} loaded, the first in ${ORDER}`;
  const gpu = installed(GPU_PACKAGE) ? `${GPU_PACKAGE} is installed but did not load` : `${GPU_PACKAGE} is not installed (optional)`;
  if (info.choice === "node") return `${gpu}; tfjs-node is next in ${ORDER}`;
  const native = `no native TensorFlow (${gpu}; tfjs-node did not load)`;
  return info.choice === "wasm" ? `${native}, and wasm is next in ${ORDER}` : `${native}, and wasm failed: cpu is the last in ${ORDER}`;
}

/** tfjs-node-gpu says whether TensorFlow found a GPU device. */
function onGpu(): boolean {
  return (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

function backendVerdict(info: BackendInfo): Pick<Check, "status" | "fix"> {
  if (info.choice === "node-gpu" && !onGpu()) {
    return { status: "warning", fix: "TensorFlow found no GPU and runs on the CPU: install the CUDA 11.2 and cuDNN 8.1 libraries and put them on LD_LIBRARY_PATH (environment.md, \"The native backends\")." };
  }
  if (info.choice === "cpu") {
    const fix = process.env.MASKTUNE_BACKEND ? "unset MASKTUNE_BACKEND" : "reinstall with npm ci so that @tensorflow/tfjs-backend-wasm loads";
    return { status: "warning", fix: `The cpu backend is about 30x slower than wasm: ${fix}.` };
  }
  return { status: "ok" };
}

/** The backend check; also returns the backend (undefined when none could be initialised). */
export async function backendCheck(): Promise<{ check: Check; info?: BackendInfo }> {
  const base = { section: SECTION, name: "tfjs backend", needed: true };
  let info: BackendInfo;
  try {
    info = await initBackend({ quiet: true });
  } catch (e) {
    return { check: { ...base, status: "error", detail: errorText(e), fix: "Unset MASKTUNE_BACKEND or pick one of node-gpu, node, wasm, cpu that is installed; npm ci reinstalls wasm (environment.md)." } };
  }
  return { check: { ...base, ...backendVerdict(info), detail: `${info.description}; why: ${reason(info)}` }, info };
}

/** On wasm, whether the kit's training kernels are registered (training needs Conv2DBackpropFilter from the kit). */
export function wasmKernelsCheck(info: BackendInfo | undefined): Check {
  const base = { section: SECTION, name: "kit wasm kernels", needed: true };
  if (info === undefined) return { ...base, status: "warning", detail: "not checked: no backend (see above)" };
  if (info.tfName !== "wasm") return { ...base, status: "ok", detail: `not used: the ${info.tfName} backend has its own training kernels` };
  if (tf.getKernel("Conv2DBackpropFilter", "wasm") === undefined || wasmKernelDetails() === "") {
    return { ...base, status: "error", detail: "not registered: stock wasm cannot train convolutions", fix: "Rebuild the kit (npm run build) and run from this checkout; the CLI and notebooks register them at start-up." };
  }
  if (process.env.MASKTUNE_WASM_KERNELS === "stock") {
    return { ...base, status: "warning", detail: `stock mode (MASKTUNE_WASM_KERNELS=stock): ${wasmKernelDetails()}`, fix: "Unset MASKTUNE_WASM_KERNELS for the faster kernels (stock mode is for benchmarks)." };
  }
  return { ...base, status: "ok", detail: wasmKernelDetails() };
}
