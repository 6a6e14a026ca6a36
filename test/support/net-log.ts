/**
 * Reads a Chromium network log (--log-net-log, JSON: constants, then events)
 * for the requests a page made. The browser's own background requests carry
 * the initiator "not an origin"; a page's requests carry its origin ("null"
 * for a file: page) or, for navigations, the page's URL scheme.
 */
import * as fs from "fs";

interface NetLog {
  constants: { logEventTypes: Record<string, number> };
  events: { type: number; params?: { url?: string; initiator?: string } }[];
}

const LOCAL = /^(file|data|blob|about|chrome):/i;
const BROWSER_ITSELF = "not an origin";

/** The URLs of every network request the page started (not file:, data:, blob: ...; not the browser's own). */
export function pageNetworkRequests(file: string): string[] {
  const log = JSON.parse(fs.readFileSync(file, "utf8")) as NetLog;
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const urls = log.events
    .filter((e) => e.type === startJob && e.params?.url !== undefined && e.params.initiator !== BROWSER_ITSELF)
    .map((e) => e.params!.url!)
    .filter((url) => !LOCAL.test(url));
  return [...new Set(urls)];
}
