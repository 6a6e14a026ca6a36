/**
 * Notebook checks: Jupyter's nbconvert, and the tslab kernel registration,
 * which must point at this checkout's node_modules/.bin/tslab (the kernel
 * spec is one per Jupyter installation, so another checkout can take it over).
 * Neither is needed by the default run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Check, errorText } from "./check";
import { TSLAB_BINARY } from "./checkout";

const SECTION = "Notebooks";
const INSTALL = "sudo apt-get install jupyter-notebook jupyter-nbconvert python3-ipykernel (or pip install notebook), then npm run kernel";
const REGISTER = "npm run kernel (registers this checkout's tslab; MASKTUNE_PYTHON=/path/to/python3 picks the Python that has Jupyter)";
const TIMEOUT_MS = 60_000;

/** stdout of `jupyter ...args`, or undefined when it cannot run. */
function jupyter(args: string[]): string | undefined {
  const run = spawnSync("jupyter", args, { encoding: "utf8", timeout: TIMEOUT_MS });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

export function nbconvertCheck(): Check {
  const version = jupyter(["nbconvert", "--version"]);
  const base = { section: SECTION, name: "Jupyter nbconvert", needed: false };
  if (version === undefined) return { ...base, status: "missing", detail: "jupyter nbconvert does not run (optional: notebooks only)", fix: INSTALL };
  return { ...base, status: "ok", detail: `nbconvert ${version}` };
}

/** The same file, following links (false when either does not exist). */
function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** The verdict on a tslab kernel.json whose argv[0] is `binary`, given the binary of this checkout. */
export function tslabVerdict(binary: string | undefined, expected = TSLAB_BINARY): Pick<Check, "status" | "detail" | "fix"> {
  if (binary === undefined) return { status: "warning", detail: "the tslab kernel.json has no command", fix: REGISTER };
  if (sameFile(binary, expected)) return { status: "ok", detail: `registered for this checkout (${binary})` };
  const where = fs.existsSync(binary) ? "another checkout's tslab" : "a tslab that no longer exists";
  return { status: "warning", detail: `registered, but for ${where}: ${binary} (this checkout's is ${expected})`, fix: REGISTER };
}

export function tslabCheck(): Check {
  const base = { section: SECTION, name: "tslab kernel", needed: false };
  const listing = jupyter(["kernelspec", "list", "--json"]);
  if (listing === undefined) return { ...base, status: "missing", detail: "no Jupyter to register it with", fix: INSTALL };
  const dir = (JSON.parse(listing) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs.tslab?.resource_dir;
  if (dir === undefined) return { ...base, status: "missing", detail: "not registered with Jupyter", fix: REGISTER };
  const file = path.join(dir, "kernel.json");
  let spec: { argv?: string[] };
  try {
    spec = JSON.parse(fs.readFileSync(file, "utf8")) as { argv?: string[] };
  } catch (e) {
    return { ...base, status: "warning", detail: `${file} cannot be read: ${errorText(e)}`, fix: REGISTER };
  }
  return { ...base, ...tslabVerdict(spec.argv?.[0]) };
}
