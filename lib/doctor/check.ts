/**
 * One line of the doctor's report: what was checked, how it went, and what to
 * do about it. "error" is the only status that fails the doctor: a check the
 * default run needs that did not pass, or a dataset folder the user named
 * that is broken. "missing" and "warning" are for optional things.
 */
export type Status = "ok" | "warning" | "missing" | "error";

export interface Check {
  /** The report section, e.g. "Runtime". */
  section: string;
  name: string;
  status: Status;
  /** What was found (may span lines). */
  detail: string;
  /** How to fix it (may span lines); absent when nothing is to be done. */
  fix?: string;
  /** Needed by the default run (`npm start`); such a check is "ok", "warning" or "error". */
  needed: boolean;
}

/** True when nothing the default run needs is broken and no named dataset folder is broken. */
export function passed(checks: readonly Check[]): boolean {
  return checks.every((c) => c.status !== "error");
}

/** The message of anything thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
