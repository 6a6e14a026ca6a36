/** What produced a result: kit version, git commit, backend, date. */
import { execFileSync } from "child_process";
import * as path from "path";
import { backendInfo } from "../backend";

export interface Provenance {
  kit_version: string;
  git_commit: string;
  backend: string;
  date: string;
}

function gitCommit(): string {
  try {
    const root = path.join(__dirname, "..", "..", "..");
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return "";
  }
}

export function provenance(): Provenance {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require("../../../package.json") as { version: string };
  return { kit_version: pkg.version, git_commit: gitCommit(), backend: backendInfo().description, date: new Date().toISOString() };
}
