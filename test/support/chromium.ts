/**
 * Headless Chromium from its command line, with no browser-automation
 * library: find the binary on PATH, render a page (its DOM after scripts ran,
 * with a network log) or take a screenshot (cdp-pipe.ts drives a live page
 * with the same flags). Every run gets a fresh profile,
 * the browser's own background traffic switched off as far as flags allow,
 * every host name unresolvable, and a time limit.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
const TIMEOUT_MS = 120_000;
/** Virtual time the page gets to run its scripts (plotly draws synchronously; this is ample). */
const VIRTUAL_TIME_MS = 15_000;

/** The first Chromium-like binary on PATH, or undefined. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Headless, fresh profile `profile`, no background traffic, and every host
 * name (IP literals included) unresolvable except those `exclude`d.
 */
export function quietFlags(profile: string, exclude: string[] = []): string[] {
  return [
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    `--user-data-dir=${profile}`,
    "--no-first-run",
    "--disable-default-apps",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-breakpad",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    `--host-resolver-rules=${["MAP * ~NOTFOUND", ...exclude.map((host) => `EXCLUDE ${host}`)].join(", ")}`,
    "--hide-scrollbars",
  ];
}

/** Runs `binary` on `url` with the quiet flags, virtual time and `flags`; stdout. Throws on a non-zero exit or the time limit. */
function run(binary: string, url: string, flags: string[]): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-chromium-"));
  try {
    const result = spawnSync(binary, [...quietFlags(profile), `--virtual-time-budget=${VIRTUAL_TIME_MS}`, ...flags, url], {
      encoding: "utf8",
      timeout: TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error) throw new Error(`${binary} ${url}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${binary} ${url} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
    return result.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The page's DOM after its scripts ran; the browser's network log is written to `netLog`. */
export function dumpDom(binary: string, url: string, netLog: string): string {
  return run(binary, url, ["--dump-dom", `--log-net-log=${netLog}`]);
}

/** A PNG of the page's top `width` x `height` pixels. */
export function screenshot(binary: string, url: string, png: string, width: number, height: number): void {
  fs.mkdirSync(path.dirname(png), { recursive: true });
  run(binary, url, [`--screenshot=${png}`, `--window-size=${width},${height}`]);
  if (!fs.existsSync(png)) throw new Error(`${binary} wrote no screenshot to ${png}`);
}
